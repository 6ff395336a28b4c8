/**
 * The members register (issue 15): a member's category (正式 / 预备), 支委 post, 党小组 and dates live
 * on their `members` row beside the role. Edits are compare-and-set on the row's version. Which fields
 * make the register, and what an edit may change, is the register's rules' to say
 * (src/features/membership/register-rules.ts `RegisterEntry`); here they are written as given.
 */
import type { Kysely } from 'kysely';
import type { Database, Member } from '../schema.ts';
import { updateVersioned } from './versioned.ts';

/** Changes fields of the member as read (`before`); throws StaleError when it changed since. */
export async function updateRegister(
  db: Kysely<Database>,
  before: Pick<Member, 'id' | 'version'>,
  patch: Partial<Omit<Member, 'id' | 'version'>> & { updated_at: string },
): Promise<Member> {
  return updateVersioned(db, 'members', before, patch);
}
