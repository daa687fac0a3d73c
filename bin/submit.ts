#!/usr/bin/env node
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigError, loadConfig } from '../config';
import { resourceName } from '../config/naming';
import { environmentFromArgs } from './cli-args';

/**
 * `npm run submit -- -c env=dev --job 01-example-console [--arg read_topic=topicA]
 *  [--idempotency-key KEY] [--region dr|primary|<region>] [--force] [--resume-from-group]`
 * Invokes the deployed job submission function and prints its result.
 */
export function parseSubmitArgs(argv: readonly string[]): {
  job?: string;
  arguments: Record<string, string | number>;
  idempotencyKey?: string;
  region?: string;
  force: boolean;
  /** Start the job from its consumer group's offsets on the region's cluster (docs/spark-jobs.md). */
  resumeFromGroup: boolean;
} {
  const out = {
    arguments: {} as Record<string, string | number>,
    force: false,
    resumeFromGroup: false,
  } as ReturnType<typeof parseSubmitArgs>;
  for (let i = 0; i < argv.length; i++) {
    const next = () => argv[++i];
    switch (argv[i]) {
      case '--job':
        out.job = next();
        break;
      case '--arg': {
        const [key, ...rest] = (next() ?? '').split('=');
        const raw = rest.join('=');
        out.arguments[key] = raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
        break;
      }
      case '--idempotency-key':
        out.idempotencyKey = next();
        break;
      case '--region':
        out.region = next();
        break;
      case '--force':
        out.force = true;
        break;
      case '--resume-from-group':
        out.resumeFromGroup = true;
        break;
    }
  }
  return out;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const config = loadConfig(environmentFromArgs(argv));
  const args = parseSubmitArgs(argv);
  if (!args.job) {
    process.stderr.write('Missing --job NAME (e.g. --job 01-example-console).\n');
    return 1;
  }
  const region =
    args.region === 'dr' || args.region === 'primary'
      ? config.regions[args.region].region
      : (args.region ?? config.regions.primary.region);
  const payload = {
    job: args.job,
    ...(Object.keys(args.arguments).length > 0 ? { arguments: args.arguments } : {}),
    ...(args.idempotencyKey ? { idempotencyKey: args.idempotencyKey } : {}),
    ...(args.force ? { force: true } : {}),
    ...(args.resumeFromGroup ? { resumeFromGroup: true } : {}),
  };
  const lambda = new LambdaClient({ region });
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: resourceName(config, 'submit-job'),
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  const text = Buffer.from(response.Payload ?? []).toString('utf8');
  process.stdout.write(`${JSON.stringify(JSON.parse(text || '{}'), null, 2)}\n`);
  return response.FunctionError || !JSON.parse(text || '{}').ok ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof ConfigError ? error.message : `Submit failed: ${error}`}\n`);
      process.exit(1);
    },
  );
}
