import { NAME_LIMITS, type NameLimit } from './limits';
import {
  bucketName,
  cacheReplicationGroupId,
  databaseInstanceIdentifier,
  resourceName,
  warehouseName,
} from './naming';
import { KNOWN_REGIONS } from './regions';
import type { EnvironmentConfig, Issue } from './schema';

/** One physical name this app gives a resource, computed by the same functions the constructs call. */
export interface PhysicalName {
  readonly name: string;
  readonly limit: NameLimit;
}

const BUCKET_PURPOSES = [
  'raw',
  'refined',
  'curated',
  'artifacts',
  'athena-results',
  'access-logs',
  'checkpoints',
] as const;
/** Lambda functions with fixed names: job submission, readiness, the PostgreSQL control function (contract B), the replication canary. */
const FUNCTION_PURPOSES = ['submit-job', 'readiness', 'postgres-control', 'canary'] as const;

/**
 * Every fixed physical name of an environment whose length depends on config
 * (environment name, account, regions, failover generation). Names the same in
 * both regions are listed once.
 */
export function physicalNames(config: EnvironmentConfig): PhysicalName[] {
  const names: PhysicalName[] = [];
  const add = (name: string, limit: NameLimit) => names.push({ name, limit });
  for (const role of ['primary', 'dr'] as const) {
    for (const purpose of BUCKET_PURPOSES) add(bucketName(config, role, purpose), NAME_LIMITS.bucket);
    add(databaseInstanceIdentifier(config, role), NAME_LIMITS.rdsInstance);
  }
  add(cacheReplicationGroupId(config), NAME_LIMITS.cacheReplicationGroup);
  add(warehouseName(config), NAME_LIMITS.redshiftServerless);
  for (const purpose of FUNCTION_PURPOSES) add(resourceName(config, purpose), NAME_LIMITS.lambdaFunction);
  // Runbook documents: runbookName() in lib/runbooks/switch-steps.ts is resourceName(config, kind).
  for (const kind of ['failover', 'failback'] as const)
    add(resourceName(config, kind), NAME_LIMITS.ssmDocument);
  add(resourceName(config, 'msk'), NAME_LIMITS.mskCluster);
  return names;
}

/** Physical names, computed with config/naming.ts, against each resource type's length and characters. */
export function checkNameLengths(cfg: EnvironmentConfig, issue: Issue): void {
  if (!KNOWN_REGIONS.includes(cfg.regions.primary.region) || !KNOWN_REGIONS.includes(cfg.regions.dr.region))
    return;
  const reported = new Set<string>();
  for (const { name, limit } of physicalNames(cfg)) {
    if (reported.has(limit.what)) continue;
    if (name.length > limit.maxLength) {
      reported.add(limit.what);
      const room = cfg.name.length - (name.length - limit.maxLength);
      issue(
        ['name'],
        `"${cfg.name}" makes the ${limit.what} "${name}" ${name.length} characters; AWS allows ${limit.maxLength}. Shorten name to ${room >= 2 ? `at most ${room} characters` : 'fewer characters'} (${limit.page})`,
      );
    } else if (!limit.allowed.test(name)) {
      reported.add(limit.what);
      issue(
        ['name'],
        `"${cfg.name}" makes the ${limit.what} "${name}", which AWS refuses (no double or trailing dashes). Change name (${limit.page})`,
      );
    }
  }
}
