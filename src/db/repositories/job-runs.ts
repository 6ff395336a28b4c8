/** When each job last ran, for `job list` and /healthz. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export async function recordJobRun(
  db: Kysely<Database>,
  r: { name: string; startedAt: string; finishedAt: string; asOf: string; result: string },
): Promise<void> {
  const values = {
    last_started_at: r.startedAt,
    last_finished_at: r.finishedAt,
    last_as_of: r.asOf,
    last_result: r.result,
  };
  await db
    .insertInto('job_runs')
    .values({ name: r.name, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}

export async function listJobRuns(db: Kysely<Database>) {
  return db.selectFrom('job_runs').selectAll().orderBy('name').execute();
}
