import * as fs from 'node:fs';
import * as path from 'node:path';
import { STEPS_DIR } from '../../runbooks/archive';
import { type AwsLimitRule, allResourcesOfType } from './rule';

/**
 * aws:executeScript ends a step that runs past its `timeoutSeconds` (at most 600), and a
 * script that waits (a deadline loop: `time.time() + <wait>`) must finish within it, or both
 * attempts time out whatever the script would have answered
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html).
 * The fence's StopReplicator had the 120 s default while stop_replicator.py waits 150 s.
 */

/** Seconds a step needs beyond its script's wait: one poll, the calls before and after the loop. */
export const SCRIPT_WAIT_MARGIN_SECONDS = 60;

interface ScriptWait {
  /** The wait the script uses when the step passes no WaitSeconds; undefined when it cannot be read. */
  readonly defaultSeconds?: number;
  /** Whether the script takes `WaitSeconds` from its input. */
  readonly takesInput: boolean;
}

/**
 * How long a step's script waits, read from its source: undefined for a script without a
 * deadline loop. The forms the steps use: `time.time() + int(events.get("WaitSeconds", N))`,
 * `wait = int(events.get("WaitSeconds", N))` then `time.time() + wait`, and `time.time() + N`.
 */
export function scriptWait(source: string): ScriptWait | undefined {
  if (!/time\.time\(\)\s*\+/.test(source)) return undefined;
  const input = /events\.get\(\s*["']WaitSeconds["']\s*,\s*(\d+)\s*\)/.exec(source);
  if (input) return { defaultSeconds: Number(input[1]), takesInput: true };
  const literal = /time\.time\(\)\s*\+\s*(\d+)/.exec(source);
  if (literal) return { defaultSeconds: Number(literal[1]), takesInput: false };
  const constant = /time\.time\(\)\s*\+\s*([A-Z_][A-Z0-9_]*)/.exec(source);
  const value = constant && new RegExp(`^${constant[1]}\\s*=\\s*(\\d+)`, 'm').exec(source);
  return { defaultSeconds: value ? Number(value[1]) : undefined, takesInput: false };
}

interface ScriptStepLike {
  readonly name?: unknown;
  readonly action?: unknown;
  readonly timeoutSeconds?: unknown;
  readonly inputs?: { Handler?: unknown; InputPayload?: { WaitSeconds?: unknown }; Steps?: unknown };
}

/** mainSteps with the steps of aws:loop actions, flattened. */
function stepsOf(steps: unknown): ScriptStepLike[] {
  if (!Array.isArray(steps)) return [];
  return (steps as ScriptStepLike[]).flatMap((s) => [s, ...stepsOf(s.inputs?.Steps)]);
}

const readStep = (file: string): string | undefined => {
  const full = path.join(STEPS_DIR, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
};

/** The rule, reading step scripts with `readScript` (a file name under lib/runbooks/steps/). */
export function scriptStepTimeoutRule(
  readScript: (file: string) => string | undefined = readStep,
): AwsLimitRule {
  return {
    id: 'ssm-script-step-timeout',
    summary: `An aws:executeScript step whose script waits has a timeoutSeconds of at least that wait plus ${SCRIPT_WAIT_MARGIN_SECONDS} s`,
    page: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html',
    check(stacks) {
      return allResourcesOfType(stacks, 'AWS::SSM::Document').flatMap(({ stack, logicalId, properties }) => {
        const content = (
          typeof properties.Content === 'string' ? JSON.parse(properties.Content) : properties.Content
        ) as { mainSteps?: unknown } | undefined;
        return stepsOf(content?.mainSteps).flatMap((step, index) => {
          const handler = step.inputs?.Handler;
          if (step.action !== 'aws:executeScript' || typeof handler !== 'string') return [];
          const file = `${handler.split('.')[0]}.py`;
          const source = readScript(file);
          const wait = source === undefined ? undefined : scriptWait(source);
          if (!wait) return [];
          const at = {
            stack,
            logicalId,
            path: `Properties.Content.mainSteps[${String(step.name ?? index)}].timeoutSeconds`,
          };
          const given = Number(step.inputs?.InputPayload?.WaitSeconds);
          const seconds = wait.takesInput && Number.isFinite(given) ? given : wait.defaultSeconds;
          if (seconds === undefined)
            return [
              {
                ...at,
                value: file,
                problem: `${file} waits in a deadline loop, but its wait cannot be read from the source (neither WaitSeconds nor a number or constant after time.time() +).`,
                fix: `Write the wait as int(events.get("WaitSeconds", N)) in ${file}, so that it is checked against the step's timeoutSeconds.`,
              },
            ];
          const needed = seconds + SCRIPT_WAIT_MARGIN_SECONDS;
          const timeout = Number(step.timeoutSeconds);
          if (Number.isFinite(timeout) && timeout >= needed) return [];
          return [
            {
              ...at,
              value: step.timeoutSeconds ?? 'unset',
              problem: `Step ${String(step.name)} runs ${file}, which waits up to ${seconds} s plus its calls; a timeoutSeconds below ${needed} ends the step before the script answers, on every attempt.`,
              fix: `Give step ${String(step.name)} timeoutSeconds of at least ${needed} (at most 600), or pass it a shorter WaitSeconds.`,
            },
          ];
        });
      });
    },
  };
}

export const scriptStepTimeout: AwsLimitRule = scriptStepTimeoutRule();
