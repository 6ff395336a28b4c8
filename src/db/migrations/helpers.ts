import type { CreateTableBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** An auto-increment integer primary key on either database. */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export function withId<T extends string>(t: CreateTableBuilder<T, any>, dialect: Dialect) {
  return dialect === 'postgres'
    ? t.addColumn('id', 'serial', (c) => c.primaryKey())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
