import type * as sns from 'aws-cdk-lib/aws-sns';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import { resourceName } from '../../../config/naming';

/**
 * The cdk-monitoring-constructs facade of a region's operations stack: same
 * topic and M of N as the other alarms, its own dashboards off (the
 * environment has one). Created under the stack as `Monitoring` (its alarms
 * are named from `alarmNamePrefix`, so their construct paths must not move).
 */
export function operationsMonitoring(
  scope: Construct,
  config: EnvironmentConfig,
  role: RegionRole,
  topic: sns.ITopic,
): MonitoringFacade {
  return new MonitoringFacade(scope, 'Monitoring', {
    alarmFactoryDefaults: {
      alarmNamePrefix: `${resourceName(config, role)}`,
      actionsEnabled: true,
      action: new SnsAlarmActionStrategy({ onAlarmTopic: topic }),
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    },
    dashboardFactory: new DefaultDashboardFactory(scope, 'MonitoringDashboards', {
      dashboardNamePrefix: resourceName(config, `${role}-services`),
      createDashboard: false,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
    }),
  });
}
