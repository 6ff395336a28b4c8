/**
 * Linked records (issue 13 item 3, "done means evidenced"): a 清单 item that names a meeting to hold —
 * "每月召开支委会", "每季度召开支部党员大会", "开展主题党日活动", "讲党课" — is completed by a meeting
 * of that kind HELD in the task's period, which is attached as its evidence (关联记录, with the
 * meeting's title and date). Held is the meetings feature's rule (src/features/meetings/held.ts): a
 * scheduled meeting, one still under way or one that was not held never completes a task; when the
 * item requires 纪要 the minutes must be recorded too. The matcher is pure; `findLinkedRecord` reads
 * the org's sessions of the period.
 */
import type { Kysely } from 'kysely';
import { periodText } from '../../cards/period-text.ts';
import type { Database } from '../../db/schema.ts';
import { addDays, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { sessionRecordState } from '../meetings/held.ts';
import { kindLabel, parseSessionKind, type SessionKind, sessionName, verbFor } from '../meetings/model.ts';
import { orgWindows } from '../meetings/refresh.ts';
import { listAttendees, listSessions } from '../meetings/repository.ts';
import { type Cadence, periodOf } from './model.ts';

export { periodText };

/**
 * The words an item may name a meeting by, each with the label `parseSessionKind` reads. Longer
 * words first, so "支部党员大会" is read before "党员大会". Not 廉政教育 or 学习: nearly every item
 * mentions 党风廉政 or 学习 without meaning a session to hold.
 */
const MEETING_WORDS: readonly (readonly [string, string])[] = [
  ['全面从严治党专题会议', '专题会议'],
  ['党风廉政建设专题会议', '专题会议'],
  ['专题会议', '专题会议'],
  ['支部党员大会', '党员大会'],
  ['党员大会', '党员大会'],
  ['支部委员会会议', '支委会'],
  ['支部委员会', '支委会'],
  ['支委会', '支委会'],
  ['党小组会', '党小组会'],
  ['主题党日', '主题党日'],
  ['组织生活会', '组织生活会'],
  ['民主生活会', '民主生活会'],
  ['党课', '党课'],
  ['理论学习中心组', '中心组学习'],
  ['中心组学习', '中心组学习'],
  ['警示教育', '警示教育'],
];

/** The verbs of holding a meeting (docs/domain.md "Words and citations"): the item asks for one to be held. */
const HOLD_VERBS = '召开|开展|举行|举办|组织|讲|上';

/**
 * The one meeting kind an item asks to be held, read from its content: a holding verb, then within a
 * few characters a meeting's name. Undefined when none is named, or when the item names two different
 * kinds (ambiguous: its owner reports with a file, a link or a text).
 */
export function linkedMeetingKind(item: { content: string }): SessionKind | undefined {
  const text = item.content.replace(/\s+/g, '');
  const found = new Set<SessionKind>();
  for (const [word, label] of MEETING_WORDS) {
    const re = new RegExp(`(?:${HOLD_VERBS})[^，。；;,.、]{0,8}?${word}`);
    if (!re.test(text)) continue;
    const kind = parseSessionKind(label);
    if (kind) found.add(kind);
  }
  // "专题会议" inside a longer name already counted; "党员大会" inside "支部党员大会" gives the same kind.
  return found.size === 1 ? [...found][0] : undefined;
}

/** The item's requirement asks for minutes (纪要, 会议记录): the linked meeting must have them recorded. */
export function requiresMinutes(requirement: string): boolean {
  return /纪要|会议记录|记录本/.test(requirement);
}

/** Only recurring items link: a one-off item has no period to look for its meeting in. */
export function linkedKindOf(item: { content: string; cadence: Cadence }): SessionKind | undefined {
  return item.cadence === 'once' ? undefined : linkedMeetingKind(item);
}

export interface LinkedRecord {
  sessionId: number;
  /** Local date of the meeting. */
  date: string;
  /** What the evidence list shows: "关联记录：支委会“12月支委会”（2026-12-10）". */
  name: string;
}

/** What the period holds for a linked task: a record to attach, or why there is none yet. */
export type LinkedLookup =
  | { found: LinkedRecord }
  | {
      found?: undefined;
      /**
       * The period is not lost yet: a held meeting's minutes are still within their due date, or the
       * meeting may still be held (a 组织生活会 for year Y until February of Y + 1).
       */
      holdOpen: boolean;
      /** Why nothing completes the task, in a sentence the owner reads. */
      why: string;
    };

/**
 * The first meeting of `kind` held in the task's window (its period; see `linkedWindow`), with its
 * minutes recorded when the item's requirement asks for 纪要, as of `now`.
 */
export async function findLinkedRecord(
  db: Kysely<Database>,
  o: {
    orgId: number;
    kind: SessionKind;
    cadence: Cadence;
    /** The task's due date: its period is the cadence's period containing it. */
    dueDate: string;
    requirement: string;
    now: Date;
    tz: string;
    calendar: WorkCalendar;
  },
): Promise<LinkedLookup> {
  const window = linkedWindow(o.kind, o.cadence, o.dueDate);
  const from = zonedInstant(window.start, '00:00', o.tz).toISOString();
  const to = zonedInstant(addDays(window.end, 1), '00:00', o.tz).toISOString();
  const sessions = await listSessions(db, o.orgId, { kinds: [o.kind], from, to });
  const minutes = requiresMinutes(o.requirement);
  const label = kindLabel(o.kind);
  let pending = false;
  let scheduled = false;
  // Each session's own 签到 window decides; the org's applies to rows from before it was kept.
  const windows = sessions.length > 0 ? await orgWindows(db, o.orgId) : {};
  for (const s of sessions) {
    const r = sessionRecordState(s, await listAttendees(db, s.id), o.now, o.tz, o.calendar, windows);
    if (r.state === 'scheduled' || r.state === 'in_progress') scheduled = true;
    if (r.state !== 'held') continue;
    if (minutes && r.minutes !== 'recorded') {
      if (r.minutes === 'pending') pending = true;
      continue;
    }
    const date = localDate(new Date(s.start_at), o.tz);
    return { found: { sessionId: s.id, date, name: `关联记录：${sessionName(s.kind, s.title)}（${date}）` } };
  }
  const when = window.text;
  const verb = verbFor(o.kind);
  const need = `会后完成签到${minutes ? '并记录纪要' : ''}`;
  const why = pending
    ? `${when}的${label}已${verb}，纪要尚未记录：记录纪要后，清风会自动关联为佐证。`
    : scheduled
      ? `${when}的${label}尚未${verb}（只是已安排）：${need}后，清风会自动关联为佐证。`
      : `${when}还没有已${verb}的${label}记录：请通过清风发布${label}通知，${need}；之前${verb}过的，可请管理员补录。清风会自动关联为佐证。`;
  return { holdOpen: pending || localDate(o.now, o.tz) <= window.end, why };
}

/**
 * Kinds whose meeting for year Y is often held in January–February of Y + 1 and counts for Y
 * (docs/domain.md "The default calendar": 组织生活会 and 民主评议党员; the 班子's 民主生活会 alike).
 */
const HELD_INTO_NEXT_YEAR: readonly SessionKind[] = ['life_meeting', 'democratic_life'];

/**
 * Where a task's meeting is looked for: its period, except that a yearly 组织生活会 / 民主生活会 for
 * year Y is the one held from March of Y to February of Y + 1 (so each meeting counts for one year).
 */
export function linkedWindow(
  kind: SessionKind,
  cadence: Cadence,
  dueDate: string,
): { start: string; end: string; text: string } {
  const period = periodOf(cadence, dueDate);
  if (cadence === 'yearly' && HELD_INTO_NEXT_YEAR.includes(kind)) {
    const y = Number(period.key);
    return { start: `${y}-03-01`, end: addDays(`${y + 1}-03-01`, -1), text: `${y}年度（可至${y + 1}年2月底）` };
  }
  return { start: period.start, end: period.end, text: periodText(period) };
}
