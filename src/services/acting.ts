/**
 * A context for acting outside a chat event — the CLI, the sandbox's demo seed — as a given person,
 * in a transaction, with the outbox, audit and live cards bound to it: the context handlers get, from
 * the same builder (src/router/context.ts).
 */

import type { Kysely } from 'kysely';
import type { ActingContext, Actor, Logger } from '../core/contracts.ts';
import type { Database, Org } from '../db/schema.ts';
import { WorkCalendar } from '../domain/workdays.ts';
import { buildContext } from '../router/context.ts';

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
  const base = buildContext(
    trx,
    {
      clock: { now: () => o.now },
      now: o.now,
      settings: { timezone: o.timezone, botAdmins: [] },
      logger: o.logger,
      calendar: o.calendar ?? new WorkCalendar(),
    },
    { orgId: o.org.id, actor: o.auditActor ?? o.actor.openId, chatId: null, wallNow: o.wallNow },
  );
  return { ...base, actor: o.actor, org: o.org };
}
