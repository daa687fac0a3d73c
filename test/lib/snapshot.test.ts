import { ENVIRONMENTS } from '../../config';
import { buildTestPlatform } from '../support/app';

/**
 * Refactoring guard only: one snapshot per (environment, region role), asset
 * hashes masked. Behaviour is asserted in the other files; `npm test` runs jest
 * with --ci, so a changed template fails instead of rewriting the snapshot.
 * Update deliberately with `npx jest test/lib/snapshot -u` and review the diff.
 */
describe.each(Object.keys(ENVIRONMENTS))('%s', (env) => {
  const platform = buildTestPlatform(env);
  const assembly = platform.app.synth();

  it.each(['primary', 'dr'] as const)('%s region templates match the snapshot', (role) => {
    const stacks = assembly.stacks.filter((s) => s.stackName.startsWith(`${env}-${role}-`));
    expect(stacks.length).toBeGreaterThan(0);
    const templates = Object.fromEntries(stacks.map((s) => [s.stackName, s.template]));
    expect(templates).toMatchSnapshot();
  });
});
