import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INTERFACE_ENDPOINT_COUNT, runCost } from '../../bin/cost';
import { ENVIRONMENT_NAMES, loadConfig } from '../../config';
import { architectureDot, DIAGRAM_ENVIRONMENT, type SynthesizedStack } from '../../lib/app/diagram';
import { costDoc } from '../../lib/cost/doc';
import { estimateCost, totalsTable } from '../../lib/cost/estimate';
import { atGeneration, sharedPlatform } from '../support/app';

const DOCS = path.join(__dirname, '..', '..', 'docs');

/** The synthesized stacks of a shared platform, as the diagram reads them (no extra synth). */
function stacksOf(platform: ReturnType<typeof sharedPlatform>): SynthesizedStack[] {
  return platform.app.synth().stacks.map((s) => ({
    stackName: s.stackName,
    region: s.environment.region,
    template: s.template,
  }));
}

describe('docs/architecture.svg, drawn from the synthesized app', () => {
  const dot = architectureDot(DIAGRAM_ENVIRONMENT, stacksOf(sharedPlatform(DIAGRAM_ENVIRONMENT)));

  it('docs/architecture.dot is what the app synthesizes now (npm run docs:diagram)', () => {
    expect(fs.readFileSync(path.join(DOCS, 'architecture.dot'), 'utf8')).toBe(dot);
  });

  it('docs/architecture.svg was rendered from that DOT (it carries its SHA-256)', () => {
    const svg = fs.readFileSync(path.join(DOCS, 'architecture.svg'), 'utf8');
    expect(svg).toContain(`dot-sha256: ${createHash('sha256').update(dot).digest('hex')}`);
    expect(svg).toMatch(/<svg\b[\s\S]*<\/svg>\s*$/);
  });

  it('shows both regions, every replicated store with its arrow to the standby, and which region writes', () => {
    expect(dot).toMatch(/cluster_primary \{\n {4}label="us-east-1: primary region, writes now/);
    expect(dot).toMatch(/cluster_dr \{\n {4}label="us-west-2: DR region, standby"/);
    for (const [key, label] of [
      ['lake', 'S3 replication, RTC\\n4 buckets'],
      ['database', 'read replica'],
      ['cache', 'Global Datastore'],
      ['streaming', 'MSK Replicator'],
      ['warehouse', 'snapshot copy'],
    ]) {
      expect(dot).toContain(`primary_${key} -> dr_${key} [label="${label}"`);
    }
    expect(dot).toMatch(/dr_control \[label="Control\\n.*runbook failover/);
  });

  it('turns round with the generation: after a failover the DR region writes and replicates back', () => {
    const gen1 = architectureDot('prod', stacksOf(sharedPlatform(atGeneration(1))));
    expect(gen1).toMatch(/cluster_dr \{\n {4}label="us-west-2: DR region, writes now/);
    expect(gen1).toContain('dr_database -> primary_database [label="read replica"');
    expect(gen1).toContain('dr_lake -> primary_lake [label="S3 replication, RTC');
    expect(gen1).toContain('dr_cache -> primary_cache [label="Global Datastore"');
  });

  it('draws only what the templates hold: no arrow for a store that does not replicate', () => {
    const stack = (
      stackName: string,
      region: string,
      Resources: SynthesizedStack['template']['Resources'],
    ) => ({
      stackName,
      region,
      template: { Resources },
    });
    const small = architectureDot('qa', [
      stack('qa-primary-streaming', 'eu-west-1', {
        Cluster: { Type: 'AWS::MSK::ServerlessCluster', Properties: { ClusterName: 'dra-qa-msk' } },
        Record: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Name: '/dra/qa/active-region', Value: 'eu-west-1' },
        },
      }),
      stack('qa-dr-streaming', 'eu-central-1', {
        Cluster: { Type: 'AWS::MSK::ServerlessCluster', Properties: { ClusterName: 'dra-qa-msk' } },
      }),
    ]);
    expect(small).toContain('primary_streaming [label="MSK Serverless\\ndra-qa-msk"');
    expect(small).not.toContain('MSK Replicator');
    expect(small).toContain('primary_streaming -> dr_streaming [style=invis]');
    expect(small).toMatch(/label="eu-west-1: primary region, writes now/);
  });
});

describe('docs/cost.md and the README cost table (npm run docs:cost)', () => {
  const configs = ENVIRONMENT_NAMES.map((name) => loadConfig(name));

  it('docs/cost.md is what the price table and the configs give now', () => {
    expect(fs.readFileSync(path.join(DOCS, 'cost.md'), 'utf8')).toBe(
      costDoc(configs, INTERFACE_ENDPOINT_COUNT),
    );
  });

  it("the README shows the three environments' totals as computed", () => {
    const readme = fs.readFileSync(path.join(DOCS, '..', 'README.md'), 'utf8');
    const estimates = configs.map((c) => estimateCost(c, { interfaceEndpoints: INTERFACE_ENDPOINT_COUNT }));
    expect(readme).toContain(totalsTable(estimates));
  });

  it('npm run cost answers --help, and counts the interface endpoints the network construct creates', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCost(['--help'])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/Usage: npm run cost -- \[options\]/);
    } finally {
      out.mockRestore();
    }
    const vpc = sharedPlatform(DIAGRAM_ENVIRONMENT).primary.foundation;
    const endpoints = Object.values(vpc.node.findAll())
      .map((c) => (c as { cfnResourceType?: string }).cfnResourceType)
      .filter((t) => t === 'AWS::EC2::VPCEndpoint');
    // One gateway endpoint (S3), the rest interface endpoints.
    expect(endpoints.length - 1).toBe(INTERFACE_ENDPOINT_COUNT);
  });
});
