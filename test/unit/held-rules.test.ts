// The held rule (src/features/meetings/held.ts), table-driven: before the start 已安排, in the 签到 window
// 进行中, settled with no one signed in 未召开, a meeting that votes without more than half of its voting
// members 未召开, held with the minutes pending / overdue (3 working days) / recorded, recorded minutes
// settling attendance early, cancelled, and 补录; the words follow the kind (已讲 a 党课, 已开展 a 主题党日)
// and the short status of lists and ledgers (纪要待补, （补录）).
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import {
  attendanceSettled,
  type HeldAttendee,
  type HeldInput,
  recordStateText,
  recordStatusLabel,
  sessionRecordState,
  stateLabel,
} from '../../src/features/meetings/held.ts';

const TZ = 'Asia/Shanghai';
const cal = new WorkCalendar();
const at = (local: string) => new Date(`${local}+08:00`);
/** A 支委会 on Thursday 2026-12-10 15:00 Beijing; its 签到 window closes at 18:00; minutes due Tuesday 12-15 (3 working days). */
const START = '2026-12-10T07:00:00.000Z';
const session = (o: Partial<HeldInput> = {}): HeldInput => ({
  status: 'scheduled',
  kind: 'committee',
  start_at: START,
  minutes: null,
  minutes_at: null,
  recorded_as: 'live',
  ...o,
});
const people = (signed: number, leave: number, invited: number, voting = 1): HeldAttendee[] => [
  ...Array.from({ length: signed }, () => ({ status: 'signed', voting })),
  ...Array.from({ length: leave }, () => ({ status: 'leave', voting })),
  ...Array.from({ length: invited }, () => ({ status: 'invited', voting })),
];
const MINUTES = { minutes: '会议决定……', minutes_at: '2026-12-10T10:30:00.000Z' };

describe('sessionRecordState', () => {
  const cases: [string, Partial<HeldInput>, HeldAttendee[], string, Record<string, unknown>][] = [
    ['a week before the start', {}, people(0, 1, 4), '2026-12-03T10:00:00', { state: 'scheduled', minutes: 'not_due' }],
    ['a minute before the start', {}, people(3, 0, 2), '2026-12-10T14:59:00', { state: 'scheduled' }],
    ['in the 签到 window', {}, people(3, 0, 2), '2026-12-10T16:00:00', { state: 'in_progress' }],
    ['the window’s last minute', {}, people(3, 0, 2), '2026-12-10T17:59:00', { state: 'in_progress' }],
    [
      'settled with no one signed in',
      {},
      people(0, 2, 3),
      '2026-12-10T18:00:00',
      { state: 'not_held', why: '无人签到，没有出勤记录。', minutes: 'not_due', minutesDue: null },
    ],
    [
      'a 支委会 with 2 of 5 voting members present',
      {},
      people(2, 1, 2),
      '2026-12-11T09:00:00',
      {
        state: 'not_held',
        why: '有表决权的党员 5 人，到会 2 人，未超过半数。',
        voting: { total: 5, present: 2, quorum: false },
      },
    ],
    [
      'a 党员大会 with exactly half present',
      { kind: 'general' },
      people(3, 3, 0),
      '2026-12-11T09:00:00',
      { state: 'not_held' },
    ],
    [
      'a 党员大会 where 预备党员 (no vote) make up the numbers',
      { kind: 'general' },
      [...people(1, 0, 2), ...people(4, 0, 0, 0)],
      '2026-12-11T09:00:00',
      { state: 'not_held', present: 5, voting: { total: 3, present: 1, quorum: false } },
    ],
    [
      'a 主题党日 with one signed in (no vote, no quorum)',
      { kind: 'theme_day' },
      people(1, 0, 20),
      '2026-12-11T09:00:00',
      { state: 'held', voting: null, minutes: 'pending' },
    ],
    [
      'held, minutes pending until the 3rd working day',
      {},
      people(3, 1, 1),
      '2026-12-15T23:59:00',
      { state: 'held', minutes: 'pending', minutesDue: '2026-12-15', present: 3, invited: 5 },
    ],
    [
      'held, minutes overdue the day after',
      {},
      people(3, 1, 1),
      '2026-12-16T08:00:00',
      { state: 'held', minutes: 'overdue', minutesDue: '2026-12-15' },
    ],
    [
      'held with minutes recorded',
      MINUTES,
      people(3, 1, 1),
      '2026-12-28T10:00:00',
      { state: 'held', minutes: 'recorded', backfilled: false },
    ],
    [
      'minutes recorded in the window settle attendance',
      MINUTES,
      people(3, 0, 2),
      '2026-12-10T16:00:00',
      { state: 'held', minutes: 'recorded' },
    ],
    ['cancelled', { status: 'cancelled' }, people(3, 0, 2), '2026-12-11T09:00:00', { state: 'cancelled' }],
    [
      '补录: held, minutes recorded, marked',
      { ...MINUTES, minutes_at: '2026-12-20T02:00:00.000Z', recorded_as: 'backfill' },
      people(4, 1, 0),
      '2026-12-20T10:00:00',
      { state: 'held', minutes: 'recorded', backfilled: true },
    ],
    [
      '补录 without a quorum is 未召开 all the same',
      { ...MINUTES, recorded_as: 'backfill' },
      people(1, 0, 4),
      '2026-12-20T10:00:00',
      { state: 'not_held', backfilled: true },
    ],
  ];
  it.each(cases)('%s', (_label, s, attendees, now, expected) => {
    expect(sessionRecordState(session(s), attendees, at(now), TZ, cal)).toMatchObject(expected);
  });

  it('settles 签到 when the window closes or the minutes are recorded', () => {
    expect(attendanceSettled(session(), at('2026-12-10T17:59:59'))).toBe(false);
    expect(attendanceSettled(session(), at('2026-12-10T18:00:00'))).toBe(true);
    expect(attendanceSettled(session(MINUTES), at('2026-12-10T15:30:00'))).toBe(true);
  });

  it('follows the org’s own 签到 window for the kind', () => {
    const windows = { committee: { opensBefore: 30, closesAfter: 360 } };
    expect(attendanceSettled(session(), at('2026-12-10T18:00:00'), windows)).toBe(false);
    expect(sessionRecordState(session(), people(3, 0, 2), at('2026-12-10T18:00:00'), TZ, cal, windows).state).toBe(
      'in_progress',
    );
    expect(sessionRecordState(session(), people(0, 0, 5), at('2026-12-10T21:00:00'), TZ, cal, windows).state).toBe(
      'not_held',
    );
  });
});

describe('the words of a record', () => {
  const state = (s: Partial<HeldInput>, a: HeldAttendee[], now: string) =>
    sessionRecordState(session(s), a, at(now), TZ, cal);

  it('uses the verb of the kind', () => {
    expect(['committee', 'lecture', 'theme_day', 'warning', 'central_group'].map((k) => stateLabel('held', k))).toEqual(
      ['已召开', '已讲', '已开展', '已开展', '已组织'],
    );
    expect(stateLabel('not_held', 'lecture')).toBe('未讲');
    expect(stateLabel('scheduled', 'lecture')).toBe('已安排');
  });

  it.each([
    [{}, people(0, 0, 5), '2026-12-03T10:00:00', '已安排', '已安排'],
    [{}, people(2, 0, 3), '2026-12-10T16:00:00', '进行中', '进行中'],
    [{}, people(3, 1, 1), '2026-12-14T10:00:00', '纪要待补', '已召开（纪要待补，2026-12-15 前）'],
    [{}, people(3, 1, 1), '2026-12-16T10:00:00', '纪要待补', '已召开（纪要待补，已超过 2026-12-15 的期限）'],
    [MINUTES, people(3, 1, 1), '2026-12-18T10:00:00', '已召开', '已召开'],
    [{}, people(0, 1, 4), '2026-12-11T10:00:00', '未召开', '未召开（无人签到，没有出勤记录）'],
    [{ status: 'cancelled' as const }, people(0, 0, 5), '2026-12-11T10:00:00', '已取消', '已取消'],
    [
      { ...MINUTES, recorded_as: 'backfill' },
      people(3, 0, 0),
      '2026-12-18T10:00:00',
      '已召开（补录）',
      '已召开（补录）',
    ],
  ])('%#: %s → %s / %s', (s, a, now, label, text) => {
    const r = state(s, a, now);
    expect(recordStatusLabel(r, 'committee')).toBe(label);
    expect(recordStateText(r, 'committee')).toBe(text);
  });

  it('a study session’s record is its 学习记录', () => {
    const r = state({ kind: 'central_group' }, people(3, 0, 0), '2026-12-14T10:00:00');
    expect(recordStatusLabel(r, 'central_group')).toBe('学习记录待补');
    expect(recordStateText(r, 'central_group')).toBe('已组织（学习记录待补，2026-12-15 前）');
  });

  it('a 党课 held is 已讲', () => {
    const r = state({ kind: 'lecture', ...MINUTES }, people(3, 0, 0), '2026-12-18T10:00:00');
    expect(recordStatusLabel(r, 'lecture')).toBe('已讲');
  });
});
