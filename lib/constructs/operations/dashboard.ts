import { type CfnResource, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../../config';
import { regionOf, resourceName } from '../../../config/naming';
import { METRICS_NAMESPACE, STORE_NAMES } from '../../../lambda/readiness/metrics';
import type { Canary } from '../canary';
import { CHECK_NAMES, type Readiness } from '../readiness';
import { jobFailureLogName } from './spark-failure-rule';

export interface OperationsDashboardProps {
  readonly config: EnvironmentConfig;
  /** This region's readiness check; its metric methods are used for both regions. */
  readonly readiness: Readiness;
  /** This region's canary; its metric methods are used for both regions. */
  readonly canary: Canary;
}

/**
 * The environment's dashboard (one, in the primary region), showing both
 * regions: readiness per check, estimated RPO and whether it is complete, each
 * store's lag, job submissions and failed runs, Lambda errors. Readiness
 * widgets use the readiness construct's metric methods, as the alarms do.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { config, readiness, canary } = props;
    const regions = (['primary', 'dr'] as const).map((r) => ({ role: r, region: regionOf(config, r) }));
    const m = (
      namespace: string,
      metricName: string,
      dimensionsMap: Record<string, string>,
      region: string,
      label: string,
      statistic = 'Sum',
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
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: resourceName(config, 'dr-readiness'),
      defaultInterval: Duration.hours(3),
    });
    // Named: keep the logical ID it had before this construct, so it is updated in place.
    (this.dashboard.node.defaultChild as CfnResource).overrideLogicalId('Dashboard9E4231ED');
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${config.name}: ${regionOf(config, 'primary')} (primary) / ${regionOf(config, 'dr')} (DR)\nReadiness per check: 0 healthy, 1 degraded, 2 failed, 3 unknown. Fail over / fail back: README and docs/runbooks.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      ...regions.map(
        ({ role, region }) =>
          new cloudwatch.GraphWidget({
            title: `Readiness per check, seen from ${role} (${region})`,
            width: 12,
            left: CHECK_NAMES.map((check) => readiness.metricCheckStatus(check, { region, label: check })),
            leftYAxis: { min: 0, max: 3 },
          }),
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Estimated RPO (s) and whether every lag was read',
        width: 8,
        left: regions.map(({ role, region }) =>
          readiness.metricEstimatedRpo({ region, label: `from ${role}` }),
        ),
        right: regions.map(({ role, region }) =>
          readiness.metricRpoComplete({ region, label: `complete (${role})` }),
        ),
        rightYAxis: { min: 0, max: 1 },
        leftAnnotations: [{ value: config.failover.rpoBudgetSeconds, label: 'RPO budget' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Lag per store (s), seen from each region',
        width: 8,
        left: regions.flatMap(({ role, region }) =>
          STORE_NAMES.map((store) =>
            readiness.metricStoreLag(store, { region, label: `${store} (${role})` }),
          ),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Job submissions and failures',
        width: 8,
        left: regions.flatMap(({ role, region }) => [
          m(METRICS_NAMESPACE, 'JobsSubmitted', { service: 'job-submission' }, region, `submitted (${role})`),
          m(
            METRICS_NAMESPACE,
            'JobSubmissionFailures',
            { service: 'job-submission' },
            region,
            `submission failed (${role})`,
          ),
          m(
            'AWS/Events',
            'MatchedEvents',
            { RuleName: resourceName(config, 'spark-job-failed') },
            region,
            `run failed (${role}; ${jobFailureLogName(config)})`,
          ),
        ]),
      }),
    );
    // The canary: the standby's measured lag per store, and each region's canary health.
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Measured lag per store (canary, s): the age of the newest canary read in the standby',
        width: 12,
        left: regions.flatMap(({ role, region }) =>
          canary.stores.map((store) => canary.metricLag(store, { region, label: `${store} (${role})` })),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Canary per store and region: 0 ok, 1 store failed it, 2 throttled/5xx, 3 canary fault; runs',
        width: 12,
        left: regions.flatMap(({ role, region }) =>
          canary.stores.map((store) => canary.metricResult(store, { region, label: `${store} (${role})` })),
        ),
        leftYAxis: { min: 0, max: 3 },
        right: regions.map(({ role, region }) => canary.metricRuns({ region, label: `runs (${role})` })),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        width: 24,
        left: regions.flatMap(({ role, region }) =>
          ['readiness', 'canary', 'submit-job'].map((fn) =>
            m('AWS/Lambda', 'Errors', { FunctionName: resourceName(config, fn) }, region, `${fn} (${role})`),
          ),
        ),
      }),
    );
  }
}
