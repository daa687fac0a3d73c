#!/usr/bin/env node
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config';
import { regionOf } from '../config/naming';
import { writerRole } from '../config/topology';
import { buildPlatform } from '../lib/app/platform';
import { preflight, type RegionConcurrencyNeed, reservedConcurrency } from '../lib/preflight';
import { type CommandSpec, exitWith, runCommand } from './cli-args';

export const PREFLIGHT_COMMAND: CommandSpec = {
  usage: 'npm run preflight --',
  summary: [
    'Checks, before a deploy, that config/NAME.ts holds a real account, that your AWS',
    "credentials belong to it, that failover.generation agrees with the two regions'",
    "active-region records, and that each region's Lambda concurrency quota leaves room for",
    'what the app reserves. Reads only: STS GetCallerIdentity, one SSM parameter and one',
    'Service Quotas value per region.',
  ].join('\n'),
  flags: [],
};

/**
 * What the app's functions reserve per region, from the templates this config synthesizes
 * (offline, without bundling: the templates are the same), so that a function added later is
 * counted without anyone updating a number.
 */
export function synthesizedConcurrency(config: EnvironmentConfig): RegionConcurrencyNeed[] {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-preflight-'));
  try {
    const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    buildPlatform(app, config);
    const assembly = app.synth();
    return reservedConcurrency(
      assembly.stacks.map((s) => ({ region: s.environment.region, template: s.template })),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** `npm run preflight -- -c env=NAME`: exits 1, with the reason, if deploying would go to the wrong account, contradict the active region, build on a region that was not fenced (the two regions' active-region records disagree), or reserve more Lambda concurrency than a region's quota leaves. */
export function runPreflight(argv: readonly string[]): Promise<number> {
  return runCommand(argv, PREFLIGHT_COMMAND, (config) =>
    preflight(
      config,
      // The writer's region: during an outage of the other one, STS there still answers.
      new STSClient({ region: regionOf(config, writerRole(config)) }),
      (region) => new SSMClient({ region, maxAttempts: 2 }),
      {
        needs: synthesizedConcurrency(config),
        quotasIn: (region) => new ServiceQuotasClient({ region, maxAttempts: 2 }),
      },
    ),
  );
}

if (require.main === module) exitWith('Preflight', runPreflight(process.argv.slice(2)));
