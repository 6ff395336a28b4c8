/**
 * Sliding-window rate limits for sending (docs/feishu-platform.md §8): per app 50/s and 1000/min, per chat 5/s,
 * per user 5/s, per edited message 5/s. `reserve` answers how long to wait before a send may go.
 */

export interface Limit {
  max: number;
  windowMs: number;
}

export const FEISHU_LIMITS = {
  appPerSecond: { max: 50, windowMs: 1000 },
  appPerMinute: { max: 1000, windowMs: 60_000 },
  perChat: { max: 5, windowMs: 1000 },
  perUser: { max: 5, windowMs: 1000 },
  perMessage: { max: 5, windowMs: 1000 },
} satisfies Record<string, Limit>;

/**
 * Feishu counts a call when it arrives, we count it when we reserve: the time between (a shared-limit
 * query on PostgreSQL, the HTTP round trip) varies by some milliseconds, so a window that is exactly
 * full by our clock can be over by Feishu's. The bot keeps each window this much longer.
 */
export const ARRIVAL_MARGIN_MS = 50;

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** `marginMs` lengthens every window (see ARRIVAL_MARGIN_MS); 0 keeps them exact. */
  constructor(
    private readonly now: () => number,
    private readonly marginMs = 0,
  ) {}

  /**
   * If every `(key, limit)` has room now, records one use on each and returns 0; otherwise records
   * nothing and returns the milliseconds until all of them would have room.
   */
  reserve(checks: readonly { key: string; limit: Limit }[]): number {
    const t = this.now();
    let wait = 0;
    for (const { key, limit } of checks) {
      const windowMs = limit.windowMs + this.marginMs;
      const w = this.prune(key, t, windowMs);
      if (w.length >= limit.max) {
        const oldest = w[w.length - limit.max] as number;
        wait = Math.max(wait, oldest + windowMs - t + 1);
      }
    }
    if (wait > 0) return wait;
    for (const { key } of checks) {
      let w = this.windows.get(key);
      if (!w) {
        w = [];
        this.windows.set(key, w);
      }
      w.push(t);
    }
    return 0;
  }

  /** Blocks a key until `until` (after Feishu said it is limited there). */
  block(key: string, limit: Limit, untilMs: number): void {
    this.windows.set(
      key,
      Array.from({ length: limit.max }, () => untilMs - limit.windowMs - this.marginMs),
    );
  }

  private prune(key: string, t: number, windowMs: number): number[] {
    const w = this.windows.get(key);
    if (!w) return [];
    let drop = 0;
    while (drop < w.length && (w[drop] as number) <= t - windowMs) drop++;
    if (drop) w.splice(0, drop);
    if (w.length === 0) this.windows.delete(key);
    return w;
  }
}
