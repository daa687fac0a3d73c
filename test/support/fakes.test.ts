/**
 * The fakes bound to AWS's models (issue 21): the checker, and the fake world and
 * readiness function under it. One test file for the same reason as failover.test.ts:
 * the specs share one load of the SDK clients and one python3 step runner.
 */
import './aws-model.spec';
import './world-model.spec';
