#!/usr/bin/env node
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { ConfigError, loadConfig } from '../config';
import { regionOf } from '../lib/naming';
import { preflight } from '../lib/preflight';
import { writerRole } from '../lib/topology';
import { environmentFromArgs } from './cli-args';

/** `npm run preflight -- -c env=NAME`: exits 1, with the reason, if deploying would go to the wrong account, contradict the active region, or build on a region that was not fenced (the two regions' active-region records disagree). */
export async function runPreflight(argv: readonly string[]): Promise<number> {
  try {
    const config = loadConfig(environmentFromArgs(argv));
    const result = await preflight(
      config,
      // The writer's region: during an outage of the other one, STS there still answers.
      new STSClient({ region: regionOf(config, writerRole(config)) }),
      (region) => new SSMClient({ region, maxAttempts: 2 }),
    );
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
  runPreflight(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Preflight failed unexpectedly: ${error}\n`);
      process.exit(1);
    },
  );
}
