/**
 * The database as the drivers return it, on SQLite and PostgreSQL alike: instants are ISO-8601 UTC
 * text (`2026-11-26T04:15:33.000Z`, fixed width so text order is time order), calendar dates are
 * `YYYY-MM-DD` text, booleans are 0/1 integers, JSON is text.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface OrgsTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  /** JSON object of per-org settings (quiet hours, 加急 switches …). */
  settings: string;
  created_at: string;
}

export interface ChatBindingsTable {
  chat_id: string;
  org_id: number;
  chat_name: string | null;
  bound_by: string;
  bound_at: string;
}

export interface MembersTable {
  id: Generated<number>;
  org_id: number;
  open_id: string;
  name: string;
  role: string;
  /** Leave (请假/出差): from this day (null: open start, for rows from before 0007) to `away_until`. */
  away_from: string | null;
  away_until: string | null;
  away_reason: string | null;
  /** When the member left the org's group chats (0011); null while a member. Rows that left hold no access. */
  left_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProcessedEventsTable {
  /** `msg:<message_id>` for messages, `evt:<event_id>` for other events. */
  key: string;
  kind: string;
  received_at: string;
}

export interface InboxTable {
  /** The router's dedup key: `msg:<message_id>` for messages, `evt:<event_id>` for other events. */
  key: string;
  /** message | card_action | bot_added | users_added | users_deleted */
  kind: string;
  /** The normalised event (JSON). */
  payload: string;
  /** pending | done | failed */
  status: string;
  attempts: number;
  /** A pending row is (re)processed from this instant on; until then its owner is working on it. */
  next_attempt_at: string;
  lease_owner: string | null;
  /** 1 when the event was acknowledged before its work finished (a card is then updated by PATCH). */
  late: number;
  last_error: string | null;
  received_at: string;
  done_at: string | null;
}

/** A group chat the bot was spoken to in (card callbacks do not say a chat's type). */
export interface GroupChatsTable {
  chat_id: string;
  first_seen_at: string;
}

export interface OutboxTable {
  id: Generated<number>;
  org_id: number | null;
  /** send | reply | patch | urgent_app | urgent_sms | urgent_phone */
  kind: string;
  /** chat_id | open_id for sends; message_id for reply, patch and urgent */
  target_type: string;
  target_id: string | null;
  /** For patch/urgent/reply of a message this outbox has not sent yet. */
  ref_outbox_id: number | null;
  msg_type: string | null;
  /** The JSON body sent to Feishu (content string, user lists …). */
  payload: string;
  uuid: string;
  dedupe_key: string | null;
  coalesce_key: string | null;
  /** pending | sent | dead | superseded */
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface ReminderClaimsTable {
  /** job | subject | occurrence */
  key: string;
  job: string;
  subject: string;
  occurrence: string;
  org_id: number | null;
  claimed_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  org_id: number | null;
  actor: string;
  chat_id: string | null;
  action: string;
  subject: string | null;
  args: string | null;
  result: string;
  before: string | null;
  after: string | null;
}

export interface UnreachableTargetsTable {
  target_type: string;
  target_id: string;
  code: number;
  org_id: number | null;
  first_at: string;
}

export interface HolidayOverridesTable {
  date: string;
  /** holiday | workday */
  kind: string;
  name: string;
}

export interface JobRunsTable {
  name: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_as_of: string | null;
  last_result: string | null;
}

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
  kind: string;
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
  kind: string;
  area: string;
  /** pending | in_progress | review | closed | ongoing | returned */
  status: string;
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
  kind: string;
  percent: number | null;
  text: string | null;
}

export interface RectificationEvidenceTable {
  id: Generated<number>;
  item_id: number;
  /** file | link | text */
  kind: string;
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
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  created_at: string;
}

export interface CardsTable {
  id: Generated<number>;
  org_id: number | null;
  kind: string;
  subject_id: number;
  outbox_id: number;
  created_at: string;
}

export interface OutboxFilesTable {
  outbox_id: number;
  file_name: string;
  file_type: string;
  bytes: Buffer;
  file_key: string | null;
}

export interface PendingImportsTable {
  id: Generated<number>;
  org_id: number;
  kind: string;
  file_name: string;
  payload: string;
  /** pending | confirmed | cancelled */
  status: string;
  created_by: string;
  created_at: string;
}

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
  cadence: string;
  /** For one-off items. */
  due_date: string | null;
  /** For recurring items: day of the period's last month (null: the period's last day). */
  due_day: number | null;
  /** The evidence the item requires (text). */
  evidence: string;
  active: number;
  import_key: string | null;
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
  /** not_started | in_progress | done | blocked | missed */
  status: string;
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
  kind: string;
  status: string | null;
  percent: number | null;
  text: string | null;
}

export interface TaskEvidenceTable {
  id: Generated<number>;
  task_id: number;
  kind: string;
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

export interface CalendarRulesTable {
  id: Generated<number>;
  org_id: number;
  key: string;
  kind: string;
  name: string;
  /** month | quarter | half_year | year */
  frequency: string;
  /** JSON `{ H1: [MM-DD, MM-DD], H2: … }` or null. */
  window: string | null;
  fixed_day: number | null;
  lead_days: number;
  source: string;
  confidence: string;
  enabled: number;
  updated_at: string;
}

export interface SessionsTable {
  id: Generated<number>;
  org_id: number;
  /** meeting | study */
  category: string;
  kind: string;
  title: string;
  /** Instant (UTC ISO). */
  start_at: string;
  place: string;
  agenda: string;
  /** scheduled | cancelled */
  status: string;
  organiser_open_id: string;
  organiser_name: string;
  minutes: string | null;
  minutes_at: string | null;
  /** 学习心得 due this many working days after the session. */
  reflection_days: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SessionAttendeesTable {
  session_id: number;
  open_id: string;
  name: string;
  /** invited | signed | leave */
  status: string;
  reason: string | null;
  answered_at: string | null;
  voting: number;
}

export interface SessionFilesTable {
  id: Generated<number>;
  session_id: number;
  /** minutes | photo | signin | material */
  kind: string;
  value: string;
  name: string;
  added_by: string;
  at: string;
}

export interface ReflectionsTable {
  id: Generated<number>;
  session_id: number;
  open_id: string;
  text: string;
  link: string;
  submitted_at: string;
}

export interface RateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface Database {
  orgs: OrgsTable;
  chat_bindings: ChatBindingsTable;
  members: MembersTable;
  processed_events: ProcessedEventsTable;
  inbox: InboxTable;
  group_chats: GroupChatsTable;
  outbox: OutboxTable;
  reminder_claims: ReminderClaimsTable;
  audit_log: AuditLogTable;
  unreachable_targets: UnreachableTargetsTable;
  holiday_overrides: HolidayOverridesTable;
  job_runs: JobRunsTable;
  inspection_batches: InspectionBatchesTable;
  batch_milestones: BatchMilestonesTable;
  rectifications: RectificationsTable;
  rectification_events: RectificationEventsTable;
  rectification_evidence: RectificationEvidenceTable;
  extension_requests: ExtensionRequestsTable;
  cards: CardsTable;
  outbox_files: OutboxFilesTable;
  pending_imports: PendingImportsTable;
  duty_lists: DutyListsTable;
  duty_items: DutyItemsTable;
  duty_owners: DutyOwnersTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  task_evidence: TaskEvidenceTable;
  quarterly_reports: QuarterlyReportsTable;
  calendar_rules: CalendarRulesTable;
  sessions: SessionsTable;
  session_attendees: SessionAttendeesTable;
  session_files: SessionFilesTable;
  reflections: ReflectionsTable;
  rate_windows: RateWindowsTable;
}

export type Org = Selectable<OrgsTable>;
export type Member = Selectable<MembersTable>;
export type NewMember = Insertable<MembersTable>;
export type MemberUpdate = Updateable<MembersTable>;
export type InboxRow = Selectable<InboxTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type Rectification = Selectable<RectificationsTable>;
export type RectificationEvent = Selectable<RectificationEventsTable>;
export type Evidence = Selectable<RectificationEvidenceTable>;
export type ExtensionRequest = Selectable<ExtensionRequestsTable>;
export type InspectionBatch = Selectable<InspectionBatchesTable>;
export type BatchMilestone = Selectable<BatchMilestonesTable>;
export type DutyItem = Selectable<DutyItemsTable>;
export type Task = Selectable<TasksTable>;
export type TaskEvent = Selectable<TaskEventsTable>;
export type CalendarRule = Selectable<CalendarRulesTable>;
export type Session = Selectable<SessionsTable>;
export type SessionAttendee = Selectable<SessionAttendeesTable>;
