/**
 * The overdue ladder's rule for a target entered late (issue 18 item 3): steps due on or before the
 * day it came into being are never due; the later ones are, each on its day; without that day (or
 * with one before every step) the ladder is as before — the highest step reached, a bot that was down
 * posting the current step only. And where each deadline's words stand (the card's colours).
 */
import { describe, expect, it } from 'vitest';
import { dueStep, OVERDUE_LADDER } from '../../src/domain/ladder.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { deadlineText, deadlineTone } from '../../src/features/rectification/model.ts';

const calendar = new WorkCalendar();
const due = (deadline: string, today: string, since?: string) =>
  dueStep(OVERDUE_LADDER, deadline, today, calendar, since)?.step.id;

describe('the ladder of a target entered late', () => {
  // November 2026: 11-20 is a Friday, 11-23 a Monday; no holidays.
  it.each([
    // deadline, since (created), today, step due
    ['2026-11-05', '2026-11-20', '2026-11-20', undefined], // T+3 (11-10) passed before it existed
    ['2026-11-05', '2026-11-20', '2026-12-15', undefined], // … and stays skipped
    ['2026-11-18', '2026-11-20', '2026-11-20', undefined], // T+1 (11-19) passed; T+3 is 11-23
    ['2026-11-18', '2026-11-20', '2026-11-23', 't+3'], // the next step after creation, on its day
    ['2026-11-25', '2026-11-20', '2026-11-20', undefined], // T−3 falls on the day of creation
    ['2026-11-25', '2026-11-20', '2026-11-24', undefined],
    ['2026-11-25', '2026-11-20', '2026-11-25', 't0'],
    ['2026-11-25', '2026-11-20', '2026-11-26', 't+1'],
    ['2026-11-20', '2026-11-20', '2026-11-20', undefined], // created on its deadline: the card is that day's notice
    ['2026-11-20', '2026-11-20', '2026-11-23', 't+1'],
  ])('deadline %s, created %s: as of %s the step due is %s', (deadline, since, today, step) => {
    expect(due(deadline, today, since)).toBe(step);
  });

  it('an item known before its ladder began walks every step; without a creation day the current step only', () => {
    for (const [today, step] of [
      ['2026-11-19', undefined],
      ['2026-11-20', 't-3'],
      ['2026-11-25', 't0'],
      ['2026-11-26', 't+1'],
      ['2026-11-30', 't+3'],
    ] as const) {
      expect(due('2026-11-25', today, '2026-11-02')).toBe(step);
      expect(due('2026-11-25', today)).toBe(step);
    }
    // After downtime (no creation day in the way) the highest step reached, not a backlog.
    expect(due('2026-11-05', '2026-11-20')).toBe('t+3');
  });
});

describe('where a deadline stands', () => {
  it.each([
    ['2026-12-17', '2026-11-18', null, 'running', '还剩 29 天'],
    ['2026-11-18', '2026-11-18', null, 'today', '今天到期'],
    ['2026-11-16', '2026-11-18', null, 'overdue', '已逾期 2 天'],
    ['2026-11-10', '2026-11-18', '2026-11-16', 'met_late', '逾期 6 天后销号'],
    ['2026-11-20', '2026-11-30', '2026-11-16', 'met', '按期销号'],
  ] as const)('deadline %s, today %s, closed %s: %s (%s)', (deadline, today, closedOn, tone, text) => {
    expect(deadlineTone(deadline, { today, closedOn })).toBe(tone);
    expect(deadlineText(deadline, { today, closedOn })).toBe(text);
  });
});
