import { Logger } from '@aws-lambda-powertools/logger';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { boundedRequests } from '../sdk-timeouts';
import { type GuardFacts, judgeDeploy, judgeFenced, type RecordRead, type Verdict } from './judge';

/**
 * The deploy guard: a Lambda-backed custom resource in each region's database stack
 * (lib/constructs/deploy-guard.ts) that every deploy of that stack passes through before
 * its database changes. It reads the active-region record in both regions and answers
 * FAILED when they disagree or do not name the writer `failover.generation` makes, and, from
 * generation 1 on, when the standby region holds no fenced-for marker of a complete fence for
 * that writer (lambda/deploy-guard/judge.ts); CloudFormation then fails the stack operation and
 * rolls it back, the reason shown in the stack's events.
 *
 * CloudFormation's contract (custom resource response objects,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html):
 * the provider PUTs Status SUCCESS or FAILED to the request's presigned ResponseURL, Reason
 * "Required if Status is FAILED", the body at most 4096 bytes, the same PhysicalResourceId in
 * every response for the resource. A function that ends without answering leaves the stack
 * waiting for the timeout ("An unreported exception causes CloudFormation to wait until the
 * operation times out before starting a stack rollback",
 * https://repost.aws/knowledge-center/best-practices-custom-cf-lambda): every path answers.
 * A custom resource runs on create, on update "if you changed the custom resource", and on
 * delete (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html).
 */

/** The properties the construct gives the resource (CloudFormation passes every scalar as a string). */
export interface GuardProperties {
  readonly Environment: string;
  readonly Generation: string;
  readonly WriterRegion: string;
  readonly OtherRegion: string;
  readonly ParameterName: string;
  readonly FenceDocument: string;
  /** The fence runbook's marker (/dra/{env}/fenced-for), required in OtherRegion when Generation > 0. */
  readonly FencedForName: string;
}

export interface GuardResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

export interface GuardDependencies {
  readonly ssmIn: (region: string) => SSMClient;
  readonly respond: (url: string, response: GuardResponse) => Promise<void>;
  readonly logger: Pick<Logger, 'info' | 'error'>;
}

/** Reason strings stay well inside the 4096-byte response body. */
const MAX_REASON = 3000;

const stackNameOf = (stackId: string): string => stackId.split('/')[1] ?? stackId;

export async function readRecord(ssm: SSMClient, region: string, name: string): Promise<RecordRead> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    if (Parameter?.Value === undefined) return { region, missing: true };
    return { region, value: Parameter.Value, modified: Parameter.LastModifiedDate };
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return { region, missing: true };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { region, unreadable: reason };
  }
}

/** Decides one CloudFormation request; never throws. */
export async function decide(
  event: CloudFormationCustomResourceEvent,
  deps: GuardDependencies,
): Promise<Verdict> {
  if (event.RequestType === 'Delete') return { ok: true, message: 'delete: nothing to check' };
  const p = event.ResourceProperties as unknown as GuardProperties;
  const generation = Number(p.Generation);
  if (event.RequestType === 'Update') {
    const old = Number((event.OldResourceProperties as unknown as Partial<GuardProperties>).Generation);
    // A lower generation is the rollback of a generation change (CloudFormation sends the old
    // properties as an Update; refusing it would leave the stack UPDATE_ROLLBACK_FAILED): the
    // forward update was checked, and the rollback only restores what was there.
    if (Number.isInteger(old) && generation < old)
      return { ok: true, message: `generation ${old} to ${generation}: a rollback, not checked` };
  }
  if (!Number.isInteger(generation) || generation < 0)
    return {
      ok: false,
      message: `Deploy guard: Generation "${p.Generation}" is not a whole number; redeploy.`,
    };
  const facts: GuardFacts = {
    environment: p.Environment,
    generation,
    writerRegion: p.WriterRegion,
    otherRegion: p.OtherRegion,
    parameterName: p.ParameterName,
    fenceDocument: p.FenceDocument,
    stackName: stackNameOf(event.StackId),
  };
  const [writer, other] = await Promise.all(
    [p.WriterRegion, p.OtherRegion].map((region) => readRecord(deps.ssmIn(region), region, p.ParameterName)),
  );
  const records = judgeDeploy(facts, writer, other);
  if (!records.ok || generation === 0) return records;
  const marker = await readRecord(deps.ssmIn(p.OtherRegion), p.OtherRegion, p.FencedForName);
  const fenced = judgeFenced(
    {
      ...facts,
      markerName: p.FencedForName,
      refuser: `Deploy guard refused ${facts.stackName}`,
    },
    marker,
  );
  return fenced.ok ? { ok: true, message: `${records.message}; ${fenced.message}` } : fenced;
}

/** Decides and answers CloudFormation; an unexpected error answers FAILED with what it was. */
export async function handle(
  event: CloudFormationCustomResourceEvent,
  deps: GuardDependencies,
): Promise<void> {
  let verdict: Verdict;
  try {
    verdict = await decide(event, deps);
  } catch (error) {
    verdict = {
      ok: false,
      message: `Deploy guard could not check the active-region records (${error instanceof Error ? error.message : String(error)}); deploy again.`,
    };
  }
  if (verdict.ok) deps.logger.info(verdict.message);
  else deps.logger.error(verdict.message);
  const physical =
    'PhysicalResourceId' in event && event.PhysicalResourceId
      ? event.PhysicalResourceId
      : `deploy-guard-${event.LogicalResourceId}`;
  await deps.respond(event.ResponseURL, {
    Status: verdict.ok ? 'SUCCESS' : 'FAILED',
    ...(verdict.ok ? {} : { Reason: verdict.message.slice(0, MAX_REASON) }),
    PhysicalResourceId: physical,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/** PUT to the presigned URL with an empty content type, as S3 presigned uploads expect. */
export async function putResponse(url: string, response: GuardResponse): Promise<void> {
  const body = JSON.stringify(response);
  const answer = await fetch(url, {
    method: 'PUT',
    body,
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    signal: AbortSignal.timeout(10_000),
  });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered ${answer.status}`);
}

const logger = new Logger({ serviceName: 'deploy-guard' });
const clients = new Map<string, SSMClient>();
const ssmIn = (region: string): SSMClient => {
  let client = clients.get(region);
  if (!client) {
    client = new SSMClient({
      region,
      retryMode: 'standard',
      maxAttempts: 3,
      requestHandler: boundedRequests(5000),
    });
    clients.set(region, client);
  }
  return client;
};

export const handler = (event: CloudFormationCustomResourceEvent): Promise<void> =>
  handle(event, { ssmIn, respond: putResponse, logger });
