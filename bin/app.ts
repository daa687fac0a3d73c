#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_ENVIRONMENT, ENVIRONMENT_NAMES, loadConfig } from '../config';
import { buildPlatform } from '../lib/app/platform';
import { ConcurrentCloudFormationValidation } from '../lib/compliance/cloudformation-validation';
import { registerCompliance } from '../lib/compliance/compliance';
import { PlatformError } from '../lib/shared/errors';
import { startHandlerBundling } from '../lib/shared/handler-bundles';
import { describeFindings } from './validation-findings';

/**
 * Entry point: `cdk synth [-c env=NAME] [-c controlTower=true]`.
 * The only place that reads context; everything below gets typed, validated config.
 */
/** The environment being synthesized, for messages printed after main() has thrown. */
let selectedEnvironment = DEFAULT_ENVIRONMENT;

function main(): void {
  const app = new App();
  // CloudFormation's built-in validation, where aws-cdk-lib would run it (CDK_VALIDATION=false turns it
  // off), with its validator started now on a worker thread: it loads while the app is built.
  if (process.env.CDK_VALIDATION !== 'false') {
    Validations.of(app).addPlugins(new ConcurrentCloudFormationValidation());
  }
  // Lambda bundles too are started now, in the background, where the synth bundles at all (CDK's default: every stack).
  const bundlingStacks: unknown = app.node.tryGetContext('aws:cdk:bundling-stacks') ?? ['**'];
  if (!Array.isArray(bundlingStacks) || bundlingStacks.length > 0) startHandlerBundling(app.assetOutdir);
  const envName = String(app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT);
  selectedEnvironment = envName;
  const controlTower = String(app.node.tryGetContext('controlTower') ?? 'false') === 'true';
  const config = loadConfig(envName);
  buildPlatform(app, config);
  registerCompliance(app, { controlTower });
  const assembly = app.synth();
  failOnFindings(path.join(assembly.directory, 'validation-report.json'), envName);
}

/**
 * Zero findings is the rule, warnings included. Under the CDK CLI the app only writes the
 * validation report and the CLI fails on errors alone, so the app checks the report itself.
 */
function failOnFindings(reportFile: string, envName: string): void {
  if (!fs.existsSync(reportFile)) return;
  const open = describeFindings(JSON.parse(fs.readFileSync(reportFile, 'utf8')), envName);
  if (open.length > 0) {
    process.stderr.write(
      `\n${open.length} unacknowledged validation finding(s); fix them, or acknowledge each on its construct with a reason:\n${open.join('\n')}\nFull report: ${reportFile}\n\n`,
    );
    process.exitCode = 1;
  }
}

/** `npx tsx bin/app.ts --help`: this file is the CDK app, run through the CDK CLI. */
const APP_HELP = `Usage: npx cdk synth [-c env=NAME] [-c controlTower=true]
       npx cdk deploy -c env=NAME ...   (better: npm run deploy -- -c env=NAME)

bin/app.ts is the CDK app: the CDK CLI runs it (cdk.json) and passes -c context to it.
It validates config/NAME.ts, builds both regions of the environment, runs the nag packs
and CloudFormation validation, and fails on any unacknowledged finding.

Context:
  -c env=NAME            the environment (${ENVIRONMENT_NAMES.join(', ')}). Default: ${DEFAULT_ENVIRONMENT}
  -c controlTower=true   also run the AWS Control Tower proactive controls (cfn-guard)
`;

if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
  process.stdout.write(APP_HELP);
  process.exit(0);
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof PlatformError) {
    // A config mistake is the user's to fix: the message says what and how; a stack trace would only hide it.
    process.stderr.write(`\n${error.message}\n\n`);
    process.exit(1);
  }
  // Outside the CDK CLI, aws-cdk-lib throws on failed validation and names the report; read it instead.
  const report =
    error instanceof Error ? /report can be found in: (\S+)/.exec(error.message)?.[1] : undefined;
  if (report && fs.existsSync(report)) {
    failOnFindings(report, selectedEnvironment);
    process.exit(1);
  }
  throw error;
}
