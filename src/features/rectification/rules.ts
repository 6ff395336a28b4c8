/**
 * The rectification item's rules as pure transitions (issue 12): given the item as now committed,
 * what happened, who did it and when, each function returns the change to write, the history entry
 * and the people to tell, or throws the `UserError` the actor sees. No database, no clock: the
 * service (`service.ts`) reads and locks the row, calls these, then writes.
 */
import type { Actor } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { describeRoles, isAdminRole, type Role } from '../../core/roles.ts';
import { clip } from '../../core/text.ts';
import {
  type ExtensionStatus,
  ownerMayWork,
  RECT_STATUS_LABELS,
  REVIEWER_ROLES,
  type RectEventKind,
  type RectKind,
  type RectStatus,
} from './model.ts';

/** The fields of an item the rules read; a `rectifications` row has them all. */
export interface RectItemState {
  id: number;
  kind: RectKind;
  status: RectStatus;
  deadline: string;
  /** Permanent late mark (0/1). */
  late: number;
  owner_open_id: string;
  owner_name: string;
}

export type RectActor = Pick<Actor, 'openId' | 'name' | 'role'>;

/** When the event happens: the instant (ISO, UTC) and the org's local calendar day. */
export interface RectWhen {
  at: string;
  today: string;
}

/** The columns a transition changes (the shell adds `updated_at` and the version bump). */
export interface RectUpdate {
  status?: RectStatus;
  progress?: number;
  late?: number;
  deadline?: string;
  submitted_at?: string;
  closed_at?: string | null;
  reviewer_open_id?: string | null;
  reviewer_name?: string | null;
}

/** One line of the item's history (`rectification_events`); also names the audit action. */
export interface RectHistoryEntry {
  kind: RectEventKind;
  percent?: number | null;
  text?: string | null;
}

/** Whom to tell what, as data; the shell renders and sends it through the outbox. */
export type RectNotice =
  | { kind: 'returned'; to: string; itemId: number; by: string; reason: string }
  | { kind: 'ongoing'; to: string; itemId: number }
  | { kind: 'closed'; to: string; itemId: number; by: string }
  | { kind: 'reopened'; to: string; itemId: number; by: string; reason: string }
  | { kind: 'extension_approved'; to: string; itemId: number; newDeadline: string }
  | { kind: 'extension_refused'; to: string; itemId: number; oldDeadline: string }
  /** The review card, to every reviewer of the org but the owner. */
  | { kind: 'review_card'; roles: readonly Role[]; except: string }
  /** The extension request card, to every admin of the org but the requester. */
  | { kind: 'extension_card'; admins: true; except: string };

export interface RectTransition {
  update: RectUpdate;
  history: RectHistoryEntry;
  notices: RectNotice[];
}

/** Stored user texts are cut to these lengths (code points). */
const NOTE_MAX = 1000;
const REASON_MAX = 500;

const nameOf = (a: RectActor) => a.name ?? a.openId;
const label = (s: RectStatus) => RECT_STATUS_LABELS[s];

/** The permanent late mark: set once the item is (or was) past its deadline while open. */
export function lateFlag(item: Pick<RectItemState, 'late' | 'deadline'>, today: string): number {
  return item.late === 1 || today > item.deadline ? 1 : 0;
}

function assertOwner(item: RectItemState, actor: RectActor, what: string): void {
  if (actor.openId !== item.owner_open_id) {
    throw new UserError('forbidden', `只有责任人（${item.owner_name}）可以${what}。`);
  }
}

function assertOwnerMayWork(item: RectItemState, what: string): void {
  if (!ownerMayWork(item.status)) {
    throw new UserError('conflict', `事项当前为“${label(item.status)}”，不能${what}。`);
  }
}

/** A new item (typed in, or a new row of an imported ledger). */
export function createRect(
  v: { deadline: string; imported: boolean },
  today: string,
): { late: number; history: RectHistoryEntry } {
  return {
    late: lateFlag({ late: 0, deadline: v.deadline }, today),
    history: { kind: v.imported ? 'imported' : 'created' },
  };
}

/** The owner reports progress; a 阶段性完成 item stays so, any other becomes 整改中. */
export function reportProgress(
  item: RectItemState,
  actor: RectActor,
  p: { percent: number; text: string },
  when: RectWhen,
): RectTransition {
  assertOwner(item, actor, '报告此事项的进展');
  assertOwnerMayWork(item, '报告进展');
  return {
    update: {
      status: item.status === 'ongoing' ? 'ongoing' : 'in_progress',
      progress: Math.max(0, Math.min(100, p.percent)),
      late: lateFlag(item, when.today),
    },
    history: { kind: 'progress', percent: p.percent, text: clip(p.text, NOTE_MAX) },
    notices: [],
  };
}

/** The owner attaches a file, a link or a note as evidence. */
export function attachEvidence(item: RectItemState, actor: RectActor, e: { name: string }): RectTransition {
  assertOwner(item, actor, '为此事项补充佐证材料');
  return { update: {}, history: { kind: 'evidence', text: e.name }, notices: [] };
}

/**
 * The owner asks for 销号. `evidence` counts the item's evidence including any given with this
 * request; without any the request is refused.
 */
export function submitForClosing(
  item: RectItemState,
  actor: RectActor,
  p: { note?: string; evidence: number },
  when: RectWhen,
): RectTransition {
  assertOwner(item, actor, '申请销号');
  assertOwnerMayWork(item, '申请销号');
  if (p.evidence === 0) {
    throw new UserError('bad_args', '申请销号需要佐证材料：请填写链接或说明，或先把文件发给清风并附到本事项。');
  }
  return {
    update: { status: 'review', submitted_at: when.at, late: lateFlag(item, when.today) },
    history: { kind: 'submit', text: p.note === undefined ? null : clip(p.note, NOTE_MAX) },
    notices: [{ kind: 'review_card', roles: REVIEWER_ROLES, except: item.owner_open_id }],
  };
}

export type ReviewDecision = 'close' | 'ongoing' | 'return';

/** A reviewer (not the owner) closes the item, confirms a long-term one as 阶段性完成, or returns it. */
export function reviewItem(
  item: RectItemState,
  actor: RectActor,
  d: { decision: ReviewDecision; reason?: string },
  when: RectWhen,
): RectTransition {
  if (!actor.role || !(REVIEWER_ROLES as readonly Role[]).includes(actor.role)) {
    throw new UserError('forbidden', `需要${describeRoles(REVIEWER_ROLES)}权限才能审核销号。`);
  }
  if (actor.openId === item.owner_open_id) {
    throw new UserError('forbidden', '责任人不能审核自己的整改事项，请由其他纪检委员或书记审核。');
  }
  if (item.status !== 'review') {
    throw new UserError('conflict', `事项当前为“${label(item.status)}”，不在待审核状态。`);
  }
  const to = item.owner_open_id;
  if (d.decision === 'return') {
    const reason = d.reason?.trim();
    if (!reason) throw new UserError('bad_args', '退回需要填写理由。');
    return {
      update: { status: 'returned' },
      history: { kind: 'returned', text: clip(reason, REASON_MAX) },
      notices: [{ kind: 'returned', to, itemId: item.id, by: nameOf(actor), reason: d.reason ?? reason }],
    };
  }
  if (d.decision === 'ongoing') {
    if (item.kind !== 'long_term') throw new UserError('bad_args', '只有长期整改事项可以确认为阶段性完成。');
    return {
      update: { status: 'ongoing' },
      history: { kind: 'ongoing' },
      notices: [{ kind: 'ongoing', to, itemId: item.id }],
    };
  }
  return {
    update: {
      status: 'closed',
      progress: 100,
      closed_at: when.at,
      reviewer_open_id: actor.openId,
      reviewer_name: nameOf(actor),
      late: when.today > item.deadline ? 1 : item.late,
    },
    history: { kind: 'closed' },
    notices: [{ kind: 'closed', to, itemId: item.id, by: nameOf(actor) }],
  };
}

/** A closed or 阶段性完成 item goes back to 整改中 (an admin found it not done). */
export function reopenItem(item: RectItemState, actor: RectActor, reason: string): RectTransition {
  if (item.status !== 'closed' && item.status !== 'ongoing') {
    throw new UserError('conflict', `事项当前为“${label(item.status)}”，只有已销号或阶段性完成的事项可以重新打开。`);
  }
  return {
    update: { status: 'in_progress', closed_at: null, reviewer_open_id: null, reviewer_name: null },
    history: { kind: 'reopen', text: clip(reason.trim(), REASON_MAX) },
    notices: [{ kind: 'reopened', to: item.owner_open_id, itemId: item.id, by: nameOf(actor), reason }],
  };
}

/** The extension request to store (besides the ids and the time, which the shell adds). */
export interface NewExtension {
  old_deadline: string;
  new_deadline: string;
  reason: string;
}

/**
 * The owner or an admin asks to move the deadline; the admins (but the requester) are asked.
 * `pending`: whether a request for the item is already waiting.
 */
export function requestExtension(
  item: RectItemState,
  actor: RectActor,
  r: { newDeadline: string; reason: string; pending: boolean },
): RectTransition & { request: NewExtension } {
  if (actor.openId !== item.owner_open_id && !isAdminRole(actor.role)) {
    throw new UserError('forbidden', `只有责任人（${item.owner_name}）或组织管理员可以申请延期。`);
  }
  if (item.status === 'closed') throw new UserError('conflict', '事项已销号，不能延期。');
  if (r.newDeadline <= item.deadline) throw new UserError('bad_args', `延期后的时限应晚于原时限 ${item.deadline}。`);
  if (r.pending) throw new UserError('conflict', '已有一个延期申请在等待审批。');
  const reason = clip(r.reason.trim(), REASON_MAX);
  if (!reason) throw new UserError('bad_args', '延期需要填写理由。');
  return {
    request: { old_deadline: item.deadline, new_deadline: r.newDeadline, reason },
    update: {},
    history: { kind: 'extend_request', text: `延至 ${r.newDeadline}：${reason}` },
    notices: [{ kind: 'extension_card', admins: true, except: actor.openId }],
  };
}

/** What an admin decides on an extension request. */
export type ExtensionDecision = Exclude<ExtensionStatus, 'pending'>;

/** The fields of an extension request the rules read. */
export interface ExtensionState {
  status: ExtensionStatus;
  requested_by: string;
  old_deadline: string;
  new_deadline: string;
}

/**
 * An admin other than the requester and the owner approves or refuses a pending request. The item
 * keeps a late mark it had earned by today, even when its deadline moves later.
 */
export function decideExtension(
  item: RectItemState,
  req: ExtensionState,
  actor: RectActor,
  approve: boolean,
  when: RectWhen,
): RectTransition & { request: { status: ExtensionDecision; decided_by: string; decided_at: string } } {
  if (req.status !== 'pending') throw new UserError('conflict', '这个延期申请已经处理过了。');
  if (req.requested_by === actor.openId || item.owner_open_id === actor.openId) {
    throw new UserError('forbidden', '不能审批自己提出或自己负责事项的延期申请，请由其他管理员审批。');
  }
  const late = lateFlag(item, when.today);
  const to = [...new Set([req.requested_by, item.owner_open_id])];
  return {
    request: { status: approve ? 'approved' : 'refused', decided_by: actor.openId, decided_at: when.at },
    update: approve ? { deadline: req.new_deadline, late } : { late },
    history: approve
      ? { kind: 'extend_approved', text: `时限由 ${req.old_deadline} 延至 ${req.new_deadline}` }
      : { kind: 'extend_refused', text: null },
    notices: to.map(
      (openId): RectNotice =>
        approve
          ? { kind: 'extension_approved', to: openId, itemId: item.id, newDeadline: req.new_deadline }
          : { kind: 'extension_refused', to: openId, itemId: item.id, oldDeadline: req.old_deadline },
    ),
  };
}
