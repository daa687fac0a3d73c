import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import { isWriter } from '../../../config/topology';
import { canaryBudget } from '../../../lambda/readiness/canary';
import type { Canary } from '../canary';

export interface CanaryAlarmsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** The canary of this region, whose metrics are watched. */
  readonly canary: Canary;
  readonly topic: sns.ITopic;
}

/**
 * Alarms on what the canary publishes, built only from its `metricX()` methods: the
 * canary not running at all (CanaryRuns missing: breaching, so a canary that cannot
 * run is never a silent pass), each store's canary failing, and in the standby each
 * store's measured lag above its budget plus the canary interval.
 */
export class CanaryAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: CanaryAlarmsProps) {
    super(scope, id);
    const { config, role, canary } = props;
    const side = isWriter(config, role) ? 'writer' : 'standby';
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      options: { comparison?: cloudwatch.ComparisonOperator; missing?: cloudwatch.TreatMissingData } = {},
    ) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        comparisonOperator:
          options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${config.name} ${role} (${side}): ${description}`,
      });
      a.addAlarmAction(new actions.SnsAction(props.topic));
      a.addOkAction(new actions.SnsAction(props.topic));
      this.alarms.push(a);
    };
    alarm(
      'CanaryNotRunning',
      canary.metricRuns(),
      1,
      'the replication canary has not run in 3 of the last 5 minutes: no measured lag and no data-plane evidence (docs/readiness.md, "Canaries").',
      {
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    for (const store of canary.stores) {
      alarm(
        `Canary-${store}`,
        canary.metricResult(store),
        1,
        `the ${store} canary ${side === 'writer' ? 'write' : 'read'} failed in 3 of the last 5 minutes (1 the store refused, timed out or rejected it; 2 throttled or 5xx; 3 the canary could not do its work). The canary state parameter says why.`,
      );
    }
    if (side === 'standby') {
      const b = config.failover.budgets;
      const budgets: Record<string, number> = {
        rds: b.rdsReplicaLagSeconds,
        elasticache: b.cacheReplicationLagSeconds,
        msk: b.mskReplicationLatencySeconds,
        s3: b.s3ReplicationLatencySeconds,
      };
      for (const store of canary.stores) {
        const budget = canaryBudget(budgets[store]);
        alarm(
          `CanaryLag-${store}`,
          canary.metricLag(store),
          budget,
          `the newest ${store} canary read here was more than ${budget}s old (its budget plus the canary interval) in 3 of the last 5 minutes: replication is behind or stopped.`,
          { comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
        );
      }
    }
  }
}
