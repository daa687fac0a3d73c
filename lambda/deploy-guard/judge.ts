/**
 * The deploy guard's verdict: may this deploy of a database stack go on, given the
 * active-region record (`/dra/{env}/active-region`) as each region holds it? The same two
 * rules as `npm run preflight` (lib/preflight.ts: the records agree; the region
 * `failover.generation` makes the writer is the active one), here run by CloudFormation
 * itself, so that a deploy of one stack (`cdk deploy 'prod-dr/*'`) cannot skip them:
 * re-seeding a region whose old writer was never fenced leaves that writer writable.
 * test/lambda/deploy-guard.test.ts proves the two agree case by case.
 *
 * No AWS here: the handler reads the records and this decides.
 */

/** One region's record as read: its value, or that it does not exist, or why it could not be read. */
export type RecordRead =
  | { readonly region: string; readonly value: string; readonly modified?: Date }
  | { readonly region: string; readonly missing: true }
  | { readonly region: string; readonly unreadable: string };

export interface GuardFacts {
  /** Environment name, for the messages. */
  readonly environment: string;
  /** `failover.generation` of the config being deployed. */
  readonly generation: number;
  /** The region that generation makes the writer. */
  readonly writerRegion: string;
  /** The other region of the environment. */
  readonly otherRegion: string;
  /** The record's name, e.g. /dra/prod/active-region. */
  readonly parameterName: string;
  /** The fence runbook's document name, e.g. dra-prod-fence. */
  readonly fenceDocument: string;
  /** The stack being deployed, for the messages. */
  readonly stackName: string;
}

/** What the fenced-for rule needs: the generation, both regions, the marker's name, the fence. */
export interface FenceFacts {
  readonly environment: string;
  readonly generation: number;
  readonly writerRegion: string;
  readonly otherRegion: string;
  /** The marker's name, e.g. /dra/prod/fenced-for (config/naming.ts, fencedForParameterName). */
  readonly markerName: string;
  readonly fenceDocument: string;
  /** Who refuses, for the messages: `Deploy guard refused prod-dr-database` or `Preflight`. */
  readonly refuser: string;
}

/** The fenced-for marker's value as the fence runbook's Report writes it (lib/runbooks/steps/fence_report.py). */
interface FencedFor {
  readonly newWriter?: unknown;
  readonly generation?: unknown;
  readonly execution?: unknown;
  readonly at?: unknown;
}

function parseMarker(value: string): FencedFor | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as FencedFor) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fenced-for rule, the one definition the deploy guard and `npm run preflight` share: a
 * deploy of generation > 0 re-seeds the standby region (a new replica; the old instance is
 * retained, UpdateReplacePolicy Retain, and stays as it was), so the standby must have been
 * fenced for this writer by a fence run whose every part succeeded. The active-region records
 * agreeing proves nothing of that: the switch writes the old region's record whenever it
 * answers, and a fence whose database part failed (a dead writer that comes back writable)
 * leaves the records agreeing too. The fence's Report writes the marker only when every part is
 * done; its generation is the one the fence document was deployed with (the one before the
 * switch), so a marker left by an earlier switch toward the same region (two generations back
 * or more) does not count.
 */
export function judgeFenced(facts: FenceFacts, marker: RecordRead): Verdict {
  const { generation, writerRegion: writer, otherRegion: standby, markerName: name } = facts;
  if (generation === 0) return { ok: true, message: 'generation 0: nothing to have fenced' };
  const fence = `aws ssm start-automation-execution --region ${standby} --document-name ${facts.fenceDocument}`;
  const run = `Run the fence runbook in ${standby} until every part is done (docs/runbooks/fence.md), then deploy again: ${fence}`;
  const config = `config/${facts.environment}.ts`;
  if ('unreadable' in marker)
    return {
      ok: false,
      message: `${facts.refuser}: could not read ${name} in ${standby} (${marker.unreadable}), so nothing proves ${standby} was fenced before failover.generation ${generation} in ${config} re-seeds it. If ${standby} answers, allow ssm:GetParameter on ${name} there and deploy again.`,
    };
  const why = !('value' in marker)
    ? `${standby} has no ${name}: the fence runbook never ran there, or a part of it failed`
    : (() => {
        const m = parseMarker(marker.value);
        if (!m) return `${name} in ${standby} reads "${marker.value}", which is not what the fence writes`;
        if (m.newWriter !== writer)
          return `${name} in ${standby} says it was fenced for ${String(m.newWriter)}, not for ${writer}`;
        if (typeof m.generation !== 'number' || m.generation < generation - 1)
          return `${name} in ${standby} is from an earlier switch (fence at generation ${String(m.generation)}, execution ${String(m.execution)}, ${String(m.at)}), not the one to generation ${generation}`;
        return undefined;
      })();
  if (why === undefined) return { ok: true, message: `${standby} fenced for ${writer} (${name})` };
  return {
    ok: false,
    message: `${facts.refuser}: failover.generation ${generation} in ${config} re-seeds ${standby} from ${writer}, but ${why}; its old writer may still be writable, and the deploy would keep it so. ${run}`,
  };
}

export type Verdict =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

const isValue = (r: RecordRead): r is Extract<RecordRead, { value: string }> => 'value' in r;

/**
 * Decides from both regions' records. An unreadable record refuses the deploy: from here a
 * region that is down cannot be told apart from one that is up and still writing behind a
 * network or permission failure, and the documented procedure never deploys during an outage
 * (the failover runbook switches; the deploy comes after the old region is back and fenced).
 */
export function judgeDeploy(facts: GuardFacts, writer: RecordRead, other: RecordRead): Verdict {
  const { parameterName: name, environment, generation } = facts;
  const config = `config/${environment}.ts`;
  for (const r of [writer, other]) {
    if ('unreadable' in r)
      return {
        ok: false,
        message: `Deploy guard refused ${facts.stackName}: could not read ${name} in ${r.region} (${r.unreadable}), so nothing proves ${r.region} is not still acting as a writer. During an outage of ${r.region} run the failover runbook instead of deploying (docs/runbooks/failover.md); deploy once ${r.region} answers and is fenced. If ${r.region} answers, give the deploy role ssm:GetParameter there and deploy again.`,
      };
  }
  const fence = (region: string) =>
    `aws ssm start-automation-execution --region ${region} --document-name ${facts.fenceDocument}`;
  if (isValue(writer) && isValue(other) && writer.value !== other.value) {
    const stale =
      writer.modified && other.modified && writer.modified.getTime() !== other.modified.getTime()
        ? writer.modified < other.modified
          ? writer
          : other
        : undefined;
    const reads = `${name} reads ${writer.value} in ${writer.region} but ${other.value} in ${other.region}`;
    return {
      ok: false,
      message: stale
        ? `Deploy guard refused ${facts.stackName}: the active-region records disagree (${reads}). ${stale.region}'s record is the older one: that region came back after the other took over and was not fenced, so it still acts as a writer. Fence it, then deploy again: ${fence(stale.region)} (docs/runbooks/fence.md).`
        : `Deploy guard refused ${facts.stackName}: the active-region records disagree (${reads}). Fence the region that did not take over, then deploy again: ${fence(writer.region)} or ${fence(other.region)} (docs/runbooks/fence.md).`,
    };
  }
  if (!isValue(writer)) {
    return generation === 0
      ? { ok: true, message: 'first deploy: no active-region record yet' }
      : {
          ok: false,
          message: `Deploy guard refused ${facts.stackName}: failover.generation is ${generation} in ${config}, but ${writer.region} has no ${name} record, so this environment was never deployed there. Deploy generation 0 first.`,
        };
  }
  if (writer.value === writer.region)
    return { ok: true, message: `generation ${generation}: ${writer.region} writes and is active` };
  return {
    ok: false,
    message:
      writer.value === facts.otherRegion
        ? `Deploy guard refused ${facts.stackName}: failover.generation ${generation} in ${config} makes ${writer.region} the writer, but the runbooks made ${facts.otherRegion} active (${name} in ${writer.region} reads ${facts.otherRegion}). Deploying now would re-seed ${facts.otherRegion}'s live database from ${writer.region}. After a failover or failback, set failover.generation to ${generation + 1} (docs/runbooks/failback.md); if no switch happened, set ${name} back to ${writer.region}.`
        : `Deploy guard refused ${facts.stackName}: ${name} in ${writer.region} reads "${writer.value}", which is neither region of ${environment}; set it to ${writer.region} (the writer in failover.generation ${generation}) and deploy again.`,
  };
}
