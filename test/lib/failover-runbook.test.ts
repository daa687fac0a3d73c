import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { deployableContent } from '../../lib/constructs/failover-runbook';
import { type AutomationDocument, failbackDocument, failoverDocument } from '../../lib/runbooks/failover';
import { renderFailbackRunbook, renderFailoverRunbook } from '../../lib/runbooks/render';
import { atGeneration, buildTestPlatform, templateOf } from '../support/app';
import { compilesAsPython, runStepScript, scriptSteps } from '../support/python';

const prod = loadConfig('prod');

/** Runs a gate step's Python with a readiness report; returns its result or the refusal message. */
function gateRunner(document: AutomationDocument, stepName: string) {
  const gateStep = document.mainSteps.find((s) => s.name === stepName)!;
  return (report: unknown, inputs: Record<string, string> = {}) =>
    runStepScript(gateStep, { Payload: JSON.stringify(report), Force: 'false', DryRun: 'false', ...inputs });
}
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
      'ActivateThisRegion',
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
    expect(step('FailoverCache').inputs.InputPayload).toEqual({
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

  it.each(scriptSteps(doc))('%s script compiles as Python', (_name, s) => compilesAsPython(s));

  it('the RPO gate refuses an over-budget or incomplete RPO, and lets Force and DryRun through', () => {
    const run = gateRunner(doc, 'GateOnRpo');
    const report = (rpo: number | null, complete = true) => ({
      estimatedRpoSeconds: rpo,
      rpoComplete: complete,
      decision: 'hold',
      checks: [],
    });
    expect(run(report(120), { RpoBudget: '900' })).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(run(report(1200), { RpoBudget: '900' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Refusing to fail over: estimated RPO 1200s/),
    });
    expect(run(report(120, false), { RpoBudget: '900' }).ok).toBe(false);
    expect(run(report(null), { RpoBudget: '900' }).ok).toBe(false);
    expect(run(report(1200), { RpoBudget: '900', Force: 'true' })).toMatchObject({
      ok: true,
      result: { Allowed: true },
    });
    expect(run(report(1200), { RpoBudget: '900', DryRun: 'true' })).toMatchObject({
      ok: true,
      result: { Allowed: false },
    });
  });

  it('fails the cache over, and disassociates this member when the other side cannot take part', () => {
    // A stand-in boto3/botocore on PYTHONPATH records the calls and scripts the failover's answer.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-boto-'));
    fs.mkdirSync(path.join(dir, 'boto3'));
    fs.mkdirSync(path.join(dir, 'botocore'));
    fs.writeFileSync(path.join(dir, 'botocore', '__init__.py'), '');
    fs.writeFileSync(
      path.join(dir, 'botocore', 'exceptions.py'),
      'class ClientError(Exception):\n    def __init__(self, code):\n        super().__init__(code)\n        self.response = {"Error": {"Code": code}}\n',
    );
    fs.writeFileSync(
      path.join(dir, 'boto3', '__init__.py'),
      [
        'import os',
        'from botocore.exceptions import ClientError',
        'calls = []',
        'class _Client:',
        '    def failover_global_replication_group(self, **kw):',
        '        calls.append("failover")',
        '        if os.environ.get("FAIL_WITH"):',
        '            raise ClientError(os.environ["FAIL_WITH"])',
        '    def disassociate_global_replication_group(self, **kw):',
        '        calls.append("disassociate:" + kw["ReplicationGroupId"] + "@" + kw["ReplicationGroupRegion"])',
        'def client(name, **kw):',
        '    return _Client()',
      ].join('\n'),
    );
    const run = (failWith?: string) =>
      runStepScript(step('FailoverCache'), step('FailoverCache').inputs.InputPayload, {
        pythonPath: dir,
        env: { FAIL_WITH: failWith ?? '' },
      });
    expect(run()).toEqual({ ok: true, result: { Mode: 'failover' }, calls: ['failover'] });
    expect(run('InvalidGlobalReplicationGroupState')).toEqual({
      ok: true,
      result: { Mode: 'disassociated' },
      calls: ['failover', 'disassociate:dra-prod-cache@us-west-2'],
    });
    // Any other error stops the runbook instead of splitting the datastore.
    expect(run('AccessDenied')).toEqual({ ok: false, error: 'AccessDenied', calls: ['failover'] });
  });

  it('deploys without the docs-only fields SSM would reject', () => {
    const content = deployableContent(doc) as { mainSteps: Record<string, unknown>[] };
    for (const s of content.mainSteps) expect(s.expectedMinutes).toBeUndefined();
  });

  it('docs/runbooks/failover.md is generated from this document (npm run docs:runbooks)', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbooks', 'failover.md'), 'utf8');
    expect(file).toBe(renderFailoverRunbook());
  });
});

describe('failover runbook with a provisioned warehouse', () => {
  const config = { ...prod, redshift: { ...prod.redshift, mode: 'provisioned' as const } };
  const provisioned = failoverDocument(config, 'arn:x');
  const names = provisioned.mainSteps.map((s) => s.name);

  it('restores the newest copied cluster snapshot into a new cluster, waits for it and publishes its endpoint', () => {
    const at = names.indexOf('RestoreWarehouse');
    expect(names.slice(at, at + 3)).toEqual([
      'RestoreWarehouse',
      'WaitForWarehouse',
      'PublishWarehouseEndpoint',
    ]);
    const restore = provisioned.mainSteps[at].inputs as { Script: string; InputPayload: unknown };
    expect(restore.InputPayload).toEqual({ Cluster: 'dra-prod-warehouse', SourceRegion: 'us-east-1' });
    expect(restore.Script).toContain('restore_from_cluster_snapshot');
    expect(provisioned.mainSteps[at + 1].inputs).toMatchObject({
      Api: 'DescribeClusters',
      ClusterIdentifier: '{{RestoreWarehouse.ClusterId}}',
      DesiredValues: ['available'],
    });
    expect(provisioned.mainSteps[at + 2].inputs.InputPayload).toEqual({
      ClusterId: '{{RestoreWarehouse.ClusterId}}',
      Parameter: '/dra/prod/redshift/endpoint',
    });
  });

  it.each(scriptSteps(provisioned, (s) => /Warehouse/.test(s.name)))(
    '%s script compiles as Python',
    (_name, s) => compilesAsPython(s),
  );
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

describe('failback runbook (prod, DR region writing)', () => {
  const config = { ...prod, failover: { ...prod.failover, generation: 1 } };
  const back = failbackDocument(config, 'arn:aws:sns:us-east-1:111111111111:alarms');
  const backNames = back.mainSteps.map((s) => s.name);
  const backStep = (name: string) => back.mainSteps.find((s) => s.name === name)!;

  it('gates on the re-seed, then stops writes and waits for zero lag before promoting', () => {
    expect(backNames).toEqual([
      'CheckReadiness',
      'GateOnReseed',
      'BranchOnDryRun',
      'ReportDryRun',
      'ApproveFailback',
      'StopStreamingJobs',
      'WaitForReplicaCatchUp',
      'PromoteDatabase',
      'WaitForDatabase',
      'MakeDatabaseMultiAz',
      'FailoverCache',
      'RestoreWarehouse',
      'ActivateThisRegion',
      'StartSpark',
      'Resubmit04',
      'Resubmit05',
      'Notify',
    ]);
    expect(back.description).toBe(
      'Fail back dual-region-analytics prod from us-west-2 to us-east-1. Run in us-east-1. DryRun defaults to true.',
    );
  });

  it('acts on the re-seeded replica in the primary region and stops the jobs in the DR region', () => {
    expect(backStep('PromoteDatabase').inputs).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres-g1',
    });
    expect(backStep('WaitForReplicaCatchUp').inputs.InputPayload).toMatchObject({
      Replica: 'dra-prod-postgres-g1',
      MaxLagSeconds: '0',
    });
    expect(backStep('StopStreamingJobs').inputs.InputPayload).toEqual({
      Region: 'us-west-2',
      Name: 'dra-prod-spark',
      Jobs: ['04-stream-sales-to-kafka', '05-streaming-kafka'],
    });
    expect(backStep('FailoverCache').inputs).toMatchObject({ PrimaryRegion: 'us-east-1' });
    expect(backStep('ActivateThisRegion').inputs.InputPayload).toMatchObject({
      ThisRegion: 'us-east-1',
      OtherRegion: 'us-west-2',
    });
    expect(backStep('Notify').inputs.Message).toMatch(/set failover\.generation to 2/);
  });

  it('changes nothing before the approval and defaults to a dry run', () => {
    expect(back.parameters.DryRun.default).toBe(true);
    expect(back.mainSteps.slice(0, backNames.indexOf('ApproveFailback')).map((s) => s.action)).not.toContain(
      'aws:executeAwsApi',
    );
    const plan = (backStep('ReportDryRun').inputs.InputPayload as { Plan: { name: string }[] }).Plan;
    expect(plan.map((p) => p.name)).toEqual(backNames.slice(backNames.indexOf('ApproveFailback')));
  });

  it('the re-seed gate refuses while any check is not healthy, unless forced', () => {
    const run = gateRunner(back, 'GateOnReseed');
    const check = (name: string, status: string) => ({ name, status, detail: `${name} is ${status}` });
    const healthy = { estimatedRpoSeconds: 2, checks: [check('rds', 'healthy'), check('s3', 'healthy')] };
    expect(run(healthy)).toMatchObject({ ok: true, result: { Allowed: true } });
    const lagging = { estimatedRpoSeconds: 2, checks: [check('rds', 'healthy'), check('s3', 'degraded')] };
    expect(run(lagging)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Refusing to fail back: .*s3 degraded \(s3 is degraded\)/),
    });
    const unknown = { estimatedRpoSeconds: 2, checks: [check('rds', 'unknown')] };
    expect(run(unknown).ok).toBe(false);
    expect(run({ checks: [] }).ok).toBe(false);
    expect(run(lagging, { Force: 'true' })).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(run(lagging, { DryRun: 'true' })).toMatchObject({ ok: true, result: { Allowed: false } });
  });

  it.each(scriptSteps(back))('%s script compiles as Python', (_name, s) => compilesAsPython(s));

  it('docs/runbooks/failback.md is generated from this document (npm run docs:runbooks)', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbooks', 'failback.md'), 'utf8');
    expect(file).toBe(renderFailbackRunbook());
  });
});

describe('failback runbook deployment (generation 1)', () => {
  const platform = buildTestPlatform(atGeneration(1));
  const primary = templateOf(platform.primary.operations);

  it('stops jobs only in the writer region and promotes only the re-seeded replica', () => {
    const policy = (Object.values(primary.findResources('AWS::IAM::Policy')) as any[]).find((p) =>
      JSON.stringify(p).includes('FailbackRunbookRole'),
    );
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const cancel = statements.find((s) => [s.Action].flat().includes('emr-serverless:CancelJobRun'));
    expect(cancel.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-west-2' } });
    const promote = statements.find((s) => [s.Action].flat().includes('rds:PromoteReadReplica'));
    expect(promote.Resource).toBe('arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres-g1');
    for (const a of statements.flatMap((s) => [s.Action].flat())) expect(a).not.toMatch(/:\*$/);
  });
});
