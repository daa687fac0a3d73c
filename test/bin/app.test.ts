import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CDK_JSON_CONTEXT = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

/** Runs bin/app.ts the way the CDK CLI does (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR). */
function runApp(context: Record<string, unknown>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-bin-'));
  const result = spawnSync(TSX, ['bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_VALIDATION: 'false',
    },
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  it('refuses an unknown environment with the known ones and no stack trace', () => {
    const result = runApp({ env: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /Unknown environment "qa" \(from -c env=qa\)\. Known environments: dev, staging, prod/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  it('synthesizes the named environment in both regions', () => {
    const result = runApp({ env: 'staging' });
    expect(result.status).toBe(0);
    const templates = fs.readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates.some((f) => f.startsWith('stagingprimary'))).toBe(true);
    expect(templates.some((f) => f.startsWith('stagingdr'))).toBe(true);
  });
});
