/**
 * Meetings, study sessions and the compliance calendar (docs/domain.md "The default calendar",
 * "Attendance"): kinds, which vote, and the default rules every org gets as data.
 */
import {
  type Frequency,
  MEETING_KINDS,
  type MeetingKind,
  type SessionCategory,
  type SessionKind,
  STUDY_KINDS,
  type StudyKind,
} from '../../db/schema/meetings.ts';

export {
  ATTENDANCE_STATUSES,
  type AttendanceStatus,
  FREQUENCIES,
  type Frequency,
  MEETING_KINDS,
  type MeetingKind,
  SESSION_CATEGORIES,
  SESSION_FILE_KINDS,
  SESSION_STATUSES,
  type SessionCategory,
  type SessionFileKind,
  type SessionKind,
  type SessionStatus,
  STUDY_KINDS,
  type StudyKind,
} from '../../db/schema/meetings.ts';

export const MEETING_KIND_LABELS: Record<MeetingKind, string> = {
  special: '专题会议',
  general: '党员大会',
  committee: '支委会',
  group: '党小组会',
  lecture: '党课',
  theme_day: '主题党日',
  life_meeting: '组织生活会',
  democratic_life: '民主生活会',
};

export const STUDY_KIND_LABELS: Record<StudyKind, string> = {
  central_group: '中心组学习',
  integrity: '廉政教育',
  warning: '警示教育',
  topic: '专题学习',
};

export function kindLabel(kind: string): string {
  return (
    (MEETING_KIND_LABELS as Record<string, string>)[kind] ?? (STUDY_KIND_LABELS as Record<string, string>)[kind] ?? kind
  );
}

/**
 * The verb a sentence uses with a kind (docs/domain.md "Words and citations"): 召开 a meeting, 讲 a
 * 党课, 开展 education, study and the 主题党日, 组织 the 中心组学习.
 */
const KIND_VERBS: Record<SessionKind, string> = {
  special: '召开',
  general: '召开',
  committee: '召开',
  group: '召开',
  lecture: '讲',
  theme_day: '开展',
  life_meeting: '召开',
  democratic_life: '召开',
  central_group: '组织',
  integrity: '开展',
  warning: '开展',
  topic: '开展',
};

export function verbFor(kind: string): string {
  return (KIND_VERBS as Record<string, string>)[kind] ?? '召开';
}

/** The words a title may already start with for each kind: the label and its long forms. */
const KIND_WORDS: Record<SessionKind, readonly string[]> = {
  special: ['全面从严治党专题会议', '党风廉政建设专题会议'],
  general: ['支部党员大会', '党支部党员大会'],
  committee: ['支部委员会', '党支部委员会'],
  group: [],
  lecture: [],
  theme_day: [],
  life_meeting: [],
  democratic_life: [],
  central_group: ['理论学习中心组', '中心组'],
  integrity: [],
  warning: [],
  topic: [],
};

/** The title already starts with its kind ("支部党员大会：…" for a 党员大会): the kind is not put before it again. */
export function titleNamesKind(kind: string, title: string): boolean {
  const words = [kindLabel(kind), ...((KIND_WORDS as Record<string, readonly string[]>)[kind] ?? [])];
  const t = title.trim();
  return words.some((w) => w !== '' && t.startsWith(w));
}

/** A session's heading, "支委会：12月支委会"; the kind once when the title starts with it ("支部党员大会：…"). */
export function sessionHeading(kind: string, title: string): string {
  return titleNamesKind(kind, title) ? title : `${kindLabel(kind)}：${title}`;
}

/** A session named in a sentence, 支委会“12月支委会”, or just “支部党员大会：…” when the title names the kind. */
export function sessionName(kind: string, title: string): string {
  return titleNamesKind(kind, title) ? `“${title}”` : `${kindLabel(kind)}“${title}”`;
}

/** `name` as a kind of `category` (its ASCII name, as a card's select sends it), or undefined. */
export function sessionKindOf(category: SessionCategory, name: string): SessionKind | undefined {
  const kinds: readonly SessionKind[] = category === 'study' ? STUDY_KINDS : MEETING_KINDS;
  return kinds.find((k) => k === name);
}

export function isStudyKind(kind: string | undefined): kind is StudyKind {
  return (STUDY_KINDS as readonly (string | undefined)[]).includes(kind);
}

export function parseSessionKind(text: string): SessionKind | undefined {
  const t = text.trim();
  const labels: [SessionKind, string][] = [
    ...MEETING_KINDS.map((k): [SessionKind, string] => [k, MEETING_KIND_LABELS[k]]),
    ...STUDY_KINDS.map((k): [SessionKind, string] => [k, STUDY_KIND_LABELS[k]]),
  ];
  for (const [k, label] of labels) {
    if (t === k || t === label) return k;
  }
  if (t.includes('专题') && (t.includes('全面从严') || t.includes('廉政') || t.includes('会议'))) return 'special';
  if (t.includes('警示')) return 'warning';
  if (t.includes('廉政')) return 'integrity';
  if (t.includes('中心组')) return 'central_group';
  if (t.includes('学习')) return 'topic';
  return undefined;
}

/** Meetings that vote (and so need more than half of the voting members present). */
export const VOTING_KINDS: readonly string[] = ['general', 'committee'];

/** More than half of the voting members present (回避、请假 included in the denominator). */
export function quorum(voting: number, present: number): boolean {
  return voting > 0 && present * 2 > voting;
}

/** The agenda a special meeting on strict governance starts from. */
export const SPECIAL_AGENDA =
  '一、形势分析：本单位全面从严治党和党风廉政建设形势\n二、问题清单：存在的主要问题及原因\n三、下阶段部署：重点任务、责任分工和时间要求';

/** The agenda the new-session form starts from, by kind; a kind not listed starts from an empty one. */
const KIND_AGENDAS: Partial<Record<SessionKind, string>> = { special: SPECIAL_AGENDA };

/** The agenda a session of `kind` starts from ('' when the kind has none). */
export function defaultAgenda(kind: string): string {
  return (KIND_AGENDAS as Record<string, string | undefined>)[kind] ?? '';
}

/** Line breaks and spaces at line ends as a form gives them back, so an untouched agenda compares equal. */
const normalAgenda = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();

/**
 * The agenda a session published as `kind` keeps: the agenda as submitted when someone wrote it; the
 * kind's own (`defaultAgenda`) when it was left empty or as the form drew it for a kind — the form is
 * drawn for one kind, and the kind can be changed before it is submitted, which the form cannot follow.
 */
export function agendaFor(kind: string, submitted: string): string {
  const text = normalAgenda(submitted);
  const untouched = text === '' || Object.values(KIND_AGENDAS).some((a) => normalAgenda(a) === text);
  return untouched ? defaultAgenda(kind) : submitted.trim();
}

/** 学习心得 are due this many working days after the session: 1 to 30, 5 when the form leaves it empty. */
export const REFLECTION_DAYS = { min: 1, max: 30, default: 5 } as const;

/**
 * The 心得 deadline typed on the study form (working days, digits; full-width ones too): the number, or
 * the sentence saying what is expected. Empty means the default; anything else is never replaced.
 */
export function parseReflectionDays(text: string): number | { problem: string } {
  const t = text.normalize('NFKC').trim();
  if (t === '') return REFLECTION_DAYS.default;
  const n = /^\d{1,2}$/.test(t) ? Number(t) : Number.NaN;
  if (Number.isInteger(n) && n >= REFLECTION_DAYS.min && n <= REFLECTION_DAYS.max) return n;
  return {
    problem: `心得提交期限请填写 ${REFLECTION_DAYS.min} 至 ${REFLECTION_DAYS.max} 之间的整数（工作日），您填写的是“${text.trim().slice(0, 20)}”；不填则为 ${REFLECTION_DAYS.default} 个工作日。`,
  };
}

/**
 * Kinds the 书记 chairs when the form names no 主持人: the 支部党员大会 and the 支部委员会 are convened and
 * chaired by the 支部书记 (《中国共产党支部工作条例（试行）》（2018年））.
 */
export const SECRETARY_HOSTS: readonly SessionKind[] = ['general', 'committee'];

/** Regulations cited by their full title in 《》 with their year (docs/domain.md "Words and citations"). */
export const REGULATIONS = {
  duty: '《党委（党组）落实全面从严治党主体责任规定》（2020年）',
  branch: '《中国共产党支部工作条例（试行）》（2018年）',
  centralGroup: '《中国共产党党委（党组）理论学习中心组学习规则》（2017年）',
} as const;

/** A default taken from practice: it says so and cites nothing. */
export const PRACTICE = '常见做法';

/** The text rules seeded before citations carried 《》 and a year; rows stored then still hold it. */
const OLD_SOURCES: Record<string, string> = {
  '党委（党组）落实全面从严治党主体责任规定': REGULATIONS.duty,
  '中国共产党支部工作条例（试行）': REGULATIONS.branch,
  '中国共产党党委（党组）理论学习中心组学习规则': REGULATIONS.centralGroup,
  党风廉政建设实践: PRACTICE,
};

/** A rule's stored source as it is shown: the full citation, also for rows seeded with the old text. */
export function citationOf(source: string): string {
  return OLD_SOURCES[source.trim()] ?? source;
}

/** "依据：《…》（2018年）", or "常见做法" for a rule from practice. */
export function basisOf(source: string): string {
  const c = citationOf(source);
  return c === PRACTICE ? PRACTICE : `依据：${c}`;
}

export interface DefaultRule {
  key: string;
  /** The meeting or study kind that satisfies the rule. */
  kind: SessionKind;
  name: string;
  frequency: Frequency;
  /** Windows within the period by half-year, as MM-DD ranges (the special meeting: H1 Jan–Mar, H2 Jul–Sep). */
  window: { H1?: [string, string]; H2?: [string, string] } | null;
  /** 主题党日: the day of the month. */
  fixedDay: number | null;
  /** Warn this many working days before the period (or window) ends when no such meeting is held or scheduled. */
  leadDays: number;
  source: string;
  confidence: 'H' | 'M' | 'L';
  enabled: boolean;
}

export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    key: 'special_meeting',
    kind: 'special',
    name: '全面从严治党专题会议',
    frequency: 'half_year',
    window: { H1: ['01-01', '03-31'], H2: ['07-01', '09-30'] },
    fixedDay: null,
    leadDays: 10,
    source: REGULATIONS.duty,
    confidence: 'M',
    enabled: true,
  },
  {
    key: 'general_meeting',
    kind: 'general',
    name: '支部党员大会',
    frequency: 'quarter',
    window: null,
    fixedDay: null,
    leadDays: 10,
    source: REGULATIONS.branch,
    confidence: 'H',
    enabled: true,
  },
  {
    key: 'committee_meeting',
    kind: 'committee',
    name: '支部委员会会议',
    frequency: 'month',
    window: null,
    fixedDay: null,
    leadDays: 5,
    source: REGULATIONS.branch,
    confidence: 'H',
    enabled: true,
  },
  {
    key: 'group_meeting',
    kind: 'group',
    name: '党小组会',
    frequency: 'month',
    window: null,
    fixedDay: null,
    leadDays: 5,
    source: REGULATIONS.branch,
    confidence: 'H',
    enabled: false,
  },
  {
    key: 'party_lecture',
    kind: 'lecture',
    name: '党课',
    frequency: 'quarter',
    window: null,
    fixedDay: null,
    leadDays: 10,
    source: REGULATIONS.branch,
    confidence: 'M',
    enabled: true,
  },
  {
    key: 'theme_day',
    kind: 'theme_day',
    name: '主题党日',
    frequency: 'month',
    window: null,
    fixedDay: 15,
    leadDays: 3,
    source: REGULATIONS.branch,
    confidence: 'H',
    enabled: true,
  },
  {
    key: 'life_meeting',
    kind: 'life_meeting',
    name: '组织生活会',
    frequency: 'year',
    window: null,
    fixedDay: null,
    leadDays: 20,
    source: REGULATIONS.branch,
    confidence: 'H',
    enabled: true,
  },
  {
    key: 'central_group',
    kind: 'central_group',
    name: '理论学习中心组学习',
    frequency: 'month',
    window: null,
    fixedDay: null,
    leadDays: 5,
    source: REGULATIONS.centralGroup,
    confidence: 'L',
    enabled: true,
  },
  {
    key: 'warning_education',
    kind: 'warning',
    name: '警示教育',
    frequency: 'year',
    window: null,
    fixedDay: null,
    leadDays: 20,
    source: PRACTICE,
    confidence: 'L',
    enabled: true,
  },
];

export const FREQUENCY_LABELS: Record<Frequency, string> = {
  month: '每月',
  quarter: '每季度',
  half_year: '每半年',
  year: '每年',
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The period of a frequency containing `date`, and the window within it the rule asks for. */
export function rulePeriod(
  r: Pick<DefaultRule, 'frequency' | 'window'>,
  date: string,
): { key: string; start: string; end: string; windowStart: string; windowEnd: string } {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  let key: string;
  let start: string;
  let end: string;
  const monthEnd = (mm: number) => new Date(Date.UTC(y, mm, 0)).getUTCDate();
  if (r.frequency === 'month') {
    [key, start, end] = [`${y}-${pad(m)}`, `${y}-${pad(m)}-01`, `${y}-${pad(m)}-${pad(monthEnd(m))}`];
  } else if (r.frequency === 'quarter') {
    const q = Math.floor((m - 1) / 3) + 1;
    [key, start, end] = [`${y}Q${q}`, `${y}-${pad((q - 1) * 3 + 1)}-01`, `${y}-${pad(q * 3)}-${pad(monthEnd(q * 3))}`];
  } else if (r.frequency === 'half_year') {
    [key, start, end] = m <= 6 ? [`${y}H1`, `${y}-01-01`, `${y}-06-30`] : [`${y}H2`, `${y}-07-01`, `${y}-12-31`];
  } else {
    [key, start, end] = [String(y), `${y}-01-01`, `${y}-12-31`];
  }
  const half = m <= 6 ? 'H1' : 'H2';
  const w = r.frequency === 'half_year' ? r.window?.[half] : undefined;
  return { key, start, end, windowStart: w ? `${y}-${w[0]}` : start, windowEnd: w ? `${y}-${w[1]}` : end };
}

/** When 签到 is taken: minutes before the start it opens, minutes after the start it closes. */
export interface AttendanceWindow {
  opensBefore: number;
  closesAfter: number;
}

/** An org's own windows (`/设置 签到窗口`), by kind; a kind not listed keeps the default. */
export type AttendanceWindows = Partial<Record<SessionKind, AttendanceWindow>>;

/**
 * When 签到 is taken, per kind (docs/domain.md "Attendance": it opens shortly before the start and
 * closes a few hours after; 常见做法, no regulation fixes it): minutes before the start it opens and
 * minutes after the start it closes. 请假 (and 参加) are answered until the start. Each org may set
 * its own (`AttendanceWindows`, kept in its settings); these are the defaults.
 */
export const ATTENDANCE_WINDOWS: Record<SessionKind, AttendanceWindow> = {
  special: { opensBefore: 30, closesAfter: 180 },
  general: { opensBefore: 30, closesAfter: 180 },
  committee: { opensBefore: 30, closesAfter: 180 },
  group: { opensBefore: 30, closesAfter: 180 },
  lecture: { opensBefore: 30, closesAfter: 180 },
  theme_day: { opensBefore: 30, closesAfter: 240 },
  life_meeting: { opensBefore: 30, closesAfter: 240 },
  democratic_life: { opensBefore: 30, closesAfter: 240 },
  central_group: { opensBefore: 30, closesAfter: 180 },
  integrity: { opensBefore: 30, closesAfter: 180 },
  warning: { opensBefore: 30, closesAfter: 180 },
  topic: { opensBefore: 30, closesAfter: 180 },
};

/** What an org may set: 签到 opens 0–12 hours before the start and closes 30 minutes to 24 hours after it. */
export const WINDOW_LIMITS = { opensBefore: [0, 720], closesAfter: [30, 1440] } as const;

const MINUTE = 60_000;

const inLimits = (w: AttendanceWindow) =>
  Number.isInteger(w.opensBefore) &&
  Number.isInteger(w.closesAfter) &&
  w.opensBefore >= WINDOW_LIMITS.opensBefore[0] &&
  w.opensBefore <= WINDOW_LIMITS.opensBefore[1] &&
  w.closesAfter >= WINDOW_LIMITS.closesAfter[0] &&
  w.closesAfter <= WINDOW_LIMITS.closesAfter[1];

/** The window of `kind`: the org's own (`overrides`) when it set one, else the default. */
export function windowOf(kind: string, overrides?: AttendanceWindows): AttendanceWindow {
  return (
    (overrides as Record<string, AttendanceWindow> | undefined)?.[kind] ??
    (ATTENDANCE_WINDOWS as Record<string, AttendanceWindow>)[kind] ?? { opensBefore: 30, closesAfter: 180 }
  );
}

/**
 * The 签到 window a session keeps (migration 0014): taken from the org's windows (or the default) when
 * the session is created, and kept through a 改期, so a later `/设置 签到窗口` changes only sessions
 * created afterwards — a meeting whose window has closed never reopens. Null on rows from before.
 */
export interface WindowSnapshot {
  /** Minutes before the start 签到 opens; null on sessions created before the window was kept. */
  sign_opens_before?: number | null;
  /** Minutes after the start 签到 closes; null on sessions created before the window was kept. */
  sign_closes_after?: number | null;
}

/**
 * The 签到 window of session `s`: its own (kept when it was created) when it has one, else — on a row
 * from before — the org's window for its kind (`windows`), else the default. Every decision on a
 * session's 签到 (the rules, held, the calendar, the 记录簿, the cards, the jobs) reads it here.
 */
export function sessionWindow(s: { kind: string } & WindowSnapshot, windows?: AttendanceWindows): AttendanceWindow {
  if (typeof s.sign_opens_before === 'number' && typeof s.sign_closes_after === 'number')
    return { opensBefore: s.sign_opens_before, closesAfter: s.sign_closes_after };
  return windowOf(s.kind, windows);
}

/** The columns that keep a window on a session row (`sessionWindow` reads them back). */
export function windowColumns(w: AttendanceWindow): { sign_opens_before: number; sign_closes_after: number } {
  return { sign_opens_before: w.opensBefore, sign_closes_after: w.closesAfter };
}

/**
 * The org's windows as stored in its settings (`attendanceWindows`), read defensively: a kind or a
 * value that is not valid is left out (the default applies).
 */
export function attendanceWindowsOf(settings: Record<string, unknown>): AttendanceWindows {
  const raw = settings.attendanceWindows;
  if (!raw || typeof raw !== 'object') return {};
  const out: AttendanceWindows = {};
  for (const [kind, w] of Object.entries(raw as Record<string, unknown>)) {
    if (!(kind in ATTENDANCE_WINDOWS) || !w || typeof w !== 'object') continue;
    const v = w as Record<string, unknown>;
    const win = { opensBefore: Number(v.opensBefore), closesAfter: Number(v.closesAfter) };
    if (inLimits(win)) out[kind as SessionKind] = win;
  }
  return out;
}

/** "45分钟", "3小时", "2小时30分钟". */
export function minutesText(m: number): string {
  const h = Math.floor(m / 60);
  const r = m % 60;
  if (h === 0) return `${r}分钟`;
  return r === 0 ? `${h}小时` : `${h}小时${r}分钟`;
}

/** "开始前30分钟至开始后3小时". */
export function windowText(w: AttendanceWindow): string {
  return `开始前${minutesText(w.opensBefore)}至开始后${minutesText(w.closesAfter)}`;
}

/**
 * `/设置 签到窗口 <类型> 开始前30 开始后180` read as a window (minutes; 小时 and 分钟 may be written):
 * the window, or the sentence saying what is wrong. 提前 is taken for 开始前; the order is free.
 */
export function parseWindowWords(words: readonly string[]): AttendanceWindow | { problem: string } {
  let opens: number | undefined;
  let closes: number | undefined;
  for (const w of words) {
    const m = /^(开始前|提前|开始后)(\d{1,4})(分钟|分|小时)?$/.exec(w);
    if (!m) return { problem: `“${w}”看不懂，应写成“开始前30”或“开始后180”（分钟）。` };
    const n = Number(m[2]) * (m[3] === '小时' ? 60 : 1);
    if (m[1] === '开始前' || m[1] === '提前') opens = n;
    else closes = n;
  }
  if (opens === undefined || closes === undefined)
    return { problem: '请同时写明签到开始（开始前多少分钟）和结束（开始后多少分钟）。' };
  const win = { opensBefore: opens, closesAfter: closes };
  if (!inLimits(win))
    return {
      problem: `签到最早在开始前 ${minutesText(WINDOW_LIMITS.opensBefore[1])} 开放，结束时间应在开始后 ${minutesText(WINDOW_LIMITS.closesAfter[0])} 至 ${minutesText(WINDOW_LIMITS.closesAfter[1])} 之间。`,
    };
  return win;
}

/** The instants 签到 opens and closes for a session of `kind` starting at `startAt` (UTC ISO). */
export function attendanceWindow(
  kind: string,
  startAt: string,
  overrides?: AttendanceWindows,
): { opens: Date; closes: Date } {
  const w = windowOf(kind, overrides);
  const start = Date.parse(startAt);
  return { opens: new Date(start - w.opensBefore * MINUTE), closes: new Date(start + w.closesAfter * MINUTE) };
}

/**
 * The instants 签到 opens and closes for session `s`: its own window (`sessionWindow`), or on a row
 * from before the org's (`overrides`) or the default.
 */
export function sessionWindowInstants(
  s: { kind: string; start_at: string } & WindowSnapshot,
  overrides?: AttendanceWindows,
): { opens: Date; closes: Date } {
  const w = sessionWindow(s, overrides);
  const start = Date.parse(s.start_at);
  return { opens: new Date(start - w.opensBefore * MINUTE), closes: new Date(start + w.closesAfter * MINUTE) };
}

/** The 签到 window has closed: from then on an invitee who neither signed in nor asked leave is 缺席. */
export function attendanceClosed(
  s: { kind: string; start_at: string } & WindowSnapshot,
  now: Date,
  overrides?: AttendanceWindows,
): boolean {
  return now.getTime() >= sessionWindowInstants(s, overrides).closes.getTime();
}

/**
 * Where a session's attendance stands, which decides the buttons its card offers:
 * - `before`: 参加 / 请假 are answered, 签到 has not opened;
 * - `open`: 签到 has opened and the session has not started (参加 / 请假 still answered);
 * - `started`: only 签到, until the window closes;
 * - `closed`: the window has closed or the minutes are recorded: only an admin's 补正 changes it.
 */
export type AttendancePhase = 'before' | 'open' | 'started' | 'closed';

export function attendancePhase(
  s: { kind: string; start_at: string; minutes_at: string | null } & WindowSnapshot,
  now: Date,
  overrides?: AttendanceWindows,
): AttendancePhase {
  const w = sessionWindowInstants(s, overrides);
  const t = now.getTime();
  if (s.minutes_at !== null || t >= w.closes.getTime()) return 'closed';
  if (t >= Date.parse(s.start_at)) return 'started';
  return t >= w.opens.getTime() ? 'open' : 'before';
}
