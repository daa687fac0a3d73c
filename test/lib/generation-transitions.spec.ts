import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentConfigInput } from '../../config';
import { prod } from '../../config/prod';
import { staging } from '../../config/staging';
import { deployOrder, type ResourceChange, resourceChanges } from '../../lib/app/transitions';
import { renderGenerationsDoc } from '../../lib/app/transitions-doc';
import { atGeneration, sharedPlatform } from '../support/app';

/**
 * Raising failover.generation and deploying must be accepted by CloudFormation after the runbook
 * has already acted out of band. Each pair of generations is compared with the engine behind
 * `cdk diff` (@aws-cdk/cloudformation-diff), which reports replacement from the resource schemas.
 */

/**
 * Conditionally create-only properties of AWS::RDS::DBInstance that the resource provider
 * updates in place for an instance outside a DB cluster: its ImmutabilityHelper.isChangeMutable
 * (aws-cloudformation-resource-providers-rds) does not consider them, so ModifyDBInstance applies
 * them. The diff engine, reading only the schema, reports MAY_REPLACE.
 */
const RDS_IN_PLACE = new Set(['MultiAZ', 'BackupRetentionPeriod', 'PreferredMaintenanceWindow']);

const GENERATIONS = [0, 1, 2, 3];

interface Synthesized {
  readonly templates: Record<string, Record<string, any>>;
  readonly order: string[];
}

function synthesize(base: EnvironmentConfigInput, generation: number): Synthesized {
  const platform = sharedPlatform(atGeneration(generation, base));
  const assembly = platform.app.synth();
  return {
    templates: Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])),
    order: deployOrder(platform),
  };
}

const describeChange = (c: ResourceChange) =>
  `${c.stack}/${c.logicalId} (${c.type}) ${c.impact} by [${c.replacing.join(', ')}] name ${JSON.stringify(c.name)}`;

describe.each([
  ['staging', staging],
  ['prod', prod],
])('failover generations 0 to 3 of %s', (_name, base) => {
  const synthesized = GENERATIONS.map((g) => synthesize(base, g));
  const transitions = GENERATIONS.slice(1).map((g) => ({
    label: `${g - 1} -> ${g}`,
    generation: g,
    before: synthesized[g - 1].templates,
    after: synthesized[g].templates,
    changes: resourceChanges(synthesized[g - 1].templates, synthesized[g].templates),
  }));

  describe.each(transitions)('generation $label', ({ generation, before, after, changes }) => {
    const oldWriterRole = generation % 2 === 1 ? 'primary' : 'dr';

    it('never replaces a named resource under the same name (CloudFormation refuses that)', () => {
      const sameName = changes.filter(
        (c) =>
          (c.impact === 'WILL_REPLACE' || c.impact === 'MAY_REPLACE') &&
          c.name !== undefined &&
          JSON.stringify(c.name.before) === JSON.stringify(c.name.after) &&
          !(c.type === 'AWS::RDS::DBInstance' && c.replacing.every((p) => RDS_IN_PLACE.has(p))),
      );
      expect(sameName.map(describeChange)).toEqual([]);
    });

    it('destroys no stateful resource', () => {
      const destroyed = changes.filter((c) => c.name !== undefined && c.impact === 'WILL_DESTROY');
      expect(destroyed.map(describeChange)).toEqual([]);
    });

    it("replaces stateful resources only to re-seed the old writer's database, keeping the old one running", () => {
      const replaced = changes.filter(
        (c) =>
          c.name !== undefined &&
          (c.impact === 'WILL_REPLACE' ||
            (c.impact === 'MAY_REPLACE' && !c.replacing.every((p) => RDS_IN_PLACE.has(p)))),
      );
      const reseed = `${base.name}-${oldWriterRole}-database`;
      expect(replaced.map((c) => `${c.stack}/${c.type}`).sort()).toEqual(
        [
          `${reseed}/AWS::Logs::LogGroup`,
          `${reseed}/AWS::Logs::LogGroup`,
          `${reseed}/AWS::RDS::DBInstance`,
        ].sort(),
      );
      const instance = replaced.find((c) => c.type === 'AWS::RDS::DBInstance') as ResourceChange;
      expect(instance.after?.SourceDBInstanceIdentifier).toBeDefined();
      // The replaced old writer is left running: it may hold writes the new writer never received.
      const [logicalId] = Object.keys(after[reseed].Resources).filter(
        (id) => after[reseed].Resources[id].Type === 'AWS::RDS::DBInstance',
      );
      expect(before[reseed].Resources[logicalId].UpdateReplacePolicy).toBe('Retain');
      for (const log of replaced.filter((c) => c.type === 'AWS::Logs::LogGroup')) {
        expect(before[reseed].Resources[log.logicalId].UpdateReplacePolicy).toBe('Retain');
      }
    });

    it('never asks CloudFormation to promote a replica (the runbook already did)', () => {
      const promotions = changes.filter(
        (c) =>
          c.type === 'AWS::RDS::DBInstance' &&
          c.before?.SourceDBInstanceIdentifier !== undefined &&
          c.after?.SourceDBInstanceIdentifier === undefined,
      );
      expect(promotions.map(describeChange)).toEqual([]);
    });

    it("gives the new writer its generation's secret in place (ModifyDBInstance) and keeps the old writer's secret", () => {
      const newWriter = `${base.name}-${oldWriterRole === 'primary' ? 'dr' : 'primary'}-database`;
      const oldWriter = `${base.name}-${oldWriterRole}-database`;
      const secrets = (stack: string, templates: Record<string, any>) =>
        Object.values(templates[stack].Resources as Record<string, any>)
          .filter((r) => r.Type === 'AWS::SecretsManager::Secret')
          .map((r) => r.Properties.Name);
      expect(secrets(newWriter, after)).toEqual([`dra/${base.name}/postgres/master-g${generation}`]);
      expect(secrets(oldWriter, after)).toEqual([]);
      // The previous generation's secret leaves the template but not the account (Retain): the
      // old writer the re-seed keeps running still has that password.
      const previous = changes.filter((c) => c.type === 'AWS::SecretsManager::Secret');
      expect(previous.map((c) => [c.stack, c.impact, c.name?.before])).toEqual([
        [oldWriter, 'WILL_ORPHAN', `dra/${base.name}/postgres/master-g${generation - 1}`],
      ]);
      // The promoted writer gains MasterUserPassword: an update the schema does not make a
      // replacement (the only "may replace" properties are the ones the provider modifies in place).
      const promoted = changes.find((c) => c.stack === newWriter && c.type === 'AWS::RDS::DBInstance');
      expect(promoted?.replacing.filter((p) => !RDS_IN_PLACE.has(p))).toEqual([]);
      expect(promoted?.before?.MasterUserPassword).toBeUndefined();
      expect(JSON.stringify(promoted?.after?.MasterUserPassword)).toContain('{{resolve:secretsmanager:');
    });

    it('never changes the Global Datastore member (it refuses ModifyReplicationGroup)', () => {
      const member = changes.filter(
        (c) =>
          c.type === 'AWS::ElastiCache::ReplicationGroup' &&
          (c.before?.GlobalReplicationGroupId ?? c.after?.GlobalReplicationGroupId) !== undefined,
      );
      expect(member.map(describeChange)).toEqual([]);
    });

    it('keeps every create-only property of a surviving database instance', () => {
      for (const c of changes.filter(
        (x) => x.type === 'AWS::RDS::DBInstance' && x.name?.before === x.name?.after,
      )) {
        for (const property of [
          'SourceRegion',
          'KmsKeyId',
          'MasterUsername',
          'StorageEncrypted',
          'DBSubnetGroupName',
        ])
          expect([c.logicalId, property, c.after?.[property]]).toEqual([
            c.logicalId,
            property,
            c.before?.[property],
          ]);
      }
    });
  });

  it('has an acyclic stack graph in every generation, with the writer database before the standby replica', () => {
    for (const [generation, { order }] of synthesized.entries()) {
      const writer = generation % 2 === 0 ? 'primary' : 'dr';
      const standby = writer === 'primary' ? 'dr' : 'primary';
      expect(order).toHaveLength(18);
      expect(order.indexOf(`${base.name}-${writer}-database`)).toBeLessThan(
        order.indexOf(`${base.name}-${standby}-database`),
      );
      expect(order.indexOf(`${base.name}-${standby}-storage`)).toBeLessThan(
        order.indexOf(`${base.name}-${writer}-storage`),
      );
    }
  });

  if (base.name === 'prod') {
    it('prints the deploy order of each generation into docs/failover-generations.md (npm run docs:generations)', () => {
      const file = fs.readFileSync(
        path.join(__dirname, '..', '..', 'docs', 'failover-generations.md'),
        'utf8',
      );
      expect(file).toBe(
        renderGenerationsDoc(
          base.name,
          synthesized.map((s) => s.order),
          transitions.map((t) => ({ label: t.label, changes: t.changes })),
        ),
      );
    });
  }
});
