/**
 * The overdue ladder (docs/domain.md "Overdue ladder"), shared by rectifications, tasks and meetings:
 * steps at working-day offsets from a deadline. As of a day, the step to post is the highest one
 * whose date has come; lower ones are skipped (a bot that was down posts the current step, not a
 * backlog). Each step is claimed once per deadline, so an extension restarts the ladder.
 *
 * A target entered late (an item created, or imported, with a deadline near or already past) starts
 * its ladder on the day it came into being (`since`): the steps due on or before that day are never
 * posted — the item's card, sent to the owner when it was created, is that day's notice — and only the
 * later ones follow, each on its day. So an item created with a past deadline is not escalated (group
 * @, 加急, 逾期通报) within minutes of being entered.
 */
import type { WorkCalendar } from './workdays.ts';

export interface LadderStep {
  /** Stable id used in claim keys: `t-3`, `t0`, `t+1`, `t+3`. */
  id: string;
  /** Working days from the deadline (negative: before). */
  offset: number;
}

export const OVERDUE_LADDER: readonly LadderStep[] = [
  { id: 't-3', offset: -3 },
  { id: 't0', offset: 0 },
  { id: 't+1', offset: 1 },
  { id: 't+3', offset: 3 },
];

/** The working day a step falls on. T0 on a day off moves to the working day before it. */
export function stepDate(step: LadderStep, deadline: string, calendar: WorkCalendar): string {
  if (step.offset === 0) return calendar.onOrBefore(deadline);
  return calendar.addWorkdays(deadline, step.offset);
}

/**
 * The step due as of `today` (the highest reached), or undefined before the first one. With `since`
 * (the local day the target came into being), steps falling on or before that day are skipped for good.
 */
export function dueStep(
  ladder: readonly LadderStep[],
  deadline: string,
  today: string,
  calendar: WorkCalendar,
  since?: string,
): { step: LadderStep; date: string } | undefined {
  let due: { step: LadderStep; date: string } | undefined;
  for (const step of ladder) {
    const date = stepDate(step, deadline, calendar);
    if (since !== undefined && date <= since) continue;
    if (date <= today) due = { step, date };
  }
  return due;
}
