import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { deployableContent } from '../../lib/constructs/failover-runbook';
import { STEPS_DIR, stepsArchive, zipArchive } from '../../lib/runbooks/archive';
import { RunbookContext } from '../../lib/runbooks/context';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { fenceDocument } from '../../lib/runbooks/fence';
import { renderFailbackRunbook, renderFailoverRunbook, renderFenceRunbook } from '../../lib/runbooks/render';
import type { AutomationDocument } from '../../lib/runbooks/step';
import {
  documentPermissions,
  EXECUTE_SCRIPT_MAX_SECONDS,
  scriptStep,
  stepMinutes,
  timing,
} from '../../lib/runbooks/step';
import { fenceMinutesUntil } from '../../lib/runbooks/switch-steps';
import { atGeneration, sharedPlatform, templateOf } from '../support/app';
import { allCompileAsPython, runPureStepCases, scriptSteps } from '../support/python';
import { sampleReadinessReport } from '../support/readiness-report';

const prod = loadConfig('prod');
const docsDir = path.join(__dirname, '..', '..', 'docs', 'runbooks');

/** Runs a gate step's Python on readiness reports (one process); returns each result or refusal message. */
function runGate(
  document: AutomationDocument,
  stepName: string,
  cases: [unknown, Record<string, string>?][],
) {
  const gateStep = document.mainSteps.find((s) => s.name === stepName)!;
  return runPureStepCases(
    gateStep,
    cases.map(([report, inputs]) => ({
      Payload: JSON.stringify(report),
      Force: 'false',
      DryRun: 'false',
      ...inputs,
    })),
  );
}

const readinessReport = sampleReadinessReport;

const doc = failoverDocument(prod, 'arn:aws:sns:us-west-2:111111111111:alarms');
const names = doc.mainSteps.map((s) => s.name);
const step = (name: string) => doc.mainSteps.find((s) => s.name === name)!;

describe('failover runbook (prod)', () => {
  it('starts the slow operations together, flips the region once writes are taken, and leaves the slow work for after the switch', () => {
    expect(names).toEqual([
      'CheckReadiness',
      'GateOnRpo',
      'BranchOnDryRun',
      'ReportDryRun',
      'RequestApproval',
      'ApproveFailover',
      'MarkSwitchStarted',
      'StartSwitch',
      'WaitForWrites',
      'ActivateThisRegion',
      'StopReplicator',
      'TryFenceOldRegion',
      'ResubmitStreaming',
      'PromoteSecret',
      'NotifySwitched',
      'MakeDatabaseMultiAz',
      'RestoreWarehouse',
      'WaitForWarehouse',
      'ClearSwitchMarker',
      'Notify',
      'NotifyIncomplete',
    ]);
    // The old writer is fenced on the critical path, right after this region became active,
    // before anything slow: a failure of the warehouse or Multi-AZ cannot skip it.
    expect(step('StopReplicator').phase).toBe('critical');
    expect(step('TryFenceOldRegion').phase).toBe('critical');
    expect(step('TryFenceOldRegion').onFailure).toBe('Continue');
    const phases = doc.mainSteps.map((s) => s.phase);
    expect(phases.lastIndexOf('critical')).toBeLessThan(phases.indexOf('after'));
    expect(step('RestoreWarehouse').phase).toBe('after');
    expect(step('ActivateThisRegion').phase).toBe('critical');
  });

  it('counts each critical step at its real bound: the brownout probe, the fence wait, the Replicator deletion during the promotion', () => {
    // StartSwitch asks the writer region up to 3 times (5 s connect + 15 s read), 5 s apart: 70 s.
    expect(step('StartSwitch').expectedMinutes).toBeGreaterThanOrEqual(70 / 60);
    // The fence is waited for (up to 3 minutes) before streaming resumes, and counted.
    const fence = fenceMinutesUntil(
      RunbookContext.forSwitch(prod, 'arn:aws:sns:us-west-2:111111111111:alarms'),
      ['DisableReplication', 'FenceDatabase'],
    );
    expect(step('TryFenceOldRegion').expectedMinutes).toBeGreaterThanOrEqual(Math.min(fence, 3));
    expect(step('TryFenceOldRegion').timeoutSeconds).toBeGreaterThanOrEqual(75 + 180);
    // The Replicator deletion is requested with the promotion; StopReplicator only confirms it.
    expect(step('StartSwitch').inputs.InputPayload).toMatchObject({ Replicator: 'dra-prod-msk-replicator' });
    expect(step('StopReplicator').durationSource).toMatch(/StartSwitch requested the deletion/);
  });

  it('computes the expected time to writes resumed from the steps (approval excluded), and the page says whether it meets the 15-minute target and what it leaves out', () => {
    const t = timing(doc);
    const page = renderFailoverRunbook('prod');
    expect(page).toContain(`Expected time to writes resumed: ${t.writesResumed} minutes`);
    expect(page).toMatch(
      t.writesResumed <= 15 ? /within the 15-minute target/ : /over the 15-minute target by [0-9.]+ minutes/,
    );
    expect(page).toMatch(/Not counted: a replica that is `backing-up`/);
    expect(t.writesResumed).toBe(
      doc.mainSteps
        .filter((s) => s.phase === 'prepare' || s.phase === 'critical')
        .reduce((sum, s) => sum + s.expectedMinutes, 0),
    );
    expect(t.total).toBeGreaterThan(t.writesResumed);
  });

  it('changes nothing before the approval', () => {
    const before = doc.mainSteps.slice(0, names.indexOf('ApproveFailover'));
    expect(before.filter((s) => s.mutating)).toEqual([]);
    expect(before.flatMap((s) => s.permissions.flatMap((p) => p.actions))).toEqual(
      expect.not.arrayContaining(['rds:PromoteReadReplica', 'ssm:PutParameter']),
    );
  });

  it('defaults to a dry run that ends after printing the plan of every real step', () => {
    expect(doc.parameters.DryRun.default).toBe(true);
    expect(doc.parameters.Force.default).toBe(false);
    expect(step('ReportDryRun').isEnd).toBe(true);
    const plan = (step('ReportDryRun').inputs.InputPayload as { Plan: { name: string }[] }).Plan.map(
      (p) => p.name,
    );
    expect(plan).toEqual(names.slice(names.indexOf('RequestApproval')));
  });

  it('approves with a timeout from config and notifies an Automation-prefixed topic', () => {
    const approve = step('ApproveFailover');
    expect(approve.timeoutSeconds).toBe(prod.failover.approvalTimeoutMinutes * 60);
    expect(approve.inputs.NotificationArn).toBe(
      'arn:aws:sns:us-west-2:111111111111:Automation-dra-prod-failover-approval',
    );
    expect(approve.inputs.Message).toContain('{{GateOnRpo.Summary}}');
    expect(step('RequestApproval').inputs).toMatchObject({
      Api: 'Publish',
      TopicArn: 'arn:aws:sns:us-west-2:111111111111:alarms',
    });
  });

  it('sets retries and a failure route on every step, within the limits of aws:executeScript', () => {
    for (const s of doc.mainSteps) {
      expect(s.maxAttempts).toBeGreaterThanOrEqual(1);
      expect(s.onFailure).toMatch(/^(Abort|Continue|step:[A-Za-z]+)$/);
      if (s.action === 'aws:executeScript')
        expect(s.timeoutSeconds).toBeLessThanOrEqual(EXECUTE_SCRIPT_MAX_SECONDS);
    }
    for (const s of doc.mainSteps.filter((s) => s.phase === 'after' && s.mutating))
      expect(s.onFailure).toBe('step:NotifyIncomplete');
    expect(() =>
      scriptStep({
        name: 'TooLong',
        file: 'report_plan.py',
        description: '',
        verify: '',
        phase: 'after',
        expectedMinutes: 1,
        input: {},
        permissions: [],
        timeoutSeconds: 960,
      }),
    ).toThrow(/timeoutSeconds 960 exceeds the 600 s maximum of aws:executeScript/);
  });

  it('acts on the resources named from config', () => {
    expect(step('StartSwitch').inputs.InputPayload).toMatchObject({
      Database: 'dra-prod-postgres',
      GlobalDatastore: 'ldgnf-dra-prod-cache',
      CacheGroup: 'dra-prod-cache',
      Region: 'us-west-2',
      AllowDisassociate: true,
      Application: 'dra-prod-spark',
    });
    expect(step('ResubmitStreaming').inputs.InputPayload).toEqual({
      Function: 'dra-prod-submit-job',
      Jobs: ['04-stream-sales-to-kafka', '05-streaming-kafka'],
      KeyPrefix: 'failover-g0-us-west-2',
      ResumeFromGroup: ['05-streaming-kafka'],
    });
    expect(step('RestoreWarehouse').inputs.InputPayload).toMatchObject({
      Namespace: 'dra-prod-warehouse',
      WriterRegion: 'us-east-1',
      KeyAlias: 'alias/dra/prod/database',
      SwitchId: 'failover-g0-us-west-2',
    });
    expect(step('TryFenceOldRegion').inputs.InputPayload).toEqual({
      Region: 'us-east-1',
      Document: 'dra-prod-fence',
      WaitSeconds: 180,
    });
  });

  it('says for every step how to verify it', () => {
    for (const s of doc.mainSteps) expect(s.verify.length).toBeGreaterThan(10);
    const content = deployableContent(doc) as { mainSteps: { description: string }[] };
    for (const s of content.mainSteps) expect(s.description).toMatch(/Verify: /);
  });

  it('every script of every runbook compiles as Python (one python3 process)', () =>
    allCompileAsPython(
      [
        doc,
        failoverDocument({ ...prod, redshift: { ...prod.redshift, mode: 'provisioned' } }, 'arn:x'),
        failbackDocument({ ...prod, failover: { ...prod.failover, generation: 1 } }, 'arn:x'),
        fenceDocument(prod, 'primary', 'arn:x', 'arn:role'),
      ].flatMap((d) => scriptSteps(d).map(([, s]) => s)),
    ));

  it('runs every script from a .py file under lib/runbooks/steps, attached to the document as one zip with its checksum', () => {
    const archive = stepsArchive();
    for (const [, s] of scriptSteps(doc)) {
      expect(s.inputs).not.toHaveProperty('Script');
      expect(s.inputs.Attachment).toBe(archive.name);
      const [file, fn] = String(s.inputs.Handler).split('.');
      expect(fs.existsSync(path.join(STEPS_DIR, `${file}.py`))).toBe(true);
      expect(fn).toMatch(/^(handler|start|clear)$/);
    }
    expect(step('StartSwitch').inputs.Handler).toBe('start_switch.handler');
    expect(archive.modules).toEqual(expect.arrayContaining(['start_switch', 'dra_common', 'dra_outcome']));
    const content = deployableContent(doc) as { files: Record<string, { checksums: { sha256: string } }> };
    expect(content.files).toEqual({ [archive.name]: { checksums: { sha256: archive.sha256 } } });
    expect(createHash('sha256').update(archive.bytes).digest('hex')).toBe(archive.sha256);
    // The same files always make the same bytes: a deploy changes the document only when a script changed.
    expect(zipArchive([{ name: 'a.py', content: 'x = 1\n' }])).toEqual(
      zipArchive([{ name: 'a.py', content: 'x = 1\n' }]),
    );
  });

  it("the RPO gate refuses a store over its budget or unknown, shows each store's lag, budget and source, and lets Force and DryRun through", () => {
    const healthy = readinessReport({ rds: 2, elasticache: 0.5, msk: 3, s3: 40 });
    const over = readinessReport({ rds: 200, elasticache: 0.5, msk: 3, s3: 40 });
    const [ok, refused, unknown, empty, forced, dryRun] = runGate(doc, 'GateOnRpo', [
      [healthy],
      [over],
      [readinessReport({ rds: 2, s3: null })],
      [{ checks: [] }],
      [over, { Force: 'true' }],
      [over, { DryRun: 'true' }],
    ]);
    expect(ok).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(ok.result?.Summary).toMatch(/rds: lag 2s, budget 60s \(rds lag read in us-west-2 \(standby\)\)/);
    // The warehouse's snapshot age is shown but not counted.
    expect(ok.result?.Summary).toMatch(/Warehouse .*not counted/);
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Refusing to fail over: rds lag 200s over its 60s budget.*Force=true/),
    });
    expect(unknown).toMatchObject({ ok: false, error: expect.stringMatching(/s3 lag unknown/) });
    expect(empty.ok).toBe(false);
    expect(forced).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(dryRun).toMatchObject({ ok: true, result: { Allowed: false } });
  });

  it('during an outage of the writer judges each store by its last lag read while the writer answered', () => {
    const at = '2026-11-25T09:41:00Z';
    const outage = readinessReport({ rds: 1260, elasticache: null, msk: null, s3: null });
    outage.writerRegion = { region: 'us-east-1', reachable: false };
    const last = { rds: 3, elasticache: 0.4, msk: 2, s3: 30 } as const;
    for (const store of outage.rpo.stores)
      Object.assign(store, { lastKnown: { lagSeconds: last[store.store as keyof typeof last], at } });
    const overBefore = structuredClone(outage);
    Object.assign(overBefore.rpo.stores[3], { lastKnown: { lagSeconds: 1200, at } });
    const noHistory = readinessReport({ rds: 1260, s3: null });
    noHistory.writerRegion = { region: 'us-east-1', reachable: false };
    const [allowed, refused, unknown] = runGate(doc, 'GateOnRpo', [[outage], [overBefore], [noHistory]]);
    // ReplicaLag has grown to the outage's length (1260 s), but 3 s were unreplicated when it began.
    expect(allowed).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(allowed.result?.Summary).toMatch(
      /rds: lag 3s, budget 60s \(rds lag read in us-west-2 \(standby\); last read at 2026-11-25T09:41:00Z, before its writer side stopped answering; now 1260s\)/,
    );
    expect(allowed.result?.Summary).toMatch(/s3: lag 30s, budget 900s .*now unknown/);
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/s3 lag 1200s over its 900s budget/),
    });
    expect(unknown).toMatchObject({ ok: false, error: expect.stringMatching(/s3 lag unknown/) });
  });

  it('judges each store by its own writer side: the last lag of a store whose writer failed or does not answer, the live lag of the others', () => {
    const at = '2026-11-25T09:41:00Z';
    const check = (name: string, writer: string) => ({ name, status: 'healthy', detail: '', writer });
    // A single-service outage: the writer's PostgreSQL failed, its region answers. ReplicaLag has
    // grown to the outage's length (300 s) although 3 s were unreplicated when it failed.
    const checks = [
      check('rds', 'failed'),
      check('elasticache', 'healthy'),
      check('msk', 'healthy'),
      check('s3', 'healthy'),
    ];
    const single = { ...readinessReport({ rds: 300, elasticache: 0.4, msk: 2, s3: 30 }), checks };
    single.writerRegion = { region: 'us-east-1', reachable: true };
    for (const store of single.rpo.stores) Object.assign(store, { lastKnown: { lagSeconds: 3, at } });
    // The same outage, but a healthy store lagging now: its live lag counts (its last lag does not help).
    const lagging = structuredClone(single);
    Object.assign(lagging.rpo.stores[2], { lagSeconds: 200 });
    // A brownout (writer answers with 5xx: unknown): live lags count.
    const brownout = structuredClone(single);
    brownout.checks = checks.map((c) => ({ ...c, writer: 'unknown' }));
    // The writer side failed and no lag was ever read: the live figure, which only grows, bounds it.
    const never = structuredClone(single);
    Object.assign(never.rpo.stores[0], { lastKnown: null });
    const [allowed, refused, brown, unknown, forced] = runGate(doc, 'GateOnRpo', [
      [single],
      [lagging],
      [brownout],
      [never],
      [lagging, { Force: 'true' }],
    ]);
    expect(allowed).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(allowed.result?.Summary).toMatch(
      /rds: lag 3s, budget 60s .*before its writer side failed; now 300s/,
    );
    expect(allowed.result?.Summary).toMatch(
      /msk: lag 2s, budget 60s \(msk lag read in us-west-2 \(standby\)\)/,
    );
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/msk lag 200s over its 60s budget/),
    });
    expect(refused.error).not.toMatch(/rds lag \d+s over/);
    expect(brown).toMatchObject({
      ok: false,
      error: expect.stringMatching(/rds lag 300s over its 60s budget/),
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: expect.stringMatching(/rds lag 300s over its 60s budget/),
    });
    // Force names the stores it overrides.
    expect(forced.result?.Reason).toMatch(/Force=true overrides: msk lag 200s over its 60s budget/);
    expect(forced.result?.Summary).toMatch(/Force=true overrides: msk lag 200s/);
  });

  it('asks the readiness function for a report without advancing its decision state', () => {
    expect(JSON.parse(step('CheckReadiness').inputs.Payload as string)).toEqual({ evaluateOnly: true });
  });

  it('deploys without the docs-only fields SSM would reject', () => {
    const content = deployableContent(doc) as { mainSteps: Record<string, unknown>[] };
    for (const s of content.mainSteps) {
      for (const field of ['expectedMinutes', 'phase', 'permissions', 'verify', 'mutating', 'durationSource'])
        expect(s[field]).toBeUndefined();
    }
  });

  it('docs/runbooks/failover.md is generated from this document (npm run docs:runbooks)', () => {
    const file = fs.readFileSync(path.join(docsDir, 'failover.md'), 'utf8');
    expect(file).toBe(renderFailoverRunbook());
    expect(file).toContain(
      `| expected time to writes resumed (approval excluded) | **${timing(doc).writesResumed}** |`,
    );
    // The fence, its wait included, is on the critical path and shown.
    const fence = stepMinutes(step('StopReplicator')) + stepMinutes(step('TryFenceOldRegion'));
    expect(file).toContain(
      `| of which: fencing the old writer's region, on the critical path (\`StopReplicator\`, \`TryFenceOldRegion\`) | ${fence} |`,
    );
    expect(file).toContain('### Critical path');
    expect(file).toContain('### After the switch');
  });
});

describe('failover runbook with a provisioned warehouse', () => {
  const config = { ...prod, redshift: { ...prod.redshift, mode: 'provisioned' as const } };
  const provisioned = failoverDocument(config, 'arn:x');
  const provisionedNames = provisioned.mainSteps.map((s) => s.name);

  it('restores into a cluster named for this switch, waits for it and publishes its endpoint', () => {
    const at = provisionedNames.indexOf('RestoreWarehouse');
    expect(provisionedNames.slice(at, at + 3)).toEqual([
      'RestoreWarehouse',
      'WaitForWarehouse',
      'PublishWarehouseEndpoint',
    ]);
    expect(provisioned.mainSteps[at].inputs.InputPayload).toMatchObject({
      Cluster: 'dra-prod-warehouse',
      SourceRegion: 'us-east-1',
      Target: 'dra-prod-warehouse-g0',
    });
  });
});

describe('failover runbook (dev)', () => {
  it('leaves out the data stores dev does not replicate', () => {
    const devDoc = failoverDocument(validateConfig(structuredClone(dev), 'dev'), 'arn:x');
    const devNames = devDoc.mainSteps.map((s) => s.name);
    expect(devNames).not.toContain('MakeDatabaseMultiAz');
    expect(devNames).toContain('StartSwitch');
    const start = devDoc.mainSteps.find((s) => s.name === 'StartSwitch')!;
    expect(start.inputs.InputPayload).toMatchObject({ GlobalDatastore: '' });
    expect(documentPermissions(devDoc).flatMap((p) => p.actions)).not.toContain(
      'elasticache:FailoverGlobalReplicationGroup',
    );
  });
});

describe('runbook deployment (generation 0)', () => {
  const platform = sharedPlatform('prod');
  const dr = templateOf(platform.dr.operations);
  const primary = templateOf(platform.primary.operations);
  const policyOf = (template: typeof dr, roleId: string) =>
    (Object.values(template.findResources('AWS::IAM::Policy')) as any[]).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    ).Properties.PolicyDocument.Statement as any[];

  it('deploys the failover document in the DR region and a fence document in both', () => {
    dr.hasResourceProperties('AWS::SSM::Document', { Name: 'dra-prod-failover', DocumentType: 'Automation' });
    dr.hasResourceProperties('AWS::SSM::Document', { Name: 'dra-prod-fence' });
    primary.hasResourceProperties('AWS::SSM::Document', { Name: 'dra-prod-fence' });
    primary.resourceCountIs('AWS::SSM::Document', 1);
    primary.hasResourceProperties('AWS::IAM::Role', { RoleName: 'dra-prod-fence-us-east-1' });
    dr.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'Automation-dra-prod-failover-approval' });
  });

  it('names the failover role, and the document runs as it unless told otherwise (like the fence document)', () => {
    dr.hasResourceProperties('AWS::IAM::Role', { RoleName: 'dra-prod-failover-us-west-2' });
    expect(failoverDocument(prod, 'arn:x').parameters.AutomationAssumeRole.default).toBe(
      'arn:aws:iam::111111111111:role/dra-prod-failover-us-west-2',
    );
    const back = failbackDocument({ ...prod, failover: { ...prod.failover, generation: 1 } }, 'arn:x');
    expect(back.parameters.AutomationAssumeRole.default).toBe(
      'arn:aws:iam::111111111111:role/dra-prod-failback-us-east-1',
    );
  });

  it('deploys the very content the scenario tests execute (deployableContent of the document)', () => {
    const [deployed] = (Object.values(dr.findResources('AWS::SSM::Document')) as any[]).filter(
      (d) => d.Properties.Name === 'dra-prod-failover',
    );
    const resolveRefs = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(resolveRefs)
        : value && typeof value === 'object'
          ? 'Ref' in value
            ? 'TOPIC'
            : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v)]))
          : value;
    expect(resolveRefs(deployed.Properties.Content)).toEqual(
      deployableContent(failoverDocument(prod, 'TOPIC')),
    );
  });

  it('gives the role exactly the actions its steps declare, none of them wildcards', () => {
    const statements = policyOf(dr, 'FailoverRunbookRole');
    const granted = new Set(statements.flatMap((s: any) => [s.Action].flat()));
    const declared = documentPermissions(failoverDocument(prod, 'arn:x')).flatMap((p) => p.actions);
    for (const action of declared) expect(granted).toContain(action);
    for (const action of granted) expect(action).not.toMatch(/:\*$/);
    const promote = statements.find((s: any) => [s.Action].flat().includes('rds:PromoteReadReplica'));
    expect(promote.Resource).toBe('arn:aws:rds:us-west-2:111111111111:db:dra-prod-postgres');
    // Only this switch's fence runbook in the old region can be started, as its own role.
    const pass = statements.find(
      (s: any) => [s.Action].flat().includes('iam:PassRole') && JSON.stringify(s).includes('fence'),
    );
    expect(pass.Resource).toBe('arn:aws:iam::111111111111:role/dra-prod-fence-us-east-1');
  });
});

describe('failback runbook (prod, DR region writing)', () => {
  const config = { ...prod, failover: { ...prod.failover, generation: 1 } };
  const back = failbackDocument(config, 'arn:aws:sns:us-east-1:111111111111:alarms');
  const backNames = back.mainSteps.map((s) => s.name);
  const backStep = (name: string) => back.mainSteps.find((s) => s.name === name)!;

  it('fences the writer, proves catch-up by position, then switches like a failover', () => {
    expect(backNames).toEqual([
      'CheckReadiness',
      'GateOnReseed',
      'BranchOnDryRun',
      'ReportDryRun',
      'RequestApproval',
      'ApproveFailback',
      'MarkSwitchStarted',
      'FenceWriter',
      'FenceDatabase',
      'WaitForCatchUp',
      'WaitForDrain',
      'StartSwitch',
      'WaitForWrites',
      'UnfenceDatabase',
      'ActivateThisRegion',
      'ResubmitStreaming',
      'NotifySwitched',
      'PromoteSecret',
      'StopReplicator',
      'TryFenceOldRegion',
      'MakeDatabaseMultiAz',
      'RestoreWarehouse',
      'WaitForWarehouse',
      'ClearSwitchMarker',
      'Notify',
      'NotifyIncomplete',
    ]);
    expect(timing(back).writesResumed).toBe(
      back.mainSteps
        .filter((st) => st.phase === 'prepare' || st.phase === 'critical')
        .reduce((sum, st) => sum + stepMinutes(st), 0),
    );
  });

  it('drains before anything irreversible: WaitForDrain is its own critical step before StartSwitch, counted, with Force, and the page says how to roll back before StartSwitch', () => {
    const names = back.mainSteps.map((st) => st.name);
    expect(names.indexOf('WaitForDrain')).toBeGreaterThan(names.indexOf('WaitForCatchUp'));
    expect(names.indexOf('WaitForDrain')).toBeLessThan(names.indexOf('StartSwitch'));
    const drain = backStep('WaitForDrain');
    expect(drain.phase).toBe('critical');
    expect(drain.expectedMinutes).toBeGreaterThan(0);
    expect(drain.inputs.InputPayload).toMatchObject({ Force: '{{Force}}', BoundSeconds: 1200 });
    // 3 attempts of 9 minutes cover the 20-minute bound from the fence.
    expect(drain.maxAttempts * 540).toBeGreaterThanOrEqual(1200);
    // WaitForWrites (after the promotion) no longer waits for, nor claims anything about, the drain.
    expect(backStep('WaitForWrites').concurrent).toBeUndefined();
    expect(JSON.stringify(backStep('WaitForWrites').inputs)).not.toMatch(/Drain|Force/);
    const file = renderFailbackRunbook('prod');
    expect(file).toMatch(/### If it fails before StartSwitch/);
    expect(file).toMatch(/aws ssm put-parameter --region us-west-2 --name \/dra\/prod\/active-region/);
    expect(file).toMatch(/"action":"unfence"/);
  });

  it('acts on the re-seeded replica here and fences the DR region, without a ReplicaLag wait', () => {
    expect(backStep('StartSwitch').inputs.InputPayload).toMatchObject({
      Database: 'dra-prod-postgres-g1',
      AllowDisassociate: false,
    });
    expect(backStep('FenceWriter').inputs.InputPayload).toMatchObject({
      Region: 'us-west-2',
      Application: 'dra-prod-spark',
      NewWriter: 'us-east-1',
    });
    expect(backStep('FenceDatabase').inputs.InputPayload).toEqual({
      Region: 'us-west-2',
      Function: 'dra-prod-postgres-control',
    });
    expect(backStep('WaitForCatchUp').inputs.InputPayload).toMatchObject({
      TargetLsn: '{{FenceDatabase.Lsn}}',
      MarkerId: '{{FenceDatabase.MarkerId}}',
    });
    expect(JSON.stringify(back)).not.toContain('ReplicaLag"');
    // Metrics are read only for the replication drain, in this region (where S3 and the Replicator publish them).
    expect(
      back.mainSteps
        .filter((st) => st.permissions.some((p) => p.actions.includes('cloudwatch:GetMetricData')))
        .map((st) => st.name),
    ).toEqual(['WaitForDrain']);
    expect(backStep('WaitForDrain').inputs.InputPayload).toMatchObject({
      Force: '{{Force}}',
      FencedAt: '{{FenceWriter.FencedAt}}',
      Replicator: 'dra-prod-msk-replicator',
      Rules: expect.arrayContaining([
        {
          SourceBucket: 'dra-prod-raw-111111111111-us-west-2',
          DestinationBucket: 'dra-prod-raw-111111111111-us-east-1',
          RuleId: 'to-primary-us-east-1',
        },
      ]),
    });
  });

  it('the re-seed gate refuses while any check is not healthy, unless forced', () => {
    const check = (name: string, status: string) => ({ name, status, detail: `${name} is ${status}` });
    const healthy = { checks: [check('rds', 'healthy'), check('s3', 'healthy')] };
    const lagging = { checks: [check('rds', 'healthy'), check('s3', 'degraded')] };
    const [ok, refused, empty, forced] = runGate(back, 'GateOnReseed', [
      [healthy],
      [lagging],
      [{ checks: [] }],
      [lagging, { Force: 'true' }],
    ]);
    expect(ok).toMatchObject({ ok: true, result: { Allowed: true } });
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Refusing to fail back: .*s3 degraded \(s3 is degraded\)/),
    });
    expect(empty.ok).toBe(false);
    expect(forced).toMatchObject({ ok: true, result: { Allowed: true } });
  });

  it('docs/runbooks/failback.md is generated from this document (npm run docs:runbooks)', () => {
    expect(fs.readFileSync(path.join(docsDir, 'failback.md'), 'utf8')).toBe(renderFailbackRunbook());
  });
});

describe('failback runbook deployment (generation 1)', () => {
  const platform = sharedPlatform(atGeneration(1));
  const primary = templateOf(platform.primary.operations);

  it('fences only the writer region and promotes only the re-seeded replica', () => {
    const policy = (Object.values(primary.findResources('AWS::IAM::Policy')) as any[]).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('FailbackRunbookRole'),
    );
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const cancel = statements.find((s) => [s.Action].flat().includes('emr-serverless:CancelJobRun'));
    expect(cancel.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-west-2' } });
    const promote = statements.find((s) => [s.Action].flat().includes('rds:PromoteReadReplica'));
    expect(promote.Resource).toBe('arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres-g1');
    const invoke = statements.find(
      (s) =>
        [s.Action].flat().includes('lambda:InvokeFunction') && JSON.stringify(s).includes('postgres-control'),
    );
    expect([invoke.Resource].flat()).toEqual(
      expect.arrayContaining(['arn:aws:lambda:us-west-2:111111111111:function:dra-prod-postgres-control']),
    );
  });
});

describe('fence runbook', () => {
  const fence = fenceDocument(prod, 'primary', 'arn:aws:sns:us-east-1:111111111111:alarms', 'arn:role');

  it('checks the other region took over, then fences every writer here and reports', () => {
    expect(fence.mainSteps.map((s) => s.name)).toEqual([
      'CheckNewWriter',
      // What writes into the live region first (seconds each), Spark (minutes) last.
      'DisableReplication',
      'FenceDatabase',
      'SetActiveRegion',
      'StopReplicator',
      'StopSpark',
      'Report',
    ]);
    expect(fence.parameters.AutomationAssumeRole.default).toBe('arn:role');
    expect(fence.mainSteps[0].inputs.InputPayload).toMatchObject({ NewWriter: 'us-west-2' });
    expect(fence.mainSteps.find((s) => s.name === 'DisableReplication')!.inputs.InputPayload).toMatchObject({
      Buckets: expect.arrayContaining(['dra-prod-raw-111111111111-us-east-1']),
      NewWriter: 'us-west-2',
    });
  });

  it('docs/runbooks/fence.md is generated (npm run docs:runbooks)', () => {
    expect(fs.readFileSync(path.join(docsDir, 'fence.md'), 'utf8')).toBe(renderFenceRunbook());
  });
});
