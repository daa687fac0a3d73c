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

  // Each test's sessions end with it: the primary allows 30 connections, fewer than the
  // whole suite opens.
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

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

  it('creates the IAM login role once, with rds_iam and rds_superuser only (no membership in a database owner), and it replicates', async () => {
    await ensureControlRole(asQueryable(await primary()), 'dra_control'); // again: idempotent
    const { rows } = await (await primary()).query(
      `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        WHERE m.member = 'dra_control'::regrole ORDER BY 1`,
    );
    expect(rows.map((r) => r.rolname)).toEqual(['rds_iam', 'rds_superuser']);
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

  it('fences: existing sessions end, application roles cannot log in again, exempt sessions start read-only (25006), the replica catches up by LSN and sees the marker', async () => {
    const app = await primary('app', 'app');
    for (let i = 0; i < 50; i += 1)
      await app.query('INSERT INTO orders (note) VALUES ($1)', [`before fence ${i}`]);
    const existing = await primary('app', 'app'); // connected before the fence

    const fenced = await fence(asQueryable(await primary()), { controlRole: 'dra_control' });
    expect(fenced).toMatchObject({ ok: true, fenced: true, databases: ['app', 'postgres'] });
    expect(fenced.markerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fenced.terminatedSessions).toBeGreaterThanOrEqual(2); // app and existing
    // The application role may not log in until the unfence; the control role may.
    expect(fenced.blockedLogins).toEqual(['app']);

    // The existing session was terminated (FATAL 57P01 admin_shutdown) and cannot come back:
    // a session could otherwise turn the read-only default off (SET default_transaction_read_only = off).
    expect(await sqlstate(existing.query("INSERT INTO orders (note) VALUES ('old session')"))).toBeDefined();
    expect(asyncErrors.get(existing)).toBe('57P01');
    expect(await sqlstate(primary('app', 'app'))).toBe('28000'); // role "app" is not permitted to log in
    // An exempt role (here the superuser playing the master user) still starts read-only.
    const reconnected = await primary('postgres', 'app');
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

  it('unfence restores writes and the logins it blocked, never one that was blocked before, and is idempotent', async () => {
    const db = asQueryable(await primary());
    const result = await unfence(db);
    expect(result).toMatchObject({
      ok: true,
      fenced: false,
      databases: ['app', 'postgres'],
      restoredLogins: ['app'],
    });
    const app = await primary('app', 'app');
    await app.query("INSERT INTO orders (note) VALUES ('after unfence')");
    expect(await status(db)).toMatchObject({ readOnly: false, fencedDatabases: [] });
    expect(await unfence(db)).toMatchObject({ ok: true, databases: [], restoredLogins: [] });

    // A role that could not log in before a fence is not given a login by its unfence.
    const admin = await primary();
    await admin.query('CREATE ROLE batch NOLOGIN');
    await fence(db, { controlRole: 'dra_control' });
    await unfence(db);
    const { rows } = await admin.query(
      "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('app', 'batch') ORDER BY 1",
    );
    expect(rows).toEqual([
      { rolname: 'app', rolcanlogin: true },
      { rolname: 'batch', rolcanlogin: false },
    ]);
  });

  it('fails, naming them, while sessions it asked to end are still there after terminating (the fence is not advisory)', async () => {
    const app = await primary('app', 'app');
    await app.query('SELECT 1');
    const pid = (await app.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    // pg_terminate_backend answers false or times out for a backend that does not exit: here it
    // is kept from reaching the session at all, so the real session stays connected.
    const admin = asQueryable(await primary());
    const stubborn: Queryable = {
      query: (sql, params) => admin.query(sql.replace(/pg_terminate_backend\([^)]*\)/g, 'false'), params),
    };
    await expect(fence(stubborn, { controlRole: 'dra_control', settleMs: 300 })).rejects.toThrow(
      new RegExp(`fence: 1 session.* still connected.*pid ${pid} \\(app@app`),
    );
    expect((await app.query('SELECT 1 AS one')).rows[0].one).toBe(1); // it really is still there
    // Once it can be ended, fence succeeds; unfence puts everything back for the next tests.
    expect(await fence(admin, { controlRole: 'dra_control' })).toMatchObject({ ok: true, fenced: true });
    await unfence(admin);
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
    // The blocked logins replicate too.
    expect(await sqlstate(replica('app', 'app'))).toBe('28000');
    const reader = await replica('postgres', 'app');
    expect(await sqlstate(reader.query("INSERT INTO orders (note) VALUES ('on the promoted replica')"))).toBe(
      '25006',
    );
    // The standby's function unfences as the control role (IAM login), which owns no database:
    // through the function the master user set up on the writer, which replicated.
    const control = asQueryable(await replica('dra_control'));
    expect(await unfence(control)).toMatchObject({
      ok: true,
      databases: ['app', 'postgres'],
      restoredLogins: ['app'],
    });
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
    // rds_superuser sees every connection in pg_stat_activity and may end any, as on RDS (the rds_superuser page).
    await bootstrap.query('GRANT pg_read_all_stats, pg_signal_backend TO rds_superuser');
    await bootstrap.query('CREATE DATABASE analytics OWNER master');
    await bootstrap.query('ALTER DATABASE postgres OWNER TO master');
    // An application role, created by the master user as on RDS.
    const master = await connect('master', 'analytics');
    await master.query('CREATE ROLE shop LOGIN');
  }, 30000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    servers?.stop();
  });

  it('sets up without GRANT <owner> TO dra_control (PostgreSQL 16+ refuses it to the master user), fences as the master user and unfences as dra_control', async () => {
    // PostgreSQL 16 and later: granting membership in a role needs ADMIN OPTION on it, which the
    // master user has only on roles it created; RDS documents nothing for the owner of the
    // default database. Refused here as PostgreSQL 16 refuses it (SQLSTATE 42501).
    const master = asQueryable(await connect('master', 'analytics'));
    const asOn16: Queryable = {
      query: (sql, params) => {
        const grant = /^GRANT "([^"]+)" TO "dra_control"$/.exec(sql.trim());
        if (grant && !['rds_iam', 'rds_superuser'].includes(grant[1])) {
          const refused = Object.assign(new Error(`permission denied to grant role "${grant[1]}"`), {
            code: '42501',
          });
          return Promise.reject(refused);
        }
        return master.query(sql, params);
      },
    };
    await ensureControlRole(asOn16, 'dra_control');
    await ensureControlRole(asOn16, 'dra_control'); // idempotent
    const members = await master.query<{ rolname: string }>(
      `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        WHERE m.member = 'dra_control'::regrole ORDER BY 1`,
    );
    expect(members.rows.map((r) => r.rolname)).toEqual(['rds_iam', 'rds_superuser']);

    const shop = await connect('shop', 'analytics'); // an application session
    const fenced = await fence(asOn16, { controlRole: 'dra_control' });
    expect(fenced).toMatchObject({
      ok: true,
      fenced: true,
      databases: ['analytics', 'postgres'],
      blockedLogins: ['shop'],
    });
    expect(fenced.terminatedSessions).toBeGreaterThanOrEqual(1);
    await expect(shop.query('SELECT 1')).rejects.toBeDefined();
    await expect(connect('shop', 'analytics')).rejects.toMatchObject({ code: '28000' });
    const masterSession = await connect('master', 'analytics');
    await expect(masterSession.query('CREATE TABLE t (id int)')).rejects.toMatchObject({ code: '25006' });

    // dra_control owns nothing and is a member of no owner: it unfences through the master's function.
    const control = asQueryable(await connect('dra_control', 'analytics'));
    const role = (
      await control.query<{ super: boolean }>(
        'SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user',
      )
    ).rows[0];
    expect(role.super).toBe(false);
    const unfenced = await unfence(control);
    expect(unfenced).toMatchObject({
      ok: true,
      fenced: false,
      databases: ['analytics', 'postgres'],
      restoredLogins: ['shop'],
    });
    expect(await status(control)).toMatchObject({ readOnly: false, fencedDatabases: [] });
    await (await connect('master', 'analytics')).query('CREATE TABLE t (id int)');
    await (await connect('shop', 'analytics')).query('SELECT 1');
  });

  it('names the statement and the fix when the master user may not change a database or see the sessions', async () => {
    const bootstrap = await connect('postgres', 'postgres');
    // A role that cannot see other roles' sessions would end none of them: the fence refuses.
    await bootstrap.query('REVOKE pg_read_all_stats FROM rds_superuser');
    const shop = await connect('shop', 'analytics');
    try {
      await expect(
        fence(asQueryable(await connect('master', 'analytics')), { controlRole: 'dra_control' }),
      ).rejects.toThrow(/sessions? of [^.]*shop[^.]* cannot be inspected .*GRANT pg_read_all_stats/);
      expect((await shop.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await bootstrap.query('GRANT pg_read_all_stats TO rds_superuser');
      await unfence(asQueryable(await connect('master', 'analytics')));
    }

    await bootstrap.query('CREATE ROLE other_owner NOLOGIN');
    await bootstrap.query('CREATE DATABASE foreign_db OWNER other_owner');
    try {
      await expect(
        fence(asQueryable(await connect('master', 'analytics')), { controlRole: 'dra_control' }),
      ).rejects.toThrow(
        /ALTER DATABASE foreign_db SET default_transaction_read_only = on failed: .*42501.*owner of foreign_db is other_owner.*ALTER DATABASE foreign_db OWNER TO master/,
      );
    } finally {
      await unfence(asQueryable(await connect('master', 'analytics')));
      await bootstrap.query('DROP DATABASE foreign_db');
    }
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
