/** Organisations, their chats and members, the audit log, holidays and pending imports. (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';
import type { ImportStatus } from '../../domain/delivery.ts';
import type { HolidayKind } from '../../domain/workdays.ts';

// The stored values of the level, category, post and link-status columns below (features read them from here).
/** An org's level (migration 0017): 党委, 党组, 机关党委 and 党总支 are over 支部; a 党支部 is a branch. */
export const ORG_LEVELS = ['committee', 'leading_group', 'organ_committee', 'general_branch', 'branch'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

/** 正式党员 (votes) or 预备党员 (attends without a vote). */
export const MEMBER_CATEGORIES = ['full', 'probationary'] as const;
export type MemberCategory = (typeof MEMBER_CATEGORIES)[number];

/** A post on the 支部委员会 (支委); `member` is a 委员 without a named post. */
export const COMMITTEE_POSTS = ['secretary', 'deputy', 'organizer', 'inspector', 'publicity', 'member'] as const;
export type CommitteePost = (typeof COMMITTEE_POSTS)[number];

/** A request by which a 党委 takes an org under it: the lower org's admins agree (or decline) on its card. */
export const ORG_LINK_STATUSES = ['pending', 'accepted', 'declined', 'cancelled', 'removed'] as const;
export type OrgLinkStatus = (typeof ORG_LINK_STATUSES)[number];

export interface OrgsTable {
  id: Generated<number>;
  name: string;
  /** The org above this one (a 支部's 党委), or null. */
  parent_id: number | null;
  /** committee | leading_group | organ_committee | general_branch | branch; null when never set (0017). */
  level: OrgLevel | null;
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
  /** The register (0017): full (正式党员) | probationary (预备党员). Roles stay the permission system. */
  category: Generated<MemberCategory>;
  /** The post on the 支部委员会, or null when not a 支委. */
  committee_post: CommitteePost | null;
  /** The 党小组 (its name), and whether this member leads it (组长). */
  party_group: string | null;
  group_leader: Generated<number>;
  /** 入党 and 转正 dates (YYYY-MM-DD), the post at work; optional. */
  joined_on: string | null;
  confirmed_on: string | null;
  post: string | null;
  /** Approved exclusion from a 党员大会's 应到 (e.g. 长期病假), its reason; null when counted. */
  quorum_exempt: string | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

/** A group chat the bot was spoken to in (card callbacks do not say a chat's type). */
export interface GroupChatsTable {
  chat_id: string;
  first_seen_at: string;
}

export interface OrgLinksTable {
  id: Generated<number>;
  parent_id: number;
  child_id: number;
  /** pending | accepted | declined | cancelled | removed */
  status: OrgLinkStatus;
  requested_by: string;
  requested_at: string;
  answered_by: string | null;
  answered_at: string | null;
  version: Generated<number>;
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
