// The rate limits shared by replicas (src/feishu/shared-limiter.ts), in the database on SQLite and
// PostgreSQL, on a fake clock: 5 a second per key in fixed windows; a refused reservation counts
// nothing; a send reserved near the end of a window is also counted in the next one, since Feishu
// counts it where it arrives.
import { afterEach, describe, expect, it } from 'vitest';
import { SharedRateLimiter } from '../../src/feishu/shared-limiter.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

const perChat = { max: 5, windowMs: 1000 };
let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

describe(`shared rate limiter (${testDialect})`, () => {
  it('counts 5 a second per key, refuses the 6th with the wait to the next window, and counts nothing refused', async () => {
    h = await createTestDb();
    let t = 1_767_225_600_000; // a whole second
    const limiter = new SharedRateLimiter(h.db, () => t);
    const chat = (id: string) => [{ key: `chat:${id}`, limit: perChat }];
    for (let i = 0; i < 5; i++) expect(await limiter.reserve(chat('a'))).toBe(0);
    t += 400;
    expect(await limiter.reserve(chat('a'))).toBe(601);
    // Refused together with a key that had room: that key was not charged.
    for (let i = 0; i < 3; i++) expect(await limiter.reserve([...chat('b'), ...chat('a')])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(await limiter.reserve(chat('b'))).toBe(0);
    expect(await limiter.reserve(chat('b'))).toBeGreaterThan(0);
    t += 600;
    expect(await limiter.reserve(chat('a'))).toBe(0);
  });

  it('with a margin, counts a send reserved at the end of a window in the next window too', async () => {
    h = await createTestDb();
    const second = 1_767_225_600_000;
    let t = second + 960;
    const limiter = new SharedRateLimiter(h.db, () => t, 50);
    const chat = [{ key: 'chat:c', limit: perChat }];
    // Two reserved 40 ms before the boundary (they may arrive after it) …
    expect(await limiter.reserve(chat)).toBe(0);
    expect(await limiter.reserve(chat)).toBe(0);
    // … leave room for three in the next second, not five.
    t = second + 1000;
    for (let i = 0; i < 3; i++) expect(await limiter.reserve(chat)).toBe(0);
    expect(await limiter.reserve(chat)).toBe(1001);
    // Well inside a window, a reservation counts there alone.
    t = second + 2500;
    for (let i = 0; i < 5; i++) expect(await limiter.reserve(chat)).toBe(0);
    t = second + 3000;
    for (let i = 0; i < 5; i++) expect(await limiter.reserve(chat)).toBe(0);
  });
});
