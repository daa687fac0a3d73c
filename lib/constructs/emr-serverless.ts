import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emrs from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  activeRegionParameterName,
  bucketName,
  checkpointBucketName,
  parameterName,
  partitionOf,
  regionalArn,
  regionOf,
  resourceName,
  streamingConsumerGroup,
} from '../../config/naming';
import { JOB_CATALOG } from '../../lambda/job-submission/job-catalog';
import { METRICS_NAMESPACE } from '../../lambda/metrics-namespace';
import { SALES_DATABASE } from '../catalog/definitions';
import {
  acknowledge,
  acknowledgeDefaultPolicy,
  DEPLOY_TIME_FUNCTION_RULES,
  MANAGED_EXECUTION_POLICY_RULES,
} from '../compliance/acknowledge';
import { PlatformError } from '../shared/errors';
import { grantLake, objectWildcards } from '../shared/grants';
import { platformFunction } from '../shared/lambda-function';
import { platformLogGroup } from '../shared/log-group';
import { consumerGroupsArn, kafkaResourceArn, TOPICS } from './msk-serverless';
import type { RegionPlacement } from './placement';

export interface EmrServerlessProps extends RegionPlacement {
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  /** ARN of this region's MSK Serverless cluster. */
  readonly mskClusterArn: string;
}

/**
 * Refuses subnets EMR Serverless must not use: public subnets (an internet
 * gateway route; the EMR console rejects them) and private subnets with a NAT
 * route. The application reaches S3 through the gateway endpoint and other AWS
 * APIs through interface endpoints, so it needs no route to the internet.
 */
export function assertPrivateIsolatedSubnets(
  vpc: ec2.IVpc,
  selection: ec2.SubnetSelection,
  field = 'subnets',
): void {
  const selected = vpc.selectSubnets(selection).subnets;
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  const egressIds = new Set(vpc.privateSubnets.map((s) => s.subnetId));
  for (const subnet of selected) {
    const kind = publicIds.has(subnet.subnetId)
      ? 'a public subnet (route to an internet gateway)'
      : egressIds.has(subnet.subnetId)
        ? 'a private subnet with a NAT route to the internet'
        : undefined;
    if (kind) {
      throw new PlatformError(
        `EMR Serverless ${field}: ${subnet.node.path} (${subnet.availabilityZone}) is ${kind}. EMR Serverless must run in private subnets with no route to the internet; select { subnetType: SubnetType.PRIVATE_ISOLATED } (S3 is reached through the gateway endpoint).`,
      );
    }
  }
  if (selected.length < 2) {
    throw new PlatformError(
      `EMR Serverless ${field}: selects ${selected.length} subnet(s); select private subnets in at least 2 Availability Zones.`,
    );
  }
}

/** What nag reports on CDK's BucketDeployment singleton, with the reasons. */
function acknowledgeBucketDeployment(
  scope: Construct,
  upload: s3deploy.BucketDeployment,
  bucket: string,
  region: string,
  account: string,
): void {
  const fn = Stack.of(scope).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!fn)
    throw new PlatformError(
      'The BucketDeployment singleton function was not found under the stack, so its nag findings cannot be acknowledged: aws-cdk-lib changed its construct id. Update the id searched for in acknowledgeBucketDeployment (lib/constructs/emr-serverless.ts).',
    );
  const role = upload.handlerRole;
  acknowledgeDefaultPolicy(role, 'the job artifacts upload');
  acknowledge(
    role.node.findChild('DefaultPolicy'),
    [
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(region)}:s3:::${bucket}/*]`,
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partitionOf(region)}:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
      ...[
        's3:GetBucket*',
        's3:GetObject*',
        's3:List*',
        's3:Abort*',
        's3:DeleteObject*',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ].map((a) => `AwsSolutions::AwsSolutions-IAM5[Action::${a}]`),
    ],
    "CDK BucketDeployment copies the job scripts from CDK's asset bucket into the artifacts bucket; its grants are CDK's read/write shorthands on those two buckets only.",
  );
  acknowledge(
    role,
    MANAGED_EXECUTION_POLICY_RULES,
    'AWS-managed execution policies CDK attaches to its BucketDeployment function: logging and ENI management only.',
  );
  acknowledge(
    fn,
    ['AwsSolutions::AwsSolutions-L1', ...DEPLOY_TIME_FUNCTION_RULES],
    'CDK BucketDeployment function: runs only during deploys, invoked by CloudFormation which reports failures; its runtime is chosen by CDK.',
  );
}

/**
 * The region's EMR Serverless Spark application, its execution role, the job
 * scripts and sample data uploaded to the artifacts bucket, and the job
 * submission Lambda.
 */
export class EmrServerless extends Construct {
  readonly application: emrs.CfnApplication;
  readonly executionRole: iam.Role;
  readonly jobLogGroup: logs.LogGroup;
  readonly submitFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: EmrServerlessProps) {
    super(scope, id);
    const { config, role, vpc, subnets, clientSecurityGroup, dataKey, logsKey } = props;
    assertPrivateIsolatedSubnets(vpc, subnets);
    const emr = config.emr;
    const artifacts = bucketName(config, role, 'artifacts');
    const region = regionOf(config, role);

    this.jobLogGroup = platformLogGroup(this, 'JobLogs', {
      config: config,
      logsKey: logsKey,
      logGroupName: `/dra/${config.name}/emr-serverless/jobs`,
    });

    this.application = new emrs.CfnApplication(this, 'Application', {
      name: resourceName(config, 'spark'),
      type: 'SPARK',
      releaseLabel: emr.releaseLabel,
      architecture: emr.architecture,
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: emr.idleTimeoutMinutes },
      maximumCapacity: emr.maximumCapacity,
      networkConfiguration: {
        subnetIds: vpc.selectSubnets(subnets).subnetIds,
        securityGroupIds: [clientSecurityGroup.securityGroupId],
      },
      monitoringConfiguration: {
        s3MonitoringConfiguration: { logUri: `s3://${artifacts}/logs/`, encryptionKeyArn: dataKey.keyArn },
        cloudWatchLoggingConfiguration: {
          enabled: true,
          logGroupName: this.jobLogGroup.logGroupName,
          encryptionKeyArn: logsKey.keyArn,
        },
      },
    });

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': config.account } },
      }),
      description: `Spark jobs of ${config.name} in ${region}`,
    });
    const lake = {
      config,
      role,
      dataKey,
      buckets: { artifacts: 'read', raw: 'write', checkpoints: 'write' } as const,
      prefixes: { artifacts: '', raw: 'sales/', checkpoints: '' },
      databases: { [SALES_DATABASE]: 'write' } as const,
    };
    grantLake(this.executionRole, lake);
    // Jobs write their output (job 02) and logs under the artifacts bucket.
    const writable = ['output/', 'logs/'].map((p) => `arn:${partitionOf(region)}:s3:::${artifacts}/${p}*`);
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: writable,
      }),
    );
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [this.jobLogGroup.logGroupArn],
      }),
    );
    logsKey.grantEncryptDecrypt(this.executionRole);
    const cluster = props.mskClusterArn;
    const groups = consumerGroupsArn(config, role);
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [cluster],
      }),
    );
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData', 'kafka-cluster:WriteData'],
        resources: TOPICS.map((t) => kafkaResourceArn(cluster, 'topic', t)),
      }),
    );
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [groups],
      }),
    );
    acknowledgeDefaultPolicy(this.executionRole, 'the EMR Serverless execution role');
    acknowledge(
      this.executionRole.node.findChild('DefaultPolicy'),
      [
        ...[...objectWildcards(lake), ...writable].map(
          (arn) => `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}]`,
        ),
        `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.application)}.Arn>]`,
        'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        `AwsSolutions::AwsSolutions-IAM5[Resource::${groups}]`,
      ],
      'Spark reads and writes objects under named prefixes (checkpoints under a prefix per run) and uses consumer groups whose ids Spark generates per query; object keys and group ids are unknown at deploy time. The kms wildcards are CDK grant shorthands limited to the logs key.',
    );

    // Job scripts and sample data; jars are uploaded by operators (docs/spark-jobs.md, "Spark jars").
    const artifactsBucket = s3.Bucket.fromBucketName(this, 'ArtifactsBucket', artifacts);
    const uploadLogs = platformLogGroup(this, 'JobArtifactsLogs', { config: config, logsKey: logsKey });
    const upload = new s3deploy.BucketDeployment(this, 'JobArtifacts', {
      logGroup: uploadLogs,
      destinationBucket: artifactsBucket,
      sources: [
        s3deploy.Source.asset(path.join(__dirname, '..', '..', 'jobs'), {
          exclude: ['**/__pycache__/**', '*.pyc'],
        }),
      ],
      destinationKeyPrefix: '',
      prune: false,
      serverSideEncryption: s3deploy.ServerSideEncryption.AWS_KMS,
      serverSideEncryptionAwsKmsKeyId: dataKey.keyArn,
      vpc,
      vpcSubnets: subnets,
      memoryLimit: 512,
      retainOnDelete: true,
    });
    dataKey.grantEncrypt(upload.handlerRole);
    acknowledgeBucketDeployment(this, upload, artifacts, region, config.account);

    // Jobs that commit their progress to a consumer group, and the group's name (the same in both
    // regions, so the Replicator's translated offsets land where a resume reads them).
    const commitGroups = Object.fromEntries(
      JOB_CATALOG.filter((j) => j.commitsOffsetsOf).map((j) => [
        j.name,
        streamingConsumerGroup(config, j.name),
      ]),
    );
    const submit = platformFunction(this, 'SubmitJob', {
      config,
      functionName: resourceName(config, 'submit-job'),
      entry: 'job-submission/handler.ts',
      description: `Submits ${config.name} Spark jobs to EMR Serverless (active-region aware, idempotent)`,
      vpc,
      subnets,
      securityGroup: clientSecurityGroup,
      logsKey,
      reservedConcurrency: 10,
      // SSM, a resume's Kafka read (at most 12 s) and StartJobRun, each bounded (handler.ts).
      timeout: Duration.seconds(45),
      synchronousReason:
        'Invoked synchronously (npm run submit, the runbooks); the caller receives the structured result or error.',
      environment: {
        DRA_ENVIRONMENT: config.name,
        APPLICATION_ID: this.application.attrApplicationId,
        EXECUTION_ROLE_ARN: this.executionRole.roleArn,
        ARTIFACTS_BUCKET: artifacts,
        JARS: emr.jars.join(','),
        JOB_LOG_GROUP: this.jobLogGroup.logGroupName,
        EXECUTION_TIMEOUT_MINUTES: String(emr.jobExecutionTimeoutMinutes),
        CHECKPOINT_BUCKET: checkpointBucketName(config, role),
        COMMIT_GROUPS: JSON.stringify(commitGroups),
        STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: String(emr.streaming.maxFailedAttemptsPerHour),
        STREAMING_STARTING_OFFSETS: emr.streaming.startingOffsets,
        ACTIVE_REGION_PARAMETER: activeRegionParameterName(config),
        BOOTSTRAP_SERVERS_PARAMETER: parameterName(config, 'msk/bootstrap-servers'),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    submit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['emr-serverless:StartJobRun'],
        resources: [this.application.attrArn],
      }),
    );
    submit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['emr-serverless:TagResource'],
        resources: [`${this.application.attrArn}/jobruns/*`],
      }),
    );
    submit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
      }),
    );
    // A resume reads a group's committed offsets and the topic's partitions from this region's
    // cluster: Connect, DescribeTopic (Metadata, ListOffsets), DescribeGroup (FindCoordinator,
    // OffsetFetch); Amazon MSK developer guide, "Semantics of IAM authorization policy actions".
    const resumable = JOB_CATALOG.filter((j) => j.commitsOffsetsOf);
    submit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:DescribeGroup'],
        resources: [
          cluster,
          ...TOPICS.map((t) => kafkaResourceArn(cluster, 'topic', t)),
          ...resumable.map((j) => kafkaResourceArn(cluster, 'group', commitGroups[j.name])),
        ],
      }),
    );
    submit.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameters'],
        resources: [activeRegionParameterName(config), parameterName(config, 'msk/bootstrap-servers')].map(
          (name) => regionalArn(config, role, 'ssm', `parameter${name}`),
        ),
      }),
    );
    acknowledge(
      submit.role!.node.findChild('DefaultPolicy'),
      [
        `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.application)}.Arn>/jobruns/*]`,
      ],
      'Job run ids are assigned by StartJobRun; tagging is limited to runs of this one application.',
    );
    this.submitFunction = submit;
  }
}
