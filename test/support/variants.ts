import type { EnvironmentConfigInput } from '../../config';
import { atGeneration } from './app';

/**
 * Shapes of the platform the environments in config/ do not take at generation 0,
 * checked like an environment: the nag packs and CloudFormation's own validation in
 * `npm test` (test/lib/compliance.test.ts), and the Control Tower guard rules too in
 * CI (`npm run synth:all -- --control-tower` runs scripts/synth-variants.ts).
 * Generation 2 has the primary writing from a promoted replica; generation 1 puts the
 * writer in the DR region, here with a provisioned warehouse, which has every
 * resource type the Serverless one has and the cluster besides.
 */
export const COMPLIANCE_VARIANTS: ReadonlyArray<{
  readonly name: string;
  readonly input: EnvironmentConfigInput;
}> = [
  { name: 'prod at generation 2', input: atGeneration(2) },
  {
    name: 'prod at generation 1 with a provisioned warehouse',
    input: (() => {
      const input = atGeneration(1);
      return { ...input, redshift: { ...input.redshift, mode: 'provisioned' as const } };
    })(),
  },
];
