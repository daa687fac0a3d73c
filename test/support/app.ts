import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  loadConfig,
  validateConfig,
} from '../../config';
import { prod } from '../../config/prod';
import { buildPlatform, type Platform } from '../../lib/app/platform';
import { registerCompliance } from '../../lib/compliance/compliance';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

export interface TestAppOptions {
  /** Register the nag packs (as bin/app.ts does). */
  readonly nag?: boolean;
  /** Run CDK's built-in CloudFormation validation (slow: ~1.4 s per synth). */
  readonly builtinValidation?: boolean;
  /** Also run the Control Tower cfn-guard rules. */
  readonly controlTower?: boolean;
}

export interface TestPlatform extends Platform {
  readonly app: App;
  readonly config: EnvironmentConfig;
}

/** Builds an environment the way bin/app.ts does, with the project's cdk.json feature flags. */
export function buildTestPlatform(
  env: string | EnvironmentConfigInput,
  options: TestAppOptions = {},
): TestPlatform {
  return platformOf(resolveConfig(env), options);
}

function resolveConfig(env: string | EnvironmentConfigInput): EnvironmentConfig {
  return typeof env === 'string' ? loadConfig(env) : validateConfig(structuredClone(env), 'test config');
}

function platformOf(config: EnvironmentConfig, options: TestAppOptions): TestPlatform {
  const context: Record<string, unknown> = { ...CDK_JSON.context };
  // Lambda code is not bundled in tests (CI's `npm run synth:all` bundles it for real).
  context['aws:cdk:bundling-stacks'] = [];
  // No stack trace captured per construct and annotation: jest maps every frame through
  // source maps, about a tenth of the suite's time. Findings name constructs by path anyway.
  context['aws:cdk:disable-stack-trace'] = true;
  context['aws:cdk:disable-creation-stack-traces'] = true;
  const app = new App({
    context,
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dra-cdk-')),
    builtinCloudFormationValidation: options.builtinValidation ?? false,
  });
  const platform = buildPlatform(app, config);
  if (options.nag || options.controlTower) registerCompliance(app, { controlTower: options.controlTower });
  return { app, config, ...platform };
}

const shared = new Map<string, TestPlatform>();

/**
 * A platform built once per test file and shared by every spec that asks for the same
 * environment or config: the spec files merged into one test file (platform.test.ts,
 * failover.test.ts) read the same prod, staging and dev apps instead of each building its
 * own. Only for reading templates and constructs; a test that adds to the app, or needs
 * nag or validation, builds its own with buildTestPlatform. It is synthesized here, so a
 * construct added to it later throws ("modified after the first synthesis").
 */
export function sharedPlatform(env: string | EnvironmentConfigInput): TestPlatform {
  // Keyed by the validated config (defaults filled in), so 'prod' and prod at its own
  // generation are one platform.
  const config = resolveConfig(env);
  const key = JSON.stringify(config);
  let platform = shared.get(key);
  if (!platform) {
    platform = platformOf(config, {});
    platform.app.synth();
    shared.set(key, platform);
  }
  return platform;
}

/** An environment's config input (prod by default) in a given failover generation. */
export function atGeneration(
  generation: number,
  base: EnvironmentConfigInput = prod,
): EnvironmentConfigInput {
  const input = structuredClone(base);
  return { ...input, failover: { ...input.failover, generation } };
}

/** Memoized Template.fromStack: each stack is turned into a template once per test file. */
const templates = new WeakMap<Stack, Template>();
export function templateOf(stack: Stack): Template {
  let template = templates.get(stack);
  if (!template) {
    template = Template.fromStack(stack);
    templates.set(stack, template);
  }
  return template;
}

export interface ValidationFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly paths: string[];
}

/** Synthesizes the app and returns every unacknowledged validation finding (nag, built-in, guard). */
export function synthFindings(app: App): ValidationFinding[] {
  let synthError: unknown;
  try {
    app.synth({ force: true });
  } catch (error) {
    synthError = error;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    if (synthError) throw synthError;
    return [];
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const findings: ValidationFinding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      findings.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        paths: (v.violatingConstructs ?? v.violatingResources ?? []).map(
          (c: { constructPath?: string; resourceLogicalId?: string; templatePath?: string }) =>
            c.constructPath ?? `${c.templatePath}#${c.resourceLogicalId}`,
        ),
      });
    }
  }
  if (findings.length === 0 && synthError) throw synthError;
  return findings;
}
