/**
 * The task occurrence's rules as pure transitions (issue 12): an owner's report (进行中 / 已完成 /
 * 遇到困难) and the period end that marks an undone occurrence 未完成. Each returns the change, the
 * history line and whom to tell, or throws the `UserError` the actor sees; `service.ts` and
 * `jobs/task-occurrences.ts` read, lock and write around them.
 */
import type { Actor } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Role } from '../../core/roles.ts';
import {
  isOpenTask,
  type Period,
  type ReportedTaskStatus,
  TASK_STATUS_LABELS,
  type TaskEventKind,
  type TaskStatus,
} from './model.ts';

/** The fields of a task the rules read; a `tasks` row has them all. */
export interface TaskState {
  id: number;
  status: TaskStatus;
  percent: number;
  late: number;
  due_date: string;
  /** `once` for one-off items, else the period key (`2026-12`, `2026Q4` …). */
  period: string;
  owner_open_id: string;
  owner_name: string;
}

/** The columns a transition changes (the shell adds `updated_at` and the version bump). */
export interface TaskUpdate {
  status: TaskStatus;
  percent?: number;
  done_at?: string | null;
  late: number;
}

export interface TaskHistoryEntry {
  kind: TaskEventKind;
  text?: string;
}

/** The owner is stuck: the org's secretaries (but the owner) are told why. */
export interface TaskBlockedNotice {
  kind: 'blocked';
  roles: readonly Role[];
  except: string;
  reason: string;
}

export interface TaskTransition {
  update: TaskUpdate;
  history: TaskHistoryEntry;
  notices: TaskBlockedNotice[];
}

/** The owner reports on an open task. `when.at` stamps 已完成; `when.today` decides the late mark. */
export function reportTask(
  t: TaskState,
  actor: Pick<Actor, 'openId'>,
  r: { status: ReportedTaskStatus; percent: number; text: string },
  when: { at: string; today: string },
): TaskTransition {
  if (actor.openId !== t.owner_open_id)
    throw new UserError('forbidden', `只有责任人（${t.owner_name}）可以报告这项任务。`);
  if (!isOpenTask(t.status)) {
    throw new UserError('conflict', `任务当前为“${TASK_STATUS_LABELS[t.status]}”，不能再报告。`);
  }
  const done = r.status === 'done';
  return {
    update: {
      status: r.status,
      percent: done ? 100 : Math.max(0, Math.min(100, r.percent)),
      done_at: done ? when.at : null,
      late: t.late === 1 || when.today > t.due_date ? 1 : 0,
    },
    history: { kind: done ? 'done' : r.status === 'blocked' ? 'blocked' : 'progress', text: r.text },
    notices:
      r.status === 'blocked'
        ? [{ kind: 'blocked', roles: ['secretary'], except: t.owner_open_id, reason: r.text }]
        : [],
  };
}

/**
 * After its period ends, a recurring occurrence still open becomes 未完成 (for good: a late 已完成 no
 * longer counts). Undefined when nothing changes: a one-off task, a period not over, a closed task.
 */
export function missTask(t: TaskState, period: Period, today: string): TaskTransition | undefined {
  if (t.period === 'once' || today <= period.end || !isOpenTask(t.status)) return undefined;
  return {
    update: { status: 'missed', late: 1 },
    history: { kind: 'missed', text: `${period.key} 期末未完成，记为未完成` },
    notices: [],
  };
}
