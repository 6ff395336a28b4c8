/** When a held delivery may go out (src/scheduler/gate.ts `nextNudgeTime`): the work calendar and quiet hours. */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { nextNudgeTime } from '../../src/scheduler/gate.ts';

const tz = 'Asia/Shanghai';
const wc = new WorkCalendar();
const bj = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);

describe('nextNudgeTime', () => {
  it.each([
    // [now, quiet hours, expected]
    ['2026-12-03 10:00', { start: '20:00', end: '08:00' }, '2026-12-03 10:00'], // open now
    ['2026-12-03 21:30', { start: '20:00', end: '08:00' }, '2026-12-04 08:00'], // evening → next morning
    ['2026-12-04 21:30', { start: '20:00', end: '08:00' }, '2026-12-07 08:00'], // Friday evening → Monday
    ['2026-10-02 10:00', { start: '20:00', end: '08:00' }, '2026-10-08 08:00'], // 国庆节 → first working day
    ['2026-12-31 22:00', { start: '20:00', end: '08:00' }, '2027-01-04 08:00'], // over 元旦 and the weekend
    ['2026-12-03 12:30', { start: '12:00', end: '13:30' }, '2026-12-03 13:30'], // a quiet noon
    ['2026-12-05 12:30', { start: '12:00', end: '13:30' }, '2026-12-07 00:00'], // Saturday, quiet only at noon
    ['2026-12-05 12:30', { start: '00:00', end: '00:00' }, '2026-12-07 00:00'], // no quiet hours at all
  ] as const)('%s with quiet %o → %s', (now, quiet, expected) => {
    const [d, t] = now.split(' ') as [string, string];
    const [ed, et] = expected.split(' ') as [string, string];
    expect(nextNudgeTime(bj(d, t), tz, wc, quiet)?.toISOString()).toBe(bj(ed, et).toISOString());
  });
});
