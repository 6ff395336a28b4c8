/**
 * Start-up waits for the database. A PostgreSQL that is restarting, failing over or not up yet (the
 * bot started before it) refuses or drops connections for a while; the bot waits for it with backoff
 * (0.5 s doubling to 30 s, each wait logged) instead of exiting, and never gives up on such a
 * failure — a supervisor restarting the process would only wait the same way. Anything else (a wrong
 * password, a missing database, a migration that fails) is not waited for: it is thrown at once.
 */
import type { Logger } from '../core/contracts.ts';
import { isTransientStorageError } from './errors.ts';

export interface StartupRetryOptions {
  /** The first wait (default 500 ms), doubling each time. */
  firstDelayMs?: number;
  /** The longest wait (default 30 s). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function untilDatabaseAnswers<T>(
  what: string,
  fn: () => Promise<T>,
  logger: Logger,
  o: StartupRetryOptions = {},
): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let delay = o.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await fn();
      if (attempt > 1) logger.info({ what, attempts: attempt }, 'database reachable');
      return result;
    } catch (err) {
      if (!isTransientStorageError(err)) throw err;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      logger.warn({ what, attempt, delayMs: delay, err: reason }, 'database not reachable yet; waiting');
      await sleep(delay);
      delay = Math.min(delay * 2, o.maxDelayMs ?? 30_000);
    }
  }
}
