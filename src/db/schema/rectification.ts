/** Inspection batches and rectification items: milestones, history, evidence, extension requests. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';

// The stored values of the status and kind columns below (features read them from here).
/** The milestones of an inspection batch (their default titles and dates: the rectification feature's model). */
export const MILESTONE_KINDS = ['plan', 'report', 'assessment', 'review6', 'review12'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];
export const RECT_STATUSES = ['pending', 'in_progress', 'review', 'closed', 'ongoing', 'returned'] as const;
export type RectStatus = (typeof RECT_STATUSES)[number];

export const RECT_KINDS = ['centralized', 'long_term'] as const;
export type RectKind = (typeof RECT_KINDS)[number];

/** What a rectification's history records (`rectification_events.kind`). */
export const RECT_EVENT_KINDS = [
  'created',
  'imported',
  'import_update',
  'progress',
  'evidence',
  'submit',
  'returned',
  'closed',
  'ongoing',
  'extend_request',
  'extend_approved',
  'extend_refused',
  'reopen',
] as const;
export type RectEventKind = (typeof RECT_EVENT_KINDS)[number];

/** Evidence of a rectification or a task: a file sent to the bot, a link, or a note. */
export const EVIDENCE_KINDS = ['file', 'link', 'text'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const EXTENSION_STATUSES = ['pending', 'approved', 'refused'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];

export interface InspectionBatchesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  source: string;
  feedback_date: string;
  created_by: string;
  created_at: string;
}

export interface BatchMilestonesTable {
  id: Generated<number>;
  batch_id: number;
  org_id: number;
  kind: MilestoneKind;
  title: string;
  due_date: string;
  done_at: string | null;
  done_by: string | null;
}

export interface RectificationsTable {
  id: Generated<number>;
  org_id: number;
  batch_id: number | null;
  source: string;
  problem: string;
  measures: string;
  leader: string;
  owner_open_id: string;
  owner_name: string;
  deadline: string;
  /** centralized | long_term */
  kind: RectKind;
  area: string;
  /** pending | in_progress | review | closed | ongoing | returned */
  status: RectStatus;
  progress: number;
  /** Permanent late mark: 1 once the deadline passed while open. */
  late: number;
  submitted_at: string | null;
  closed_at: string | null;
  reviewer_open_id: string | null;
  reviewer_name: string | null;
  /** Source + problem text hash, so re-importing a file updates instead of duplicating. */
  import_key: string | null;
  /** Bumped on every change; cards carry it to detect stale clicks. */
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface RectificationEventsTable {
  id: Generated<number>;
  item_id: number;
  at: string;
  actor_open_id: string;
  actor_name: string;
  kind: RectEventKind;
  percent: number | null;
  text: string | null;
}

export interface RectificationEvidenceTable {
  id: Generated<number>;
  item_id: number;
  /** file | link | text */
  kind: EvidenceKind;
  value: string;
  name: string;
  added_by: string;
  at: string;
}

export interface ExtensionRequestsTable {
  id: Generated<number>;
  item_id: number;
  org_id: number;
  requested_by: string;
  old_deadline: string;
  new_deadline: string;
  reason: string;
  /** pending | approved | refused */
  status: ExtensionStatus;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  created_at: string;
}
