import type { EnvironmentConfig, RegionRole } from './schema';

/**
 * The generation model: which region writes and which stands by. Region roles
 * (`primary`, `dr`) are the regions' home roles and never move; the writer is
 * data, `failover.generation`: even, the primary writes; odd, the DR region.
 * A failover or failback is followed by raising the generation by one and
 * deploying, which re-seeds the old writer as the new standby under the same
 * stack names (docs/failover-generations.md).
 */

export function otherRole(role: RegionRole): RegionRole {
  return role === 'primary' ? 'dr' : 'primary';
}

/**
 * The role whose region takes writes now: the primary in even failover
 * generations, the DR region in odd ones. Replication always runs from the
 * writer to the standby; stack names keep the regions' home roles.
 */
export function writerRole(config: EnvironmentConfig): RegionRole {
  return config.failover.generation % 2 === 0 ? 'primary' : 'dr';
}

/** The role whose region receives the replicas and runs the failover runbook. */
export function standbyRole(config: EnvironmentConfig): RegionRole {
  return otherRole(writerRole(config));
}

export function isWriter(config: EnvironmentConfig, role: RegionRole): boolean {
  return role === writerRole(config);
}

/**
 * The failover generation in which this role's current database instance was
 * created. The standby's replica is new in each generation (re-seeding makes a
 * new instance); the writer is the replica promoted at the last switch, so it
 * keeps the identifier it got one generation earlier (the primary's original
 * instance is generation 0).
 */
export function databaseGeneration(config: EnvironmentConfig, role: RegionRole): number {
  const generation = config.failover.generation;
  return isWriter(config, role) ? Math.max(generation - 1, 0) : generation;
}

/** The same environment in another failover generation (for names a resource got when it was created). */
export function atGeneration(config: EnvironmentConfig, generation: number): EnvironmentConfig {
  return { ...config, failover: { ...config.failover, generation } };
}

/**
 * How this role's current database instance was created: the primary's
 * original writer (generation 0), or a cross-region read replica of the writer
 * of the generation it was created in. CloudFormation keeps seeing the
 * properties it was created with for as long as the instance lives, so that no
 * later template asks for a replacement (SourceRegion, KmsKeyId and
 * MasterUsername are create-only) or a second promotion (removing
 * SourceDBInstanceIdentifier makes the update call PromoteReadReplica, which
 * the runbook has already done: docs/failover-generations.md).
 */
export type DatabaseOrigin =
  | { readonly kind: 'original' }
  | { readonly kind: 'replica'; readonly sourceRole: RegionRole; readonly createdIn: number };

export function databaseOrigin(config: EnvironmentConfig, role: RegionRole): DatabaseOrigin {
  const createdIn = databaseGeneration(config, role);
  if (createdIn === 0 && role === 'primary') return { kind: 'original' };
  return { kind: 'replica', sourceRole: writerRole(atGeneration(config, createdIn)), createdIn };
}
