// Meeting attendance and the study 心得 as pure transitions (src/features/meetings/rules.ts), table-driven:
// 签到 and 请假 from each attendance state on open and cancelled sessions (the double-click 请假 refused,
// a changed reason taken, reasons trimmed and cut), and 心得 (study only, not after 请假, minimum length
// counted in characters, stored trimmed); the 签到 window per kind at its edges (opens 30 minutes before,
// closes 3 hours after, 4 for a 主题党日; days early and weeks late refused naming the window), 请假 only
// until the start, and no change once the minutes are recorded. The 参会回执 参加 (until the start; not 签到,
// and 缺席 once settled without one), the card's phase (before / open / started / closed), 改期 (answers kept,
// 签到 set back once the old window opened, refused after it) and each org's own windows (parsed, bounded,
// read defensively from its settings, taken by the rules as an input).
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  ATTENDANCE_WINDOWS,
  attendanceClosed,
  attendancePhase,
  attendanceWindow,
  attendanceWindowsOf,
  MEETING_KINDS,
  parseWindowWords,
  STUDY_KINDS,
  windowOf,
  windowText,
} from '../../src/features/meetings/model.ts';
import {
  type AttendeeState,
  askLeave,
  confirmAttending,
  correctAttendance,
  planMove,
  signIn,
  signInWindowText,
  submitReflection,
} from '../../src/features/meetings/rules.ts';

const TZ = 'Asia/Shanghai';
/** 2026-12-10 15:00 in Beijing. */
const START = '2026-12-10T07:00:00.000Z';
const at = (local: string) => new Date(`${local}+08:00`);
const base = { kind: 'committee', start_at: START, minutes_at: null, window: ATTENDANCE_WINDOWS.committee };
const open = { ...base, status: 'scheduled' as const };
const cancelled = { ...base, status: 'cancelled' as const };
/** In the 签到 window, and before the start (请假 still open). */
const NOW = at('2026-12-10T14:45:00');
const invited: AttendeeState = { status: 'invited', reason: null };
const signed: AttendeeState = { status: 'signed', reason: null };
const onLeave: AttendeeState = { status: 'leave', reason: '出差' };
const attending: AttendeeState = { status: 'attending', reason: null };

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof UserError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('signIn', () => {
  it.each([
    { s: open, a: invited, want: 'ok' },
    { s: open, a: onLeave, want: 'ok' },
    { s: open, a: signed, want: 'conflict: 您已经签到了。' },
    { s: open, a: undefined, want: 'forbidden: 您不在本次活动的参加人员名单中。' },
    { s: cancelled, a: invited, want: 'conflict: 本次活动已取消。' },
    { s: cancelled, a: undefined, want: 'conflict: 本次活动已取消。' },
  ])('$s.status, attendee $a.status → $want', ({ s, a, want }) => {
    expect(outcome(() => signIn(s, a, NOW, TZ))).toBe(want);
    if (want === 'ok') expect(signIn(s, a, NOW, TZ)).toEqual({ status: 'signed', reason: null });
  });
});

describe('the 签到 window', () => {
  const early = 'conflict: 签到尚未开始。签到时间为 12月10日 14:30 至 18:00。';
  const late = 'conflict: 签到已结束。签到时间为 12月10日 14:30 至 18:00。';
  it.each([
    { kind: 'committee', now: '2026-12-02T15:00:00', want: early }, // 8 days early
    { kind: 'committee', now: '2026-12-10T14:29:59', want: early },
    { kind: 'committee', now: '2026-12-10T14:30:00', want: 'ok' },
    { kind: 'committee', now: '2026-12-10T15:00:00', want: 'ok' },
    { kind: 'committee', now: '2026-12-10T17:59:59', want: 'ok' },
    { kind: 'committee', now: '2026-12-10T18:00:00', want: late },
    { kind: 'committee', now: '2027-01-28T15:00:00', want: late }, // seven weeks past
    { kind: 'central_group', now: '2026-12-10T17:59:59', want: 'ok' },
    { kind: 'theme_day', now: '2026-12-10T18:30:00', want: 'ok' },
    {
      kind: 'theme_day',
      now: '2026-12-10T19:00:00',
      want: 'conflict: 签到已结束。签到时间为 12月10日 14:30 至 19:00。',
    },
  ])('$kind at $now → $want', ({ kind, now, want }) => {
    const window = ATTENDANCE_WINDOWS[kind as keyof typeof ATTENDANCE_WINDOWS];
    expect(outcome(() => signIn({ ...open, kind, window }, invited, at(now), TZ))).toBe(want);
  });

  it('is refused once the minutes are recorded, even within the window', () => {
    const settled = { ...open, minutes_at: '2026-12-10T08:00:00.000Z' };
    expect(outcome(() => signIn(settled, invited, at('2026-12-10T16:30:00'), TZ))).toBe(
      'conflict: 本次活动已记录纪要，出勤情况不能再更改。',
    );
  });

  it('names both days when it runs past midnight', () => {
    expect(signInWindowText({ ...base, start_at: '2026-12-10T15:00:00.000Z' }, TZ)).toBe(
      '签到时间为 12月10日 22:30 至 12月11日 02:00。',
    );
  });

  it('has a window for every kind, opening before the start and closing after it', () => {
    for (const k of [...MEETING_KINDS, ...STUDY_KINDS]) {
      expect(ATTENDANCE_WINDOWS[k].opensBefore).toBeGreaterThan(0);
      expect(ATTENDANCE_WINDOWS[k].closesAfter).toBeGreaterThan(0);
    }
  });

  it.each([
    { now: '2026-12-10T17:59:59', closed: false },
    { now: '2026-12-10T18:00:00', closed: true },
  ])('is closed at $now: $closed (缺席 counted from then)', ({ now, closed }) => {
    expect(attendanceClosed(base, at(now))).toBe(closed);
  });
});

describe('askLeave', () => {
  it.each([
    { s: open, a: invited, reason: ' 出差 ', want: 'ok' },
    { s: open, a: signed, reason: '临时有事', want: 'ok' },
    { s: open, a: onLeave, reason: '生病', want: 'ok' },
    { s: open, a: onLeave, reason: ' 出差', want: 'conflict: 您已经请假了。' },
    { s: open, a: invited, reason: '  ', want: 'bad_args: 请假需要填写理由。' },
    { s: open, a: undefined, reason: '出差', want: 'forbidden: 您不在本次活动的参加人员名单中。' },
    { s: cancelled, a: invited, reason: '出差', want: 'conflict: 本次活动已取消。' },
  ])('$s.status, attendee $a.status, reason “$reason” → $want', ({ s, a, reason, want }) => {
    expect(outcome(() => askLeave(s, a, reason, NOW, TZ))).toBe(want);
  });

  it.each([
    { now: '2026-12-02T15:00:00', want: 'ok' },
    { now: '2026-12-10T14:59:59', want: 'ok' },
    { now: '2026-12-10T15:00:00', want: 'conflict: 活动已开始，不能再请假（请假须在 12月10日 15:00 开始前提出）。' },
    { now: '2026-12-10T16:00:00', want: 'conflict: 活动已开始，不能再请假（请假须在 12月10日 15:00 开始前提出）。' },
  ])('is asked until the start: at $now → $want', ({ now, want }) => {
    expect(outcome(() => askLeave(open, signed, '临时有事', at(now), TZ))).toBe(want);
  });

  it('is refused once the minutes are recorded', () => {
    const settled = { ...open, minutes_at: '2026-12-10T08:00:00.000Z' };
    expect(outcome(() => askLeave(settled, signed, '临时有事', at('2026-12-10T17:00:00'), TZ))).toBe(
      'conflict: 本次活动已记录纪要，出勤情况不能再更改。',
    );
  });

  it('stores the reason trimmed and cut to 200 characters', () => {
    expect(askLeave(open, invited, ' 出差 ', NOW, TZ)).toEqual({ status: 'leave', reason: '出差' });
    expect(askLeave(open, invited, 'x'.repeat(300), NOW, TZ).reason).toHaveLength(200);
  });
});

describe('correctAttendance (an admin’s 补正)', () => {
  const closed = at('2026-12-10T18:00:00');
  const settled = { ...open, minutes_at: '2026-12-10T08:00:00.000Z' };
  it.each([
    { s: open, a: onLeave, to: 'signed' as const, now: closed, want: 'ok' },
    { s: open, a: invited, to: 'leave' as const, now: closed, want: 'ok' },
    { s: open, a: signed, to: 'absent' as const, now: closed, want: 'ok' },
    { s: settled, a: onLeave, to: 'signed' as const, now: at('2026-12-10T16:30:00'), want: 'ok' },
    {
      s: open,
      a: invited,
      to: 'signed' as const,
      now: at('2026-12-10T17:59:59'),
      want: 'conflict: 签到尚未结束，请本人在卡片上签到或请假。签到时间为 12月10日 14:30 至 18:00。',
    },
    { s: open, a: signed, to: 'signed' as const, now: closed, want: 'conflict: 此人已是签到，无需补正。' },
    { s: open, a: invited, to: 'absent' as const, now: closed, want: 'conflict: 此人已是缺席，无需补正。' },
    {
      s: open,
      a: undefined,
      to: 'signed' as const,
      now: closed,
      want: 'not_found: 此人不在本次活动的参加人员名单中。',
    },
    { s: cancelled, a: invited, to: 'signed' as const, now: closed, want: 'conflict: 本次活动已取消。' },
  ])('$a.status → $to at $now → $want', ({ s, a, to, now, want }) => {
    expect(outcome(() => correctAttendance(s, a, to, '现场签到表为证', now, TZ))).toBe(want);
  });

  it('needs a reason; stores 缺席 as no answer and keeps the reason of a 请假', () => {
    const closed2 = at('2026-12-11T10:00:00');
    expect(outcome(() => correctAttendance(open, invited, 'signed', ' ', closed2, TZ))).toBe(
      'bad_args: 补正需要填写理由。',
    );
    expect(correctAttendance(open, signed, 'absent', ' 未到会 ', closed2, TZ)).toEqual({
      status: 'invited',
      reason: null,
      why: '未到会',
    });
    expect(correctAttendance(open, invited, 'leave', '事前已口头请假', closed2, TZ)).toEqual({
      status: 'leave',
      reason: '事前已口头请假',
      why: '事前已口头请假',
    });
  });
});

describe('submitReflection', () => {
  const study = { category: 'study' as const };
  const long = `  ${'学'.repeat(100)}  `;
  it.each([
    { s: study, a: signed, text: long, want: 'ok' },
    { s: study, a: invited, text: long, want: 'ok' },
    { s: { category: 'meeting' as const }, a: signed, text: long, want: 'bad_args: 只有学习活动需要提交心得。' },
    { s: study, a: onLeave, text: long, want: 'conflict: 您本次请假了，不需要提交心得。' },
    { s: study, a: undefined, text: long, want: 'forbidden: 您不在本次活动的参加人员名单中。' },
    { s: study, a: signed, text: '学'.repeat(99), want: 'bad_args: 学习心得不少于 100 字（现在 99 字）。' },
    // Characters, not UTF-16 units: 99 emoji are 198 units but still too short.
    { s: study, a: signed, text: '😀'.repeat(99), want: 'bad_args: 学习心得不少于 100 字（现在 99 字）。' },
  ])('$s.category, attendee $a.status → $want', ({ s, a, text, want }) => {
    expect(outcome(() => submitReflection(s, a, text, 100))).toBe(want);
  });

  it('stores the text trimmed, at most 5000 characters, and reports its length', () => {
    expect(submitReflection(study, signed, long, 100)).toEqual({ text: '学'.repeat(100), length: 100 });
    expect(submitReflection(study, signed, 'x'.repeat(6000), 100).text).toHaveLength(5000);
  });
});

describe('confirmAttending (the 参会回执 参加)', () => {
  it.each([
    { s: open, a: invited, now: '2026-12-02T10:00:00', want: 'ok' },
    { s: open, a: onLeave, now: '2026-12-10T14:59:59', want: 'ok' }, // changes their mind
    { s: open, a: attending, now: '2026-12-02T10:00:00', want: 'conflict: 您已回复参加，请在签到时间内签到。' },
    { s: open, a: signed, now: '2026-12-10T14:45:00', want: 'conflict: 您已经签到了。' },
    { s: open, a: undefined, now: '2026-12-02T10:00:00', want: 'forbidden: 您不在本次活动的参加人员名单中。' },
    { s: cancelled, a: invited, now: '2026-12-02T10:00:00', want: 'conflict: 本次活动已取消。' },
    {
      s: open,
      a: invited,
      now: '2026-12-10T15:00:00',
      want: 'conflict: 活动已开始，参会回执已截止。签到时间为 12月10日 14:30 至 18:00。',
    },
  ])('$s.status, attendee $a.status at $now → $want', ({ s, a, now, want }) => {
    expect(outcome(() => confirmAttending(s, a, at(now), TZ))).toBe(want);
    if (want === 'ok') expect(confirmAttending(s, a, at(now), TZ)).toEqual({ status: 'attending', reason: null });
  });

  it('is not 签到: one who answered 参加 still signs in within the window, and not before it', () => {
    expect(signIn(open, attending, NOW, TZ)).toEqual({ status: 'signed', reason: null });
    expect(outcome(() => signIn(open, attending, at('2026-12-10T14:29:59'), TZ))).toBe(
      'conflict: 签到尚未开始。签到时间为 12月10日 14:30 至 18:00。',
    );
  });

  it('counts as 缺席 once settled: a 补正 to 缺席 is not needed, one to 签到 is taken', () => {
    const closed = at('2026-12-10T18:00:00');
    expect(outcome(() => correctAttendance(open, attending, 'absent', '未到会', closed, TZ))).toBe(
      'conflict: 此人已是缺席，无需补正。',
    );
    expect(correctAttendance(open, attending, 'signed', '现场签到表为证', closed, TZ).status).toBe('signed');
  });
});

describe('attendancePhase (the buttons a card offers)', () => {
  it.each([
    { now: '2026-12-02T10:00:00', minutes: null, want: 'before' },
    { now: '2026-12-10T14:29:59', minutes: null, want: 'before' },
    { now: '2026-12-10T14:30:00', minutes: null, want: 'open' },
    { now: '2026-12-10T14:59:59', minutes: null, want: 'open' },
    { now: '2026-12-10T15:00:00', minutes: null, want: 'started' },
    { now: '2026-12-10T17:59:59', minutes: null, want: 'started' },
    { now: '2026-12-10T18:00:00', minutes: null, want: 'closed' },
    { now: '2026-12-10T16:00:00', minutes: '2026-12-10T08:00:00.000Z', want: 'closed' }, // minutes freeze it
  ])('at $now (minutes $minutes) → $want', ({ now, minutes, want }) => {
    expect(attendancePhase({ ...base, minutes_at: minutes }, at(now))).toBe(want);
  });

  it('follows the org’s own window', () => {
    const own = { committee: { opensBefore: 60, closesAfter: 120 } };
    expect(attendancePhase(base, at('2026-12-10T14:00:00'), own)).toBe('open');
    expect(attendancePhase(base, at('2026-12-10T17:00:00'), own)).toBe('closed');
    expect(attendanceClosed(base, at('2026-12-10T17:00:00'), own)).toBe(true);
    expect(attendanceClosed(base, at('2026-12-10T17:00:00'))).toBe(false);
  });
});

describe('planMove (改期)', () => {
  const to = at('2026-12-17T15:00:00');
  it.each([
    { s: open, now: '2026-12-08T10:00:00', to, want: 'ok: keep' },
    { s: open, now: '2026-12-10T14:29:59', to, want: 'ok: keep' },
    { s: open, now: '2026-12-10T14:30:00', to, want: 'ok: reset' }, // 签到 given in the old window is set back
    { s: open, now: '2026-12-10T15:20:00', to, want: 'ok: reset' }, // started, the quorum short
    {
      s: open,
      now: '2026-12-10T18:00:00',
      to,
      want: 'conflict: 原定时间的签到已于 12月10日 18:00 结束，不能再改期。如活动实际未召开，请取消后重新发布通知。',
    },
    {
      s: { ...open, minutes_at: '2026-12-10T08:00:00.000Z' },
      now: '2026-12-10T16:30:00',
      to,
      want: 'conflict: 本次活动已记录纪要，不能再改期。',
    },
    { s: cancelled, now: '2026-12-08T10:00:00', to, want: 'conflict: 本次活动已取消。' },
    { s: open, now: '2026-12-08T10:00:00', to: at('2026-12-08T09:00:00'), want: 'bad_args: 新的时间应晚于现在。' },
    { s: open, now: '2026-12-08T10:00:00', to: new Date(START), want: 'bad_args: 新的时间与原定时间相同。' },
  ])('at $now → $want', ({ s, now, to: when, want }) => {
    let plan: { resetSignIns: boolean } | undefined;
    const got = outcome(() => {
      plan = planMove(s, when, at(now), TZ);
    });
    expect(got === 'ok' ? `ok: ${plan?.resetSignIns ? 'reset' : 'keep'}` : got).toBe(want);
  });
});

describe('per-org windows', () => {
  it.each([
    { words: ['开始前30', '开始后180'], want: { opensBefore: 30, closesAfter: 180 } },
    { words: ['开始后4小时', '提前60'], want: { opensBefore: 60, closesAfter: 240 } },
    { words: ['开始前0', '开始后30分钟'], want: { opensBefore: 0, closesAfter: 30 } },
    { words: ['开始前720', '开始后1440'], want: { opensBefore: 720, closesAfter: 1440 } },
    { words: ['开始前30'], want: '请同时写明签到开始（开始前多少分钟）和结束（开始后多少分钟）。' },
    { words: ['开始前30', '结束后180'], want: '“结束后180”看不懂，应写成“开始前30”或“开始后180”（分钟）。' },
    { words: ['开始前30', '开始后29'], want: 'limits' },
    { words: ['开始前721', '开始后180'], want: 'limits' },
    { words: ['开始前30', '开始后25小时'], want: 'limits' },
  ])('$words → $want', ({ words, want }) => {
    const got = parseWindowWords(words);
    if (want === 'limits')
      expect(got).toEqual({ problem: '签到最早在开始前 12小时 开放，结束时间应在开始后 30分钟 至 24小时 之间。' });
    else expect(got).toEqual(typeof want === 'string' ? { problem: want } : want);
  });

  it('reads an org’s settings defensively: unknown kinds and values out of bounds keep the default', () => {
    const own = attendanceWindowsOf({
      attendanceWindows: {
        committee: { opensBefore: 60, closesAfter: 120 },
        theme_day: { opensBefore: 30, closesAfter: 5 },
        picnic: { opensBefore: 30, closesAfter: 120 },
        general: 'all day',
      },
    });
    expect(own).toEqual({ committee: { opensBefore: 60, closesAfter: 120 } });
    expect(attendanceWindowsOf({})).toEqual({});
    expect(attendanceWindowsOf({ attendanceWindows: 'x' })).toEqual({});
    expect(windowOf('committee', own)).toEqual({ opensBefore: 60, closesAfter: 120 });
    expect(windowOf('theme_day', own)).toEqual(ATTENDANCE_WINDOWS.theme_day);
    expect(attendanceWindow('committee', START, own).opens.toISOString()).toBe('2026-12-10T06:00:00.000Z');
    expect(windowText({ opensBefore: 90, closesAfter: 240 })).toBe('开始前1小时30分钟至开始后4小时');
  });

  it('the rules take the window as an input: 签到 at 14:05 with a 60-minute opening', () => {
    const s = { ...open, window: { opensBefore: 60, closesAfter: 120 } };
    expect(outcome(() => signIn(s, invited, at('2026-12-10T14:05:00'), TZ))).toBe('ok');
    expect(outcome(() => signIn(s, invited, at('2026-12-10T17:00:00'), TZ))).toBe(
      'conflict: 签到已结束。签到时间为 12月10日 14:00 至 17:00。',
    );
  });
});
