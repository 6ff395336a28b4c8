/**
 * The outbox: every message the bot sends is a row here first, written in the transaction of the
 * change that caused it. The dispatcher (src/feishu/dispatcher.ts) leases due rows and sends them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OutboxKind, OutboxStatus } from '../../domain/delivery.ts';
import type { Dialect } from '../migrations/helpers.ts';
import type { Database, OutboxRow } from '../schema.ts';
import { listLeaseOwnersOf, releaseLeasesOf } from './leases.ts';

export type { OutboxKind };

export interface NewOutbox {
  orgId: number | null;
  kind: OutboxKind;
  /** chat_id | open_id for `send`; message_id for the others (or `ref` when not yet known). */
  targetType: 'chat_id' | 'open_id' | 'message_id';
  targetId: string | null;
  refOutboxId?: number | null;
  msgType?: string | null;
  payload: unknown;
  /** Enqueueing the same key twice keeps the first row (idempotent enqueue). */
  dedupeKey?: string | null;
  /** Pending rows with the same key are superseded by this one (card updates). */
  coalesceKey?: string | null;
  at: string;
  /** Not sent before this instant (default: at once). */
  notBefore?: string;
}

/** Feishu's `uuid` (≤ 50 chars): derived from the dedupe key when there is one, so it is stable. */
export function outboxUuid(dedupeKey: string | null | undefined): string {
  if (dedupeKey) return `qf-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 40)}`;
  return `qf-${randomUUID()}`;
}

export async function enqueue(db: Kysely<Database>, m: NewOutbox): Promise<number> {
  if (m.dedupeKey) {
    const existing = await db
      .selectFrom('outbox')
      .select('id')
      .where('dedupe_key', '=', m.dedupeKey)
      .executeTakeFirst();
    if (existing) return existing.id;
  }
  if (m.coalesceKey) {
    await db
      .updateTable('outbox')
      .set({ status: 'superseded', last_error: 'superseded by a newer update' })
      .where('coalesce_key', '=', m.coalesceKey)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', m.at)]))
      .execute();
  }
  const row = await db
    .insertInto('outbox')
    .values({
      org_id: m.orgId,
      kind: m.kind,
      target_type: m.targetType,
      target_id: m.targetId,
      ref_outbox_id: m.refOutboxId ?? null,
      msg_type: m.msgType ?? null,
      payload: JSON.stringify(m.payload),
      uuid: outboxUuid(m.dedupeKey),
      dedupe_key: m.dedupeKey ?? null,
      coalesce_key: m.coalesceKey ?? null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: m.notBefore ?? m.at,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      message_id: null,
      created_at: m.at,
      sent_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Drops pending updates of a card (its newest state was just given in a callback answer). */
export async function supersedePending(db: Kysely<Database>, coalesceKey: string, at: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'superseded', last_error: 'superseded by a callback answer' })
    .where('coalesce_key', '=', coalesceKey)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
    .execute();
}

/**
 * Leases up to `limit` due rows to `owner` until `leaseUntil`, oldest first, in one statement.
 * On PostgreSQL rows locked by another replica are skipped (`FOR UPDATE SKIP LOCKED`).
 */
export async function claimDue(
  db: Kysely<Database>,
  dialect: Dialect,
  c: { owner: string; now: string; leaseUntil: string; limit: number },
): Promise<OutboxRow[]> {
  let due = db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', c.now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', c.now)]))
    .orderBy('id')
    .limit(c.limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable('outbox')
    .set({ lease_owner: c.owner, lease_until: c.leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markSent(
  db: Kysely<Database>,
  id: number,
  r: { messageId: string | null; at: string; attempts: number },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      message_id: r.messageId,
      sent_at: r.at,
      attempts: r.attempts,
      // lease_owner stays: it records which process (replica) sent the row.
      lease_until: null,
      last_error: null,
    })
    .where('id', '=', id)
    .execute();
}

/** Puts a row back for a later attempt. */
export async function reschedule(
  db: Kysely<Database>,
  id: number,
  r: { attempts: number; nextAttemptAt: string; error: string | null },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      attempts: r.attempts,
      next_attempt_at: r.nextAttemptAt,
      last_error: r.error,
      lease_owner: null,
      lease_until: null,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Hands leased rows back, due again at `nextAttemptAt` (attempts and last error kept): each only while
 * `owner` still holds it under the lease it took, so a row whose lease ran out and was taken again
 * (by this process or another) is left alone, and a write repeated after an unclear failure is harmless.
 * Returns how many rows were handed back.
 */
export async function handBackLeased(
  db: Kysely<Database>,
  owner: string,
  rows: readonly { id: number; leaseUntil: string | null }[],
  nextAttemptAt: string,
): Promise<number> {
  const leased = rows.flatMap((r) => (r.leaseUntil ? [{ id: r.id, leaseUntil: r.leaseUntil }] : []));
  if (leased.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({ next_attempt_at: nextAttemptAt, lease_owner: null, lease_until: null })
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner)
    .where((eb) => eb.or(leased.map((x) => eb.and([eb('id', '=', x.id), eb('lease_until', '=', x.leaseUntil)]))))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function markDead(db: Kysely<Database>, id: number, r: { attempts: number; error: string }) {
  await db
    .updateTable('outbox')
    .set({ status: 'dead', attempts: r.attempts, last_error: r.error, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .execute();
}

export async function findOutbox(db: Kysely<Database>, id: number): Promise<OutboxRow | undefined> {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The outbox row that sent a message (to register a clicked card for later updates). */
export async function findOutboxByMessageId(db: Kysely<Database>, messageId: string): Promise<OutboxRow | undefined> {
  return db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

export async function listOutbox(
  db: Kysely<Database>,
  filter: { status?: OutboxStatus; limit?: number; newest?: boolean } = {},
): Promise<OutboxRow[]> {
  let q = db.selectFrom('outbox').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  // `newest`: the last `limit` rows (still in id order).
  const rows = await q
    .orderBy('id', filter.newest ? 'desc' : 'asc')
    .limit(filter.limit ?? 100)
    .execute();
  return filter.newest ? rows.reverse() : rows;
}

/** Sends a dead letter again from scratch; false when no dead row has that id. */
export async function retryDead(db: Kysely<Database>, id: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: at, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Frees leases held by `owner` (a restarted single process reclaims its own unfinished rows). */
export async function releaseLeases(db: Kysely<Database>, filter: { owner?: string } = {}): Promise<number> {
  // An empty owner frees every lease, as a missing one does.
  return releaseLeasesOf(db, 'outbox', { lease_until: null }, filter.owner || undefined);
}

/** The owners currently holding leases on pending rows. */
export async function listLeaseOwners(db: Kysely<Database>): Promise<string[]> {
  return listLeaseOwnersOf(db, 'outbox');
}

export async function findOutboxFile(db: Kysely<Database>, outboxId: number) {
  return db.selectFrom('outbox_files').selectAll().where('outbox_id', '=', outboxId).executeTakeFirst();
}

export async function setOutboxFileKey(db: Kysely<Database>, outboxId: number, fileKey: string): Promise<void> {
  await db.updateTable('outbox_files').set({ file_key: fileKey }).where('outbox_id', '=', outboxId).execute();
}

export async function countOutbox(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Dead letters created since `since` (for the daily report to org admins). */
export async function listDeadSince(db: Kysely<Database>, since: string): Promise<OutboxRow[]> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('status', '=', 'dead')
    .where('created_at', '>=', since)
    .orderBy('id')
    .execute();
}
