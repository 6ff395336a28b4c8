/** Opens the database named by DATABASE_URL: a SQLite file by default, PostgreSQL for `postgres://…`. */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type Driver,
  Kysely,
  type PostgresDialectConfig,
  PostgresDriver,
  SqliteDialect,
  type SqliteDialectConfig,
} from 'kysely';
import type pg from 'pg';
import type { Dialect } from './migrations/helpers.ts';
import { OwnSchemaPostgresDialect } from './pg-introspector.ts';
import type { Database } from './schema.ts';

export type { Dialect };

export interface DbHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** For logs and /healthz: the file path, or the PostgreSQL host and database (never the password). */
  description: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (tests give each run its own). */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
  /** SQLite only: milliseconds to wait for another writer's lock before failing. */
  busyTimeoutMs?: number;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * The PostgreSQL driver, loaded only when a postgres:// URL is opened: a SQLite deployment never
 * needs it, and loading it cost every start time and memory (BENCHMARKS.md, start-up).
 */
let pgModule: typeof pg | undefined;
function loadPg(): typeof pg {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg;
    // pg returns int8 (count(*), sums) as strings; every count we read fits a JS number.
    pgModule.types.setTypeParser(20, (v) => Number(v));
  }
  return pgModule;
}

export function openDatabase(url: string, options: OpenOptions = {}): DbHandle {
  if (isPostgresUrl(url)) {
    const pool = new (loadPg().Pool)({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // When the server ends a connection (restart, failover, pg_terminate_backend) pg emits 'error' on
    // the pool or the client; unheard, that is an uncaught exception that kills the bot. The query in
    // flight fails by itself and is handled there, and the pool opens a new connection next time.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const parsed = new URL(url);
    const db = new Kysely<Database>({ dialect: new KeepCauseDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      description: `postgres://${parsed.host}${parsed.pathname}${options.schema ? ` (schema ${options.schema})` : ''}`,
      close: () => db.destroy(),
    };
  }
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path, { timeout: options.busyTimeoutMs ?? 5000 });
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', description: path, close: () => db.destroy() };
}

/**
 * When a transaction fails because its connection died (the server ended the session: restart,
 * failover, pg_terminate_backend), Kysely's ROLLBACK fails on the dead client too, and that error —
 * "Client has encountered a connection error and is not queryable", no SQLSTATE — is thrown instead
 * of the one that ended the transaction, which hides the real cause (57P01, a UserError …) from the
 * caller and the log. Here a failed ROLLBACK is not an error of its own: the driver has already
 * marked the connection to be discarded (the pool destroys it, and the server ends the transaction
 * with the session), and Kysely throws the original error.
 */
class KeepCauseDriver extends PostgresDriver {
  override async rollbackTransaction(connection: Parameters<PostgresDriver['rollbackTransaction']>[0]): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch {
      // The connection is discarded; the transaction's own error is what the caller sees.
    }
  }
}

class KeepCauseDialect extends OwnSchemaPostgresDialect {
  constructor(private readonly driverConfig: PostgresDialectConfig) {
    super(driverConfig);
  }
  override createDriver(): Driver {
    return new KeepCauseDriver(this.driverConfig);
  }
}

/**
 * Kysely's SQLite driver prepares every statement anew; compiling the SQL was ~10 % of the CPU of
 * handling an event (BENCHMARKS.md, ingest). Kysely gets a view of the database whose `prepare`
 * reuses statements by SQL text (the driver runs one query at a time on its single connection, so a
 * statement is never in use twice). Only Kysely sees the cache; the handle itself is untouched.
 */
const NO_OP = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) };

function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDialectConfig['database'] {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      // On a full disk or an I/O error SQLite rolls the transaction back itself; Kysely's own
      // ROLLBACK would then fail ("no transaction is active") and hide the real cause from the log.
      if (sql === 'rollback' && !sqlite.inTransaction) return NO_OP;
      let stmt = cache.get(sql);
      if (stmt) {
        // Most recently used last, so the first key is the one to drop.
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  } as unknown as SqliteDialectConfig['database'];
}
