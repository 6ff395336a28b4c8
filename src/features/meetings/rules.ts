/**
 * Meeting attendance (签到 / 请假) and the study 心得 as pure transitions (issue 12): given the session
 * and the actor's attendance row as now committed, each returns what to store, or throws the
 * `UserError` the actor sees. `service.ts` locks the session, reads the row, calls these
 * and writes.
 */
import { UserError } from '../../core/errors.ts';
import { localParts } from '../../domain/time.ts';
import {
  type AttendanceStatus,
  type AttendanceWindow,
  attendanceWindow,
  type SessionCategory,
  type SessionKind,
  type SessionStatus,
} from './model.ts';

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
  status: Extract<AttendanceStatus, 'attending' | 'signed' | 'leave'>;
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

/**
 * What 参加, 签到 and 请假 are decided on: the session's state, kind, start, whether minutes are
 * recorded, and its 签到 window (the org's own or the default: model.ts `windowOf`).
 */
export interface SessionTiming {
  status: SessionStatus;
  kind: string;
  /** Instant (UTC ISO). */
  start_at: string;
  minutes_at: string | null;
  window: AttendanceWindow;
}

/** The instants of a session's 签到 window. */
function windowInstants(s: Pick<SessionTiming, 'kind' | 'start_at' | 'window'>) {
  return attendanceWindow(s.kind, s.start_at, { [s.kind as SessionKind]: s.window });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12月10日 14:30" in `tz`; with `sameDayAs`, just "18:00" when it falls on that day. */
function shortLocal(d: Date, tz: string, sameDayAs?: Date): string {
  const p = localParts(d, tz);
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  if (sameDayAs) {
    const q = localParts(sameDayAs, tz);
    if (q.year === p.year && q.month === p.month && q.day === p.day) return time;
  }
  return `${p.month}月${p.day}日 ${time}`;
}

/** "签到时间为 12月10日 14:30 至 18:00。" */
export function signInWindowText(s: Pick<SessionTiming, 'kind' | 'start_at' | 'window'>, tz: string): string {
  const w = windowInstants(s);
  return `签到时间为 ${shortLocal(w.opens, tz)} 至 ${shortLocal(w.closes, tz, w.opens)}。`;
}

/** Once the minutes are recorded, attendance is settled. */
function assertNotSettled(s: SessionTiming): void {
  if (s.minutes_at !== null) throw new UserError('conflict', '本次活动已记录纪要，出勤情况不能再更改。');
}

/**
 * An invitee signs in (once) to a session not cancelled, within its 签到 window (`s.window`: from
 * shortly before the start to a few hours after) and before the minutes are recorded. One who
 * answered 参加 still signs in; one on leave who comes after all may sign in.
 */
export function signIn(s: SessionTiming, attendee: AttendeeState | undefined, now: Date, tz: string): AttendanceAnswer {
  assertSessionOpen(s);
  const a = assertInvited(attendee);
  if (a.status === 'signed') throw new UserError('conflict', '您已经签到了。');
  assertNotSettled(s);
  const w = windowInstants(s);
  if (now.getTime() < w.opens.getTime()) throw new UserError('conflict', `签到尚未开始。${signInWindowText(s, tz)}`);
  if (now.getTime() >= w.closes.getTime()) throw new UserError('conflict', `签到已结束。${signInWindowText(s, tz)}`);
  return { status: 'signed', reason: null };
}

/**
 * An invitee asks leave with a reason, until the session starts; asking again with another reason
 * updates it, the same leave twice (a double-click) is refused so it acts once.
 */
export function askLeave(
  s: SessionTiming,
  attendee: AttendeeState | undefined,
  reason: string,
  now: Date,
  tz: string,
): AttendanceAnswer {
  assertSessionOpen(s);
  const a = assertInvited(attendee);
  const stored = reason.trim().slice(0, LEAVE_REASON_MAX);
  if (!reason.trim()) throw new UserError('bad_args', '请假需要填写理由。');
  if (a.status === 'leave' && a.reason === stored) throw new UserError('conflict', '您已经请假了。');
  assertNotSettled(s);
  if (now.getTime() >= Date.parse(s.start_at))
    throw new UserError(
      'conflict',
      `活动已开始，不能再请假（请假须在 ${shortLocal(new Date(s.start_at), tz)} 开始前提出）。`,
    );
  return { status: 'leave', reason: stored };
}

/**
 * The 参会回执 参加: an invitee says they will come, until the session starts. It is not 签到 — that is
 * still taken in the window, and one who answered 参加 and never signed in is 缺席 once it closes. One
 * on leave may change their mind; the same answer twice (a double-click) is refused so it acts once.
 */
export function confirmAttending(
  s: SessionTiming,
  attendee: AttendeeState | undefined,
  now: Date,
  tz: string,
): AttendanceAnswer {
  assertSessionOpen(s);
  const a = assertInvited(attendee);
  if (a.status === 'attending') throw new UserError('conflict', '您已回复参加，请在签到时间内签到。');
  if (a.status === 'signed') throw new UserError('conflict', '您已经签到了。');
  assertNotSettled(s);
  if (now.getTime() >= Date.parse(s.start_at))
    throw new UserError('conflict', `活动已开始，参会回执已截止。${signInWindowText(s, tz)}`);
  return { status: 'attending', reason: null };
}

/**
 * Whether a session may be moved to `to` as of `now`, and what happens to the answers (a real
 * secretary's expectations): 参加 and 请假 were given for the meeting, not the hour, so they are kept
 * (everyone is told and may change them before the new start). A 签到 belongs to the window it was
 * given in: once that window has opened (people may be in the room, the quorum short) the move is
 * taken and the 签到 given are set back to 参加 — they sign in again in the new window. Once the old
 * window has closed, or the minutes are recorded, the meeting took place as scheduled: no move (if it
 * did not, cancel it and publish a new notice).
 */
export function planMove(s: SessionTiming, to: Date, now: Date, tz: string): { resetSignIns: boolean } {
  assertSessionOpen(s);
  if (to.getTime() <= now.getTime()) throw new UserError('bad_args', '新的时间应晚于现在。');
  if (to.getTime() === Date.parse(s.start_at)) throw new UserError('bad_args', '新的时间与原定时间相同。');
  if (s.minutes_at !== null) throw new UserError('conflict', '本次活动已记录纪要，不能再改期。');
  const w = windowInstants(s);
  if (now.getTime() >= w.closes.getTime())
    throw new UserError(
      'conflict',
      `原定时间的签到已于 ${shortLocal(w.closes, tz)} 结束，不能再改期。如活动实际未召开，请取消后重新发布通知。`,
    );
  return { resetSignIns: now.getTime() >= w.opens.getTime() };
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

/** What an admin's 补正 sets a person's attendance to. */
export type CorrectedAttendance = 'signed' | 'leave' | 'absent';

export const CORRECTION_LABELS: Record<CorrectedAttendance, string> = { signed: '签到', leave: '请假', absent: '缺席' };

/**
 * An admin's 补正 of one invitee's attendance, with a reason, once it is settled (the 签到 window has
 * closed or the minutes are recorded; before that the member answers on the card). 缺席 is stored as no
 * answer (`invited`), which counts as 缺席 once the window has closed.
 */
export function correctAttendance(
  s: SessionTiming,
  attendee: AttendeeState | undefined,
  to: CorrectedAttendance,
  reason: string,
  now: Date,
  tz: string,
): { status: Exclude<AttendanceStatus, 'attending'>; reason: string | null; why: string } {
  assertSessionOpen(s);
  if (!attendee) throw new UserError('not_found', '此人不在本次活动的参加人员名单中。');
  const why = reason.trim().slice(0, LEAVE_REASON_MAX);
  if (!why) throw new UserError('bad_args', '补正需要填写理由。');
  if (s.minutes_at === null && now.getTime() < windowInstants(s).closes.getTime())
    throw new UserError('conflict', `签到尚未结束，请本人在卡片上签到或请假。${signInWindowText(s, tz)}`);
  const status = to === 'absent' ? 'invited' : to;
  // Once settled, 参加 without 签到 is 缺席 as much as no answer is.
  const settled = attendee.status === 'attending' ? 'invited' : attendee.status;
  if (settled === status) throw new UserError('conflict', `此人已是${CORRECTION_LABELS[to]}，无需补正。`);
  return { status, reason: to === 'leave' ? why : null, why };
}
