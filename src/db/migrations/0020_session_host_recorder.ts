/**
 * Frozen: the 主持人 and 记录人 of a session (issue 18 item 2), as the 三会一课记录簿 lists them: chosen on
 * the new-meeting form (open id and name as the register had them then); without a choice the 书记
 * chairs a 党员大会 or 支委会 and whoever records the minutes is the 记录人. Null on rows from before.
 */
import type { Kysely } from 'kysely';

const COLUMNS = ['host_open_id', 'host_name', 'recorder_open_id', 'recorder_name'] as const;

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  for (const c of COLUMNS) await db.schema.alterTable('sessions').addColumn(c, 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  for (const c of [...COLUMNS].reverse()) await db.schema.alterTable('sessions').dropColumn(c).execute();
}
