#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { runPreflight } from './preflight';

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
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Deploy failed: ${error}\n`);
    process.exit(1);
  },
);
