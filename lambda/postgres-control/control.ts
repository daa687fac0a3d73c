/**
 * The PostgreSQL side of a failback that loses nothing: fence the writer, prove the
 * replica has replayed everything up to the fence, unfence. Pure SQL over a minimal
 * query interface (a `pg` Client fits it), so the same code runs against RDS from the
 * Lambda and against real local servers in the tests.
 *
 * Catch-up is proven by WAL position, never by `ReplicaLag`: on RDS for PostgreSQL that
 * metric is `now() - pg_last_xact_replay_timestamp()`, which keeps growing once the
 * writer stops writing, so it never reaches 0 on a fenced writer
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html).
 */

/** What the core needs from a connection: one statement at a time, positional parameters. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Schema and table holding the fence markers (in the database the function connects to). */
export const CONTROL_SCHEMA = 'dra_control';
export const MARKER_TABLE = `${CONTROL_SCHEMA}.fence_marker`;
/** One row, upserted every minute on the writer so that replay never stands still (see `heartbeat`). */
export const HEARTBEAT_TABLE = `${CONTROL_SCHEMA}.heartbeat`;

/**
 * Sessions never terminated by a fence: RDS's own users (the rdsadmin superuser, the
 * replication and topology managers). Superuser sessions are skipped as well, because
 * an rds_superuser may not terminate them.
 */
export const RDS_INTERNAL_USERS = ['rdsadmin', 'rdsrepladmin', 'rdstopmgr', 'rdsproxyadmin'];

/** A failure worded for the operator: what failed, and the fix. */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface StatusResult {
  ok: true;
  inRecovery: boolean;
  /** True when the instance refuses writes: a replica, or every application database fenced. */
  readOnly: boolean;
  /** `pg_current_wal_lsn()` on a writer, `pg_last_wal_replay_lsn()` on a replica. */
  lsn: string;
  /** Application databases (connectable, not templates, not rdsadmin). */
  databases: string[];
  /** Those whose catalog setting `default_transaction_read_only` is on (the fence; it replicates). */
  fencedDatabases: string[];
}

export interface FenceResult {
  ok: true;
  fenced: true;
  markerId: string;
  /** The writer's position after the marker row was committed. */
  lsn: string;
  databases: string[];
  /** Client sessions terminated so that they reconnect read-only. */
  terminatedSessions: number;
}

export interface CatchUpRequest {
  targetLsn: string;
  markerId?: string;
}

export interface CatchUpResult {
  ok: true;
  caughtUp: boolean;
  replayLsn: string;
  targetLsn: string;
  bytesBehind: number;
  markerSeen: boolean;
  replayPaused: boolean;
  /** False once the replica has been promoted; replayLsn is then where recovery ended. */
  inRecovery: boolean;
}

export interface HeartbeatResult {
  ok: true;
  /** True when the heartbeat row was written. */
  written: boolean;
  /** Why nothing was written: a replica refuses writes; a fenced writer must stay quiet. */
  skipped?: 'replica' | 'fenced';
  /** The writer's position after the write. */
  lsn?: string;
}

/** `lastBeat`: the heartbeat this instance holds, without writing anything. */
export interface LastBeatResult {
  ok: true;
  /** True on a replica (the standby), false on a writer or a promoted replica. */
  inRecovery: boolean;
  /**
   * When the newest heartbeat this instance holds was written on the writer (ISO); null
   * when none has reached it yet. On the standby's replica its age is the measured
   * replication lag of PostgreSQL (the canary, lambda/canary).
   */
  beatAt: string | null;
}

export interface UnfenceResult {
  ok: true;
  fenced: false;
  databases: string[];
  lsn: string;
}

/** `0/3000060`: two hexadecimal halves, as PostgreSQL prints a pg_lsn. */
export const LSN_PATTERN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function one<R>(db: Queryable, sql: string, params?: unknown[]): Promise<R> {
  const { rows } = await db.query<R>(sql, params);
  return rows[0] as R;
}

/** The application databases: everything a client can connect to except templates and RDS's own. */
export async function applicationDatabases(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ datname: string }>(
    `SELECT datname FROM pg_database
      WHERE datallowconn AND NOT datistemplate AND datname <> 'rdsadmin'
      ORDER BY datname`,
  );
  return rows.map((r) => r.datname);
}

/** Databases whose database-wide setting (any role) has default_transaction_read_only on. */
async function fencedDatabases(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ datname: string }>(
    `SELECT d.datname
       FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
      WHERE s.setrole = 0 AND 'default_transaction_read_only=on' = ANY (s.setconfig)
      ORDER BY d.datname`,
  );
  return rows.map((r) => r.datname);
}

async function inRecovery(db: Queryable): Promise<boolean> {
  return (await one<{ r: boolean }>(db, 'SELECT pg_is_in_recovery() AS r')).r;
}

/** This session may write even when its database is fenced (the setting is only a default). */
async function writableSession(db: Queryable): Promise<void> {
  await db.query('SET default_transaction_read_only = off');
}

export async function status(db: Queryable): Promise<StatusResult> {
  const row = await one<{ in_recovery: boolean; lsn: string | null }>(
    db,
    `SELECT pg_is_in_recovery() AS in_recovery,
            (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`,
  );
  const databases = await applicationDatabases(db);
  const fenced = await fencedDatabases(db);
  const allFenced = databases.length > 0 && databases.every((d) => fenced.includes(d));
  return {
    ok: true,
    inRecovery: row.in_recovery,
    readOnly: row.in_recovery || allFenced,
    lsn: row.lsn ?? '0/0',
    databases,
    fencedDatabases: fenced.filter((d) => databases.includes(d)),
  };
}

/**
 * Creates the login role the standby's function uses with IAM database authentication
 * (it replicates to the replica with the catalog). Run with the master user on the
 * writer. Grants `rds_iam` (IAM token login) and `rds_superuser` (terminate sessions,
 * change database settings on a promoted replica) when those RDS roles exist.
 * IAM DB auth accounts: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 * rds_superuser: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
 */
export async function ensureControlRole(db: Queryable, role: string): Promise<void> {
  if (await inRecovery(db)) return;
  await writableSession(db);
  const exists = await one<{ n: number }>(db, 'SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [
    role,
  ]);
  if (exists.n === 0) await db.query(`CREATE ROLE ${quoteIdent(role)} LOGIN`);
  const { rows } = await db.query<{ rolname: string }>(
    `SELECT g.rolname FROM pg_roles g
      WHERE g.rolname IN ('rds_iam', 'rds_superuser') AND NOT pg_has_role($1, g.oid, 'MEMBER')`,
    [role],
  );
  for (const { rolname } of rows) await db.query(`GRANT ${quoteIdent(rolname)} TO ${quoteIdent(role)}`);
  await grantDatabaseOwners(db, role);
  await ensureMarkerTable(db, role);
}

/**
 * `ALTER DATABASE ... SET/RESET` (fence, unfence) requires the database's owner or a
 * superuser (https://www.postgresql.org/docs/current/sql-alterdatabase.html), and
 * rds_superuser is not a superuser: the master user is `NOSUPERUSER ... CREATEROLE`
 * (Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html). So the control role is
 * made a member of the owner of every application database; membership carries the
 * owner's rights (https://www.postgresql.org/docs/current/role-membership.html).
 * Owners that are superusers or RDS's own users (rdsadmin) are skipped: nobody but
 * RDS can grant them, and their databases are not the application's. On RDS the
 * `postgres` database is normally owned by the master user (unverified: no AWS page
 * states it), so it is covered by the same rule: the owner is read from pg_database.
 * Run by the master user, which may grant roles it owns (CREATEROLE); on PostgreSQL 16
 * and later that needs ADMIN OPTION on the owner role, which the error below names.
 */
async function grantDatabaseOwners(db: Queryable, role: string): Promise<void> {
  const { rows } = await db.query<{ owner: string; databases: string }>(
    `SELECT o.rolname AS owner, string_agg(d.datname, ', ' ORDER BY d.datname) AS databases
       FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba
      WHERE d.datallowconn AND NOT d.datistemplate AND d.datname <> 'rdsadmin'
        AND NOT o.rolsuper AND o.rolname <> ALL ($2::text[]) AND o.rolname <> $1
        AND NOT pg_has_role($1, o.oid, 'MEMBER')
      GROUP BY o.rolname ORDER BY o.rolname`,
    [role, RDS_INTERNAL_USERS],
  );
  for (const { owner, databases } of rows) {
    try {
      await db.query(`GRANT ${quoteIdent(owner)} TO ${quoteIdent(role)}`);
    } catch (error) {
      throw new ControlError(
        `setup: GRANT ${owner} TO ${role} failed: ${describeFailure(error)}. ${role} must be a member of ${owner}, the owner of ${databases}, to fence and unfence them; run the setup as the master user, or run GRANT ${owner} TO ${role} as a role with ADMIN OPTION on ${owner}.`,
      );
    }
  }
}

async function ensureMarkerTable(db: Queryable, reader?: string): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${CONTROL_SCHEMA}`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       fenced_at timestamptz NOT NULL DEFAULT now(),
       fenced_by text NOT NULL DEFAULT current_user,
       lsn_before pg_lsn NOT NULL,
       databases text[] NOT NULL,
       terminated_sessions integer NOT NULL
     )`,
  );
  if (!reader) return;
  // Granted only when missing: a repeated GRANT rewrites the catalog row (WAL on every status call).
  const granted = await one<{ role: boolean; usage: boolean; select: boolean }>(
    db,
    `SELECT r.oid IS NOT NULL AS role,
            r.oid IS NOT NULL AND has_schema_privilege(r.oid, $2, 'USAGE') AS usage,
            r.oid IS NOT NULL AND has_table_privilege(r.oid, $3, 'SELECT, INSERT') AS select
       FROM (SELECT $1::text AS name) n LEFT JOIN pg_roles r ON r.rolname = n.name`,
    [reader, CONTROL_SCHEMA, MARKER_TABLE],
  );
  if (!granted.role) return;
  if (!granted.usage) await db.query(`GRANT USAGE ON SCHEMA ${CONTROL_SCHEMA} TO ${quoteIdent(reader)}`);
  if (!granted.select) await db.query(`GRANT SELECT, INSERT ON ${MARKER_TABLE} TO ${quoteIdent(reader)}`);
}

function describeFailure(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.message} (SQLSTATE ${e.code})` : String(e.message ?? error);
}

/**
 * Fences the writer: every application database defaults to read-only transactions
 * (a catalog setting new sessions read at connection), every other client session is
 * terminated so it reconnects read-only, then a marker row is written in this session
 * (which turns the default off for itself) and the writer's position after it returned.
 * Idempotent: a second fence changes nothing but writes a fresh marker.
 *
 * Limits: `default_transaction_read_only` is a default, so a client that explicitly runs
 * `SET default_transaction_read_only = off` or `BEGIN READ WRITE` can still write; the
 * fence stops applications that do not, which is what the platform's clients are.
 */
export async function fence(db: Queryable, options: { controlRole?: string } = {}): Promise<FenceResult> {
  if (await inRecovery(db)) {
    throw new ControlError(
      'fence: this instance is a read replica (pg_is_in_recovery() is true) and already refuses writes; fence the writer, in the region the active-region record names.',
    );
  }
  await writableSession(db);
  const databases = await applicationDatabases(db);
  for (const name of databases) {
    try {
      await db.query(`ALTER DATABASE ${quoteIdent(name)} SET default_transaction_read_only = on`);
    } catch (error) {
      throw new ControlError(
        `fence: ALTER DATABASE ${name} SET default_transaction_read_only = on failed: ${describeFailure(error)}. The control user must own the database or be a member of its owner (GRANT <owner> TO <control user>), then run fence again.`,
      );
    }
  }
  // pg_terminate_backend(pid, timeout) waits up to the timeout for the session to exit (PostgreSQL 14+).
  // rds_superuser may terminate any non-superuser session (the rds_superuser page cited above).
  // Targets are chosen first (a materialized CTE), so the planner cannot evaluate the
  // terminate call before the filters that exclude this session and RDS's own.
  const terminated = await db.query<{ pid: number; terminated: boolean }>(
    `WITH targets AS MATERIALIZED (
       SELECT a.pid
         FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
        WHERE a.backend_type = 'client backend'
          AND a.pid <> pg_backend_pid()
          AND a.datname = ANY ($1::text[])
          AND NOT coalesce(r.rolsuper, false)
          AND coalesce(a.usename, '') <> ALL ($2::text[]))
     SELECT pid, pg_terminate_backend(pid, 5000) AS terminated FROM targets`,
    [databases, RDS_INTERNAL_USERS],
  );
  const terminatedSessions = terminated.rows.filter((r) => r.terminated).length;
  const before = await one<{ lsn: string }>(db, 'SELECT pg_current_wal_lsn()::text AS lsn');
  await ensureMarkerTable(db, options.controlRole);
  const marker = await one<{ id: string }>(
    db,
    `INSERT INTO ${MARKER_TABLE} (lsn_before, databases, terminated_sessions)
     VALUES ($1::pg_lsn, $2::text[], $3) RETURNING id::text AS id`,
    [before.lsn, databases, terminatedSessions],
  );
  // The marker's commit is flushed before INSERT returns, so the write position now lies past it.
  const after = await one<{ lsn: string }>(db, 'SELECT pg_current_wal_lsn()::text AS lsn');
  return {
    ok: true,
    fenced: true,
    markerId: marker.id,
    lsn: after.lsn,
    databases,
    terminatedSessions,
  };
}

/**
 * On the replica: has replay reached the writer's position after the fence, and is the
 * marker row visible? Caught up when `pg_wal_lsn_diff(target, pg_last_wal_replay_lsn()) <= 0`.
 * Also answers on a promoted replica (replay position = where recovery ended).
 */
export async function catchUp(db: Queryable, request: CatchUpRequest): Promise<CatchUpResult> {
  const row = await one<{
    in_recovery: boolean;
    replay_lsn: string | null;
    paused: boolean;
    behind: string | null;
  }>(
    db,
    `SELECT pg_is_in_recovery() AS in_recovery,
            pg_last_wal_replay_lsn()::text AS replay_lsn,
            CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused,
            pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text AS behind`,
    [request.targetLsn],
  );
  if (row.replay_lsn === null || row.behind === null) {
    throw new ControlError(
      'catchUp: this instance has no replay position (pg_last_wal_replay_lsn() is null): it is a writer that was never a replica. Run catchUp with the function in the standby region.',
    );
  }
  let markerSeen = false;
  if (request.markerId) {
    const table = await one<{ t: string | null }>(db, 'SELECT to_regclass($1)::text AS t', [MARKER_TABLE]);
    if (table.t !== null) {
      const seen = await one<{ seen: boolean }>(
        db,
        `SELECT EXISTS (SELECT 1 FROM ${MARKER_TABLE} WHERE id = $1::uuid) AS seen`,
        [request.markerId],
      );
      markerSeen = seen.seen;
    }
  }
  const behind = Number(row.behind);
  return {
    ok: true,
    caughtUp: behind <= 0,
    replayLsn: row.replay_lsn,
    targetLsn: request.targetLsn,
    bytesBehind: Math.max(0, behind),
    markerSeen,
    replayPaused: row.paused,
    inRecovery: row.in_recovery,
  };
}

/**
 * Keeps the replica's ReplicaLag meaningful on a quiet writer: on RDS for PostgreSQL
 * ReplicaLag is the time since the last replayed transaction, so it grows whenever the
 * writer commits nothing (RDS user guide, "Monitoring and tuning the replication
 * process", USER_PostgreSQL.Replication.ReadReplicas.Monitor.html), which would make the
 * readiness `rds` check degraded and the failover gate refuse on a quiet night. An
 * EventBridge rule in the writer's region runs this every minute: it upserts one row in
 * `dra_control.heartbeat`. Skipped (ok, nothing written) on a replica, and on a fenced
 * writer: the fence must not be written through (this session may have been made
 * writable by `ensureControlRole`, so the catalog setting is checked, not the session's).
 */
export async function heartbeat(db: Queryable, options: { reader?: string } = {}): Promise<HeartbeatResult> {
  if (await inRecovery(db)) return { ok: true, written: false, skipped: 'replica' };
  const current = await one<{ name: string }>(db, 'SELECT current_database() AS name');
  if ((await fencedDatabases(db)).includes(current.name))
    return { ok: true, written: false, skipped: 'fenced' };
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${CONTROL_SCHEMA}`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${HEARTBEAT_TABLE} (
       id smallint PRIMARY KEY CHECK (id = 1),
       beat_at timestamptz NOT NULL,
       beat_by text NOT NULL DEFAULT current_user
     )`,
  );
  if (options.reader) await grantHeartbeatRead(db, options.reader);
  try {
    await db.query(
      `INSERT INTO ${HEARTBEAT_TABLE} (id, beat_at) VALUES (1, now())
       ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at, beat_by = EXCLUDED.beat_by`,
    );
  } catch (error) {
    // 25006 read_only_sql_transaction: fenced between the check and the write.
    if ((error as { code?: string }).code === '25006') return { ok: true, written: false, skipped: 'fenced' };
    throw error;
  }
  const after = await one<{ lsn: string }>(db, 'SELECT pg_current_wal_lsn()::text AS lsn');
  return { ok: true, written: true, lsn: after.lsn };
}

/**
 * The standby's function reads the heartbeat row on the replica as the control role
 * (IAM login): SELECT is granted to it on the writer, once (a repeated GRANT would write
 * the catalog every minute), and replicates with the table.
 */
async function grantHeartbeatRead(db: Queryable, reader: string): Promise<void> {
  const granted = await one<{ role: boolean; usage: boolean; select: boolean }>(
    db,
    `SELECT r.oid IS NOT NULL AS role,
            r.oid IS NOT NULL AND has_schema_privilege(r.oid, $2, 'USAGE') AS usage,
            r.oid IS NOT NULL AND has_table_privilege(r.oid, $3, 'SELECT') AS select
       FROM (SELECT $1::text AS name) n LEFT JOIN pg_roles r ON r.rolname = n.name`,
    [reader, CONTROL_SCHEMA, HEARTBEAT_TABLE],
  );
  if (!granted.role) return;
  if (!granted.usage) await db.query(`GRANT USAGE ON SCHEMA ${CONTROL_SCHEMA} TO ${quoteIdent(reader)}`);
  if (!granted.select) await db.query(`GRANT SELECT ON ${HEARTBEAT_TABLE} TO ${quoteIdent(reader)}`);
}

/**
 * Reads the heartbeat row and writes nothing, on any instance: on the standby's replica,
 * the write time of the newest beat it has replayed (the PostgreSQL canary); on a
 * promoted replica, the last one replicated before the promotion.
 */
export async function lastBeat(db: Queryable): Promise<LastBeatResult> {
  const recovering = await inRecovery(db);
  const table = await one<{ t: string | null }>(db, 'SELECT to_regclass($1)::text AS t', [HEARTBEAT_TABLE]);
  if (table.t === null) return { ok: true, inRecovery: recovering, beatAt: null };
  const row = await one<{ at: Date | string | null } | undefined>(
    db,
    `SELECT beat_at AS at FROM ${HEARTBEAT_TABLE} WHERE id = 1`,
  );
  const at = row?.at ? (row.at instanceof Date ? row.at : new Date(row.at)).toISOString() : null;
  return { ok: true, inRecovery: recovering, beatAt: at };
}

/**
 * Removes the fence from every database that has it. Needed on a promoted replica too:
 * ALTER DATABASE settings live in pg_db_role_setting, a catalog that streams to the
 * replica with everything else. Idempotent.
 */
export async function unfence(db: Queryable): Promise<UnfenceResult> {
  if (await inRecovery(db)) {
    throw new ControlError(
      'unfence: this instance is a read replica (pg_is_in_recovery() is true); its settings follow the writer. Unfence the writer, or promote this replica first and then unfence it.',
    );
  }
  await writableSession(db);
  const fenced = await fencedDatabases(db);
  for (const name of fenced) {
    try {
      await db.query(`ALTER DATABASE ${quoteIdent(name)} RESET default_transaction_read_only`);
    } catch (error) {
      throw new ControlError(
        `unfence: ALTER DATABASE ${name} RESET default_transaction_read_only failed: ${describeFailure(error)}. The control user must own the database or be a member of its owner, then run unfence again.`,
      );
    }
  }
  const after = await one<{ lsn: string }>(db, 'SELECT pg_current_wal_lsn()::text AS lsn');
  return { ok: true, fenced: false, databases: fenced, lsn: after.lsn };
}
