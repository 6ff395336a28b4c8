/**
 * The nudge gate, kept by the runner for every job's deliveries (DOMAIN.md, the work calendar): what a
 * job sends people goes out on a working day (调休 Saturdays included) outside its org's quiet hours,
 * whichever run collected it — a scheduled tick, the run at start-up that catches up on what was missed
 * while the bot was down, a job's own catch-up days after a period (the quarter's roll-up, the week's
 * 总览), a run from the command line or the sandbox. A delivery collected while its org's gate is shut
 * is not claimed: it waits, and the scheduler runs its job again when that gate next opens (`Scheduler`).
 */
import type { Kysely } from 'kysely';
import { findOrgById, orgSettings } from '../db/repositories/orgs.ts';
import type { Database } from '../db/schema.ts';
import { DEFAULT_QUIET_HOURS, mayNudge, type QuietHours, quietHoursOf } from '../domain/nudge-window.ts';
import { addDays, localDate, zonedInstant } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';

/**
 * Jobs whose deliveries are not held to the gate, each with why. Every other job's deliveries are —
 * a new job too, unless it is named here.
 */
export const UNGATED_JOBS: Readonly<Record<string, string>> = {
  'meeting-reminders':
    'the reminder 1 hour before a meeting goes out whenever the meeting is (a Saturday one too); its other steps check the gate themselves',
  'task-occurrences': "each period's tasks are made, and their cards sent, as the period begins: not a nudge",
  'member-reconcile': 'a membership ends when its person has left the chats, whatever the day',
};

export function isGated(jobName: string): boolean {
  return !Object.hasOwn(UNGATED_JOBS, jobName);
}

/** How far ahead the next opening is looked for (the longest run of days off is about 9 days). */
const SEARCH_DAYS = 60;

/**
 * The first instant at or after `now` when a nudge may go out (nudge-window.ts `mayNudge`), or
 * undefined when none is found within `SEARCH_DAYS`. An allowed stretch of a day begins at midnight or
 * where the quiet hours end, so those are the only candidates besides `now` itself.
 */
export function nextNudgeTime(
  now: Date,
  tz: string,
  calendar: WorkCalendar,
  quiet: QuietHours = DEFAULT_QUIET_HOURS,
): Date | undefined {
  if (mayNudge(now, tz, calendar, quiet)) return now;
  const today = localDate(now, tz);
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const day = addDays(today, i);
    if (!mayNudge(zonedInstant(day, '12:00', tz), tz, calendar, { start: '00:00', end: '00:00' })) continue;
    const starts = [zonedInstant(day, '00:00', tz), zonedInstant(day, quiet.end, tz)]
      .filter((t) => t.getTime() > now.getTime() && mayNudge(t, tz, calendar, quiet))
      .sort((a, b) => a.getTime() - b.getTime());
    if (starts[0]) return starts[0];
  }
  return undefined;
}

/**
 * The gate as of `now`, asked per delivery: undefined when the delivery may go out now, else when its
 * org's gate opens next (a date far ahead when none is found, so that it is not tried every minute).
 * Orgs are read once per run; a delivery for no org meets the default quiet hours.
 */
export function deliveryGate(
  db: Kysely<Database>,
  calendar: WorkCalendar,
  tz: string,
  now: Date,
): (orgId: number | null) => Promise<Date | undefined> {
  const known = new Map<number | null, Date | undefined>();
  return async (orgId) => {
    if (known.has(orgId)) return known.get(orgId);
    let quiet = DEFAULT_QUIET_HOURS;
    if (orgId !== null) {
      const org = await findOrgById(db, orgId);
      if (org) quiet = quietHoursOf(orgSettings(org));
    }
    const next = nextNudgeTime(now, tz, calendar, quiet);
    const shut = next === undefined ? new Date(now.getTime() + SEARCH_DAYS * 86_400_000) : next;
    const answer = shut.getTime() <= now.getTime() ? undefined : shut;
    known.set(orgId, answer);
    return answer;
  };
}
