/**
 * What the demo seeds (seed-rectifications, seed-tasks, seed-meetings) share: their dependencies, and
 * one transaction in which they act as the demo branch's members.
 */
import type { Kysely } from 'kysely';
import type { ActingContext, Logger } from '../core/contracts.ts';
import { listMembers, roleOf } from '../db/repositories/members.ts';
import type { Database, Member, Org } from '../db/schema.ts';
import { localDate } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { actingContext } from '../services/acting.ts';

export interface SeedDeps {
  db: Kysely<Database>;
  org: Org;
  now: Date;
  timezone: string;
  logger: Logger;
  calendar: WorkCalendar;
}

export interface SeedScope {
  trx: Kysely<Database>;
  /** The local date of `now`. */
  today: string;
  members: Member[];
  /** The member of that name (the demo roster has it). */
  by: (name: string) => Member;
  /** The first member holding that role (the demo roster has one). */
  withRole: (role: string) => Member;
  /** Acting as `m` at `now` (default: the seed's `now`). */
  as: (m: Member, now?: Date) => ActingContext;
}

/** Runs `work` in one transaction, with the org's members at hand. */
export async function seedInTransaction(d: SeedDeps, work: (s: SeedScope) => Promise<void>): Promise<void> {
  const today = localDate(d.now, d.timezone);
  await d.db.transaction().execute(async (trx) => {
    const members = await listMembers(trx, d.org.id);
    await work({
      trx,
      today,
      members,
      by: (name) => members.find((m) => m.name === name) as Member,
      withRole: (role) => members.find((m) => m.role === role) as Member,
      as: (m, now = d.now) =>
        actingContext(trx, {
          org: d.org,
          actor: { openId: m.open_id, name: m.name, role: roleOf(m), isBotAdmin: false },
          now,
          wallNow: d.now,
          timezone: d.timezone,
          logger: d.logger,
          calendar: d.calendar,
        }),
    });
  });
}
