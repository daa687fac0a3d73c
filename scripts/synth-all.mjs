#!/usr/bin/env node
// Synthesizes every environment in config/ with the real CDK CLI, offline.
// `--control-tower` also runs the AWS Control Tower proactive controls (cfn-guard).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const controlTower = process.argv.includes('--control-tower');
const envs = readdirSync(new URL('../config/', import.meta.url))
  .filter(
    (f) =>
      /^[a-z][a-z0-9-]*\.ts$/.test(f) &&
      !['schema.ts', 'index.ts', 'regions.ts', 'cidr.ts', 'jars.ts'].includes(f),
  )
  .map((f) => f.replace(/\.ts$/, ''));

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
process.exit(failed === 0 ? 0 : 1);
