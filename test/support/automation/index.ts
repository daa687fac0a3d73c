/**
 * Runs synthesized SSM Automation documents in tests (issue 11 item 9, contract C).
 *
 * ```ts
 * import { FakeWorld, runAutomation, stepOf } from '../support/automation';
 * import { platformWorld } from '../support/automation/platform';
 *
 * const { world, writer, standby } = platformWorld(config);   // or new FakeWorld() and seed it
 * world.outage(writer, 'hang');                              // every call to the writer's region hangs
 * world.failNext('rds', 'PromoteReadReplica', { code: 'InvalidDBInstanceState', message: 'busy' });
 * const result = await runAutomation(deployableContent(failoverDocument(config, topicArn)), {
 *   region: standby,
 *   world,
 *   parameters: { DryRun: false, Approvers: ['oncall'] },
 *   approve: () => 'Approved',
 * });
 * expect(result.status).toBe('Success');
 * expect(stepOf(result, 'FailoverCache').outputs.Mode).toBe('disassociated');
 * expect(world.ssm.value(standby, '/dra/prod/active-region')).toBe(standby);
 * ```
 *
 * The world keeps its state between executions, so a failed run followed by a
 * re-run is two runAutomation calls on the same world. Time is simulated:
 * world.advance(seconds) moves it; waits, sleeps, Python time.sleep and
 * timeouts move it too.
 */
export * from './executor';
export { jsonPath } from './json-path';
export * from './world';
