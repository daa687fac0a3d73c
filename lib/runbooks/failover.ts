import type { EnvironmentConfig } from '../../config';
import { RunbookContext } from './context';
import type { AutomationDocument, RunbookStep } from './step';
import { SwitchSteps, switchDocument } from './switch-steps';

/**
 * The failover runbook (unplanned, the writer's region is impaired), deployed
 * in the standby region: gate on the per-store lags of the readiness report,
 * then switch.
 */
export function failoverDocument(config: EnvironmentConfig, topicArn: string): AutomationDocument {
  const s = new SwitchSteps('failover', RunbookContext.forSwitch(config, topicArn));
  const real: RunbookStep[] = [
    s.requestApproval(),
    s.approve(),
    s.markStarted(),
    s.startSwitch(),
    s.waitForWrites(),
    s.activate(),
    ...s.fenceOldRegion(),
    s.resubmitStreaming(),
    ...s.credential(),
    s.notifySwitched(),
    ...s.afterSwitch(),
    s.clearMarker(),
    ...s.notify(),
  ];
  return switchDocument(s, real);
}
