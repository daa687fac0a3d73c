import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { loadConfig } from '../../config';
import {
  documentContentBytes,
  SSM_DOCUMENT_BUDGET_BYTES,
  SSM_DOCUMENT_MAX_BYTES,
  ssmDocumentSizeFindings,
} from '../../lib/compliance/ssm-document-size';
import { automationDocument } from '../../lib/constructs/failover-runbook';
import { STEPS_DIR } from '../../lib/runbooks/archive';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { fenceDocument } from '../../lib/runbooks/fence';
import { type AutomationDocument, deployableContent } from '../../lib/runbooks/step';
import { sharedPlatform, templateOf } from '../support/app';

const TOPIC = 'arn:aws:sns:us-west-2:111111111111:dra-prod-alarms';

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
    const findings = ssmDocumentSizeFindings(template);
    expect(findings.length).toBeGreaterThanOrEqual(6);
    expect(findings[0]).toMatchObject({
      path: 'Resources.Doc0.Properties.Content',
      value: expect.stringMatching(/^\d+ bytes of content/),
      fix: expect.stringContaining('attachment'),
      page: expect.stringContaining('API_CreateDocument'),
    });
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
    for (const t of templates) expect(ssmDocumentSizeFindings(t)).toEqual([]);
    for (const d of documents) {
      const [attachment] = d.Properties.Attachments as { Key: string; Name: string }[];
      expect(attachment).toMatchObject({ Key: 'S3FileUrl', Name: expect.stringMatching(/\.zip$/) });
      expect(Object.keys((d.Properties.Content as { files: Record<string, unknown> }).files)).toEqual([
        attachment.Name,
      ]);
    }
  });

  it('is a synth-time rule: a document over the budget fails the synth, naming the size and the fix', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dra-size-')) });
    const stack = new Stack(app, 'Big', { env: { account: '111111111111', region: 'us-west-2' } });
    const doc = failoverDocument(loadConfig('prod'), TOPIC);
    automationDocument(stack, 'dra-prod-failover', {
      ...doc,
      description: 'x'.repeat(SSM_DOCUMENT_BUDGET_BYTES),
    });
    expect(() => app.synth()).toThrow(/dra-prod-failover\) Content: \d+ bytes of content.*attachment/);
  });
});
