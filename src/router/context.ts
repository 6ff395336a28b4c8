/**
 * The one place a handler's context is put together, for every entry point: the router (messages,
 * card actions), the job runner (`collect` and `deliver`) and the command line / sandbox seed
 * (src/services/acting.ts). Business time is read once into `now`; `today` is its local date in the
 * configured timezone (never the system clock's).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { AuditDetail, BaseContext, Logger, ReadContext, RuntimeSettings } from '../core/contracts.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { createLiveCards } from '../db/repositories/live-cards.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import type { Database } from '../db/schema.ts';
import { localDate } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';

/** What every context is made of, whoever builds it. */
export interface ContextInputs {
  /** The business clock (settable in the sandbox). */
  clock: Clock;
  /** The instant the event or run is handled at (read once from `clock`). */
  now: Date;
  settings: RuntimeSettings;
  logger: Logger;
  calendar: WorkCalendar;
}

/** Who an audit row names, and the org the outbox rows belong to. */
export interface ContextScope {
  orgId: number | null;
  /** The audit row's actor: an open id, `system` (jobs) or `cli`. */
  actor: string;
  chatId: string | null;
  /** The wall-clock instant outbox rows are stamped with. */
  wallNow: Date;
}

/** The read-only part (a job's `collect` gets only this). */
export function buildReadContext(db: Kysely<Database>, i: ContextInputs): ReadContext {
  return {
    db,
    clock: i.clock,
    now: i.now,
    today: localDate(i.now, i.settings.timezone),
    settings: i.settings,
    logger: i.logger,
    calendar: i.calendar,
  };
}

/** A context bound to a transaction: its outbox, its audit rows and its live cards. */
export function buildContext(trx: Kysely<Database>, i: ContextInputs, scope: ContextScope): BaseContext {
  const outbox = createOutboxWriter(trx, { at: scope.wallNow.toISOString(), orgId: scope.orgId });
  return {
    ...buildReadContext(trx, i),
    outbox,
    cards: createLiveCards(trx, { outbox, now: i.now }),
    audit: (detail: AuditDetail) =>
      recordAudit(trx, {
        at: i.now.toISOString(),
        orgId: scope.orgId,
        actor: scope.actor,
        chatId: scope.chatId,
        action: detail.action,
        subject: detail.subject ?? null,
        result: 'ok',
        before: detail.before,
        after: detail.after,
      }),
  };
}
