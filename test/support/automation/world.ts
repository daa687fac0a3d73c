/**
 * A small, region-aware fake of the AWS APIs the runbooks call, for the
 * Automation executor (./executor.ts). State lives per region; asynchronous
 * transitions (a promotion, a restore, a cache failover) are timers on a
 * simulated clock that waits and sleeps advance, so a scenario that takes an
 * hour of AWS time runs in milliseconds.
 *
 * Errors: a service error is an AwsError (code + message, as the SDKs report
 * them); a region made unreachable with outage() throws ConnectionFailure.
 * An operation the world does not know throws UnknownOperation naming it, so a
 * gap in the fake shows as such and not as a wrong answer.
 *
 * Every call and every answer is checked against the model of the installed
 * AWS SDK client of that service (../aws-model.ts): a request or an answer
 * that does not follow it throws a ModelViolation and is kept in
 * `violations`, which runAutomation turns into a failed test however the
 * caller handled the error.
 */

import type { WorkGroup } from '@aws-sdk/client-athena';
import type {
  GlobalReplicationGroupMember,
  ReplicationGroup,
  GlobalReplicationGroup as SdkGlobalReplicationGroup,
} from '@aws-sdk/client-elasticache';
import type {
  Application,
  ApplicationState,
  JobDriver,
  JobRunMode,
  JobRunState,
} from '@aws-sdk/client-emr-serverless';
import type { Table } from '@aws-sdk/client-glue';
import type {
  DescribeReplicatorResponse,
  Cluster as KafkaCluster,
  ReplicatorState,
} from '@aws-sdk/client-kafka';
import type { DBInstance } from '@aws-sdk/client-rds';
import type { Cluster, Snapshot as ClusterSnapshot } from '@aws-sdk/client-redshift';
import type {
  Namespace,
  RecoveryPoint,
  Snapshot as ServerlessSnapshot,
  Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import type { ReplicationConfiguration } from '@aws-sdk/client-s3';
import type { AutomationExecution, Parameter, ParameterType } from '@aws-sdk/client-ssm';
import { type ModelViolation, modelViolation, violationsOf } from '../aws-model';

export type OutageMode = 'refuse' | 'hang';

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** The region does not answer: 'refuse' = connection refused at once; 'hang' = no answer until the caller's timeout. */
export class ConnectionFailure extends Error {
  constructor(
    readonly mode: OutageMode,
    readonly region: string,
    readonly endpoint: string,
  ) {
    super(
      mode === 'refuse'
        ? `Could not connect to the endpoint URL: "${endpoint}"`
        : `Connect timeout on endpoint URL: "${endpoint}"`,
    );
  }
}

export class UnknownOperation extends Error {}

export interface CallRecord {
  /** Simulated time of the call, seconds since the epoch. */
  readonly at: number;
  readonly region: string;
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, unknown>;
  readonly outcome: 'ok' | 'error' | 'refused' | 'hung';
  readonly error?: string;
  /** The Lambda function that made the call (functionCalls); undefined for the automation's own calls. */
  readonly caller?: string;
}

/** An injected service error (HTTP `status`, default 400: 5xx for a brownout, 429 for throttling), or an outage. */
export type Injected = { code: string; message: string; status?: number } | { outage: OutageMode };

export interface WorldSettings {
  /** PromoteReadReplica: seconds the old status is still reported (a stale 'available' read). */
  promotionVisibleAfterSeconds: number;
  /** PromoteReadReplica: seconds until the instance is available without a source. */
  promotionSeconds: number;
  /**
   * A replica without automated backups (BackupRetentionPeriod 0) is backed up as part of its
   * promotion (API_PromoteReadReplica): it stays `backing-up`, writable and without a source, this long.
   */
  promotionBackupSeconds: number;
  modifySeconds: number;
  rebootSeconds: number;
  cacheFailoverSeconds: number;
  cacheDisassociateSeconds: number;
  /** Redshift Serverless RestoreFromSnapshot / provisioned restore. */
  restoreSeconds: number;
  /** Redshift Serverless CreateSnapshot: seconds CREATING before AVAILABLE. */
  snapshotSeconds: number;
  sparkStartSeconds: number;
  sparkStopSeconds: number;
  jobCancelSeconds: number;
  /** MSK DeleteReplicator: seconds DELETING before it is gone (an estimate: AWS publishes no figure). */
  replicatorDeleteSeconds: number;
  /** Items per page of list operations when the caller does not ask for fewer. */
  pageSize: number;
  /**
   * What FailoverGlobalReplicationGroup does while a member's region is out: refuse with
   * InvalidGlobalReplicationGroupState, accept and complete, or accept and never finish
   * (the datastore stays `modifying`, and a disassociation is refused meanwhile).
   */
  cacheFailoverDuringOutage: 'refuse' | 'accept' | 'stall';
}

const DEFAULT_SETTINGS: WorldSettings = {
  promotionVisibleAfterSeconds: 30,
  promotionSeconds: 300,
  promotionBackupSeconds: 1200,
  modifySeconds: 600,
  rebootSeconds: 120,
  cacheFailoverSeconds: 120,
  cacheDisassociateSeconds: 60,
  restoreSeconds: 1800,
  snapshotSeconds: 120,
  sparkStartSeconds: 60,
  sparkStopSeconds: 60,
  jobCancelSeconds: 30,
  replicatorDeleteSeconds: 120,
  pageSize: 100,
  cacheFailoverDuringOutage: 'refuse',
};

export const ACCOUNT_ID = '111111111111';
const EPOCH = Date.parse('2026-01-01T00:00:00Z') / 1000;

type Params = Record<string, unknown>;
export interface OperationContext {
  readonly world: FakeWorld;
  readonly region: string;
  readonly params: Params;
}
export type OperationHandler = (ctx: OperationContext) => unknown | Promise<unknown>;
export type LambdaHandler = (event: unknown, ctx: { region: string; world: FakeWorld }) => unknown;

/**
 * The state the world keeps is written in the SDK's model types, so that what
 * a test seeds is checked by tsc as well as by the runtime checker; what the
 * fake needs for itself (a promotion under way, where a restore came from) is
 * kept apart and never answered.
 */
export type DbInstance = DBInstance & { DBInstanceIdentifier: string; DBInstanceStatus: string };

export interface GlobalMember extends GlobalReplicationGroupMember {
  ReplicationGroupId: string;
  ReplicationGroupRegion: string;
  /** A plain string in the ElastiCache model (no enum, no casing given). */
  Role: string;
  Status?: string;
}
export interface GlobalReplicationGroup extends SdkGlobalReplicationGroup {
  GlobalReplicationGroupId: string;
  Status: string;
  Members: GlobalMember[];
}

export type EmrApplication = Application & { applicationId: string; state: ApplicationState };

/** A job run as the fake keeps it; ListJobRuns and GetJobRun answer the model's JobRunSummary / JobRun of it. */
export interface JobRun {
  id: string;
  applicationId: string;
  name?: string;
  state: JobRunState;
  createdAt?: Date;
  executionRole?: string;
  jobDriver?: JobDriver;
  mode?: JobRunMode;
  /** The submission function's idempotency key (platform.ts); not part of any answer. */
  idempotencyKey?: string;
}

/** An MSK Replicator as DescribeReplicator answers it; ListReplicators answers a summary of it. */
export type Replicator = DescribeReplicatorResponse & {
  ReplicatorArn: string;
  ReplicatorName: string;
  ReplicatorState: ReplicatorState;
};

interface RegionState {
  rds: Map<string, DbInstance>;
  replicationGroups: Map<string, ReplicationGroup & { ReplicationGroupId: string }>;
  namespaces: Map<string, Namespace & { namespaceName: string; namespaceArn: string }>;
  workgroups: Map<string, Workgroup & { workgroupName: string }>;
  snapshots: (ServerlessSnapshot & { snapshotName: string })[];
  recoveryPoints: (RecoveryPoint & { recoveryPointId: string })[];
  clusters: Map<string, Cluster & { ClusterIdentifier: string }>;
  clusterSnapshots: (ClusterSnapshot & { SnapshotIdentifier: string })[];
  parameters: Map<string, Parameter & { Name: string; Value: string; Type: ParameterType; Version: number }>;
  applications: Map<string, EmrApplication>;
  jobRuns: JobRun[];
  lambdas: Map<string, LambdaHandler>;
  /** Reserved concurrency per function; 0 makes Invoke throttle. */
  concurrency: Map<string, number>;
  metrics: Map<string, (at: Date) => number | undefined>;
  replicators: Replicator[];
  kafkaClusters: Map<string, KafkaCluster & { ClusterArn: string }>;
  /** Glue databases and their tables. */
  databases: Map<string, Table[]>;
  workGroups: Map<string, WorkGroup & { Name: string }>;
  /** The records of this region's topics, in order (the streaming model of kafka.startFlow). */
  records: KafkaRecord[];
}

/** A record of the streaming model: which producer wrote it, where and when, and when it was copied here. */
export interface KafkaRecord {
  readonly origin: string;
  readonly producedIn: string;
  readonly producedAt: number;
  readonly copiedAt?: number;
}

const newRegion = (): RegionState => ({
  rds: new Map(),
  replicationGroups: new Map(),
  namespaces: new Map(),
  workgroups: new Map(),
  snapshots: [],
  recoveryPoints: [],
  clusters: new Map(),
  clusterSnapshots: [],
  parameters: new Map(),
  applications: new Map(),
  jobRuns: [],
  lambdas: new Map(),
  concurrency: new Map(),
  metrics: new Map(),
  replicators: [],
  kafkaClusters: new Map(),
  databases: new Map(),
  workGroups: new Map(),
  records: [],
});

/** Lower case without '_' or '-': describe_db_instances and DescribeDBInstances meet here. */
export const normalizeOperation = (name: string) => name.replace(/[_-]/g, '').toLowerCase();

const clone = <T>(value: T): T => structuredClone(value);

const metricKey = (namespace: string, name: string, dimensions: { Name: string; Value: string }[] = []) =>
  `${namespace}|${name}|${[...dimensions]
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .map((d) => `${d.Name}=${d.Value}`)
    .join(',')}`;

/**
 * `SEARCH('{AWS/Kafka,ClusterAlias,ReplicatorName} MetricName="X" ReplicatorName="r"', 'Minimum', 60)`,
 * the schema optional (`SEARCH('Namespace="AWS/Kafka" MetricName="X" ReplicatorName="r"', ...)`);
 * only exact `Name="value"` terms (CloudWatch user guide, search-expression-syntax.html).
 */
function parseSearch(expression: string):
  | {
      namespace?: string;
      dimensions?: string[];
      equals: Record<string, string>;
      stat: string;
      period: number;
    }
  | undefined {
  const m = /^SEARCH\(\s*'\s*(?:\{([^}]+)\})?((?:\s*\w+="[^"]*")*)\s*'\s*,\s*'(\w+)'\s*,\s*(\d+)\s*\)$/.exec(
    expression.trim(),
  );
  if (!m || (!m[1] && !m[2].trim())) return undefined;
  const equals = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
  const [namespace, ...dimensions] = m[1] ? m[1].split(',').map((x) => x.trim()) : [equals.Namespace];
  return { namespace, ...(m[1] ? { dimensions } : {}), equals, stat: m[3], period: Number(m[4]) };
}

const endpointPrefix: Record<string, string> = {
  'redshift-serverless': 'redshift-serverless',
  'emr-serverless': 'emr-serverless',
  cloudwatch: 'monitoring',
};

export class FakeWorld {
  readonly settings: WorldSettings;
  /** Every call the automation (and the test) made, answered or refused, in order. */
  readonly log: CallRecord[] = [];
  /** Calls made by the Lambda functions the world runs (the readiness handler), in order; not the automation's. */
  readonly functionCalls: CallRecord[] = [];
  /** SNS messages published (by steps, or by aws:approve notifications). */
  readonly published: { region: string; TopicArn: string; Subject?: string; Message: string; at: number }[] =
    [];
  readonly accountId: string;
  /** Calls and answers that did not follow the AWS model, in order (see the module comment). */
  readonly violations: ModelViolation[] = [];
  /** PutMetricData calls, in order. */
  readonly metricData: Record<string, unknown>[] = [];
  private clockSeconds = EPOCH;
  private readonly regions = new Map<string, RegionState>();
  private readonly outages = new Map<string, OutageMode>();
  private readonly outageStarts = new Map<string, number>();
  private readonly timers: { at: number; seq: number; run: () => void }[] = [];
  private timerSeq = 0;
  private readonly once: { service: string; operation: string; region?: string; error: Injected }[] = [];
  private readonly always: { service: string; operation: string; region?: string; error: Injected }[] = [];
  private readonly handlers = new Map<string, OperationHandler>();
  private readonly names = new Map<string, string>();
  private readonly globalGroups = new Map<string, GlobalReplicationGroup>();
  /** Tags by resource ARN. */
  readonly tags = new Map<string, Record<string, string>>();
  /** StartAutomationExecution calls (the fence runbook started from another runbook), in order. */
  readonly automationsStarted: { region: string; DocumentName: string; Parameters?: unknown; id: string }[] =
    [];
  /** Executions the executor runs or ran, by id and region, as GetAutomationExecution describes them. */
  readonly automationExecutions = new Map<string, { region: string; describe: () => AutomationExecution }>();
  private readonly buckets = new Map<string, { region: string; replication?: ReplicationConfiguration }>();
  /** How far the streaming model has copied each Replicator's source records (not part of any answer). */
  private readonly replicatorOffsets = new Map<string, number>();
  private idSeq = 0;
  /** Instances a promotion (or the backup after it) keeps busy, whatever status they report. */
  private readonly busy = new WeakSet<object>();

  constructor(settings: Partial<WorldSettings> & { accountId?: string } = {}) {
    const { accountId = ACCOUNT_ID, ...rest } = settings;
    this.accountId = accountId;
    this.settings = { ...DEFAULT_SETTINGS, ...rest };
    this.registerBuiltins();
  }

  // ---- clock ------------------------------------------------------------

  /** Simulated time, seconds since the epoch. */
  get clock(): number {
    return this.clockSeconds;
  }

  now(): Date {
    return new Date(this.clockSeconds * 1000);
  }

  /** Moves the clock forward, running the transitions that fall due, in order. */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new Error(`advance(${seconds}): seconds must be a non-negative number`);
    const target = this.clockSeconds + seconds;
    this.runTimers(target);
    this.clockSeconds = target;
  }

  /** Runs fn once the clock reaches `after` seconds from now. */
  schedule(afterSeconds: number, fn: () => void): void {
    this.timers.push({ at: this.clockSeconds + afterSeconds, seq: this.timerSeq++, run: fn });
    if (afterSeconds <= 0) this.runTimers(this.clockSeconds);
  }

  private runTimers(until: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > until) return;
      this.timers.shift();
      this.clockSeconds = Math.max(this.clockSeconds, next.at);
      next.run();
    }
  }

  // ---- failure injection ------------------------------------------------

  /** Makes every call to the region refuse connections or hang; undefined ends the outage. */
  outage(region: string, mode: OutageMode | undefined): void {
    if (mode) {
      if (!this.outages.has(region)) this.outageStarts.set(region, this.clockSeconds);
      this.outages.set(region, mode);
    } else {
      this.outages.delete(region);
      this.outageStarts.delete(region);
    }
  }

  /** Since when (simulated seconds) the region has been out; undefined while it answers. */
  outageSince(region: string): number | undefined {
    return this.outageStarts.get(region);
  }

  outageOf(region: string): OutageMode | undefined {
    return this.outages.get(region);
  }

  /** The next matching call fails with this error (or outage), once. */
  failNext(service: string, operation: string, error: Injected, region?: string): void {
    this.once.push({ service, operation: normalizeOperation(operation), region, error });
  }

  /** Every matching call fails with this error until clearFailures(). */
  failAlways(service: string, operation: string, error: Injected, region?: string): void {
    this.always.push({ service, operation: normalizeOperation(operation), region, error });
  }

  clearFailures(): void {
    this.once.length = 0;
    this.always.length = 0;
  }

  /** Replaces (or adds) the answer to one operation of a service, in every region. */
  on(service: string, operation: string, handler: OperationHandler): void {
    this.handlers.set(`${service}:${normalizeOperation(operation)}`, handler);
    this.names.set(`${service}:${normalizeOperation(operation)}`, operation);
  }

  /** Every operation the world answers, as `service Operation`. */
  operations(): string[] {
    return [...this.names.entries()].map(([key, name]) => `${key.split(':')[0]} ${name}`);
  }

  /** The API's own spelling of an operation (describe_db_instances -> DescribeDBInstances), when the world knows it. */
  operationName(service: string, operation: string): string {
    return this.names.get(`${service}:${normalizeOperation(operation)}`) ?? operation;
  }

  endpoint(service: string, region: string): string {
    return `https://${endpointPrefix[service] ?? service}.${region}.amazonaws.com/`;
  }

  /** Calls made since `from` (an index into log), as the executor reports them. */
  callsSince(from: number): CallRecord[] {
    return this.log.slice(from);
  }

  // ---- the call -----------------------------------------------------------

  /**
   * Answers one API call made in `region`; throws AwsError, ConnectionFailure, UnknownOperation
   * or ModelViolation. `caller` names the Lambda function making it (sdk-world.ts).
   */
  async call(
    region: string,
    service: string,
    operation: string,
    params: Params = {},
    options: { caller?: string } = {},
  ): Promise<unknown> {
    this.runTimers(this.clockSeconds);
    const op = normalizeOperation(operation);
    const record = (outcome: CallRecord['outcome'], error?: string) =>
      (options.caller ? this.functionCalls : this.log).push({
        at: this.clockSeconds,
        region,
        service,
        operation,
        params: clone(params),
        outcome,
        error,
        ...(options.caller ? { caller: options.caller } : {}),
      });
    const against = (direction: 'request' | 'response', value: unknown) => {
      const problems = violationsOf(service, operation, direction, value);
      if (problems.length === 0) return;
      const violation = modelViolation(service, operation, direction, problems);
      this.violations.push(violation);
      record('error', 'ModelViolation');
      throw violation;
    };
    // boto3 and the SDK check a request against the model before sending it.
    against('request', params);
    const matches = (f: { service: string; operation: string; region?: string }) =>
      f.service === service && f.operation === op && (f.region === undefined || f.region === region);
    const injectedIndex = this.once.findIndex(matches);
    const injected =
      injectedIndex >= 0 ? this.once.splice(injectedIndex, 1)[0].error : this.always.find(matches)?.error;
    const outage = injected && 'outage' in injected ? injected.outage : this.outages.get(region);
    if (outage) {
      record(outage === 'refuse' ? 'refused' : 'hung');
      throw new ConnectionFailure(outage, region, this.endpoint(service, region));
    }
    if (injected && 'code' in injected) {
      record('error', injected.code);
      throw new AwsError(injected.code, injected.message, injected.status);
    }
    const handler = this.handlers.get(`${service}:${op}`);
    if (!handler) {
      record('error', 'UnknownOperation');
      throw new UnknownOperation(
        `The fake AWS world has no ${service} ${operation} (region ${region}). Add it in test/support/automation/world.ts or register one with world.on('${service}', '${operation}', handler).`,
      );
    }
    let answer: unknown;
    try {
      answer = clone((await handler({ world: this, region, params })) ?? {});
    } catch (error) {
      record('error', error instanceof AwsError ? error.code : String(error));
      throw error;
    }
    against('response', answer);
    record('ok');
    return answer;
  }

  // ---- state setup --------------------------------------------------------

  private state(region: string): RegionState {
    let state = this.regions.get(region);
    if (!state) {
      state = newRegion();
      this.regions.set(region, state);
    }
    return state;
  }

  nextId(prefix: string): string {
    this.idSeq += 1;
    return `${prefix}${String(this.idSeq).padStart(8, '0')}`;
  }

  readonly rds = {
    add: (region: string, instance: DBInstance & { DBInstanceIdentifier: string }): DbInstance => {
      const full: DbInstance = {
        DBInstanceStatus: 'available',
        Engine: 'postgres',
        MultiAZ: false,
        BackupRetentionPeriod: 7,
        ReadReplicaDBInstanceIdentifiers: [],
        DBInstanceArn: `arn:aws:rds:${region}:${this.accountId}:db:${instance.DBInstanceIdentifier}`,
        Endpoint: {
          Address: `${instance.DBInstanceIdentifier}.abc.${region}.rds.amazonaws.com`,
          Port: 5432,
        },
        ...instance,
      };
      this.state(region).rds.set(full.DBInstanceIdentifier, full);
      return full;
    },
    get: (region: string, id: string): DbInstance | undefined => this.state(region).rds.get(id),
  };

  readonly elasticache = {
    addGlobal: (group: { GlobalReplicationGroupId: string; Members: GlobalMember[]; Status?: string }) => {
      this.globalGroups.set(group.GlobalReplicationGroupId, {
        Status: 'available',
        ...group,
        Members: group.Members.map((m) => ({ Status: 'associated', ...m })),
      });
      for (const m of group.Members) {
        this.state(m.ReplicationGroupRegion).replicationGroups.set(m.ReplicationGroupId, {
          ReplicationGroupId: m.ReplicationGroupId,
          Status: 'available',
          GlobalReplicationGroupInfo: {
            GlobalReplicationGroupId: group.GlobalReplicationGroupId,
            GlobalReplicationGroupMemberRole: m.Role,
          },
        });
      }
    },
    addReplicationGroup: (region: string, group: ReplicationGroup & { ReplicationGroupId: string }) => {
      this.state(region).replicationGroups.set(group.ReplicationGroupId, { Status: 'available', ...group });
    },
    global: (id: string) => this.globalGroups.get(id),
    replicationGroup: (region: string, id: string) => this.state(region).replicationGroups.get(id),
  };

  /** Where a namespace's restore came from, and the request, while it runs and after (never answered). */
  readonly restores = new Map<
    string,
    { snapshotName?: string; recoveryPointId?: string; startedAt: Date; params: Params; done: boolean }
  >();

  readonly redshiftServerless = {
    addNamespace: (region: string, ns: Namespace & { namespaceName: string }) => {
      this.state(region).namespaces.set(ns.namespaceName, {
        status: 'AVAILABLE',
        namespaceArn: `arn:aws:redshift-serverless:${region}:${this.accountId}:namespace/${this.nextId('ns-')}`,
        namespaceId: this.nextId(''),
        creationDate: this.now(),
        ...ns,
      });
    },
    addWorkgroup: (region: string, wg: Workgroup & { workgroupName: string }) => {
      this.state(region).workgroups.set(wg.workgroupName, { status: 'AVAILABLE', ...wg });
    },
    addSnapshot: (
      region: string,
      snapshot: ServerlessSnapshot & {
        snapshotName: string;
        namespaceName: string;
        snapshotCreateTime: Date;
      },
    ) => {
      this.state(region).snapshots.push({
        status: 'AVAILABLE',
        snapshotArn: `arn:aws:redshift-serverless:${region}:${this.accountId}:snapshot/${this.nextId('snap-')}`,
        ...snapshot,
      });
    },
    addRecoveryPoint: (
      region: string,
      point: RecoveryPoint & { namespaceName: string; recoveryPointCreateTime: Date },
    ) => {
      this.state(region).recoveryPoints.push({ recoveryPointId: this.nextId('rp-'), ...point });
    },
    namespace: (region: string, name: string) => this.state(region).namespaces.get(name),
    /** The restore of that namespace under way or done last: its source and request. */
    restore: (region: string, name: string) => this.restores.get(`${region}/${name}`),
  };

  /** The snapshot each cluster was restored from (never answered: Cluster has no such member). */
  readonly restoredFrom = new Map<string, string>();

  readonly redshift = {
    addCluster: (region: string, cluster: Cluster & { ClusterIdentifier: string }) => {
      this.state(region).clusters.set(cluster.ClusterIdentifier, {
        ClusterStatus: 'available',
        Endpoint: {
          Address: `${cluster.ClusterIdentifier}.abc.${region}.redshift.amazonaws.com`,
          Port: 5439,
        },
        ...cluster,
      });
    },
    addSnapshot: (
      region: string,
      snapshot: ClusterSnapshot & {
        SnapshotIdentifier: string;
        ClusterIdentifier: string;
        SnapshotCreateTime: Date;
      },
    ) => {
      this.state(region).clusterSnapshots.push({ Status: 'available', ...snapshot });
    },
    cluster: (region: string, id: string) => this.state(region).clusters.get(id),
    /** The snapshot the cluster was restored from by RestoreFromClusterSnapshot, if it was. */
    restoredFrom: (region: string, id: string) => this.restoredFrom.get(`${region}/${id}`),
  };

  readonly ssm = {
    put: (region: string, name: string, value: string, type: ParameterType = 'String') => {
      const previous = this.state(region).parameters.get(name);
      this.state(region).parameters.set(name, {
        Name: name,
        Value: value,
        Type: type,
        Version: (previous?.Version ?? 0) + 1,
        LastModifiedDate: this.now(),
        DataType: 'text',
      });
    },
    value: (region: string, name: string): string | undefined =>
      this.state(region).parameters.get(name)?.Value,
  };

  readonly emrServerless = {
    addApplication: (
      region: string,
      app: Partial<Application> & { name: string; id?: string; state?: ApplicationState },
    ) => {
      const { id: given, ...rest } = app;
      const id = given ?? app.applicationId ?? this.nextId('00f');
      this.state(region).applications.set(id, {
        state: 'CREATED',
        arn: `arn:aws:emr-serverless:${region}:${this.accountId}:/applications/${id}`,
        type: 'Spark',
        releaseLabel: 'emr-7.5.0',
        createdAt: this.now(),
        updatedAt: this.now(),
        ...rest,
        applicationId: id,
      });
      return id;
    },
    addJobRun: (region: string, run: Omit<JobRun, 'id'> & { id?: string }) => {
      const full: JobRun = { createdAt: this.now(), ...run, id: run.id ?? this.nextId('run') };
      this.state(region).jobRuns.push(full);
      return full.id;
    },
    application: (region: string, id: string) => this.state(region).applications.get(id),
    jobRuns: (region: string) => this.state(region).jobRuns,
  };

  readonly lambda = {
    /** The function answers Invoke in that region with handler(event); a throw is a function error. */
    register: (region: string, functionName: string, handler: LambdaHandler) => {
      this.state(region).lambdas.set(functionName, handler);
    },
  };

  readonly cloudwatch = {
    /** The metric's value at a time (undefined: no datapoint), for GetMetricData/GetMetricStatistics. */
    set: (
      region: string,
      metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] },
      value: (at: Date) => number | undefined,
    ) => {
      this.state(region).metrics.set(
        metricKey(metric.Namespace, metric.MetricName, metric.Dimensions),
        value,
      );
    },
  };

  readonly s3 = {
    addBucket: (region: string, bucket: string, replication?: ReplicationConfiguration) => {
      this.buckets.set(bucket, { region, replication });
    },
    replication: (bucket: string) => this.buckets.get(bucket)?.replication,
    regionOf: (bucket: string) => this.buckets.get(bucket)?.region,
    buckets: () =>
      [...this.buckets.entries()].map(([bucket, b]) => ({
        bucket,
        region: b.region,
        replication: b.replication,
      })),
  };

  readonly kafka = {
    /**
     * An MSK Replicator in `region` (the target cluster's region: a Replicator is created in
     * its target's region, MSK developer guide, msk-replicator-create), copying from the
     * cluster of `sourceRegion`, as DescribeReplicator describes one: each cluster in
     * KafkaClusters under an alias, ReplicationInfoList naming the source and target by alias.
     */
    addReplicator: (
      region: string,
      replicator: {
        ReplicatorName: string;
        sourceRegion: string;
        clusterName?: string;
        state?: ReplicatorState;
      },
    ) => {
      const clusterArn = (r: string) =>
        `arn:aws:kafka:${r}:${this.accountId}:cluster/${replicator.clusterName ?? 'msk'}/${Buffer.from(r).toString('hex').slice(0, 8)}-s1`;
      const arn = `arn:aws:kafka:${region}:${this.accountId}:replicator/${replicator.ReplicatorName}/${this.nextId('')}`;
      const cluster = (alias: string, r: string) => ({
        AmazonMskCluster: { MskClusterArn: clusterArn(r) },
        KafkaClusterAlias: alias,
        VpcConfig: { SubnetIds: [`subnet-${r}-a`], SecurityGroupIds: [`sg-${r}`] },
      });
      const full: Replicator = {
        ReplicatorArn: arn,
        ReplicatorName: replicator.ReplicatorName,
        ReplicatorState: replicator.state ?? 'RUNNING',
        CurrentVersion: 'K1',
        CreationTime: this.now(),
        IsReplicatorReference: false,
        ServiceExecutionRoleArn: `arn:aws:iam::${this.accountId}:role/msk-replicator`,
        KafkaClusters: [cluster('source', replicator.sourceRegion), cluster('target', region)],
        ReplicationInfoList: [
          {
            SourceKafkaClusterAlias: 'source',
            TargetKafkaClusterAlias: 'target',
            TargetCompressionType: 'NONE',
            TopicReplication: {
              TopicsToReplicate: ['.*'],
              TopicNameConfiguration: { Type: 'IDENTICAL' },
              CopyTopicConfigurations: true,
              DetectAndCopyNewTopics: true,
            },
            ConsumerGroupReplication: { ConsumerGroupsToReplicate: ['.*'] },
          },
        ],
      };
      this.state(region).replicators.push(full);
      this.replicatorOffsets.set(full.ReplicatorArn, this.state(replicator.sourceRegion).records.length);
      return full;
    },
    /** The records in a region's topics (the streaming model). */
    records: (region: string): readonly KafkaRecord[] => this.state(region).records,
    /**
     * Turns on the streaming model: every `everySeconds`, each RUNNING job run named
     * `producerJob` writes a record into its region's topics, and each Replicator that is
     * not gone copies what its source region's topics received since (identical topic
     * names, so copies land in the live topics), unless either region is out. Whether a
     * DELETING Replicator still copies is not documented: the model assumes it does.
     */
    startFlow: (options: { producerJob: string; regions: string[]; everySeconds?: number }) => {
      const every = options.everySeconds ?? 10;
      const tick = () => {
        for (const region of options.regions) {
          for (const run of this.state(region).jobRuns) {
            if (run.name === options.producerJob && run.state === 'RUNNING' && !this.outages.has(region)) {
              this.state(region).records.push({
                origin: `${region}/${run.id}`,
                producedIn: region,
                producedAt: this.clockSeconds,
              });
            }
          }
        }
        for (const region of options.regions) {
          for (const r of this.state(region).replicators) {
            const source = (r.KafkaClusters?.[0]?.AmazonMskCluster?.MskClusterArn ?? '').split(':')[3];
            if (r.ReplicatorState === 'FAILED' || this.outages.has(source) || this.outages.has(region))
              continue;
            const from = this.state(source).records;
            for (const record of from.slice(this.replicatorOffsets.get(r.ReplicatorArn) ?? from.length)) {
              if (record.producedIn === region) continue; // never copies back what came from here
              this.state(region).records.push({ ...record, copiedAt: this.clockSeconds });
            }
            this.replicatorOffsets.set(r.ReplicatorArn, from.length);
          }
        }
        this.schedule(every, tick);
      };
      this.schedule(every, tick);
    },
    replicators: (region: string) => this.state(region).replicators,
    /** An MSK Serverless cluster (DescribeClusterV2 answers it), ACTIVE unless said otherwise. */
    addCluster: (region: string, cluster: KafkaCluster & { ClusterName: string }) => {
      const arn =
        cluster.ClusterArn ??
        `arn:aws:kafka:${region}:${this.accountId}:cluster/${cluster.ClusterName}/${Buffer.from(region).toString('hex').slice(0, 8)}-s1`;
      const full = {
        ClusterType: 'SERVERLESS' as const,
        State: 'ACTIVE' as const,
        CreationTime: this.now(),
        CurrentVersion: 'K1',
        ...cluster,
        ClusterArn: arn,
      };
      this.state(region).kafkaClusters.set(arn, full);
      return full;
    },
    cluster: (region: string, arn: string) => this.state(region).kafkaClusters.get(arn),
  };

  readonly glue = {
    /** A Glue database and its tables (GetTables answers them). */
    addDatabase: (region: string, name: string, tables: (Table & { Name: string })[] = []) => {
      this.state(region).databases.set(
        name,
        tables.map((t) => ({ DatabaseName: name, ...t })),
      );
    },
    database: (region: string, name: string) => this.state(region).databases.get(name),
  };

  readonly athena = {
    addWorkGroup: (region: string, workGroup: WorkGroup & { Name: string }) => {
      this.state(region).workGroups.set(workGroup.Name, { State: 'ENABLED', ...workGroup });
    },
    workGroup: (region: string, name: string) => this.state(region).workGroups.get(name),
  };

  // ---- built-in operations ---------------------------------------------

  private page<T>(
    items: T[],
    params: Params,
    names: { token: string; limit: string; nextToken?: string },
  ): { items: T[]; token?: string } {
    const start = params[names.token] ? Number(String(params[names.token]).replace(/^page-/, '')) : 0;
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new AwsError('ValidationException', `Invalid ${names.token}: ${String(params[names.token])}`);
    }
    const size = Math.min(Number(params[names.limit] ?? this.settings.pageSize), this.settings.pageSize);
    const end = start + size;
    return { items: items.slice(start, end), token: end < items.length ? `page-${end}` : undefined };
  }

  private registerBuiltins(): void {
    const def = (service: string, operation: string, handler: OperationHandler) =>
      this.on(service, operation, handler);
    const str = (params: Params, key: string): string => {
      const value = params[key];
      if (typeof value !== 'string' || value === '') {
        throw new AwsError('ValidationException', `Missing required parameter ${key}`);
      }
      return value;
    };

    // RDS: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
    const instance = (region: string, id: string) => {
      const found = this.state(region).rds.get(id);
      if (!found) throw new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
      return found;
    };
    def('rds', 'DescribeDBInstances', ({ region, params }) => {
      const id = params.DBInstanceIdentifier as string | undefined;
      const all = id ? [instance(region, id)] : [...this.state(region).rds.values()];
      const { items, token } = this.page(all, params, { token: 'Marker', limit: 'MaxRecords' });
      return {
        DBInstances: items,
        ...(token ? { Marker: token } : {}),
      };
    });
    def('rds', 'PromoteReadReplica', ({ region, params }) => {
      const db = instance(region, str(params, 'DBInstanceIdentifier'));
      if (!db.ReadReplicaSourceDBInstanceIdentifier) {
        throw new AwsError(
          'InvalidDBInstanceState',
          `DB Instance ${db.DBInstanceIdentifier} is not a read replica.`,
        );
      }
      if (db.DBInstanceStatus !== 'available' || this.busy.has(db)) {
        throw new AwsError(
          'InvalidDBInstanceState',
          `Instance ${db.DBInstanceIdentifier} is not in available state (${this.busy.has(db) ? 'modifying' : db.DBInstanceStatus}).`,
        );
      }
      // Without automated backups on the replica, promoting it turns them on (default 1 day) and takes a backup.
      const backupDuringPromotion = !db.BackupRetentionPeriod;
      if (params.BackupRetentionPeriod !== undefined)
        db.BackupRetentionPeriod = Number(params.BackupRetentionPeriod);
      else if (!db.BackupRetentionPeriod) db.BackupRetentionPeriod = 1;
      const settle = this.settings.promotionVisibleAfterSeconds;
      // Busy from the call on, even while DescribeDBInstances still reports the old status.
      this.busy.add(db);
      this.schedule(settle, () => {
        db.DBInstanceStatus = 'modifying';
      });
      this.schedule(Math.max(this.settings.promotionSeconds, settle), () => {
        db.DBInstanceStatus = backupDuringPromotion ? 'backing-up' : 'available';
        delete db.ReadReplicaSourceDBInstanceIdentifier;
        delete db.StatusInfos;
        this.busy.delete(db);
        if (backupDuringPromotion) {
          this.busy.add(db); // still busy: ModifyDBInstance and a second promotion are refused
          this.schedule(this.settings.promotionBackupSeconds, () => {
            db.DBInstanceStatus = 'available';
            this.busy.delete(db);
          });
        }
      });
      return { DBInstance: db };
    });
    def('rds', 'ModifyDBInstance', ({ region, params }) => {
      const db = instance(region, str(params, 'DBInstanceIdentifier'));
      if (db.DBInstanceStatus !== 'available' || this.busy.has(db)) {
        throw new AwsError(
          'InvalidDBInstanceState',
          `Database instance is not in available state (${db.DBInstanceIdentifier}: ${this.busy.has(db) ? 'modifying' : db.DBInstanceStatus}).`,
        );
      }
      const { DBInstanceIdentifier: _id, ApplyImmediately: _apply, ...requested } = params;
      // The changes the fake models; PendingModifiedValues shows them until they are applied.
      const changes: Pick<DBInstance, 'MultiAZ' | 'BackupRetentionPeriod'> = {};
      for (const [key, value] of Object.entries(requested)) {
        if (key === 'MultiAZ') changes.MultiAZ = value === true;
        else if (key === 'BackupRetentionPeriod') changes.BackupRetentionPeriod = Number(value);
        else
          throw new UnknownOperation(`The fake ModifyDBInstance does not model ${key}; add it in world.ts.`);
      }
      db.DBInstanceStatus = 'modifying';
      db.PendingModifiedValues = { ...changes };
      this.schedule(this.settings.modifySeconds, () => {
        Object.assign(db, changes);
        db.PendingModifiedValues = {};
        db.DBInstanceStatus = 'available';
      });
      return { DBInstance: db };
    });
    def('rds', 'RebootDBInstance', ({ region, params }) => {
      const db = instance(region, str(params, 'DBInstanceIdentifier'));
      if (db.DBInstanceStatus !== 'available' || this.busy.has(db)) {
        throw new AwsError('InvalidDBInstanceState', `Instance ${db.DBInstanceIdentifier} is not available.`);
      }
      db.DBInstanceStatus = 'rebooting';
      this.schedule(this.settings.rebootSeconds, () => {
        db.DBInstanceStatus = 'available';
      });
      return { DBInstance: db };
    });

    // ElastiCache: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_FailoverGlobalReplicationGroup.html
    const globalGroup = (id: string) => {
      const found = this.globalGroups.get(id);
      if (!found) {
        throw new AwsError(
          'GlobalReplicationGroupNotFoundFault',
          `Global replication group ${id} not found.`,
          404,
        );
      }
      return found;
    };
    const setRole = (g: GlobalReplicationGroup) => {
      for (const m of g.Members) {
        const rg = this.state(m.ReplicationGroupRegion).replicationGroups.get(m.ReplicationGroupId);
        if (rg) {
          rg.GlobalReplicationGroupInfo = {
            GlobalReplicationGroupId: g.GlobalReplicationGroupId,
            GlobalReplicationGroupMemberRole: m.Role,
          };
        }
      }
    };
    def('elasticache', 'DescribeGlobalReplicationGroups', ({ params }) => {
      const id = params.GlobalReplicationGroupId as string | undefined;
      const groups = id ? [globalGroup(id)] : [...this.globalGroups.values()];
      // Members are returned only with ShowMemberInfo (API_DescribeGlobalReplicationGroups).
      const shown = groups.map((g) => {
        if (params.ShowMemberInfo === true) return g;
        const { Members: _m, ...rest } = g;
        return rest;
      });
      const { items, token } = this.page(shown, params, { token: 'Marker', limit: 'MaxRecords' });
      return { GlobalReplicationGroups: items, ...(token ? { Marker: token } : {}) };
    });
    def('elasticache', 'FailoverGlobalReplicationGroup', ({ params }) => {
      const g = globalGroup(str(params, 'GlobalReplicationGroupId'));
      const target = g.Members.find(
        (m) =>
          m.ReplicationGroupId === params.PrimaryReplicationGroupId &&
          m.ReplicationGroupRegion === params.PrimaryRegion,
      );
      if (!target) {
        throw new AwsError(
          'InvalidParameterValue',
          `${String(params.PrimaryReplicationGroupId)} in ${String(params.PrimaryRegion)} is not a member of ${g.GlobalReplicationGroupId}.`,
        );
      }
      if (g.Status !== 'available') {
        throw new AwsError(
          'InvalidGlobalReplicationGroupState',
          `Global replication group ${g.GlobalReplicationGroupId} is not in available state (${g.Status}).`,
        );
      }
      const unreachable = g.Members.find((m) => this.outages.has(m.ReplicationGroupRegion));
      if (unreachable && this.settings.cacheFailoverDuringOutage === 'refuse') {
        throw new AwsError(
          'InvalidGlobalReplicationGroupState',
          `Global replication group ${g.GlobalReplicationGroupId} cannot fail over: member ${unreachable.ReplicationGroupId} in ${unreachable.ReplicationGroupRegion} is unreachable.`,
        );
      }
      if (target.Role.toUpperCase() === 'PRIMARY') {
        throw new AwsError(
          'InvalidParameterValue',
          `${target.ReplicationGroupId} is already the primary of ${g.GlobalReplicationGroupId}.`,
        );
      }
      g.Status = 'modifying';
      if (unreachable && this.settings.cacheFailoverDuringOutage === 'stall')
        return { GlobalReplicationGroup: g };
      this.schedule(this.settings.cacheFailoverSeconds, () => {
        for (const m of g.Members) m.Role = m === target ? 'PRIMARY' : 'SECONDARY';
        g.Status = 'available';
        setRole(g);
      });
      return { GlobalReplicationGroup: g };
    });
    def('elasticache', 'DisassociateGlobalReplicationGroup', ({ params }) => {
      const g = globalGroup(str(params, 'GlobalReplicationGroupId'));
      const member = g.Members.find(
        (m) =>
          m.ReplicationGroupId === params.ReplicationGroupId &&
          m.ReplicationGroupRegion === params.ReplicationGroupRegion,
      );
      if (!member) {
        throw new AwsError(
          'InvalidParameterValue',
          `${String(params.ReplicationGroupId)} in ${String(params.ReplicationGroupRegion)} is not a member of ${g.GlobalReplicationGroupId}.`,
        );
      }
      if (member.Role.toUpperCase() === 'PRIMARY') {
        throw new AwsError(
          'InvalidParameterValue',
          `The primary ${member.ReplicationGroupId} cannot be disassociated from ${g.GlobalReplicationGroupId}.`,
        );
      }
      // A datastore that is modifying (a failover under way) refuses other changes.
      if (g.Status !== 'available') {
        throw new AwsError(
          'InvalidGlobalReplicationGroupState',
          `Global replication group ${g.GlobalReplicationGroupId} is not in available state (${g.Status}).`,
        );
      }
      const rg = this.state(member.ReplicationGroupRegion).replicationGroups.get(member.ReplicationGroupId);
      g.Members = g.Members.filter((m) => m !== member);
      if (rg) rg.Status = 'modifying';
      this.schedule(this.settings.cacheDisassociateSeconds, () => {
        if (rg) {
          rg.Status = 'available';
          delete rg.GlobalReplicationGroupInfo;
        }
      });
      return { GlobalReplicationGroup: g };
    });
    def('elasticache', 'DescribeReplicationGroups', ({ region, params }) => {
      const id = params.ReplicationGroupId as string | undefined;
      const groups = this.state(region).replicationGroups;
      if (id && !groups.has(id)) {
        throw new AwsError('ReplicationGroupNotFoundFault', `Replication group ${id} not found.`, 404);
      }
      const all = id ? [groups.get(id)!] : [...groups.values()];
      const { items, token } = this.page(all, params, { token: 'Marker', limit: 'MaxRecords' });
      return { ReplicationGroups: items, ...(token ? { Marker: token } : {}) };
    });

    // Redshift Serverless: https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_RestoreFromSnapshot.html
    const namespace = (region: string, name: string) => {
      const found = this.state(region).namespaces.get(name);
      if (!found) throw new AwsError('ResourceNotFoundException', `Namespace ${name} not found.`, 404);
      return found;
    };
    const within = (at: Date | undefined, start: unknown, end: unknown) => {
      const t = at?.getTime() ?? 0;
      const bound = (v: unknown) =>
        v === undefined
          ? undefined
          : Object.prototype.toString.call(v) === '[object Date]'
            ? (v as Date).getTime()
            : Date.parse(String(v));
      const [from, to] = [bound(start), bound(end)];
      return (from === undefined || t >= from) && (to === undefined || t <= to);
    };
    def('redshift-serverless', 'ListSnapshots', ({ region, params }) => {
      const all = this.state(region).snapshots.filter(
        (s) =>
          (params.namespaceName === undefined || s.namespaceName === params.namespaceName) &&
          (params.namespaceArn === undefined || s.namespaceArn === params.namespaceArn) &&
          // startTime / endTime bound when the snapshot was created (API_ListSnapshots).
          within(s.snapshotCreateTime, params.startTime, params.endTime),
      );
      const { items, token } = this.page(all, params, { token: 'nextToken', limit: 'maxResults' });
      return { snapshots: items, ...(token ? { nextToken: token } : {}) };
    });
    def('redshift-serverless', 'ListRecoveryPoints', ({ region, params }) => {
      const all = this.state(region).recoveryPoints.filter(
        (p) =>
          (params.namespaceName === undefined || p.namespaceName === params.namespaceName) &&
          (params.namespaceArn === undefined || p.namespaceArn === params.namespaceArn),
      );
      const { items, token } = this.page(all, params, { token: 'nextToken', limit: 'maxResults' });
      return { recoveryPoints: items, ...(token ? { nextToken: token } : {}) };
    });
    def('redshift-serverless', 'ListNamespaces', ({ region, params }) => {
      const { items, token } = this.page([...this.state(region).namespaces.values()], params, {
        token: 'nextToken',
        limit: 'maxResults',
      });
      return { namespaces: items, ...(token ? { nextToken: token } : {}) };
    });
    def('redshift-serverless', 'ListWorkgroups', ({ region, params }) => {
      const { items, token } = this.page([...this.state(region).workgroups.values()], params, {
        token: 'nextToken',
        limit: 'maxResults',
      });
      return { workgroups: items, ...(token ? { nextToken: token } : {}) };
    });
    def('redshift-serverless', 'GetNamespace', ({ region, params }) => ({
      namespace: namespace(region, str(params, 'namespaceName')),
    }));
    def('redshift-serverless', 'GetWorkgroup', ({ region, params }) => {
      const name = str(params, 'workgroupName');
      const found = this.state(region).workgroups.get(name);
      if (!found) throw new AwsError('ResourceNotFoundException', `Workgroup ${name} not found.`, 404);
      return { workgroup: found };
    });
    const restore = (
      region: string,
      params: Params,
      source: { snapshotName?: string; recoveryPointId?: string },
    ) => {
      const ns = namespace(region, str(params, 'namespaceName'));
      if (ns.status !== 'AVAILABLE') {
        throw new AwsError(
          'ConflictException',
          `Namespace ${String(ns.namespaceName)} is not available (status ${String(ns.status)}).`,
        );
      }
      ns.status = 'MODIFYING';
      const record = { ...source, startedAt: this.now(), params: clone(params), done: false };
      this.restores.set(`${region}/${ns.namespaceName}`, record);
      this.schedule(this.settings.restoreSeconds, () => {
        ns.status = 'AVAILABLE';
        record.done = true;
      });
      return { namespace: ns, ...source };
    };
    // https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateSnapshot.html
    def('redshift-serverless', 'CreateSnapshot', ({ region, params }) => {
      const ns = namespace(region, str(params, 'namespaceName'));
      const name = str(params, 'snapshotName');
      if (this.state(region).snapshots.some((x) => x.snapshotName === name)) {
        throw new AwsError('ConflictException', `Snapshot ${name} already exists.`);
      }
      const snapshot: ServerlessSnapshot & { snapshotName: string } = {
        snapshotName: name,
        namespaceName: ns.namespaceName,
        namespaceArn: ns.namespaceArn,
        snapshotArn: `arn:aws:redshift-serverless:${region}:${this.accountId}:snapshot/${this.nextId('snap-')}`,
        snapshotCreateTime: this.now(),
        snapshotRetentionPeriod: params.retentionPeriod as number | undefined,
        ownerAccount: this.accountId,
        status: 'CREATING',
      };
      this.state(region).snapshots.push(snapshot);
      const tags = tagsOf(String(snapshot.snapshotArn));
      for (const t of (params.tags as { key: string; value: string }[]) ?? []) tags[t.key] = t.value;
      this.schedule(this.settings.snapshotSeconds, () => {
        snapshot.status = 'AVAILABLE';
      });
      return { snapshot };
    });
    def('redshift-serverless', 'GetSnapshot', ({ region, params }) => {
      const found = this.state(region).snapshots.find((x) => x.snapshotName === params.snapshotName);
      if (!found) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Snapshot ${String(params.snapshotName)} not found.`,
          404,
        );
      }
      return { snapshot: found };
    });
    def('redshift-serverless', 'RestoreFromSnapshot', ({ region, params }) => {
      const busy = this.state(region).snapshots.find(
        (x) => x.namespaceName === params.namespaceName && x.status === 'CREATING',
      );
      if (busy) {
        throw new AwsError(
          'ConflictException',
          `Namespace ${String(params.namespaceName)} has a snapshot in progress (${String(busy.snapshotName)}).`,
        );
      }
      const snapshot = this.state(region).snapshots.find(
        (s) =>
          (params.snapshotName !== undefined && s.snapshotName === params.snapshotName) ||
          (params.snapshotArn !== undefined && s.snapshotArn === params.snapshotArn),
      );
      if (!snapshot) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Snapshot ${String(params.snapshotName ?? params.snapshotArn)} not found.`,
          404,
        );
      }
      return {
        ...restore(region, params, { snapshotName: snapshot.snapshotName }),
        ownerAccount: this.accountId,
      };
    });
    def('redshift-serverless', 'RestoreFromRecoveryPoint', ({ region, params }) => {
      const point = this.state(region).recoveryPoints.find(
        (p) => p.recoveryPointId === params.recoveryPointId,
      );
      if (!point) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Recovery point ${String(params.recoveryPointId)} not found.`,
          404,
        );
      }
      return restore(region, params, { recoveryPointId: point.recoveryPointId });
    });

    // Redshift (provisioned), minimal.
    def('redshift', 'DescribeClusters', ({ region, params }) => {
      const id = params.ClusterIdentifier as string | undefined;
      const clusters = this.state(region).clusters;
      if (id && !clusters.has(id)) throw new AwsError('ClusterNotFound', `Cluster ${id} not found.`, 404);
      return { Clusters: id ? [clusters.get(id)] : [...clusters.values()] };
    });
    def('redshift', 'DescribeClusterSnapshots', ({ region, params }) => {
      const all = this.state(region).clusterSnapshots.filter(
        (s) =>
          (params.ClusterIdentifier === undefined || s.ClusterIdentifier === params.ClusterIdentifier) &&
          within(s.SnapshotCreateTime, params.StartTime, params.EndTime),
      );
      const { items, token } = this.page(all, params, { token: 'Marker', limit: 'MaxRecords' });
      return { Snapshots: items, ...(token ? { Marker: token } : {}) };
    });
    def('redshift', 'RestoreFromClusterSnapshot', ({ region, params }) => {
      const id = str(params, 'ClusterIdentifier');
      const snapshot = this.state(region).clusterSnapshots.find(
        (s) => s.SnapshotIdentifier === params.SnapshotIdentifier,
      );
      if (!snapshot) {
        throw new AwsError(
          'ClusterSnapshotNotFound',
          `Snapshot ${String(params.SnapshotIdentifier)} not found.`,
          404,
        );
      }
      if (this.state(region).clusters.has(id)) {
        throw new AwsError('ClusterAlreadyExists', `Cluster ${id} already exists.`);
      }
      // The request's settings as Cluster describes them (API_Cluster): roles and security groups as
      // their own structures, a managed admin password as the secret's ARN.
      const cluster: Cluster & { ClusterIdentifier: string } = {
        ClusterIdentifier: id,
        ClusterStatus: 'creating',
        NodeType: params.NodeType as string | undefined,
        NumberOfNodes: params.NumberOfNodes as number | undefined,
        ClusterSubnetGroupName: params.ClusterSubnetGroupName as string | undefined,
        PubliclyAccessible: params.PubliclyAccessible as boolean | undefined,
        EnhancedVpcRouting: params.EnhancedVpcRouting as boolean | undefined,
        VpcSecurityGroups: ((params.VpcSecurityGroupIds as string[] | undefined) ?? []).map((g) => ({
          VpcSecurityGroupId: g,
          Status: 'active',
        })),
        ClusterParameterGroups: params.ClusterParameterGroupName
          ? [
              {
                ParameterGroupName: String(params.ClusterParameterGroupName),
                ParameterApplyStatus: 'in-sync',
              },
            ]
          : [],
        IamRoles: ((params.IamRoles as string[] | undefined) ?? []).map((r) => ({
          IamRoleArn: r,
          ApplyStatus: 'in-sync',
        })),
        ...(params.ManageMasterPassword === true
          ? {
              MasterPasswordSecretArn: `arn:aws:secretsmanager:${region}:${this.accountId}:secret:redshift!${id}-admin`,
              MasterPasswordSecretKmsKeyId: params.MasterPasswordSecretKmsKeyId as string | undefined,
            }
          : {}),
        Endpoint: { Address: `${id}.abc.${region}.redshift.amazonaws.com`, Port: 5439 },
      };
      this.state(region).clusters.set(id, cluster);
      this.restoredFrom.set(`${region}/${id}`, snapshot.SnapshotIdentifier);
      this.schedule(this.settings.restoreSeconds, () => {
        cluster.ClusterStatus = 'available';
      });
      return { Cluster: cluster };
    });

    // SSM Parameter Store.
    def('ssm', 'GetParameter', ({ region, params }) => {
      const name = str(params, 'Name');
      const found = this.state(region).parameters.get(name);
      if (!found) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
      return { Parameter: { ...found, ARN: `arn:aws:ssm:${region}:${this.accountId}:parameter${name}` } };
    });
    def('ssm', 'GetParameters', ({ region, params }) => {
      const names = (params.Names as string[]) ?? [];
      const found = names.filter((n) => this.state(region).parameters.has(n));
      return {
        Parameters: found.map((n) => this.state(region).parameters.get(n)),
        InvalidParameters: names.filter((n) => !found.includes(n)),
      };
    });
    def('ssm', 'PutParameter', ({ region, params }) => {
      const name = str(params, 'Name');
      const existing = this.state(region).parameters.get(name);
      if (existing && params.Overwrite !== true) {
        throw new AwsError('ParameterAlreadyExists', `The parameter ${name} already exists.`);
      }
      const type = params.Type ?? existing?.Type;
      this.ssm.put(
        region,
        name,
        String(params.Value),
        type === 'SecureString' || type === 'StringList' ? type : 'String',
      );
      return { Version: this.state(region).parameters.get(name)!.Version, Tier: 'Standard' };
    });

    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameter.html (empty output)
    def('ssm', 'DeleteParameter', ({ region, params }) => {
      const name = str(params, 'Name');
      if (!this.state(region).parameters.delete(name))
        throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
      return {};
    });

    // EMR Serverless: https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_JobRun.html
    const application = (region: string, id: string) => {
      const found = this.state(region).applications.get(id);
      if (!found) throw new AwsError('ResourceNotFoundException', `Application ${id} does not exist.`, 404);
      return found;
    };
    // The application's summary (ListApplications) and a job run as JobRunSummary / JobRun describe them.
    const summaryOf = (app: EmrApplication) => ({
      id: app.applicationId,
      name: app.name,
      arn: app.arn,
      releaseLabel: app.releaseLabel,
      type: app.type,
      state: app.state,
      createdAt: app.createdAt,
      updatedAt: app.updatedAt,
      ...(app.architecture ? { architecture: app.architecture } : {}),
    });
    const setState = (app: EmrApplication, state: ApplicationState) => {
      app.state = state;
      app.updatedAt = this.now();
    };
    const runFields = (region: string, run: JobRun) => {
      const app = this.state(region).applications.get(run.applicationId);
      return {
        applicationId: run.applicationId,
        ...(run.name !== undefined ? { name: run.name } : {}),
        arn: `arn:aws:emr-serverless:${region}:${this.accountId}:/applications/${run.applicationId}/jobruns/${run.id}`,
        createdBy: `arn:aws:sts::${this.accountId}:assumed-role/submit-job/session`,
        createdAt: run.createdAt ?? this.now(),
        updatedAt: this.now(),
        executionRole: run.executionRole ?? `arn:aws:iam::${this.accountId}:role/spark-job`,
        state: run.state,
        stateDetails: '',
        releaseLabel: app?.releaseLabel ?? 'emr-7.5.0',
        ...(run.mode ? { mode: run.mode } : {}),
      };
    };
    def('emr-serverless', 'ListApplications', ({ region, params }) => {
      const states = params.states as string[] | undefined;
      const all = [...this.state(region).applications.values()].filter(
        (a) => !states || states.includes(String(a.state)),
      );
      const { items, token } = this.page(all, params, { token: 'nextToken', limit: 'maxResults' });
      return { applications: items.map(summaryOf), ...(token ? { nextToken: token } : {}) };
    });
    def('emr-serverless', 'GetApplication', ({ region, params }) => ({
      application: application(region, str(params, 'applicationId')),
    }));
    def('emr-serverless', 'StartApplication', ({ region, params }) => {
      const app = application(region, str(params, 'applicationId'));
      if (app.state === 'TERMINATED') {
        throw new AwsError('ValidationException', `Application ${app.applicationId} is terminated.`);
      }
      if (app.state === 'CREATED' || app.state === 'STOPPED') {
        setState(app, 'STARTING');
        this.schedule(this.settings.sparkStartSeconds, () => setState(app, 'STARTED'));
      }
      return {};
    });
    def('emr-serverless', 'StopApplication', ({ region, params }) => {
      const app = application(region, str(params, 'applicationId'));
      if (app.state === 'STARTED' || app.state === 'STARTING') {
        setState(app, 'STOPPING');
        this.schedule(this.settings.sparkStopSeconds, () => setState(app, 'STOPPED'));
      }
      return {};
    });
    def('emr-serverless', 'ListJobRuns', ({ region, params }) => {
      const appId = str(params, 'applicationId');
      application(region, appId);
      const states = params.states as string[] | undefined;
      const all = this.state(region).jobRuns.filter(
        (r) => r.applicationId === appId && (!states || states.includes(r.state)),
      );
      const { items, token } = this.page(all, params, { token: 'nextToken', limit: 'maxResults' });
      return {
        jobRuns: items.map((r) => ({ id: r.id, ...runFields(region, r), type: 'Spark' })),
        ...(token ? { nextToken: token } : {}),
      };
    });
    def('emr-serverless', 'GetJobRun', ({ region, params }) => {
      const run = this.state(region).jobRuns.find(
        (r) => r.applicationId === params.applicationId && r.id === params.jobRunId,
      );
      if (!run)
        throw new AwsError('ResourceNotFoundException', `Job run ${String(params.jobRunId)} not found.`, 404);
      return {
        jobRun: {
          jobRunId: run.id,
          ...runFields(region, run),
          jobDriver: run.jobDriver ?? {
            sparkSubmit: { entryPoint: `s3://artifacts/jobs/${run.name ?? run.id}.py` },
          },
        },
      };
    });
    // https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_UpdateApplication.html
    def('emr-serverless', 'UpdateApplication', ({ region, params }) => {
      const app = application(region, str(params, 'applicationId'));
      if (app.state !== 'CREATED' && app.state !== 'STOPPED') {
        throw new AwsError(
          'ValidationException',
          `Application ${app.applicationId} is ${app.state}; it can be updated only when CREATED or STOPPED.`,
        );
      }
      const auto = params.autoStartConfiguration as { enabled?: boolean } | undefined;
      if (auto !== undefined) app.autoStartConfiguration = { enabled: auto.enabled };
      app.updatedAt = this.now();
      return { application: app };
    });
    def('emr-serverless', 'StartJobRun', ({ region, params }) => {
      const app = application(region, str(params, 'applicationId'));
      // A submission starts a CREATED or STOPPED application while auto-start is on, the default (API_AutoStartConfig).
      if (app.state === 'CREATED' || app.state === 'STOPPED') {
        const auto = app.autoStartConfiguration?.enabled ?? true;
        if (!auto) {
          throw new AwsError(
            'ValidationException',
            `Application ${app.applicationId} is ${app.state} and auto-start is disabled.`,
          );
        }
        setState(app, 'STARTING');
        this.schedule(this.settings.sparkStartSeconds, () => setState(app, 'STARTED'));
      }
      const id = this.emrServerless.addJobRun(region, {
        applicationId: app.applicationId,
        name: params.name as string | undefined,
        state: 'SUBMITTED',
        executionRole: params.executionRoleArn as string | undefined,
        jobDriver: params.jobDriver as JobDriver | undefined,
        mode: params.mode as JobRunMode | undefined,
      });
      const run = this.state(region).jobRuns.find((r) => r.id === id)!;
      this.schedule(30, () => {
        if (run.state === 'SUBMITTED') run.state = 'RUNNING';
      });
      return { applicationId: app.applicationId, jobRunId: id, arn: `${app.arn}/jobruns/${id}` };
    });
    def('emr-serverless', 'CancelJobRun', ({ region, params }) => {
      const run = this.state(region).jobRuns.find(
        (r) => r.applicationId === params.applicationId && r.id === params.jobRunId,
      );
      if (!run)
        throw new AwsError('ResourceNotFoundException', `Job run ${String(params.jobRunId)} not found.`, 404);
      if (['SUCCESS', 'FAILED', 'CANCELLED'].includes(run.state)) {
        throw new AwsError('ValidationException', `Job run ${run.id} is already ${run.state}.`);
      }
      run.state = 'CANCELLING';
      this.schedule(this.settings.jobCancelSeconds, () => {
        run.state = 'CANCELLED';
      });
      return { applicationId: run.applicationId, jobRunId: run.id };
    });

    // Lambda Invoke: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
    def('lambda', 'Invoke', async ({ world, region, params }) => {
      const name = str(params, 'FunctionName');
      const fn =
        this.state(region).lambdas.get(name.split(':').pop()!) ?? this.state(region).lambdas.get(name);
      if (!fn) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Function not found: arn:aws:lambda:${region}:${this.accountId}:function:${name}`,
          404,
        );
      }
      if (this.state(region).concurrency.get(name.split(':').pop()!) === 0) {
        // Reserved concurrency 0 throttles every invocation (API_PutFunctionConcurrency).
        throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429);
      }
      const raw = params.Payload;
      const event = raw === undefined || raw === '' ? {} : typeof raw === 'string' ? JSON.parse(raw) : raw;
      const asyncInvoke = params.InvocationType === 'Event';
      try {
        const result = await fn(event, { region, world });
        return {
          StatusCode: asyncInvoke ? 202 : 200,
          Payload: asyncInvoke ? '' : JSON.stringify(result ?? null),
        };
      } catch (error) {
        const e = error as Error;
        return {
          StatusCode: 200,
          FunctionError: 'Unhandled',
          Payload: JSON.stringify({ errorType: e.name ?? 'Error', errorMessage: e.message ?? String(error) }),
        };
      }
    });

    // https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
    const lambdaName = (region: string, params: Params) => {
      const name = str(params, 'FunctionName').split(':').pop()!;
      if (!this.state(region).lambdas.has(name)) {
        throw new AwsError('ResourceNotFoundException', `Function not found: ${name}`, 404);
      }
      return name;
    };
    def('lambda', 'PutFunctionConcurrency', ({ region, params }) => {
      const reserved = Number(params.ReservedConcurrentExecutions);
      this.state(region).concurrency.set(lambdaName(region, params), reserved);
      return { ReservedConcurrentExecutions: reserved };
    });
    def('lambda', 'DeleteFunctionConcurrency', ({ region, params }) => {
      this.state(region).concurrency.delete(lambdaName(region, params));
      return {};
    });
    def('lambda', 'GetFunctionConcurrency', ({ region, params }) => {
      const reserved = this.state(region).concurrency.get(lambdaName(region, params));
      return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
    });

    // Tags: Redshift Serverless ({key, value}) and RDS ({Key, Value}) spellings, by ARN.
    const tagsOf = (arn: string) => {
      let found = this.tags.get(arn);
      if (!found) {
        found = {};
        this.tags.set(arn, found);
      }
      return found;
    };
    def('redshift-serverless', 'TagResource', ({ params }) => {
      const tags = tagsOf(str(params, 'resourceArn'));
      for (const t of (params.tags as { key: string; value: string }[]) ?? []) tags[t.key] = t.value;
      return {};
    });
    def('redshift-serverless', 'UntagResource', ({ params }) => {
      const tags = tagsOf(str(params, 'resourceArn'));
      for (const k of (params.tagKeys as string[]) ?? []) delete tags[k];
      return {};
    });
    def('redshift-serverless', 'ListTagsForResource', ({ params }) => ({
      tags: Object.entries(tagsOf(str(params, 'resourceArn'))).map(([key, value]) => ({ key, value })),
    }));
    def('rds', 'AddTagsToResource', ({ params }) => {
      const tags = tagsOf(str(params, 'ResourceName'));
      for (const t of (params.Tags as { Key: string; Value: string }[]) ?? []) tags[t.Key] = t.Value;
      return {};
    });
    def('rds', 'ListTagsForResource', ({ params }) => ({
      TagList: Object.entries(tagsOf(str(params, 'ResourceName'))).map(([Key, Value]) => ({ Key, Value })),
    }));

    // KMS DescribeKey: any alias or key id names a key of its region (the fake does not hold keys).
    def('kms', 'DescribeKey', ({ region, params }) => {
      const id = str(params, 'KeyId');
      const keyId = `key-${Buffer.from(`${region}|${id}`).toString('hex').slice(-12)}`;
      return {
        KeyMetadata: {
          KeyId: keyId,
          Arn: `arn:aws:kms:${region}:${this.accountId}:key/${keyId}`,
          Enabled: true,
          KeyState: 'Enabled',
          KeyManager: 'CUSTOMER',
        },
      };
    });

    // SSM StartAutomationExecution: recorded; world.on('ssm', 'StartAutomationExecution', ...) can run it.
    def('ssm', 'StartAutomationExecution', ({ region, params }) => {
      const id = `${this.nextId('')}-auto`;
      this.automationsStarted.push({
        region,
        DocumentName: str(params, 'DocumentName'),
        Parameters: params.Parameters,
        id,
      });
      return { AutomationExecutionId: id };
    });

    // SSM GetAutomationExecution: an execution the executor runs or ran, in its region
    // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetAutomationExecution.html).
    def('ssm', 'GetAutomationExecution', ({ region, params }) => {
      const id = str(params, 'AutomationExecutionId');
      const found = this.automationExecutions.get(id);
      if (!found || found.region !== region)
        throw new AwsError('AutomationExecutionNotFoundException', `Automation execution ${id} not found.`);
      return { AutomationExecution: found.describe() };
    });

    def('sts', 'GetCallerIdentity', () => ({
      Account: this.accountId,
      Arn: `arn:aws:sts::${this.accountId}:assumed-role/automation/session`,
      UserId: 'AROATEST:session',
    }));

    // CloudWatch PutMetricData: recorded.
    def('cloudwatch', 'PutMetricData', ({ region, params }) => {
      this.metricData.push({ region, at: this.clockSeconds, ...params });
      return {};
    });

    // SNS Publish (recorded).
    def('sns', 'Publish', ({ region, params }) => {
      this.published.push({
        region,
        TopicArn: str(params, 'TopicArn'),
        Subject: params.Subject as string | undefined,
        Message: str(params, 'Message'),
        at: this.clockSeconds,
      });
      return { MessageId: this.nextId('msg-') };
    });

    // CloudWatch: datapoints from the registered value function, one per period.
    // One datapoint per period that has begun. The value function is read where the statistic would find it
    // for a value that only grows or shrinks within a period: Maximum at the period's end (or now), Minimum at
    // its start, anything else in the middle.
    const datapoints = (
      region: string,
      metric: Params,
      start: Date,
      end: Date,
      period: number,
      stat: string,
    ) => {
      const dims = (metric.Dimensions as { Name: string; Value: string }[] | undefined) ?? [];
      const fn = this.state(region).metrics.get(
        metricKey(String(metric.Namespace), String(metric.MetricName), dims),
      );
      const points: { at: Date; value: number }[] = [];
      if (!fn) return points;
      const first = Math.ceil(start.getTime() / 1000 / period) * period;
      for (let t = first; t < end.getTime() / 1000 && t <= this.clockSeconds; t += period) {
        const last = Math.min(t + period, this.clockSeconds);
        const read = stat === 'Maximum' ? last : stat === 'Minimum' ? t : (t + last) / 2;
        const value = fn(new Date(read * 1000));
        if (value !== undefined) points.push({ at: new Date(t * 1000), value });
      }
      return points;
    };
    const asDate = (v: unknown) =>
      Object.prototype.toString.call(v) === '[object Date]' ? (v as Date) : new Date(String(v));
    def('cloudwatch', 'GetMetricData', ({ region, params }) => {
      const queries = (params.MetricDataQueries as Params[]) ?? [];
      const start = asDate(params.StartTime);
      const end = asDate(params.EndTime);
      const result = (id: unknown, label: string, metric: Params, period: number, stat: string) => {
        let points = datapoints(region, metric, start, end, period, stat);
        if (params.ScanBy !== 'TimestampAscending') points = points.reverse();
        return {
          Id: id,
          Label: label,
          Timestamps: points.map((p) => p.at),
          Values: points.map((p) => p.value),
          StatusCode: 'Complete',
        };
      };
      return {
        MetricDataResults: queries
          .filter((q) => q.ReturnData !== false)
          .flatMap((q) => {
            const stat = q.MetricStat as Params | undefined;
            if (stat) {
              const metric = stat.Metric as Params;
              return [
                result(
                  q.Id,
                  String(metric.MetricName),
                  metric,
                  Number(stat.Period ?? 60),
                  String(stat.Stat ?? 'Average'),
                ),
              ];
            }
            // A SEARCH expression: one result per matching series, each under the query's id
            // (CloudWatch user guide, search-expression-syntax.html; API reference, MetricDataResult).
            const search = parseSearch(String(q.Expression ?? ''));
            if (!search) {
              throw new UnknownOperation(
                `The fake GetMetricData answers MetricStat queries and SEARCH('{Namespace,Dim,...} MetricName="..." Dim="..."', 'Stat', Period) only (query ${String(q.Id)}: ${String(q.Expression)}).`,
              );
            }
            return [...this.state(region).metrics.keys()].flatMap((key) => {
              const [namespace, name, dimText] = key.split('|');
              const dims = dimText ? dimText.split(',').map((d) => d.split('=')) : [];
              const names = dims.map(([n]) => n).sort();
              const matches =
                (search.namespace === undefined || namespace === search.namespace) &&
                (search.dimensions === undefined ||
                  names.join(',') === [...search.dimensions].sort().join(',')) &&
                Object.entries(search.equals).every(([k, v]) =>
                  k === 'MetricName'
                    ? name === v
                    : k === 'Namespace'
                      ? namespace === v
                      : dims.some(([n, dv]) => n === k && dv === v),
                );
              if (!matches) return [];
              const metric = {
                Namespace: namespace,
                MetricName: name,
                Dimensions: dims.map(([Name, Value]) => ({ Name, Value })),
              };
              // The label is unverified: CloudWatch labels each series by what tells it apart; here the
              // values of the dimensions the expression does not fix.
              const label = dims
                .filter(([n]) => !(n in search.equals))
                .map(([, v]) => v)
                .join(' ');
              return [result(q.Id, label || name, metric, search.period, search.stat)];
            });
          }),
      };
    });
    def('cloudwatch', 'GetMetricStatistics', ({ region, params }) => {
      const stats = (params.Statistics as string[] | undefined) ?? ['Average'];
      const byStat = stats.map((stat) =>
        datapoints(
          region,
          params,
          asDate(params.StartTime),
          asDate(params.EndTime),
          Number(params.Period),
          stat,
        ),
      );
      return {
        Label: params.MetricName,
        Datapoints: (byStat[0] ?? []).map((p, i) => ({
          Timestamp: p.at,
          ...Object.fromEntries(stats.map((s, j) => [s, byStat[j][i]?.value])),
          Unit: 'Seconds',
        })),
      };
    });

    // S3 replication (the bucket's own region must answer too).
    const bucket = (params: Params) => {
      const name = str(params, 'Bucket');
      const found = this.buckets.get(name);
      if (!found) throw new AwsError('NoSuchBucket', `The specified bucket does not exist: ${name}`, 404);
      const out = this.outages.get(found.region);
      if (out)
        throw new ConnectionFailure(out, found.region, `https://${name}.s3.${found.region}.amazonaws.com/`);
      return found;
    };
    def('s3', 'GetBucketReplication', ({ params }) => {
      const b = bucket(params);
      if (!b.replication) {
        throw new AwsError(
          'ReplicationConfigurationNotFoundError',
          'The replication configuration was not found',
          404,
        );
      }
      return { ReplicationConfiguration: b.replication };
    });
    def('s3', 'PutBucketReplication', ({ params }) => {
      // Checked against the model before it got here (FakeWorld.call).
      bucket(params).replication = params.ReplicationConfiguration as ReplicationConfiguration;
      return {};
    });
    def('s3', 'DeleteBucketReplication', ({ params }) => {
      bucket(params).replication = undefined;
      return {};
    });

    // MSK Replicator: https://docs.aws.amazon.com/msk/1.0/apireference/v1-replicators.html
    const replicator = (region: string, arn: unknown) => {
      const found = this.state(region).replicators.find((r) => r.ReplicatorArn === arn);
      if (!found) throw new AwsError('NotFoundException', `Replicator ${String(arn)} not found.`, 404);
      return found;
    };
    def('kafka', 'DeleteReplicator', ({ region, params }) => {
      const found = replicator(region, params.ReplicatorArn);
      if (found.ReplicatorState !== 'DELETING') {
        found.ReplicatorState = 'DELETING';
        this.schedule(this.settings.replicatorDeleteSeconds, () => {
          const list = this.state(region).replicators;
          list.splice(list.indexOf(found), 1);
        });
      }
      return { ReplicatorArn: found.ReplicatorArn, ReplicatorState: 'DELETING' };
    });

    // MSK Replicator: ListReplicators answers ReplicatorSummary, filtered by name prefix
    // ("Returns replicators starting with given name", API ListReplicators).
    def('kafka', 'ListReplicators', ({ region, params }) => {
      const prefix = (params.ReplicatorNameFilter as string | undefined) ?? '';
      const all = this.state(region).replicators.filter((r) => r.ReplicatorName.startsWith(prefix));
      const { items, token } = this.page(all, params, { token: 'NextToken', limit: 'MaxResults' });
      return {
        Replicators: items.map((r) => ({
          ReplicatorArn: r.ReplicatorArn,
          ReplicatorName: r.ReplicatorName,
          ReplicatorState: r.ReplicatorState,
          CurrentVersion: r.CurrentVersion,
          CreationTime: r.CreationTime,
          IsReplicatorReference: r.IsReplicatorReference,
          ReplicatorResourceArn: r.ReplicatorArn,
          KafkaClustersSummary: (r.KafkaClusters ?? []).map((c) => ({
            AmazonMskCluster: c.AmazonMskCluster,
            KafkaClusterAlias: c.KafkaClusterAlias,
          })),
          ReplicationInfoSummaryList: (r.ReplicationInfoList ?? []).map((i) => ({
            SourceKafkaClusterAlias: i.SourceKafkaClusterAlias,
            TargetKafkaClusterAlias: i.TargetKafkaClusterAlias,
          })),
        })),
        ...(token ? { NextToken: token } : {}),
      };
    });
    def('kafka', 'DescribeReplicator', ({ region, params }) => {
      const found = this.state(region).replicators.find((r) => r.ReplicatorArn === params.ReplicatorArn);
      if (!found)
        throw new AwsError('NotFoundException', `Replicator ${String(params.ReplicatorArn)} not found.`, 404);
      return found;
    });

    // MSK: https://docs.aws.amazon.com/msk/1.0/apireference/clusters-v2-clusterarn.html
    def('kafka', 'DescribeClusterV2', ({ region, params }) => {
      const found = this.state(region).kafkaClusters.get(str(params, 'ClusterArn'));
      if (!found)
        throw new AwsError('NotFoundException', `Cluster ${String(params.ClusterArn)} not found.`, 404);
      return { ClusterInfo: found };
    });

    // Glue GetTables (a page of the database's tables) and Athena GetWorkGroup.
    def('glue', 'GetTables', ({ region, params }) => {
      const name = str(params, 'DatabaseName');
      const tables = this.state(region).databases.get(name);
      if (!tables) throw new AwsError('EntityNotFoundException', `Database ${name} not found.`);
      const { items, token } = this.page(tables, params, { token: 'NextToken', limit: 'MaxResults' });
      return { TableList: items, ...(token ? { NextToken: token } : {}) };
    });
    def('athena', 'GetWorkGroup', ({ region, params }) => {
      const name = str(params, 'WorkGroup');
      const found = this.state(region).workGroups.get(name);
      if (!found) throw new AwsError('InvalidRequestException', `WorkGroup ${name} is not found.`);
      return { WorkGroup: found };
    });
  }
}
