/**
 * Feishu's limits kept across replicas: fixed windows counted in the shared database (one row per
 * key and window, incremented only while under the limit, in one statement). Used on PostgreSQL,
 * where several bot processes may send at once; each process still smooths its own sends with the
 * in-memory sliding limiter in front of it.
 *
 * Feishu counts a call in the window it arrives in. A call reserved in the last `marginMs` of a window
 * may arrive in the next one, so it is counted in both (see ARRIVAL_MARGIN_MS).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Limit } from './limiter.ts';

export class SharedRateLimiter {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
    private readonly marginMs = 0,
  ) {}

  /** 0 when every window had room (all counted), else the milliseconds until the fullest one resets. */
  async reserve(checks: readonly { key: string; limit: Limit }[]): Promise<number> {
    const t = this.now();
    if (t - this.lastSweep > 60_000) {
      this.lastSweep = t;
      await this.db
        .deleteFrom('rate_windows')
        .where('window_start', '<', t - 120_000)
        .execute();
    }
    return this.db
      .transaction()
      .execute(async (trx) => {
        for (const { key, limit } of checks) {
          const start = Math.floor(t / limit.windowMs) * limit.windowMs;
          const next = start + limit.windowMs;
          for (const window of t + this.marginMs >= next ? [start, next] : [start]) {
            const r = await trx
              .insertInto('rate_windows')
              .values({ key, window_start: window, count: 1 })
              .onConflict((oc) =>
                oc
                  .columns(['key', 'window_start'])
                  .doUpdateSet({ count: sql`rate_windows.count + 1` })
                  .where(sql<boolean>`rate_windows.count < ${limit.max}`),
              )
              .returning('count')
              .executeTakeFirst();
            if (!r) {
              // Undo this reservation's increments: throw out of the transaction and report the wait.
              throw new WindowFull(window + limit.windowMs - t + 1);
            }
          }
        }
        return 0;
      })
      .catch((err) => {
        if (err instanceof WindowFull) return err.waitMs;
        throw err;
      });
  }
}

class WindowFull extends Error {
  constructor(readonly waitMs: number) {
    super('rate window full');
  }
}
