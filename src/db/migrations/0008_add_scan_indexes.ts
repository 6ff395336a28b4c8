/**
 * Frozen: indexes the reminder scans need (BENCHMARKS.md, reminder scans). A task's card lists its
 * evidence; without an index on task_evidence.task_id every card built by `task-reminders` read the
 * whole table, so the job's time grew with the ledger instead of with the due tasks.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('task_evidence_task').on('task_evidence').columns(['task_id', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('task_evidence_task').execute();
}
