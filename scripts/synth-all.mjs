#!/usr/bin/env node
// Synthesizes every environment in config/ with the real CDK CLI, offline, then the
// generation variants of test/support/variants.ts (scripts/synth-variants.ts).
// `--control-tower` also runs the AWS Control Tower proactive controls (cfn-guard).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const controlTower = process.argv.includes('--control-tower');
// The environments are the names config/index.ts lists (ENVIRONMENT_NAMES); config/ also holds
// the schema, limits and other modules that are not environments.
const index = readFileSync(new URL('../config/index.ts', import.meta.url), 'utf8');
const listed = /ENVIRONMENT_NAMES[^=]*=\s*\[([^\]]*)\]/.exec(index);
if (!listed) {
  console.error(
    'config/index.ts has no ENVIRONMENT_NAMES list; cannot tell which environments to synthesize.',
  );
  process.exit(1);
}
const envs = [...listed[1].matchAll(/'([a-z][a-z0-9-]*)'/g)].map((m) => m[1]);

let failed = 0;
for (const env of envs) {
  const args = ['cdk', 'synth', '-q', '-c', `env=${env}`, '-o', `cdk.out.${env}`];
  if (controlTower) args.push('-c', 'controlTower=true');
  process.stdout.write(`synth ${env}${controlTower ? ' (with Control Tower rules)' : ''} ... `);
  const result = spawnSync('npx', args, { encoding: 'utf8' });
  if (result.status === 0) {
    process.stdout.write('ok\n');
  } else {
    failed++;
    process.stdout.write('FAILED\n');
    process.stdout.write(result.stdout + result.stderr);
  }
}
// The generation variants no environment has yet (test/support/variants.ts), with the same checks.
const variants = spawnSync(
  'npx',
  ['tsx', 'scripts/synth-variants.ts', ...(controlTower ? ['--control-tower'] : [])],
  { stdio: 'inherit' },
);
if (variants.status !== 0) failed++;
process.exit(failed === 0 ? 0 : 1);
