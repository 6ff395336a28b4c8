/**
 * Runs a job "as of" an instant: collect what is due, then claim each delivery once (reminder_claims)
 * and write its outbox rows in the claim's transaction. Running twice, restarting, or several
 * replicas running at once never posts a reminder twice. One failing delivery never stops the rest.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { AuditDetail, BaseContext, JobSpec, Logger, RuntimeSettings } from '../core/contracts.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { claimReminder } from '../db/repositories/claims.ts';
import { recordJobRun } from '../db/repositories/job-runs.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import type { Database } from '../db/schema.ts';
import type { WorkCalendar } from '../domain/workdays.ts';

export interface JobDeps {
  db: Kysely<Database>;
  clock: Clock;
  wallClock: Clock;
  settings: RuntimeSettings;
  logger: Logger;
  calendar: () => Promise<WorkCalendar>;
  afterCommit: () => void;
}

export interface JobResult {
  job: string;
  asOf: string;
  due: number;
  posted: number;
  skipped: number;
  failed: number;
  summary: string;
}

function baseContext(
  deps: JobDeps,
  trx: Kysely<Database>,
  now: Date,
  calendar: WorkCalendar,
  orgId: number | null,
  logger: Logger,
): BaseContext {
  return {
    db: trx,
    clock: deps.clock,
    now,
    settings: deps.settings,
    logger,
    calendar,
    outbox: createOutboxWriter(trx, { at: deps.wallClock.now().toISOString(), orgId }),
    audit: (d: AuditDetail) =>
      recordAudit(trx, {
        at: now.toISOString(),
        orgId,
        actor: 'system',
        chatId: null,
        action: d.action,
        subject: d.subject ?? null,
        result: 'ok',
        before: d.before,
        after: d.after,
      }),
  };
}

export async function runJob(job: JobSpec, deps: JobDeps, now: Date): Promise<JobResult> {
  const startedAt = deps.wallClock.now().toISOString();
  const logger = deps.logger.child({ job: job.name });
  const calendar = await deps.calendar();
  const result: JobResult = {
    job: job.name,
    asOf: now.toISOString(),
    due: 0,
    posted: 0,
    skipped: 0,
    failed: 0,
    summary: '',
  };

  if (job.collect) {
    const deliveries = await job.collect(
      { db: deps.db, clock: deps.clock, now, settings: deps.settings, logger, calendar },
      now,
    );
    result.due = deliveries.length;
    for (const d of deliveries) {
      try {
        const claimed = await deps.db.transaction().execute(async (trx) => {
          const key = { job: job.name, subject: d.subject, occurrence: d.occurrence };
          if (!(await claimReminder(trx, key, d.orgId, now.toISOString()))) return false;
          await d.deliver(baseContext(deps, trx, now, calendar, d.orgId, logger));
          return true;
        });
        if (claimed) result.posted++;
        else result.skipped++;
      } catch (err) {
        result.failed++;
        logger.error({ subject: d.subject, occurrence: d.occurrence, err: String(err) }, 'delivery failed');
      }
    }
    result.summary = `应发 ${result.due}，已发 ${result.posted}，此前已发 ${result.skipped}，失败 ${result.failed}`;
  }
  if (job.run) {
    const ran = await deps.db
      .transaction()
      .execute((trx) =>
        (job.run as NonNullable<JobSpec['run']>)(baseContext(deps, trx, now, calendar, null, logger), now),
      );
    // A job with both parts reports both: the deliveries, then what its run did.
    result.summary = job.collect ? `${result.summary}；${ran}` : ran;
  }
  await recordJobRun(deps.db, {
    name: job.name,
    startedAt,
    finishedAt: deps.wallClock.now().toISOString(),
    asOf: now.toISOString(),
    result: result.summary,
  });
  if (result.posted > 0 || job.run) deps.afterCommit();
  logger.info(
    { event: 'job', asOf: result.asOf, due: result.due, posted: result.posted, failed: result.failed },
    'job ran',
  );
  return result;
}
