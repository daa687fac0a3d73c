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
/** The application roles a fence made NOLOGIN, so that the unfence gives back exactly those logins. */
export const FENCED_LOGIN_TABLE = `${CONTROL_SCHEMA}.fenced_login`;
/**
 * Undoes a fence with the privileges of the master user that created it (SECURITY DEFINER):
 * the standby's function logs in as the control role, which owns no database and, from
 * PostgreSQL 16 on, cannot be made a member of the owner by the master user (see
 * `ensureUnfenceFunction`). It replicates with the catalog, so it is there on a promoted replica.
 */
export const UNFENCE_FUNCTION = `${CONTROL_SCHEMA}.unfence`;
/** Kept in the function's comment; a different version is replaced, the same one left alone (no WAL per call). */
const UNFENCE_FUNCTION_VERSION = 'dra unfence v1';

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
  /** Client sessions ended by this fence (every non-exempt session, not only those of blocked roles). */
  terminatedSessions: number;
  /** Application roles that may not log in until the unfence (this fence's and earlier ones'). */
  blockedLogins: string[];
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
  /** Application roles whose login the fence had blocked and the unfence gave back. */
  restoredLogins: string[];
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
  await ensureMarkerTable(db, role);
  await ensureUnfenceFunction(db, role);
}

/**
 * The unfence as a SECURITY DEFINER function of the master user, callable by the control role
 * only. `ALTER DATABASE ... RESET` needs the database's owner
 * (https://www.postgresql.org/docs/current/sql-alterdatabase.html), and rds_superuser is not a
 * superuser: the master user is `NOSUPERUSER ... CREATEROLE`
 * (Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html). The control role used to be
 * made a member of each database owner (`GRANT <owner> TO dra_control`), but from PostgreSQL 16
 * granting a role needs ADMIN OPTION on it, which the master user has only on roles it created
 * (https://www.postgresql.org/docs/16/release-16.html, "Restrict the privileges of CREATEROLE"),
 * and RDS documents nothing for the owner of the default database. The function runs as its
 * owner, the master user, which owns the databases RDS creates and administers the roles it
 * created: so the unfence works without that grant, on PostgreSQL 14 to 17 alike. It can only
 * undo a fence (reset the read-only default, give back the logins the fence recorded).
 * `search_path` is pinned, as the PostgreSQL docs ask of SECURITY DEFINER functions
 * ("Writing SECURITY DEFINER Functions Safely", sql-createfunction.html).
 */
async function ensureUnfenceFunction(db: Queryable, caller: string): Promise<void> {
  await ensureFencedLoginTable(db);
  const current = await one<{
    version: string | null;
    owner_is_me: boolean | null;
    callable: boolean | null;
  }>(
    db,
    `SELECT obj_description(p.oid, 'pg_proc') AS version,
            p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS owner_is_me,
            has_function_privilege($2, p.oid, 'EXECUTE') AS callable
       FROM (SELECT to_regprocedure($1) AS oid) f LEFT JOIN pg_proc p ON p.oid = f.oid`,
    [`${UNFENCE_FUNCTION}()`, caller],
  );
  if (current.version === UNFENCE_FUNCTION_VERSION && current.owner_is_me && current.callable) return;
  await db.query(
    `CREATE OR REPLACE FUNCTION ${UNFENCE_FUNCTION}()
       RETURNS TABLE (kind text, name text)
       LANGUAGE plpgsql SECURITY DEFINER
       SET search_path = pg_catalog, pg_temp
     AS $fn$
     DECLARE
       d record;
       r record;
     BEGIN
       FOR d IN
         SELECT db.datname FROM pg_db_role_setting s JOIN pg_database db ON db.oid = s.setdatabase
          WHERE s.setrole = 0 AND 'default_transaction_read_only=on' = ANY (s.setconfig)
          ORDER BY db.datname
       LOOP
         EXECUTE format('ALTER DATABASE %I RESET default_transaction_read_only', d.datname);
         kind := 'database'; name := d.datname; RETURN NEXT;
       END LOOP;
       FOR r IN SELECT f.role FROM ${FENCED_LOGIN_TABLE} f ORDER BY f.role LOOP
         IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.role) THEN
           EXECUTE format('ALTER ROLE %I LOGIN', r.role);
           kind := 'login'; name := r.role; RETURN NEXT;
         END IF;
         DELETE FROM ${FENCED_LOGIN_TABLE} WHERE role = r.role;
       END LOOP;
     END
     $fn$`,
  );
  await db.query(`COMMENT ON FUNCTION ${UNFENCE_FUNCTION}() IS '${UNFENCE_FUNCTION_VERSION}'`);
  await db.query(`REVOKE ALL ON FUNCTION ${UNFENCE_FUNCTION}() FROM PUBLIC`);
  await db.query(`GRANT USAGE ON SCHEMA ${CONTROL_SCHEMA} TO ${quoteIdent(caller)}`);
  await db.query(`GRANT EXECUTE ON FUNCTION ${UNFENCE_FUNCTION}() TO ${quoteIdent(caller)}`);
}

async function ensureFencedLoginTable(db: Queryable): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${CONTROL_SCHEMA}`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${FENCED_LOGIN_TABLE} (
       role name PRIMARY KEY,
       fenced_at timestamptz NOT NULL DEFAULT now(),
       fenced_by text NOT NULL DEFAULT current_user
     )`,
  );
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
 * Roles a fence never blocks: the session user (the master user runs the fence and keeps its
 * login to report and unfence), the control role (the standby's function), superusers and
 * replication roles (RDS's own), RDS's internal users, and members of rds_superuser (database
 * administrators: AWS recommends the role only for them, Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html).
 * Every other role that can log in is an application role.
 */
const APPLICATION_ROLES = `
  SELECT r.rolname FROM pg_roles r
   WHERE r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolreplication
     AND r.rolname <> ALL ($1::text[])
     AND r.rolname <> session_user AND r.rolname <> coalesce($2, '')
     AND NOT EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = 'rds_superuser' AND pg_has_role(r.oid, a.oid, 'MEMBER'))
   ORDER BY r.rolname`;

/** Client sessions a fence ends: every other session in an application database but superusers' and RDS's own. */
const SESSIONS_TO_END = `
  SELECT a.pid, coalesce(a.usename, '') AS usename, a.datname, coalesce(a.application_name, '') AS app
    FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
   WHERE a.backend_type = 'client backend'
     AND a.pid <> pg_backend_pid()
     AND a.datname = ANY ($1::text[])
     AND NOT coalesce(r.rolsuper, false)
     AND coalesce(a.usename, '') <> ALL ($2::text[])`;

interface Session {
  pid: number;
  usename: string;
  datname: string;
  app: string;
}

/**
 * Fences the writer, in this order:
 * 1. every application database defaults to read-only transactions (a catalog setting new
 *    sessions read at connection);
 * 2. every application role is made NOLOGIN (recorded in `dra_control.fenced_login`, so the
 *    unfence gives back exactly those logins): `default_transaction_read_only` is only a
 *    default, and a session can turn it off (`SET default_transaction_read_only = off`,
 *    `BEGIN READ WRITE`), so no application session may start again until the unfence;
 * 3. every other client session is terminated, then `pg_stat_activity` is read again until
 *    none of them (and no session of a blocked role) is left: `pg_terminate_backend` only
 *    signals, and answers false or times out for a backend that does not exit, so its answer
 *    is not counted as proof. The fence fails, naming them, while any remain;
 * 4. a marker row is written in this session (which turns the default off for itself) and
 *    the writer's position after it is returned.
 * Idempotent: a second fence blocks any application role created since, ends what is
 * connected and writes a fresh marker.
 *
 * Sessions of exempt roles (the master user, administrators) are ended too but may connect
 * again, read-only by default; an application that connects as the master user is therefore
 * not stopped from writing. Give applications their own roles.
 */
export async function fence(
  db: Queryable,
  options: { controlRole?: string; settleMs?: number } = {},
): Promise<FenceResult> {
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
        `fence: ALTER DATABASE ${name} SET default_transaction_read_only = on failed: ${describeFailure(error)}. ${await ownerFix(db, name)} Then run fence again.`,
      );
    }
  }
  await canSeeSessions(db, databases);
  const blockedLogins = await blockLogins(db, options.controlRole);
  // pg_terminate_backend(pid, timeout) waits up to the timeout for the session to exit (PostgreSQL 14+).
  // rds_superuser may terminate any non-superuser session (the rds_superuser page cited above).
  // Targets are chosen first (a materialized CTE), so the planner cannot evaluate the
  // terminate call before the filters that exclude this session and RDS's own.
  const targets = await db.query<Session & { terminated: boolean }>(
    `WITH targets AS MATERIALIZED (${SESSIONS_TO_END})
     SELECT pid, usename, datname, app, pg_terminate_backend(pid, 5000) AS terminated FROM targets`,
    [databases, RDS_INTERNAL_USERS],
  );
  await untilEnded(
    db,
    databases,
    targets.rows.map((t) => t.pid),
    blockedLogins,
    options.settleMs ?? 10_000,
  );
  const terminatedSessions = targets.rows.length;
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
    blockedLogins,
  };
}

/**
 * pg_stat_activity hides the backend type (and state and query) of other roles' sessions from
 * a role without pg_read_all_stats, so the fence would select none of them and end nothing.
 * On RDS, rds_superuser may see every connection in pg_stat_activity and end any
 * (Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html); a fence run by a role that
 * cannot fails here instead of reporting sessions ended that it never saw.
 */
async function canSeeSessions(db: Queryable, databases: string[]): Promise<void> {
  const hidden = await one<{ n: number; users: string | null }>(
    db,
    `SELECT count(*)::int AS n, string_agg(DISTINCT usename, ', ') AS users FROM pg_stat_activity
      WHERE backend_type IS NULL AND pid <> pg_backend_pid() AND datname = ANY ($1::text[])`,
    [databases],
  );
  if (hidden.n === 0) return;
  throw new ControlError(
    `fence: ${hidden.n} session${hidden.n === 1 ? '' : 's'} of ${hidden.users ?? 'other roles'} cannot be inspected by this role (pg_stat_activity hides their backend type without pg_read_all_stats), so they could not be ended. The databases are read-only for new sessions. Run the fence as the master user (a member of rds_superuser), or GRANT pg_read_all_stats TO the role that runs it, then run fence again.`,
  );
}

/** Why the session user may not alter this database, and the fix. */
async function ownerFix(db: Queryable, database: string): Promise<string> {
  const row = await one<{ owner: string; me: string } | undefined>(
    db,
    `SELECT o.rolname AS owner, session_user AS me
       FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba WHERE d.datname = $1`,
    [database],
  );
  if (!row) return 'The database is gone; run the action again.';
  return `The owner of ${database} is ${row.owner}: ALTER DATABASE needs the owner (or a member of it), and ${row.me} is neither. Make the master user its owner (run ALTER DATABASE ${database} OWNER TO ${row.me} as ${row.owner} or a superuser), or on PostgreSQL 15 and earlier GRANT ${row.owner} TO ${row.me}.`;
}

/**
 * Makes every application role NOLOGIN, recording each before changing it (in one
 * transaction per role), so that the unfence restores exactly the logins the fence took;
 * returns every role the fences recorded. ALTER ROLE needs CREATEROLE and, from PostgreSQL 16
 * on, ADMIN OPTION on the role (the master user has it on the roles it created).
 */
async function blockLogins(db: Queryable, controlRole: string | undefined): Promise<string[]> {
  await ensureFencedLoginTable(db);
  const { rows } = await db.query<{ rolname: string }>(APPLICATION_ROLES, [
    RDS_INTERNAL_USERS,
    controlRole ?? null,
  ]);
  for (const { rolname } of rows) {
    try {
      await db.query('BEGIN');
      await db.query(`INSERT INTO ${FENCED_LOGIN_TABLE} (role) VALUES ($1) ON CONFLICT (role) DO NOTHING`, [
        rolname,
      ]);
      await db.query(`ALTER ROLE ${quoteIdent(rolname)} NOLOGIN`);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw new ControlError(
        `fence: ALTER ROLE ${rolname} NOLOGIN failed: ${describeFailure(error)}. The databases are read-only for new sessions, but ${rolname} could log in and turn that off. The master user needs CREATEROLE and, on PostgreSQL 16 and later, ADMIN OPTION on ${rolname} (it has it on the roles it created): run GRANT ${rolname} TO <master user> WITH ADMIN OPTION as a role that has it, or make ${rolname} an administrator (GRANT rds_superuser TO ${rolname}) if it is not an application. Then run fence again.`,
      );
    }
  }
  const recorded = await db.query<{ role: string }>(
    `SELECT role::text AS role FROM ${FENCED_LOGIN_TABLE} ORDER BY role`,
  );
  return recorded.rows.map((r) => r.role);
}

/** Re-reads pg_stat_activity until no targeted session and no session of a blocked role is left, or fails naming them. */
async function untilEnded(
  db: Queryable,
  databases: string[],
  targeted: number[],
  blocked: string[],
  settleMs: number,
): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const { rows } = await db.query<Session>(
      `SELECT * FROM (${SESSIONS_TO_END}) s WHERE s.pid = ANY ($3::int[]) OR s.usename = ANY ($4::text[]) ORDER BY s.pid`,
      [databases, RDS_INTERNAL_USERS, targeted, blocked],
    );
    if (rows.length === 0) return;
    if (Date.now() >= deadline) {
      const list = rows
        .map((r) => `pid ${r.pid} (${r.usename}@${r.datname}${r.app ? `, ${r.app}` : ''})`)
        .join(', ');
      throw new ControlError(
        `fence: ${rows.length} session${rows.length === 1 ? '' : 's'} still connected ${Math.round(settleMs / 1000)} s after pg_terminate_backend: ${list}. The databases are read-only for new sessions and application roles cannot log in, but these sessions can still write. End them (SELECT pg_terminate_backend(<pid>) as the master user; check pg_stat_activity.wait_event for what holds them), then run fence again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
 * Removes the fence: resets the read-only default of every database that has it and gives
 * back the logins the fence blocked (and only those). Needed on a promoted replica too: both
 * live in the catalog (pg_db_role_setting, pg_authid), which streams to the replica with
 * everything else. Runs through the master user's SECURITY DEFINER function when the setup
 * created it (`ensureUnfenceFunction`), so the control role, which owns no database, can
 * unfence in the standby region; otherwise directly. Idempotent.
 */
export async function unfence(db: Queryable): Promise<UnfenceResult> {
  if (await inRecovery(db)) {
    throw new ControlError(
      'unfence: this instance is a read replica (pg_is_in_recovery() is true); its settings follow the writer. Unfence the writer, or promote this replica first and then unfence it.',
    );
  }
  await writableSession(db);
  const present = await one<{ fn: string | null }>(db, 'SELECT to_regprocedure($1)::text AS fn', [
    `${UNFENCE_FUNCTION}()`,
  ]);
  let undone: { kind: string; name: string }[];
  if (present.fn !== null) {
    try {
      undone = (
        await db.query<{ kind: string; name: string }>(`SELECT kind, name FROM ${UNFENCE_FUNCTION}()`)
      ).rows;
    } catch (error) {
      throw new ControlError(
        `unfence: ${UNFENCE_FUNCTION}() failed: ${describeFailure(error)}. It runs as the master user that created it; the master user must own each fenced database and may change the application roles' LOGIN (on PostgreSQL 16 and later ADMIN OPTION on them). Fix that and run unfence again.`,
      );
    }
  } else {
    undone = [];
    for (const name of await fencedDatabases(db)) {
      try {
        await db.query(`ALTER DATABASE ${quoteIdent(name)} RESET default_transaction_read_only`);
      } catch (error) {
        throw new ControlError(
          `unfence: ALTER DATABASE ${name} RESET default_transaction_read_only failed: ${describeFailure(error)}. The setup (${UNFENCE_FUNCTION}) has not run on this instance: invoke the writer's control function with {"action":"status"} once, or unfence as the database's owner.`,
        );
      }
      undone.push({ kind: 'database', name });
    }
  }
  const after = await one<{ lsn: string }>(db, 'SELECT pg_current_wal_lsn()::text AS lsn');
  return {
    ok: true,
    fenced: false,
    databases: undone.filter((u) => u.kind === 'database').map((u) => u.name),
    restoredLogins: undone.filter((u) => u.kind === 'login').map((u) => u.name),
    lsn: after.lsn,
  };
}
