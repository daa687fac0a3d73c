import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Marks the zip files this module puts on Python's sys.path, so a loader can take the previous one off. */
const MARK = 'dra-attachment-';

/** Writes an attachment's bytes to a file named after their SHA-256 (once) and returns its path. */
export function attachmentFile(bytes: Uint8Array): string {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const dir = path.join(os.tmpdir(), 'dra-automation-attachments');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${MARK}${sha.slice(0, 24)}.zip`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, bytes);
  return file;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A Python script that runs a step from a zip attachment the way SSM documents it
 * (automation-action-executeScript: Handler `<file>.<function>`): the zip goes on
 * sys.path (zipimport reads it), modules of an earlier attachment are forgotten,
 * and the named function becomes this script's `handler`.
 */
export function attachmentLoader(zipFile: string, handler: string): string {
  const dot = handler.lastIndexOf('.');
  const module = handler.slice(0, dot);
  const fn = handler.slice(dot + 1);
  return [
    'import sys',
    `_zip = ${JSON.stringify(zipFile)}`,
    `for _p in [p for p in sys.path if ${JSON.stringify(MARK)} in p and p != _zip]:`,
    '    sys.path.remove(_p)',
    'for _n, _m in list(sys.modules.items()):',
    `    if ${JSON.stringify(MARK)} in (getattr(_m, "__file__", None) or ""):`,
    '        del sys.modules[_n]',
    'if _zip not in sys.path:',
    '    sys.path.insert(0, _zip)',
    `from ${module} import ${fn} as handler  # noqa: E402`,
    '',
  ].join('\n');
}
