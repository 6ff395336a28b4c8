/**
 * Frozen: tasks 清风 generates by itself (issue 18 item 10) live outside the formal 主体责任清单. A duty
 * item with `generated_by` set (the job that made it, `holiday-reminder` for the 节前廉政提醒's task for
 * the 纪检委员) has no 序号 (`seq` 0): its owners are reminded of it and report on it as on any task,
 * but the list its 党委 approved — /清单, its numbering, the 台账, the board and the 季季报 — shows only
 * the items people put in it. Items the reminder already added to the list are taken out of it here
 * (the bot made them as `system`, with that content), so the numbers after them are free again.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('duty_items').addColumn('generated_by', 'text').execute();
  await db
    .updateTable('duty_items')
    .set({ generated_by: 'holiday-reminder', seq: 0 })
    .where('created_by', '=', 'system')
    .where('content', 'like', '%节前廉政提醒：%')
    .where('source_item_id', 'is', null)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('duty_items').dropColumn('generated_by').execute();
}
