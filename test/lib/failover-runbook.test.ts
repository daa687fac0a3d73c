import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { deployableContent } from '../../lib/constructs/failover-runbook';
import { failoverDocument } from '../../lib/runbooks/failover';
import { renderFailoverRunbook } from '../../lib/runbooks/render';
import { buildTestPlatform, templateOf } from '../support/app';

const prod = loadConfig('prod');
const doc = failoverDocument(prod, 'arn:aws:sns:us-west-2:111111111111:alarms');
const names = doc.mainSteps.map((s) => s.name);
const step = (name: string) => doc.mainSteps.find((s) => s.name === name)!;
describe('failover runbook (prod)', () => {
  it('orders the steps: readiness gate, dry-run exit, approval, data stores, active region, Spark, jobs, notify', () => {
    expect(names).toEqual([
      'CheckReadiness',
      'GateOnRpo',
      'BranchOnDryRun',
      'ReportDryRun',
      'ApproveFailover',
      'PromoteDatabase',
      'WaitForDatabase',
      'MakeDatabaseMultiAz',
      'FailoverCache',
      'RestoreWarehouse',
      'ActivateDrRegion',
      'StartSpark',
      'Resubmit04',
      'Resubmit05',
      'Notify',
    ]);
  });

  it('changes nothing before the approval: only the check, the gate and the dry-run exit come first', () => {
    expect(names.slice(0, names.indexOf('ApproveFailover'))).toEqual([
      'CheckReadiness',
      'GateOnRpo',
      'BranchOnDryRun',
      'ReportDryRun',
    ]);
    expect(doc.mainSteps.slice(0, 4).map((s) => s.action)).not.toContain('aws:executeAwsApi');
  });

  it('defaults to a dry run that ends after printing the plan of every real step', () => {
    expect(doc.parameters.DryRun.default).toBe(true);
    expect(doc.parameters.Force.default).toBe(false);
    expect(step('BranchOnDryRun').inputs).toEqual({
      Choices: [{ NextStep: 'ReportDryRun', Variable: '{{DryRun}}', BooleanEquals: true }],
      Default: 'ApproveFailover',
    });
    expect(step('ReportDryRun').isEnd).toBe(true);
    const plan = (step('ReportDryRun').inputs.InputPayload as { Plan: { name: string }[] }).Plan.map(
      (p) => p.name,
    );
    expect(plan).toEqual(names.slice(names.indexOf('ApproveFailover')));
  });

  it('gates on the RPO budget from config and lets Force or DryRun through', () => {
    expect(step('GateOnRpo').inputs.InputPayload).toEqual({
      Payload: '{{CheckReadiness.Payload}}',
      RpoBudget: '900',
      Force: '{{Force}}',
      DryRun: '{{DryRun}}',
    });
  });

  it('acts on the resources named from config', () => {
    expect(step('PromoteDatabase').inputs).toMatchObject({
      Api: 'PromoteReadReplica',
      DBInstanceIdentifier: 'dra-prod-postgres',
    });
    expect(step('FailoverCache').inputs).toMatchObject({
      GlobalReplicationGroupId: 'ldgnf-dra-prod-cache',
      PrimaryRegion: 'us-west-2',
      PrimaryReplicationGroupId: 'dra-prod-cache',
    });
    expect(JSON.parse(step('Resubmit05').inputs.Payload as string)).toEqual({
      job: '05-streaming-kafka',
      force: true,
      idempotencyKey: 'failover-{{automation:EXECUTION_ID}}-05',
    });
  });

  it('says for every step how to verify it', () => {
    for (const s of doc.mainSteps)
      expect(s.description).toMatch(/Verify:|changes nothing|goes to ReportDryRun/);
  });

  it.each(doc.mainSteps.filter((s) => s.action === 'aws:executeScript').map((s) => [s.name, s] as const))(
    '%s script compiles as Python',
    (_name, s) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-')), 'step.py');
      fs.writeFileSync(file, (s.inputs as { Script: string }).Script);
      execFileSync('python3', [
        '-c',
        'import py_compile,sys; py_compile.compile(sys.argv[1], doraise=True)',
        file,
      ]);
    },
  );

  it('deploys without the docs-only fields SSM would reject', () => {
    const content = deployableContent(doc) as { mainSteps: Record<string, unknown>[] };
    for (const s of content.mainSteps) expect(s.expectedMinutes).toBeUndefined();
  });

  it('docs/runbooks/failover.md is generated from this document (npm run docs:runbooks)', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbooks', 'failover.md'), 'utf8');
    expect(file).toBe(renderFailoverRunbook());
  });
});

describe('failover runbook (dev)', () => {
  it('leaves out the data stores dev does not replicate', () => {
    const devDoc = failoverDocument(validateConfig(structuredClone(dev), 'dev'), 'arn:x');
    const devNames = devDoc.mainSteps.map((s) => s.name);
    expect(devNames).not.toContain('FailoverCache');
    expect(devNames).not.toContain('MakeDatabaseMultiAz');
    expect(devNames).toContain('PromoteDatabase');
  });
});

describe('failover runbook deployment', () => {
  const platform = buildTestPlatform('prod');
  const dr = templateOf(platform.dr.operations);

  it('is deployed as an Automation document in the DR region only', () => {
    dr.hasResourceProperties('AWS::SSM::Document', {
      Name: 'dra-prod-failover',
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
    });
    templateOf(platform.primary.operations).resourceCountIs('AWS::SSM::Document', 0);
  });

  it('runs as a role limited to the actions its steps take', () => {
    const policy = (Object.values(dr.findResources('AWS::IAM::Policy')) as any[]).find((p) =>
      JSON.stringify(p).includes('FailoverRunbookRole'),
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'rds:PromoteReadReplica',
        'elasticache:FailoverGlobalReplicationGroup',
        'lambda:InvokeFunction',
        'ssm:PutParameter',
        'sns:Publish',
      ]),
    );
    for (const a of actions) expect(a).not.toMatch(/:\*$/);
    const promote = statements.find((s: any) => [s.Action].flat().includes('rds:PromoteReadReplica'));
    expect(promote.Resource).toBe('arn:aws:rds:us-west-2:111111111111:db:dra-prod-postgres');
  });
});
