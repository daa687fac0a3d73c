import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { ConcurrentCloudFormationValidation } from '../../lib/compliance/cloudformation-validation';
import { synthFindings } from '../support/app';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/**
 * bin/app.ts validates templates with ConcurrentCloudFormationValidation (CDK's own plugin, run on a
 * worker thread started before the app is built) instead of CDK's default plugin. Both see the same
 * app here, with findings planted: the same findings must come out, and they must fail the synth.
 */
describe('CloudFormation validation on a worker thread', () => {
  /** A valid queue, a parameter with a Tier SSM does not have, and a queue with a property its schema lacks. */
  function plantedApp(plugin?: ConcurrentCloudFormationValidation) {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dra-cfn-')),
      // No creation stack traces: the two apps are built on different lines.
      context: {
        ...CDK_JSON.context,
        'aws:cdk:disable-stack-trace': true,
        'aws:cdk:disable-creation-stack-traces': true,
      },
      builtinCloudFormationValidation: plugin === undefined,
    });
    if (plugin) Validations.of(app).addPlugins(plugin);
    const stack = new Stack(app, 'Planted', { env: { account: '111111111111', region: 'us-east-1' } });
    new CfnResource(stack, 'Fine', { type: 'AWS::SQS::Queue', properties: { DelaySeconds: 5 } });
    new CfnResource(stack, 'BadTier', {
      type: 'AWS::SSM::Parameter',
      properties: { Type: 'String', Value: 'x', Tier: 'Bogus' },
    });
    new CfnResource(stack, 'UnknownProperty', {
      type: 'AWS::SQS::Queue',
      properties: { DelaySecs: 5 },
    });
    return app;
  }

  /** The CloudFormation plugin's report as written to validation-report.json. */
  function cfnReport(app: App) {
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    return report.pluginReports.find(
      (r: { pluginName: string }) => r.pluginName === 'CloudFormation Validate',
    );
  }

  // aws-cdk-lib prints each finding as it fails the synth; the findings are read from the report.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it("reports what CDK's default plugin reports, and fails the synth", () => {
    const withDefault = plantedApp();
    const withWorker = plantedApp(new ConcurrentCloudFormationValidation());
    const expected = synthFindings(withDefault).filter((f) => f.plugin === 'CloudFormation Validate');
    // Both planted resources are found, and only they (the rule ids are the validator's to choose).
    expect(expected.flatMap((f) => f.paths).sort()).toEqual(['Planted/BadTier', 'Planted/UnknownProperty']);
    expect(synthFindings(withWorker).filter((f) => f.plugin === 'CloudFormation Validate')).toEqual(expected);
    // The whole report: rule, description, severity, location, the validator's version.
    expect(cfnReport(withWorker)).toEqual(cfnReport(withDefault));
    expect(() => withWorker.synth({ force: true })).toThrow(/CloudFormation-Validate::F3002/);
  });
});
