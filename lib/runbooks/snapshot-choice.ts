import { SNAPSHOT_CHOICE } from '../../lambda/readiness/snapshot-choice';

/** The generated module that carries the shared snapshot choice (lambda/readiness/snapshot-choice.ts). */
export const SNAPSHOT_CHOICE_MODULE = 'dra_snapshots';

/**
 * The Python module `dra_snapshots`, generated at synth time from the rule the readiness
 * function uses to count copied warehouse snapshots: the restore steps choose the snapshot
 * to restore by the same conditions, so the two cannot drift.
 */
export function pythonSnapshotChoice(): string {
  return [
    '# Generated at synth time by lib/runbooks/snapshot-choice.ts from lambda/readiness/snapshot-choice.ts; do not edit.',
    'import json',
    '',
    // A JSON string literal is a Python string literal too (JSON's true is not Python's True).
    `CHOICE = json.loads(${JSON.stringify(JSON.stringify(SNAPSHOT_CHOICE))})`,
    '',
    '',
    'def _region(value):',
    '    text = value if isinstance(value, str) else ""',
    '    return (text.split(":") + [""] * 4)[3] if text.startswith("arn:") else text',
    '',
    '',
    'def is_restorable_copy(mode, snapshot, name, writer_region):',
    '    """Whether this snapshot (as boto3 returns it) is a restorable copy of the writer\'s warehouse `name`."""',
    '    for c in CHOICE[mode]["conditions"]:',
    '        value = snapshot.get(c["field"])',
    '        if "equals" in c and value != c["equals"]:',
    '            return False',
    '        if "equalsNamespace" in c and value != name:',
    '            return False',
    '        if "inWriterRegion" in c and _region(value) != writer_region:',
    '            return False',
    '        if "present" in c and value is None:',
    '            return False',
    '    return True',
    '',
    '',
    'def created_at(mode, snapshot):',
    '    value = snapshot.get(CHOICE[mode]["createdAt"])',
    '    if hasattr(value, "timestamp"):',
    '        return value.timestamp()',
    '    from datetime import datetime',
    '    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()',
    '',
    '',
    'def newest_restorable_copy(mode, snapshots, name, writer_region):',
    '    """The newest restorable copy, or None."""',
    '    found = [s for s in snapshots if is_restorable_copy(mode, s, name, writer_region)]',
    '    return max(found, key=lambda s: created_at(mode, s)) if found else None',
    '',
  ].join('\n');
}
