import type { EnvironmentConfig } from '../../config';
import type { RunbookKind } from './context';
import { failbackDocument } from './failback';
import { failoverDocument } from './failover';
import type { AutomationDocument } from './step';

export { hasFailback } from './failback';
export { runbookName } from './switch-steps';

/** The switch runbook of this kind, deployed in the standby region. */
export function runbookDocument(
  kind: RunbookKind,
  config: EnvironmentConfig,
  topicArn: string,
): AutomationDocument {
  return kind === 'failback' ? failbackDocument(config, topicArn) : failoverDocument(config, topicArn);
}
