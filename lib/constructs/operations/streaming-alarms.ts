import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import { resourceName } from '../../../config/naming';
import { MSK_SERVERLESS_QUOTAS, TOPICS } from '../msk-serverless';

export interface StreamingAlarmsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  readonly topic: sns.ITopic;
}

/**
 * MSK Serverless throttles a topic above its partitions' throughput quota and
 * the cluster above its own, and publishes no throttling metric (AWS/Kafka has
 * BytesInPerSec and BytesOutPerSec per Cluster Name and Topic, as a per-minute
 * rate best read as Sum over one minute). These alarms fire at 80% of a quota,
 * before producers and consumers are throttled: the busiest topic against its
 * partitions' quota, and all topics together against the cluster's.
 */
export class StreamingAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: StreamingAlarmsProps) {
    super(scope, id);
    const { config, role } = props;
    const cluster = resourceName(config, 'msk');
    const partitions = config.msk.topicPartitions;
    const q = MSK_SERVERLESS_QUOTAS;
    const rate = (metricName: string, topic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: { 'Cluster Name': cluster, Topic: topic },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    const perTopic = (metricName: string) =>
      Object.fromEntries(TOPICS.map((t, i) => [`t${i}`, rate(metricName, t)]));
    const defs: [string, string, string, number, string][] = [
      [
        'MskTopicIngress',
        'BytesInPerSec',
        'MAX',
        partitions * q.partitionIngressBytesPerSecond,
        'busiest topic ingress',
      ],
      [
        'MskTopicEgress',
        'BytesOutPerSec',
        'MAX',
        partitions * q.partitionEgressBytesPerSecond,
        'busiest topic egress',
      ],
      ['MskClusterIngress', 'BytesInPerSec', 'SUM', q.clusterIngressBytesPerSecond, 'cluster ingress'],
      ['MskClusterEgress', 'BytesOutPerSec', 'SUM', q.clusterEgressBytesPerSecond, 'cluster egress'],
    ];
    for (const [alarmId, metricName, fn, quota, what] of defs) {
      const usingMetrics = perTopic(metricName);
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric: new cloudwatch.MathExpression({
          expression: `${fn}([${Object.keys(usingMetrics).join(', ')}])`,
          usingMetrics,
          period: Duration.minutes(1),
          label: `${what} (bytes/s)`,
        }),
        threshold: 0.8 * quota,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${config.name} ${role}: MSK Serverless ${what} at 80% of the ${quota / 1_000_000} MB/s quota where it throttles clients (3 of 5 minutes)`,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(alarm);
    }
  }
}
