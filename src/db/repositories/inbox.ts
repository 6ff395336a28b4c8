/**
 * The durable inbox: one row per inbound event, written before the ack (docs/feishu-platform.md §0: ack within
 * 3 s). A row is `pending` until its work is done; whoever holds it (`lease_owner`) keeps it until
 * `next_attempt_at`, after which any process may take it again (crash recovery). The router's own
 * dedup record (`processed_events`, same key) keeps the effects exactly-once, so taking a row twice
 * costs time, never a second answer.
 *
 * The payload is kept only while the row is pending (a retry needs it). Once the row is done or failed
 * it is replaced by `{}` in the same update: a card click's payload names its operator next to the form
 * it submitted (an anonymous opinion's text, a secret ballot's grades), and a finished row is kept for
 * days; nothing reads the payload of a finished row (workOf parses only the pending rows it takes).
 */
import type { Kysely } from 'kysely';
import type { InboxKind } from '../../domain/delivery.ts';
import type { Database, InboxRow } from '../schema.ts';
import { listLeaseOwnersOf, releaseLeasesOf } from './leases.ts';

export type { InboxKind };

export interface NewInboxRow {
  key: string;
  kind: InboxKind;
  payload: unknown;
  owner: string;
  at: string;
  leaseUntil: string;
}

/**
 * Adds many rows in one statement (one durable write for all of them); returns the keys added — a key
 * already there (a redelivery), or twice in `rows`, is added once.
 */
export async function addManyToInbox(db: Kysely<Database>, rows: readonly NewInboxRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const added = await db
    .insertInto('inbox')
    .values(
      rows.map((r) => ({
        key: r.key,
        kind: r.kind,
        payload: JSON.stringify(r.payload),
        status: 'pending' as const,
        attempts: 1,
        next_attempt_at: r.leaseUntil,
        lease_owner: r.owner,
        late: 0,
        last_error: null,
        received_at: r.at,
        done_at: null,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return new Set(added.map((r) => r.key));
}

export async function findInbox(db: Kysely<Database>, key: string): Promise<InboxRow | undefined> {
  return db.selectFrom('inbox').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Pending rows whose lease ran out (or that wait for a retry), oldest first. */
export async function listDueInbox(db: Kysely<Database>, now: string, limit: number): Promise<InboxRow[]> {
  return db
    .selectFrom('inbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('received_at')
    .orderBy('key')
    .limit(limit)
    .execute();
}

/** Takes a due row for `owner` until `leaseUntil`; false when another process took it first. */
export async function claimInbox(
  db: Kysely<Database>,
  key: string,
  o: { owner: string; now: string; leaseUntil: string },
): Promise<boolean> {
  const res = await db
    .updateTable('inbox')
    .set((eb) => ({ lease_owner: o.owner, next_attempt_at: o.leaseUntil, attempts: eb('attempts', '+', 1) }))
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', o.now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Records that the event was acknowledged before its work finished. */
export async function markInboxLate(db: Kysely<Database>, key: string): Promise<void> {
  await db.updateTable('inbox').set({ late: 1 }).where('key', '=', key).execute();
}

/** What a finished row keeps of its event: nothing (see the header). */
export const SCRUBBED_PAYLOAD = '{}';

/** Marks a pending row done and scrubs its payload; a row already finished stays as it is. */
export async function markInboxDone(db: Kysely<Database>, key: string, at: string): Promise<void> {
  await db
    .updateTable('inbox')
    .set({ status: 'done', done_at: at, lease_owner: null, last_error: null, payload: SCRUBBED_PAYLOAD })
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .execute();
}

/** Leaves the row pending, to be taken again at `retryAt`. */
export async function retryInboxLater(
  db: Kysely<Database>,
  key: string,
  retryAt: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('inbox')
    .set({ next_attempt_at: retryAt, lease_owner: null, last_error: error.slice(0, 500) })
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .execute();
}

/** Gives a pending row up and scrubs its payload (the error text is the code's, never the event's). */
export async function markInboxFailed(db: Kysely<Database>, key: string, at: string, error: string): Promise<void> {
  await db
    .updateTable('inbox')
    .set({
      status: 'failed',
      done_at: at,
      lease_owner: null,
      last_error: error.slice(0, 500),
      payload: SCRUBBED_PAYLOAD,
    })
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Frees rows held by a process that died (all of them on SQLite, where one bot owns the database;
 * one owner's on PostgreSQL), so they are taken at once instead of when their lease runs out.
 */
export async function releaseInboxLeases(db: Kysely<Database>, now: string, owner?: string): Promise<number> {
  return releaseLeasesOf(db, 'inbox', { next_attempt_at: now }, owner);
}

export async function listInboxLeaseOwners(db: Kysely<Database>): Promise<string[]> {
  return listLeaseOwnersOf(db, 'inbox');
}

/** Deletes finished rows received before `before`; returns how many. */
export async function pruneInbox(db: Kysely<Database>, before: string): Promise<number> {
  const res = await db
    .deleteFrom('inbox')
    .where('status', '!=', 'pending')
    .where('received_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
