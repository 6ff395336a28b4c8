// The send rate limiter (src/feishu/limiter.ts) on a fake clock: 5/s per chat then a wait until the
// oldest use leaves the window; the app's 50/s and 1000/min; a refused reservation records nothing;
// `block` holds a key until the given time; a margin lengthens every window; and over random schedules no key ever exceeds its limit in
// any sliding window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARRIVAL_MARGIN_MS, FEISHU_LIMITS, type Limit, RateLimiter } from '../../src/feishu/limiter.ts';

function fakeTime(start = 1_767_225_600_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    get t() {
      return t;
    },
  };
}

const chat = (id: string) => ({ key: `chat:${id}`, limit: FEISHU_LIMITS.perChat });
const app = [
  { key: 'app:s', limit: FEISHU_LIMITS.appPerSecond },
  { key: 'app:m', limit: FEISHU_LIMITS.appPerMinute },
];

describe('RateLimiter', () => {
  it('lets 5 messages a second into one chat, then waits until the oldest expires', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now);
    for (let i = 0; i < 5; i++) {
      expect(limiter.reserve([chat('oc_1')])).toBe(0);
      clock.advance(100);
    }
    // Now 500 ms after the first send: it leaves the window 500 ms from now.
    const wait = limiter.reserve([chat('oc_1')]);
    expect(wait).toBeGreaterThanOrEqual(500);
    expect(wait).toBeLessThanOrEqual(502);
    expect(limiter.reserve([chat('oc_2')])).toBe(0);
    clock.advance(wait - 2);
    expect(limiter.reserve([chat('oc_1')])).toBeGreaterThan(0);
    clock.advance(2);
    expect(limiter.reserve([chat('oc_1')])).toBe(0);
    // The next free slot is when the second send (at +100 ms) expires.
    expect(limiter.reserve([chat('oc_1')])).toBeGreaterThan(0);
  });

  it('records nothing when any limit refuses', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now);
    for (let i = 0; i < 5; i++) limiter.reserve([chat('oc_1')]);
    for (let i = 0; i < 10; i++) expect(limiter.reserve([chat('oc_1'), chat('oc_2')])).toBeGreaterThan(0);
    // oc_2 was never charged for the refused attempts.
    for (let i = 0; i < 5; i++) expect(limiter.reserve([chat('oc_2')])).toBe(0);
    expect(limiter.reserve([chat('oc_2')])).toBeGreaterThan(0);
  });

  it('holds the app to 50 a second across chats', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now);
    for (let i = 0; i < 50; i++) expect(limiter.reserve([...app, chat(`oc_${i}`)])).toBe(0);
    const wait = limiter.reserve([...app, chat('oc_new')]);
    expect(wait).toBeGreaterThanOrEqual(1000);
    expect(wait).toBeLessThanOrEqual(1001);
    clock.advance(wait);
    expect(limiter.reserve([...app, chat('oc_new')])).toBe(0);
  });

  it('holds the app to 1000 a minute', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now);
    // 40 a second stays under 50/s; after 25 s the minute's 1000 are used.
    for (let s = 0; s < 25; s++) {
      for (let i = 0; i < 40; i++) expect(limiter.reserve([...app, chat(`oc_${s}_${i}`)])).toBe(0);
      clock.advance(1000);
    }
    const wait = limiter.reserve([...app, chat('oc_late')]);
    // The first 40 sends (at 0 s) leave the minute at 60 s; it is now 25 s.
    expect(wait).toBeGreaterThanOrEqual(35_000);
    expect(wait).toBeLessThanOrEqual(35_001);
    clock.advance(wait);
    for (let i = 0; i < 40; i++) expect(limiter.reserve([...app, chat(`oc_after_${i}`)])).toBe(0);
    expect(limiter.reserve([...app, chat('oc_more')])).toBeGreaterThan(0);
  });

  it('block makes a key wait until the given time', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now);
    const until = clock.t + 2000;
    limiter.block('chat:oc_1', FEISHU_LIMITS.perChat, until);
    const wait = limiter.reserve([chat('oc_1')]);
    expect(wait).toBeGreaterThanOrEqual(2000);
    expect(wait).toBeLessThanOrEqual(2001);
    expect(limiter.reserve([chat('oc_2')])).toBe(0);
    clock.advance(1999);
    expect(limiter.reserve([chat('oc_1')])).toBeGreaterThan(0);
    clock.advance(wait - 1999);
    expect(limiter.reserve([chat('oc_1')])).toBe(0);
  });

  it('with a margin, keeps each window that much longer so arrival jitter cannot overfill it', () => {
    const clock = fakeTime();
    const limiter = new RateLimiter(clock.now, ARRIVAL_MARGIN_MS);
    for (let i = 0; i < 5; i++) expect(limiter.reserve([chat('oc_1')])).toBe(0);
    const wait = limiter.reserve([chat('oc_1')]);
    expect(wait).toBe(1000 + ARRIVAL_MARGIN_MS + 1);
    clock.advance(1000);
    expect(limiter.reserve([chat('oc_1')])).toBeGreaterThan(0);
    clock.advance(ARRIVAL_MARGIN_MS + 1);
    expect(limiter.reserve([chat('oc_1')])).toBe(0);
    // A block ends exactly when asked, margin or not.
    limiter.block('chat:oc_2', FEISHU_LIMITS.perChat, clock.t + 700);
    expect(limiter.reserve([chat('oc_2')])).toBe(701);
  });

  it('never lets a key exceed its limit in any sliding window', () => {
    const keys: { key: string; limit: Limit }[] = [
      { key: 'a', limit: { max: 5, windowMs: 1000 } },
      { key: 'b', limit: { max: 5, windowMs: 1000 } },
      { key: 'c', limit: { max: 2, windowMs: 300 } },
      { key: 'app', limit: { max: 8, windowMs: 1000 } },
      { key: 'app-min', limit: { max: 20, windowMs: 5000 } },
    ];
    const step = fc.record({
      gap: fc.integer({ min: 0, max: 400 }),
      targets: fc.subarray([0, 1, 2], { minLength: 1 }),
      honourWait: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), (steps) => {
        const clock = fakeTime();
        const limiter = new RateLimiter(clock.now);
        const granted = new Map<string, number[]>();
        for (const s of steps) {
          clock.advance(s.gap);
          const checks = [...s.targets.map((i) => keys[i] as (typeof keys)[number]), keys[3], keys[4]] as {
            key: string;
            limit: Limit;
          }[];
          let wait = limiter.reserve(checks);
          if (wait > 0 && s.honourWait) {
            clock.advance(wait);
            wait = limiter.reserve(checks);
            expect(wait).toBe(0);
          }
          if (wait === 0) {
            for (const c of checks) granted.set(c.key, [...(granted.get(c.key) ?? []), clock.t]);
          }
        }
        for (const { key, limit } of keys) {
          const times = granted.get(key) ?? [];
          for (const t of times) {
            const inWindow = times.filter((u) => u > t - limit.windowMs && u <= t).length;
            expect(inWindow, `${key} at ${t}`).toBeLessThanOrEqual(limit.max);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
