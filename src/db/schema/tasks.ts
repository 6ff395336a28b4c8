/** Responsibility lists: duty items and owners, tasks per period, their history and evidence, quarterly reports. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';

// The stored values of the status and kind columns below (features read them from here).
export const CADENCES = ['once', 'monthly', 'quarterly', 'half_yearly', 'yearly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** `submitted` (待验收) and `accepted` (已完成（已验收）): a task whose item requires evidence (issue 13 item 3). */
export const TASK_STATUSES = [
  'not_started',
  'in_progress',
  'done',
  'blocked',
  'missed',
  'submitted',
  'accepted',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What a task's history records (`task_events.kind`): `evidence` a file attached by its owner, `linked`
 * a held meeting linked as its evidence (关联记录) — both issue 13 item 3.
 */
export const TASK_EVENT_KINDS = [
  'progress',
  'done',
  'blocked',
  'missed',
  'submitted',
  'accepted',
  'returned',
  'evidence',
  'linked',
] as const;
export type TaskEventKind = (typeof TASK_EVENT_KINDS)[number];

import { EVIDENCE_KINDS } from './rectification.ts';

/**
 * A task's evidence (`task_evidence.kind`): a file sent to the bot, a link, a text, or `record` — a
 * held meeting linked as the evidence (关联记录; `value` is `session:<id>`).
 */
export const TASK_EVIDENCE_KINDS = [...EVIDENCE_KINDS, 'record'] as const;
export type TaskEvidenceKind = (typeof TASK_EVIDENCE_KINDS)[number];

export interface DutyListsTable {
  id: Generated<number>;
  org_id: number;
  year: number;
  title: string;
  created_at: string;
}

export interface DutyItemsTable {
  id: Generated<number>;
  list_id: number;
  org_id: number;
  seq: number;
  category: string;
  content: string;
  leader: string;
  /** once | monthly | quarterly | half_yearly | yearly */
  cadence: Cadence;
  /** For one-off items. */
  due_date: string | null;
  /** For recurring items: day of the period's last month (null: the period's last day). */
  due_day: number | null;
  /** The evidence the item requires (text). */
  evidence: string;
  active: number;
  import_key: string | null;
  /** Set on a 支部's item 下发 from its 党委's item (0017): that item and its org; null otherwise. */
  source_item_id: number | null;
  source_org_id: number | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface DutyOwnersTable {
  item_id: number;
  open_id: string;
  name: string;
}

export interface TasksTable {
  id: Generated<number>;
  org_id: number;
  item_id: number;
  owner_open_id: string;
  owner_name: string;
  /** once | 2026-12 | 2026Q4 | 2026H2 | 2026 */
  period: string;
  due_date: string;
  /** not_started | in_progress | done | blocked | missed | submitted (待验收) | accepted (已完成（已验收）) */
  status: TaskStatus;
  percent: number;
  late: number;
  done_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface TaskEventsTable {
  id: Generated<number>;
  task_id: number;
  at: string;
  actor_open_id: string;
  actor_name: string;
  kind: TaskEventKind;
  status: TaskStatus | null;
  percent: number | null;
  text: string | null;
}

export interface TaskEvidenceTable {
  id: Generated<number>;
  task_id: number;
  /** file | link | text | record (关联记录: `value` is `session:<id>`) */
  kind: TaskEvidenceKind;
  value: string;
  name: string;
  added_by: string;
  at: string;
}

export interface QuarterlyReportsTable {
  id: Generated<number>;
  org_id: number;
  owner_open_id: string;
  quarter: string;
  text: string;
  evidence: string;
  submitted_at: string;
}
