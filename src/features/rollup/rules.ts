/**
 * The roll-up of a 党委 over its 支部 (issue 15 item 5), as pure rules: for each lower org five measures
 * and a colour each — 红, 黄 or 绿 — and one overall. The measures:
 *
 * - 未按期开展: the periods of the 支部's calendar rules whose deadline (a windowed rule: its window's
 *   close) fell in the last twelve months — so in January December, the fourth quarter and last year's
 *   组织生活会 still count — with no meeting of the rule's kind held for them: held as held.ts says (the
 *   shell applies `sessionRecordState`), in the window for a windowed rule, as compliance.ts judges a
 *   period, and for a yearly rule as the report counts a year (report/rules.ts `countsForYear`: a
 *   组织生活会 held in January–February of Y + 1 counts for Y); periods that ended before the org began
 *   using the bot are not counted (compliance.ts `orgSince`);
 * - 整改逾期: rectifications not closed past their deadline (the ledger's 逾期 list), with the most late;
 * - 任务逾期: open tasks past their due date (duties/model.ts `ledgerStatus` 逾期);
 * - 参学率: this half-year's held study sessions, signed in ÷ 应到 (study-rules.ts `attendanceRate`);
 * - 上级下发: this year's items 下发 to the 支部 from above and how many of its copies are finished, each
 *   copy's status as the duties feature says it (issue-rules.ts `issueRowStatus`, handed in).
 *
 * A 下发 copy's tasks are the 支部's own tasks, so an overdue one is already counted in 任务逾期 (yellow)
 * and is not counted again; the one thing nothing else counts is a copy whose 书记 has named no owner by
 * its due date (no task exists to be overdue): that turns 上级下发 yellow.
 *
 * The shell (compute.ts) hands in what other features decide — a rule's periods (meetings/model.ts
 * `rulePeriod`), which sessions were held, the 参学率 — so these stay free of them.
 *
 * Status data only: counts, rule names, titles and owners — never a reason, a note or a 心得.
 */
import { addDays, addMonths } from '../../domain/time.ts';

export type Colour = 'red' | 'yellow' | 'green';

export const COLOUR_LABELS: Record<Colour, string> = { red: '红', yellow: '黄', green: '绿' };

/**
 * The thresholds (written down in the README): red for a cycle missed, a rectification more than
 * 30 days late or study attendance under 60 %; yellow for anything overdue at all or attendance under
 * 80 %; green otherwise. A missed cycle cannot be made good any more, hence red at once; a late
 * rectification turns red after a month, when the 督办 is due anyway (the overdue ladder has run).
 */
export const RED_RECT_DAYS = 30;
export const RED_ATTENDANCE = 60;
export const YELLOW_ATTENDANCE = 80;

/** One calendar rule as the roll-up reads it. */
export interface RollupRule {
  key: string;
  name: string;
}

/** A rule's period containing a date, and the window within it (meetings/model.ts `rulePeriod`). */
export interface RulePeriod {
  key: string;
  start: string;
  end: string;
  windowStart: string;
  windowEnd: string;
}

/** The rule the colours follow, as the cards' small print says it. */
export const COLOUR_RULE = `红：有未按期开展的会议或学习、整改逾期超过 ${RED_RECT_DAYS} 天或参学率低于 ${RED_ATTENDANCE}%；黄：有逾期整改或任务（含上级下发的任务）、上级下发任务过期仍未指定责任人，或参学率低于 ${YELLOW_ATTENDANCE}%；绿：其余。`;

/** One period a rule asked for, and whether a held meeting met it. */
export interface CycleResult {
  rule: string;
  name: string;
  /** The period's key: `2026-03`, `2026Q1`, `2026H1`. */
  period: string;
  /** The last day it could be met on (the window's end). */
  end: string;
  met: boolean;
}

/** How far back 未按期开展 looks: a year of every rule's periods whatever the month (not the calendar year). */
export const LOOKBACK_MONTHS = 12;

/** The earliest deadline counted as of `today`: twelve months before it. */
export function lookbackFrom(today: string): string {
  return addMonths(today, -LOOKBACK_MONTHS);
}

/** A held date meets a period when it falls in the period's window. */
export const inWindow = (date: string, p: RulePeriod): boolean => date >= p.windowStart && date <= p.windowEnd;

/**
 * The periods of `rule` (`periodOf` gives the one containing a date) whose deadline (the window's end)
 * fell in the last twelve months before `today` and on or after `since` (the day the org began using
 * the bot), each met when one of `heldDates` (local dates of held sessions of the rule's kind) counts
 * for it — `countsFor`, in its window unless the shell hands in the report's rule for a yearly one.
 * Twelve months hold exactly twelve monthly deadlines, four quarterly, two half-yearly and one yearly.
 */
export function ruleCycles(
  rule: RollupRule,
  periodOf: (date: string) => RulePeriod,
  heldDates: readonly string[],
  since: string,
  today: string,
  countsFor: (date: string, p: RulePeriod) => boolean = inWindow,
): CycleResult[] {
  const out: CycleResult[] = [];
  const from = lookbackFrom(today);
  for (let day = from; day <= today; ) {
    const p = periodOf(day);
    day = addDays(p.end, 1);
    if (p.windowEnd >= today) break;
    if (p.windowEnd < from || p.windowEnd < since) continue;
    const met = heldDates.some((d) => countsFor(d, p));
    out.push({ rule: rule.key, name: rule.name, period: p.key, end: p.windowEnd, met });
  }
  return out;
}

/** One copy of an item 下发 to a lower org, as the duties feature judges it (compute.ts hands it in). */
export interface IssuedCopy {
  /** Its 序号 in the lower org's list, and its content (for the private drill-down only). */
  seq: number;
  title: string;
  /** The status word (issue-rules.ts `issueRowStatus`): 已完成（已验收）, 逾期, 未指定责任人, … */
  status: string;
  finished: boolean;
  /** No owner named yet and its due date passed: nothing else counts it. */
  unassignedLate: boolean;
}

/** What the roll-up knows of one lower org. */
export interface BranchFacts {
  orgId: number;
  name: string;
  cycles: readonly CycleResult[];
  rects: { overdue: number; maxDaysLate: number };
  tasks: { overdue: number };
  /** This half-year's 参学率 in whole percent (study-rules.ts `attendanceRate`), null without study held. */
  attendance: number | null;
  /** This year's copies 下发 to it from above. */
  issued: readonly IssuedCopy[];
}

export interface BranchRow {
  orgId: number;
  name: string;
  colour: Colour;
  colours: { cycles: Colour; rects: Colour; tasks: Colour; study: Colour; issued: Colour };
  missed: number;
  /** Cycles due in the last twelve months, and those met: the 制度落实率. */
  required: number;
  met: number;
  /** Whole percent, null with nothing due. */
  completion: number | null;
  rectsOverdue: number;
  maxDaysLate: number;
  tasksOverdue: number;
  /** 参学率 in whole percent, null without a held study session. */
  attendance: number | null;
  /** Items 下发 from above this year, and those finished (已完成 or 已验收). */
  issued: { total: number; done: number };
}

const WORST: readonly Colour[] = ['red', 'yellow', 'green'];
const worst = (cs: readonly Colour[]): Colour => WORST.find((c) => cs.includes(c)) ?? 'green';

export function attendanceColour(rate: number | null): Colour {
  if (rate === null) return 'green';
  if (rate < RED_ATTENDANCE) return 'red';
  return rate < YELLOW_ATTENDANCE ? 'yellow' : 'green';
}

/** The row of one lower org: its measures, their colours and the overall colour (the worst of them). */
export function branchRow(f: BranchFacts): BranchRow {
  const required = f.cycles.length;
  const met = f.cycles.filter((c) => c.met).length;
  const missed = required - met;
  const attendance = f.attendance;
  const colours = {
    cycles: (missed > 0 ? 'red' : 'green') as Colour,
    rects: (f.rects.overdue === 0 ? 'green' : f.rects.maxDaysLate > RED_RECT_DAYS ? 'red' : 'yellow') as Colour,
    tasks: (f.tasks.overdue > 0 ? 'yellow' : 'green') as Colour,
    study: attendanceColour(attendance),
    issued: (f.issued.some((c) => c.unassignedLate) ? 'yellow' : 'green') as Colour,
  };
  return {
    orgId: f.orgId,
    name: f.name,
    colour: worst(Object.values(colours)),
    colours,
    missed,
    required,
    met,
    completion: required === 0 ? null : Math.floor((met * 100) / required),
    rectsOverdue: f.rects.overdue,
    maxDaysLate: f.rects.maxDaysLate,
    tasksOverdue: f.tasks.overdue,
    attendance,
    issued: { total: f.issued.length, done: f.issued.filter((c) => c.finished).length },
  };
}

/** 下发完成率 in whole percent: finished copies ÷ copies, null with nothing 下发. */
export function issuedRate(i: { total: number; done: number }): number | null {
  return i.total === 0 ? null : Math.floor((i.done * 100) / i.total);
}

/** How much is wrong, for the order within a colour: missed cycles, then late rectifications, tasks. */
const weight = (r: BranchRow) =>
  r.missed * 1000 +
  r.rectsOverdue * 30 +
  r.tasksOverdue * 10 +
  (r.issued.total - r.issued.done) -
  (r.attendance ?? 100);

/** Red first, then yellow, then green; within a colour the most behind first, then by name. */
export function sortRows(rows: readonly BranchRow[]): BranchRow[] {
  return [...rows].sort(
    (a, b) =>
      WORST.indexOf(a.colour) - WORST.indexOf(b.colour) ||
      weight(b) - weight(a) ||
      a.name.localeCompare(b.name, 'zh') ||
      a.orgId - b.orgId,
  );
}

export function colourCounts(rows: readonly BranchRow[]): Record<Colour, number> {
  const out: Record<Colour, number> = { red: 0, yellow: 0, green: 0 };
  for (const r of rows) out[r.colour]++;
  return out;
}

/**
 * Per month of the twelve before this one: the cycles that ended in it across all lower orgs, and those
 * met. Those are the months `ruleCycles` counts deadlines in (twelve months back from today, up to
 * yesterday); a deadline this month — only a window closing mid-month would have one — is in the rows
 * and not on the chart until the month is over.
 */
export function monthlyTrend(
  cycles: readonly CycleResult[],
  today: string,
): { month: string; required: number; met: number }[] {
  const first = addMonths(`${today.slice(0, 7)}-01`, -LOOKBACK_MONTHS);
  const out = Array.from({ length: LOOKBACK_MONTHS }, (_, i) => ({
    month: addMonths(first, i).slice(0, 7),
    required: 0,
    met: 0,
  }));
  const byMonth = new Map(out.map((m) => [m.month, m]));
  for (const c of cycles) {
    const m = byMonth.get(c.end.slice(0, 7));
    if (!m) continue;
    m.required++;
    if (c.met) m.met++;
  }
  return out;
}

/** "2026年3月", "2026年第一季度", "2026年上半年": a period key in words. */
export function periodWords(key: string): string {
  const m = /^(\d{4})(?:-(\d{2})|Q(\d)|H(\d))?$/.exec(key);
  if (!m) return key;
  if (m[2]) return `${m[1]}年${Number(m[2])}月`;
  if (m[3]) return `${m[1]}年第${['一', '二', '三', '四'][Number(m[3]) - 1]}季度`;
  if (m[4]) return `${m[1]}年${m[4] === '1' ? '上' : '下'}半年`;
  return `${m[1]}年`;
}
