#!/usr/bin/env node
import { RDSClient } from '@aws-sdk/client-rds';
import { ConfigError, loadConfig } from '../config';
import { oldWriterOf, retireOldWriter } from '../lib/retire-old-writer';
import { environmentFromArgs } from './cli-args';

/**
 * `npm run retire-old-writer -- -c env=NAME [--delete]`: reports the old writer a re-seed
 * deploy left running; with --delete, snapshots and deletes it.
 */
async function main(argv: readonly string[]): Promise<number> {
  try {
    const config = loadConfig(environmentFromArgs(argv));
    const region = oldWriterOf(config)?.region ?? config.regions.primary.region;
    const result = await retireOldWriter(config, new RDSClient({ region, maxAttempts: 3 }), {
      delete: argv.includes('--delete'),
    });
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`retire-old-writer failed unexpectedly: ${error}\n`);
    process.exit(1);
  },
);
