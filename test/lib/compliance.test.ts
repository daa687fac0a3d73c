import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { ENVIRONMENTS } from '../../config';
import { registerCompliance } from '../../lib/compliance/compliance';
import { buildTestPlatform, synthFindings } from '../support/app';
import { COMPLIANCE_VARIANTS } from '../support/variants';
// The typed AWS limits, probed against the validator's schemas: in this file because the
// validator loads its schemas once per test file, about 5 s on the CI machine.
import '../config/aws-limits-schema.spec';
// The worker-thread validator against CDK's default plugin: here for the same reason (one
// load of the validator's schemas on the main thread for the whole file).
import './cloudformation-validation.spec';

/**
 * Every synth runs the AwsSolutions, HIPAA Security and NIST 800-53 rev 5 packs.
 * Zero unacknowledged findings, per stack, in every environment. Acknowledgements
 * live beside the construct they concern, each with its reason.
 *
 * Everything that runs CloudFormation's own validation is in this one file, since
 * starting the validator costs more than all the validations after it. The Control
 * Tower guard rules run in CI's synth step (`npm run synth:all -- --control-tower`),
 * over every environment and the variants below.
 */
// dev is checked below together with the built-in validation.
describe.each(Object.keys(ENVIRONMENTS).filter((env) => env !== 'dev'))('nag packs on %s', (env) => {
  const platform = buildTestPlatform(env, { nag: true });
  const findings = synthFindings(platform.app);
  const stacks = [platform.primary, platform.dr].flatMap((d) =>
    d.node.children.filter((c): c is import('aws-cdk-lib').Stack => 'stackName' in c),
  );

  it.each(stacks.map((s) => [s.node.path, s] as const))('%s has no unacknowledged finding', (stackPath) => {
    const inStack = findings.filter((f) => f.paths.some((p) => p.startsWith(`${stackPath}/`)));
    expect(inStack).toEqual([]);
  });

  it('reports nothing outside the stacks either', () => {
    expect(findings).toEqual([]);
  });
});

describe.each(COMPLIANCE_VARIANTS.map((v) => [v.name, v.input] as const))('%s', (_name, input) => {
  it('has no unacknowledged nag or built-in validation finding', () => {
    const platform = buildTestPlatform(input, { nag: true, builtinValidation: true });
    expect(synthFindings(platform.app)).toEqual([]);
  });
});

/** An app with one empty stack, checked the way bin/app.ts checks the platform. */
function smallApp(options: { builtinValidation?: boolean } = {}) {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dra-cdk-')),
    builtinCloudFormationValidation: options.builtinValidation ?? false,
  });
  const stack = new Stack(app, 'Small', { env: { account: '111111111111', region: 'us-east-1' } });
  registerCompliance(app);
  return { app, stack };
}

describe('the checks are live', () => {
  it('an unencrypted log group fails the nag packs', () => {
    const { app, stack } = smallApp();
    new CfnLogGroup(stack, 'Unencrypted', { retentionInDays: 7 });
    const rules = synthFindings(app).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['NIST.800.53.R5-CloudWatchLogGroupEncrypted']));
  });

  it('a template error fails the built-in CloudFormation validation (cdk.json flag)', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
    expect(cdkJson.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    const { app, stack } = smallApp({ builtinValidation: true });
    new CfnResource(stack, 'Broken', {
      type: 'AWS::SSM::Parameter',
      properties: { Type: 'NotAType', Value: 'x' },
    });
    // aws-cdk-lib prints the failed validation to the console as well: capture it, and check it.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const findings = synthFindings(app);
    const output = printed.mock.calls.map((c) => c.join(' ')).join('\n');
    printed.mockRestore();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.flatMap((f) => f.paths).join(' ')).toMatch(/Broken/);
    expect(output).toMatch(/'NotAType' is not one of/);
  });
});

// Lambda bundling is not run here: CI's synth of every environment (`npm run synth:all`)
// bundles every function through the CDK CLI, and test/lambda/bundled-handler.test.ts runs
// a bundle as Lambda would. Bundling here cost 15 s of the suite on the CI machine.
describe('built-in validation on dev', () => {
  it('dev synthesizes with zero findings from nag and the built-in validator', () => {
    const platform = buildTestPlatform('dev', { nag: true, builtinValidation: true });
    expect(synthFindings(platform.app)).toEqual([]);
  });
});
