// Study counted right (issue 13 item 4) as pure rules (src/features/meetings/study-rules.ts), table-driven:
// a 心得 is refused before the session's start (naming it) and from one who did not sign in (pointed to
// 补学 once 签到 is over); the card's count is 心得 of those who signed in / those who signed in, a 心得 of
// one who never signed in not counted, 补学 apart; 补学 only for an invitee who missed (缺席 or 请假) once
// the 签到 window has closed (or the minutes are recorded), once; and the half-year 通报: 出勤率 over
// the real attendees, who missed, who owes a 心得, 补学 never counted as attending.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  assertMakeupOpen,
  assertReflectionOpen,
  attendanceRate,
  compileStudyReport,
  makeupText,
  type ReportSession,
  reflectionCounts,
  reflectionMark,
  studySettled,
  studyState,
} from '../../src/features/meetings/study-rules.ts';

const TZ = 'Asia/Shanghai';
/** 2026-12-10 15:00 in Beijing; 签到 closes at 18:00 (a 中心组学习: 3 hours after the start). */
const START = '2026-12-10T07:00:00.000Z';
const at = (local: string) => new Date(`${local}+08:00`);
const study = {
  id: 7,
  category: 'study' as const,
  status: 'scheduled' as const,
  kind: 'central_group',
  start_at: START,
  minutes_at: null,
};
const BEFORE = at('2026-12-10T14:59:00');
const DURING = at('2026-12-10T16:00:00');
const AFTER = at('2026-12-10T18:00:00');

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof UserError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('a 心得 from the session’s start, by one who signed in', () => {
  const early = 'conflict: 学习尚未开始，心得请在学习开始（12月10日 15:00）后提交。';
  const signFirst = 'conflict: 请先在学习卡片上签到，再提交心得。';
  const missed =
    'conflict: 您本次没有签到，心得不能按参加学习提交。如需补学，请发送 /学习 补学 7，获取学习材料并提交补学心得。';
  const leaveAfter = 'conflict: 您本次请假了，不需要提交心得。如需补学，请发送 /学习 补学 7。';
  it.each([
    { who: 'signed', now: BEFORE, want: early },
    { who: 'signed', now: at('2026-12-03T10:00:00'), want: early },
    { who: 'signed', now: new Date(START), want: 'ok' },
    { who: 'signed', now: AFTER, want: 'ok' },
    { who: 'signed', now: at('2027-01-20T10:00:00'), want: 'ok' },
    { who: 'invited', now: BEFORE, want: early },
    { who: 'invited', now: DURING, want: signFirst },
    { who: 'attending', now: DURING, want: signFirst },
    { who: 'invited', now: AFTER, want: missed },
    { who: 'attending', now: AFTER, want: missed },
    // Before the window closes the common rule answers 请假 (rules.ts); after it, 补学 is named.
    { who: 'leave', now: DURING, want: 'ok' },
    { who: 'leave', now: AFTER, want: leaveAfter },
  ])('$who at $now → $want', ({ who, now, want }) => {
    expect(outcome(() => assertReflectionOpen(study, { status: who }, now, TZ))).toBe(want);
  });

  it('leaves meetings and people not invited to the common rule, refuses a cancelled session', () => {
    expect(
      outcome(() => assertReflectionOpen({ ...study, category: 'meeting' }, { status: 'invited' }, BEFORE, TZ)),
    ).toBe('ok');
    expect(outcome(() => assertReflectionOpen(study, undefined, BEFORE, TZ))).toBe('ok');
    expect(
      outcome(() => assertReflectionOpen({ ...study, status: 'cancelled' }, { status: 'signed' }, AFTER, TZ)),
    ).toBe('conflict: 本次学习已取消。');
  });

  it('takes recorded minutes as the end of 签到, and the org’s own window', () => {
    const minuted = { ...study, minutes_at: DURING.toISOString() };
    expect(studySettled(minuted, DURING)).toBe(true);
    expect(outcome(() => assertReflectionOpen(minuted, { status: 'invited' }, DURING, TZ))).toMatch(/补学 7/);
    // An org whose 中心组学习 签到 closes an hour after the start.
    const windows = { central_group: { opensBefore: 30, closesAfter: 60 } };
    expect(studySettled(study, DURING, windows)).toBe(true);
    expect(studySettled(study, DURING)).toBe(false);
  });
});

describe('the card’s count is over the real attendees', () => {
  const people = [
    { open_id: 'a', name: '甲', status: 'signed' },
    { open_id: 'b', name: '乙', status: 'signed' },
    { open_id: 'c', name: '丙', status: 'signed' },
    { open_id: 'd', name: '丁', status: 'invited' },
    { open_id: 'e', name: '戊', status: 'leave' },
    { open_id: 'f', name: '己', status: 'invited' },
  ];
  it('counts 心得 of those who signed in over those who signed in; a never-signed member’s is not counted; 补学 apart', () => {
    // The reported bug: "已提交 3/3" while 乙 (signed) had not submitted and 丁 (never signed) was counted.
    const reflections = [
      { open_id: 'a', makeup: 0 },
      { open_id: 'c', makeup: 0 },
      { open_id: 'd', makeup: 0 },
      { open_id: 'e', makeup: 1 },
      { open_id: 'f', makeup: 1 },
    ];
    expect(reflectionCounts(people, reflections)).toEqual({ submitted: 2, expected: 3, makeup: ['戊', '己'] });
    expect(reflectionCounts(people, [])).toEqual({ submitted: 0, expected: 3, makeup: [] });
  });

  it.each([
    { state: 'signed', r: undefined, want: 'owed' },
    { state: 'signed', r: { makeup: 0 }, want: 'submitted' },
    // 补正'd to 签到 after a 补学: it counts as theirs.
    { state: 'signed', r: { makeup: 1 }, want: 'submitted' },
    { state: 'absent', r: { makeup: 1 }, want: 'makeup' },
    { state: 'leave', r: { makeup: 1 }, want: 'makeup' },
    { state: 'absent', r: { makeup: 0 }, want: null },
    { state: 'absent', r: undefined, want: null },
    { state: 'pending', r: undefined, want: null },
  ] as const)('a $state person with $r → $want', ({ state, r, want }) => {
    expect(reflectionMark(state, r)).toBe(want);
  });

  it.each([
    { status: 'signed', away: true, settled: true, want: 'signed' },
    { status: 'leave', away: false, settled: false, want: 'leave' },
    { status: 'invited', away: true, settled: true, want: 'leave' },
    { status: 'invited', away: false, settled: true, want: 'absent' },
    { status: 'attending', away: false, settled: true, want: 'absent' },
    { status: 'invited', away: false, settled: false, want: 'pending' },
  ])('$status (away $away, settled $settled) → $want', ({ status, away, settled, want }) => {
    expect(studyState(status, away, settled)).toBe(want);
  });
});

describe('补学', () => {
  const notYet = 'conflict: 补学在签到结束（12月10日 18:00）后开放。能参加的，请按时签到。';
  it.each([
    { who: 'invited', existing: undefined, now: AFTER, want: 'ok' },
    { who: 'attending', existing: undefined, now: AFTER, want: 'ok' },
    { who: 'leave', existing: undefined, now: AFTER, want: 'ok' },
    { who: 'leave', existing: undefined, now: BEFORE, want: notYet },
    { who: 'invited', existing: undefined, now: DURING, want: notYet },
    { who: 'invited', existing: { makeup: 1 }, now: AFTER, want: 'conflict: 您已经完成本次学习的补学。' },
    {
      who: 'signed',
      existing: undefined,
      now: AFTER,
      want: 'conflict: 您参加了本次学习，无需补学，请在学习卡片上“提交心得”。',
    },
    {
      who: 'signed',
      existing: { makeup: 0 },
      now: AFTER,
      want: 'conflict: 您参加了本次学习，心得也已提交，无需补学。',
    },
    { who: undefined, existing: undefined, now: AFTER, want: 'forbidden: 您不在本次学习的参加人员名单中。' },
  ])('$who (existing $existing) at $now → $want', ({ who, existing, now, want }) => {
    const a = who === undefined ? undefined : { status: who };
    expect(outcome(() => assertMakeupOpen(study, a, existing, now, TZ, undefined, 'held'))).toBe(want);
  });

  it('is for study sessions not cancelled; opens once the minutes are recorded', () => {
    const a = { status: 'invited' };
    expect(
      outcome(() => assertMakeupOpen({ ...study, category: 'meeting' }, a, undefined, AFTER, TZ, undefined, 'held')),
    ).toBe('bad_args: 只有学习活动可以补学。');
    expect(
      outcome(() =>
        assertMakeupOpen({ ...study, status: 'cancelled' }, a, undefined, AFTER, TZ, undefined, 'cancelled'),
      ),
    ).toBe('conflict: 本次学习已取消，无需补学。');
    const minuted = { ...study, minutes_at: DURING.toISOString() };
    expect(outcome(() => assertMakeupOpen(minuted, a, undefined, DURING, TZ, undefined, 'held'))).toBe('ok');
  });

  it('is not offered for a session nobody signed in to (not held: nothing to make up)', () => {
    const a = { status: 'invited' };
    expect(outcome(() => assertMakeupOpen(study, a, undefined, AFTER, TZ, undefined, 'not_held'))).toBe(
      'conflict: 本次学习无人签到，记录为未组织，无需补学。',
    );
    // Before 签到 is over the answer is still when it opens.
    expect(outcome(() => assertMakeupOpen(study, a, undefined, DURING, TZ, undefined, 'in_progress'))).toMatch(
      /^conflict: 补学在签到结束/,
    );
    // No 心得 is owed for it either, whether absent or on leave.
    for (const status of ['invited', 'leave'])
      expect(outcome(() => assertReflectionOpen(study, { status }, AFTER, TZ, undefined, 'not_held'))).toBe(
        'conflict: 本次学习无人签到，记录为未组织，不需要提交心得。',
      );
  });

  it('takes a 补学 心得 of at least the minimum, counted in characters, stored trimmed and cut', () => {
    expect(outcome(() => makeupText('学'.repeat(99), 100))).toBe('bad_args: 补学心得不少于 100 字（现在 99 字）。');
    expect(outcome(() => makeupText('😀'.repeat(99), 100))).toBe('bad_args: 补学心得不少于 100 字（现在 99 字）。');
    expect(makeupText(`  ${'学'.repeat(100)}  `, 100)).toEqual({ text: '学'.repeat(100), length: 100 });
    expect(makeupText('x'.repeat(6000), 100).text).toHaveLength(5000);
  });
});

describe('the half-year 通报', () => {
  const p = (
    openId: string,
    state: ReportSession['people'][number]['state'],
    mark: ReportSession['people'][number]['mark'],
  ) => ({
    openId,
    name: { a: '甲', b: '乙', c: '丙', d: '丁' }[openId] ?? openId,
    state,
    mark,
  });
  const sessions: ReportSession[] = [
    {
      date: '2026-12-03',
      title: '一',
      people: [
        p('a', 'signed', 'submitted'),
        p('b', 'signed', 'owed'),
        p('c', 'absent', 'makeup'),
        p('d', 'leave', null),
      ],
    },
    {
      date: '2026-12-10',
      title: '二',
      people: [
        p('a', 'signed', 'submitted'),
        p('b', 'absent', null),
        p('c', 'signed', 'owed'),
        p('d', 'leave', 'makeup'),
      ],
    },
    // Still within its 签到 window for one person: not counted for them.
    { date: '2026-12-17', title: '三', people: [p('a', 'pending', null)] },
  ];

  it('rates attendance over the real attendees, keeps 补学 apart and lists who missed and who owes', () => {
    const r = compileStudyReport(sessions);
    expect(r.totals).toEqual({
      expected: 8,
      signed: 4,
      leave: 2,
      absent: 2,
      rate: 50,
      reflections: { submitted: 2, expected: 4 },
      makeup: 2,
    });
    expect(r.members).toEqual([
      { name: '甲', expected: 2, signed: 2, leave: 0, absent: 0, reflections: 2, makeup: 0 },
      { name: '乙', expected: 2, signed: 1, leave: 0, absent: 1, reflections: 0, makeup: 0 },
      { name: '丙', expected: 2, signed: 1, leave: 0, absent: 1, reflections: 0, makeup: 1 },
      { name: '丁', expected: 2, signed: 0, leave: 2, absent: 0, reflections: 0, makeup: 1 },
    ]);
    expect(r.absent).toEqual([
      { name: '丙', dates: [{ date: '2026-12-03', made: true }] },
      { name: '乙', dates: [{ date: '2026-12-10', made: false }] },
    ]);
    expect(r.owing).toEqual([
      { name: '乙', dates: [{ date: '2026-12-03' }] },
      { name: '丙', dates: [{ date: '2026-12-10' }] },
    ]);
    expect(r.makeup).toEqual([
      { name: '丙', dates: [{ date: '2026-12-03' }] },
      { name: '丁', dates: [{ date: '2026-12-10' }] },
    ]);
  });

  it('has no rate when nobody was expected, and rounds to whole percent', () => {
    expect(compileStudyReport([]).totals.rate).toBeNull();
    expect(attendanceRate(0, 0)).toBeNull();
    expect(attendanceRate(2, 3)).toBe(67);
    expect(attendanceRate(1, 3)).toBe(33);
  });
});
