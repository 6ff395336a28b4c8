// Meeting attendance and the study 心得 as pure transitions (src/features/meetings/rules.ts), table-driven:
// 签到 and 请假 from each attendance state on open and cancelled sessions (the double-click 请假 refused,
// a changed reason taken, reasons trimmed and cut), and 心得 (study only, not after 请假, minimum length
// counted in characters, stored trimmed).
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { type AttendeeState, askLeave, signIn, submitReflection } from '../../src/features/meetings/rules.ts';

const open = { status: 'scheduled' as const };
const cancelled = { status: 'cancelled' as const };
const invited: AttendeeState = { status: 'invited', reason: null };
const signed: AttendeeState = { status: 'signed', reason: null };
const onLeave: AttendeeState = { status: 'leave', reason: '出差' };

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
    expect(outcome(() => signIn(s, a))).toBe(want);
    if (want === 'ok') expect(signIn(s, a)).toEqual({ status: 'signed', reason: null });
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
    expect(outcome(() => askLeave(s, a, reason))).toBe(want);
  });

  it('stores the reason trimmed and cut to 200 characters', () => {
    expect(askLeave(open, invited, ' 出差 ')).toEqual({ status: 'leave', reason: '出差' });
    expect(askLeave(open, invited, 'x'.repeat(300)).reason).toHaveLength(200);
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
