/** Meetings and study sessions: the calendar rules, sessions, attendees, files and 学习心得. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';

// The stored values of the status and kind columns below (features read them from here).
export const MEETING_KINDS = [
  'special',
  'general',
  'committee',
  'group',
  'lecture',
  'theme_day',
  'life_meeting',
  'democratic_life',
] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const STUDY_KINDS = ['central_group', 'integrity', 'warning', 'topic'] as const;
export type StudyKind = (typeof STUDY_KINDS)[number];
export type SessionKind = MeetingKind | StudyKind;

/** A session is a meeting (三会一课, special meetings) or a study session. */
export const SESSION_CATEGORIES = ['meeting', 'study'] as const;
export type SessionCategory = (typeof SESSION_CATEGORIES)[number];

export const SESSION_STATUSES = ['scheduled', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * An invitee's answer: not yet (`invited`), the 参会回执 参加 (`attending`: will come, not yet signed in),
 * 签到 (`signed`) or 请假 (`leave`). The column has no CHECK constraint: the values live here.
 */
export const ATTENDANCE_STATUSES = ['invited', 'attending', 'signed', 'leave'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** A session's attachments: the link given with the minutes, or a file sent to the bot (photos, sign-in sheet …). */
export const SESSION_FILE_KINDS = ['minutes', 'file'] as const;
export type SessionFileKind = (typeof SESSION_FILE_KINDS)[number];

export const FREQUENCIES = ['month', 'quarter', 'half_year', 'year'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface CalendarRulesTable {
  id: Generated<number>;
  org_id: number;
  key: string;
  kind: SessionKind;
  name: string;
  /** month | quarter | half_year | year */
  frequency: Frequency;
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
  category: SessionCategory;
  kind: SessionKind;
  title: string;
  /** Instant (UTC ISO). */
  start_at: string;
  place: string;
  agenda: string;
  /** scheduled | cancelled */
  status: SessionStatus;
  organiser_open_id: string;
  organiser_name: string;
  minutes: string | null;
  minutes_at: string | null;
  /** 学习心得 due this many working days after the session. */
  reflection_days: number;
  /** live (made through the bot) | backfill (补录: entered afterwards by an admin); see features/meetings/held.ts. */
  recorded_as: string;
  /**
   * The 签到 window kept when the session was created (minutes before the start it opens, after the start
   * it closes; migration 0014), so a later `/设置 签到窗口` never reopens it; null on rows from before
   * (the org's window, or the default, applies: features/meetings/model.ts `sessionWindow`).
   */
  sign_opens_before: number | null;
  sign_closes_after: number | null;
  /** The 党小组 a 党小组会 is for (0017); null for other kinds. */
  party_group: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export const ATTENDEE_SEATS = ['probationary', 'exempt', 'observer'] as const;
export type AttendeeSeat = (typeof ATTENDEE_SEATS)[number];

export interface SessionAttendeesTable {
  session_id: number;
  open_id: string;
  name: string;
  /** invited | attending | signed | leave */
  status: AttendanceStatus;
  reason: string | null;
  answered_at: string | null;
  voting: number;
  /**
   * Why the attendee sits as they do (0017): null an ordinary attendee (a vote when `voting` = 1);
   * probationary a 预备党员 (列席, no vote); exempt excluded from 应到 by the 支部's rule (no vote, not
   * counted); observer 列席 without being a member of the body that meets.
   */
  seat: AttendeeSeat | null;
  /** An admin's 补正 after the 签到 window: when (UTC ISO), by whom (open id) and why; null when none. */
  corrected_at: string | null;
  corrected_by: string | null;
  correction_reason: string | null;
}

export interface SessionFilesTable {
  id: Generated<number>;
  session_id: number;
  /** minutes (the link given with the minutes) | file (a file sent to the bot) */
  kind: SessionFileKind;
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
  /** 1: handed in as 补学 by one who missed the session (缺席 or 请假); never counted as attending. */
  makeup: Generated<number>;
}
