/** Opens the database named by DATABASE_URL: a SQLite file by default, PostgreSQL for `postgres://…`. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  type PostgresDialectConfig,
  PostgresDriver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type pg from 'pg';
import type { Dialect } from './migrations/helpers.ts';
import { OwnSchemaPostgresDialect } from './pg-introspector.ts';
import type { Database } from './schema.ts';

export type { Dialect };

export interface DbHandle {
  db: Kysely<Database>;
  /**
   * For the inbox's insert, the one write before an ack (src/feishu/inbox-writes.ts): on SQLite the same
   * connection, its turn before any other work waiting for it; on PostgreSQL a small pool of its own,
   * so the acks never queue behind the work they acknowledge. Absent: `db` is used.
   */
  ingress?: Kysely<Database>;
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
    const newPool = (max: number) => {
      const pool = new (loadPg().Pool)({
        connectionString: url,
        max,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      });
      // When the server ends a connection (restart, failover, pg_terminate_backend) pg emits 'error' on
      // the pool or the client; unheard, that is an uncaught exception that kills the bot. The query in
      // flight fails by itself and is handled there, and the pool opens a new connection next time.
      pool.on('error', () => {});
      pool.on('connect', (client) => {
        client.on('error', () => {});
        prepareOnce(client);
      });
      return pool;
    };
    const parsed = new URL(url);
    const db = new Kysely<Database>({ dialect: new KeepCauseDialect({ pool: newPool(options.poolSize ?? 10) }) });
    // Opened on first use: processes that receive no events (the CLI, jobs) never connect it.
    const ingress = new Kysely<Database>({ dialect: new KeepCauseDialect({ pool: newPool(2) }) });
    return {
      db,
      ingress,
      dialect: 'postgres',
      description: `postgres://${parsed.host}${parsed.pathname}${options.schema ? ` (schema ${options.schema})` : ''}`,
      close: async () => {
        await ingress.destroy();
        await db.destroy();
      },
    };
  }
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path, { timeout: options.busyTimeoutMs ?? 5000 });
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  const config = { database: withStatementCache(sqlite) };
  const turns = new Turns();
  const db = new Kysely<Database>({ dialect: new TurnDialect(config, turns, { urgent: false, closes: true }) });
  const ingress = new Kysely<Database>({ dialect: new TurnDialect(config, turns, { urgent: true, closes: false }) });
  return { db, ingress, dialect: 'sqlite', description: path, close: () => db.destroy() };
}

/**
 * Statements prepared once per connection (issue 17). Kysely sends each query as text with its
 * parameters, which pg runs as an unnamed statement: PostgreSQL parses and plans it every time. Here a
 * connection names each statement text it sends with parameters (`qf1`, `qf2` …) the first time; pg
 * then only binds and executes it after that. At most `max` names per connection — statement texts
 * that vary (an `in (…)` of any length) would otherwise grow the server's memory without end — and
 * texts beyond that run unnamed as before. Statements without parameters (begin, commit, savepoints)
 * are left as they are.
 */
function prepareOnce(client: pg.PoolClient, max = 500): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (...args: unknown[]): unknown => {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      let name = names.get(text);
      if (name === undefined && names.size < max) {
        name = `qf${names.size + 1}`;
        names.set(text, name);
      }
      if (name !== undefined) return query({ name, text, values });
    }
    return query(...args);
  };
  client.query = named as typeof client.query;
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

const urgentWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` with its SQLite turns before everything else waiting (Turns): work a person is waiting on
 * with a deadline — a card callback must be answered within 3 s — is not queued behind a backlog of
 * acknowledged work. Everything `work` awaits inherits it. (PostgreSQL: no effect; its pool has no order.)
 */
export function urgently<T>(work: () => Promise<T>): Promise<T> {
  return urgentWork.run(true, work);
}

/** Runs `work` urgently or, when `urgent` is false, as ordinary work whoever calls it. */
export function withUrgency<T>(urgent: boolean, work: () => Promise<T>): Promise<T> {
  return urgent ? urgentWork.run(true, work) : urgentWork.exit(work);
}

/** True inside `urgently`. */
export function isUrgent(): boolean {
  return urgentWork.getStore() === true;
}

/**
 * SQLite has one connection, taken in turns. Kysely's own lock wakes every waiter at each release, and
 * all but one go back to sleep: with a few hundred events waiting that is most of the CPU. Here the
 * turns are a queue (one wake-up per release), with a lane that goes first: the inbox's insert, which
 * an ack waits for, and work done `urgently`, never queue behind the work already acknowledged.
 */
class Turns {
  private busy = false;
  private readonly first: (() => void)[] = [];
  private readonly rest: (() => void)[] = [];

  take(urgent: boolean): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => (urgent ? this.first : this.rest).push(resolve));
  }

  give(): void {
    const next = this.first.shift() ?? this.rest.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** Kysely's SQLite driver on a connection shared in turns (its own lock is then never contended). */
class TurnDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly turns: Turns,
    private readonly o: { urgent: boolean; closes: boolean },
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.turns.take(this.o.urgent || isUrgent());
    try {
      return await super.acquireConnection();
    } catch (err) {
      this.turns.give();
      throw err;
    }
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.turns.give();
  }

  /** The ingress view shares the connection: only the main one closes it. */
  override async destroy(): Promise<void> {
    if (this.o.closes) await super.destroy();
  }
}

class TurnDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly turns: Turns,
    private readonly o: { urgent: boolean; closes: boolean },
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new TurnDriver(this.config, this.turns, this.o);
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
