/** The talk register (issue 16): talks and their parties. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';

// The stored values of the kind and status columns below (features read them from here).
/** 谈心谈话, 廉政谈话, 任前廉政谈话, 提醒谈话, 节前廉政谈话. */
export const TALK_KINDS = ['heart', 'integrity', 'pre_appointment', 'reminder', 'holiday'] as const;
export type TalkKind = (typeof TALK_KINDS)[number];

/** recorded (by its recorder); withdrawn (kept, no longer counted: recorded in error). */
export const TALK_STATUSES = ['recorded', 'withdrawn'] as const;
export type TalkStatus = (typeof TALK_STATUSES)[number];

export interface TalksTable {
  id: Generated<number>;
  org_id: number;
  kind: TalkKind;
  /** Local date (YYYY-MM-DD). */
  held_on: string;
  place: string;
  /** For the recorder, the 书记 and the 纪检委员 only; never shown in a group. */
  notes: string | null;
  recorder_open_id: string;
  recorder_name: string;
  status: Generated<TalkStatus>;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface TalkPartiesTable {
  talk_id: number;
  open_id: string;
  name: string;
  /** When this party confirmed the talk (双方确认 once every party has); null until then. */
  confirmed_at: string | null;
}
