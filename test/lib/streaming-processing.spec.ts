import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadConfig } from '../../config';
import { streamingConsumerGroup } from '../../config/naming';
import { EmrServerless } from '../../lib/constructs/emr-serverless';
import { PlatformError } from '../../lib/shared/errors';
import { sharedPlatform, templateOf } from '../support/app';

const ACCOUNT = '111111111111';
const policiesOf = (t: ReturnType<typeof templateOf>) =>
  (Object.values(t.findResources('AWS::IAM::Policy')) as any[]).map((p) => ({
    name: JSON.stringify(p.Properties.Roles),
    statements: p.Properties.PolicyDocument.Statement,
  }));

describe('streaming (staging)', () => {
  const platform = sharedPlatform('staging');
  const primary = templateOf(platform.primary.streaming);
  const dr = templateOf(platform.dr.streaming);

  it('runs MSK Serverless with IAM client authentication only, in the configured private subnets', () => {
    const cluster = (Object.values(primary.findResources('AWS::MSK::ServerlessCluster'))[0] as any)
      .Properties;
    expect(cluster.ClusterName).toBe('dra-staging-msk');
    expect(cluster.ClientAuthentication).toEqual({ Sasl: { Iam: { Enabled: true } } });
    expect(cluster.VpcConfigs[0].SubnetIds).toHaveLength(3);
  });

  it("opens 9098 to the platform client security group and the Replicator's group only, in both regions", () => {
    for (const t of [primary, dr]) {
      const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')) as any[];
      const kafka = ingress.filter((i) => i.Properties.FromPort === 9098);
      expect(kafka.map((i) => JSON.stringify(i.Properties.SourceSecurityGroupId)).sort()).toEqual([
        expect.stringMatching(/ReplicatorAccessSecurityGroup/),
        expect.stringMatching(/ClientSecurityGroup/),
      ]);
      for (const i of kafka) expect(i.Properties.CidrIp).toBeUndefined();
    }
  });

  it("publishes in each region the subnets and security group a Replicator reaches that region's cluster through", () => {
    for (const t of [primary, dr]) {
      t.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/dra/staging/msk/replicator-subnet-ids',
        Value: { 'Fn::Join': [',', Match.anyValue()] },
      });
      t.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/dra/staging/msk/replicator-security-group-id',
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicatorAccessSecurityGroup'), 'GroupId'] },
      });
    }
  });

  it("reaches the source cluster through the writer region's subnets and security group, the target through its own", () => {
    const [replicator] = Object.entries(dr.findResources('AWS::MSK::Replicator')) as [string, any][];
    const [source, target] = replicator[1].Properties.KafkaClusters;
    const reads = (value: any) => {
      const [logicalId, field] = value['Fn::GetAtt'];
      expect(field).toBe('Parameter.Value');
      const call = JSON.parse(dr.toJSON().Resources[logicalId].Properties.Update);
      return `${call.parameters.Name}@${call.region}`;
    };
    expect(reads(source.AmazonMskCluster.MskClusterArn)).toBe('/dra/staging/msk/cluster-arn@us-east-1');
    expect(reads(source.VpcConfig.SubnetIds['Fn::Split'][1])).toBe(
      '/dra/staging/msk/replicator-subnet-ids@us-east-1',
    );
    expect(reads(source.VpcConfig.SecurityGroupIds[0])).toBe(
      '/dra/staging/msk/replicator-security-group-id@us-east-1',
    );
    expect(target.AmazonMskCluster.MskClusterArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^MskCluster/), 'Arn'],
    });
    expect(JSON.stringify(target.VpcConfig.SubnetIds)).toContain('staging-dr-foundation');
    expect(target.VpcConfig.SecurityGroupIds).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^ReplicatorAccessSecurityGroup/), 'GroupId'] },
    ]);
  });

  it("grants the Replicator what AWSMSKReplicatorExecutionRole grants, on this environment's two clusters only", () => {
    const role = policiesOf(dr).find((p) => p.name.includes('ReplicatorServiceRole'))!;
    const bySid = Object.fromEntries(role.statements.map((st: any) => [st.Sid, st]));
    expect(Object.keys(bySid).sort()).toEqual(['ClusterPermissions', 'GroupPermissions', 'TopicPermissions']);
    expect(bySid.ClusterPermissions.Action).toEqual(
      expect.arrayContaining([
        'kafka-cluster:WriteDataIdempotently',
        'kafka-cluster:AlterCluster',
        'kafka-cluster:ReadData',
      ]),
    );
    expect(bySid.TopicPermissions.Resource).toEqual([
      `arn:aws:kafka:us-east-1:${ACCOUNT}:topic/dra-staging-msk/*/*`,
      `arn:aws:kafka:us-west-2:${ACCOUNT}:topic/dra-staging-msk/*/*`,
    ]);
    expect(bySid.GroupPermissions.Resource).toEqual([
      `arn:aws:kafka:us-east-1:${ACCOUNT}:group/dra-staging-msk/*/*`,
      `arn:aws:kafka:us-west-2:${ACCOUNT}:group/dra-staging-msk/*/*`,
    ]);
    expect(JSON.stringify(bySid.ClusterPermissions.Resource)).not.toContain('*');
  });

  it('creates topicA..C with the configured partitions through the Kafka admin custom resource', () => {
    primary.hasResourceProperties('Custom::KafkaTopics', {
      Topics: ['topicA', 'topicB', 'topicC'],
      Partitions: '6',
      AllowDeletion: 'false',
    });
  });

  it('publishes cluster ARN and bootstrap servers in SSM in each region', () => {
    for (const t of [primary, dr]) {
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/dra/staging/msk/cluster-arn' });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/dra/staging/msk/bootstrap-servers' });
    }
  });

  it('lets MSK create the multi-VPC connection the cross-region Replicator needs on the primary', () => {
    primary.hasResourceProperties('AWS::MSK::ClusterPolicy', {
      Policy: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'kafka.amazonaws.com' },
            Action: ['kafka:CreateVpcConnection', 'kafka:GetBootstrapBrokers', 'kafka:DescribeClusterV2'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MskCluster'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('replicates topicA..C from the primary with consumer offset sync, created in the DR region', () => {
    const r = (Object.values(dr.findResources('AWS::MSK::Replicator'))[0] as any).Properties;
    const info = r.ReplicationInfoList[0];
    // The application topics and the canary's (lambda/canary measures replication with it).
    expect(info.TopicReplication.TopicsToReplicate).toEqual(['topicA', 'topicB', 'topicC', 'dra-canary']);
    // Create-only: its description must not change with the topics (a named Replicator cannot be replaced).
    expect(r.Description).toBe('staging: topicA, topicB, topicC from us-east-1');
    expect(info.ConsumerGroupReplication.SynchroniseConsumerGroupOffsets).toBe(true);
    // the source ARN is read from the primary region's SSM parameter at deploy time
    const lookup = Object.values(dr.findResources('Custom::AWS')) as any[];
    expect(JSON.stringify(lookup)).toContain('\\"region\\":\\"us-east-1\\"');
    expect(JSON.stringify(lookup)).toContain('/dra/staging/msk/cluster-arn');
    expect(platform.dr.streaming.dependencies).toContain(platform.primary.streaming);
    primary.resourceCountIs('AWS::MSK::Replicator', 0);
  });

  it("covers job 05's consumer group with the Replicator's group filter, so its offsets are translated", () => {
    const r = (Object.values(dr.findResources('AWS::MSK::Replicator'))[0] as any).Properties;
    const groups = r.ReplicationInfoList[0].ConsumerGroupReplication;
    const group = streamingConsumerGroup(platform.config, '05-streaming-kafka');
    expect(group).toBe('dra-staging-05-streaming-kafka');
    const matches = (patterns: string[] = []) => patterns.some((p) => new RegExp(`^(?:${p})$`).test(group));
    expect(matches(groups.ConsumerGroupsToReplicate)).toBe(true);
    expect(matches(groups.ConsumerGroupsToExclude)).toBe(false);
    expect(groups).toMatchObject({
      SynchroniseConsumerGroupOffsets: true,
      DetectAndCopyNewConsumerGroups: true,
    });
  });

  it('turns the Replicator off where config says so (dev)', () => {
    const devPlatform = sharedPlatform('dev');
    templateOf(devPlatform.dr.streaming).resourceCountIs('AWS::MSK::Replicator', 0);
  });
});

describe('processing (staging)', () => {
  const platform = sharedPlatform('staging');
  const t = templateOf(platform.primary.processing);

  it('runs the Spark application with the configured release, architecture, capacity and auto stop, in private subnets', () => {
    const app = (Object.values(t.findResources('AWS::EMRServerless::Application'))[0] as any).Properties;
    expect(app).toMatchObject({
      Type: 'SPARK',
      ReleaseLabel: 'emr-7.9.0',
      Architecture: 'ARM64',
      AutoStartConfiguration: { Enabled: true },
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
      MaximumCapacity: { Cpu: '32 vCPU', Memory: '128 GB', Disk: '500 GB' },
    });
    expect(app.NetworkConfiguration.SubnetIds).toHaveLength(3);
    expect(app.MonitoringConfiguration.S3MonitoringConfiguration.LogUri).toBe(
      `s3://dra-staging-artifacts-${ACCOUNT}-us-east-1/logs/`,
    );
    expect(app.MonitoringConfiguration.CloudWatchLoggingConfiguration.Enabled).toBe(true);
  });

  it('scopes the execution role: named MSK topics, groups of this cluster, named prefixes, no wildcard actions', () => {
    const role = policiesOf(t).find((p) => p.name.includes('ExecutionRole'))!;
    const text = JSON.stringify(role.statements);
    for (const action of role.statements.flatMap((s: any) => [s.Action].flat())) {
      expect(action.endsWith(':*')).toBe(false);
    }
    expect(text).toContain('kafka-cluster:ReadData');
    expect(text).toContain(`arn:aws:kafka:us-east-1:${ACCOUNT}:group/dra-staging-msk/*/*`);
    expect(text).toContain('/topicA');
    expect(text).toContain(`arn:aws:s3:::dra-staging-artifacts-${ACCOUNT}-us-east-1/output/*`);
    expect(text).toContain(`arn:aws:glue:us-east-1:${ACCOUNT}:database/sales`);
  });

  it("lets the execution role write Spark checkpoints in this region's checkpoint bucket only", () => {
    const role = policiesOf(t).find((p) => p.name.includes('ExecutionRole'))!;
    const write = role.statements.find(
      (s: any) =>
        [s.Action].flat().includes('s3:PutObject') && JSON.stringify(s.Resource).includes('checkpoints'),
    );
    expect(write.Resource).toContain(`arn:aws:s3:::dra-staging-checkpoints-${ACCOUNT}-us-east-1/*`);
    expect(JSON.stringify(role.statements)).not.toContain('checkpoints-111111111111-us-west-2');
  });

  it('lets the submission Lambda read offsets of the consumer groups jobs commit to, on its own cluster', () => {
    const fn = policiesOf(t).find((p) => p.name.includes('SubmitJob'))!;
    const kafka = fn.statements.find((s: any) => [s.Action].flat().includes('kafka-cluster:DescribeGroup'));
    expect([...kafka.Action].sort()).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
    ]);
    const text = JSON.stringify(kafka.Resource);
    expect(text).toContain(':group/');
    expect(text).toContain('/dra-staging-05-streaming-kafka');
    expect(text).toContain('/topicC');
    expect(text).not.toContain('*');
  });

  it('gives the submission Lambda StartJobRun on this application only, and PassRole only to EMR Serverless', () => {
    const fn = policiesOf(t).find((p) => p.name.includes('SubmitJob'))!;
    const start = fn.statements.find((s: any) => s.Action === 'emr-serverless:StartJobRun');
    expect(start.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EmrApplication/), 'Arn'] });
    const pass = fn.statements.find((s: any) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' },
    });
  });

  it('runs the submission Lambda on Node.js 22+ in the VPC, configured for this region', () => {
    const fns = Object.values(t.findResources('AWS::Lambda::Function')) as any[];
    const submit = fns.find((f) => f.Properties.Environment?.Variables?.APPLICATION_ID);
    expect(Number(submit.Properties.Runtime.replace(/\D/g, ''))).toBeGreaterThanOrEqual(22);
    expect(submit.Properties.VpcConfig.SubnetIds).toHaveLength(3);
    expect(submit.Properties.Environment.Variables).toMatchObject({
      DRA_ENVIRONMENT: 'staging',
      ACTIVE_REGION_PARAMETER: '/dra/staging/active-region',
      BOOTSTRAP_SERVERS_PARAMETER: '/dra/staging/msk/bootstrap-servers',
      JARS: expect.stringContaining('jars/aws-msk-iam-auth-2.3.2-all.jar'),
      CHECKPOINT_BUCKET: `dra-staging-checkpoints-${ACCOUNT}-us-east-1`,
      COMMIT_GROUPS: '{"05-streaming-kafka":"dra-staging-05-streaming-kafka"}',
      STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: '5',
      STREAMING_STARTING_OFFSETS: 'earliest',
    });
    // SSM, a resume's bounded Kafka read and StartJobRun fit in it.
    expect(submit.Properties.Timeout).toBe(45);
  });

  it('uploads the job scripts and sample data to the artifacts bucket with KMS', () => {
    t.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: `dra-staging-artifacts-${ACCOUNT}-us-east-1`,
      Prune: false,
      SystemMetadata: Match.objectLike({ sse: 'aws:kms', 'sse-kms-key-id': Match.anyValue() }),
    });
  });
});

describe('EMR Serverless subnet guard', () => {
  const config = loadConfig('dev');
  const build = (subnets: ec2.SubnetSelection) => {
    // No Lambda bundling (esbuild would print its progress into the test output).
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Guard', { env: { account: config.account, region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'egress', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const key = new kms.Key(stack, 'Key');
    return () =>
      new EmrServerless(stack, 'Emr', {
        config,
        role: 'primary',
        vpc,
        subnets,
        clientSecurityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
        dataKey: key,
        logsKey: key,
        mskClusterArn: 'arn:aws:kafka:us-east-1:111111111111:cluster/dra-dev-msk/abc',
      });
  };

  it('refuses a public subnet with a message naming the subnet and the fix', () => {
    const make = build({ subnetType: ec2.SubnetType.PUBLIC });
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformError);
    expect(() => {
      throw error;
    }).toThrow(
      /Guard\/Vpc\/publicSubnet1 \(us-east-1a\) is a public subnet \(route to an internet gateway\).*select \{ subnetType: SubnetType\.PRIVATE_ISOLATED \}/,
    );
  });

  it('refuses private subnets that route to the internet through NAT', () => {
    expect(build({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).toThrow(
      /private subnet with a NAT route to the internet/,
    );
  });

  it('accepts private isolated subnets', () => {
    expect(build({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED })).not.toThrow();
  });
});

describe('Spark jobs', () => {
  const dir = path.join(__dirname, '..', '..', 'jobs', 'scripts');
  const files = fs.readdirSync(dir).filter((f) => /^\d\d_.*\.py$/.test(f));
  const shared = fs.readFileSync(path.join(dir, 'sales_common.py'), 'utf8');

  it('ships one script per catalog job, plus the shared module', () => {
    const { JOB_CATALOG } = require('../../lambda/job-submission/job-catalog');
    expect(files.sort()).toEqual(JOB_CATALOG.map((j: { file: string }) => j.file).sort());
  });

  // One python3 process compiles them all (a process per file cost a second each on CI);
  // each file's own compile error, if any, is reported by its own test.
  const compileErrors: Record<string, string | null> = JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        [
          'import json, os, py_compile, sys, tempfile',
          'out = tempfile.mkdtemp()',
          'errors = {}',
          'for f in sys.argv[1:]:',
          '    try:',
          '        py_compile.compile(f, cfile=os.path.join(out, "x.pyc"), doraise=True)',
          '        errors[os.path.basename(f)] = None',
          '    except py_compile.PyCompileError as e:',
          '        errors[os.path.basename(f)] = str(e)',
          'print(json.dumps(errors))',
        ].join('\n'),
        ...[...files, 'sales_common.py'].map((f) => path.join(dir, f)),
      ],
      { encoding: 'utf8' },
    ),
  );

  it.each([...files, 'sales_common.py'])('%s compiles (python3 py_compile)', (file) => {
    expect(compileErrors[file]).toBeNull();
  });

  it('the shared module carries the MSK IAM settings and the sales message schema', () => {
    for (const needle of [
      '"kafka.security.protocol": "SASL_SSL"',
      '"kafka.sasl.mechanism": "AWS_MSK_IAM"',
      'IAMLoginModule required;',
      'IAMClientCallbackHandler',
      'StructField("payment_id", IntegerType()',
      'StructField("amount", FloatType()',
      'StructField("payment_date", TimestampType()',
    ]) {
      expect(shared).toContain(needle);
    }
  });

  it.each(files)('%s reaches Kafka only through the shared MSK IAM settings', (file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    expect(text).toMatch(/^from sales_common import /m);
    expect(text).not.toContain('kafka.bootstrap.servers');
  });

  /**
   * The parts of the streaming jobs that need no Spark, run in python3 with a stand-in for
   * pyspark (Spark itself is never run in these tests): the offset commit of job 05 against a
   * fake admin, and the row stamp job 04 resumes by.
   */
  const continuity = JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        [
          'import json, sys, types',
          'class Any:',
          '    def __init__(self, *a, **k): pass',
          '    def __call__(self, *a, **k): return Any()',
          '    def __getattr__(self, name): return Any()',
          'class Stub(types.ModuleType):',
          '    def __getattr__(self, name): return Any',
          'for m in ["pyspark", "pyspark.sql", "pyspark.sql.functions", "pyspark.sql.types", "pyspark.sql.streaming"]:',
          '    sys.modules[m] = Stub(m)',
          'sys.path.insert(0, sys.argv[1])',
          'import sales_common as c',
          'commits, logs = [], []',
          'def alter(offsets):',
          '    if len(commits) == 1 and not logs: raise RuntimeError("broker unavailable")',
          '    commits.append(sorted([t, p, o] for (t, p), o in offsets.items()))',
          'g = c.GroupCommitter(alter, log=logs.append)',
          'end = json.dumps({"topicC": {"1": 7, "0": 12}})',
          'nxt = json.dumps({"topicC": {"0": 15, "1": 7}})',
          'results = [g.on_progress(end), g.on_progress(end), g.on_progress(nxt), g.on_progress(nxt), g.on_progress(None)]',
          'stamped = json.loads(c.replay_message(\'{"payment_id": 1, "payment_date": "2024-01-01T10:00:00.000Z"}\', "s.csv", 41))',
          'print(json.dumps({"results": results, "commits": commits, "logs": logs, "stamped": stamped}))',
        ].join('\n'),
        dir,
      ],
      { encoding: 'utf8' },
    ),
  );

  it("job 05 commits each finished batch's end offsets once, and a failed commit is made with the next batch", () => {
    // New offsets, the same again (skipped), the next batch's (the broker fails), again (committed), none.
    expect(continuity.results).toEqual([true, false, false, true, false]);
    expect(continuity.commits).toEqual([
      [
        ['topicC', 0, 12],
        ['topicC', 1, 7],
      ],
      [
        ['topicC', 0, 15],
        ['topicC', 1, 7],
      ],
    ]);
    expect(continuity.logs).toEqual([
      'committing offsets failed, retried with the next batch: broker unavailable',
    ]);
  });

  it('job 04 stamps each message with its file and row, keeping the sales fields as they were', () => {
    expect(continuity.stamped).toEqual({
      payment_id: 1,
      payment_date: '2024-01-01T10:00:00.000Z',
      replay_file: 's.csv',
      replay_row: 41,
    });
  });

  /** Job 04's resume after a failover, over the Replicator's per-partition cuts (test/support/jobs). */
  const replay = JSON.parse(
    execFileSync('python3', [path.join(__dirname, '..', 'support', 'jobs', 'replay_scenarios.py'), dir], {
      encoding: 'utf8',
    }),
  );

  it('job 04 loses no row when the Replicator copied a later row on one partition but not an earlier one on another', () => {
    // Row 7 (partition 3) reached the target, row 6 (partition 0) did not: resume after row 0,
    // the highest row partition 0 holds, and produce rows 1 to 5 and 7 again (at least once).
    expect(replay.interleaved).toEqual({ resumeAfter: 0, lost: [] });
  });

  it('job 04 replays from the top when a partition of the topic holds no row of its file', () => {
    expect(replay.partitionWithoutRecord).toEqual({ resumeAfter: -1, lost: [] });
    expect(replay.emptyTopic).toBe(-1);
    expect(replay.noPartitions).toBe(-1);
  });

  it('job 04 loses no row after a retry and a failover at any per-partition cut', () => {
    expect(replay.exhaustive.losing).toEqual([]);
    expect(replay.exhaustive.losingCount).toBe(0);
    // Every stop point times every cut of the source's three partitions (more with more duplicates).
    expect(replay.exhaustive.cases).toBeGreaterThanOrEqual(640);
  });

  it('wires the continuity into the jobs: 05 checkpoints and commits, 04 resumes after its last row', () => {
    const five = fs.readFileSync(path.join(dir, '05_streaming_kafka.py'), 'utf8');
    expect(five).toContain('.option("checkpointLocation", args.checkpoint_location)');
    expect(five).toContain('.option("startingOffsets", args.starting_offsets)');
    expect(five).toContain('spark.streams.addListener(');
    const four = fs.readFileSync(path.join(dir, '04_stream_sales_to_kafka.py'), 'utf8');
    expect(four).toContain('if row_number <= resume_after:');
    expect(four).toContain('resume_after = replayed_through(');
    // The Spark read feeds resume_row per-partition maxima and the topic's partitions, not one max.
    expect(shared).toContain('.groupBy("partition")');
    expect(shared).toContain('topic_partitions(spark, bootstrap_servers, topic),');
  });

  // Spark drops a windowed aggregation's old state only in Append or Update mode ("Conditions for
  // watermarking to clean aggregation state"); in Complete mode a job without a timeout grows
  // until the driver fails.
  it.each(files)('%s never combines a watermark with Complete output mode', (file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const modes = [...text.matchAll(/\.outputMode\("(\w+)"\)/g)].map((m) => m[1]);
    if (text.includes('.withWatermark(')) {
      expect(modes.length).toBeGreaterThan(0);
      expect(modes.filter((m) => m !== 'update' && m !== 'append')).toEqual([]);
    }
  });

  it('job 05 writes updated windows through foreachBatch and sorts only the batch, never the stream', () => {
    const text = fs.readFileSync(path.join(dir, '05_streaming_kafka.py'), 'utf8');
    expect(text).toContain('.outputMode("update")');
    expect(text).toContain('.foreachBatch(show_window_updates)');
    // Sorting a streaming Dataset is allowed only in Complete mode: the sort is inside the batch sink.
    const sink = text.slice(
      text.indexOf('def show_window_updates('),
      text.indexOf('\ndef ', text.indexOf('def show_window_updates(') + 1),
    );
    const rest = text.replace(sink, '');
    expect(sink).toContain('.orderBy(col("window").desc(), col("sales").desc())');
    expect(rest).not.toMatch(/\.(orderBy|sort)\(/);
    expect(text).toContain('.option("checkpointLocation", args.checkpoint_location)');
  });

  it('streams with a 10-minute window sliding every 5 minutes and a 10-minute watermark', () => {
    const text = fs.readFileSync(path.join(dir, '05_streaming_kafka.py'), 'utf8');
    expect(text).toContain('withWatermark("payment_date", "10 minutes")');
    expect(text).toContain('window("payment_date", "10 minutes", "5 minutes")');
  });
});
