/** Organisations, their chats and members, the audit log, holidays and pending imports. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';
import type { ImportStatus } from '../../domain/delivery.ts';
import type { HolidayKind } from '../../domain/workdays.ts';

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

/** A group chat the bot was spoken to in (card callbacks do not say a chat's type). */
export interface GroupChatsTable {
  chat_id: string;
  first_seen_at: string;
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

export interface HolidayOverridesTable {
  date: string;
  /** holiday | workday */
  kind: HolidayKind;
  name: string;
}

export interface PendingImportsTable {
  id: Generated<number>;
  org_id: number;
  kind: string;
  file_name: string;
  payload: string;
  /** pending | confirmed | cancelled */
  status: ImportStatus;
  created_by: string;
  created_at: string;
}
