/**
 * Held means held (issue 13, docs/domain.md "Attendance"): what a session's record says happened, as a
 * pure rule over the session, its attendance and the time. A session is 已召开 only once its 签到 is
 * settled (the window has closed or the minutes are recorded), someone signed in and — for the kinds
 * that vote — more than half of the voting members were present (one the 支部 left out of 应到 who
 * does attend is one of them: counted in 应到 and present, with a vote). Until then it is 已安排 (or 进行中
 * from its start); a settled one that fails those is 未召开. The minutes are due a few working days
 * after a held meeting and show as 纪要待补 until recorded. A record an admin entered afterwards for a
 * meeting held before the bot was used is marked 补录 and is judged by the same rule.
 */

import { localDate } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import {
  type AttendanceStatus,
  type AttendanceWindows,
  isStudyKind,
  quorum,
  type SessionStatus,
  sessionWindowInstants,
  VOTING_KINDS,
  verbFor,
  type WindowSnapshot,
} from './model.ts';

/** Minutes (and photos) are due this many working days after a held session (docs/domain.md "Attendance"). */
export const MINUTES_DUE_WORKDAYS = 3;

/** How a session's record was made: live through the bot, or 补录 afterwards by an admin. */
export const RECORD_ORIGINS = ['live', 'backfill'] as const;
export type RecordOrigin = (typeof RECORD_ORIGINS)[number];

export type HeldState = 'cancelled' | 'scheduled' | 'in_progress' | 'held' | 'not_held';

export const HELD_STATE_LABELS: Record<HeldState, string> = {
  cancelled: '已取消',
  scheduled: '已安排',
  in_progress: '进行中',
  held: '已召开',
  not_held: '未召开',
};

export type MinutesState = 'not_due' | 'recorded' | 'pending' | 'overdue';

export interface HeldInput extends WindowSnapshot {
  status: SessionStatus;
  kind: string;
  category?: string;
  /** Instant (UTC ISO). */
  start_at: string;
  minutes: string | null;
  minutes_at: string | null;
  recorded_as?: string | null;
}

export interface HeldAttendee {
  status: AttendanceStatus | string;
  /** 1 with a vote: in 应到 of the kinds that vote (attendance-rules.ts decides who, when invited). */
  voting: number;
  /** Why one sits without a vote (预备党员, 不计应到, 列席); left out by readers that only judge. */
  seat?: string | null;
}

/**
 * Whether an attendee has a vote: seated with one, or left out of 应到 (不计应到) and signed in all the
 * same — one excluded who attends is counted in 应到 and 实到 and votes (attendance-rules.ts `seatPlace`).
 */
export const hasVote = (a: HeldAttendee): boolean => a.voting === 1 || (a.seat === 'exempt' && a.status === 'signed');

export interface SessionRecordState {
  state: HeldState;
  /** Why a settled session is 未召开, in a sentence the secretary reads. */
  why: string | null;
  /** Signed in / invited, and for the kinds that vote the voting members and those of them present. */
  present: number;
  invited: number;
  voting: { total: number; present: number; quorum: boolean } | null;
  minutes: MinutesState;
  /** The local date the minutes are due (held sessions only). */
  minutesDue: string | null;
  backfilled: boolean;
}

/**
 * 签到 is settled: its window has closed (the session's own window, kept when it was created; on a row
 * from before, the org's window for the kind), or the minutes are recorded (which freezes attendance).
 */
export function attendanceSettled(
  s: Pick<HeldInput, 'kind' | 'start_at' | 'minutes_at'> & WindowSnapshot,
  now: Date,
  windows?: AttendanceWindows,
): boolean {
  return s.minutes_at !== null || now.getTime() >= sessionWindowInstants(s, windows).closes.getTime();
}

/**
 * What the record of `s` says as of `now` (the calendar gives the minutes' due date in working days;
 * `windows` are the org's own 签到 windows, `/设置 签到窗口`, used only for a session from before the
 * window was kept on it).
 */
export function sessionRecordState(
  s: HeldInput,
  attendees: readonly HeldAttendee[],
  now: Date,
  tz: string,
  calendar: WorkCalendar,
  windows?: AttendanceWindows,
): SessionRecordState {
  const present = attendees.filter((a) => a.status === 'signed').length;
  const votingRows = attendees.filter(hasVote);
  const votingPresent = votingRows.filter((a) => a.status === 'signed').length;
  const voting = VOTING_KINDS.includes(s.kind)
    ? { total: votingRows.length, present: votingPresent, quorum: quorum(votingRows.length, votingPresent) }
    : null;
  const base = {
    present,
    invited: attendees.length,
    voting,
    backfilled: s.recorded_as === 'backfill',
  };
  if (s.status === 'cancelled') return { ...base, state: 'cancelled', why: null, minutes: 'not_due', minutesDue: null };
  const started = now.getTime() >= Date.parse(s.start_at);
  if (!started || !attendanceSettled(s, now, windows)) {
    return { ...base, state: started ? 'in_progress' : 'scheduled', why: null, minutes: 'not_due', minutesDue: null };
  }
  let why: string | null = null;
  if (present === 0) why = '无人签到，没有出勤记录。';
  else if (voting && !voting.quorum)
    why = `有表决权的党员 ${voting.total} 人，到会 ${voting.present} 人，未超过半数${asGuests(attendees)}。`;
  if (why) return { ...base, state: 'not_held', why, minutes: 'not_due', minutesDue: null };
  const minutesDue = calendar.addWorkdays(localDate(new Date(s.start_at), tz), MINUTES_DUE_WORKDAYS);
  const recorded = s.minutes_at !== null;
  const minutes: MinutesState = recorded ? 'recorded' : localDate(now, tz) > minutesDue ? 'overdue' : 'pending';
  return { ...base, state: 'held', why: null, minutes, minutesDue };
}

/** "；预备党员 2 人到会列席，无表决权" when 预备党员 signed in: they attend, but do not make the quorum. */
function asGuests(attendees: readonly HeldAttendee[]): string {
  const n = attendees.filter((a) => !hasVote(a) && a.seat === 'probationary' && a.status === 'signed').length;
  return n > 0 ? `；预备党员 ${n} 人到会列席，无表决权` : '';
}

/**
 * The state's word for a kind (docs/domain.md "Words and citations"): 已召开 a meeting, 已讲 a 党课, 已开展
 * a 主题党日 or education, 已组织 a 中心组学习; 未召开 / 未讲 / 未开展 likewise.
 */
export function stateLabel(state: HeldState, kind: string): string {
  if (state === 'held') return `已${verbFor(kind)}`;
  if (state === 'not_held') return `未${verbFor(kind)}`;
  return HELD_STATE_LABELS[state];
}

/** 纪要待补 for a meeting; a study session's record is its 学习记录. */
export function minutesDueWord(kind: string): string {
  return isStudyKind(kind) ? '学习记录待补' : '纪要待补';
}

/** The mark of a record an admin entered afterwards. */
export const BACKFILL_MARK = '（补录）';

/**
 * The short status of a list row or a ledger cell: 已安排, 进行中, 已召开, 纪要待补, 未召开, 已取消, with
 * （补录） after a record entered afterwards.
 */
export function recordStatusLabel(r: SessionRecordState, kind: string): string {
  const minutesDue = r.state === 'held' && (r.minutes === 'pending' || r.minutes === 'overdue');
  return `${minutesDue ? minutesDueWord(kind) : stateLabel(r.state, kind)}${r.backfilled ? BACKFILL_MARK : ''}`;
}

/** "已召开", "已召开（纪要待补，12月17日前）", "未召开（无人签到…）", with （补录） when so entered. */
export function recordStateText(r: SessionRecordState, kind = 'general'): string {
  let t = stateLabel(r.state, kind);
  if (r.state === 'held' && (r.minutes === 'pending' || r.minutes === 'overdue'))
    t +=
      r.minutes === 'overdue'
        ? `（${minutesDueWord(kind)}，已超过 ${r.minutesDue} 的期限）`
        : `（${minutesDueWord(kind)}，${r.minutesDue} 前）`;
  if (r.state === 'not_held' && r.why) t += `（${r.why.replace(/。$/, '')}）`;
  if (r.backfilled) t += BACKFILL_MARK;
  return t;
}
