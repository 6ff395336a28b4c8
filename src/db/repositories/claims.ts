/** Reminder claims: each (job, subject, occurrence) is claimed once, across runs, restarts and replicas. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface ClaimKey {
  job: string;
  subject: string;
  occurrence: string;
}

export function claimKeyString(k: ClaimKey): string {
  return `${k.job}|${k.subject}|${k.occurrence}`;
}

/** True when this call made the claim; false when it was already claimed. */
export async function claimReminder(
  db: Kysely<Database>,
  k: ClaimKey,
  orgId: number | null,
  at: string,
): Promise<boolean> {
  const r = await db
    .insertInto('reminder_claims')
    .values({
      key: claimKeyString(k),
      job: k.job,
      subject: k.subject,
      occurrence: k.occurrence,
      org_id: orgId,
      claimed_at: at,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function isClaimed(db: Kysely<Database>, k: ClaimKey): Promise<boolean> {
  const r = await db
    .selectFrom('reminder_claims')
    .select('key')
    .where('key', '=', claimKeyString(k))
    .executeTakeFirst();
  return r !== undefined;
}
