import * as net from 'node:net';
import { classifyCanaryError } from '../../lambda/canary/classify';
import { connectCache } from '../../lambda/canary/handler';
import { cacheProbe } from '../../lambda/canary/probes';
import {
  findRedisServer,
  freePort,
  REDIS_INSTALL_HINT,
  type RedisServers,
  startRedisPrimaryAndReplica,
} from '../support/redis-servers';

/**
 * The cache canary against a real Redis primary and a real replica (`replicaof`) started
 * on this machine (test/support/redis-servers.ts): written on the primary as the writer's
 * side does on the Global Datastore's primary, read on the replica as the standby's side
 * does on its secondary, through the same client code the function runs (TLS off: the
 * local servers have none).
 */
describe('cache canary against a real Redis primary and replica', () => {
  let servers: RedisServers | undefined;
  const KEY = 'dra:canary';
  const connect =
    (port: number, password = servers!.password, timeoutMs = 2000) =>
    () =>
      connectCache({ host: '127.0.0.1', port, password, tls: false, timeoutMs });

  beforeAll(async () => {
    servers = await startRedisPrimaryAndReplica();
  }, 30_000);
  afterAll(async () => {
    await servers?.stop();
  });

  async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('writes on the primary, reads the replicated canary on the replica, with the write time', async () => {
    const writer = cacheProbe(connect(servers!.primaryPort), KEY, 'us-east-1');
    const reader = cacheProbe(connect(servers!.replicaPort), KEY, 'us-west-2');
    const now = new Date();
    try {
      expect(await writer.write(now)).toBeUndefined();
      const seen = await until(
        () => reader.read(),
        (r) => r?.writtenAt.getTime() === now.getTime(),
      );
      expect(seen?.writtenAt.toISOString()).toBe(now.toISOString());
    } finally {
      await writer.close?.();
      await reader.close?.();
    }
  });

  it('the canary key expires (it is rewritten every minute, never accumulates)', async () => {
    const writer = cacheProbe(connect(servers!.primaryPort), KEY, 'us-east-1');
    const raw = await connect(servers!.primaryPort)();
    try {
      await writer.write(new Date());
      const ttl = await (raw as unknown as { ttl(key: string): Promise<number> }).ttl(KEY);
      expect(ttl).toBeGreaterThan(86_000);
      expect(ttl).toBeLessThanOrEqual(86_400);
    } finally {
      await writer.close?.();
      await raw.quit();
    }
  });

  it('a write on the read-only replica is rejected by the store (READONLY): data-plane evidence', async () => {
    const probe = cacheProbe(connect(servers!.replicaPort), KEY, 'us-west-2');
    try {
      const error = await probe.write(new Date()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(classifyCanaryError(error)).toMatchObject({
        outcome: 'rejected',
        detail: expect.stringMatching(/READONLY/),
      });
    } finally {
      await probe.close?.();
    }
  });

  it('a wrong AUTH token is the canary being denied, never an outage', async () => {
    const probe = cacheProbe(connect(servers!.primaryPort, 'not-the-token'), KEY, 'us-east-1');
    const error = await probe.write(new Date()).then(
      () => undefined,
      (e: unknown) => e,
    );
    await probe.close?.();
    expect(classifyCanaryError(error)).toMatchObject({
      outcome: 'denied',
      detail: expect.stringMatching(/WRONGPASS/),
    });
  });

  it('a cache that accepts connections but never answers times out: unreachable, within the time given', async () => {
    // A listener that accepts and stays silent, as a cache behind a broken network path would.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const probe = cacheProbe(connect(port, 'x', 300), KEY, 'us-east-1');
    try {
      const started = Date.now();
      const error = await probe.write(new Date()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(classifyCanaryError(error).outcome).toBe('unreachable');
    } finally {
      await probe.close?.();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a stopped cache refuses the connection: unreachable', async () => {
    await servers!.stopServer('replica');
    const probe = cacheProbe(connect(servers!.replicaPort), KEY, 'us-west-2');
    const error = await probe.read().then(
      () => undefined,
      (e: unknown) => e,
    );
    await probe.close?.();
    expect(classifyCanaryError(error)).toMatchObject({
      outcome: 'unreachable',
      detail: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe('the Redis test support', () => {
  it('fails (does not skip) without redis-server, saying how to install it', () => {
    expect(() => findRedisServer(['/nonexistent'])).toThrow(
      /redis-server not found in \/nonexistent\. Install it with `sudo bash scripts\/redis-test-server\.sh`/,
    );
    expect(REDIS_INSTALL_HINT).toMatch(/apt-get install -y redis-server/);
  });
});
