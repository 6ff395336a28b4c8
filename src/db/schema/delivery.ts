/** Delivery bookkeeping: processed events, the inbox, the outbox and its files, live cards, reminder claims, unreachable targets, job runs, shared rate windows. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';
import type { InboxKind, InboxStatus, OutboxKind, OutboxStatus } from '../../domain/delivery.ts';

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
  kind: InboxKind;
  /** The normalised event (JSON). */
  payload: string;
  /** pending | done | failed */
  status: InboxStatus;
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

export interface OutboxTable {
  id: Generated<number>;
  org_id: number | null;
  /** send | reply | patch | urgent_app | urgent_sms | urgent_phone */
  kind: OutboxKind;
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
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface OutboxFilesTable {
  outbox_id: number;
  file_name: string;
  file_type: string;
  bytes: Buffer;
  file_key: string | null;
}

export interface CardsTable {
  id: Generated<number>;
  org_id: number | null;
  kind: string;
  subject_id: number;
  outbox_id: number;
  created_at: string;
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

export interface UnreachableTargetsTable {
  target_type: string;
  target_id: string;
  code: number;
  org_id: number | null;
  first_at: string;
}

export interface JobRunsTable {
  name: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_as_of: string | null;
  last_result: string | null;
}

export interface RateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}
