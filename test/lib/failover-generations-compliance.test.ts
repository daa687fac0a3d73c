import { atGeneration, buildTestPlatform, synthFindings } from '../support/app';

/**
 * The odd and even generations under the nag packs and CloudFormation's own
 * validation. Generation 1 is checked with a provisioned warehouse, which has
 * every resource type the Serverless one has and the cluster besides, and with
 * the Control Tower guard rules (about 10 s a synth, so once). Generation 2 has
 * the primary writing from a promoted replica. Generation 0 is checked by
 * compliance.test.ts and by the CI synth of every environment.
 */
describe.each([
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
