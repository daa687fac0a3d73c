// Synthesizes the platform variants of test/support/variants.ts (generation 1 and 2
// shapes no environment in config/ has yet) with the nag packs, CloudFormation's own
// validation and, with --control-tower, the Control Tower guard rules (cfn-guard, about
// 20 s an app on the CI machine, which is why `npm test` leaves this part to CI).
// With --control-tower it first proves the guard rules report at all: a bucket without
// encryption settings, versioning or logging must be found. Exits 1 and lists each
// finding when any is left unacknowledged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { registerCompliance } from '../lib/compliance/compliance';
import { buildTestPlatform, synthFindings } from '../test/support/app';
import { COMPLIANCE_VARIANTS } from '../test/support/variants';

const controlTower = process.argv.includes('--control-tower');
let failed = 0;

if (controlTower) {
  process.stdout.write('Control Tower rules are live (a bare bucket is reported) ... ');
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dra-cdk-')) });
  const stack = new Stack(app, 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
  new CfnResource(stack, 'BareBucket', { type: 'AWS::S3::Bucket' });
  registerCompliance(app, { controlTower: true });
  // aws-cdk-lib prints each finding of the probe; only the count matters here.
  const { log, error } = console;
  console.log = console.error = () => undefined;
  let guard: ReturnType<typeof synthFindings>;
  try {
    guard = synthFindings(app).filter((f) => f.plugin === 'cdk-validator-cfnguard');
  } finally {
    Object.assign(console, { log, error });
  }
  fs.rmSync(app.outdir, { recursive: true, force: true });
  if (guard.length > 0) {
    process.stdout.write(`ok (${guard.length} findings)\n`);
  } else {
    failed++;
    process.stdout.write(
      'FAILED: cfn-guard reported nothing for a bare bucket; the Control Tower check is not running\n',
    );
  }
}

for (const variant of COMPLIANCE_VARIANTS) {
  process.stdout.write(
    `synth variant ${variant.name}${controlTower ? ' (with Control Tower rules)' : ''} ... `,
  );
  const platform = buildTestPlatform(variant.input, { nag: true, builtinValidation: true, controlTower });
  const findings = synthFindings(platform.app);
  fs.rmSync(platform.app.outdir, { recursive: true, force: true });
  if (findings.length === 0) {
    process.stdout.write('ok\n');
    continue;
  }
  failed++;
  process.stdout.write(`FAILED: ${findings.length} unacknowledged finding(s)\n`);
  for (const f of findings) process.stdout.write(`  [${f.plugin}] ${f.rule}: ${f.paths.join(', ')}\n`);
}
process.exit(failed === 0 ? 0 : 1);
