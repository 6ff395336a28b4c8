/** Inbound dedup: a row per processed event, written in the same transaction as the event's effects. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Records the event; false when it was already processed (a redelivery). */
export async function markProcessed(db: Kysely<Database>, key: string, kind: string, at: string): Promise<boolean> {
  const r = await db
    .insertInto('processed_events')
    .values({ key, kind, received_at: at })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function wasProcessed(db: Kysely<Database>, key: string): Promise<boolean> {
  const r = await db.selectFrom('processed_events').select('key').where('key', '=', key).executeTakeFirst();
  return r !== undefined;
}

/** Deletes records received before `before`; returns how many. */
export async function pruneProcessed(db: Kysely<Database>, before: string): Promise<number> {
  const r = await db.deleteFrom('processed_events').where('received_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
