import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { ElastiCacheClusterType, type MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import {
  cacheNodeId,
  cacheReplicationGroupId,
  databaseInstanceIdentifier,
  resourceName,
  warehouseName,
} from '../../../config/naming';
import { METRICS_NAMESPACE } from '../../../lambda/readiness/metrics';

export interface DataStoreAlarmsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** The stack's facade (operationsMonitoring); its alarms notify the same topic. */
  readonly monitoring: MonitoringFacade;
  readonly topic: sns.ITopic;
}

/**
 * The services' own health in this region. From cdk-monitoring-constructs where
 * it covers the resource: the PostgreSQL instance (CPU, free storage,
 * connections), the cache node (evictions), the job submission function
 * (faults, throttles) and a provisioned warehouse (disk, CPU). By hand where it
 * does not: cache memory (DatabaseMemoryUsagePercentage), job submission
 * failures (our EMF metric) and a provisioned warehouse's HealthStatus.
 */
export class DataStoreAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DataStoreAlarmsProps) {
    super(scope, id);
    const { config, role, monitoring } = props;
    monitoring.monitorRdsInstance({
      instance: rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Database', {
        instanceIdentifier: databaseInstanceIdentifier(config, role),
        instanceEndpointAddress: `${databaseInstanceIdentifier(config, role)}.invalid`,
        port: 5432,
        securityGroups: [],
      }),
      humanReadableName: `${config.name} PostgreSQL`,
      alarmFriendlyName: `${config.name}-postgres`,
      addCpuUsageAlarm: { Warning: { maxUsagePercent: 80 } },
      addFreeStorageSpaceAlarm: { Warning: { minCount: 10 * 1024 ** 3 } },
      addMaxConnectionCountAlarm: { Warning: { maxConnectionCount: 500 } },
    });
    monitoring.monitorElastiCacheCluster({
      clusterId: cacheNodeId(config),
      clusterType: ElastiCacheClusterType.REDIS,
      humanReadableName: `${config.name} cache`,
      alarmFriendlyName: `${config.name}-cache`,
      addMaxEvictedItemsCountAlarm: { Warning: { maxItemsCount: 0 } },
    });
    monitoring.monitorLambdaFunction({
      lambdaFunction: lambda.Function.fromFunctionName(
        this,
        'JobSubmissionFunction',
        resourceName(config, 'submit-job'),
      ),
      humanReadableName: `${config.name} job submission`,
      addFaultCountAlarm: { Critical: { maxErrorCount: 0 } },
      addThrottlesCountAlarm: { Critical: { maxErrorCount: 0 } },
    });
    if (config.redshift.mode === 'provisioned') {
      monitoring.monitorRedshiftCluster({
        clusterIdentifier: warehouseName(config),
        humanReadableName: `${config.name} warehouse`,
        addDiskSpaceUsageAlarm: { Critical: { maxUsagePercent: 80 } },
        addCpuUsageAlarm: { Warning: { maxUsagePercent: 90 } },
      });
    }

    const alarm = (
      alarmId: string,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
      description: string,
    ) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric: metric.with({ period: Duration.minutes(5) }),
        threshold,
        comparisonOperator,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${config.name} ${role}: ${description}`,
      });
      a.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(a);
    };
    // Every node of the replication group ({id}-001 .. {id}-00{replicas+1}), worst kept: the
    // primary moves between nodes on an in-region failover. MAX over an array of time series
    // is one time series (CloudWatch user guide, "Metric math syntax and functions",
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
    const nodes = Array.from(
      { length: 1 + config.elasticache.replicasPerNodeGroup },
      (_, i) => `${cacheReplicationGroupId(config)}-${String(i + 1).padStart(3, '0')}`,
    );
    alarm(
      'CacheMemory',
      new cloudwatch.MathExpression({
        expression: `MAX([${nodes.map((_, i) => `m${i}`).join(', ')}])`,
        label: 'DatabaseMemoryUsagePercentage, worst node',
        usingMetrics: Object.fromEntries(
          nodes.map((node, i) => [
            `m${i}`,
            new cloudwatch.Metric({
              namespace: 'AWS/ElastiCache',
              metricName: 'DatabaseMemoryUsagePercentage',
              dimensionsMap: { CacheClusterId: node },
              statistic: 'Maximum',
            }),
          ]),
        ),
      }),
      80,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      'Cache memory above 80% on some node of the replication group',
    );
    alarm(
      'JobSubmissionFailures',
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'JobSubmissionFailures',
        dimensionsMap: { service: 'job-submission' },
        statistic: 'Sum',
      }),
      0,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      'Spark job submissions are failing',
    );
    // Redshift's own health for a provisioned cluster (AWS/Redshift HealthStatus, 1 healthy, 0 not);
    // cdk-monitoring-constructs does not alarm on it.
    if (config.redshift.mode === 'provisioned') {
      alarm(
        'WarehouseHealth',
        new cloudwatch.Metric({
          namespace: 'AWS/Redshift',
          metricName: 'HealthStatus',
          dimensionsMap: { ClusterIdentifier: warehouseName(config) },
          statistic: 'Minimum',
        }),
        1,
        cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        'Redshift cluster reports UNHEALTHY (HealthStatus 0)',
      );
    }
  }
}
