import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configKeyFor, describeFindings, type ValidationReport } from '../../bin/validation-findings';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CDK_JSON_CONTEXT = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

/**
 * Runs bin/app.ts the way the CDK CLI does (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR), without
 * bundling, and without validation unless `validate` (then with findings planted: test/support/plant-findings.cjs).
 */
function runApp(context: Record<string, unknown>, { validate = false } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-bin-'));
  const preload = validate ? ['--require', path.join(ROOT, 'test', 'support', 'plant-findings.cjs')] : [];
  const result = spawnSync(TSX, [...preload, 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_VALIDATION: validate ? 'true' : 'false',
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

  it('answers --help with the context it reads, without synthesizing', () => {
    const result = spawnSync(TSX, ['bin/app.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npx cdk synth \[-c env=NAME\] \[-c controlTower=true\]/);
    expect(result.stdout).toMatch(/-c env=NAME +the environment \(dev, staging, prod\)/);
  });
});

describe('bin/app.ts fails the synth on a finding', () => {
  // bin/app.ts runs CloudFormation's validation on a worker thread (lib/compliance/cloudformation-validation.ts)
  // and the nag packs in the synth; both must still turn a finding into a failed synth.
  it('of CloudFormation validation and of the nag packs, each listed, for the environment named, in both regions', () => {
    const result = runApp({ env: 'dev' }, { validate: true });
    expect(result.status).toBe(1);
    const listed = [...result.stderr.matchAll(/^ {2}- \[([^\]]+)\] (\S+) at (\S+)/gm)].map(
      ([, plugin, rule, where]) => ({
        plugin,
        rule,
        where,
      }),
    );
    // Only the planted stack: the platform itself is at zero findings.
    expect(listed.filter((f) => !f.where.startsWith('Planted/'))).toEqual([]);
    expect(listed.filter((f) => f.where === 'Planted/BadTier')).toEqual([
      { plugin: 'CloudFormation Validate', rule: 'W3030', where: 'Planted/BadTier' },
    ]);
    const nag = listed.filter((f) => f.where === 'Planted/BareBucket');
    expect(new Set(nag.map((f) => f.plugin))).toEqual(
      new Set(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5']),
    );
    expect(result.stderr).toMatch(/\d+ unacknowledged validation finding\(s\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // The environment the context names, synthesized in both regions (the templates are written
    // before validation reads them; one synth of the whole app is the slowest thing this file does).
    const templates = fs.readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates.some((f) => f.startsWith('devprimary'))).toBe(true);
    expect(templates.some((f) => f.startsWith('devdr'))).toBe(true);
    expect(templates.some((f) => /^(staging|prod)/.test(f))).toBe(false);
  });
});

describe('validation findings are printed with their description and config key', () => {
  // Shaped as aws-cdk-lib 2.276 writes cdk.out/validation-report.json for db.m4.large on PostgreSQL 17.6.
  const report: ValidationReport = {
    pluginReports: [
      {
        pluginName: 'CloudFormation Validate',
        violations: [
          {
            ruleName: 'E3062',
            description:
              "DBInstanceClass: DBInstanceClass 'db.m4.large' is not valid for Engine 'postgres' EngineVersion '17.6'",
            violatingConstructs: [
              {
                constructPath: 'dev-primary/Database/Postgres/Instance',
                constructFqn: 'aws-cdk-lib.aws_rds.CfnDBInstance',
                cloudFormationResource: { propertyPaths: ['Properties.DBInstanceClass'] },
              },
            ],
          },
        ],
      },
      {
        pluginName: 'AwsSolutions',
        violations: [
          {
            ruleName: 'AwsSolutions-S1',
            description: 'The S3 Bucket has server access logs disabled.',
            violatingConstructs: [{ constructPath: 'dev-dr/Storage/Buckets/Raw/Resource' }],
          },
        ],
      },
    ],
  };

  it('prints the rule, the construct, the description and the config key', () => {
    const [rds, nag] = describeFindings(report, 'dev');
    expect(rds).toBe(
      [
        '  - [CloudFormation Validate] E3062 at dev-primary/Database/Postgres/Instance',
        "      DBInstanceClass: DBInstanceClass 'db.m4.large' is not valid for Engine 'postgres' EngineVersion '17.6'",
        '      set by rds.instanceClass in config/dev.ts',
      ].join('\n'),
    );
    expect(nag).toBe(
      '  - [AwsSolutions] AwsSolutions-S1 at dev-dr/Storage/Buckets/Raw/Resource\n      The S3 Bucket has server access logs disabled.',
    );
  });

  it('maps nested properties, tags and the region role of the construct path', () => {
    expect(
      configKeyFor(
        'aws-cdk-lib.aws_redshiftserverless.CfnNamespace',
        'Properties.SnapshotCopyConfigurations.0.SnapshotRetentionPeriod',
        'prod-primary/Warehouse/Warehouse/Namespace',
      ),
    ).toBe('redshift.snapshotCopyRetentionDays');
    expect(
      configKeyFor(
        'aws-cdk-lib.aws_ec2.CfnSubnet',
        'Properties.AvailabilityZone',
        'prod-dr/Foundation/Network/Vpc/private1/Subnet',
      ),
    ).toBe('regions.dr.availabilityZones');
    expect(
      configKeyFor('aws-cdk-lib.aws_sns.CfnTopic', 'Properties.Tags.1.Key', 'dev-dr/Operations/Topic'),
    ).toBe('tags');
    expect(
      configKeyFor('aws-cdk-lib.aws_sns.CfnTopic', 'Properties.KmsMasterKeyId', 'dev-dr/Operations/Topic'),
    ).toBeUndefined();
  });
});
