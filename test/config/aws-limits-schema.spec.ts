import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { NAME_LIMITS, RDS_BACKUP_RETENTION, TAG_KEY_MAX, TAG_VALUE_MAX } from '../../config/limits';

/**
 * The limits config/limits.ts types by hand, checked against the CloudFormation
 * resource schemas that aws-cdk-lib's built-in template validator carries (the
 * same engine `@aws-cdk/core:validateAgainstDefaultRules` runs at synth). Each
 * limit is probed at its value (accepted) and one past it (refused), in one
 * template so the validator starts once. If AWS changes a schema, this fails
 * and says which constant to update.
 */
type Probe = { type: string; props: Record<string, unknown>; property: string };

const probes: Record<string, Probe> = {};
const { cacheReplicationGroup, ...schemaCarried } = NAME_LIMITS;
for (const [key, limit] of Object.entries(schemaCarried)) {
  for (const [suffix, length] of [
    ['AtLimit', limit.maxLength],
    ['PastLimit', limit.maxLength + 1],
  ] as const) {
    probes[`${key}${suffix}`] = {
      type: limit.resourceType,
      props: { [limit.property]: 'a'.repeat(length) },
      property: limit.property,
    };
  }
}
probes.cacheReplicationGroupPastLimit = {
  type: cacheReplicationGroup.resourceType,
  props: { [cacheReplicationGroup.property]: 'a'.repeat(cacheReplicationGroup.maxLength + 1) },
  property: cacheReplicationGroup.property,
};
for (const [suffix, extra] of [
  ['AtLimit', 0],
  ['PastLimit', 1],
] as const) {
  probes[`tagKey${suffix}`] = {
    type: 'AWS::SNS::Topic',
    props: { Tags: [{ Key: 'k'.repeat(TAG_KEY_MAX + extra), Value: 'v' }] },
    property: 'Tags',
  };
  probes[`tagValue${suffix}`] = {
    type: 'AWS::SNS::Topic',
    props: { Tags: [{ Key: 'k', Value: 'v'.repeat(TAG_VALUE_MAX + extra) }] },
    property: 'Tags',
  };
  probes[`backupRetention${suffix}`] = {
    type: 'AWS::RDS::DBInstance',
    props: { Engine: 'postgres', BackupRetentionPeriod: RDS_BACKUP_RETENTION.max + extra },
    property: 'BackupRetentionPeriod',
  };
}

/** Logical ids whose probed property the validator refuses. */
function refusedProbes(): Set<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-limits-'));
  const templatePath = path.join(dir, 'probes.template.json');
  const resources = Object.fromEntries(
    Object.entries(probes).map(([id, p]) => [id, { Type: p.type, Properties: p.props }]),
  );
  fs.writeFileSync(templatePath, JSON.stringify({ Resources: resources }));
  const report = new CloudFormationValidatePlugin().validate({
    templatePaths: [templatePath],
    stackTemplates: [
      { stackConstructPath: 'Probes', templatePath, accountId: '111111111111', region: 'us-east-1' },
    ],
    accountId: '111111111111',
    region: 'us-east-1',
    appConstruct: undefined as never,
  });
  const refused = new Set<string>();
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      const id = resource.resourceLogicalId ?? '';
      const probe = probes[id];
      if (probe && resource.locations.some((l) => l.startsWith(`Properties.${probe.property}`)))
        refused.add(id);
    }
  }
  return refused;
}

describe('typed AWS limits agree with the CloudFormation resource schemas', () => {
  const refused = refusedProbes();

  it.each(
    Object.entries(schemaCarried).map(
      ([key, l]) => [key, `${l.resourceType} ${l.property}`, l.maxLength] as const,
    ),
  )('%s: %s accepts %i characters and refuses one more', (key) => {
    expect({ atLimit: refused.has(`${key}AtLimit`), pastLimit: refused.has(`${key}PastLimit`) }).toEqual({
      atLimit: false,
      pastLimit: true,
    });
  });

  it('tag keys up to 128 and values up to 256 characters', () => {
    expect(['tagKeyAtLimit', 'tagValueAtLimit'].filter((id) => refused.has(id))).toEqual([]);
    expect(['tagKeyPastLimit', 'tagValuePastLimit'].filter((id) => refused.has(id))).toEqual([
      'tagKeyPastLimit',
      'tagValuePastLimit',
    ]);
  });

  it('RDS backup retention up to 35 days', () => {
    expect(refused.has('backupRetentionAtLimit')).toBe(false);
    expect(refused.has('backupRetentionPastLimit')).toBe(true);
  });

  it('replication group ids: the schema does not carry the 40-character limit, so config/limits.ts is its only check', () => {
    // When this fails, the schema has gained the limit: move cacheReplicationGroup into the checks above.
    expect(refused.has('cacheReplicationGroupPastLimit')).toBe(false);
  });
});
