import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import { isWriter } from '../../../config/topology';
import { CHECK_NAMES, type Readiness } from '../readiness';

export interface ReadinessAlarmsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** The readiness check whose metrics are watched; its topic receives the alarms. */
  readonly readiness: Readiness;
}

/**
 * Alarms on what the readiness function publishes, built only from its
 * `metricX()` methods (so they query exactly what the handler emits): every
 * check, the estimated RPO and whether it is complete, a failover
 * recommendation (standby only), the function's errors, and its heartbeat,
 * which breaches when the function stops reporting.
 */
export class ReadinessAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ReadinessAlarmsProps) {
    super(scope, id);
    const { config, role, readiness } = props;
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      options: {
        threshold: number;
        description: string;
        comparison?: cloudwatch.ComparisonOperator;
        periods?: [number, number];
        missing?: cloudwatch.TreatMissingData;
      },
    ) => {
      const [evaluationPeriods, datapointsToAlarm] = options.periods ?? [5, 3];
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: options.threshold,
        evaluationPeriods,
        datapointsToAlarm,
        comparisonOperator:
          options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? cloudwatch.TreatMissingData.MISSING,
        alarmDescription: `${config.name} ${role}: ${options.description}`,
      });
      a.addAlarmAction(new actions.SnsAction(readiness.topic));
      a.addOkAction(new actions.SnsAction(readiness.topic));
      this.alarms.push(a);
      return a;
    };
    for (const check of CHECK_NAMES) {
      alarm(`Check-${check}`, readiness.metricCheckStatus(check), {
        threshold: 2,
        description: `${check} readiness failed or unknown in 3 of the last 5 minutes (0 healthy, 1 degraded, 2 failed, 3 unknown). See docs/readiness.md: what each check reads and when it fails.`,
      });
    }
    alarm('EstimatedRpo', readiness.metricEstimatedRpo(), {
      threshold: config.failover.rpoBudgetSeconds,
      description: `Estimated RPO above the ${config.failover.rpoBudgetSeconds}s budget in 3 of 5 minutes: a failover now would lose more data than agreed.`,
    });
    alarm('RpoIncomplete', readiness.metricRpoComplete(), {
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      periods: [5, 5],
      description:
        "A replicated store's lag could not be read for 5 minutes: the estimated RPO is a lower bound (the report's rpo.stores says which).",
    });
    if (!isWriter(config, role)) {
      alarm('FailoverRecommended', readiness.metricFailoverRecommended(), {
        threshold: 1,
        periods: [1, 1],
        description:
          "The standby recommends failing over: the writer's region failed consecutive evaluations. A human decides (docs/runbooks).",
      });
      // Minimum over each minute: every evaluation of the minute was without a verdict.
      alarm('WriterVerdictUnknown', readiness.metricWriterVerdictUnknown(), {
        threshold: 1,
        periods: [10, 10],
        description:
          "The writer's region has given no verdict for 10 of 10 minutes: its write-path services answer with errors (throttling or HTTP 5xx, a brownout), or the standby cannot judge them. Throttling is never recommended as a failover; server errors from two or more write-path services recommend one after failover.brownoutEvaluationsToRecommend evaluations. Until then, judge by hand whether the writer can take writes (docs/runbooks/failover.md).",
      });
      if (config.msk.replicator) {
        // Published by the readiness function from the Replicator's own metrics (standby region).
        alarm('ReplicatorUnhealthy', readiness.metricReplicatorHealthy(), {
          threshold: 1,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          description:
            'The MSK Replicator has lost a cluster (KafkaClusterPingSuccessCount 0 or missing) or its access (ReplicationLatency 0 while MessageLag grows) in 3 of 5 minutes: the msk lag is unknown and the RPO incomplete. Check its network and service role (MSK developer guide, msk-replicator-monitor).',
        });
      }
    }
    alarm('CheckErrors', readiness.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }), {
      threshold: 1,
      description: 'The readiness function itself is failing.',
    });
    alarm('Heartbeat', readiness.metricEvaluations(), {
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      missing: cloudwatch.TreatMissingData.BREACHING,
      description:
        'The readiness function has not reported in 3 of the last 5 minutes: nothing is watching whether failing over is safe.',
    });
  }
}
