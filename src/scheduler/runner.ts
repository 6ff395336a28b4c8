/**
 * Runs a job "as of" an instant: collect what is due, then claim each delivery once (reminder_claims)
 * and write its outbox rows in the claim's transaction. Running twice, restarting, or several
 * replicas running at once never posts a reminder twice. One failing delivery never stops the rest.
 *
 * Deliveries are written in batches: one transaction per batch, a savepoint per delivery, so a
 * failing delivery is undone alone and the batch commits once (a commit per delivery was most of a
 * reminder job's time: BENCHMARKS.md, reminder scans). A claim and its rows still commit together or
 * not at all. If the batch itself fails (a deadlock between replicas, a failed commit), its deliveries
 * are tried again one transaction each.
 *
 * Deliveries meet the nudge gate first (gate.ts): one collected while its org's gate is shut (a day
 * off, quiet hours) is not claimed but held, and the result says when the gate opens, so that the
 * scheduler runs the job again then. This holds for every run — scheduled, catch-up, by hand.
 */
import type { ControlledTransaction, Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { BaseContext, Delivery, FeishuDirectory, JobSpec, Logger, RuntimeSettings } from '../core/contracts.ts';
import { claimReminder, isClaimed } from '../db/repositories/claims.ts';
import { recordJobRun } from '../db/repositories/job-runs.ts';
import type { Database } from '../db/schema.ts';
import { formatLocal } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { buildContext, buildReadContext } from '../router/context.ts';
import { deliveryGate, isGated } from './gate.ts';

export interface JobDeps {
  db: Kysely<Database>;
  clock: Clock;
  wallClock: Clock;
  settings: RuntimeSettings;
  logger: Logger;
  calendar: () => Promise<WorkCalendar>;
  afterCommit: () => void;
  /** Feishu lookups for `collect` (the member reconciliation); absent in the command line. */
  directory?: FeishuDirectory;
}

export interface JobResult {
  job: string;
  asOf: string;
  due: number;
  posted: number;
  skipped: number;
  failed: number;
  /** Deliveries not claimed because their org's gate was shut (a day off, quiet hours). */
  held: number;
  /** When the first of the held deliveries may go out (ISO), when any were held. */
  heldUntil?: string;
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
  return buildContext(
    trx,
    { clock: deps.clock, now, settings: deps.settings, logger, calendar },
    { orgId, actor: 'system', chatId: null, wallNow: deps.wallClock.now() },
  );
}

type Outcome = 'posted' | 'skipped' | 'failed';

/** Deliveries per transaction: ~50 ms of writes, short enough not to hold up the event handlers. */
const DELIVERY_BATCH = 50;

/**
 * Runs each delivery in its own savepoint of one transaction. A delivery that throws is rolled back to
 * its savepoint and reported by `failed`; anything else that goes wrong rolls the whole batch back and
 * throws.
 */
async function inOneTransaction(
  db: Kysely<Database>,
  batch: readonly Delivery[],
  deliverIn: (trx: Kysely<Database>, d: Delivery) => Promise<boolean>,
  failed: (d: Delivery, err: unknown) => Outcome,
): Promise<Outcome[]> {
  const trx: ControlledTransaction<Database> = await db.startTransaction().execute();
  try {
    const outcomes: Outcome[] = [];
    for (const d of batch) {
      const sp = await trx.savepoint('delivery').execute();
      try {
        outcomes.push((await deliverIn(trx, d)) ? 'posted' : 'skipped');
      } catch (err) {
        await sp.rollbackToSavepoint('delivery').execute();
        outcomes.push(failed(d, err));
      }
      await sp.releaseSavepoint('delivery').execute();
    }
    await trx.commit().execute();
    return outcomes;
  } catch (err) {
    if (!trx.isCommitted && !trx.isRolledBack)
      await trx
        .rollback()
        .execute()
        .catch(() => {});
    throw err;
  }
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
    held: 0,
    summary: '',
  };

  if (job.collect) {
    const collected = await job.collect(
      {
        ...buildReadContext(deps.db, { clock: deps.clock, now, settings: deps.settings, logger, calendar }),
        ...(deps.directory ? { directory: deps.directory } : {}),
      },
      now,
    );
    result.due = collected.length;
    // The gate: a delivery whose org may not be nudged now waits for the next run after it opens.
    const key = (d: Delivery) => ({ job: job.name, subject: d.subject, occurrence: d.occurrence });
    const gate = isGated(job.name) ? deliveryGate(deps.db, calendar, deps.settings.timezone, now) : undefined;
    const deliveries: Delivery[] = [];
    let opens: Date | undefined;
    for (const d of collected) {
      const shutUntil = gate ? await gate(d.orgId) : undefined;
      if (!shutUntil) deliveries.push(d);
      // One sent before is done, not waiting.
      else if (await isClaimed(deps.db, key(d))) result.skipped++;
      else {
        result.held++;
        if (!opens || shutUntil < opens) opens = shutUntil;
      }
    }
    if (opens) result.heldUntil = opens.toISOString();
    const deliverIn = async (trx: Kysely<Database>, d: Delivery): Promise<boolean> => {
      if (!(await claimReminder(trx, key(d), d.orgId, now.toISOString()))) return false;
      await d.deliver(baseContext(deps, trx, now, calendar, d.orgId, logger));
      return true;
    };
    const failed = (d: Delivery, err: unknown) => {
      logger.error({ subject: d.subject, occurrence: d.occurrence, err: String(err) }, 'delivery failed');
      return 'failed' as const;
    };
    for (let i = 0; i < deliveries.length; i += DELIVERY_BATCH) {
      const batch = deliveries.slice(i, i + DELIVERY_BATCH);
      let outcomes: Outcome[];
      try {
        outcomes = await inOneTransaction(deps.db, batch, deliverIn, failed);
      } catch (err) {
        logger.warn({ err: String(err), deliveries: batch.length }, 'delivery batch failed; one transaction each');
        outcomes = [];
        for (const d of batch) {
          outcomes.push(
            await deps.db
              .transaction()
              .execute((trx) => deliverIn(trx, d))
              .then((claimed): Outcome => (claimed ? 'posted' : 'skipped'))
              .catch((e: unknown) => failed(d, e)),
          );
        }
      }
      for (const o of outcomes) result[o]++;
    }
    result.summary = `应发 ${result.due}，已发 ${result.posted}，此前已发 ${result.skipped}，失败 ${result.failed}`;
    if (opens)
      result.summary += `，暂缓 ${result.held}（休息日或免打扰时段，${formatLocal(opens, deps.settings.timezone)} 后发送）`;
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
    {
      event: 'job',
      asOf: result.asOf,
      due: result.due,
      posted: result.posted,
      failed: result.failed,
      held: result.held,
      ...(result.heldUntil ? { heldUntil: result.heldUntil } : {}),
    },
    'job ran',
  );
  return result;
}
