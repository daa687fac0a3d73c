import { type CfnElement, CustomResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { parameterName, regionalArn, resourceName } from '../../config/naming';
import { isWriter } from '../../config/topology';
import {
  acknowledge,
  DEPLOY_TIME_FUNCTION_RULES,
  MANAGED_EXECUTION_POLICY_RULES,
} from '../compliance/acknowledge';
import { platformFunction } from '../shared/lambda-function';
import { platformLogGroup } from '../shared/log-group';
import { dataRemovalPolicy } from '../shared/removal-policy';
import type { RegionPlacement } from './placement';

export const KAFKA_IAM_PORT = 9098;
export const TOPICS = ['topicA', 'topicB', 'topicC'] as const;

/**
 * The canary's topic (lambda/canary): one partition, a message a minute, kept a day. Created
 * in both regions like the others and replicated by the Replicator, so the standby's canary
 * reads how far replication has come.
 */
export const CANARY_TOPIC = 'dra-canary';
/** A day: enough to read the newest message after any outage the canary has to measure. */
export const CANARY_TOPIC_RETENTION_MS = 86_400_000;
/** Every topic the Replicator copies. */
export const REPLICATED_TOPICS = [...TOPICS, CANARY_TOPIC] as const;

/**
 * MSK Serverless throughput quotas (MSK Developer Guide, "MSK Serverless quota"),
 * in bytes per second. Above them MSK Serverless throttles clients; it publishes
 * no throttling metric, so the throttling alarms watch BytesIn/OutPerSec against
 * these. Quotas can be raised per account: change them here if yours were.
 */
export const MSK_SERVERLESS_QUOTAS = {
  clusterIngressBytesPerSecond: 200_000_000,
  clusterEgressBytesPerSecond: 400_000_000,
  partitionIngressBytesPerSecond: 5_000_000,
  partitionEgressBytesPerSecond: 10_000_000,
} as const;

/** Builds the ARN of a topic or consumer group of a cluster from the cluster ARN (a token is fine). */
export function kafkaResourceArn(clusterArn: string, kind: 'topic' | 'group', name: string): string {
  const parts = Fn.split(':cluster/', clusterArn);
  return Fn.join('', [Fn.select(0, parts), `:${kind}/`, Fn.select(1, parts), `/${name}`]);
}

/**
 * ARN covering every topic of the role's cluster, written literally from config like
 * {@link consumerGroupsArn} (the cluster name is unique per region).
 */
export function topicsArn(config: EnvironmentConfig, role: RegionRole): string {
  return regionalArn(config, role, 'kafka', `topic/${resourceName(config, 'msk')}/*/*`);
}

/**
 * ARN covering every consumer group of the role's cluster. Written literally from config
 * (the cluster id segment is a wildcard; the cluster name is unique per region) so the
 * wildcard finding it causes has a stable id to acknowledge.
 */
export function consumerGroupsArn(config: EnvironmentConfig, role: RegionRole): string {
  return regionalArn(config, role, 'kafka', `group/${resourceName(config, 'msk')}/*/*`);
}

export interface MskServerlessProps extends RegionPlacement {
  readonly logsKey: kms.IKey;
}

/**
 * MSK Serverless with IAM client authentication only, in the private subnets of
 * the configured (validated) Availability Zones; port 9098 open to the platform
 * client security group only. Topics come from a custom resource that uses a
 * real Kafka admin client with MSK IAM auth. Cluster ARN and bootstrap servers
 * are published in SSM. In the primary region, with the Replicator on, a cluster
 * policy lets MSK create the multi-VPC connection the cross-region Replicator needs.
 */
export class MskServerless extends Construct {
  readonly cluster: msk.CfnServerlessCluster;
  readonly securityGroup: ec2.SecurityGroup;
  readonly bootstrapServers: string;

  constructor(scope: Construct, id: string, props: MskServerlessProps) {
    super(scope, id);
    const { config, role, vpc, subnets, clientSecurityGroup } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `MSK ${config.name}: ${KAFKA_IAM_PORT} (IAM) from platform workloads only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(
      clientSecurityGroup,
      ec2.Port.tcp(KAFKA_IAM_PORT),
      'EMR Serverless and platform Lambdas',
    );

    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: resourceName(config, 'msk'),
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: vpc.selectSubnets(subnets).subnetIds,
          securityGroups: [this.securityGroup.securityGroupId],
        },
      ],
    });
    this.cluster.applyRemovalPolicy(dataRemovalPolicy(config, 'retain'));

    new ssm.StringParameter(this, 'ClusterArnParameter', {
      parameterName: parameterName(config, 'msk/cluster-arn'),
      stringValue: this.cluster.attrArn,
      description: `MSK Serverless ${config.name} cluster ARN in this region (the DR Replicator reads the primary's)`,
    });

    if (isWriter(config, role) && config.msk.replicator) {
      new msk.CfnClusterPolicy(this, 'ReplicatorAccess', {
        clusterArn: this.cluster.attrArn,
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'kafka.amazonaws.com' },
              Action: ['kafka:CreateVpcConnection', 'kafka:GetBootstrapBrokers', 'kafka:DescribeClusterV2'],
              Resource: this.cluster.attrArn,
            },
          ],
        },
      });
    }

    const topicsFn = platformFunction(this, 'TopicsHandler', {
      config,
      entry: 'kafka-topics/handler.ts',
      description: `Creates and grows the ${config.name} Kafka topics (kafkajs, MSK IAM auth)`,
      vpc,
      subnets,
      securityGroup: clientSecurityGroup,
      logsKey: props.logsKey,
      timeout: Duration.minutes(5),
      reservedConcurrency: 2,
      synchronousReason:
        'Invoked by the CloudFormation custom-resource provider, which waits for the result and reports failures as stack events.',
    });
    const arn = this.cluster.attrArn;
    topicsFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [arn] }),
    );
    topicsFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [arn],
      }),
    );
    topicsFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DeleteTopic',
        ],
        resources: REPLICATED_TOPICS.map((t) => kafkaResourceArn(arn, 'topic', t)),
      }),
    );

    const providerLogs = platformLogGroup(this, 'TopicsProviderLogs', {
      config: config,
      logsKey: props.logsKey,
    });
    const provider = new cr.Provider(this, 'TopicsProvider', {
      onEventHandler: topicsFn,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [clientSecurityGroup],
      logGroup: providerLogs,
    });
    acknowledgeProvider(provider, topicsFn);

    const topics = new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KafkaTopics',
      properties: {
        ClusterArn: arn,
        Topics: [...TOPICS],
        Partitions: String(config.msk.topicPartitions),
        AllowDeletion: String(config.msk.allowTopicDeletion),
      },
    });
    this.bootstrapServers = topics.getAttString('BootstrapServers');
    // Its own resource: one partition and a retention the application topics do not share.
    // retention.ms is one of the topic configs MSK Serverless accepts (MSK developer guide,
    // "Configuration properties for MSK Serverless clusters", serverless-config.html). Only
    // where the Replicator copies it: without one there is nothing for the canary to measure.
    if (config.msk.replicator)
      new CustomResource(this, 'CanaryTopic', {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::KafkaTopics',
        properties: {
          ClusterArn: arn,
          Topics: [CANARY_TOPIC],
          Partitions: '1',
          AllowDeletion: 'true',
          Configs: { 'retention.ms': String(CANARY_TOPIC_RETENTION_MS) },
          Purpose: 'canary',
        },
      });

    new ssm.StringParameter(this, 'BootstrapServersParameter', {
      parameterName: parameterName(config, 'msk/bootstrap-servers'),
      stringValue: this.bootstrapServers,
      description: `MSK Serverless ${config.name} bootstrap servers (SASL/IAM, ${KAFKA_IAM_PORT}) in this region`,
    });
  }
}

/** What nag reports on a CDK custom-resource Provider's framework function. */
export function acknowledgeProvider(provider: cr.Provider, handler: lambda.IFunction): void {
  const framework = provider.node.findChild('framework-onEvent');
  const handlerId = Stack.of(handler).getLogicalId(handler.node.defaultChild as CfnElement);
  acknowledge(
    framework.node.findChild('ServiceRole').node.findChild('DefaultPolicy'),
    [`AwsSolutions::AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`],
    'The provider framework may invoke any version of its one handler function.',
  );
  acknowledge(
    framework,
    [...DEPLOY_TIME_FUNCTION_RULES, 'AwsSolutions::AwsSolutions-L1'],
    'CDK custom-resource provider framework: invoked by CloudFormation during deploys only, failures surface as stack events; its runtime is chosen by CDK.',
  );
  acknowledge(
    framework.node.findChild('ServiceRole'),
    [
      ...MANAGED_EXECUTION_POLICY_RULES,
      'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy',
    ],
    'CDK provider framework role: AWS-managed logging/ENI policies and an inline policy that only invokes this provider handler.',
  );
}
