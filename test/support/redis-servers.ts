import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';

/**
 * A real Redis primary and a replica (`replicaof`) on this machine, for tests: two
 * `redis-server` processes on free loopback ports, each with its own directory under a
 * temp dir, no persistence, both requiring the same password (as an ElastiCache group
 * with an AUTH token does). The binary comes from Debian's `redis-server` package;
 * `scripts/redis-test-server.sh` installs it. Stopped with SHUTDOWN NOSAVE, then SIGKILL
 * if they linger; also when the test process exits without afterAll.
 */
export interface RedisServers {
  readonly dir: string;
  readonly password: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** Stops one server (to simulate a cache that does not answer). */
  stopServer(which: 'primary' | 'replica'): Promise<void>;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'Install it with `sudo bash scripts/redis-test-server.sh` (Debian/Ubuntu: `apt-get install -y redis-server`), then run the tests again.';

export function findRedisServer(
  candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    '/usr/bin',
    '/usr/local/bin',
  ],
): string {
  for (const dir of candidates) {
    const file = path.join(dir, 'redis-server');
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`redis-server not found in ${candidates.join(', ')}. ${REDIS_INSTALL_HINT}`);
}

export async function freePort(): Promise<number> {
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

/** Waits until the port accepts connections and answers PING with +PONG (or -NOAUTH...). */
async function waitReady(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('data', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (answered) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the replica has finished its first sync with the primary (INFO replication). */
async function waitLinked(port: number, password: string, timeoutMs: number): Promise<void> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    password,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const deadline = Date.now() + timeoutMs;
    while (!/master_link_status:up/.test(await client.info('replication'))) {
      if (Date.now() > deadline)
        throw new Error(`the replica on ${port} did not sync within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    client.disconnect();
  }
}

export async function startRedisPrimaryAndReplica(): Promise<RedisServers> {
  const binary = findRedisServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-redis-'));
  const password = 'test-auth-token-of-the-cache';
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const processes = new Map<'primary' | 'replica', ChildProcess>();
  const start = (which: 'primary' | 'replica', port: number, extra: string[]) => {
    const home = path.join(dir, which);
    fs.mkdirSync(home);
    const config = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${home}`,
      'save ""',
      'appendonly no',
      `requirepass ${password}`,
      `masterauth ${password}`,
      'daemonize no',
      `logfile ${path.join(home, 'redis.log')}`,
      ...extra,
      '',
    ].join('\n');
    const file = path.join(home, 'redis.conf');
    fs.writeFileSync(file, config);
    const child = spawn(binary, [file], { stdio: 'ignore' });
    processes.set(which, child);
  };
  const stopServer = async (which: 'primary' | 'replica') => {
    const child = processes.get(which);
    processes.delete(which);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const stopAll = () => {
    for (const child of processes.values()) if (child.exitCode === null) child.kill('SIGKILL');
    processes.clear();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    start('primary', primaryPort, []);
    await waitReady(primaryPort, 10_000);
    start('replica', replicaPort, [`replicaof 127.0.0.1 ${primaryPort}`, 'replica-read-only yes']);
    await waitReady(replicaPort, 10_000);
    await waitLinked(replicaPort, password, 15_000);
  } catch (error) {
    stopAll();
    throw error;
  }
  process.once('exit', stopAll);
  return {
    dir,
    password,
    primaryPort,
    replicaPort,
    stopServer,
    stop: async () => {
      process.removeListener('exit', stopAll);
      await Promise.all([stopServer('replica'), stopServer('primary')]);
      stopAll();
    },
  };
}

/** The version line of the binary, for messages. */
export function redisVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}
