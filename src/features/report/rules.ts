/**
 * The year's 主体责任落实情况报告 (issue 13 item 8) as pure shaping: given the records of one org and
 * year — each session with the state the held rule gave it, the calendar rules, the 清单 tasks, the
 * rectification items and the 节前廉政提醒 with what became of each card — the figures, the sentences of
 * the report and the 附表 listing the records behind every figure. A figure claims only what the records
 * show happened: a session is counted only when held, a task as accepted only when accepted (one marked
 * 已完成 on an item that asks for evidence is said to be unaccepted), a 销号 without evidence on record
 * is said so, a study session only when held, and a reminder as sent only when its card reached the
 * group chat. `compile.ts` reads the records (and asks features/meetings/held.ts whether each session
 * was held); nothing here reads the database or a clock.
 */
import type { Frequency } from '../../db/schema/meetings.ts';

/** What the held rule (features/meetings/held.ts) says a session's record shows. */
export type RecordState = 'cancelled' | 'scheduled' | 'in_progress' | 'held' | 'not_held';

export interface ReportRule {
  key: string;
  kind: string;
  /** The kind as users read it (支委会, 党课 …). */
  label: string;
  /** The rule's name (支部委员会会议, 党课 …), as the sentences say it. */
  name: string;
  /** 召开, 讲, 开展, 组织 (features/meetings/model.ts verbFor). */
  verb: string;
  frequency: Frequency;
  /** The full citation, or 常见做法. */
  source: string;
}

export interface ReportSession {
  id: number;
  category: 'meeting' | 'study';
  kind: string;
  label: string;
  verb: string;
  title: string;
  /** Local date of the start (YYYY-MM-DD). */
  date: string;
  state: RecordState;
  /** The state as users read it (已召开（纪要待补…）, 未召开（…）, 已安排 …). */
  stateText: string;
  present: number;
  invited: number;
  leave: number;
  minutesPending: boolean;
}

export interface ReportTask {
  id: number;
  content: string;
  owner: string;
  period: string;
  dueDate: string;
  status: string;
  statusLabel: string;
  /** The evidence the task's 清单 item requires (empty: none, so 已完成 needs no acceptance). */
  required: string;
  /** Pieces of evidence kept with the task. */
  evidence: number;
}

export interface ReportRect {
  id: number;
  problem: string;
  owner: string;
  deadline: string;
  status: string;
  statusLabel: string;
  late: boolean;
  /** Local dates. */
  createdOn: string;
  closedOn: string | null;
  /** Pieces of evidence kept with the item. */
  evidence: number;
}

/**
 * What became of a 节前廉政提醒 the job delivered: its card `sent` to the group chat (Feishu took it),
 * `queued` (in the outbox, not yet delivered), `failed` (given up after its retries), or `not_posted`
 * (no card was written: the org had no group chat bound — its inspector's follow-up task only).
 */
export type ReminderState = 'sent' | 'queued' | 'failed' | 'not_posted';

export const REMINDER_STATE_LABELS: Record<ReminderState, string> = {
  sent: '已发送',
  queued: '已排队，尚未送达',
  failed: '发送失败',
  not_posted: '未发送（没有绑定群聊）',
};

export interface ReportReminder {
  /** The delivery's record (reminder claim) key; its card's outbox row carries the same key. */
  key: string;
  holiday: string;
  /** Local date the job delivered it (wrote the card, if any, to the outbox). */
  claimedOn: string;
  state: ReminderState;
  /** Local date Feishu accepted the card (`sent` only). */
  sentOn: string | null;
}

export interface ReportInput {
  orgName: string;
  year: number;
  /** The local date the report is compiled on. */
  today: string;
  rules: readonly ReportRule[];
  sessions: readonly ReportSession[];
  tasks: readonly ReportTask[];
  rects: readonly ReportRect[];
  reminders: readonly ReportReminder[];
}

export type PeriodState = 'met' | 'missed' | 'scheduled' | 'not_due';

export const PERIOD_STATE_LABELS: Record<PeriodState, string> = {
  met: '已落实',
  missed: '未落实',
  scheduled: '已安排，尚未召开',
  not_due: '未到期',
};

export interface PeriodFigure {
  key: string;
  label: string;
  state: PeriodState;
  /** Held sessions in the period (met) or the scheduled ones (scheduled). */
  sessionIds: number[];
}

export interface RuleFigure {
  key: string;
  kind: string;
  label: string;
  name: string;
  verb: string;
  frequencyLabel: string;
  source: string;
  /** Periods in the year: the number of times the rule asks for. */
  required: number;
  /** Held sessions of the kind counted for the year. */
  held: number;
  heldIds: number[];
  periods: PeriodFigure[];
}

export interface Appendix {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface Report {
  orgName: string;
  year: number;
  today: string;
  title: string;
  meetings: {
    rules: RuleFigure[];
    /** Held sessions of kinds no enabled rule asks for (民主生活会, 专题学习 …), per kind. */
    others: { label: string; verb: string; ids: number[] }[];
    notHeldIds: number[];
    scheduledIds: number[];
    minutesPendingIds: number[];
  };
  study: {
    /** Settled study sessions (held or not) whose attendance counts. */
    sessionIds: number[];
    /** Of them, the held ones (开展) and those whose record shows not held (未开展). */
    heldIds: number[];
    notHeldIds: number[];
    invited: number;
    present: number;
    leave: number;
    absent: number;
    /** Percent, rounded; null without invitees. */
    rate: number | null;
  };
  tasks: {
    total: number;
    accepted: number[];
    /** 已完成 on an item that requires no evidence (so needs no acceptance). */
    done: number[];
    /** Marked 已完成 on an item that requires evidence, never accepted (before acceptance was kept). */
    unaccepted: number[];
    /** Of `unaccepted`, those with no evidence on record. */
    unacceptedNoEvidence: number[];
    submitted: number[];
    open: number[];
    overdue: number[];
    missed: number[];
  };
  rects: {
    opened: number[];
    closed: number[];
    closedLate: number[];
    /** Closed with no evidence on record. */
    closedNoEvidence: number[];
    ongoing: number[];
    open: number[];
    overdue: number[];
    lateMarked: number[];
  };
  reminders: {
    /** Every reminder the job delivered in the year, in order. */
    all: ReportReminder[];
    sent: ReportReminder[];
    queued: ReportReminder[];
    failed: ReportReminder[];
    notPosted: ReportReminder[];
  };
  /** The report's body: numbered sections of paragraphs. */
  sections: { heading: string; paragraphs: string[] }[];
  appendices: Appendix[];
}

export const FREQUENCY_TEXT: Record<Frequency, string> = {
  month: '每月',
  quarter: '每季度',
  half_year: '每半年',
  year: '每年',
};

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 一、二、… for section headings. */
export function numeral(n: number): string {
  return NUMERALS[n - 1] ?? String(n);
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthEnd = (y: number, m: number) => `${y}-${pad(m)}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;

/** The periods of a frequency within `year`: key, label, first and last day. */
export function periodsOfYear(
  frequency: Frequency,
  year: number,
): { key: string; label: string; start: string; end: string }[] {
  if (frequency === 'month')
    return Array.from({ length: 12 }, (_, i) => ({
      key: `${year}-${pad(i + 1)}`,
      label: `${i + 1}月`,
      start: `${year}-${pad(i + 1)}-01`,
      end: monthEnd(year, i + 1),
    }));
  if (frequency === 'quarter')
    return [1, 2, 3, 4].map((q) => ({
      key: `${year}Q${q}`,
      label: `第${numeral(q)}季度`,
      start: `${year}-${pad(q * 3 - 2)}-01`,
      end: monthEnd(year, q * 3),
    }));
  if (frequency === 'half_year')
    return [
      { key: `${year}H1`, label: '上半年', start: `${year}-01-01`, end: `${year}-06-30` },
      { key: `${year}H2`, label: '下半年', start: `${year}-07-01`, end: `${year}-12-31` },
    ];
  return [{ key: String(year), label: '本年度', start: `${year}-01-01`, end: `${year}-12-31` }];
}

/**
 * The year a session counts for: its own, except a 组织生活会 held in January or February, which
 * counts for the year before (docs/domain.md "The default calendar": the meeting for year Y is often
 * held in Jan–Feb of Y+1 and counts for Y).
 */
export function countsForYear(s: Pick<ReportSession, 'kind' | 'date'>, year: number): boolean {
  const y = Number(s.date.slice(0, 4));
  const m = Number(s.date.slice(5, 7));
  // Each 组织生活会 counts for one year: the one held from March of Y to February of Y + 1 is Y's (as the
  // 清单's linked records read it, duties/linked.ts), so a January meeting is never counted twice.
  if (s.kind === 'life_meeting') return m <= 2 ? y === year + 1 : y === year;
  return y === year;
}

/**
 * The last day a yearly rule's meeting for `year` may be held: a 组织生活会 until the end of February
 * of the next year (countsForYear), any other on the year's last day.
 */
export function yearlyLastDay(kind: string, year: number): string {
  return kind === 'life_meeting' ? monthEnd(year + 1, 2) : `${year}-12-31`;
}

/** The period of `year` a session falls in (a 组织生活会 of Jan–Feb of the next year: the year's own). */
function periodFor(
  periods: readonly { key: string; start: string; end: string }[],
  s: Pick<ReportSession, 'kind' | 'date'>,
  year: number,
): string | undefined {
  if (Number(s.date.slice(0, 4)) === year + 1) return periods.length === 1 ? periods[0]?.key : undefined;
  return periods.find((p) => s.date >= p.start && s.date <= p.end)?.key;
}

/** How each rule was met over the year, period by period. */
export function ruleFigures(
  rules: readonly ReportRule[],
  sessions: readonly ReportSession[],
  year: number,
  today: string,
): RuleFigure[] {
  return rules.map((r) => {
    const periods = periodsOfYear(r.frequency, year);
    const mine = sessions.filter((s) => s.kind === r.kind && countsForYear(s, year));
    const held = mine.filter((s) => s.state === 'held');
    const figures = periods.map((p): PeriodFigure => {
      const inPeriod = mine.filter((s) => periodFor(periods, s, year) === p.key);
      const heldHere = inPeriod.filter((s) => s.state === 'held').map((s) => s.id);
      if (heldHere.length > 0) return { key: p.key, label: p.label, state: 'met', sessionIds: heldHere };
      const coming = inPeriod.filter((s) => s.state === 'scheduled' || s.state === 'in_progress').map((s) => s.id);
      // A 组织生活会 for the year may still be held in January or February of the next.
      const lastDay = r.frequency === 'year' ? yearlyLastDay(r.kind, year) : p.end;
      if (lastDay < today && coming.length === 0)
        return { key: p.key, label: p.label, state: 'missed', sessionIds: [] };
      return { key: p.key, label: p.label, state: coming.length > 0 ? 'scheduled' : 'not_due', sessionIds: coming };
    });
    return {
      key: r.key,
      kind: r.kind,
      label: r.label,
      name: r.name,
      verb: r.verb,
      frequencyLabel: FREQUENCY_TEXT[r.frequency],
      source: r.source,
      required: periods.length,
      held: held.length,
      heldIds: held.map((s) => s.id),
      periods: figures,
    };
  });
}

/** "#3、#5、#8", at most `max` ids, then "等 N 项". */
export function idList(ids: readonly number[], max = 15): string {
  if (ids.length === 0) return '无';
  const shown = ids
    .slice(0, max)
    .map((i) => `#${i}`)
    .join('、');
  return ids.length > max ? `${shown} 等 ${ids.length} 项` : shown;
}

/** "（记录 #3、#5，见附表1）", or nothing when there is no record. */
function cite(ids: readonly number[], appendix: number): string {
  return ids.length === 0 ? '' : `（记录 ${idList(ids)}，见附表${appendix}）`;
}

const percent = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part * 1000) / whole) / 10;

const isOpenTask = (status: string) => status === 'not_started' || status === 'in_progress' || status === 'blocked';

/**
 * Marked 已完成 although its item asks for evidence: never accepted (a task so marked before acceptance
 * was kept, or whose item gained its requirement afterwards). Not "已完成（无需验收）".
 */
const isUnaccepted = (t: Pick<ReportTask, 'status' | 'required'>) => t.status === 'done' && t.required.trim() !== '';

/** The 附表 status of a task: 已完成（未经验收） for one marked done on an item that asks for evidence. */
export function taskStatusText(t: Pick<ReportTask, 'status' | 'statusLabel' | 'required' | 'dueDate'>, today: string) {
  if (isUnaccepted(t)) return '已完成（未经验收）';
  return t.statusLabel + (isOpenTask(t.status) && t.dueDate < today ? '（逾期）' : '');
}
const OPEN_RECT = ['pending', 'in_progress', 'returned', 'review', 'ongoing'];
const UNFINISHED_RECT = ['pending', 'in_progress', 'returned', 'review'];

/** The first line of a text, cut to `max` characters, for a table cell. */
export function cell(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** The report title: 第一党支部2026年度全面从严治党主体责任落实情况报告. */
export function reportTitle(orgName: string, year: number): string {
  return `${orgName}${year}年度全面从严治党主体责任落实情况报告`;
}

/** The .docx file name: the title, with characters a file name cannot hold replaced. */
export function reportFileName(orgName: string, year: number): string {
  return `${reportTitle(orgName, year).replace(/[\\/:*?"<>|\r\n\t]/g, '_')}.docx`;
}

/** Checks `/报告 YEAR`: a four-digit year from 2000 up to this year. Returns the refusal, or undefined. */
export function yearProblem(text: string, today: string): string | undefined {
  const thisYear = Number(today.slice(0, 4));
  if (!/^\d{4}$/.test(text)) return `“${cell(text, 20)}”不是年份。`;
  const y = Number(text);
  if (y < 2000) return `${y} 年太早，清风没有那时的记录。`;
  if (y > thisYear) return `${y} 年还没有到，不能生成该年度的报告。`;
  return undefined;
}

/** Compiles the report from the records. */
export function compileReport(input: ReportInput): Report {
  const { year, today } = input;
  const inYear = (d: string) => d.slice(0, 4) === String(year);
  const sessions = input.sessions.filter((s) => s.state !== 'cancelled');
  const yearSessions = sessions.filter((s) => countsForYear(s, year));
  const rules = ruleFigures(input.rules, sessions, year, today);
  const ruled = new Set(input.rules.map((r) => r.kind));
  const othersByKind = new Map<string, { label: string; verb: string; ids: number[] }>();
  for (const s of yearSessions.filter((x) => x.state === 'held' && !ruled.has(x.kind) && inYear(x.date))) {
    const o = othersByKind.get(s.kind) ?? { label: s.label, verb: s.verb, ids: [] };
    o.ids.push(s.id);
    othersByKind.set(s.kind, o);
  }
  const meetings = {
    rules,
    others: [...othersByKind.values()],
    notHeldIds: yearSessions.filter((s) => s.state === 'not_held').map((s) => s.id),
    scheduledIds: yearSessions.filter((s) => s.state === 'scheduled' || s.state === 'in_progress').map((s) => s.id),
    minutesPendingIds: yearSessions.filter((s) => s.state === 'held' && s.minutesPending).map((s) => s.id),
  };

  const settledStudy = yearSessions.filter(
    (s) => s.category === 'study' && (s.state === 'held' || s.state === 'not_held'),
  );
  const invited = settledStudy.reduce((n, s) => n + s.invited, 0);
  const present = settledStudy.reduce((n, s) => n + s.present, 0);
  const leave = settledStudy.reduce((n, s) => n + s.leave, 0);
  const study = {
    sessionIds: settledStudy.map((s) => s.id),
    heldIds: settledStudy.filter((s) => s.state === 'held').map((s) => s.id),
    notHeldIds: settledStudy.filter((s) => s.state === 'not_held').map((s) => s.id),
    invited,
    present,
    leave,
    absent: Math.max(0, invited - present - leave),
    rate: percent(present, invited),
  };

  const t = input.tasks;
  const unaccepted = t.filter(isUnaccepted);
  const tasks = {
    total: t.length,
    accepted: t.filter((x) => x.status === 'accepted').map((x) => x.id),
    done: t.filter((x) => x.status === 'done' && !isUnaccepted(x)).map((x) => x.id),
    unaccepted: unaccepted.map((x) => x.id),
    unacceptedNoEvidence: unaccepted.filter((x) => x.evidence === 0).map((x) => x.id),
    submitted: t.filter((x) => x.status === 'submitted').map((x) => x.id),
    open: t.filter((x) => isOpenTask(x.status)).map((x) => x.id),
    overdue: t.filter((x) => isOpenTask(x.status) && x.dueDate < today).map((x) => x.id),
    missed: t.filter((x) => x.status === 'missed').map((x) => x.id),
  };

  const r = input.rects;
  const closedInYear = r.filter((x) => x.status === 'closed' && x.closedOn !== null && inYear(x.closedOn));
  const rects = {
    opened: r.filter((x) => inYear(x.createdOn)).map((x) => x.id),
    closed: closedInYear.map((x) => x.id),
    closedLate: closedInYear.filter((x) => x.late).map((x) => x.id),
    closedNoEvidence: closedInYear.filter((x) => x.evidence === 0).map((x) => x.id),
    ongoing: r.filter((x) => x.status === 'ongoing').map((x) => x.id),
    open: r.filter((x) => OPEN_RECT.includes(x.status)).map((x) => x.id),
    overdue: r.filter((x) => UNFINISHED_RECT.includes(x.status) && x.deadline < today).map((x) => x.id),
    lateMarked: r.filter((x) => x.late).map((x) => x.id),
  };

  const report: Report = {
    orgName: input.orgName,
    year,
    today,
    title: reportTitle(input.orgName, year),
    meetings,
    study,
    tasks,
    rects,
    reminders: {
      all: [...input.reminders],
      sent: input.reminders.filter((h) => h.state === 'sent'),
      queued: input.reminders.filter((h) => h.state === 'queued'),
      failed: input.reminders.filter((h) => h.state === 'failed'),
      notPosted: input.reminders.filter((h) => h.state === 'not_posted'),
    },
    sections: [],
    appendices: [],
  };
  report.sections = sectionsOf(report, input);
  report.appendices = appendicesOf(report, input);
  return report;
}

/** 甲、乙和丙 */
function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join('、')}和${items.at(-1)}`;
}

/** "3月、5月" */
const labels = (ps: readonly PeriodFigure[]) => ps.map((p) => p.label).join('、');

function ruleSentence(f: RuleFigure): string {
  const practice = f.source.startsWith('《') ? '' : '（常见做法）';
  const met = f.periods.filter((p) => p.state === 'met');
  const missed = f.periods.filter((p) => p.state === 'missed');
  const coming = f.periods.filter((p) => p.state === 'scheduled');
  const notDue = f.periods.filter((p) => p.state === 'not_due');
  let s = `${f.label}${practice}：按规定${f.frequencyLabel}${f.verb}${f.name}，全年应${f.verb} ${f.required} 次，已${f.verb} ${f.held} 次${cite(f.heldIds, 1)}`;
  // Two held in one period meet it once: say how many periods they cover.
  if (f.required > 1 && met.length > 0 && met.length !== f.held)
    s += `，覆盖 ${met.length} 个${f.frequencyLabel.replace('每', '')}`;
  s += '。';
  if (missed.length > 0) s += `${labels(missed)}未${f.verb}${f.name}。`;
  if (coming.length > 0) s += `${labels(coming)}已安排，尚未${f.verb}。`;
  if (notDue.length > 0) s += `${labels(notDue)}尚未到期。`;
  return s;
}

/** "其中标记为已完成但未经验收 N 项（…）；", or nothing. */
function unacceptedText(t: Report['tasks']): string {
  if (t.unaccepted.length === 0) return '';
  const bare = t.unacceptedNoEvidence.length;
  return `标记为已完成但未经验收 ${t.unaccepted.length} 项${cite(t.unaccepted, 3)}${
    bare > 0 ? `，其中没有佐证材料记录 ${bare} 项${cite(t.unacceptedNoEvidence, 3)}` : ''
  }；`;
}

/** "春节（2026-02-09）、中秋节、国庆节（2026-09-24）": each with the day it was reminded (附表5 has the day it reached the chat). */
const reminderList = (hs: readonly ReportReminder[]) => hs.map((h) => `${h.holiday}（${h.claimedOn}）`).join('、');

/**
 * The 节前廉政提醒 as sent: only cards the group chat received count as 发送; one still in the outbox,
 * one that failed, and one with no card (no group chat bound) are said apart.
 */
function reminderParagraph(m: Report['reminders']): string {
  if (m.all.length === 0) return '本年度没有发送节前廉政提醒的记录。';
  const parts: string[] = [
    m.sent.length === 0
      ? '本年度没有节前廉政提醒送达群聊的记录'
      : `本年度在节前向群聊发送廉政提醒 ${m.sent.length} 次：${reminderList(m.sent)}`,
  ];
  if (m.queued.length > 0) parts.push(`已排队、尚未送达 ${m.queued.length} 次：${reminderList(m.queued)}`);
  if (m.failed.length > 0) parts.push(`发送失败 ${m.failed.length} 次：${reminderList(m.failed)}`);
  if (m.notPosted.length > 0) parts.push(`因没有绑定群聊未发送 ${m.notPosted.length} 次：${reminderList(m.notPosted)}`);
  return `${parts.join('；')}（见附表5）。`;
}

function sectionsOf(r: Report, input: ReportInput): { heading: string; paragraphs: string[] }[] {
  const m = r.meetings;
  const out: { heading: string; paragraphs: string[] }[] = [];
  const citations = [...new Set(input.rules.map((x) => x.source).filter((x) => x.startsWith('《')))];
  out.push({
    heading: '',
    paragraphs: [
      `根据${citations.length > 0 ? joinAnd(citations) : '有关规定'}，现将${r.orgName}${r.year}年度落实全面从严治党主体责任情况报告如下。本报告中的数字均由清风依据${r.today.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_a, y, mo, d) => `${y}年${Number(mo)}月${Number(d)}日`)}前的记录汇总，每项数字所依据的记录编号列于文中括号内和附表。`,
    ],
  });

  const meetingRules = m.rules.filter((f) => input.rules.some((x) => x.key === f.key));
  const meetingParas = meetingRules.map(ruleSentence);
  for (const o of m.others) meetingParas.push(`${o.label}：全年${o.verb} ${o.ids.length} 次${cite(o.ids, 1)}。`);
  if (m.notHeldIds.length > 0)
    meetingParas.push(
      `另有 ${m.notHeldIds.length} 次活动已到时间但记录显示未召开（无人签到或到会人数未超过半数），不计入已召开次数${cite(m.notHeldIds, 1)}。`,
    );
  if (m.scheduledIds.length > 0)
    meetingParas.push(`已安排尚未召开的活动 ${m.scheduledIds.length} 次，不计入已召开次数${cite(m.scheduledIds, 1)}。`);
  if (meetingParas.length === 0) meetingParas.push('本年度没有会议和学习记录。');
  out.push({ heading: '组织生活和学习教育制度落实情况', paragraphs: meetingParas });

  const s = r.study;
  out.push({
    heading: '学习教育参加情况',
    paragraphs: [
      s.sessionIds.length === 0
        ? '本年度没有已结束签到的学习活动记录。'
        : `本年度开展学习活动 ${s.heldIds.length} 次${cite(s.heldIds, 1)}${
            s.notHeldIds.length > 0
              ? `，另有 ${s.notHeldIds.length} 次已到时间但记录显示未开展${cite(s.notHeldIds, 1)}。以上 ${s.sessionIds.length} 次`
              : '，'
          }应参加 ${s.invited} 人次，实际签到 ${s.present} 人次，请假 ${s.leave} 人次，缺席 ${s.absent} 人次，参学率 ${s.rate ?? 0}%。`,
    ],
  });

  const t = r.tasks;
  out.push({
    heading: '主体责任清单落实情况',
    paragraphs: [
      t.total === 0
        ? '本年度主体责任清单没有到期的任务。'
        : `本年度主体责任清单共有到期任务 ${t.total} 项。其中已完成并经验收 ${t.accepted.length} 项${cite(t.accepted, 3)}；已完成（无需验收）${t.done.length} 项${cite(t.done, 3)}；${unacceptedText(t)}已提交佐证材料、待验收 ${t.submitted.length} 项${cite(t.submitted, 3)}；尚在办理 ${t.open.length} 项${cite(t.open, 3)}，其中逾期 ${t.overdue.length} 项${cite(t.overdue, 3)}；到期未完成 ${t.missed.length} 项${cite(t.missed, 3)}。`,
    ],
  });

  const x = r.rects;
  out.push({
    heading: '问题整改情况',
    paragraphs: [
      `本年度新增整改事项 ${x.opened.length} 项${cite(x.opened, 4)}；本年度销号 ${x.closed.length} 项${cite(x.closed, 4)}，其中逾期后销号 ${x.closedLate.length} 项${cite(x.closedLate, 4)}${
        x.closedNoEvidence.length > 0
          ? `，没有佐证材料记录的 ${x.closedNoEvidence.length} 项${cite(x.closedNoEvidence, 4)}`
          : ''
      }；阶段性完成、持续整改 ${x.ongoing.length} 项${cite(x.ongoing, 4)}。截至报告日，尚未销号 ${x.open.length} 项${cite(x.open, 4)}，其中已超过整改时限 ${x.overdue.length} 项${cite(x.overdue, 4)}；曾经逾期（带逾期标记）的事项共 ${x.lateMarked.length} 项${cite(x.lateMarked, 4)}。`,
    ],
  });

  out.push({
    heading: '节前廉政提醒情况',
    paragraphs: [reminderParagraph(r.reminders)],
  });

  const open: string[] = [];
  for (const f of meetingRules) {
    const missed = f.periods.filter((p) => p.state === 'missed');
    if (missed.length > 0) open.push(`${f.label}：${labels(missed)}未${f.verb}${f.name}。`);
  }
  if (m.minutesPendingIds.length > 0)
    open.push(
      `已召开但会议纪要尚未记录的 ${m.minutesPendingIds.length} 次${cite(m.minutesPendingIds, 1)}，需补充纪要。`,
    );
  if (t.submitted.length > 0)
    open.push(`待验收的清单任务 ${t.submitted.length} 项${cite(t.submitted, 3)}，需书记或纪检委员验收。`);
  if (t.unaccepted.length > 0)
    open.push(
      `标记为已完成但未经验收的清单任务 ${t.unaccepted.length} 项${cite(t.unaccepted, 3)}，其佐证材料需书记或纪检委员核实。`,
    );
  if (t.open.length > 0) open.push(`尚在办理的清单任务 ${t.open.length} 项${cite(t.open, 3)}。`);
  if (x.open.length > 0) open.push(`尚未销号的整改事项 ${x.open.length} 项${cite(x.open, 4)}，需继续推进。`);
  if (x.closedNoEvidence.length > 0)
    open.push(
      `已销号但没有佐证材料记录的整改事项 ${x.closedNoEvidence.length} 项${cite(x.closedNoEvidence, 4)}，需补充佐证材料。`,
    );
  const undelivered = r.reminders.all.filter((h) => h.state === 'queued' || h.state === 'failed');
  if (undelivered.length > 0)
    open.push(`尚未送达群聊的节前廉政提醒 ${undelivered.length} 次：${reminderList(undelivered)}（见附表5）。`);
  out.push({
    heading: '尚未完成的事项',
    paragraphs: open.length > 0 ? open : ['截至报告日，记录中没有尚未完成的事项。'],
  });
  return out.map((sec, i) => ({ ...sec, heading: sec.heading && `${numeral(i)}、${sec.heading}` }));
}

function appendicesOf(r: Report, input: ReportInput): Appendix[] {
  const sessions = input.sessions
    .filter((s) => s.state !== 'cancelled' && countsForYear(s, r.year))
    .sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
  const rulesRows = r.meetings.rules.flatMap((f) =>
    f.periods.map((p) => [
      f.label,
      p.label,
      PERIOD_STATE_LABELS[p.state],
      p.sessionIds.length > 0 ? idList(p.sessionIds, 10) : '—',
    ]),
  );
  return [
    {
      title: '附表1　会议和学习活动记录',
      columns: ['编号', '类型', '主题', '日期', '情况', '实到/应到'],
      rows: sessions.map((s) => [
        `#${s.id}`,
        s.label,
        cell(s.title),
        s.date,
        cell(s.stateText, 80),
        `${s.present}/${s.invited}`,
      ]),
    },
    {
      title: '附表2　各项制度按期落实情况',
      columns: ['制度', '期间', '情况', '记录编号'],
      rows: rulesRows,
    },
    {
      title: '附表3　主体责任清单任务',
      columns: ['编号', '任务', '责任人', '期间', '截止日期', '状态', '佐证材料'],
      rows: input.tasks.map((t) => [
        `#${t.id}`,
        cell(t.content),
        cell(t.owner, 20),
        t.period,
        t.dueDate,
        taskStatusText(t, r.today),
        `${t.evidence} 份`,
      ]),
    },
    {
      title: '附表4　整改事项',
      columns: ['编号', '问题', '责任人', '整改时限', '状态', '逾期标记', '销号日期', '佐证材料'],
      rows: input.rects.map((x) => [
        `#${x.id}`,
        cell(x.problem),
        cell(x.owner, 20),
        x.deadline,
        x.statusLabel,
        x.late ? '有' : '无',
        x.closedOn ?? '—',
        `${x.evidence} 份`,
      ]),
    },
    {
      title: '附表5　节前廉政提醒',
      columns: ['节日', '提醒日期', '发送情况', '送达日期', '记录'],
      rows: r.reminders.all.map((h) => [
        h.holiday,
        h.claimedOn,
        REMINDER_STATE_LABELS[h.state],
        h.sentOn ?? '—',
        h.key,
      ]),
    },
  ];
}
