/** Rectification (整改) rules: statuses, kinds, sources, transitions, lateness, batch milestones. */
import type { MilestoneKind, RectEventKind, RectKind, RectStatus } from '../../db/schema/rectification.ts';

export {
  EVIDENCE_KINDS,
  type EvidenceKind,
  EXTENSION_STATUSES,
  type ExtensionStatus,
  MILESTONE_KINDS,
  type MilestoneKind,
  RECT_EVENT_KINDS,
  RECT_KINDS,
  RECT_STATUSES,
  type RectEventKind,
  type RectKind,
  type RectStatus,
} from '../../db/schema/rectification.ts';

import { addMonths, daysBetween } from '../../domain/time.ts';

export const RECT_STATUS_LABELS: Record<RectStatus, string> = {
  pending: '待整改',
  in_progress: '整改中',
  review: '待审核',
  closed: '已销号',
  ongoing: '阶段性完成',
  returned: '已退回',
};

export const RECT_KIND_LABELS: Record<RectKind, string> = { centralized: '集中整改', long_term: '长期整改' };

export const RECT_SOURCES = ['巡察', '巡视', '审计', '自查', '上级督查', '组织生活会'] as const;

/** Every status but `closed`: the item is still on the ledger's open list. */
export const OPEN_RECT_STATUSES = [
  'pending',
  'in_progress',
  'returned',
  'review',
  'ongoing',
] as const satisfies readonly RectStatus[];

/** The owner may report progress or ask for 销号 from these (open, and not waiting for review). */
export const WORKABLE_RECT_STATUSES = [
  'pending',
  'in_progress',
  'returned',
  'ongoing',
] as const satisfies readonly RectStatus[];

/** Open items that have not reached a stage yet (no review pending, not 阶段性完成). */
export const UNFINISHED_RECT_STATUSES = ['pending', 'in_progress', 'returned'] as const satisfies readonly RectStatus[];

/** Not yet submitted for 销号 nor 阶段性完成: the deadline ladder still nudges the owner. */
export function isUnfinished(status: RectStatus): boolean {
  return (UNFINISHED_RECT_STATUSES as readonly RectStatus[]).includes(status);
}

export function isOpen(status: RectStatus): boolean {
  return status !== 'closed';
}

/** The owner may report progress or ask for 销号 from these. */
export function ownerMayWork(status: RectStatus): boolean {
  return (WORKABLE_RECT_STATUSES as readonly RectStatus[]).includes(status);
}

export const RECT_EVENT_LABELS: Record<RectEventKind, string> = {
  created: '创建',
  imported: '导入',
  import_update: '导入更新',
  progress: '报告进展',
  evidence: '补充佐证',
  submit: '申请销号',
  returned: '退回',
  closed: '通过销号',
  ongoing: '阶段性完成',
  extend_request: '申请延期',
  extend_approved: '同意延期',
  extend_refused: '拒绝延期',
  reopen: '重新打开',
};

export function parseKind(text: string): RectKind | undefined {
  const t = text.trim();
  if (t === '集中整改' || t === '集中' || t === 'centralized') return 'centralized';
  if (t === '长期整改' || t === '长期' || t === '持续整改' || t === 'long_term') return 'long_term';
  return undefined;
}

/** 立行立改: due this many months after the batch's feedback date (or the day it is entered). */
export const IMMEDIATE_MONTHS = 1;
/**
 * 长期坚持: a long-term item still carries a deadline (the column is required and the ladder and the
 * late mark read it); it is set at the second 回头看, D + 12 months (MILESTONE_DEFAULTS), and the item
 * reports progress each quarter until then.
 */
export const LONG_TERM_MONTHS = 12;

/**
 * The 整改时限 words real ledgers use instead of a date: 立行立改 (at once: one month) and 长期坚持 /
 * 长期 (a long-term item). "立行立改、长期坚持" together is long-term. Undefined for anything else.
 */
export function deadlineWord(text: string): 'immediate' | 'long_term' | undefined {
  const t = text.normalize('NFKC').replace(/[\s,，、;；/+和及]/g, '');
  if (!t) return undefined;
  if (t.includes('长期坚持') || ['长期', '长期整改', '持续整改', '持续推进', '长期推进'].includes(t))
    return 'long_term';
  if (['立行立改', '立即整改', '即知即改', '立知立改'].includes(t)) return 'immediate';
  return undefined;
}

/** The deadline a 时限 word stands for, counted from `base` (the feedback date, or the day of entry). */
export function wordDeadlineDate(word: 'immediate' | 'long_term', base: string): string {
  return addMonths(base, word === 'immediate' ? IMMEDIATE_MONTHS : LONG_TERM_MONTHS);
}

export function parseSource(text: string): (typeof RECT_SOURCES)[number] | undefined {
  const t = text.trim();
  return (RECT_SOURCES as readonly string[]).includes(t) ? (t as (typeof RECT_SOURCES)[number]) : undefined;
}

/**
 * How late an item is, in calendar days: open items count to today, closed ones to the day they
 * closed. 0 when on time.
 */
export function daysLate(deadline: string, o: { today: string; closedOn?: string | null }): number {
  return Math.max(0, daysBetween(deadline, o.closedOn ?? o.today));
}

/** "还剩 3 天" / "今天到期" / "已逾期 2 天" / "逾期 5 天后销号". */
export function deadlineText(deadline: string, o: { today: string; closedOn?: string | null }): string {
  if (o.closedOn) {
    const late = daysLate(deadline, o);
    return late > 0 ? `逾期 ${late} 天后销号` : '按期销号';
  }
  const d = daysBetween(o.today, deadline);
  if (d > 0) return `还剩 ${d} 天`;
  if (d === 0) return '今天到期';
  return `已逾期 ${-d} 天`;
}

/**
 * Where the deadline stands now, as `deadlineText` words it (the card colours them by it): met or met
 * late once closed, otherwise overdue, due today or still running — by the deadline as it is now, so an
 * extended item counts down again (its permanent late mark is shown apart, as 曾逾期).
 */
export function deadlineTone(
  deadline: string,
  o: { today: string; closedOn?: string | null },
): 'overdue' | 'today' | 'running' | 'met' | 'met_late' {
  if (o.closedOn) return daysLate(deadline, o) > 0 ? 'met_late' : 'met';
  const d = daysBetween(o.today, deadline);
  return d > 0 ? 'running' : d === 0 ? 'today' : 'overdue';
}

/**
 * Whether an item is past its deadline now (open), and whether it carries the permanent late mark:
 * stored, overdue now, or closed after its deadline (kept after an extension and after 销号).
 */
export function lateness(
  item: { status: RectStatus; deadline: string; late: number },
  o: { today: string; closedOn: string | null },
): { overdue: boolean; late: boolean } {
  const overdue = item.status !== 'closed' && o.today > item.deadline;
  return { overdue, late: item.late === 1 || overdue || (o.closedOn !== null && o.closedOn > item.deadline) };
}

/** The default milestones of an inspection batch from its feedback date D (docs/domain.md). */
export const MILESTONE_DEFAULTS = [
  { kind: 'plan', title: '报送整改方案（问题、任务、责任清单）', months: 1 },
  { kind: 'report', title: '报送整改情况报告', months: 2 },
  { kind: 'assessment', title: '集中整改结束并评估', months: 3 },
  { kind: 'review6', title: '第一次“回头看”', months: 6 },
  { kind: 'review12', title: '第二次“回头看”', months: 12 },
] as const satisfies readonly { kind: MilestoneKind; title: string; months: number }[];

export function milestoneDates(feedbackDate: string): { kind: MilestoneKind; title: string; due: string }[] {
  return MILESTONE_DEFAULTS.map((m) => ({ kind: m.kind, title: m.title, due: addMonths(feedbackDate, m.months) }));
}

export const REVIEWER_ROLES = ['secretary', 'deputy', 'inspector'] as const;
