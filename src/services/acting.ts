/**
 * A context for acting outside a chat event — the CLI, the sandbox's demo seed — as a given person,
 * in a transaction, with the outbox and audit bound to it (the same shape handlers get).
 */
import type { Kysely } from 'kysely';
import type { Actor, Logger } from '../core/contracts.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import type { Database, Org } from '../db/schema.ts';
import { WorkCalendar } from '../domain/workdays.ts';
import type { ActingContext } from './rectification.ts';

export function actingContext(
  trx: Kysely<Database>,
  o: {
    org: Org;
    actor: Actor;
    now: Date;
    wallNow: Date;
    timezone: string;
    logger: Logger;
    calendar?: WorkCalendar;
    auditActor?: string;
  },
): ActingContext {
  return {
    db: trx,
    clock: { now: () => o.now },
    now: o.now,
    settings: { timezone: o.timezone, botAdmins: [] },
    logger: o.logger,
    calendar: o.calendar ?? new WorkCalendar(),
    outbox: createOutboxWriter(trx, { at: o.wallNow.toISOString(), orgId: o.org.id }),
    audit: (d) =>
      recordAudit(trx, {
        at: o.now.toISOString(),
        orgId: o.org.id,
        actor: o.auditActor ?? o.actor.openId,
        chatId: null,
        action: d.action,
        subject: d.subject ?? null,
        result: 'ok',
        before: d.before,
        after: d.after,
      }),
    actor: o.actor,
    org: o.org,
  };
}
