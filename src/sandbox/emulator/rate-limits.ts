/** Feishu's rate limits as the emulator enforces them: fixed windows per app, chat, user and message. */

import { ApiError, type Core } from './types.ts';

export interface Limit {
  key: string;
  limit: number;
  windowMs: number;
}

/** Fixed-window counters, Feishu-style: `limit` calls per `windowMs` per key. */
export class Windows {
  private readonly counts = new Map<string, { start: number; n: number }>();
  hit(key: string, limit: number, windowMs: number, now: number): number {
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.counts.get(key);
    if (!w || w.start !== start) {
      w = { start, n: 0 };
      this.counts.set(key, w);
    }
    if (w.n >= limit) return Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    w.n++;
    if (this.counts.size > 50_000) this.counts.clear();
    return 0;
  }
}

export class RateLimits {
  /** Shared with the facade, where the outbound benchmark instruments `hit`. */
  readonly windows = new Windows();

  constructor(private readonly core: Core) {}

  /** Counts the call against every key; a full window answers 429 (99991400) with Feishu's headers. */
  check(keys: Limit[]): void {
    if (this.core.o.enforceRateLimits === false) return;
    const now = this.core.o.wallClock.now().getTime();
    for (const k of keys) {
      const reset = this.windows.hit(k.key, k.limit, k.windowMs, now);
      if (reset > 0) {
        this.core.stats.rateLimited++;
        throw new ApiError(429, 99991400, 'request trigger frequency limit', {
          'x-ogw-ratelimit-limit': String(k.limit),
          'x-ogw-ratelimit-reset': String(reset),
        });
      }
    }
  }

  /** The app-wide limits every Open API call counts against. */
  app(): Limit[] {
    return [
      { key: 'app:s', limit: 50, windowMs: 1000 },
      { key: 'app:m', limit: 1000, windowMs: 60_000 },
    ];
  }
}
