import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { loadConfig } from '../../config';
import { classifyError } from '../../lambda/readiness/outcome';
import { type AutomationContent, type FakeWorld, runAutomation, stepOf } from './automation';
import { platformWorld } from './automation/platform';
import { answeredByWorld } from './automation/sdk-world';
import { ModelViolation } from './aws-model';

/**
 * The fake AWS world may not invent AWS (issue 21): every call it answers and
 * every answer it gives is checked against the installed SDK clients' models
 * (test/support/aws-model.ts). These tests make the world answer every
 * operation it offers, through the state changes it simulates, and show that
 * a call or an answer outside the model fails the test however a step handles it.
 */
const W = 'us-east-1';
const S = 'us-west-2';
const ACCOUNT = '111111111111';
const prod = loadConfig('prod');

type Answer = Record<string, any>;

/** Calls the world and records the operation; throws (failing the test) on a model violation. */
function caller(world: FakeWorld, done: Set<string>) {
  return async (region: string, service: string, operation: string, params: Record<string, unknown> = {}) => {
    const answer = (await world.call(region, service, operation, params)) as Answer;
    done.add(`${service} ${operation}`);
    return answer;
  };
}

describe('the fake AWS world, against the AWS models', () => {
  it('answers every operation it offers as the SDK model declares, before and after the changes it simulates', async () => {
    const { world } = platformWorld(prod);
    const provisioned = platformWorld({ ...prod, redshift: { ...prod.redshift, mode: 'provisioned' } }).world;
    const done = new Set<string>();
    const call = caller(world, done);
    const later = async (check: () => Promise<unknown>) => {
      world.advance(3600);
      await check();
    };

    // RDS: a replica promoted, made Multi-AZ, rebooted; tags on its ARN.
    const db = { DBInstanceIdentifier: 'dra-prod-postgres' };
    const replica = (await call(S, 'rds', 'DescribeDBInstances', db)).DBInstances[0];
    await call(S, 'rds', 'AddTagsToResource', {
      ResourceName: replica.DBInstanceArn,
      Tags: [{ Key: 'dra:switch', Value: 's-1' }],
    });
    await call(S, 'rds', 'ListTagsForResource', { ResourceName: replica.DBInstanceArn });
    await call(S, 'rds', 'PromoteReadReplica', db);
    await later(() => call(S, 'rds', 'DescribeDBInstances', {}));
    await call(S, 'rds', 'ModifyDBInstance', { ...db, MultiAZ: true, ApplyImmediately: true });
    await call(S, 'rds', 'DescribeDBInstances', db);
    await later(() => call(S, 'rds', 'RebootDBInstance', db));
    await call(S, 'rds', 'DescribeDBInstances', db);

    // ElastiCache: the Global Datastore fails over to the standby, then the old primary leaves it.
    const gid = { GlobalReplicationGroupId: 'ldgnf-dra-prod-cache' };
    await call(W, 'elasticache', 'DescribeGlobalReplicationGroups', { ...gid, ShowMemberInfo: true });
    await call(W, 'elasticache', 'DescribeGlobalReplicationGroups', {});
    await call(S, 'elasticache', 'DescribeReplicationGroups', { ReplicationGroupId: 'dra-prod-cache' });
    await call(S, 'elasticache', 'FailoverGlobalReplicationGroup', {
      ...gid,
      PrimaryRegion: S,
      PrimaryReplicationGroupId: 'dra-prod-cache',
    });
    await later(() =>
      call(S, 'elasticache', 'DisassociateGlobalReplicationGroup', {
        ...gid,
        ReplicationGroupId: 'dra-prod-cache',
        ReplicationGroupRegion: W,
      }),
    );
    await later(() => call(W, 'elasticache', 'DescribeReplicationGroups', {}));

    // Redshift Serverless: snapshots, tags, restores from a snapshot and from a recovery point.
    const ns = { namespaceName: 'dra-prod-warehouse' };
    await call(S, 'redshift-serverless', 'ListNamespaces', {});
    await call(S, 'redshift-serverless', 'ListWorkgroups', {});
    const namespace = (await call(S, 'redshift-serverless', 'GetNamespace', ns)).namespace;
    await call(S, 'redshift-serverless', 'GetWorkgroup', { workgroupName: 'dra-prod-warehouse' });
    const copies = (await call(S, 'redshift-serverless', 'ListSnapshots', ns)).snapshots;
    await call(W, 'redshift-serverless', 'CreateSnapshot', {
      ...ns,
      snapshotName: 'kept',
      retentionPeriod: 35,
      tags: [{ key: 'dra:kept-before', value: 'x' }],
    });
    await call(W, 'redshift-serverless', 'GetSnapshot', { snapshotName: 'kept' });
    const arn = { resourceArn: namespace.namespaceArn };
    await call(S, 'redshift-serverless', 'TagResource', { ...arn, tags: [{ key: 'k', value: 'v' }] });
    await call(S, 'redshift-serverless', 'UntagResource', { ...arn, tagKeys: ['k'] });
    await call(S, 'redshift-serverless', 'ListTagsForResource', arn);
    await call(S, 'redshift-serverless', 'RestoreFromSnapshot', {
      ...ns,
      workgroupName: 'dra-prod-warehouse',
      snapshotName: copies[0].snapshotName,
    });
    await call(S, 'redshift-serverless', 'GetNamespace', ns);
    world.advance(3600);
    world.redshiftServerless.addRecoveryPoint(S, { ...ns, recoveryPointCreateTime: world.now() });
    const points = (await call(S, 'redshift-serverless', 'ListRecoveryPoints', ns)).recoveryPoints;
    await call(S, 'redshift-serverless', 'RestoreFromRecoveryPoint', {
      ...ns,
      workgroupName: 'dra-prod-warehouse',
      recoveryPointId: points[0].recoveryPointId,
    });

    // Redshift (provisioned): the newest copied snapshot restored into a new cluster.
    const callProvisioned = caller(provisioned, done);
    const cluster = { ClusterIdentifier: 'dra-prod-warehouse' };
    const idle = (await callProvisioned(S, 'redshift', 'DescribeClusters', cluster)).Clusters[0];
    const snapshots = (await callProvisioned(S, 'redshift', 'DescribeClusterSnapshots', cluster)).Snapshots;
    await callProvisioned(S, 'redshift', 'RestoreFromClusterSnapshot', {
      ClusterIdentifier: 'dra-prod-warehouse-g1',
      SnapshotIdentifier: snapshots[0].SnapshotIdentifier,
      ClusterSubnetGroupName: idle.ClusterSubnetGroupName,
      VpcSecurityGroupIds: ['sg-1'],
      ClusterParameterGroupName: 'params',
      IamRoles: [`arn:aws:iam::${ACCOUNT}:role/spectrum`],
      NodeType: idle.NodeType,
      NumberOfNodes: idle.NumberOfNodes,
      ManageMasterPassword: true,
      MasterPasswordSecretKmsKeyId: 'alias/dra/prod/data',
    });
    provisioned.advance(3600);
    await callProvisioned(S, 'redshift', 'DescribeClusters', {});

    // SSM.
    const record = '/dra/prod/active-region';
    await call(W, 'ssm', 'GetParameter', { Name: record });
    await call(W, 'ssm', 'GetParameters', { Names: [record, '/dra/prod/missing'] });
    await call(S, 'ssm', 'PutParameter', { Name: record, Value: S, Type: 'String', Overwrite: true });
    await call(S, 'ssm', 'PutParameter', {
      Name: '/dra/prod/switch-in-progress',
      Value: '{}',
      Type: 'String',
    });
    await call(S, 'ssm', 'DeleteParameter', { Name: '/dra/prod/switch-in-progress' });
    await call(W, 'ssm', 'StartAutomationExecution', { DocumentName: 'dra-prod-fence' });
    // An execution the executor ran, as the failover's fence wait and the fence's Report read it.
    world.automationExecutions.set('00000000-0000-4000-8000-0000000000fe', {
      region: W,
      describe: () => ({
        AutomationExecutionId: '00000000-0000-4000-8000-0000000000fe',
        DocumentName: 'dra-prod-fence',
        AutomationExecutionStatus: 'InProgress',
        StepExecutions: [
          { StepName: 'DisableReplication', StepStatus: 'Success', Outputs: { Ok: ['true'] } },
        ],
      }),
    });
    await call(W, 'ssm', 'GetAutomationExecution', {
      AutomationExecutionId: '00000000-0000-4000-8000-0000000000fe',
    });

    // EMR Serverless: the writer's runs cancelled and its application stopped without auto-start;
    // the standby's started and a job submitted.
    const apps = async (region: string) =>
      (await call(region, 'emr-serverless', 'ListApplications', {})).applications[0].id as string;
    const [writerApp, standbyApp] = [await apps(W), await apps(S)];
    await call(W, 'emr-serverless', 'GetApplication', { applicationId: writerApp });
    const runs = (await call(W, 'emr-serverless', 'ListJobRuns', { applicationId: writerApp })).jobRuns;
    await call(W, 'emr-serverless', 'GetJobRun', { applicationId: writerApp, jobRunId: runs[0].id });
    await call(W, 'emr-serverless', 'CancelJobRun', { applicationId: writerApp, jobRunId: runs[0].id });
    await call(W, 'emr-serverless', 'StopApplication', { applicationId: writerApp });
    await later(() =>
      call(W, 'emr-serverless', 'UpdateApplication', {
        applicationId: writerApp,
        autoStartConfiguration: { enabled: false },
      }),
    );
    await call(S, 'emr-serverless', 'StartApplication', { applicationId: standbyApp });
    const started = await call(S, 'emr-serverless', 'StartJobRun', {
      applicationId: standbyApp,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/spark-job`,
      jobDriver: { sparkSubmit: { entryPoint: 's3://artifacts/jobs/04.py' } },
      name: '04-stream-sales-to-kafka',
      mode: 'STREAMING',
    });
    await later(() =>
      call(S, 'emr-serverless', 'GetJobRun', { applicationId: standbyApp, jobRunId: started.jobRunId }),
    );
    await call(S, 'emr-serverless', 'ListJobRuns', { applicationId: standbyApp, states: ['RUNNING'] });

    // Lambda.
    const fn = { FunctionName: 'dra-prod-submit-job' };
    await call(S, 'lambda', 'Invoke', {
      ...fn,
      Payload: JSON.stringify({ job: '04-stream-sales-to-kafka' }),
    });
    await call(S, 'lambda', 'PutFunctionConcurrency', { ...fn, ReservedConcurrentExecutions: 0 });
    await call(S, 'lambda', 'GetFunctionConcurrency', fn);
    await call(S, 'lambda', 'DeleteFunctionConcurrency', fn);

    // KMS, STS, SNS.
    await call(S, 'kms', 'DescribeKey', { KeyId: 'alias/dra/prod/data' });
    await call(S, 'sts', 'GetCallerIdentity', {});
    await call(S, 'sns', 'Publish', { TopicArn: `arn:aws:sns:${S}:${ACCOUNT}:alarms`, Message: 'hello' });

    // CloudWatch.
    const metric = {
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'dra-prod-postgres' }],
    };
    world.cloudwatch.set(S, metric, () => 3);
    const window = { StartTime: new Date(world.now().getTime() - 600_000), EndTime: world.now() };
    await call(S, 'cloudwatch', 'GetMetricData', {
      ...window,
      MetricDataQueries: [{ Id: 'lag', MetricStat: { Metric: metric, Period: 60, Stat: 'Maximum' } }],
      ScanBy: 'TimestampDescending',
    });
    await call(S, 'cloudwatch', 'GetMetricStatistics', {
      ...metric,
      ...window,
      Period: 60,
      Statistics: ['Maximum', 'Average'],
    });
    await call(S, 'cloudwatch', 'PutMetricData', {
      Namespace: 'dra/drill',
      MetricData: [{ MetricName: 'RtoSeconds', Value: 600, Unit: 'Seconds' }],
    });

    // S3 replication.
    const bucket = { Bucket: `dra-prod-raw-${ACCOUNT}-${W}` };
    const replication = (await call(W, 's3', 'GetBucketReplication', bucket)).ReplicationConfiguration;
    await call(W, 's3', 'PutBucketReplication', {
      ...bucket,
      ReplicationConfiguration: {
        ...replication,
        Rules: replication.Rules.map((r: Answer) => ({ ...r, Status: 'Disabled' })),
      },
    });
    await call(W, 's3', 'DeleteBucketReplication', bucket);

    // MSK Replicator, described, deleted and described while deleting.
    const replicators = (
      await call(S, 'kafka', 'ListReplicators', { ReplicatorNameFilter: 'dra-prod-msk-replicator' })
    ).Replicators;
    const replicator = { ReplicatorArn: replicators[0].ReplicatorArn };
    await call(S, 'kafka', 'DescribeReplicator', replicator);
    await call(S, 'kafka', 'DeleteReplicator', replicator);
    await call(S, 'kafka', 'DescribeReplicator', replicator);

    // What the readiness function reads besides: the MSK cluster, the catalog and the workgroups.
    const clusterArn = world.ssm.value(S, '/dra/prod/msk/cluster-arn');
    await call(S, 'kafka', 'DescribeClusterV2', { ClusterArn: clusterArn });
    await call(S, 'glue', 'GetTables', { DatabaseName: 'tickit_demo', MaxResults: 100 });
    await call(S, 'athena', 'GetWorkGroup', { WorkGroup: 'dra-prod-analysts' });

    expect(world.violations).toEqual([]);
    expect(provisioned.violations).toEqual([]);
    // Every operation the world offers was answered here at least once.
    expect(world.operations().filter((op) => !done.has(op))).toEqual([]);
  });

  const pyStep = (script: string): AutomationContent => ({
    schemaVersion: '0.3',
    description: 'test',
    mainSteps: [
      {
        name: 'Step',
        action: 'aws:executeScript',
        inputs: { Runtime: 'python3.11', Handler: 'handler', Script: script, InputPayload: {} },
        outputs: [{ Name: 'Caught', Selector: '$.Payload.Caught', Type: 'String' }],
      },
    ],
  });

  it('refuses a call outside the model as boto3 does (ParamValidationError), and fails the test even when the step catches it', async () => {
    const { world } = platformWorld(prod);
    const script = `import boto3
from botocore.exceptions import ParamValidationError

def handler(events, context):
    try:
        boto3.client("rds").promote_read_replica(DBInstanceIdentifier="dra-prod-postgres", SkipBackup=True)
    except ParamValidationError as error:
        return {"Caught": str(error)}
    return {"Caught": "nothing"}
`;
    await expect(runAutomation(pyStep(script), { region: S, world })).rejects.toThrow(
      /rds PromoteReadReplica request does not follow the AWS model .*\n {2}- SkipBackup: PromoteReadReplicaMessage has no member SkipBackup/,
    );
    expect(world.violations[0]).toBeInstanceOf(ModelViolation);
    // Refused before it reached the fake: nothing was promoted.
    expect(world.rds.get(S, 'dra-prod-postgres')?.ReadReplicaSourceDBInstanceIdentifier).toBeDefined();
  });

  it("fails the test on an answer outside the model (a test's own handler inventing a member), naming the operation, the path and the fix", async () => {
    const { world } = platformWorld(prod);
    world.on('kafka', 'DescribeReplicator', ({ params }) => ({
      ReplicatorArn: params.ReplicatorArn,
      ReplicationInfoList: [
        { SourceKafkaClusterArn: `arn:aws:kafka:${W}:${ACCOUNT}:cluster/dra-prod-msk/x` },
      ],
    }));
    const script = `import boto3

def handler(events, context):
    kafka = boto3.client("kafka")
    arn = kafka.list_replicators()["Replicators"][0]["ReplicatorArn"]
    try:
        kafka.describe_replicator(ReplicatorArn=arn)
    except Exception as error:
        return {"Caught": type(error).__name__}
    return {"Caught": "nothing"}
`;
    const failure = runAutomation(pyStep(script), { region: S, world });
    await expect(failure).rejects.toThrow(/kafka DescribeReplicator response does not follow the AWS model/);
    await expect(failure).rejects.toThrow(
      /ReplicationInfoList\[0\]\.SourceKafkaClusterArn: ReplicationInfoDescription has no member SourceKafkaClusterArn/,
    );
    await expect(failure).rejects.toThrow(/world\.on\('kafka', 'DescribeReplicator', \.\.\.\) handler/);
  });

  it('lets a step see an answer that follows the model', async () => {
    const { world } = platformWorld(prod);
    const script = `import boto3

def handler(events, context):
    kafka = boto3.client("kafka")
    arn = kafka.list_replicators()["Replicators"][0]["ReplicatorArn"]
    detail = kafka.describe_replicator(ReplicatorArn=arn)
    return {"Caught": detail["KafkaClusters"][0]["AmazonMskCluster"]["MskClusterArn"]}
`;
    const result = await runAutomation(pyStep(script), { region: S, world });
    expect(stepOf(result, 'Step').outputs.Caught).toMatch(/^arn:aws:kafka:us-east-1:/);
  });

  it("answers an SDK v3 client from the world: the answer, a service error as the model's exception, outages as the SDK's network errors", async () => {
    const { world } = platformWorld(prod);
    const rds = (region: string) =>
      answeredByWorld(new RDSClient({ region }), world, { service: 'rds', region, caller: 'test-fn' });
    const answer = await rds(S).send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'dra-prod-postgres' }),
    );
    expect(answer.DBInstances?.[0]).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres',
      ReadReplicaSourceDBInstanceIdentifier: expect.stringContaining(`:${W}:`),
    });
    expect(answer.$metadata.httpStatusCode).toBe(200);
    // The function's calls are its own, not the automation's.
    expect(world.log).toEqual([]);
    expect(world.functionCalls).toEqual([
      expect.objectContaining({ caller: 'test-fn', operation: 'DescribeDBInstances' }),
    ]);

    const missing = rds(S).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' }));
    await expect(missing).rejects.toMatchObject({
      name: 'DBInstanceNotFoundFault',
      $metadata: { httpStatusCode: 404 },
    });
    world.failNext('rds', 'DescribeDBInstances', { code: 'InternalFailure', message: 'boom' });
    world.failNext('rds', 'DescribeDBInstances', { code: 'ThrottlingException', message: 'slow down' });
    const [server, throttled] = [
      await rds(W)
        .send(new DescribeDBInstancesCommand({}))
        .catch((e) => e),
      await rds(W)
        .send(new DescribeDBInstancesCommand({}))
        .catch((e) => e),
    ];
    expect(server).toMatchObject({ name: 'InternalFailure' });
    expect(classifyError(throttled).kind).toBe('unknown');

    world.outage(W, 'refuse');
    const refused = await rds(W)
      .send(new DescribeDBInstancesCommand({}))
      .catch((e) => e);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(classifyError(refused).kind).toBe('unreachable');
    world.outage(W, 'hang');
    const hung = await rds(W)
      .send(new DescribeDBInstancesCommand({}))
      .catch((e) => e);
    expect(hung).toMatchObject({ name: 'TimeoutError' });
    expect(classifyError(hung).kind).toBe('unreachable');
  });
});
