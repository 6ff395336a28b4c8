/** The operator's holiday override table. */
import type { Kysely } from 'kysely';
import type { HolidayOverride } from '../../domain/workdays.ts';
import type { Database } from '../schema.ts';

export async function listHolidayOverrides(db: Kysely<Database>): Promise<HolidayOverride[]> {
  const rows = await db.selectFrom('holiday_overrides').selectAll().orderBy('date').execute();
  return rows.map((r) => ({ date: r.date, kind: r.kind === 'workday' ? 'workday' : 'holiday', name: r.name }));
}

/** Replaces a year's overrides with `entries` (all from that year). */
export async function replaceHolidayYear(
  db: Kysely<Database>,
  year: number,
  entries: HolidayOverride[],
): Promise<void> {
  await db
    .deleteFrom('holiday_overrides')
    .where('date', '>=', `${year}-01-01`)
    .where('date', '<=', `${year}-12-31`)
    .execute();
  if (entries.length > 0) await db.insertInto('holiday_overrides').values(entries).execute();
}
