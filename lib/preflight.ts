import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type EnvironmentConfig, placeholderAccount } from '../config';
import { activeRegionParameterName, fencedForParameterName, regionOf, resourceName } from '../config/naming';
import { otherRole, writerRole } from '../config/topology';
import { judgeFenced, type RecordRead as MarkerRead } from '../lambda/deploy-guard/judge';
import { classifyAwsError, describeAwsFailure } from './shared/aws-errors';

export type PreflightResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

/**
 * Checks, before `cdk deploy`, that the config names a real account, that the
 * caller's credentials belong to it, and that `failover.generation` agrees with
 * the region the runbooks made active, in both regions. Synth never calls AWS;
 * this is the one place deploy tooling does: STS GetCallerIdentity and one SSM
 * GetParameter per region.
 */
export async function preflight(
  config: EnvironmentConfig,
  sts: STSClient,
  ssmIn: (region: string) => SSMClient,
  lambdaConcurrency?: LambdaConcurrencyCheck,
): Promise<PreflightResult> {
  const placeholder = placeholderRefusal(config);
  if (placeholder) return { ok: false, message: placeholder };
  let identity: { Account?: string; Arn?: string };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    if (classifyAwsError(error) === 'network') {
      return {
        ok: false,
        message: describeAwsFailure(error, { service: 'STS', region: await sts.config.region() }),
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `Could not identify your AWS credentials (${reason}). Sign in (e.g. "aws sso login --profile <profile>") or set AWS_PROFILE, then run again.`,
    };
  }
  if (identity.Account !== config.account) {
    return {
      ok: false,
      message: `Your credentials are for account ${identity.Account} (${identity.Arn}), but environment "${config.name}" deploys to account ${config.account}. Switch to a profile for ${config.account}, or fix "account" in config/${config.name}.ts.`,
    };
  }
  const agreement = await recordsAgree(config, ssmIn);
  if (!agreement.ok) return agreement;
  const generation = await generationCheck(config, ssmIn);
  if (!generation.ok) return generation;
  const fenced = await fencedCheck(config, ssmIn);
  if (!fenced.ok) return fenced;
  if (lambdaConcurrency) {
    const concurrency = await concurrencyFits(lambdaConcurrency);
    if (!concurrency.ok) return concurrency;
  }
  return {
    ok: true,
    message: `Preflight passed: ${identity.Arn} may deploy "${config.name}" to ${config.account} (${config.regions.primary.region} primary, ${config.regions.dr.region} DR; ${generation.message}).`,
  };
}

/**
 * The refusal of a config whose account is still a placeholder (the value found, and the
 * fix), or undefined for a real-looking account. Preflight and `npm run submit` both use it.
 */
export function placeholderRefusal(config: EnvironmentConfig): string | undefined {
  if (!placeholderAccount(config.account)) return undefined;
  return `config/${config.name}.ts still holds the placeholder account ${config.account}. Set "account" to the 12-digit id of the AWS account ${config.name} deploys to, then run again.`;
}

interface RecordRead {
  readonly region: string;
  readonly value?: string;
  readonly modified?: Date;
  readonly missing?: boolean;
  readonly error?: string;
}

async function readRecord(
  config: EnvironmentConfig,
  region: string,
  ssmIn: (region: string) => SSMClient,
): Promise<RecordRead> {
  try {
    const { Parameter } = await ssmIn(region).send(
      new GetParameterCommand({ Name: activeRegionParameterName(config) }),
    );
    return { region, value: Parameter?.Value, modified: Parameter?.LastModifiedDate };
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return { region, missing: true };
    return { region, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The active-region records of the two regions must agree. They disagree when a
 * region came back after the other took over and was not fenced: it still acts
 * as the writer (its record, job submission, database, S3 rule), and a deploy
 * would build on that. The older record is the stale one; the fence runbook in
 * that region sets it (docs/runbooks/fence.md).
 */
async function recordsAgree(
  config: EnvironmentConfig,
  ssmIn: (region: string) => SSMClient,
): Promise<PreflightResult> {
  const name = activeRegionParameterName(config);
  const [a, b] = await Promise.all(
    [regionOf(config, 'primary'), regionOf(config, 'dr')].map((r) => readRecord(config, r, ssmIn)),
  );
  const unreadable = [a, b].find((r) => r.error !== undefined);
  if (unreadable) {
    return {
      ok: false,
      message: `Could not read ${name} in ${unreadable.region} (${unreadable.error}). A deploy changes both regions and needs both records readable: during an outage of ${unreadable.region} run the failover runbook instead of deploying (docs/runbooks/failover.md).`,
    };
  }
  if (a.missing || b.missing || a.value === b.value) return { ok: true, message: 'records agree' };
  const fence = (region: string) =>
    `aws ssm start-automation-execution --region ${region} --document-name ${resourceName(config, 'fence')}`;
  const stale =
    a.modified && b.modified && a.modified.getTime() !== b.modified.getTime()
      ? a.modified < b.modified
        ? a
        : b
      : undefined;
  const reads = `${name} reads ${a.value} in ${a.region} but ${b.value} in ${b.region}`;
  return {
    ok: false,
    message: stale
      ? `The active-region records disagree: ${reads}. ${stale.region}'s record is the older one: that region came back after the other took over and was not fenced, so it still acts as a writer. Fence it, then run preflight again: ${fence(stale.region)} (docs/runbooks/fence.md).`
      : `The active-region records disagree: ${reads}. Fence the region that did not take over, then run preflight again: ${fence(a.region)} or ${fence(b.region)} (docs/runbooks/fence.md).`,
  };
}

/**
 * A deploy re-seeds the standby's database from the writer that failover.generation
 * names, replacing whatever instance the standby had. That is only safe once the
 * runbook has made the writer's region active, so the record there must name it.
 */
async function generationCheck(
  config: EnvironmentConfig,
  ssmIn: (region: string) => SSMClient,
): Promise<PreflightResult> {
  const { generation } = config.failover;
  const writer = regionOf(config, writerRole(config));
  const other = regionOf(config, otherRole(writerRole(config)));
  const name = activeRegionParameterName(config);
  let active: string | undefined;
  try {
    active = (await ssmIn(writer).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') {
      return generation === 0
        ? { ok: true, message: 'first deploy: no active-region record yet' }
        : {
            ok: false,
            message: `failover.generation is ${generation} in config/${config.name}.ts, but ${writer} has no ${name} record, so this environment was never deployed there. Deploy generation 0 first.`,
          };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `Could not read ${name} in ${writer} (${reason}). A deploy needs the writer's region (${writer}, failover.generation ${generation}) reachable: during an outage run the failover runbook instead of deploying (docs/runbooks/failover.md).`,
    };
  }
  if (active === writer)
    return { ok: true, message: `generation ${generation}, ${writer} writes and is active` };
  return {
    ok: false,
    message:
      active === other
        ? `failover.generation ${generation} in config/${config.name}.ts makes ${writer} the writer, but the runbooks made ${other} active (${name} in ${writer} reads ${other}). Deploying now would re-seed ${other}'s live database from ${writer}. After a failover or failback, set failover.generation to ${generation + 1} (docs/runbooks/failback.md); if no switch happened, set ${name} back to ${writer}.`
        : `${name} in ${writer} reads "${active}", which is neither region of ${config.name}; set it to ${writer} (the writer in failover.generation ${generation}) before deploying.`,
  };
}

/**
 * From generation 1 on, the standby region must hold the fence runbook's fenced-for marker for
 * this writer: the deploy guard's rule (lambda/deploy-guard/judge.ts, judgeFenced), the one
 * definition both use.
 */
async function fencedCheck(
  config: EnvironmentConfig,
  ssmIn: (region: string) => SSMClient,
): Promise<PreflightResult> {
  const writer = regionOf(config, writerRole(config));
  const standby = regionOf(config, otherRole(writerRole(config)));
  const markerName = fencedForParameterName(config);
  const facts = {
    environment: config.name,
    generation: config.failover.generation,
    writerRegion: writer,
    otherRegion: standby,
    markerName,
    fenceDocument: resourceName(config, 'fence'),
    refuser: 'Preflight refused the deploy',
  };
  if (facts.generation === 0) return judgeFenced(facts, { region: standby, missing: true });
  let marker: MarkerRead;
  try {
    const { Parameter } = await ssmIn(standby).send(new GetParameterCommand({ Name: markerName }));
    marker =
      Parameter?.Value === undefined
        ? { region: standby, missing: true }
        : { region: standby, value: Parameter.Value };
  } catch (error) {
    marker =
      error instanceof Error && error.name === 'ParameterNotFound'
        ? { region: standby, missing: true }
        : { region: standby, unreadable: error instanceof Error ? error.message : String(error) };
  }
  return judgeFenced(facts, marker);
}

/**
 * Lambda keeps 100 of the account's concurrent executions unreserved in each region: "You can
 * reserve up to the Unreserved account concurrency value that is shown, minus 100 for functions
 * that don't have reserved concurrency" (Lambda developer guide, "Configuring reserved
 * concurrency", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 * A new account may start with a concurrency quota far below the default 1,000; then creating a
 * function with reserved concurrency fails ("decreases account's UnreservedConcurrentExecution
 * below its minimum value").
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
/** Service Quotas code of "Concurrent executions" (Lambda), per region. */
export const LAMBDA_CONCURRENCY_QUOTA = { serviceCode: 'lambda', quotaCode: 'L-B99A9384' } as const;

/** Reserved concurrency the app's functions ask for in one region. */
export interface RegionConcurrencyNeed {
  readonly region: string;
  readonly reserved: number;
  readonly functions: number;
}

export interface LambdaConcurrencyCheck {
  /** What the synthesized templates reserve, per region ({@link reservedConcurrency}). */
  readonly needs: readonly RegionConcurrencyNeed[];
  readonly quotasIn: (region: string) => ServiceQuotasClient;
}

/** Sums ReservedConcurrentExecutions of every function in the synthesized templates, per region. */
export function reservedConcurrency(
  stacks: readonly { readonly region: string; readonly template: { Resources?: Record<string, unknown> } }[],
): RegionConcurrencyNeed[] {
  const byRegion = new Map<string, { reserved: number; functions: number }>();
  for (const { region, template } of stacks) {
    for (const resource of Object.values(template.Resources ?? {}) as {
      Type?: string;
      Properties?: { ReservedConcurrentExecutions?: unknown };
    }[]) {
      const reserved = resource.Properties?.ReservedConcurrentExecutions;
      if (resource.Type !== 'AWS::Lambda::Function' || typeof reserved !== 'number') continue;
      const need = byRegion.get(region) ?? { reserved: 0, functions: 0 };
      byRegion.set(region, { reserved: need.reserved + reserved, functions: need.functions + 1 });
    }
  }
  return [...byRegion]
    .map(([region, need]) => ({ region, ...need }))
    .sort((a, b) => a.region.localeCompare(b.region));
}

/**
 * The account's Lambda concurrency quota in each region must leave the reserved concurrency of
 * this app's functions plus Lambda's unreserved minimum. Reservations of other functions in the
 * account come on top and are not counted here.
 */
async function concurrencyFits(check: LambdaConcurrencyCheck): Promise<PreflightResult> {
  const { serviceCode, quotaCode } = LAMBDA_CONCURRENCY_QUOTA;
  for (const need of check.needs) {
    let quota: number | undefined;
    try {
      const out = await check
        .quotasIn(need.region)
        .send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
      quota = out.Quota?.Value;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        message: `Could not read the Lambda concurrency quota (Service Quotas ${quotaCode}) in ${need.region} (${reason}). The deploy reserves ${need.reserved} concurrent executions there; allow servicequotas:GetServiceQuota for your credentials, then run again.`,
      };
    }
    const required = need.reserved + LAMBDA_UNRESERVED_MINIMUM;
    if (quota === undefined || quota < required) {
      return {
        ok: false,
        message: `The Lambda concurrency quota in ${need.region} is ${quota ?? 'unknown'}, but this deploy reserves ${need.reserved} concurrent executions for its ${need.functions} functions there and Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved, so it needs at least ${required}: creating the functions would fail ("decreases account's UnreservedConcurrentExecution below its minimum value"). Ask for an increase, then run again: aws service-quotas request-service-quota-increase --region ${need.region} --service-code ${serviceCode} --quota-code ${quotaCode} --desired-value ${Math.max(required, 1000)}`,
      };
    }
  }
  return { ok: true, message: 'Lambda concurrency quotas fit' };
}
