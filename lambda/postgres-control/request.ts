import { LSN_PATTERN } from './control';

export type ControlRequest =
  | { action: 'status' }
  | { action: 'fence' }
  | { action: 'unfence' }
  | { action: 'heartbeat' }
  | { action: 'lastBeat' }
  | { action: 'catchUp'; targetLsn: string; markerId?: string };

export const ACTIONS = ['status', 'fence', 'catchUp', 'unfence', 'heartbeat', 'lastBeat'] as const;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Validates the invocation payload; the error names the field, the value and what is accepted. */
export function parseRequest(event: unknown): ControlRequest | { error: string } {
  const input = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const action = input.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    return {
      error: `action is ${JSON.stringify(action)}; use one of ${ACTIONS.join(', ')}, e.g. {"action":"status"}.`,
    };
  }
  if (action !== 'catchUp') return { action } as ControlRequest;
  const { targetLsn, markerId } = input;
  if (typeof targetLsn !== 'string' || !LSN_PATTERN.test(targetLsn)) {
    return {
      error: `targetLsn is ${JSON.stringify(targetLsn)}; catchUp needs the writer's position as PostgreSQL prints it (e.g. "0/3000060"), the lsn that fence returned.`,
    };
  }
  if (markerId !== undefined && (typeof markerId !== 'string' || !UUID.test(markerId))) {
    return {
      error: `markerId is ${JSON.stringify(markerId)}; pass the markerId that fence returned (a UUID), or leave it out.`,
    };
  }
  return { action, targetLsn, ...(markerId ? { markerId } : {}) };
}
