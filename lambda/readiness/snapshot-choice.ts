/**
 * Which warehouse snapshot in the standby region counts as a restorable copy of the
 * writer's: one rule for the readiness `redshift` check (the age of the newest such copy is
 * the warehouse's RPO) and for the switch runbooks' restore steps (which copy they restore),
 * so readiness cannot report fresh copies the restore would not take, or the other way round.
 * The runbooks' Python reads the same conditions, generated at synth time
 * (lib/runbooks/snapshot-choice.ts, module `dra_snapshots`).
 *
 * Redshift Serverless (`ListSnapshots`, Snapshot shape of client-redshift-serverless): the
 * standby's own namespace has the writer's name, so the name alone also matches the
 * standby's own snapshots (an older generation's, or the one a failback keeps before it
 * restores over the namespace); a copy is told apart by its `namespaceArn`, which names the
 * source namespace, in the writer's region (unverified: no AWS page describes the ARN a copied
 * snapshot carries; docs/unverified.md). If it named the destination instead, no snapshot
 * would match: readiness would report no copy and the restore would refuse, loudly, rather
 * than restore the standby's own data.
 *
 * Provisioned clusters (`DescribeClusterSnapshots`): a copy carries `SourceRegion`, the
 * region it was copied from (Redshift API reference, Snapshot).
 */

/** One condition on a field of a snapshot as the SDK (or boto3) returns it. */
export type SnapshotCondition =
  | { readonly field: string; readonly equals: string }
  | { readonly field: string; readonly equalsNamespace: true }
  | { readonly field: string; readonly inWriterRegion: true }
  | { readonly field: string; readonly present: true };

/** The rule, as data: the TypeScript and the generated Python evaluate the same list. */
export const SNAPSHOT_CHOICE = {
  serverless: {
    conditions: [
      // Only a finished copy can be restored (SnapshotStatus: AVAILABLE, CREATING, COPYING...).
      { field: 'status', equals: 'AVAILABLE' },
      { field: 'namespaceName', equalsNamespace: true },
      { field: 'namespaceArn', inWriterRegion: true },
      { field: 'snapshotCreateTime', present: true },
    ],
    createdAt: 'snapshotCreateTime',
    name: 'snapshotName',
  },
  provisioned: {
    conditions: [
      { field: 'Status', equals: 'available' },
      { field: 'SourceRegion', inWriterRegion: true },
      { field: 'SnapshotCreateTime', present: true },
    ],
    createdAt: 'SnapshotCreateTime',
    name: 'SnapshotIdentifier',
  },
} as const satisfies Record<
  'serverless' | 'provisioned',
  { conditions: readonly SnapshotCondition[]; createdAt: string; name: string }
>;

export type WarehouseMode = keyof typeof SNAPSHOT_CHOICE;

/** The region of an ARN (`arn:partition:service:region:...`), or the value itself when it is a region. */
function regionOf(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return text.startsWith('arn:') ? (text.split(':')[3] ?? '') : text;
}

/** Whether this snapshot is a restorable copy of the writer's warehouse `name`, by the shared rule. */
export function isRestorableCopy(
  mode: WarehouseMode,
  snapshot: object,
  warehouse: { readonly name: string; readonly writerRegion: string },
): boolean {
  const fields = snapshot as Record<string, unknown>;
  return SNAPSHOT_CHOICE[mode].conditions.every((c: SnapshotCondition) => {
    const value = fields[c.field];
    if ('equals' in c) return value === c.equals;
    if ('equalsNamespace' in c) return value === warehouse.name;
    if ('inWriterRegion' in c) return regionOf(value) === warehouse.writerRegion;
    return value !== undefined && value !== null;
  });
}

/** The newest of the restorable copies, or undefined. */
export function newestRestorableCopy<T extends object>(
  mode: WarehouseMode,
  snapshots: readonly T[],
  warehouse: { readonly name: string; readonly writerRegion: string },
): T | undefined {
  const at = (s: T) =>
    new Date((s as Record<string, unknown>)[SNAPSHOT_CHOICE[mode].createdAt] as Date).getTime();
  return snapshots
    .filter((s) => isRestorableCopy(mode, s, warehouse))
    .reduce<T | undefined>((best, s) => (best === undefined || at(s) > at(best) ? s : best), undefined);
}
