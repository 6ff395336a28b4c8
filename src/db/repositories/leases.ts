/**
 * Leases on the inbox and the outbox, written once for both: a `pending` row whose `lease_owner` is
 * set is held by that process until its lease runs out (the inbox keeps the expiry in
 * `next_attempt_at`, the outbox in `lease_until`). Taking a lease stays with each table (one inbox row
 * by key; a batch of outbox rows, `SKIP LOCKED` on PostgreSQL); what is common is finding who holds
 * leases and freeing them when their holder died.
 */
import type { Kysely, UpdateObject } from 'kysely';
import type { Database } from '../schema.ts';

export type LeasedTable = 'inbox' | 'outbox';

/** The owners currently holding leases on pending rows of `table`. */
export async function listLeaseOwnersOf(db: Kysely<Database>, table: LeasedTable): Promise<string[]> {
  const rows = await db
    .selectFrom(table)
    .select('lease_owner')
    .distinct()
    .where('status', '=', 'pending')
    .where('lease_owner', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.lease_owner ? [r.lease_owner] : []));
}

/**
 * Frees the pending rows of `table` held by `owner` (by anyone when `owner` is undefined): the owner
 * is cleared and the lease expiry set as `expiry` says. Returns how many rows were freed.
 */
export async function releaseLeasesOf<T extends LeasedTable>(
  db: Kysely<Database>,
  table: T,
  expiry: UpdateObject<Database, T>,
  owner: string | undefined,
): Promise<number> {
  // `expiry` was checked against `table` at the call; the statement is typed by the columns both tables share.
  const freed = { lease_owner: null, ...expiry } as UpdateObject<Database, LeasedTable>;
  let q = db
    .updateTable(table as LeasedTable)
    .set(freed)
    .where('status', '=', 'pending');
  q = owner === undefined ? q.where('lease_owner', 'is not', null) : q.where('lease_owner', '=', owner);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}
