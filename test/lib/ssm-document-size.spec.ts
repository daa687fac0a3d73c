import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { AWS_LIMIT_RULES, type CfnTemplate, checkAwsLimits } from '../../lib/compliance/aws-limits';
import {
  documentContentBytes,
  SSM_DOCUMENT_BUDGET_BYTES,
  SSM_DOCUMENT_MAX_BYTES,
  ssmDocumentSize,
} from '../../lib/compliance/aws-limits/ssm-document-size';
import { STEPS_DIR } from '../../lib/runbooks/archive';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { fenceDocument } from '../../lib/runbooks/fence';
import { type AutomationDocument, deployableContent } from '../../lib/runbooks/step';
import { sharedPlatform, templateOf } from '../support/app';

const TOPIC = 'arn:aws:sns:us-west-2:111111111111:dra-prod-alarms';

/** A synthesized template as the AWS-limit rules read it. */
const stackOf = (template: unknown) => ({
  stackName: 'prod-dr-operations',
  region: 'us-west-2',
  templatePath: '/cdk.out/prod-dr-operations.template.json',
  template: template as CfnTemplate,
});

/** Every runbook of every environment, in the generation where it exists. */
function everyDocument(): [string, AutomationDocument][] {
  return ['dev', 'staging', 'prod'].flatMap((env) => {
    const config = loadConfig(env);
    const next = { ...config, failover: { ...config.failover, generation: config.failover.generation + 1 } };
    return [
      [`${env} failover`, failoverDocument(config, TOPIC)],
      [`${env} failback`, failbackDocument(next, TOPIC)],
      [`${env} fence`, fenceDocument(config, 'primary', TOPIC, 'arn:aws:iam::111111111111:role/fence')],
    ] as [string, AutomationDocument][];
  });
}

/** The shape the documents had before the scripts became an attachment: every step inlined the shared helpers. */
function withInlineScripts(doc: AutomationDocument): Record<string, unknown> {
  const read = (f: string) => fs.readFileSync(path.join(STEPS_DIR, f), 'utf8');
  const content = deployableContent(doc) as { mainSteps: { inputs: Record<string, unknown> }[] };
  const { files: _files, ...rest } = content as Record<string, unknown>;
  return {
    ...rest,
    mainSteps: content.mainSteps.map((step, i) => {
      const file = doc.mainSteps[i].scriptFile;
      if (!file) return step;
      const { Attachment: _a, ...inputs } = step.inputs;
      return { ...step, inputs: { ...inputs, Script: `${read('dra_common.py')}\n\n${read(file)}` } };
    }),
  };
}

describe('SSM document content stays well under the 64 KB limit', () => {
  it('fails on the old shape of the documents (each step inlining its Python and the shared helpers)', () => {
    const oversized = everyDocument()
      .filter(([name]) => !name.endsWith('fence'))
      .map(([name, doc]) => [name, documentContentBytes(withInlineScripts(doc))] as const);
    // 78 KB (dev failover) to 97 KB (a failback): over SSM's own limit, not only over the budget.
    for (const [, bytes] of oversized) expect(bytes).toBeGreaterThan(SSM_DOCUMENT_MAX_BYTES);
    const template = {
      Resources: Object.fromEntries(
        everyDocument().map(([name, doc], i) => [
          `Doc${i}`,
          { Type: 'AWS::SSM::Document', Properties: { Content: withInlineScripts(doc), Name: name } },
        ]),
      ),
    };
    const findings = ssmDocumentSize.check([stackOf(template)]);
    expect(findings.length).toBeGreaterThanOrEqual(6);
    expect(findings[0]).toMatchObject({
      logicalId: 'Doc0',
      path: 'Properties.Content',
      value: expect.stringMatching(/^dev failover: \d+ bytes of content/),
      fix: expect.stringContaining('attachment'),
    });
    expect(ssmDocumentSize.page).toContain('API_CreateDocument');
  });

  it.each(everyDocument())('%s: its content is under the budget, three quarters of the limit', (_, doc) => {
    expect(documentContentBytes(deployableContent(doc))).toBeLessThanOrEqual(SSM_DOCUMENT_BUDGET_BYTES);
  });

  it('holds for every document the prod platform synthesizes (references unresolved, attachments in files)', () => {
    const platform = sharedPlatform('prod');
    const templates = [platform.primary.operations, platform.dr.operations].map((s) =>
      templateOf(s).toJSON(),
    );
    const documents = templates.flatMap((t) =>
      Object.values(
        t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).filter((r) => r.Type === 'AWS::SSM::Document'),
    );
    expect(documents.length).toBe(3);
    for (const t of templates) expect(ssmDocumentSize.check([stackOf(t)])).toEqual([]);
    for (const d of documents) {
      const [attachment] = d.Properties.Attachments as { Key: string; Name: string }[];
      expect(attachment).toMatchObject({ Key: 'S3FileUrl', Name: expect.stringMatching(/\.zip$/) });
      expect(Object.keys((d.Properties.Content as { files: Record<string, unknown> }).files)).toEqual([
        attachment.Name,
      ]);
    }
  });

  it('is a rule of the AWS-limits plugin every synth runs: a document over the budget is a finding naming the size and the fix', () => {
    expect(AWS_LIMIT_RULES).toContain(ssmDocumentSize);
    const doc = failoverDocument(loadConfig('prod'), TOPIC);
    const big = deployableContent({ ...doc, description: 'x'.repeat(SSM_DOCUMENT_BUDGET_BYTES) });
    const [violation] = checkAwsLimits([
      stackOf({
        Resources: {
          Failover: { Type: 'AWS::SSM::Document', Properties: { Name: 'dra-prod-failover', Content: big } },
        },
      }),
    ]);
    expect(violation).toMatchObject({ ruleName: 'ssm-document-size', severity: 'error' });
    expect(violation.description).toMatch(
      /prod-dr-operations\/Failover Properties\.Content = "dra-prod-failover: \d+ bytes of content.*Fix: .*attachment.*AWS: .*API_CreateDocument/,
    );
  });
});
