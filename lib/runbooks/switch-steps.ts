import type { EnvironmentConfig } from '../../config';
import {
  activeRegionParameterName,
  cacheReplicationGroupId,
  databaseInstanceArn,
  databaseInstanceIdentifier,
  databaseRotationFunctionName,
  databaseSecretName,
  globalDatastoreId,
  globalDatastoreJoined,
  keyAliasName,
  parameterName,
  resourceName,
  warehouseName,
} from '../../config/naming';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import { standbyRole, writerRole } from '../../config/topology';
import { ROTATION_DAYS } from '../constructs/postgres-rotation';
import { readinessSettings } from '../constructs/readiness';
import {
  approvalTopicName,
  FAILOVER_STREAMING_JOBS,
  fenceRoleName,
  fenceRunbookName,
  RESUME_FROM_GROUP_JOBS,
  type RunbookContext,
  type RunbookKind,
  switchRoleName,
} from './context';
import { fenceDocument } from './fence';
import { type AutomationDocument, type RunbookStep, type StepPhase, scriptStep, stepMinutes } from './step';

const RDS_PROMOTE =
  'RDS: "The promotion process can take several minutes or longer" and RDS reboots the instance (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html); AWS publishes no figure, 10 min is our estimate (an estimate, not an AWS figure). A replica cannot be promoted while it is backing-up (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html): the replica has its own backup window, away from the writer\'s, and a promotion that meets a backup waits for it (not counted here). The Global Datastore failover runs at the same time (no published figure either).';
export const NO_FIGURE = 'estimate: a few API calls, no AWS figure';
const S3_RTC_PAGE = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html';
/**
 * How long after the fence the failback waits for S3 and the Replicator to drain here: S3
 * Replication Time Control replicates 99.99% of objects within 15 minutes (S3_RTC_PAGE), plus
 * 5 minutes for the 1-minute datapoints that prove it to arrive.
 */
export const DRAIN_BOUND_SECONDS = 20 * 60;
/** The fence steps a switch waits for before streaming resumes here (step names of lib/runbooks/fence.ts). */
const FENCE_WAITED_FOR = ['DisableReplication', 'FenceDatabase'] as const;
/** How long TryFenceOldRegion waits for them (try_fence.py WaitSeconds). */
const FENCE_WAIT_SECONDS = 180;
/** The fence start's retries while the old region throttles or fails (dra_common.with_retries defaults). */
const FENCE_START_RETRY = { attempts: 4, budgetSeconds: 75 };

/**
 * Minutes the fence runbook takes until every step named has run, by its steps' own metadata:
 * follows the fence's order (lib/runbooks/fence.ts), whatever it is.
 */
export function fenceMinutesUntil(ctx: RunbookContext, names: readonly string[]): number {
  const steps = fenceDocument(ctx.config, writerRole(ctx.config), ctx.topicArn, '').mainSteps;
  const last = Math.max(...names.map((n) => steps.findIndex((st) => st.name === n)));
  if (last < 0 || names.some((n) => !steps.some((st) => st.name === n))) {
    throw new Error(
      `The fence runbook has no step ${names.join(' or ')}; update FENCE_WAITED_FOR (switch-steps.ts).`,
    );
  }
  return steps.slice(0, last + 1).reduce((t, st) => t + stepMinutes(st), 0);
}
/** Days a failback keeps the snapshot of the namespace it restores over (CreateSnapshot retentionPeriod). */
const KEPT_SNAPSHOT_DAYS = 35;

/** The SSM document name of a runbook. */
export function runbookName(config: EnvironmentConfig, kind: RunbookKind): string {
  return resourceName(config, kind);
}

/** Identifies one switch (this generation, towards this region): stable across re-runs of its runbook. */
export function switchId(kind: RunbookKind, ctx: RunbookContext): string {
  return `${kind}-g${ctx.config.failover.generation}-${ctx.here}`;
}

/** Builders of the steps the two switch runbooks share (failback adds its own in failback.ts). */
export class SwitchSteps {
  readonly db: string | undefined;
  readonly datastore: string | undefined;
  readonly cacheGroup: string;

  constructor(
    readonly kind: RunbookKind,
    readonly ctx: RunbookContext,
  ) {
    const { config } = ctx;
    this.db = config.rds.crossRegionReplica
      ? databaseInstanceIdentifier(config, standbyRole(config))
      : undefined;
    this.datastore = globalDatastoreJoined(config)
      ? globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES)
      : undefined;
    this.cacheGroup = cacheReplicationGroupId(config);
  }

  protected get failback(): boolean {
    return this.kind === 'failback';
  }

  checkReadiness(): RunbookStep {
    const { ctx } = this;
    return {
      name: 'CheckReadiness',
      action: 'aws:invokeLambdaFunction',
      description: `Runs the readiness checks now (${ctx.name('readiness')} in ${ctx.here}); the per-store lags are read from standby-side data, so they are there during an outage of ${ctx.other}.`,
      verify: 'the Payload output is a readiness report with rpo.stores.',
      phase: 'prepare',
      expectedMinutes: 0.5,
      durationSource: `each check times out after failover.checkTimeoutMs (${ctx.config.failover.checkTimeoutMs} ms)`,
      // The function runs with reserved concurrency 1: a scheduled run may hold it for a few seconds.
      maxAttempts: 3,
      onFailure: 'Abort',
      // evaluateOnly: report without advancing the scheduled evaluations' decision state.
      inputs: {
        FunctionName: ctx.name('readiness'),
        InvocationType: 'RequestResponse',
        Payload: JSON.stringify({ evaluateOnly: true }),
      },
      outputs: [{ Name: 'Payload', Selector: '$.Payload', Type: 'String' }],
      permissions: [ctx.invoke(ctx.here, 'readiness')],
    };
  }

  /** The durable "switch in progress" marker in this region (switch_marker.py). */
  get marker(): string {
    return parameterName(this.ctx.config, 'switch-in-progress');
  }

  private get markerArn(): string {
    return this.ctx.arn(this.ctx.here, 'ssm', `parameter${this.marker}`);
  }

  gate(): RunbookStep {
    const inputs = {
      Payload: '{{CheckReadiness.Payload}}',
      Force: '{{Force}}',
      DryRun: '{{DryRun}}',
      Marker: this.marker,
      SwitchId: switchId(this.kind, this.ctx),
    };
    const returns = [
      ['Allowed', 'Boolean'],
      ['Summary', 'String'],
      ['Reason', 'String'],
    ] as const;
    const readMarker = { actions: ['ssm:GetParameter'], resources: [this.markerArn] };
    const common = {
      phase: 'prepare' as const,
      expectedMinutes: 0,
      input: inputs,
      returns,
      permissions: [readMarker],
    };
    return this.failback
      ? scriptStep({
          ...common,
          name: 'GateOnReseed',
          file: 'gate_reseed.py',
          description: `Refuses to continue unless every readiness check is healthy: the re-seeded replica in ${this.ctx.here} keeps up, the buckets replicate here without failures, the cache member here is a healthy secondary, warehouse snapshots are copied here, catalog and Spark match. Force=true overrides. A re-run of a failback that started (${this.marker} here names it) is a resume and passes.`,
          verify: 'the Reason output lists nothing as not healthy.',
        })
      : scriptStep({
          ...common,
          name: 'GateOnRpo',
          file: 'gate_rpo.py',
          description: `Refuses to continue when any replicated store's lag is unknown or above its budget (readiness report rpo.stores), judged per store (the last lag read before its writer side failed or stopped answering, else the live lag), unless Force=true, which names what it overrides. The warehouse is restored from a snapshot and is reported, not counted. A re-run of a switch that started (${this.marker} here names it) or completed (${activeRegionParameterName(this.ctx.config)} in ${this.ctx.here} already names ${this.ctx.here}) is a resume and passes, saying so.`,
          verify:
            "the Summary output gives each store's lag, budget and source, or says this run resumes a switch.",
          input: {
            ...inputs,
            Parameter: activeRegionParameterName(this.ctx.config),
            ThisRegion: this.ctx.here,
          },
          permissions: [
            readMarker,
            { actions: ['ssm:GetParameter'], resources: [this.ctx.activeRegionArn(this.ctx.here)] },
          ],
        });
  }

  /** Written after the approval, before the first step that changes anything. */
  markStarted(): RunbookStep {
    const { ctx } = this;
    return scriptStep({
      name: 'MarkSwitchStarted',
      file: 'switch_marker.py',
      handler: 'start',
      description: `Writes ${this.marker} in ${ctx.here} (this switch, this execution, the time) before anything changes, so that a re-run after a partial failure passes the gate as a resume, even where readiness then reports the promoted database as failed.`,
      verify: `the parameter ${this.marker} names ${switchId(this.kind, ctx)}.`,
      phase: 'critical',
      expectedMinutes: 0,
      mutating: true,
      maxAttempts: 3,
      input: {
        Marker: this.marker,
        SwitchId: switchId(this.kind, ctx),
        Region: ctx.here,
        Execution: '{{automation:EXECUTION_ID}}',
      },
      returns: [['Result', 'String']],
      permissions: [{ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [this.markerArn] }],
    });
  }

  /** Cleared when the switch is complete (Notify follows); a failure leaves it, so a re-run resumes. */
  clearMarker(): RunbookStep {
    const { ctx } = this;
    return scriptStep({
      name: 'ClearSwitchMarker',
      file: 'switch_marker.py',
      handler: 'clear',
      description: `Deletes ${this.marker} in ${ctx.here}: the switch is complete.`,
      verify: `the parameter ${this.marker} is gone.`,
      phase: 'after',
      expectedMinutes: 0,
      maxAttempts: 2,
      onFailure: 'Continue',
      isCritical: false,
      input: { Marker: this.marker, SwitchId: switchId(this.kind, ctx) },
      returns: [['Result', 'String']],
      permissions: [{ actions: ['ssm:GetParameter', 'ssm:DeleteParameter'], resources: [this.markerArn] }],
    });
  }

  get gateName(): string {
    return this.failback ? 'GateOnReseed' : 'GateOnRpo';
  }

  get approveName(): string {
    return this.failback ? 'ApproveFailback' : 'ApproveFailover';
  }

  branchOnDryRun(): RunbookStep {
    return {
      name: 'BranchOnDryRun',
      action: 'aws:branch',
      description: 'With DryRun=true (the default) goes to ReportDryRun and changes nothing.',
      verify: 'a dry run ends at ReportDryRun.',
      phase: 'prepare',
      expectedMinutes: 0,
      maxAttempts: 1,
      onFailure: 'Abort',
      inputs: {
        Choices: [{ NextStep: 'ReportDryRun', Variable: '{{DryRun}}', BooleanEquals: true }],
        Default: 'RequestApproval',
      },
      permissions: [],
    };
  }

  reportDryRun(plan: { name: string; description: string }[]): RunbookStep {
    return scriptStep({
      name: 'ReportDryRun',
      file: 'report_plan.py',
      description: 'Prints the steps a real run would take and ends.',
      verify: 'the Plan output lists them.',
      phase: 'prepare',
      expectedMinutes: 0,
      isEnd: true,
      input: { Plan: plan },
      returns: [['Plan', 'String']],
      permissions: [],
    });
  }

  requestApproval(): RunbookStep {
    const { ctx } = this;
    const verb = this.failback ? 'Fail back' : 'Fail over';
    return {
      name: 'RequestApproval',
      action: 'aws:executeAwsApi',
      description: `Tells the alarm topic's subscribers that an approval is waiting, with each store's lag, budget and source.`,
      verify: 'the message arrives.',
      phase: 'prepare',
      expectedMinutes: 0,
      maxAttempts: 2,
      onFailure: 'Continue',
      isCritical: false,
      inputs: {
        Service: 'sns',
        Api: 'Publish',
        TopicArn: ctx.topicArn,
        Subject: `dual-region-analytics ${ctx.config.name}: approve the ${this.kind} to ${ctx.here}?`,
        Message: `${verb} ${ctx.config.name} from ${ctx.other} to ${ctx.here}: execution {{automation:EXECUTION_ID}} waits for approval (${ctx.config.failover.approvalTimeoutMinutes} min). Per store: {{${this.gateName}.Summary}}. Gate: {{${this.gateName}.Reason}}. Approve: aws ssm send-automation-signal --region ${ctx.here} --automation-execution-id {{automation:EXECUTION_ID}} --signal-type Approve`,
      },
      permissions: [ctx.publish()],
    };
  }

  approve(): RunbookStep {
    const { ctx } = this;
    const verb = this.failback ? 'Fail back' : 'Fail over';
    return {
      name: this.approveName,
      action: 'aws:approve',
      description: this.failback
        ? 'Waits for one of the Approvers (the data platform owner, in a change window agreed with the consumers).'
        : 'Waits for one of the Approvers (the incident commander or the data platform on-call).',
      verify: 'the approval is recorded on the execution.',
      phase: 'approval',
      expectedMinutes: 0,
      maxAttempts: 1,
      onFailure: 'Abort',
      // aws:approve waits 7 days unless timeoutSeconds is set (automation-action-approve).
      timeoutSeconds: ctx.config.failover.approvalTimeoutMinutes * 60,
      inputs: {
        Approvers: '{{Approvers}}',
        MinRequiredApprovals: 1,
        NotificationArn: ctx.arn(ctx.here, 'sns', `${approvalTopicName(ctx.config, this.kind)}`),
        Message: `${verb} ${ctx.config.name} from ${ctx.other} to ${ctx.here}? Per store: {{${this.gateName}.Summary}}. Gate: {{${this.gateName}.Reason}}`,
      },
      permissions: [
        {
          actions: ['sns:Publish'],
          resources: [ctx.arn(ctx.here, 'sns', `${approvalTopicName(ctx.config, this.kind)}`)],
        },
      ],
    };
  }

  private dbArn(): string {
    return databaseInstanceArn(this.ctx.config, standbyRole(this.ctx.config));
  }

  private switchInputs(): Record<string, unknown> {
    const { ctx } = this;
    return {
      Region: ctx.here,
      OtherRegion: ctx.other,
      Database: this.db ?? '',
      GlobalDatastore: this.datastore ?? '',
      CacheGroup: this.cacheGroup,
      // A planned failback has both sides up: never split the datastore then.
      AllowDisassociate: !this.failback,
      Application: ctx.name('spark'),
    };
  }

  private cachePermissions(withDisassociate: boolean): RunbookStep['permissions'] {
    const { ctx } = this;
    if (!this.datastore) return [];
    const datastore = ctx.arn('', 'elasticache', `globalreplicationgroup:${this.datastore}`);
    const group = ctx.arn(ctx.here, 'elasticache', `replicationgroup:${this.cacheGroup}`);
    // In a failover, StartSwitch asks the writer's region whether it answers before failing over.
    const otherGroup = ctx.arn(ctx.other, 'elasticache', `replicationgroup:${this.cacheGroup}`);
    return [
      {
        actions: ['elasticache:DescribeReplicationGroups'],
        resources: this.failback ? [group] : [group, otherGroup],
      },
      {
        actions: [
          'elasticache:DescribeGlobalReplicationGroups',
          'elasticache:FailoverGlobalReplicationGroup',
        ],
        resources: [datastore],
      },
      ...(withDisassociate && !this.failback
        ? [{ actions: ['elasticache:DisassociateGlobalReplicationGroup'], resources: [datastore, group] }]
        : []),
    ];
  }

  /** In a failover, StartSwitch requests the deletion of the Replicator here (StopReplicator confirms it). */
  private get replicatorAtStart(): string | undefined {
    return !this.failback && this.ctx.config.msk.replicator ? this.ctx.name('msk-replicator') : undefined;
  }

  startSwitch(): RunbookStep {
    const { ctx } = this;
    const replicator = this.replicatorAtStart;
    return scriptStep({
      name: 'StartSwitch',
      file: 'start_switch.py',
      description: `Starts together, each only if not done or under way: the promotion of ${this.db ?? '(no replica)'} in ${ctx.here} (not while it is backing-up: WaitForWrites requests it once the backup completes); ${this.datastore ? `the failover of the Global Datastore to ${ctx.here}${this.failback ? '' : ` (when ${ctx.other} does not answer or is failing, or on any error or timeout: disassociate this member instead)`}` : 'no cache switch (no Global Datastore)'}; the start of ${ctx.name('spark')}, with its auto-start turned back on${replicator ? `; the deletion of the MSK Replicator ${replicator} here, which copies ${ctx.other}'s topics into the live ones (StopReplicator confirms it is gone)` : ''}.`,
      verify: `the Database, Cache${replicator ? ', Replicator' : ''} and Spark outputs say what was requested or found done.`,
      phase: 'critical',
      // Bounded by the brownout probe of the writer's region (start_switch.py region_answers: 3 x
      // (5 s connect + 15 s read) + 2 x 5 s apart = 70 s) and the failover request (20 s at most).
      expectedMinutes: this.datastore && !this.failback ? 1.5 : 0.5,
      durationSource:
        this.datastore && !this.failback
          ? `bound: asking ${ctx.other} whether it answers takes at most 70 s (3 tries of 5 s connect + 15 s read, 5 s apart) in a brownout, the Global Datastore failover request at most 20 s more; the other requests are a few API calls (no AWS figure)`
          : NO_FIGURE,
      mutating: true,
      maxAttempts: 3,
      timeoutSeconds: 180,
      input: { ...this.switchInputs(), ...(replicator ? { Replicator: replicator } : {}) },
      returns: [
        ['Database', 'String'],
        ['Cache', 'String'],
        ['Spark', 'String'],
        ...(replicator ? ([['Replicator', 'String']] as const) : []),
        ['StartedAt', 'Integer'],
      ],
      permissions: [
        ...(this.db
          ? [{ actions: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'], resources: [this.dbArn()] }]
          : []),
        ...this.cachePermissions(true),
        ctx.listed(
          ctx.here,
          [
            'emr-serverless:ListApplications',
            'emr-serverless:GetApplication',
            'emr-serverless:UpdateApplication',
            'emr-serverless:StartApplication',
          ],
          'EMR Serverless applications are found by listing (ids generated by AWS)',
        ),
        ...(replicator ? [this.replicatorPermission()] : []),
      ],
    });
  }

  /**
   * The failback's drain, its own step between the catch-up and StartSwitch: what the fenced
   * writer wrote to S3 and its topics arrives here before anything irreversible (the promotion,
   * the Global Datastore failover) and before anything cuts replication (drain.py). Read in this
   * region, where S3 (destination) and the Replicator (target) publish it.
   */
  waitForDrain(): RunbookStep {
    const { ctx } = this;
    const { config } = ctx;
    const replicator = config.msk.replicator ? ctx.name('msk-replicator') : '';
    return scriptStep({
      name: 'WaitForDrain',
      file: 'drain.py',
      description: `Waits, before anything is promoted, failed over or cut, until what ${ctx.other} wrote before the fence has arrived here: S3 OperationsPendingReplication of every rule into ${ctx.here}${replicator ? ` and the MSK Replicator's MessageLag` : ''} at 0 since the fence (read in ${ctx.here}, where AWS publishes them), so that neither a late replica overwrites a new write here nor the fence cuts replication with records on the way. At most ${DRAIN_BOUND_SECONDS / 60} minutes after the fence; then it fails naming what is pending (nothing was promoted or cut; ${ctx.other} stays fenced) unless Force=true, which goes on and says what it overrides.`,
      verify: 'the Drained output says nothing is pending (or, with Force=true, what it overrode).',
      phase: 'critical',
      expectedMinutes: 3,
      durationSource: `estimate: the re-seed gate let the failback start only with every replication check healthy, so the backlog at the fence is what those lags allow; S3 Replication Time Control replicates most objects in seconds and 99.99% within 15 minutes (${S3_RTC_PAGE}), and the Replicator's MessageLag falls to 0 once it has caught up (https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-metrics-ref.html); CloudWatch's 1-minute datapoints arrive a few minutes late (no AWS figure). Bounded at ${DRAIN_BOUND_SECONDS / 60} minutes after the fence.`,
      // 3 x 9 minutes cover the 20-minute bound from the fence.
      maxAttempts: 3,
      timeoutSeconds: 600,
      input: {
        Region: ctx.here,
        OtherRegion: ctx.other,
        Rules: readinessSettings(config, standbyRole(config)).replication.map((r) => ({
          SourceBucket: r.sourceBucket,
          DestinationBucket: r.destinationBucket,
          RuleId: r.ruleId,
        })),
        Replicator: replicator,
        FencedAt: '{{FenceWriter.FencedAt}}',
        BoundSeconds: DRAIN_BOUND_SECONDS,
        WaitSeconds: 540,
        Force: '{{Force}}',
      },
      returns: [['Drained', 'String']],
      permissions: [
        ctx.listed(
          ctx.here,
          ['cloudwatch:GetMetricData'],
          'GetMetricData takes no resource (CloudWatch service authorization reference); limited to this region',
        ),
      ],
    });
  }

  waitForWrites(): RunbookStep {
    return scriptStep({
      name: 'WaitForWrites',
      file: 'wait_writable.py',
      description: `Waits until ${this.db ?? 'the database'} has no replication source and is available (or backing-up, which takes writes), requesting its promotion if StartSwitch could not (replica backing-up), and ${this.datastore ? `${this.cacheGroup} is available and primary or standalone${this.failback ? '' : ' (disassociating it if the failover has not taken after 5 minutes; if the cache still cannot take writes then, writes resume on the database and the cache is reported NOT WRITABLE with the fix)'}` : 'the cache needs nothing'}. Repeats up to 4 times 9 minutes.`,
      verify: 'the Database output says standalone and available; the Cache output primary or standalone.',
      phase: 'critical',
      expectedMinutes: 10,
      durationSource: RDS_PROMOTE,
      mutating: this.db !== undefined || (!this.failback && this.datastore !== undefined),
      maxAttempts: 4,
      timeoutSeconds: 600,
      input: {
        ...this.switchInputs(),
        StartedAt: '{{StartSwitch.StartedAt}}',
        WaitSeconds: 540,
        FallbackSeconds: 300,
      },
      returns: [
        ['Database', 'String'],
        ['Cache', 'String'],
        ['CacheWritable', 'Boolean'],
      ],
      permissions: [
        ...(this.db
          ? [{ actions: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'], resources: [this.dbArn()] }]
          : []),
        ...this.cachePermissions(true),
      ],
    });
  }

  activate(): RunbookStep {
    const { ctx } = this;
    const record = activeRegionParameterName(ctx.config);
    return scriptStep({
      name: 'ActivateThisRegion',
      file: 'activate.py',
      description: `Sets ${record} to ${ctx.here} here and, if it answers within seconds, in ${ctx.other}. Clients and jobs read this record, then the endpoints published in that region.`,
      verify: `the parameter reads ${ctx.here} in ${ctx.here}; OtherRegionUpdated says whether ${ctx.other} was reached.`,
      phase: 'critical',
      expectedMinutes: 0.5,
      durationSource: NO_FIGURE,
      mutating: true,
      maxAttempts: 3,
      input: { Parameter: record, ThisRegion: ctx.here, OtherRegion: ctx.other },
      returns: [
        ['OtherRegionUpdated', 'Boolean'],
        ['Message', 'String'],
      ],
      permissions: [
        {
          actions: ['ssm:GetParameter', 'ssm:PutParameter'],
          resources: [ctx.activeRegionArn(ctx.here), ctx.activeRegionArn(ctx.other)],
        },
      ],
    });
  }

  resubmitStreaming(): RunbookStep {
    const { ctx } = this;
    return scriptStep({
      name: 'ResubmitStreaming',
      file: 'resubmit_streaming.py',
      description: `Resubmits ${FAILOVER_STREAMING_JOBS.join(' and ')} through ${ctx.name('submit-job')} in ${ctx.here}, with an idempotency key per switch (a re-run does not start them twice); ${RESUME_FROM_GROUP_JOBS.join(' and ')} from its consumer group's offsets on the cluster in ${ctx.here}, as the MSK Replicator translated them.`,
      verify: 'the JobRuns output names a run per job; they reach RUNNING in EMR Studio.',
      phase: 'critical',
      expectedMinutes: 1,
      durationSource: 'estimate: two Lambda calls and StartJobRun on the application StartSwitch started',
      mutating: true,
      maxAttempts: 2,
      input: {
        Function: ctx.name('submit-job'),
        Jobs: [...FAILOVER_STREAMING_JOBS],
        ResumeFromGroup: [...RESUME_FROM_GROUP_JOBS],
        KeyPrefix: switchId(this.kind, ctx),
      },
      returns: [['JobRuns', 'String']],
      permissions: [ctx.invoke(ctx.here, 'submit-job')],
    });
  }

  notifySwitched(): RunbookStep {
    const { ctx } = this;
    return {
      name: 'NotifySwitched',
      action: 'aws:executeAwsApi',
      description: `Tells the alarm topic that ${ctx.here} takes writes and streaming resumed; the slow work follows.`,
      verify: 'the message arrives.',
      phase: 'after',
      expectedMinutes: 0,
      maxAttempts: 2,
      onFailure: 'Continue',
      isCritical: false,
      inputs: {
        Service: 'sns',
        Api: 'Publish',
        TopicArn: ctx.topicArn,
        Subject: `dual-region-analytics ${ctx.config.name}: writes resumed in ${ctx.here}`,
        Message: `Execution {{automation:EXECUTION_ID}}: ${ctx.here} is the active region of ${ctx.config.name}. Database: {{WaitForWrites.Database}}. Cache: {{WaitForWrites.Cache}}. Streaming: {{ResubmitStreaming.JobRuns}}. Warehouse restore and Multi-AZ follow.`,
      },
      permissions: [ctx.publish()],
    };
  }

  /** Steps after the switch: on failure they notify and end (the switch stands; a re-run finishes them). */
  afterSwitch(): RunbookStep[] {
    const { ctx } = this;
    const { config } = ctx;
    const onFailure = 'step:NotifyIncomplete';
    const steps: RunbookStep[] = [];
    if (this.db && config.rds.multiAz) {
      steps.push(
        scriptStep({
          name: 'MakeDatabaseMultiAz',
          file: 'multi_az.py',
          description: `Converts the promoted ${this.db} to Multi-AZ, as the writer was (skipped if it is or is becoming Multi-AZ); waits first while it is not available (e.g. backing-up after the promotion).`,
          verify: 'MultiAZ true once the modification completes (it runs in the background).',
          phase: 'after',
          expectedMinutes: 0.5,
          durationSource: 'estimate for the request; the conversion continues in the background',
          mutating: true,
          maxAttempts: 4,
          timeoutSeconds: 600,
          onFailure,
          input: { Database: this.db },
          returns: [['Result', 'String']],
          permissions: [
            { actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], resources: [this.dbArn()] },
          ],
        }),
      );
    }
    const warehouse = warehouseName(config);
    const restoreWhy =
      'Redshift snapshots and namespaces are found by listing (ids and ARNs generated by AWS)';
    const secret = {
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:TagResource'],
      resources: [ctx.arn(ctx.here, 'secretsmanager', `secret:redshift!*`)],
      why: 'The managed admin secret is created and named by Redshift (redshift!...)',
    };
    const keyUse = {
      actions: ['kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:CreateGrant'],
      resources: [ctx.arn(ctx.here, 'kms', `key/*`)],
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAliasName(config, 'database') } },
      why: "Key ids are not derivable; kms:ResourceAliases limits this to this region's database key",
    };
    if (config.redshift.mode === 'serverless') {
      const keptSnapshot = `${warehouse}-before-${switchId(this.kind, ctx)}`;
      steps.push(
        scriptStep({
          name: 'RestoreWarehouse',
          file: 'restore_warehouse.py',
          description: `${this.failback ? `Takes a manual snapshot ${keptSnapshot} of the ${warehouse} namespace in ${ctx.here} (kept ${KEPT_SNAPSHOT_DAYS} days: it was the writer's until the outage and may hold writes never copied out), waits until it is available, then restores the namespace` : `Restores the idle ${warehouse} namespace in ${ctx.here}`} from the newest snapshot copied from ${ctx.other}'s namespace, with an admin password managed here under ${keyAliasName(config, 'database')}. Tags the namespace with this switch; a namespace already restored for it is never restored again.`,
          verify: `the Snapshot output; the namespace tag dra:restored-for${this.failback ? '; the KeptSnapshot output names the snapshot of what was overwritten' : ''}.`,
          phase: 'after',
          expectedMinutes: 0.5,
          durationSource: NO_FIGURE,
          mutating: true,
          onFailure,
          ...(this.failback ? { maxAttempts: 3 } : {}),
          timeoutSeconds: 300,
          input: {
            Namespace: warehouse,
            Workgroup: warehouse,
            WriterRegion: ctx.other,
            KeyAlias: keyAliasName(config, 'database'),
            SwitchId: switchId(this.kind, ctx),
            Execution: '{{automation:EXECUTION_ID}}',
            ...(this.failback ? { KeepSnapshot: keptSnapshot, KeepSnapshotDays: KEPT_SNAPSHOT_DAYS } : {}),
          },
          returns: [
            ['Snapshot', 'String'],
            ['KeptSnapshot', 'String'],
            ['Result', 'String'],
          ],
          permissions: [
            ctx.listed(
              ctx.here,
              [
                'redshift-serverless:GetNamespace',
                'redshift-serverless:ListSnapshots',
                'redshift-serverless:ListTagsForResource',
                'redshift-serverless:TagResource',
                'redshift-serverless:RestoreFromSnapshot',
                ...(this.failback
                  ? ['redshift-serverless:CreateSnapshot', 'redshift-serverless:GetSnapshot']
                  : []),
              ],
              restoreWhy,
            ),
            secret,
            keyUse,
          ],
        }),
      );
      steps.push(this.waitForWarehouse({ Namespace: warehouse, Workgroup: warehouse }, onFailure));
    } else {
      const target = `${warehouse}-g${config.failover.generation}`;
      steps.push(
        scriptStep({
          name: 'RestoreWarehouse',
          file: 'restore_cluster.py',
          description: `Restores the newest snapshot of ${warehouse} copied from ${ctx.other} into a new cluster ${target} in ${ctx.here} (skipped if it exists), with the idle cluster's network, parameter group and roles, and an admin password managed here.`,
          verify: 'the ClusterId and Result outputs.',
          phase: 'after',
          expectedMinutes: 0.5,
          durationSource: NO_FIGURE,
          mutating: true,
          onFailure,
          timeoutSeconds: 300,
          input: {
            Cluster: warehouse,
            SourceRegion: ctx.other,
            Target: target,
            KeyAlias: keyAliasName(config, 'database'),
          },
          returns: [
            ['ClusterId', 'String'],
            ['Result', 'String'],
          ],
          permissions: [
            {
              actions: ['redshift:DescribeClusters', 'redshift:RestoreFromClusterSnapshot'],
              resources: [
                ctx.arn(ctx.here, 'redshift', `cluster:${warehouse}`),
                ctx.arn(ctx.here, 'redshift', `cluster:${target}`),
                ctx.arn(ctx.here, 'redshift', `snapshot:${warehouse}/*`),
              ],
              why: 'Copied snapshot names are generated by Redshift',
            },
            ctx.listed(ctx.here, ['redshift:DescribeClusterSnapshots'], restoreWhy),
            secret,
            keyUse,
            {
              actions: ['iam:PassRole'],
              resources: [ctx.arn('', 'iam', `role/*`)],
              conditions: { StringEquals: { 'iam:PassedToService': 'redshift.amazonaws.com' } },
              why: "The roles passed are the idle cluster's (PassRole only to redshift.amazonaws.com)",
            },
          ],
        }),
      );
      steps.push(this.waitForWarehouse({ Mode: 'provisioned', Cluster: target }, onFailure));
      steps.push(
        scriptStep({
          name: 'PublishWarehouseEndpoint',
          file: 'publish_cluster.py',
          description: `Points ${parameterName(config, 'redshift/endpoint')} in ${ctx.here} at the restored cluster.`,
          verify: 'the Endpoint output, and the parameter reads it.',
          phase: 'after',
          expectedMinutes: 0.5,
          mutating: true,
          onFailure,
          input: { ClusterId: target, Parameter: parameterName(config, 'redshift/endpoint') },
          returns: [['Endpoint', 'String']],
          permissions: [
            {
              actions: ['ssm:PutParameter'],
              resources: [ctx.arn(ctx.here, 'ssm', `parameter${parameterName(config, 'redshift/endpoint')}`)],
            },
          ],
        }),
      );
    }
    return steps;
  }

  /**
   * The fence of the old writer's region, right after this region became the active one
   * and before anything slow, so that no later failure can skip it: in a failover on the
   * critical path (a single-service outage leaves the old region up, its producer writing
   * and its Replicator copying into the live topics); in a failback the writer was fenced
   * before the switch (FenceWriter, FenceDatabase), so this only finishes the rest and
   * follows the switch. Neither step ever fails the switch.
   */
  fenceOldRegion(): RunbookStep[] {
    const phase = this.failback ? 'after' : 'critical';
    return [...(this.failback ? this.credential() : []), this.stopReplicator(phase), this.tryFence(phase)];
  }

  /**
   * The credential's promotion: with the fence in a failback; in a failover right after
   * streaming resumed (writes do not need it, so it is off the critical path), still before
   * anything slow.
   */
  credential(): RunbookStep[] {
    return this.db ? [this.promoteSecret('after')] : [];
  }

  /**
   * This generation's master secret, replicated here by the writer's deploy: promoted to a
   * standalone secret and rotated by this region's function (promote_secret.py; the contract
   * is docs/failover-and-failback.md, "Credentials"). Not needed for writes to resume (the
   * replica is readable here and holds the promoted database's password), but it cuts the
   * old region's last way to change what clients here read: its rotation schedule is still
   * on the primary. So it runs right after the switch, before anything slow, and never fails the
   * switch.
   */
  private promoteSecret(phase: StepPhase): RunbookStep {
    const { ctx } = this;
    const secret = databaseSecretName(ctx.config);
    const rotation = ctx.lambdaArn(ctx.here, 'postgres-rotation');
    return scriptStep({
      name: 'PromoteSecret',
      file: 'promote_secret.py',
      description: `Promotes the replica of ${secret} in ${ctx.here} to a standalone secret (StopReplicationToReplica; skipped if it is one) and moves its rotation to ${databaseRotationFunctionName(ctx.config)} here, every ${ROTATION_DAYS} days, not now (RotateSecret; skipped if it rotates with it): the old region's rotation schedule can then no longer replace the password clients here read. Never fails the switch.`,
      verify: `the Result output; aws secretsmanager describe-secret --region ${ctx.here} --secret-id ${secret} shows no PrimaryRegion and RotationLambdaARN ${rotation}.`,
      phase,
      expectedMinutes: 0.5,
      durationSource: NO_FIGURE,
      maxAttempts: 2,
      onFailure: 'Continue',
      isCritical: false,
      input: { Secret: secret, Region: ctx.here, RotationFunction: rotation, RotationDays: ROTATION_DAYS },
      returns: [
        ['Ok', 'Boolean'],
        ['Result', 'String'],
      ],
      permissions: [
        {
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:StopReplicationToReplica',
            'secretsmanager:RotateSecret',
          ],
          // A secret's ARN ends with '-' and six random characters (Secrets Manager user guide, "Secret ARNs").
          resources: [ctx.arn(ctx.here, 'secretsmanager', `secret:${secret}-??????`)],
        },
        // RotateSecret needs to invoke the rotation function it names (docs/failover-and-failback.md, "Credentials").
        { actions: ['lambda:InvokeFunction'], resources: [rotation] },
      ],
    });
  }

  /**
   * The MSK Replicator here copies the old writer's cluster into this region's topics; it
   * would resume copying into the live topics as soon as the old region answers again.
   * Deleted here, where it lives (the fence runbook does the same from the old region).
   * Never fails the switch: the Result says what to do if it could not be deleted.
   */
  private stopReplicator(phase: StepPhase): RunbookStep {
    const { ctx } = this;
    const name = ctx.name('msk-replicator');
    return scriptStep({
      name: 'StopReplicator',
      file: 'stop_replicator.py',
      description: `${this.replicatorAtStart ? 'Confirms the deletion StartSwitch requested of' : 'Deletes'} the MSK Replicator ${name} in ${ctx.here} that copies from ${ctx.other}'s cluster into the topics here (skipped if gone; not asked twice) and waits up to 2.5 minutes until it is gone, so that it copies none of the old writer's records into the live topics. Never fails the switch.`,
      verify: 'the Result output; the Replicator is gone (or DELETING if it outlasted the wait).',
      phase,
      // In a failover StartSwitch requested the deletion during the promotion (10 min before).
      expectedMinutes: this.replicatorAtStart ? 0.5 : 2.5,
      durationSource: this.replicatorAtStart
        ? 'estimate: StartSwitch requested the deletion with the promotion, about 10 minutes before, so this confirms it is gone; AWS publishes no time for a Replicator to be gone, and the step waits at most 2.5 minutes more for it'
        : 'bound: the deletion is requested here; AWS publishes no time for a Replicator to be gone, and the step waits at most 2.5 minutes for it',
      maxAttempts: 2,
      timeoutSeconds: 240,
      onFailure: 'Continue',
      isCritical: false,
      input: { Region: ctx.other, NewWriter: ctx.here, Replicator: name },
      returns: [
        ['Ok', 'Boolean'],
        ['Result', 'String'],
      ],
      permissions: [this.replicatorPermission()],
    });
  }

  private replicatorPermission(): RunbookStep['permissions'][number] {
    return this.ctx.listed(
      this.ctx.here,
      ['kafka:ListReplicators', 'kafka:DescribeReplicator', 'kafka:DeleteReplicator'],
      'Replicator ARNs end with an id generated by AWS',
    );
  }

  private waitForWarehouse(input: Record<string, unknown>, onFailure: string): RunbookStep {
    const { ctx } = this;
    const provisioned = input.Mode === 'provisioned';
    return scriptStep({
      name: 'WaitForWarehouse',
      file: 'wait_warehouse.py',
      description: 'Waits until the restored warehouse is available; repeats up to 6 times 9 minutes.',
      verify: 'the Status output.',
      phase: 'after',
      expectedMinutes: 30,
      durationSource:
        'estimate: AWS publishes no restore duration; it grows with the snapshot size (Redshift Serverless RestoreFromSnapshot)',
      maxAttempts: 6,
      timeoutSeconds: 600,
      onFailure,
      input: { ...input, WaitSeconds: 540 },
      returns: [['Status', 'String']],
      permissions: [
        provisioned
          ? {
              actions: ['redshift:DescribeClusters'],
              resources: [ctx.arn(ctx.here, 'redshift', `cluster:${input.Cluster}`)],
            }
          : ctx.listed(
              ctx.here,
              ['redshift-serverless:GetNamespace', 'redshift-serverless:GetWorkgroup'],
              'Redshift Serverless namespace and workgroup ARNs carry ids generated by AWS',
            ),
      ],
    });
  }

  private tryFence(phase: StepPhase): RunbookStep {
    const { ctx } = this;
    const doc = fenceRunbookName(ctx.config);
    const fence = fenceMinutesUntil(ctx, FENCE_WAITED_FOR);
    return scriptStep({
      name: 'TryFenceOldRegion',
      file: 'try_fence.py',
      description: `Starts the fence runbook ${doc} in ${ctx.other} (its record, S3 rules, database, Replicator, Spark runs, job submission), retrying with backoff while ${ctx.other} answers with throttling or a 5xx (at most ${FENCE_START_RETRY.attempts} attempts in ${FENCE_START_RETRY.budgetSeconds} s), then waits up to ${FENCE_WAIT_SECONDS / 60} minutes until its ${FENCE_WAITED_FOR.join(' and ')} steps succeeded (GetAutomationExecution in ${ctx.other}), so that streaming resumes here only once the old region neither replicates into the live buckets nor takes database writes. Never fails the switch: when ${ctx.other} does not answer (a full outage cannot be fenced now) it does not wait, Fence says OLD REGION NOT FENCED and the Message gives the command to run when it answers.`,
      verify: `the Fence output reads "${ctx.other} fenced"; otherwise run what the Message says once ${ctx.other} answers.`,
      phase,
      expectedMinutes: 0.5 + Math.min(fence, FENCE_WAIT_SECONDS / 60),
      durationSource: `the start request (${NO_FIGURE}), then the fence runbook's steps up to ${FENCE_WAITED_FOR.join(' and ')} (${fence} min by their own metadata, lib/runbooks/fence.ts), waited for at most ${FENCE_WAIT_SECONDS / 60} min; ${FENCE_START_RETRY.budgetSeconds} s more at most when ${ctx.other} throttles or fails the start; not waited for when ${ctx.other} does not answer`,
      maxAttempts: 1,
      // Retries and the wait happen inside the step: start (<= 75 s) + wait (180 s) + the last reads.
      timeoutSeconds: 300,
      onFailure: 'Continue',
      isCritical: false,
      input: { Region: ctx.other, Document: doc, WaitSeconds: FENCE_WAIT_SECONDS },
      returns: [
        ['Started', 'Boolean'],
        ['Fenced', 'Boolean'],
        ['Fence', 'String'],
        ['Message', 'String'],
      ],
      permissions: [
        {
          actions: ['ssm:StartAutomationExecution'],
          resources: [ctx.arn(ctx.other, 'ssm', `automation-definition/${doc}:*`)],
          why: 'An automation definition ARN ends with its version (:$DEFAULT, :$LATEST or a number)',
        },
        {
          actions: ['ssm:GetAutomationExecution'],
          resources: [ctx.arn(ctx.other, 'ssm', 'automation-execution/*')],
          why: 'Automation execution ids are generated by SSM when the fence starts',
        },
        {
          actions: ['iam:PassRole'],
          resources: [ctx.arn('', 'iam', `role/${fenceRoleName(ctx.config, ctx.other)}`)],
          conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
        },
      ],
    });
  }

  notify(): RunbookStep[] {
    const { ctx } = this;
    const next = `set failover.generation to ${ctx.config.failover.generation + 1} in config/${ctx.config.name}.ts and deploy (docs/runbooks/${this.kind}.md, "After")`;
    const publish = (name: string, subject: string, message: string): RunbookStep => ({
      name,
      action: 'aws:executeAwsApi',
      description:
        name === 'Notify'
          ? `Tells the alarm topic that the ${this.kind} is complete, what the fence did and what to do next.`
          : 'Reached only when a step after the switch failed: tells the alarm topic that the switch stands and what to re-run.',
      verify: 'the message arrives.',
      phase: 'after',
      expectedMinutes: 0,
      maxAttempts: 2,
      onFailure: 'Abort',
      isEnd: true,
      inputs: { Service: 'sns', Api: 'Publish', TopicArn: ctx.topicArn, Subject: subject, Message: message },
      permissions: [ctx.publish()],
    });
    return [
      publish(
        'Notify',
        // SNS subjects are at most 100 characters (Publish): the fence's state is one short phrase.
        `dual-region-analytics ${ctx.config.name}: ${this.failback ? 'failed back' : 'failed over'} to ${ctx.here}; {{TryFenceOldRegion.Fence}}`,
        `Execution {{automation:EXECUTION_ID}} made ${ctx.here} the active region of ${ctx.config.name}.${this.db ? ' Credential: {{PromoteSecret.Result}}.' : ''} MSK Replicator: {{StopReplicator.Result}}. Fence of ${ctx.other}: {{TryFenceOldRegion.Message}}. Next: ${next}.`,
      ),
      publish(
        'NotifyIncomplete',
        `dual-region-analytics ${ctx.config.name}: ${this.kind} to ${ctx.here} needs a re-run`,
        `Execution {{automation:EXECUTION_ID}}: ${ctx.here} takes writes, but a step after the switch failed (see the execution). The switch stands. Re-run the ${runbookName(ctx.config, this.kind)} runbook in ${ctx.here}: it skips what is done. Then ${next}.`,
      ),
    ];
  }
}

/**
 * A runbook that makes the standby region (where it is deployed and run) the
 * writer and the active region. The critical path comes first: the slow
 * operations start together, the active region flips as soon as the database
 * and cache take writes, streaming is resubmitted; the warehouse restore and
 * Multi-AZ follow, and their failure notifies without undoing the switch.
 * Every mutating step reads the state first, so a re-run resumes.
 *
 * - failover (unplanned, the writer's region is impaired): gate on the
 *   per-store lags of the readiness report.
 * - failback (planned, after re-seeding): gate on every check healthy, fence
 *   the current writer and prove the replica caught up by WAL position.
 */
export function switchDocument(s: SwitchSteps, real: readonly RunbookStep[]): AutomationDocument {
  const { kind, ctx } = s;
  const { config } = ctx;
  const failback = kind === 'failback';
  const plan = real.map((step) => ({ name: step.name, description: step.description }));
  const verb = failback ? 'Fail back' : 'Fail over';
  return {
    schemaVersion: '0.3',
    description: `${verb} dual-region-analytics ${config.name} from ${ctx.other} to ${ctx.here}. Run in ${ctx.here}. DryRun defaults to true.`,
    assumeRole: '{{AutomationAssumeRole}}',
    parameters: {
      AutomationAssumeRole: {
        type: 'String',
        description: 'Role the automation runs as (deployed with this document).',
        default: ctx.arn('', 'iam', `role/${switchRoleName(config, kind, ctx.here)}`),
      },
      DryRun: {
        type: 'Boolean',
        description: 'Run the checks and print the plan without changing anything.',
        default: true,
      },
      Force: {
        type: 'Boolean',
        description: failback
          ? 'Fail back even when a readiness check is not healthy (the re-seed may be incomplete).'
          : "Fail over even when a store's lag is above its budget or unknown (accepting that data loss).",
        default: false,
      },
      Approvers: { type: 'StringList', description: `IAM users or roles allowed to approve the ${kind}.` },
    },
    mainSteps: [s.checkReadiness(), s.gate(), s.branchOnDryRun(), s.reportDryRun(plan), ...real],
  };
}
