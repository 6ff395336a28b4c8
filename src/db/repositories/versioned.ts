/**
 * One effect per decision (README, reliability). Every state change of an item, a task, a session,
 * an extension request or a pending import is decided on a row read under a lock and written as a
 * compare-and-set, inside the handler's transaction:
 *   - `lockRow` takes the row's write lock first (a no-op UPDATE: `SELECT … FOR UPDATE` on PostgreSQL
 *     would do the same, but SQLite has no such clause and its single writer already serialises) and
 *     returns the row as it is now. A concurrent action on the same row waits for this transaction and
 *     then reads what it committed, so the loser sees the new version and answers "已有更新";
 *   - `updateVersioned` writes `… version = version + 1 WHERE id = ? AND version = ?` and throws
 *     `StaleError` when no row matched (the row changed since it was read), rolling the whole
 *     transaction back;
 *   - `updateIfStatus` does the same for rows without a version (extension requests, pending imports):
 *     `… WHERE id = ? AND status = ?`.
 * On PostgreSQL (READ COMMITTED) an UPDATE that waited for a concurrent writer re-evaluates its WHERE
 * on the committed row, so the check holds without a stricter isolation level.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { UserError } from '../../core/errors.ts';
import type { Database } from '../schema.ts';

/** What the losers of a race are told (with the current card where there is one). */
export const STALE_TEXT = '该事项已有更新，请查看最新内容。';

/** The row changed since it was read: nothing was done. The router answers `STALE_TEXT`. */
export class StaleError extends UserError {
  constructor(message = STALE_TEXT) {
    super('stale', message);
    this.name = 'StaleError';
  }
}

/** Tables whose rows carry a `version` bumped on every change (cards carry it as `ver`). */
export type VersionedTable =
  | 'rectifications'
  | 'tasks'
  | 'sessions'
  | 'members'
  | 'org_links'
  | 'talks'
  | 'life_pipelines';
/** Tables whose rows change once, from `pending` to a final status. */
export type StatusTable = 'extension_requests' | 'pending_imports';
/**
 * Rows locked only to serialise decisions over several rows: an org's row is locked before a change
 * that must see the other members as they are (one holder of a 支委 post), by a no-op on its name.
 */
export type LockOnlyTable = 'orgs';

const LOCK_COLUMN = {
  rectifications: 'version',
  tasks: 'version',
  sessions: 'version',
  members: 'version',
  org_links: 'version',
  talks: 'version',
  life_pipelines: 'version',
  extension_requests: 'status',
  pending_imports: 'status',
  orgs: 'name',
} as const;

// Kysely cannot type a query over a union of tables; the public signatures below are typed.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

/**
 * Locks a row for the rest of the transaction and returns it as now committed (undefined when it
 * does not exist). Call it before reading anything the decision depends on.
 */
export async function lockRow<T extends VersionedTable | StatusTable | LockOnlyTable>(
  db: Kysely<Database>,
  table: T,
  id: number,
): Promise<Selectable<Database[T]> | undefined> {
  const column = LOCK_COLUMN[table];
  const row = await (db as AnyDb)
    .updateTable(table as string)
    .set({ [column]: sql.ref(column) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row as Selectable<Database[T]> | undefined;
}

/**
 * Applies `patch` and bumps the version only if the row is still at the version it was read at
 * (`before`); returns the updated row, or throws `StaleError`.
 */
export async function updateVersioned<T extends VersionedTable>(
  db: Kysely<Database>,
  table: T,
  before: { id: number; version: number },
  patch: Partial<Omit<Selectable<Database[T]>, 'id' | 'version'>>,
): Promise<Selectable<Database[T]>> {
  const row = await (db as AnyDb)
    .updateTable(table as string)
    .set({ ...patch, version: sql`version + 1` })
    .where('id', '=', before.id)
    .where('version', '=', before.version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new StaleError();
  return row as Selectable<Database[T]>;
}

/** Applies `patch` only if the row still has status `from`; returns whether it did. */
export async function updateIfStatus<T extends StatusTable>(
  db: Kysely<Database>,
  table: T,
  id: number,
  from: string,
  patch: Partial<Omit<Selectable<Database[T]>, 'id'>>,
): Promise<boolean> {
  const r = await (db as AnyDb)
    .updateTable(table as string)
    .set(patch as Record<string, unknown>)
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
