import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { parameterName, regionOf, resourceName } from '../../config/naming';
import { otherRole, writerRole } from '../../config/topology';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { platformLogGroup } from '../shared/log-group';
import { CrossRegionParameter } from './cross-region-parameter';
import { consumerGroupsArn, KAFKA_IAM_PORT, REPLICATED_TOPICS, TOPICS, topicsArn } from './msk-serverless';

/** Where each region publishes what the Replicator needs to reach its cluster from another region. */
export const REPLICATOR_PARAMETERS = {
  clusterArn: 'msk/cluster-arn',
  subnetIds: 'msk/replicator-subnet-ids',
  securityGroupId: 'msk/replicator-security-group-id',
} as const;

export interface ReplicatorAccessProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The security group of this region's MSK cluster. */
  readonly clusterSecurityGroup: ec2.SecurityGroup;
}

/**
 * How an MSK Replicator reaches this region's cluster: a security group admitted by the
 * cluster on 9098, and this region's private subnets, both published in SSM. Built in both
 * regions: the standby's Replicator uses its own region's as the target's and reads the
 * writer's as the source's ("choose subnets and security groups for the source cluster" from
 * the source cluster's VPC: MSK developer guide, "Create a replicator"), and a failover swaps
 * the two without changing either region's resources.
 */
export class ReplicatorAccess extends Construct {
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ReplicatorAccessProps) {
    super(scope, id);
    const { config, vpc, subnets, clusterSecurityGroup } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `MSK Replicator ${config.name}: reaches the cluster of this region on ${KAFKA_IAM_PORT}`,
      allowAllOutbound: true,
    });
    clusterSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(KAFKA_IAM_PORT), 'MSK Replicator');
    new ssm.StringParameter(this, 'SubnetIdsParameter', {
      parameterName: parameterName(config, REPLICATOR_PARAMETERS.subnetIds),
      stringValue: Fn.join(',', vpc.selectSubnets(subnets).subnetIds),
      description: `Private subnets (comma-separated) an MSK Replicator of ${config.name} uses to reach this region's cluster`,
    });
    new ssm.StringParameter(this, 'SecurityGroupIdParameter', {
      parameterName: parameterName(config, REPLICATOR_PARAMETERS.securityGroupId),
      stringValue: this.securityGroup.securityGroupId,
      description: `Security group an MSK Replicator of ${config.name} uses to reach this region's cluster`,
    });
  }
}

export interface MskReplicatorProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The standby's cluster (target). */
  readonly targetClusterArn: string;
  readonly logsKey: kms.IKey;
  /** A security group the Replicator may use to reach the target cluster on 9098. */
  readonly targetSecurityGroup: ec2.ISecurityGroup;
}

/**
 * MSK Replicator, created in the standby (target) region as MSK requires, copying
 * topicA..C and the canary's topic from the writer's cluster with consumer group offset sync.
 *
 * What it needs of the writer's region (the cluster ARN, which ends in a generated id, and
 * the subnets and security group the writer's ReplicatorAccess publishes) cannot be derived
 * from config: it is read from the writer region's SSM at deploy time. That read makes no
 * CloudFormation export, so failover and failback never meet locked exports.
 */
export class MskReplicator extends Construct {
  readonly replicator: msk.CfnReplicator;

  constructor(scope: Construct, id: string, props: MskReplicatorProps) {
    super(scope, id);
    const { config, vpc, subnets, targetClusterArn } = props;
    const writer = writerRole(config);
    const standby = otherRole(writer);
    const sourceRegion = regionOf(config, writer);

    const logGroup = platformLogGroup(this, 'SourceClusterArnLogs', {
      config: config,
      logsKey: props.logsKey,
    });
    const read = (readId: string, path: string) =>
      new CrossRegionParameter(this, readId, { config, from: writer, path, logGroup }).value;
    const sourceClusterArn = read('SourceClusterArn', REPLICATOR_PARAMETERS.clusterArn);
    const sourceSubnetIds = Fn.split(',', read('SourceSubnetIds', REPLICATOR_PARAMETERS.subnetIds));
    const sourceSecurityGroupId = read('SourceSecurityGroupId', REPLICATOR_PARAMETERS.securityGroupId);

    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('kafka.amazonaws.com'),
      description: `MSK Replicator ${config.name}: ${sourceRegion} -> ${regionOf(config, standby)}`,
    });
    // What AWS's managed policy AWSMSKReplicatorExecutionRole grants (MSK developer guide,
    // security-iam-awsmanpol-AWSMSKReplicatorExecutionRole), scoped to these two clusters: the
    // same cluster, topic and group actions on both, because the Replicator creates and writes
    // its own internal topics and groups on the clusters (names it chooses, not documented), and
    // a failover makes the target the next source.
    const clusters = [sourceClusterArn, targetClusterArn];
    const topics = [topicsArn(config, writer), topicsArn(config, standby)];
    const groups = [consumerGroupsArn(config, writer), consumerGroupsArn(config, standby)];
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ClusterPermissions',
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
          'kafka-cluster:AlterCluster',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:AlterGroup',
          'kafka-cluster:DescribeGroup',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        resources: clusters,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TopicPermissions',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
          'kafka-cluster:AlterCluster',
        ],
        resources: topics,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'GroupPermissions',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: groups,
      }),
    );
    acknowledgeDefaultPolicy(role, 'the MSK Replicator');
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      [...topics, ...groups].map((arn) => `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}]`),
      "The Replicator creates and uses internal topics and consumer groups of its own on both clusters (AWSMSKReplicatorExecutionRole grants every topic and group); scoped here to this environment's two clusters by name.",
    );

    this.replicator = new msk.CfnReplicator(this, 'Replicator', {
      replicatorName: resourceName(config, 'msk-replicator'),
      // Create-only (resource schema aws-msk-replicator.json, createOnlyProperties): a changed
      // description would replace the named Replicator, so it keeps naming the application topics.
      description: `${config.name}: ${TOPICS.join(', ')} from ${sourceRegion}`,
      serviceExecutionRoleArn: role.roleArn,
      kafkaClusters: [
        {
          // The source's own region's subnets and security group, read from its SSM.
          amazonMskCluster: { mskClusterArn: sourceClusterArn },
          vpcConfig: { subnetIds: sourceSubnetIds, securityGroupIds: [sourceSecurityGroupId] },
        },
        {
          amazonMskCluster: { mskClusterArn: targetClusterArn },
          vpcConfig: {
            subnetIds: vpc.selectSubnets(subnets).subnetIds,
            securityGroupIds: [props.targetSecurityGroup.securityGroupId],
          },
        },
      ],
      replicationInfoList: [
        {
          sourceKafkaClusterArn: sourceClusterArn,
          targetKafkaClusterArn: targetClusterArn,
          targetCompressionType: 'NONE',
          topicReplication: {
            // Adding the canary topic to a running Replicator is an in-place UpdateReplicationInfo
            // (CloudFormation resource provider aws-msk-replicator, UpdateHandler), not a replacement.
            topicsToReplicate: [...REPLICATED_TOPICS],
            copyTopicConfigurations: true,
            copyAccessControlListsForTopics: false, // Serverless clusters use IAM, not Kafka ACLs
            detectAndCopyNewTopics: false,
            startingPosition: { type: 'EARLIEST' },
            topicNameConfiguration: { type: 'IDENTICAL' },
          },
          consumerGroupReplication: {
            consumerGroupsToReplicate: ['.*'],
            synchroniseConsumerGroupOffsets: true,
            detectAndCopyNewConsumerGroups: true,
          },
        },
      ],
    });
  }
}
