/**
 * Pressure passed down (issue 15 item 4), the pure part: which lower orgs a 下发 goes to, how a lower
 * org's copy of an item stands (one row of the 下发情况 card), and the words that mark an item as 下发
 * from above or 下发 below. Only statuses and evidence are read here: a 支部's progress notes and
 * 遇到困难 reasons never reach its 党委.
 */
import type { Cadence, TaskEvidenceKind, TaskStatus } from '../../db/schema/tasks.ts';
import { CADENCE_LABELS, type LedgerStatus, ledgerStatus, periodOf } from './model.ts';

/** A lower org's copy with nobody assigned yet (its secretary has still to name the owners). */
export const UNASSIGNED = '未指定责任人';
export type IssueRowStatus = LedgerStatus | typeof UNASSIGNED;

/** The word that chooses every lower org. */
export const ALL_LOWER = '全部';

/**
 * The lower orgs named by `words`: 全部, or their names (「」 around a name allowed). A name that is
 * not one of `lower` refuses the whole 下发 (nothing is created), listing those that are.
 */
export function chooseTargets<O extends { id: number; name: string }>(
  words: readonly string[],
  lower: readonly O[],
  upperName: string,
): { orgs: O[] } | { error: string } {
  const names = lower.map((o) => `「${o.name}」`).join('、');
  if (words.length === 0) return { error: `请写明下发给哪些下级组织：${ALL_LOWER}，或下级组织的名称（${names}）。` };
  if (words.length === 1 && words[0] === ALL_LOWER) return { orgs: [...lower] };
  const chosen: O[] = [];
  for (const w of words) {
    const name = w.replace(/^「(.*)」$/, '$1').trim();
    const org = lower.find((o) => o.name === name);
    if (!org) return { error: `「${name}」不是「${upperName}」的下级组织。可以下发给：${names}，或写“${ALL_LOWER}”。` };
    if (!chosen.includes(org)) chosen.push(org);
  }
  return { orgs: chosen };
}

/**
 * The tasks a row is about: those of the item's current period (a one-off item has one), else of its
 * latest period (a recurring item whose owners were named before this period's tasks exist).
 */
export function currentTasks<T extends { period: string; due_date: string }>(
  tasks: readonly T[],
  cadence: Cadence,
  today: string,
): T[] {
  if (tasks.length === 0) return [];
  const key = cadence === 'once' ? 'once' : periodOf(cadence, today).key;
  const now = tasks.filter((t) => t.period === key);
  if (now.length > 0) return now;
  const latest = tasks.reduce((a, b) => (b.due_date > a.due_date ? b : a)).period;
  return tasks.filter((t) => t.period === latest);
}

const FINISHED: readonly IssueRowStatus[] = ['已完成（已验收）', '已完成'];

/**
 * How a lower org's copy stands, in the task status words (model.ts `ledgerStatus`): 未指定责任人 with
 * no task yet; the owners' common status when they agree; otherwise the most pressing of 逾期, 未完成
 * and 遇到困难, 已完成 when every owner finished, else 进行中.
 */
export function issueRowStatus(tasks: readonly { status: TaskStatus; due_date: string }[], today: string) {
  if (tasks.length === 0) return UNASSIGNED;
  const each = tasks.map((t) => ledgerStatus(t, today));
  const first = each[0] as LedgerStatus;
  if (each.every((s) => s === first)) return first;
  for (const s of ['逾期', '未完成', '遇到困难'] as const) if (each.includes(s)) return s;
  return each.every((s) => FINISHED.includes(s)) ? '已完成' : '进行中';
}

export function isFinished(s: IssueRowStatus): boolean {
  return FINISHED.includes(s);
}

/**
 * The evidence of a row, as text: how many, and the first one's name (a file's name, a link, a linked
 * record). A written note counts but is not quoted: it is the 支部's own words.
 */
export function evidenceSummary(evidence: readonly { kind: TaskEvidenceKind; name: string }[]): string {
  const first = evidence[0];
  if (!first) return '无';
  return `${evidence.length} 份：${first.kind === 'text' ? '文字说明' : first.name}`;
}

/** When an item is due, in words: a date for a one-off item, the day in each period for a recurring one. */
export function dueWords(cadence: Cadence, dueDate: string | null, dueDay: number | null): string {
  if (cadence === 'once') return dueDate ?? '未定';
  if (cadence === 'monthly') return dueDay ? `每月${dueDay}日前` : '每月月底前';
  const label = CADENCE_LABELS[cadence];
  return dueDay ? `${label}最后一个月${dueDay}日前` : `${label}期末前`;
}

/** The tag of a lower org's copy: where it came from. */
export const fromAboveTag = (upperName: string) => `上级下发：${upperName}`;

/** The tag of an upper org's item 下发 below: to how many, and how many finished. */
export const issuedTag = (total: number, finished: number) => `已下发 ${total} 个支部 · 已完成 ${finished}`;
