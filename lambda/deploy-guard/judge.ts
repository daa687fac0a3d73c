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
