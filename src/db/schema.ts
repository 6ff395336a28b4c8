/**
 * The database as the drivers return it, on SQLite and PostgreSQL alike: instants are ISO-8601 UTC
 * text (`2026-11-26T04:15:33.000Z`, fixed width so text order is time order), calendar dates are
 * `YYYY-MM-DD` text, booleans are 0/1 integers, JSON is text.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  CardsTable,
  InboxTable,
  JobRunsTable,
  OutboxFilesTable,
  OutboxTable,
  ProcessedEventsTable,
  RateWindowsTable,
  ReminderClaimsTable,
  UnreachableTargetsTable,
} from './schema/delivery.ts';
import type {
  BallotTalliesTable,
  BallotVotersTable,
  LifePipelinesTable,
  PipelineMaterialsTable,
  PipelineOpinionsTable,
} from './schema/life.ts';
import type {
  CalendarRulesTable,
  ReflectionsTable,
  SessionAttendeesTable,
  SessionFilesTable,
  SessionsTable,
} from './schema/meetings.ts';
import type {
  AuditLogTable,
  ChatBindingsTable,
  GroupChatsTable,
  HolidayOverridesTable,
  MembersTable,
  OrgLinksTable,
  OrgsTable,
  PendingImportsTable,
} from './schema/org.ts';
import type {
  BatchMilestonesTable,
  ExtensionRequestsTable,
  InspectionBatchesTable,
  RectificationEventsTable,
  RectificationEvidenceTable,
  RectificationsTable,
} from './schema/rectification.ts';
import type { TalkPartiesTable, TalksTable } from './schema/talks.ts';
import type {
  DutyItemsTable,
  DutyListsTable,
  DutyOwnersTable,
  QuarterlyReportsTable,
  TaskEventsTable,
  TaskEvidenceTable,
  TasksTable,
} from './schema/tasks.ts';

export type * from './schema/delivery.ts';
export type * from './schema/life.ts';
export type * from './schema/meetings.ts';
export type * from './schema/org.ts';
export type * from './schema/rectification.ts';
export type * from './schema/talks.ts';
export type * from './schema/tasks.ts';

/**
 * Who chaired a meeting (主持人) and who kept its record (记录人), as the 三会一课记录簿 lists them
 * (migration 0020): chosen on the form; without a choice the 书记 chairs a 党员大会 or 支委会 and whoever
 * records the minutes is the 记录人. Null on rows from before and where nothing was recorded.
 */
export interface SessionKeepersColumns {
  host_open_id: string | null;
  host_name: string | null;
  recorder_open_id: string | null;
  recorder_name: string | null;
}

export interface Database {
  orgs: OrgsTable;
  org_links: OrgLinksTable;
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
  sessions: SessionsTable & SessionKeepersColumns;
  session_attendees: SessionAttendeesTable;
  session_files: SessionFilesTable;
  reflections: ReflectionsTable;
  rate_windows: RateWindowsTable;
  talks: TalksTable;
  talk_parties: TalkPartiesTable;
  life_pipelines: LifePipelinesTable;
  pipeline_opinions: PipelineOpinionsTable;
  pipeline_materials: PipelineMaterialsTable;
  ballot_voters: BallotVotersTable;
  ballot_tallies: BallotTalliesTable;
}

export type Org = Selectable<OrgsTable>;
export type OrgLink = Selectable<OrgLinksTable>;
export type Talk = Selectable<TalksTable>;
export type TalkParty = Selectable<TalkPartiesTable>;
export type LifePipeline = Selectable<LifePipelinesTable>;
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
/**
 * A session row. Its 主持人 and 记录人 (migration 0020) are optional here so that a session written out
 * by hand need not name them; every row read from the database has them (null when none was recorded).
 */
export type Session = Selectable<SessionsTable> & Partial<Selectable<SessionKeepersColumns>>;
export type SessionAttendee = Selectable<SessionAttendeesTable>;
