import { ArnFormat, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import { FailoverRunbook } from '../constructs/failover-runbook';
import { FenceRunbook } from '../constructs/fence-runbook';
import { MSK_SERVERLESS_QUOTAS, TOPICS } from '../constructs/msk-serverless';
import { CHECK_NAMES, READINESS_NAMESPACE, Readiness } from '../constructs/readiness';
import {
  cacheNodeId,
  databaseInstanceIdentifier,
  isWriter,
  regionOf,
  resourceName,
  standbyRole,
  warehouseName,
} from '../naming';
import { dataRemovalPolicy, RegionStack, type RegionStackProps } from '../region-stack';
import { hasFailback } from '../runbooks/failover';

export interface OperationsStackProps extends RegionStackProps {
  readonly logsKey: kms.IKey;
  readonly streamingKey: kms.IKey;
}

/**
 * Readiness check, alarms on the data stores' own health, and (in the primary
 * region) the environment's dashboard showing both regions.
 */
export class OperationsStack extends RegionStack {
  readonly readiness: Readiness;
  readonly dashboard?: cloudwatch.Dashboard;
  /** In the standby region: the runbook that makes it the active region. */
  readonly failover?: FailoverRunbook;
  /** In the primary region while the DR region writes: the planned switch back. */
  readonly failback?: FailoverRunbook;
  /** In every region: fences it once it answers again after the other region took over. */
  readonly fence: FenceRunbook;
  private readonly logsKey: kms.IKey;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, 'operations', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: readiness checks, alarms${props.role === 'primary' ? ', dashboard' : ''}`,
    });
    const { config } = this;
    this.logsKey = props.logsKey;
    this.readiness = new Readiness(this, 'Readiness', {
      config,
      role: this.role,
      logsKey: props.logsKey,
      topicKey: props.streamingKey,
    });
    this.dataStoreAlarms();
    this.libraryMonitoring();
    this.streamingThrottleAlarms();
    if (this.role === 'primary') this.dashboard = this.buildDashboard();
    const runbook = { config, topic: this.readiness.topic, topicKey: props.streamingKey };
    this.fence = new FenceRunbook(this, 'FenceRunbook', { ...runbook, role: this.role });
    if (!isWriter(config, this.role)) {
      this.failover = new FailoverRunbook(this, 'FailoverRunbook', runbook);
      if (hasFailback(config)) {
        this.failback = new FailoverRunbook(this, 'FailbackRunbook', { ...runbook, kind: 'failback' });
      }
    }
  }

  private dataStoreAlarms(): void {
    const { config } = this;
    const db = { DBInstanceIdentifier: databaseInstanceIdentifier(config, this.role) };
    const node = { CacheClusterId: cacheNodeId(config) };
    const defs: [string, cloudwatch.Metric, number, cloudwatch.ComparisonOperator, string][] = [
      [
        'RdsCpu',
        new cloudwatch.Metric({
          namespace: 'AWS/RDS',
          metricName: 'CPUUtilization',
          dimensionsMap: db,
          statistic: 'Average',
        }),
        80,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'PostgreSQL CPU above 80%',
      ],
      [
        'RdsFreeStorage',
        new cloudwatch.Metric({
          namespace: 'AWS/RDS',
          metricName: 'FreeStorageSpace',
          dimensionsMap: db,
          statistic: 'Minimum',
        }),
        10 * 1024 ** 3,
        cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        'PostgreSQL free storage below 10 GiB (autoscaling may be at its maximum)',
      ],
      [
        'RdsConnections',
        new cloudwatch.Metric({
          namespace: 'AWS/RDS',
          metricName: 'DatabaseConnections',
          dimensionsMap: db,
          statistic: 'Maximum',
        }),
        500,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'PostgreSQL connections above 500',
      ],
      [
        'CacheMemory',
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'DatabaseMemoryUsagePercentage',
          dimensionsMap: node,
          statistic: 'Maximum',
        }),
        80,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Cache memory above 80%',
      ],
      [
        'CacheEvictions',
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'Evictions',
          dimensionsMap: node,
          statistic: 'Sum',
        }),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Cache is evicting keys',
      ],
      [
        'JobSubmissionFailures',
        new cloudwatch.Metric({
          namespace: READINESS_NAMESPACE,
          metricName: 'JobSubmissionFailures',
          dimensionsMap: { service: 'job-submission' },
          statistic: 'Sum',
        }),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Spark job submissions are failing',
      ],
      [
        'SparkJobFailures',
        new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'MatchedEvents',
          dimensionsMap: { RuleName: this.jobFailureRule().ruleName },
          statistic: 'Sum',
        }),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        `Spark job runs are failing (EMR Serverless FAILED events; details in ${this.jobFailureLogName()})`,
      ],
      ...this.warehouseAlarms(),
    ];
    for (const [id, metric, threshold, comparisonOperator, description] of defs) {
      const alarm = new cloudwatch.Alarm(this, id, {
        metric: metric.with({ period: Duration.minutes(5) }),
        threshold,
        comparisonOperator,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${config.name} ${this.role}: ${description}`,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.readiness.topic));
      this.readiness.alarms.push(alarm);
    }
  }

  /**
   * Alarms from cdk-monitoring-constructs where it covers a service we run and
   * do not alarm on by hand: the job submission function (faults, throttles)
   * and a provisioned Redshift cluster (disk, CPU). Same topic and M-of-N as the
   * other alarms; its own dashboards are off (the environment has one, built below).
   * It has no RDS-instance, MSK Serverless or EMR Serverless monitoring.
   */
  private libraryMonitoring(): void {
    const { config } = this;
    const monitoring = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: `${resourceName(config, this.role)}`,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.readiness.topic }),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      },
      dashboardFactory: new DefaultDashboardFactory(this, 'MonitoringDashboards', {
        dashboardNamePrefix: resourceName(config, `${this.role}-services`),
        createDashboard: false,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
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
  }

  /**
   * MSK Serverless throttles a topic above its partitions' throughput quota and
   * the cluster above its own, and publishes no throttling metric (AWS/Kafka has
   * BytesInPerSec and BytesOutPerSec per Cluster Name and Topic, as a per-minute
   * rate best read as Sum over one minute). These alarms fire at 80% of a quota,
   * before producers and consumers are throttled: the busiest topic against its
   * partitions' quota, and all topics together against the cluster's.
   */
  private streamingThrottleAlarms(): void {
    const { config } = this;
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
    for (const [id, metricName, fn, quota, what] of defs) {
      const usingMetrics = perTopic(metricName);
      const alarm = new cloudwatch.Alarm(this, id, {
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
        alarmDescription: `${config.name} ${this.role}: MSK Serverless ${what} at 80% of the ${quota / 1_000_000} MB/s quota where it throttles clients (3 of 5 minutes)`,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.readiness.topic));
      this.readiness.alarms.push(alarm);
    }
  }

  private jobFailureLogName(): string {
    return `/dra/${this.config.name}/emr-serverless/failed-job-runs`;
  }

  /**
   * EMR Serverless reports job run state changes to EventBridge; FAILED runs in
   * this region are kept in a log group (a year, KMS) and counted by the rule's
   * MatchedEvents metric, which the SparkJobFailures alarm watches.
   */
  private jobFailureRule(): events.Rule {
    const log = new logs.LogGroup(this, 'SparkJobFailedLog', {
      logGroupName: this.jobFailureLogName(),
      encryptionKey: this.logsKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: dataRemovalPolicy(this.config, 'retain'),
    });
    // The log group's resource policy is plain CloudFormation (the events-targets
    // helper would add a custom-resource Lambda to write it).
    new logs.ResourcePolicy(this, 'SparkJobFailedLogPolicy', {
      resourcePolicyName: `${resourceName(this.config, 'failed-job-runs')}-events`,
      policyStatements: [
        new iam.PolicyStatement({
          principals: [
            new iam.ServicePrincipal('events.amazonaws.com'),
            new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${log.logGroupArn}`],
        }),
      ],
    });
    const rule = new events.Rule(this, 'SparkJobFailed', {
      ruleName: resourceName(this.config, 'spark-job-failed'),
      description: `Failed EMR Serverless job runs of ${this.config.name} in this region`,
      eventPattern: {
        source: ['aws.emr-serverless'],
        detailType: ['EMR Serverless Job Run State Change'],
        detail: { state: ['FAILED'] },
      },
    });
    const logArn = this.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.jobFailureLogName(),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    rule.addTarget({ bind: () => ({ arn: logArn }) });
    rule.node.addDependency(log);
    return rule;
  }

  /**
   * Redshift's own health for a provisioned cluster: HealthStatus (AWS/Redshift),
   * which cdk-monitoring-constructs does not alarm on; disk and CPU come from it
   * (see libraryMonitoring).
   */
  private warehouseAlarms(): [string, cloudwatch.Metric, number, cloudwatch.ComparisonOperator, string][] {
    if (this.config.redshift.mode !== 'provisioned') return [];
    const cluster = { ClusterIdentifier: warehouseName(this.config) };
    return [
      [
        'WarehouseHealth',
        new cloudwatch.Metric({
          namespace: 'AWS/Redshift',
          metricName: 'HealthStatus',
          dimensionsMap: cluster,
          statistic: 'Minimum',
        }),
        1,
        cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        'Redshift cluster reports UNHEALTHY (HealthStatus 0)',
      ],
    ];
  }

  private buildDashboard(): cloudwatch.Dashboard {
    const { config } = this;
    const regions = (['primary', 'dr'] as const).map((r) => ({ role: r, region: regionOf(config, r) }));
    const m = (
      namespace: string,
      metricName: string,
      dimensionsMap: Record<string, string>,
      region: string,
      label: string,
      statistic = 'Maximum',
    ) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap,
        region,
        label,
        statistic,
        period: Duration.minutes(1),
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: resourceName(config, 'dr-readiness'),
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${config.name}: ${regionOf(config, 'primary')} (primary) / ${regionOf(config, 'dr')} (DR)\nReadiness per check: 0 healthy, 1 degraded, 2 failed, 3 unknown. Fail over / fail back: README and docs/runbooks.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      ...regions.map(
        ({ role, region }) =>
          new cloudwatch.GraphWidget({
            title: `Readiness per check, seen from ${role} (${region})`,
            width: 12,
            left: CHECK_NAMES.map((check) =>
              m(
                READINESS_NAMESPACE,
                'CheckStatus',
                { service: 'readiness', environment: config.name, check },
                region,
                check,
              ),
            ),
            leftYAxis: { min: 0, max: 3 },
          }),
      ),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Estimated RPO (s)',
        width: 8,
        left: regions.map(({ role, region }) =>
          m(
            READINESS_NAMESPACE,
            'EstimatedRpoSeconds',
            { service: 'readiness', environment: config.name },
            region,
            `from ${role}`,
          ),
        ),
        leftAnnotations: [{ value: config.failover.rpoBudgetSeconds, label: 'RPO budget' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Replica lags (s)',
        width: 8,
        left: [
          m(
            'AWS/RDS',
            'ReplicaLag',
            { DBInstanceIdentifier: databaseInstanceIdentifier(config, standbyRole(config)) },
            regionOf(config, standbyRole(config)),
            'RDS replica',
          ),
          m(
            'AWS/ElastiCache',
            'GlobalDatastoreReplicationLag',
            { CacheClusterId: cacheNodeId(config) },
            regionOf(config, standbyRole(config)),
            'Global Datastore',
          ),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Job submissions and failures',
        width: 8,
        left: regions.flatMap(({ role, region }) => [
          m(
            READINESS_NAMESPACE,
            'JobsSubmitted',
            { service: 'job-submission' },
            region,
            `submitted (${role})`,
            'Sum',
          ),
          m(
            READINESS_NAMESPACE,
            'JobSubmissionFailures',
            { service: 'job-submission' },
            region,
            `submission failed (${role})`,
            'Sum',
          ),
          m(
            'AWS/Events',
            'MatchedEvents',
            { RuleName: resourceName(config, 'spark-job-failed') },
            region,
            `run failed (${role})`,
            'Sum',
          ),
        ]),
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        width: 24,
        left: regions.flatMap(({ role, region }) =>
          ['readiness', 'submit-job'].map((fn) =>
            m(
              'AWS/Lambda',
              'Errors',
              { FunctionName: resourceName(config, fn) },
              region,
              `${fn} (${role})`,
              'Sum',
            ),
          ),
        ),
      }),
    );
    return dashboard;
  }
}
