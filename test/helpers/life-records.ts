/**
 * Records the 组织生活会 tests set up directly or read back whole: a session already held (its minutes
 * recorded, its seats as given), and every row of every table (what anyone reading the database sees).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

export interface HeldSeat {
  openId: string;
  name: string;
  status: 'signed' | 'leave' | 'invited';
}

/** A session of the org held at `at`: minutes recorded (attendance settled), the seats as given. */
export async function insertHeldSession(
  db: Kysely<Database>,
  orgId: number,
  what: { category: 'study' | 'meeting'; kind: 'topic' | 'life_meeting'; title: string; organiser: string },
  seats: readonly HeldSeat[],
  at: string,
): Promise<number> {
  const s = await db
    .insertInto('sessions')
    .values({
      org_id: orgId,
      category: what.category,
      kind: what.kind,
      title: what.title,
      start_at: at,
      place: '党建活动室',
      agenda: '对照检查',
      status: 'scheduled',
      organiser_open_id: what.organiser,
      organiser_name: '李书记',
      minutes: '已召开',
      minutes_at: at,
      reflection_days: 0,
      recorded_as: 'live',
      sign_opens_before: 30,
      sign_closes_after: 30,
      party_group: null,
      version: 1,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const a of seats)
    await db
      .insertInto('session_attendees')
      .values({
        session_id: s.id,
        open_id: a.openId,
        name: a.name,
        status: a.status,
        reason: null,
        answered_at: at,
        voting: 1,
        seat: null,
      })
      .execute();
  return s.id;
}

/** Every row of every table, each as JSON with its table's name (what anyone reading the database sees). */
export async function everyStoredRow(db: Kysely<Database>): Promise<{ table: string; json: string }[]> {
  const out: { table: string; json: string }[] = [];
  for (const t of await db.introspection.getTables()) {
    const rows = await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .selectFrom(t.name)
      .selectAll()
      .execute();
    for (const r of rows) out.push({ table: t.name, json: JSON.stringify(r) });
  }
  return out;
}
