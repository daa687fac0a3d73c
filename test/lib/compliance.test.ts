import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { ENVIRONMENTS } from '../../config';
import { registerCompliance } from '../../lib/compliance/compliance';
import { buildTestPlatform, synthFindings } from '../support/app';

/**
 * Every synth runs the AwsSolutions, HIPAA Security and NIST 800-53 rev 5 packs.
 * Zero unacknowledged findings, per stack, in every environment. Acknowledgements
 * live beside the construct they concern, each with its reason.
 */
// dev is checked below by the one real synth (nag, built-in validation and bundling together).
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
    const findings = synthFindings(app);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.flatMap((f) => f.paths).join(' ')).toMatch(/Broken/);
  });
});

describe('one real synth: bundling and built-in validation on', () => {
  it('dev synthesizes with zero findings from nag and the built-in validator', () => {
    const platform = buildTestPlatform('dev', { nag: true, bundle: true, builtinValidation: true });
    expect(synthFindings(platform.app)).toEqual([]);
  });
});
