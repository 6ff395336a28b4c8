/**
 * Frozen: a 学习心得 handed in as 补学 (issue 13 item 4): one who missed a study session (缺席 or 请假)
 * gets the material afterwards and hands in a 心得, kept with `makeup = 1` so cards, the half-year
 * 通报 and the 学习考勤 show it as 补学 — never as having attended.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('reflections')
    .addColumn('makeup', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reflections').dropColumn('makeup').execute();
}
