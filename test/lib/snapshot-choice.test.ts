import { execFileSync } from 'node:child_process';
import {
  isRestorableCopy,
  newestRestorableCopy,
  type WarehouseMode,
} from '../../lambda/readiness/snapshot-choice';
import { pythonSnapshotChoice } from '../../lib/runbooks/snapshot-choice';

const WRITER = 'us-west-2';
const HERE = 'us-east-1';
const warehouse = { name: 'dra-prod-warehouse', writerRegion: WRITER };
const at = (day: number) => new Date(Date.UTC(2025, 11, day));
const ns = (region: string) => `arn:aws:redshift-serverless:${region}:111111111111:namespace/ns-${region}`;

/** Snapshots as ListSnapshots / DescribeClusterSnapshots give them, and whether the rule takes each. */
const cases: { mode: WarehouseMode; snapshot: Record<string, unknown>; restorable: boolean }[] = [
  {
    mode: 'serverless',
    snapshot: {
      snapshotName: 'copy',
      namespaceName: warehouse.name,
      namespaceArn: ns(WRITER),
      status: 'AVAILABLE',
      snapshotCreateTime: at(3),
    },
    restorable: true,
  },
  // The standby's own namespace has the same name: not a copy of the writer.
  {
    mode: 'serverless',
    snapshot: {
      snapshotName: 'own',
      namespaceName: warehouse.name,
      namespaceArn: ns(HERE),
      status: 'AVAILABLE',
      snapshotCreateTime: at(4),
    },
    restorable: false,
  },
  {
    mode: 'serverless',
    snapshot: {
      snapshotName: 'copying',
      namespaceName: warehouse.name,
      namespaceArn: ns(WRITER),
      status: 'COPYING',
      snapshotCreateTime: at(5),
    },
    restorable: false,
  },
  {
    mode: 'serverless',
    snapshot: {
      snapshotName: 'other',
      namespaceName: 'another',
      namespaceArn: ns(WRITER),
      status: 'AVAILABLE',
      snapshotCreateTime: at(6),
    },
    restorable: false,
  },
  {
    mode: 'serverless',
    snapshot: {
      snapshotName: 'no-arn',
      namespaceName: warehouse.name,
      status: 'AVAILABLE',
      snapshotCreateTime: at(7),
    },
    restorable: false,
  },
  {
    mode: 'provisioned',
    snapshot: {
      SnapshotIdentifier: 'copy:1',
      Status: 'available',
      SourceRegion: WRITER,
      SnapshotCreateTime: at(2),
    },
    restorable: true,
  },
  {
    mode: 'provisioned',
    snapshot: { SnapshotIdentifier: 'local', Status: 'available', SnapshotCreateTime: at(8) },
    restorable: false,
  },
  {
    mode: 'provisioned',
    snapshot: {
      SnapshotIdentifier: 'creating',
      Status: 'creating',
      SourceRegion: WRITER,
      SnapshotCreateTime: at(9),
    },
    restorable: false,
  },
];

describe('the warehouse snapshot choice (readiness and the restore steps)', () => {
  it('takes only finished copies of the writer’s warehouse, never the standby’s own snapshots', () => {
    for (const c of cases)
      expect([
        c.snapshot.snapshotName ?? c.snapshot.SnapshotIdentifier,
        isRestorableCopy(c.mode, c.snapshot, warehouse),
      ]).toEqual([c.snapshot.snapshotName ?? c.snapshot.SnapshotIdentifier, c.restorable]);
    const serverless = cases.filter((c) => c.mode === 'serverless').map((c) => c.snapshot);
    expect(newestRestorableCopy('serverless', serverless, warehouse)?.snapshotName).toBe('copy');
  });

  it('is the same rule in the runbooks’ Python (generated from it), case by case and for the newest', () => {
    const program = [
      pythonSnapshotChoice(),
      'import json, sys',
      'cases, name, writer = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]',
      'flags = [is_restorable_copy(c["mode"], c["snapshot"], name, writer) for c in cases]',
      'newest = newest_restorable_copy("serverless", [c["snapshot"] for c in cases if c["mode"] == "serverless"], name, writer)',
      'print(json.dumps({"flags": flags, "newest": newest["snapshotName"] if newest else None}))',
    ].join('\n');
    const out = JSON.parse(
      execFileSync('python3', ['-c', program, JSON.stringify(cases), warehouse.name, WRITER], {
        encoding: 'utf8',
      }),
    );
    expect(out).toEqual({ flags: cases.map((c) => c.restorable), newest: 'copy' });
  });
});
