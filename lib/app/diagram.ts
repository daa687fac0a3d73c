import type { RegionRole } from '../../config';

/**
 * docs/architecture.svg: both regions of an environment side by side, drawn from a
 * synthesized cloud assembly (its stacks and their resources), not from a hand-written
 * list, so the picture changes when the app does. `npm run docs:diagram` writes the DOT
 * source and renders it offline with Graphviz compiled to WebAssembly; a test compares
 * the DOT with what the app synthesizes now and the SVG with that DOT.
 */

/** The part of a synthesized stack the diagram reads (a CloudFormationStackArtifact has it). */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly region: string;
  readonly template: {
    readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
}

interface RegionView {
  readonly role: RegionRole;
  readonly region: string;
  activeRegion?: string;
  buckets: string[];
  replicatedBuckets: { from: string; to: string }[];
  databases: { id: string; sourceRegion?: string }[];
  caches: { id: string; joins?: string }[];
  globalDatastore?: string;
  streams: string[];
  replicator: boolean;
  warehouses: { name: string; copiesTo?: string }[];
  spark: string[];
  tables: number;
  workgroups: number;
  functions: string[];
  runbooks: string[];
  dashboards: string[];
}

const ROLES: readonly RegionRole[] = ['primary', 'dr'];

/** A string property, or undefined when it is a token (a reference resolved at deploy). */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The value at a path of template JSON (undefined where the path does not exist). */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Reads what the diagram shows from every stack of one environment. */
export function readRegions(
  environment: string,
  stacks: readonly SynthesizedStack[],
): Record<RegionRole, RegionView> {
  const views = {} as Record<RegionRole, RegionView>;
  for (const role of ROLES) {
    const own = stacks.filter((s) => s.stackName.startsWith(`${environment}-${role}-`));
    if (own.length === 0) throw new Error(`no stack of ${environment}-${role} in the assembly`);
    const view: RegionView = {
      role,
      region: own[0].region,
      buckets: [],
      replicatedBuckets: [],
      databases: [],
      caches: [],
      streams: [],
      replicator: false,
      warehouses: [],
      spark: [],
      tables: 0,
      workgroups: 0,
      functions: [],
      runbooks: [],
      dashboards: [],
    };
    for (const stack of own) {
      for (const { Type, Properties: p = {} } of Object.values(stack.template.Resources ?? {})) {
        switch (Type) {
          case 'AWS::SSM::Parameter':
            if (text(p.Name) === `/dra/${environment}/active-region`) view.activeRegion = text(p.Value);
            break;
          case 'AWS::S3::Bucket': {
            view.buckets.push(text(p.BucketName) ?? '?');
            for (const rule of list(at(p, 'ReplicationConfiguration', 'Rules'))) {
              const to = text(at(rule, 'Destination', 'Bucket'))?.replace(/^arn:[^:]+:s3:::/, '');
              if (to) view.replicatedBuckets.push({ from: text(p.BucketName) ?? '?', to });
            }
            break;
          }
          case 'AWS::RDS::DBInstance':
            view.databases.push({
              id: text(p.DBInstanceIdentifier) ?? '?',
              sourceRegion: p.SourceDBInstanceIdentifier ? (text(p.SourceRegion) ?? '?') : undefined,
            });
            break;
          case 'AWS::ElastiCache::ReplicationGroup':
            view.caches.push({
              id: text(p.ReplicationGroupId) ?? '?',
              joins: text(p.GlobalReplicationGroupId),
            });
            break;
          case 'AWS::ElastiCache::GlobalReplicationGroup':
            view.globalDatastore = text(p.GlobalReplicationGroupIdSuffix) ?? '?';
            break;
          case 'AWS::ElastiCache::ServerlessCache':
            view.caches.push({ id: text(p.ServerlessCacheName) ?? '?' });
            break;
          case 'AWS::MSK::ServerlessCluster':
            view.streams.push(text(p.ClusterName) ?? '?');
            break;
          case 'AWS::MSK::Replicator':
            view.replicator = true;
            break;
          case 'AWS::RedshiftServerless::Namespace':
            view.warehouses.push({
              name: text(p.NamespaceName) ?? '?',
              copiesTo: text(at(p, 'SnapshotCopyConfigurations', 0, 'DestinationRegion')),
            });
            break;
          case 'AWS::Redshift::Cluster':
            view.warehouses.push({
              name: text(p.ClusterIdentifier) ?? '?',
              copiesTo: text(p.DestinationRegion),
            });
            break;
          case 'AWS::EMRServerless::Application':
            view.spark.push(text(p.Name) ?? '?');
            break;
          case 'AWS::Glue::Table':
            view.tables++;
            break;
          case 'AWS::Athena::WorkGroup':
            view.workgroups++;
            break;
          case 'AWS::Lambda::Function': {
            const name = text(p.FunctionName);
            if (name?.startsWith(`dra-${environment}-`)) view.functions.push(name);
            break;
          }
          case 'AWS::SSM::Document': {
            const name = text(p.Name);
            if (name) view.runbooks.push(name);
            break;
          }
          case 'AWS::CloudWatch::Dashboard': {
            const name = text(p.DashboardName);
            if (name) view.dashboards.push(name);
            break;
          }
        }
      }
    }
    views[role] = view;
  }
  return views;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const short = (name: string, environment: string) => name.replace(`dra-${environment}-`, '');

/** The DOT source of the diagram of one environment's synthesized stacks. */
export function architectureDot(environment: string, stacks: readonly SynthesizedStack[]): string {
  const views = readRegions(environment, stacks);
  const writer = ROLES.find((role) => views[role].activeRegion === views[role].region);
  const lines: string[] = [
    'digraph architecture {',
    `  graph [label=${quote(`dual-region-analytics ${environment}: ${views.primary.region} (primary) and ${views.dr.region} (DR). Arrows: replication from the writer to the standby.`)}, labelloc=t, fontname="Helvetica", fontsize=12, rankdir=LR, newrank=true, nodesep=0.25, ranksep=1.6];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const node = (role: RegionRole, key: string, label: string, fill: string) =>
    `    ${role}_${key} [label=${quote(label)}, fillcolor=${quote(fill)}];`;
  for (const role of ROLES) {
    const v = views[role];
    const writes = writer === role;
    const store = writes ? '#dbeafe' : '#f1f5f9';
    lines.push(
      `  subgraph cluster_${role} {`,
      `    label=${quote(`${v.region}: ${role === 'primary' ? 'primary' : 'DR'} region, ${writes ? 'writes now (active-region record)' : 'standby'}`)};`,
      `    style="rounded${writes ? ',bold' : ',dashed'}"; color=${quote(writes ? '#1d4ed8' : '#64748b')};`,
    );
    if (v.buckets.length)
      lines.push(
        node(role, 'lake', `S3 data lake\n${v.buckets.length} buckets (raw, refined, curated, ...)`, store),
      );
    for (const db of v.databases)
      lines.push(
        node(
          role,
          'database',
          `RDS PostgreSQL\n${db.id}\n${db.sourceRegion ? `read replica of ${db.sourceRegion}` : 'writer'}`,
          store,
        ),
      );
    for (const cache of v.caches)
      lines.push(
        node(
          role,
          'cache',
          `ElastiCache\n${cache.id}${cache.joins ? '\nGlobal Datastore member' : v.globalDatastore ? '\nGlobal Datastore creator' : ''}`,
          store,
        ),
      );
    for (const cluster of v.streams)
      lines.push(
        node(
          role,
          'streaming',
          `MSK Serverless\n${cluster}${v.replicator ? '\n+ MSK Replicator' : ''}`,
          store,
        ),
      );
    for (const w of v.warehouses) lines.push(node(role, 'warehouse', `Redshift\n${w.name}`, store));
    for (const app of v.spark) lines.push(node(role, 'spark', `EMR Serverless\n${app}`, '#ffffff'));
    if (v.tables || v.workgroups)
      lines.push(
        node(
          role,
          'catalog',
          `Glue catalog, Athena\n${v.tables} tables, ${v.workgroups} workgroups`,
          '#ffffff',
        ),
      );
    const control = [
      ...[...v.functions].sort().map((f) => short(f, environment)),
      ...[...v.runbooks].sort().map((r) => `runbook ${short(r, environment)}`),
      ...[...v.dashboards].sort().map((d) => `dashboard ${short(d, environment)}`),
    ];
    if (control.length) lines.push(node(role, 'control', `Control\n${control.join('\n')}`, '#fef9c3'));
    lines.push('  }');
  }
  const other = (role: RegionRole): RegionRole => (role === 'primary' ? 'dr' : 'primary');
  const edge = (from: RegionRole, key: string, label: string) =>
    `  ${from}_${key} -> ${other(from)}_${key} [label=${quote(label)}, color="#1d4ed8", penwidth=1.6];`;
  for (const role of ROLES) {
    const v = views[role];
    if (v.replicatedBuckets.length)
      lines.push(edge(role, 'lake', `S3 replication, RTC\n${v.replicatedBuckets.length} buckets`));
    for (const db of v.databases)
      if (db.sourceRegion === views[other(role)].region)
        lines.push(edge(other(role), 'database', 'read replica'));
    if (v.replicator) lines.push(edge(other(role), 'streaming', 'MSK Replicator'));
    for (const w of v.warehouses)
      if (w.copiesTo === views[other(role)].region) lines.push(edge(role, 'warehouse', 'snapshot copy'));
  }
  // The Global Datastore's membership does not move; its primary role does, with the writer.
  if (writer && ROLES.some((role) => views[role].caches.some((c) => c.joins)))
    lines.push(edge(writer, 'cache', 'Global Datastore'));
  // Each node beside its twin in the other region: an invisible edge where nothing replicates.
  const drawn = lines.join('\n');
  for (const key of ['lake', 'database', 'cache', 'streaming', 'warehouse', 'spark', 'catalog', 'control']) {
    const both = drawn.includes(`primary_${key} [`) && drawn.includes(`dr_${key} [`);
    const linked = new RegExp(`(primary|dr)_${key} -> `).test(drawn);
    if (both && !linked) lines.push(`  primary_${key} -> dr_${key} [style=invis];`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

/** The environment docs/architecture.svg shows: prod replicates every store. */
export const DIAGRAM_ENVIRONMENT = 'prod';
