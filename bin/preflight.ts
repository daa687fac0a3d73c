#!/usr/bin/env node
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { regionOf } from '../config/naming';
import { writerRole } from '../config/topology';
import { preflight } from '../lib/preflight';
import { type CommandSpec, exitWith, runCommand } from './cli-args';

export const PREFLIGHT_COMMAND: CommandSpec = {
  usage: 'npm run preflight --',
  summary: [
    'Checks, before a deploy, that config/NAME.ts holds a real account, that your AWS',
    "credentials belong to it, and that failover.generation agrees with the two regions'",
    'active-region records. Reads only: STS GetCallerIdentity and one SSM parameter per region.',
  ].join('\n'),
  flags: [],
};

/** `npm run preflight -- -c env=NAME`: exits 1, with the reason, if deploying would go to the wrong account, contradict the active region, or build on a region that was not fenced (the two regions' active-region records disagree). */
export function runPreflight(argv: readonly string[]): Promise<number> {
  return runCommand(argv, PREFLIGHT_COMMAND, (config) =>
    preflight(
      config,
      // The writer's region: during an outage of the other one, STS there still answers.
      new STSClient({ region: regionOf(config, writerRole(config)) }),
      (region) => new SSMClient({ region, maxAttempts: 2 }),
    ),
  );
}

if (require.main === module) exitWith('Preflight', runPreflight(process.argv.slice(2)));
