#!/usr/bin/env node
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type RetireClients, retireOldWriter } from '../lib/retire-old-writer';
import { type CommandSpec, exitWith, runCommand } from './cli-args';

/** One client per region for RDS, CloudFormation and Secrets Manager. */
export const retireClients: RetireClients = {
  rds: (region) => new RDSClient({ region, maxAttempts: 3 }),
  cloudFormation: (region) => new CloudFormationClient({ region, maxAttempts: 3 }),
  secrets: (region) => new SecretsManagerClient({ region, maxAttempts: 3 }),
};

export const RETIRE_COMMAND: CommandSpec = {
  usage: 'npm run retire-old-writer --',
  summary: [
    'Reports the old PostgreSQL writers that re-seed deploys kept running (they may hold',
    'writes the new writer never received), in both regions, and what keeping them costs.',
  ].join('\n'),
  flags: [
    {
      name: '--delete',
      description:
        'take a final snapshot of each and delete it (only those no stack manages and no replica reads)',
    },
  ],
};

/**
 * `npm run retire-old-writer -- -c env=NAME [--delete]`: reports the old writers re-seed deploys
 * kept running and the earlier generations' master secrets; with --delete, snapshots and deletes
 * the instances no stack manages any more, then deletes those secrets (with a recovery window).
 */
export function runRetire(argv: readonly string[]): Promise<number> {
  return runCommand(argv, RETIRE_COMMAND, (config, args) =>
    retireOldWriter(config, retireClients, { delete: args.switches.has('--delete') }),
  );
}

if (require.main === module) exitWith('retire-old-writer', runRetire(process.argv.slice(2)));
