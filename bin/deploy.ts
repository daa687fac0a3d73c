#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../config';
import { retireOldWriter } from '../lib/retire-old-writer';
import { type CommandSpec, parseCommandLine, UsageError, usage } from './cli-args';
import { runPreflight } from './preflight';
import { retireClients } from './retire-old-writer';

export const DEPLOY_COMMAND: CommandSpec = {
  usage: 'npm run deploy --',
  summary: [
    'Runs preflight (npm run preflight), then `cdk deploy --all` for the environment: every stack',
    'of both regions, in the order their dependencies give (docs/deploying.md). After a re-seed',
    '(failover.generation above 0) it reports the old writer left running.',
  ].join('\n'),
  flags: [],
  passThrough:
    'Any other option is handed to cdk deploy unchanged (npx cdk deploy --help lists them), e.g. --require-approval never.',
};

/**
 * The arguments `npx` gets: `cdk deploy --all`, then the user's own. `--require-approval
 * broadening` ("only prompt for approval if there are security related changes":
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.cloud_assembly_schema.RequireApproval.html)
 * only when the user chose no level: cdk must see the option once, not the default and the choice.
 */
export function cdkDeployArgs(argv: readonly string[]): string[] {
  const chosen = argv.some((a) => a === '--require-approval' || a.startsWith('--require-approval='));
  return ['cdk', 'deploy', '--all', ...(chosen ? [] : ['--require-approval', 'broadening']), ...argv];
}

/**
 * `npm run deploy -- -c env=NAME [cdk deploy options]`: preflight first, then
 * `cdk deploy --all` with the same arguments. Stack dependencies order the
 * regions (docs/deploying.md, "Deploy order").
 */
export async function runDeploy(argv: readonly string[]): Promise<number> {
  let env: string;
  try {
    const parsed = parseCommandLine(argv, DEPLOY_COMMAND);
    if (parsed.help) {
      process.stdout.write(usage(DEPLOY_COMMAND));
      return 0;
    }
    env = parsed.env;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nRun ${DEPLOY_COMMAND.usage} --help for the options.\n`);
    return 2;
  }
  const code = await runPreflight(['-c', `env=${env}`]);
  if (code !== 0) return code;
  const result = spawnSync('npx', cdkDeployArgs(argv), {
    stdio: 'inherit',
  });
  if (result.status === 0) {
    // After a re-seed the old writer keeps running (and costing) until it is retired.
    const config = loadConfig(env);
    if (config.failover.generation > 0) {
      process.stdout.write(
        `\n${(await retireOldWriter(config, retireClients, { delete: false })).message}\n`,
      );
    }
  }
  return result.status ?? 1;
}

if (require.main === module) {
  runDeploy(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Deploy failed: ${error}\n`);
      process.exit(1);
    },
  );
}
