/**
 * The members register (issue 15): a member's category (正式 / 预备), 支委 post, 党小组 and dates live
 * on their `members` row beside the role. Edits are compare-and-set on the row's version.
 */
import type { Kysely } from 'kysely';
import type { Database, Member } from '../schema.ts';
import { updateVersioned } from './versioned.ts';

/** The register fields of a member row. */
export type RegisterFields = Pick<
  Member,
  | 'category'
  | 'committee_post'
  | 'party_group'
  | 'group_leader'
  | 'joined_on'
  | 'confirmed_on'
  | 'post'
  | 'quorum_exempt'
>;

/** Changes the register fields of the member as read (`before`); throws StaleError when it changed since. */
export async function updateRegister(
  db: Kysely<Database>,
  before: Pick<Member, 'id' | 'version'>,
  patch: Partial<RegisterFields> & { updated_at: string },
): Promise<Member> {
  return updateVersioned(db, 'members', before, patch);
}
