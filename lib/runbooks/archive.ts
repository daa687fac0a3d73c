import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonClassification } from './classification';

/** The folder holding the steps' Python files. */
export const STEPS_DIR = path.join(__dirname, 'steps');

/** One file of a zip archive. */
export interface ArchiveEntry {
  readonly name: string;
  readonly content: string;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive of `entries`, stored (not compressed), with a fixed timestamp, so
 * the same files always give the same bytes and the same SHA-256: the document
 * carries that checksum (its `files` section), so a change of any script is a
 * change of the document's content, and nothing else is.
 */
export function zipArchive(entries: readonly ArchiveEntry[]): Buffer {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1; // 2020-01-01: any fixed date will do
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix (for the file mode), spec 2.0
    central.writeUInt16LE(20, 6); // needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The generated module that carries the shared error classification (lambda/readiness/outcome.ts). */
export const CLASSIFICATION_MODULE = 'dra_outcome';

/** The steps' Python as it is attached to the documents: one zip, named after its checksum. */
export interface StepsArchive {
  /** The attachment's name (the `Attachment` input of every script step and the key of `files`). */
  readonly name: string;
  readonly bytes: Buffer;
  /** Hex SHA-256 of `bytes`, as the document's `files` section gives it. */
  readonly sha256: string;
  /** The Python modules in the archive (file name without `.py`). */
  readonly modules: readonly string[];
}

let cached: StepsArchive | undefined;

/**
 * Every `.py` file of lib/runbooks/steps/ plus the generated classification
 * module, zipped at synth time. SSM runs a script step from the attachment with
 * `Handler: <file>.<function>` (automation-action-executeScript, "Attachment").
 */
export function stepsArchive(): StepsArchive {
  if (cached) return cached;
  const files = fs
    .readdirSync(STEPS_DIR)
    .filter((f) => f.endsWith('.py'))
    .sort();
  const entries: ArchiveEntry[] = [
    ...files.map((f) => ({ name: f, content: fs.readFileSync(path.join(STEPS_DIR, f), 'utf8') })),
    { name: `${CLASSIFICATION_MODULE}.py`, content: pythonClassification() },
  ];
  const bytes = zipArchive(entries);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  cached = {
    name: `dra-runbook-steps-${sha256.slice(0, 16)}.zip`,
    bytes,
    sha256,
    modules: entries.map((e) => e.name.replace(/\.py$/, '')),
  };
  return cached;
}

/** Writes the archive to a file (for the CDK asset that uploads it) and returns its path. */
export function stepsArchiveFile(): string {
  const archive = stepsArchive();
  const dir = path.join(os.tmpdir(), 'dra-runbook-steps');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, archive.name);
  if (!fs.existsSync(file) || fs.statSync(file).size !== archive.bytes.length)
    fs.writeFileSync(file, archive.bytes);
  return file;
}
