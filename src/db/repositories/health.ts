/** A write that changes nothing, for /healthz: a full disk or a held lock makes it fail. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Writes and removes one row in a transaction: resolves when storage takes writes, rejects when it does not. */
export async function probeWrite(db: Kysely<Database>, key: string, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('processed_events')
      .values({ key: `healthz:${key}`, kind: 'healthz', received_at: at })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    await trx.deleteFrom('processed_events').where('key', '=', `healthz:${key}`).execute();
  });
}

/** `p`, or a rejection after `ms` (the probe keeps running; its outcome is ignored). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  p.catch(() => undefined);
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
