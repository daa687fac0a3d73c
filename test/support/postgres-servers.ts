import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real PostgreSQL primary and a streaming replica on this machine, for tests: two
 * clusters under a temp dir on two free ports, the replica made with
 * `pg_basebackup -R`. The server binaries come from Debian's `postgresql` package
 * (/usr/lib/postgresql/<major>/bin) or PATH; `scripts/postgres-test-server.sh`
 * installs them. initdb refuses to run as root, so as root the servers run as the
 * `postgres` OS user, in a data directory that user owns.
 */
export interface PostgresServers {
  readonly dir: string;
  readonly binDir: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  stop(): void;
}

export const INSTALL_HINT =
  'Install the server binaries with `sudo bash scripts/postgres-test-server.sh` (Debian/Ubuntu: `apt-get install -y postgresql`), then run the tests again.';

export function findBinDir(debian = '/usr/lib/postgresql', searchPath = process.env.PATH ?? ''): string {
  const candidates: string[] = [];
  if (fs.existsSync(debian)) {
    for (const major of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, major, 'bin'));
  }
  for (const dir of searchPath.split(path.delimiter)) if (dir) candidates.push(dir);
  const found = candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'].every((b) => fs.existsSync(path.join(dir, b))),
  );
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, postgres) not found in /usr/lib/postgresql/*/bin or PATH. ${INSTALL_HINT}`,
    );
  }
  return found;
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

/** Runs a server binary, as the postgres OS user when this process is root. */
function runAs(binDir: string, binary: string, args: string[], timeoutMs = 30000): string {
  const file = path.join(binDir, binary);
  const [command, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
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

export async function startPrimaryAndReplica(): Promise<PostgresServers> {
  const binDir = findBinDir();
  if (isRoot) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `Running as root, but there is no postgres OS user to run the servers as. ${INSTALL_HINT}`,
      );
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-pg-'));
  if (isRoot) execFileSync('chown', ['postgres:', dir]);
  const primary = path.join(dir, 'primary');
  const replica = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stop = () => {
    for (const data of started.reverse()) {
      try {
        runAs(binDir, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], 15000);
      } catch {
        // already stopped
      }
    }
    started.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    runAs(binDir, 'initdb', [
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
        'max_wal_senders = 5',
        'max_connections = 30',
        'shared_buffers = 16MB',
        'fsync = off',
        'wal_receiver_status_interval = 1s',
        '',
      ].join('\n');
    fs.appendFileSync(path.join(primary, 'postgresql.conf'), settings(primaryPort));
    runAs(binDir, 'pg_ctl', ['start', '-D', primary, '-l', path.join(dir, 'primary.log'), '-w', '-t', '20']);
    started.push(primary);
    runAs(binDir, 'pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replica,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
    // The copied postgresql.conf names the primary's port; a later line wins.
    fs.appendFileSync(path.join(replica, 'postgresql.conf'), settings(replicaPort));
    runAs(binDir, 'pg_ctl', ['start', '-D', replica, '-l', path.join(dir, 'replica.log'), '-w', '-t', '20']);
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
