/**
 * The task occurrence's rules as pure transitions (issue 12): an owner's report (进行中 / 已完成 /
 * 遇到困难), the period end that marks an undone occurrence 未完成, and (issue 13 item 3) 验收: on an
 * item that requires evidence, 已完成 needs some and makes the task 待验收 until the 书记 or 纪检委员
 * accepts it (已完成（已验收）) or returns it. Each returns the change, the
 * history line and whom to tell, or throws the `UserError` the actor sees; `service.ts` and
 * `jobs/task-occurrences.ts` read, lock and write around them.
 */

import type { Actor } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { periodText } from '../../core/period-text.ts';
import { describeRoles, type Role } from '../../core/roles.ts';
import {
  isOpenTask,
  type Period,
  type ReportedTaskStatus,
  TASK_ACCEPTOR_ROLES,
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

/**
 * Where a task's evidence stands (issue 13 item 3, "done means evidenced"): the item's requirement
 * (empty: none) and how many pieces — files, links, text — are already attached to the task.
 */
export interface TaskEvidenceState {
  required: string;
  attached: number;
  /**
   * The item names a meeting to hold (linked.ts): only a held one of the period — a linked record —
   * evidences it. `records` are attached (or found now); `why` says why there is none yet.
   */
  linked?: { label: string; verb: string; records: number; why: string };
}

export const NO_EVIDENCE_REQUIRED: TaskEvidenceState = { required: '', attached: 0 };

/** The owner asks for 验收: the acceptors (but the owner) are sent the task. */
export interface TaskReviewNotice {
  kind: 'review';
  roles: readonly Role[];
  except: string;
}

/** The acceptor returned the task: the owner is told why. */
export interface TaskReturnedNotice {
  kind: 'returned';
  to: string;
  by: string;
  reason: string;
}

export type TaskNotice = TaskBlockedNotice | TaskReviewNotice | TaskReturnedNotice;

export interface TaskTransition {
  update: TaskUpdate;
  history: TaskHistoryEntry;
  notices: TaskNotice[];
}

/**
 * The owner reports on an open task. `when.at` stamps 已完成; `when.today` decides the late mark.
 * 已完成 on a task whose item requires evidence needs some: already attached, or `r.link` (a link or
 * a text) in this same report.
 */
export function reportTask(
  t: TaskState,
  actor: Pick<Actor, 'openId'>,
  r: { status: ReportedTaskStatus; percent: number; text: string; link?: string },
  when: { at: string; today: string },
  evidence: TaskEvidenceState = NO_EVIDENCE_REQUIRED,
): TaskTransition {
  if (actor.openId !== t.owner_open_id)
    throw new UserError('forbidden', `只有责任人（${t.owner_name}）可以报告这项任务。`);
  if (!isOpenTask(t.status)) {
    throw new UserError('conflict', `任务当前为“${TASK_STATUS_LABELS[t.status]}”，不能再报告。`);
  }
  const done = r.status === 'done';
  const required = evidence.required.trim();
  if (done && required && evidence.linked) {
    if (evidence.linked.records === 0) {
      throw new UserError(
        'bad_args',
        `这项任务以本期已${evidence.linked.verb}的${evidence.linked.label}为佐证（要求：${required}）。${evidence.linked.why}`,
      );
    }
  } else if (done && required && evidence.attached === 0 && !r.link?.trim()) {
    throw new UserError('bad_args', evidenceNeeded(required));
  }
  if (done && required) {
    return {
      update: {
        status: 'submitted',
        percent: 100,
        done_at: when.at,
        late: t.late === 1 || when.today > t.due_date ? 1 : 0,
      },
      history: { kind: 'submitted', text: r.text },
      notices: [{ kind: 'review', roles: TASK_ACCEPTOR_ROLES, except: t.owner_open_id }],
    };
  }
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

/** The refusal of 已完成 without evidence: the requirement, and the three ways to give it. */
export function evidenceNeeded(required: string): string {
  return `请先附上佐证材料（要求：${required}）：可在“更新进度”中选择“已完成”，在“佐证材料”一栏填写链接或文字说明；也可在与清风的单聊中发送文件，选为这项任务的佐证。`;
}

/**
 * A held meeting of the task's period completes a task whose item names it (linked.ts): attached as
 * its evidence (关联记录), the task is 待验收 when its item requires evidence, else 已完成. Late only
 * when the meeting itself was held after the due date. Undefined when the task is no longer open.
 */
export function completeByRecord(
  t: TaskState,
  record: { name: string; date: string },
  when: { at: string },
  required: string,
): TaskTransition | undefined {
  if (!isOpenTask(t.status)) return undefined;
  const late = t.late === 1 || record.date > t.due_date ? 1 : 0;
  const history: TaskHistoryEntry = { kind: 'linked', text: record.name };
  if (required.trim()) {
    return {
      update: { status: 'submitted', percent: 100, done_at: when.at, late },
      history,
      notices: [{ kind: 'review', roles: TASK_ACCEPTOR_ROLES, except: t.owner_open_id }],
    };
  }
  return { update: { status: 'done', percent: 100, done_at: when.at, late }, history, notices: [] };
}

/**
 * The owner attaches a file (sent to the bot) as the task's evidence: only the owner, only while the
 * task is open (待验收 and finished tasks keep the evidence they were judged on).
 */
export function attachTaskEvidence(t: TaskState, actor: Pick<Actor, 'openId'>, e: { name: string }): TaskTransition {
  if (actor.openId !== t.owner_open_id)
    throw new UserError('forbidden', `只有责任人（${t.owner_name}）可以为这项任务添加佐证材料。`);
  if (!isOpenTask(t.status)) {
    throw new UserError('conflict', `任务当前为“${TASK_STATUS_LABELS[t.status]}”，不能再添加佐证材料。`);
  }
  return {
    update: { status: t.status, late: t.late },
    history: { kind: 'evidence', text: `添加佐证材料：${e.name}` },
    notices: [],
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
    history: { kind: 'missed', text: `${periodText(period)}期末未完成，记为未完成` },
    notices: [],
  };
}

export type TaskReviewDecision = 'accept' | 'return';

/**
 * The 书记 or 纪检委员 (not the owner) decides on a task 待验收: accepted, it is 已完成（已验收）; returned
 * (with a reason, told to the owner), it is 进行中 again and the owner reports anew.
 */
export function reviewTask(
  t: TaskState,
  actor: Pick<Actor, 'openId' | 'name'> & { role: Role | undefined },
  d: { decision: TaskReviewDecision; reason?: string },
): TaskTransition {
  if (!actor.role || !(TASK_ACCEPTOR_ROLES as readonly Role[]).includes(actor.role)) {
    throw new UserError('forbidden', `需要${describeRoles(TASK_ACCEPTOR_ROLES)}权限才能验收。`);
  }
  if (actor.openId === t.owner_open_id) {
    throw new UserError('forbidden', '责任人不能验收自己的任务，请由书记或纪检委员验收。');
  }
  if (t.status !== 'submitted') {
    throw new UserError('conflict', `任务当前为“${TASK_STATUS_LABELS[t.status]}”，不在待验收状态。`);
  }
  if (d.decision === 'return') {
    const reason = d.reason?.trim();
    if (!reason) throw new UserError('bad_args', '退回需要填写理由。');
    return {
      update: { status: 'in_progress', percent: t.percent, done_at: null, late: t.late },
      history: { kind: 'returned', text: `退回：${reason}` },
      notices: [{ kind: 'returned', to: t.owner_open_id, by: actor.name ?? '', reason }],
    };
  }
  return {
    update: { status: 'accepted', percent: 100, late: t.late },
    history: { kind: 'accepted', text: '验收通过' },
    notices: [],
  };
}
