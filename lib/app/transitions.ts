import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import type { Stack } from 'aws-cdk-lib';
import type { Platform } from './platform';

/**
 * What a generation change asks of CloudFormation, computed offline with the
 * engine behind `cdk diff` (@aws-cdk/cloudformation-diff). Used by the
 * transition test and by docs/failover-generations.md.
 */

/** Stacks in the order a deploy of every stack must take (dependencies first), per region role. */
export function deployOrder(platform: Platform): string[] {
  const stacks = [...platform.primary.node.children, ...platform.dr.node.children].filter(
    (c): c is Stack => 'stackName' in c && 'dependencies' in c,
  );
  const byName = new Map(stacks.map((s) => [s.stackName, s]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: Stack, path: string[]) => {
    const mark = state.get(stack.stackName);
    if (mark === 'done') return;
    if (mark === 'visiting') {
      throw new Error(`stack dependency cycle: ${[...path, stack.stackName].join(' -> ')}`);
    }
    state.set(stack.stackName, 'visiting');
    for (const dep of [...stack.dependencies].sort((a, b) => a.stackName.localeCompare(b.stackName))) {
      visit(byName.get(dep.stackName) ?? dep, [...path, stack.stackName]);
    }
    state.set(stack.stackName, 'done');
    order.push(stack.stackName);
  };
  for (const stack of stacks) visit(stack, []);
  return order;
}

/**
 * Resource types that hold data (or keys to it). A replacement or removal of one
 * of these loses data unless it is the planned re-seed of the old writer.
 * The value is the property that gives it a fixed physical name.
 */
export const STATEFUL_NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::ElastiCache::GlobalReplicationGroup': 'GlobalReplicationGroupIdSuffix',
  'AWS::ElastiCache::ServerlessCache': 'ServerlessCacheName',
  'AWS::RedshiftServerless::Namespace': 'NamespaceName',
  'AWS::RedshiftServerless::Workgroup': 'WorkgroupName',
  'AWS::Redshift::Cluster': 'ClusterIdentifier',
  'AWS::MSK::ServerlessCluster': 'ClusterName',
  'AWS::KMS::Key': '',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Glue::Database': '',
  'AWS::Glue::Table': '',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

export interface ResourceChange {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly impact: ResourceImpact;
  /** The fixed physical name before and after, where the type has one. */
  readonly name?: { readonly before?: unknown; readonly after?: unknown };
  /** Properties whose change makes the resource (maybe) replaced. */
  readonly replacing: string[];
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

const IMPACTS_OF_INTEREST = new Set([
  ResourceImpact.WILL_REPLACE,
  ResourceImpact.MAY_REPLACE,
  ResourceImpact.WILL_DESTROY,
  ResourceImpact.WILL_ORPHAN,
  ResourceImpact.WILL_UPDATE,
]);

/** Every updated, replaced or removed resource between two syntheses of the same stacks. */
export function resourceChanges(
  before: Readonly<Record<string, object>>,
  after: Readonly<Record<string, object>>,
): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const stack of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const diff = fullDiff(before[stack] ?? {}, after[stack] ?? {});
    diff.resources.forEachDifference((logicalId, change) => {
      if (!IMPACTS_OF_INTEREST.has(change.changeImpact)) return;
      const type = (change.oldValue?.Type ?? change.newValue?.Type) as string;
      const nameProperty = STATEFUL_NAME_PROPERTY[type] || undefined;
      const replacing = Object.entries(change.propertyUpdates)
        .filter(([, p]) =>
          [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE].includes(
            p.changeImpact as ResourceImpact,
          ),
        )
        .map(([name]) => name);
      changes.push({
        stack,
        logicalId,
        type,
        impact: change.changeImpact,
        name: nameProperty
          ? {
              before: change.oldValue?.Properties?.[nameProperty],
              after: change.newValue?.Properties?.[nameProperty],
            }
          : undefined,
        replacing,
        before: change.oldValue?.Properties,
        after: change.newValue?.Properties,
      });
    });
  }
  return changes;
}
