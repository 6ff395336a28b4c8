/**
 * Meeting attendance (签到 / 请假) and the study 心得 as pure transitions (issue 12): given the session
 * and the actor's attendance row as now committed, each returns what to store, or throws the
 * `UserError` the actor sees. `service.ts` locks the session, reads the row, calls these
 * and writes.
 */
import { UserError } from '../../core/errors.ts';
import type { AttendanceStatus, SessionCategory, SessionStatus } from './model.ts';

/** A 请假 reason is stored up to this many characters. */
const LEAVE_REASON_MAX = 200;
/** A 心得 is stored up to this many characters. */
const REFLECTION_MAX = 5000;

export interface AttendeeState {
  status: AttendanceStatus;
  reason: string | null;
}

/** The attendance row to write (the shell adds `answered_at`). */
export interface AttendanceAnswer {
  status: Extract<AttendanceStatus, 'signed' | 'leave'>;
  reason: string | null;
}

/** Nothing is answered or changed on a cancelled session. */
export function assertSessionOpen(s: { status: SessionStatus }): void {
  if (s.status === 'cancelled') throw new UserError('conflict', '本次活动已取消。');
}

function assertInvited(a: AttendeeState | undefined): AttendeeState {
  if (!a) throw new UserError('forbidden', '您不在本次活动的参加人员名单中。');
  return a;
}

/** An invitee signs in (once) to a session not cancelled. */
export function signIn(s: { status: SessionStatus }, attendee: AttendeeState | undefined): AttendanceAnswer {
  assertSessionOpen(s);
  const a = assertInvited(attendee);
  if (a.status === 'signed') throw new UserError('conflict', '您已经签到了。');
  return { status: 'signed', reason: null };
}

/**
 * An invitee asks leave with a reason; asking again with another reason updates it, the same
 * leave twice (a double-click) is refused so it acts once.
 */
export function askLeave(
  s: { status: SessionStatus },
  attendee: AttendeeState | undefined,
  reason: string,
): AttendanceAnswer {
  assertSessionOpen(s);
  const a = assertInvited(attendee);
  const stored = reason.trim().slice(0, LEAVE_REASON_MAX);
  if (!reason.trim()) throw new UserError('bad_args', '请假需要填写理由。');
  if (a.status === 'leave' && a.reason === stored) throw new UserError('conflict', '您已经请假了。');
  return { status: 'leave', reason: stored };
}

/**
 * An invitee of a study session who did not ask leave hands in a 心得 of at least `minLength`
 * characters. Returns the text to store and its length; whether one was already handed in is the
 * store's unique key (the shell answers that conflict).
 */
export function submitReflection(
  s: { category: SessionCategory },
  attendee: AttendeeState | undefined,
  text: string,
  minLength: number,
): { text: string; length: number } {
  if (s.category !== 'study') throw new UserError('bad_args', '只有学习活动需要提交心得。');
  const a = assertInvited(attendee);
  if (a.status === 'leave') throw new UserError('conflict', '您本次请假了，不需要提交心得。');
  const length = Array.from(text.trim()).length;
  if (length < minLength) throw new UserError('bad_args', `学习心得不少于 ${minLength} 字（现在 ${length} 字）。`);
  return { text: text.trim().slice(0, REFLECTION_MAX), length };
}
