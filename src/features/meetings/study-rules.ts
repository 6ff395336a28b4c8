/**
 * Study counted right (issue 13 item 4), as pure rules over a study session, its attendance and its
 * 学习心得: who is counted as having attended, whose 心得 counts, who owes one and who did 补学.
 *
 * - A 心得 is taken only from the session's start, and only from one who signed in (签到). One who did
 *   not — 缺席, or 请假 (asked, or away on /请假 that day) — may 补学 once the 签到 window has closed and
 *   the session was held (held.ts): they get the material and hand in a 心得 recorded as 补学. A session
 *   nobody signed in to was not held: there is nothing to make up and no 心得 is owed. 补学 never counts
 *   as having attended.
 * - Counts are over the real attendees: 心得 submitted by those who signed in / those who signed in.
 * - A session counts in the half-year 通报 only once held: its 签到 is settled (the window has closed or
 *   the minutes are recorded) and someone signed in (held.ts).
 *
 * The shells (service.ts, makeup.ts, refresh.ts, study-report.ts, export.ts) read the rows and call these.
 */
import { UserError } from '../../core/errors.ts';
import { localParts } from '../../domain/time.ts';
import { attendanceSettled, type HeldState, stateLabel } from './held.ts';
import {
  type AttendanceStatus,
  type AttendanceWindows,
  type SessionCategory,
  type SessionStatus,
  sessionWindowInstants,
  type WindowSnapshot,
} from './model.ts';

/** A 补学 心得 is stored up to this many characters (as an ordinary 心得). */
const REFLECTION_MAX = 5000;

/** What the 心得 and 补学 rules read of a session (with the 签到 window it keeps). */
export interface StudyTiming extends WindowSnapshot {
  id: number;
  category: SessionCategory;
  status: SessionStatus;
  kind: string;
  /** Instant (UTC ISO). */
  start_at: string;
  minutes_at: string | null;
}

/** What is read of an invitee's row. */
export interface StudyAttendee {
  status: AttendanceStatus | string;
}

/** What is read of a stored 心得: whose, and whether it was handed in as 补学. */
export interface StoredReflection {
  open_id: string;
  makeup: number;
  submitted_at: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12月10日 15:00" in `tz`. */
export function dayTime(d: Date, tz: string): string {
  const p = localParts(d, tz);
  return `${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant the session's 签到 closes (its own window; on a row from before, the org's when it set one). */
export function signInCloses(
  s: Pick<StudyTiming, 'kind' | 'start_at'> & WindowSnapshot,
  windows?: AttendanceWindows,
): Date {
  return sessionWindowInstants(s, windows).closes;
}

/** 签到 is settled: the one rule of held.ts (its window has closed, or the minutes are recorded). */
export const studySettled = attendanceSettled;

/** How `/学习 补学 N` is written for session `id`. */
export const makeupCommand = (id: number) => `/学习 补学 ${id}`;

/**
 * Whether the actor may hand in a 心得 for having attended, now: checked before the common rule
 * (rules.ts `submitReflection`: study only, invited, not on leave, long enough). Refused before the
 * session's start (naming it), and from one who did not sign in — pointed to 补学 once 签到 is over.
 */
export function assertReflectionOpen(
  s: StudyTiming,
  attendee: StudyAttendee | undefined,
  now: Date,
  tz: string,
  windows?: AttendanceWindows,
  state?: HeldState,
): void {
  if (s.category !== 'study' || !attendee) return;
  if (s.status === 'cancelled') throw new UserError('conflict', '本次学习已取消。');
  if (now.getTime() < Date.parse(s.start_at))
    throw new UserError('conflict', `学习尚未开始，心得请在学习开始（${dayTime(new Date(s.start_at), tz)}）后提交。`);
  if (attendee.status === 'signed') return;
  if (state === 'not_held') throw new UserError('conflict', `${notHeldText(s.kind)}不需要提交心得。`);
  const settled = studySettled(s, now, windows);
  if (attendee.status === 'leave') {
    if (settled)
      throw new UserError('conflict', `您本次请假了，不需要提交心得。如需补学，请发送 ${makeupCommand(s.id)}。`);
    return; // rules.ts answers 请假 as before
  }
  if (!settled) throw new UserError('conflict', '请先在学习卡片上签到，再提交心得。');
  throw new UserError(
    'conflict',
    `您本次没有签到，心得不能按参加学习提交。如需补学，请发送 ${makeupCommand(s.id)}，获取学习材料并提交补学心得。`,
  );
}

/**
 * "本次学习无人签到，记录为未组织，": a study session settled as not held (held.ts) — for the study kinds,
 * which do not vote, that is one nobody signed in to.
 */
function notHeldText(kind: string): string {
  return `本次学习无人签到，记录为${stateLabel('not_held', kind)}，`;
}

/** Where one invitee stands at a study session. */
export type StudyState = 'signed' | 'leave' | 'absent' | 'pending';

/** 签到; 请假 (asked, or away that day without signing in); once settled the rest 缺席, before that 未定. */
export function studyState(status: AttendanceStatus | string, away: boolean, settled: boolean): StudyState {
  if (status === 'signed') return 'signed';
  if (status === 'leave' || away) return 'leave';
  return settled ? 'absent' : 'pending';
}

/**
 * What a person's 心得 counts as: `submitted` (signed in and handed in), `owed` (signed in, none yet),
 * `makeup` (did not sign in, handed in a 补学 心得), or null (nothing is expected of them). A 心得 from
 * one who did not sign in counts only as 补学; one from a person later 补正'd to 签到 counts as theirs.
 */
export type ReflectionMark = 'submitted' | 'owed' | 'makeup' | null;

export function reflectionMark(state: StudyState, r: Pick<StoredReflection, 'makeup'> | undefined): ReflectionMark {
  if (state === 'signed') return r ? 'submitted' : 'owed';
  return r && r.makeup === 1 ? 'makeup' : null;
}

/**
 * The card's 学习心得 line: submitted by those who signed in / those who signed in, and the names of
 * those who did 补学 (not counted as attending).
 */
export function reflectionCounts(
  attendees: readonly { open_id: string; name: string; status: AttendanceStatus | string }[],
  reflections: readonly Pick<StoredReflection, 'open_id' | 'makeup'>[],
): { submitted: number; expected: number; makeup: string[] } {
  const byPerson = new Map(reflections.map((r) => [r.open_id, r]));
  let submitted = 0;
  let expected = 0;
  const makeup: string[] = [];
  for (const a of attendees) {
    const r = byPerson.get(a.open_id);
    if (a.status === 'signed') {
      expected++;
      if (r) submitted++;
    } else if (r?.makeup === 1) makeup.push(a.name);
  }
  return { submitted, expected, makeup };
}

/**
 * Whether the actor may 补学 session `s` now: a study session not cancelled, to which they were invited
 * and did not sign in (缺席 or 请假), once its 签到 window has closed, held (`state`, held.ts: a session
 * nobody signed in to has nothing to make up), and not already made up.
 */
export function assertMakeupOpen(
  s: StudyTiming,
  attendee: StudyAttendee | undefined,
  existing: Pick<StoredReflection, 'makeup'> | undefined,
  now: Date,
  tz: string,
  windows: AttendanceWindows | undefined,
  state: HeldState,
): void {
  if (s.category !== 'study') throw new UserError('bad_args', '只有学习活动可以补学。');
  if (s.status === 'cancelled') throw new UserError('conflict', '本次学习已取消，无需补学。');
  if (!attendee) throw new UserError('forbidden', '您不在本次学习的参加人员名单中。');
  if (attendee.status === 'signed')
    throw new UserError(
      'conflict',
      existing
        ? '您参加了本次学习，心得也已提交，无需补学。'
        : '您参加了本次学习，无需补学，请在学习卡片上“提交心得”。',
    );
  if (!studySettled(s, now, windows))
    throw new UserError(
      'conflict',
      `补学在签到结束（${dayTime(signInCloses(s, windows), tz)}）后开放。能参加的，请按时签到。`,
    );
  if (state === 'not_held') throw new UserError('conflict', `${notHeldText(s.kind)}无需补学。`);
  if (existing) throw new UserError('conflict', '您已经完成本次学习的补学。');
}

/** The 补学 心得: at least `minLength` characters (counted as characters), stored trimmed. */
export function makeupText(text: string, minLength: number): { text: string; length: number } {
  const length = Array.from(text.trim()).length;
  if (length < minLength) throw new UserError('bad_args', `补学心得不少于 ${minLength} 字（现在 ${length} 字）。`);
  return { text: text.trim().slice(0, REFLECTION_MAX), length };
}

// ---------------------------------------------------------------------------------------------
// The half-year 通报.

/** One held study session as the 通报 reads it. */
export interface ReportSession {
  /** Local date, "2026-12-03". */
  date: string;
  title: string;
  people: { openId: string; name: string; state: StudyState; mark: ReflectionMark }[];
}

export interface ReportMember {
  name: string;
  /** Held sessions they were invited to (应到). */
  expected: number;
  signed: number;
  leave: number;
  absent: number;
  /** 心得 handed in for sessions they attended. */
  reflections: number;
  /** Sessions made up by 补学. */
  makeup: number;
}

/** Who, and at which sessions (their dates), each "12-03"; `made` marks those later made up by 补学. */
export interface ReportList {
  name: string;
  dates: { date: string; made?: boolean }[];
}

export interface StudyReportTotals {
  /** 人次 over the held sessions. */
  expected: number;
  signed: number;
  leave: number;
  absent: number;
  /** 出勤率 = 签到 ÷ 应到, in whole percent (null when nobody was expected). */
  rate: number | null;
  reflections: { submitted: number; expected: number };
  makeup: number;
}

/** 出勤率 in whole percent, or null when nobody was expected. */
export function attendanceRate(signed: number, expected: number): number | null {
  return expected === 0 ? null : Math.round((signed * 100) / expected);
}

/**
 * The 通报 over held sessions: totals, per member (in first-seen order), who missed (缺席, with the
 * sessions made up by 补学 marked), who owes a 心得, and who did 补学 — kept apart from attendance.
 */
export function compileStudyReport(sessions: readonly ReportSession[]): {
  totals: StudyReportTotals;
  members: ReportMember[];
  absent: ReportList[];
  owing: ReportList[];
  makeup: ReportList[];
} {
  const members = new Map<string, ReportMember>();
  const lists = {
    absent: new Map<string, ReportList>(),
    owing: new Map<string, ReportList>(),
    makeup: new Map<string, ReportList>(),
  };
  const add = (which: keyof typeof lists, p: { openId: string; name: string }, d: ReportList['dates'][number]) => {
    const l = lists[which].get(p.openId) ?? { name: p.name, dates: [] };
    l.dates.push(d);
    lists[which].set(p.openId, l);
  };
  for (const s of sessions) {
    for (const p of s.people) {
      if (p.state === 'pending') continue;
      const m = members.get(p.openId) ?? {
        name: p.name,
        expected: 0,
        signed: 0,
        leave: 0,
        absent: 0,
        reflections: 0,
        makeup: 0,
      };
      m.expected++;
      m[p.state]++;
      if (p.mark === 'submitted') m.reflections++;
      if (p.mark === 'makeup') {
        m.makeup++;
        add('makeup', p, { date: s.date });
      }
      if (p.mark === 'owed') add('owing', p, { date: s.date });
      if (p.state === 'absent') add('absent', p, { date: s.date, made: p.mark === 'makeup' });
      members.set(p.openId, m);
    }
  }
  const all = [...members.values()];
  const sum = (f: (m: ReportMember) => number) => all.reduce((n, m) => n + f(m), 0);
  const expected = sum((m) => m.expected);
  const signed = sum((m) => m.signed);
  return {
    totals: {
      expected,
      signed,
      leave: sum((m) => m.leave),
      absent: sum((m) => m.absent),
      rate: attendanceRate(signed, expected),
      reflections: { submitted: sum((m) => m.reflections), expected: signed },
      makeup: sum((m) => m.makeup),
    },
    members: all,
    absent: [...lists.absent.values()],
    owing: [...lists.owing.values()],
    makeup: [...lists.makeup.values()],
  };
}
