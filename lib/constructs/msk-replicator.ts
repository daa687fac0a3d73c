import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { parameterName, regionalArn, regionOf, resourceName } from '../../config/naming';
import { otherRole, writerRole } from '../../config/topology';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { acknowledgeSdkCalls, CROSS_REGION_READ_REASON } from '../compliance/sdk-calls';
import { platformLogGroup } from '../shared/log-group';
import { consumerGroupsArn, kafkaResourceArn, REPLICATED_TOPICS, TOPICS } from './msk-serverless';

export interface MskReplicatorProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The DR cluster (target). */
  readonly targetClusterArn: string;
  readonly logsKey: kms.IKey;
  /** A security group the Replicator may use to reach the target cluster on 9098. */
  readonly targetSecurityGroup: ec2.ISecurityGroup;
}

/**
 * MSK Replicator, created in the standby (target) region as MSK requires, copying
 * topicA..C and the canary's topic from the writer's cluster with consumer group offset sync.
 *
 * A Serverless cluster's ARN ends in a generated id, so it cannot be derived
 * from config: the primary publishes it in SSM and this construct reads it at
 * deploy time (an SDK call against the primary region). That read makes no
 * CloudFormation export, so failover and failback never meet locked exports.
 */
export class MskReplicator extends Construct {
  readonly replicator: msk.CfnReplicator;

  constructor(scope: Construct, id: string, props: MskReplicatorProps) {
    super(scope, id);
    const { config, vpc, subnets, targetClusterArn } = props;
    const writer = writerRole(config);
    const sourceRegion = regionOf(config, writer);
    const sourceParameter = parameterName(config, 'msk/cluster-arn');

    const lookup = new cr.AwsCustomResource(this, 'SourceClusterArn', {
      installLatestAwsSdk: false,
      logGroup: platformLogGroup(this, 'SourceClusterArnLogs', { config: config, logsKey: props.logsKey }),
      onUpdate: {
        service: 'ssm',
        action: 'getParameter',
        region: sourceRegion,
        parameters: { Name: sourceParameter },
        physicalResourceId: cr.PhysicalResourceId.of(`${sourceParameter}@${sourceRegion}`),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [regionalArn(config, writerRole(config), 'ssm', `parameter${sourceParameter}`)],
        }),
      ]),
    });
    acknowledgeSdkCalls(this, { outsideVpcReason: CROSS_REGION_READ_REASON });
    const sourceClusterArn = lookup.getResponseField('Parameter.Value');

    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('kafka.amazonaws.com'),
      description: `MSK Replicator ${config.name}: ${sourceRegion} -> ${regionOf(config, otherRole(writer))}`,
    });
    for (const [cluster, write, groups] of [
      [sourceClusterArn, false, consumerGroupsArn(config, writer)],
      [targetClusterArn, true, consumerGroupsArn(config, otherRole(writer))],
    ] as const) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'kafka-cluster:Connect',
            'kafka-cluster:DescribeCluster',
            ...(write ? ['kafka-cluster:AlterCluster', 'kafka-cluster:WriteDataIdempotently'] : []),
          ],
          resources: [cluster],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'kafka-cluster:DescribeTopic',
            'kafka-cluster:DescribeTopicDynamicConfiguration',
            ...(write
              ? [
                  'kafka-cluster:CreateTopic',
                  'kafka-cluster:AlterTopic',
                  'kafka-cluster:WriteData',
                  'kafka-cluster:AlterTopicDynamicConfiguration',
                ]
              : ['kafka-cluster:ReadData']),
          ],
          resources: REPLICATED_TOPICS.map((t) => kafkaResourceArn(cluster, 'topic', t)),
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          resources: [groups],
        }),
      );
    }
    acknowledgeDefaultPolicy(role, 'the MSK Replicator');
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      (['primary', 'dr'] as const).map(
        (r) => `AwsSolutions::AwsSolutions-IAM5[Resource::${consumerGroupsArn(config, r)}]`,
      ),
      'Offset sync replicates every consumer group of the replicated topics; group ids are chosen by consumers at run time.',
    );

    this.replicator = new msk.CfnReplicator(this, 'Replicator', {
      replicatorName: resourceName(config, 'msk-replicator'),
      // Create-only (resource schema aws-msk-replicator.json, createOnlyProperties): a changed
      // description would replace the named Replicator, so it keeps naming the application topics.
      description: `${config.name}: ${TOPICS.join(', ')} from ${sourceRegion}`,
      serviceExecutionRoleArn: role.roleArn,
      kafkaClusters: [
        {
          amazonMskCluster: { mskClusterArn: sourceClusterArn },
          vpcConfig: { subnetIds: vpc.selectSubnets(subnets).subnetIds },
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
