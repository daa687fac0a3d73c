import type { EnvironmentConfig } from '../../config';
import { activeRegionParameterName, partitionOf, regionOf, resourceName } from '../../config/naming';
import { standbyRole, writerRole } from '../../config/topology';
import { JOB_CATALOG } from '../../lambda/job-submission/job-catalog';
import type { StepPermission } from './step';

/** The two switch runbooks: an unplanned failover, and the planned switch back after re-seeding (failback). */
export type RunbookKind = 'failover' | 'failback';

/** The streaming jobs a switch resubmits in the new writer's region: the catalog's STREAMING jobs. */
export const FAILOVER_STREAMING_JOBS: readonly string[] = JOB_CATALOG.filter(
  (j) => j.mode === 'STREAMING',
).map((j) => j.name);
/**
 * Of those, the jobs that commit their progress to a consumer group: a switch resumes them from
 * that group's offsets on the new writer's cluster, as MSK Replicator translated them.
 */
export const RESUME_FROM_GROUP_JOBS: readonly string[] = JOB_CATALOG.filter(
  (j) => j.mode === 'STREAMING' && j.commitsOffsetsOf,
).map((j) => j.name);

/** What every step of one document needs to know: names, regions and ARNs derived from config. */
export class RunbookContext {
  readonly account: string;
  /** The ARN partition of the document's region (aws, aws-cn, aws-us-gov), from region-info. */
  readonly partition: string;

  constructor(
    readonly config: EnvironmentConfig,
    /** The region the document runs in. */
    readonly here: string,
    /** The other region. */
    readonly other: string,
    readonly topicArn: string,
  ) {
    this.account = config.account;
    this.partition = partitionOf(here);
  }

  /** An ARN of this account in `region` (empty for global resources), in the document's partition. */
  arn(region: string, service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${region}:${this.account}:${resource}`;
  }

  /** For the switch runbooks: deployed and run in the standby region, acting against the writer's. */
  static forSwitch(config: EnvironmentConfig, topicArn: string): RunbookContext {
    return new RunbookContext(
      config,
      regionOf(config, standbyRole(config)),
      regionOf(config, writerRole(config)),
      topicArn,
    );
  }

  name(purpose: string): string {
    return resourceName(this.config, purpose);
  }

  lambdaArn(region: string, purpose: string): string {
    return this.arn(region, 'lambda', `function:${this.name(purpose)}`);
  }

  activeRegionArn(region: string): string {
    return this.arn(region, 'ssm', `parameter${activeRegionParameterName(this.config)}`);
  }

  /** Statement for calls whose resources are ids AWS generates (found by listing), limited to one region. */
  listed(region: string, actions: string[], why: string): StepPermission {
    return {
      actions,
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
      why,
    };
  }

  invoke(region: string, purpose: string): StepPermission {
    return { actions: ['lambda:InvokeFunction'], resources: [this.lambdaArn(region, purpose)] };
  }

  publish(): StepPermission {
    return { actions: ['sns:Publish'], resources: [this.topicArn] };
  }
}

/**
 * The role a switch runbook runs as, fixed so that the document's
 * AutomationAssumeRole can default to it: IAM is global, so the region is part of it.
 */
export function switchRoleName(config: EnvironmentConfig, kind: RunbookKind, region: string): string {
  return `${resourceName(config, kind)}-${region}`;
}

/** The fence runbook's name (deployed in both regions; run in the one to fence). */
export function fenceRunbookName(config: EnvironmentConfig): string {
  return resourceName(config, 'fence');
}

/** The fence runbook's role name: IAM is global, so the region is part of it. */
export function fenceRoleName(config: EnvironmentConfig, region: string): string {
  return `${resourceName(config, 'fence')}-${region}`;
}

/**
 * The SNS topic aws:approve notifies: "The title of the Amazon SNS topic must be
 * prefixed with 'Automation'" (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html),
 * so the alarm topic cannot be used directly; this one gets the same subscribers.
 */
export function approvalTopicName(config: EnvironmentConfig, kind: RunbookKind): string {
  return `Automation-${resourceName(config, kind)}-approval`;
}
