/** Opens the database named by DATABASE_URL: a SQLite file by default, PostgreSQL for `postgres://…`. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Dialect } from './migrations/helpers.ts';
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

// pg returns int8 (count(*), sums) as strings; every count we read fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(url: string, options: OpenOptions = {}): DbHandle {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const parsed = new URL(url);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', description: path, close: () => db.destroy() };
}
