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

/**
 * When 签到 is taken, per kind (docs/domain.md "Attendance": it opens shortly before the start and
 * closes a few hours after; 常见做法, no regulation fixes it): minutes before the start it opens and
 * minutes after the start it closes. 请假 is asked until the start.
 */
export const ATTENDANCE_WINDOWS: Record<SessionKind, { opensBefore: number; closesAfter: number }> = {
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

const MINUTE = 60_000;

/** The instants 签到 opens and closes for a session of `kind` starting at `startAt` (UTC ISO). */
export function attendanceWindow(kind: string, startAt: string): { opens: Date; closes: Date } {
  const w = (ATTENDANCE_WINDOWS as Record<string, { opensBefore: number; closesAfter: number }>)[kind] ?? {
    opensBefore: 30,
    closesAfter: 180,
  };
  const start = Date.parse(startAt);
  return { opens: new Date(start - w.opensBefore * MINUTE), closes: new Date(start + w.closesAfter * MINUTE) };
}

/** The 签到 window has closed: from then on an invitee who neither signed in nor asked leave is 缺席. */
export function attendanceClosed(s: { kind: string; start_at: string }, now: Date): boolean {
  return now.getTime() >= attendanceWindow(s.kind, s.start_at).closes.getTime();
}
