import { atGeneration, buildTestPlatform, synthFindings } from '../support/app';

/**
 * The odd and even generations under the nag packs and CloudFormation's own
 * validation; the Control Tower guard rules (about 10 s a synth) run once, on
 * generation 1 with a provisioned warehouse, which has every resource type the
 * others have and the cluster besides. Generation 0 is checked by
 * compliance.test.ts and by the CI synth of every environment.
 */
describe.each([
  ['generation 1', atGeneration(1), false],
  ['generation 2', atGeneration(2), false],
  [
    'generation 1 with a provisioned warehouse',
    (() => {
      const input = atGeneration(1);
      return { ...input, redshift: { ...input.redshift, mode: 'provisioned' as const } };
    })(),
    true,
  ],
])('%s passes the checks', (_name, input, controlTower) => {
  it(`has no unacknowledged nag or built-in validation finding${controlTower ? ', nor Control Tower' : ''}`, () => {
    const platform = buildTestPlatform(input, { nag: true, builtinValidation: true, controlTower });
    expect(synthFindings(platform.app)).toEqual([]);
  });
});
