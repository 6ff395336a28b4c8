/** Responsibility-list rules: categories, cadences and their periods, task statuses. */
import type { Role } from '../../core/roles.ts';
import type { Cadence, TaskStatus } from '../../db/schema/tasks.ts';

export {
  CADENCES,
  type Cadence,
  TASK_EVENT_KINDS,
  TASK_EVIDENCE_KINDS,
  TASK_STATUSES,
  type TaskEventKind,
  type TaskEvidenceKind,
  type TaskStatus,
} from '../../db/schema/tasks.ts';

import { addDays } from '../../domain/time.ts';

export const DUTY_CATEGORIES = [
  '政治建设',
  '思想建设',
  '组织建设',
  '作风建设',
  '纪律建设',
  '制度建设',
  '反腐败',
  '其他',
] as const;

export const CADENCE_LABELS: Record<Cadence, string> = {
  once: '一次性',
  monthly: '每月',
  quarterly: '每季度',
  half_yearly: '每半年',
  yearly: '每年',
};

export function parseCadence(text: string): Cadence | undefined {
  const t = text.trim().replace(/\s+/g, '');
  if (!t || /一次|单次|once/.test(t)) return t ? 'once' : undefined;
  if (/月/.test(t) && !/半年|季/.test(t)) return 'monthly';
  if (/季/.test(t)) return 'quarterly';
  if (/半年/.test(t)) return 'half_yearly';
  if (/年|长期|持续|经常/.test(t)) return 'yearly';
  const en: Record<string, Cadence> = {
    monthly: 'monthly',
    quarterly: 'quarterly',
    half_yearly: 'half_yearly',
    yearly: 'yearly',
  };
  return en[t];
}

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  not_started: '未开始',
  in_progress: '进行中',
  done: '已完成',
  blocked: '遇到困难',
  missed: '未完成（已过期）',
  submitted: '待验收',
  accepted: '已完成（已验收）',
};

/**
 * How a task stands in a ledger or a roll-up (issue 13 item 3): 已完成（已验收）, 已完成 (an item that
 * needs no acceptance), 待验收, 进行中, 未开始, 遇到困难, 逾期 (open past its due date, before its own
 * status) or 未完成 (its period ended undone).
 */
export const LEDGER_STATUSES = [
  '已完成（已验收）',
  '已完成',
  '待验收',
  '进行中',
  '未开始',
  '遇到困难',
  '逾期',
  '未完成',
] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export function ledgerStatus(t: { status: TaskStatus; due_date: string }, today: string): LedgerStatus {
  switch (t.status) {
    case 'accepted':
      return '已完成（已验收）';
    case 'done':
      return '已完成';
    case 'submitted':
      return '待验收';
    case 'missed':
      return '未完成';
    default:
      if (t.due_date < today) return '逾期';
      return t.status === 'in_progress' ? '进行中' : t.status === 'blocked' ? '遇到困难' : '未开始';
  }
}

/** Who accepts (验收) a task submitted with its evidence: the 书记 or the 纪检委员 (not its owner). */
export const TASK_ACCEPTOR_ROLES = ['secretary', 'inspector'] as const satisfies readonly Role[];

/** A task still to be done: its owner can report on it, and past its due date it is overdue. */
export const OPEN_TASK_STATUSES = ['not_started', 'in_progress', 'blocked'] as const satisfies readonly TaskStatus[];

export function isOpenTask(status: TaskStatus): boolean {
  return (OPEN_TASK_STATUSES as readonly TaskStatus[]).includes(status);
}

/** The statuses an owner reports a task into (the report form's choices). */
export const REPORTED_TASK_STATUSES = ['in_progress', 'done', 'blocked'] as const satisfies readonly TaskStatus[];
export type ReportedTaskStatus = (typeof REPORTED_TASK_STATUSES)[number];

export interface Period {
  /** `once`, `2026-12`, `2026Q4`, `2026H2`, `2026` */
  key: string;
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthEnd = (y: number, m: number) => addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`, -1);

/** The period of a cadence that contains `date`. */
export function periodOf(cadence: Cadence, date: string): Period {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  switch (cadence) {
    case 'monthly':
      return { key: `${y}-${pad(m)}`, start: `${y}-${pad(m)}-01`, end: monthEnd(y, m) };
    case 'quarterly': {
      const q = Math.floor((m - 1) / 3) + 1;
      return { key: `${y}Q${q}`, start: `${y}-${pad((q - 1) * 3 + 1)}-01`, end: monthEnd(y, q * 3) };
    }
    case 'half_yearly':
      return m <= 6
        ? { key: `${y}H1`, start: `${y}-01-01`, end: `${y}-06-30` }
        : { key: `${y}H2`, start: `${y}-07-01`, end: `${y}-12-31` };
    case 'yearly':
      return { key: String(y), start: `${y}-01-01`, end: `${y}-12-31` };
    case 'once':
      return { key: 'once', start: '0000-01-01', end: '9999-12-31' };
  }
}

/** The due date of a period: day `dueDay` of its last month (capped), else its last day. */
export function dueDateOf(period: Period, dueDay: number | null): string {
  if (!dueDay) return period.end;
  const last = period.end.slice(0, 7);
  const lastDay = Number(period.end.slice(8, 10));
  return `${last}-${pad(Math.min(dueDay, lastDay))}`;
}

/** The 支委: 书记, 副书记 and the 委员 (docs/domain.md "Glossary"). */
export const LEADING_ROLES: readonly Role[] = ['secretary', 'deputy', 'inspector', 'organizer', 'publicity'];

/**
 * 一岗双责 is a duty of leading cadres (docs/domain.md "Words and citations"): a 支委, or a member an
 * item names as its 责任领导 (one name or several, "张三、李四"). Ordinary 党员 report on their own items.
 */
export function isLeadingCadre(m: { role: string; name: string } | undefined, leaders: readonly string[]): boolean {
  if (!m) return false;
  if ((LEADING_ROLES as readonly string[]).includes(m.role)) return true;
  const name = m.name.trim();
  return name !== '' && leaders.some((l) => l.split(/[、，,;；/\s]+/).includes(name));
}
