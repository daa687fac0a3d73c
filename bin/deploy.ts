#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../config';
import { retireOldWriter } from '../lib/retire-old-writer';
import { environmentFromArgs } from './cli-args';
import { runPreflight } from './preflight';
import { retireClients } from './retire-old-writer';

/**
 * `npm run deploy -- -c env=NAME [cdk deploy options]`: preflight first, then
 * `cdk deploy --all` with the same arguments. Stack dependencies order the
 * regions (see README, "Deploy order").
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const code = await runPreflight(args);
  if (code !== 0) return code;
  const result = spawnSync('npx', ['cdk', 'deploy', '--all', '--require-approval', 'broadening', ...args], {
    stdio: 'inherit',
  });
  if (result.status === 0) {
    // After a re-seed the old writer keeps running (and costing) until it is retired.
    const config = loadConfig(environmentFromArgs(args));
    if (config.failover.generation > 0) {
      process.stdout.write(
        `\n${(await retireOldWriter(config, retireClients, { delete: false })).message}\n`,
      );
    }
  }
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Deploy failed: ${error}\n`);
    process.exit(1);
  },
);
