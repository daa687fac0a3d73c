/**
 * Failover generations, their transitions, the runbooks' templates and the operations
 * stack. One test file for the same reason as platform.test.ts: the specs share one load
 * of aws-cdk-lib and one synth of prod at each generation (sharedPlatform).
 */
import './failover-generations.spec';
import './generation-transitions.spec';
import './failover-runbook.spec';
import './ssm-document-size.spec';
import './operations.spec';
import './operator-outputs.spec';
import './generated-docs.spec';
