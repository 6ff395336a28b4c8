/** Which messages show which subject (an item, a meeting, a board), to update them in place. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export async function registerCard(
  db: Kysely<Database>,
  c: { orgId: number | null; kind: string; subjectId: number; outboxId: number; at: string },
): Promise<void> {
  await db
    .insertInto('cards')
    .values({ org_id: c.orgId, kind: c.kind, subject_id: c.subjectId, outbox_id: c.outboxId, created_at: c.at })
    .execute();
}

export async function listCards(
  db: Kysely<Database>,
  kind: string,
  subjectId: number,
): Promise<{ id: number; outbox_id: number; created_at: string }[]> {
  return db
    .selectFrom('cards')
    .select(['id', 'outbox_id', 'created_at'])
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
}

/** Feishu lets a card be updated for 14 days; older ones are left as they are (docs/feishu-platform.md §7). */
export const CARD_UPDATE_WINDOW_MS = 14 * 24 * 3600_000 - 3600_000;

/** The cards of a subject that can still be updated as of `now`. */
export async function listLiveCards(
  db: Kysely<Database>,
  kind: string,
  subjectId: number,
  now: Date,
): Promise<{ id: number; outbox_id: number; created_at: string }[]> {
  const since = new Date(now.getTime() - CARD_UPDATE_WINDOW_MS).toISOString();
  return (await listCards(db, kind, subjectId)).filter((c) => c.created_at >= since);
}
