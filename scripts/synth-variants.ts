// Synthesizes the platform variants of test/support/variants.ts (generation 1 and 2
// shapes no environment in config/ has yet) with the nag packs, CloudFormation's own
// validation and, with --control-tower, the Control Tower guard rules (cfn-guard, about
// 20 s an app on the CI machine, which is why `npm test` leaves this part to CI).
// Exits 1 and lists each finding when any is left unacknowledged.
import { buildTestPlatform, synthFindings } from '../test/support/app';
import { COMPLIANCE_VARIANTS } from '../test/support/variants';

const controlTower = process.argv.includes('--control-tower');
let failed = 0;
for (const variant of COMPLIANCE_VARIANTS) {
  process.stdout.write(
    `synth variant ${variant.name}${controlTower ? ' (with Control Tower rules)' : ''} ... `,
  );
  const platform = buildTestPlatform(variant.input, { nag: true, builtinValidation: true, controlTower });
  const findings = synthFindings(platform.app);
  if (findings.length === 0) {
    process.stdout.write('ok\n');
    continue;
  }
  failed++;
  process.stdout.write(`FAILED: ${findings.length} unacknowledged finding(s)\n`);
  for (const f of findings) process.stdout.write(`  [${f.plugin}] ${f.rule}: ${f.paths.join(', ')}\n`);
}
process.exit(failed === 0 ? 0 : 1);
