#!/usr/bin/env node
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type RetireClients, retireOldWriter } from '../lib/retire-old-writer';
import { exitWith, runForEnvironment } from './cli-args';

/** One client per region for RDS, CloudFormation and Secrets Manager. */
export const retireClients: RetireClients = {
  rds: (region) => new RDSClient({ region, maxAttempts: 3 }),
  cloudFormation: (region) => new CloudFormationClient({ region, maxAttempts: 3 }),
  secrets: (region) => new SecretsManagerClient({ region, maxAttempts: 3 }),
};

/**
 * `npm run retire-old-writer -- -c env=NAME [--delete]`: reports the old writers re-seed deploys
 * kept running and the earlier generations' master secrets; with --delete, snapshots and deletes
 * the instances no stack manages any more, then deletes those secrets (with a recovery window).
 */
if (require.main === module) {
  const argv = process.argv.slice(2);
  exitWith(
    'retire-old-writer',
    runForEnvironment(argv, (config) =>
      retireOldWriter(config, retireClients, { delete: argv.includes('--delete') }),
    ),
  );
}
