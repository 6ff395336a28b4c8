/** Chats and people the bot can no longer reach (bot removed, user blocked the bot …). */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Records the target; true the first time (so the admins are told once). */
export async function markUnreachable(
  db: Kysely<Database>,
  t: { targetType: string; targetId: string; code: number; orgId: number | null; at: string },
): Promise<boolean> {
  const r = await db
    .insertInto('unreachable_targets')
    .values({ target_type: t.targetType, target_id: t.targetId, code: t.code, org_id: t.orgId, first_at: t.at })
    .onConflict((oc) => oc.columns(['target_type', 'target_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function clearUnreachable(db: Kysely<Database>, targetType: string, targetId: string): Promise<void> {
  await db
    .deleteFrom('unreachable_targets')
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .execute();
}

export async function isUnreachable(db: Kysely<Database>, targetType: string, targetId: string): Promise<boolean> {
  const r = await db
    .selectFrom('unreachable_targets')
    .select('code')
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .executeTakeFirst();
  return r !== undefined;
}
