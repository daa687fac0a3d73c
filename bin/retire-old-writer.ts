#!/usr/bin/env node
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RDSClient } from '@aws-sdk/client-rds';
import { ConfigError, loadConfig } from '../config';
import { type RetireClients, retireOldWriter } from '../lib/retire-old-writer';
import { environmentFromArgs } from './cli-args';

/** One client per region for RDS and CloudFormation. */
export const retireClients: RetireClients = {
  rds: (region) => new RDSClient({ region, maxAttempts: 3 }),
  cloudFormation: (region) => new CloudFormationClient({ region, maxAttempts: 3 }),
};

/**
 * `npm run retire-old-writer -- -c env=NAME [--delete]`: reports the old writers re-seed deploys
 * kept running; with --delete, snapshots and deletes those no stack manages any more.
 */
async function main(argv: readonly string[]): Promise<number> {
  try {
    const config = loadConfig(environmentFromArgs(argv));
    const result = await retireOldWriter(config, retireClients, { delete: argv.includes('--delete') });
    (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`retire-old-writer failed unexpectedly: ${error}\n`);
      process.exit(1);
    },
  );
}
