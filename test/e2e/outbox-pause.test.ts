/**
 * The outbox dispatcher when the app's per-minute allowance (1,000 sends, Feishu's app limit) is used
 * up: it stops claiming rows until the allowance is back — wakes meanwhile (every commit wakes it)
 * touch no row — and then sends everything, each once. Before, every wake claimed a batch and handed
 * each row straight back, two writes a row, over and over (BENCHMARKS.md, issue 17).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../src/clock.ts';
import { createOutboxWriter } from '../../src/db/repositories/outbox-writer.ts';
import { createFeishuClient } from '../../src/feishu/client.ts';
import { OutboxDispatcher } from '../../src/feishu/dispatcher.ts';
import { FEISHU_LIMITS, RateLimiter } from '../../src/feishu/limiter.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import { TEST_APP_ID, TEST_APP_SECRET } from '../helpers/bot.ts';
import { CountQueries } from '../helpers/count-queries.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { until } from '../helpers/wait.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe(`outbox dispatcher, the app's minute allowance used up (${testDialect})`, () => {
  it('claims nothing until the allowance is back, then sends every row once', async () => {
    const wall = new OffsetClock();
    const emu = await new Emulator({
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      clock: wall,
      wallClock: wall,
    }).start();
    cleanup.push(() => emu.close());
    const h: TestDb = await createTestDb();
    cleanup.push(() => h.drop());
    const people = Array.from({ length: 60 }, (_x, i) => emu.addUser(`党员${i + 1}`).openId);
    const at = wall.now().toISOString();
    await h.db.transaction().execute(async (trx) => {
      const outbox = createOutboxWriter(trx, { at });
      for (const [i, openId] of people.entries())
        await outbox.send({ openId }, { type: 'text', text: `提醒 ${i + 1}` });
    });
    // This minute's 1,000 sends are already made (by this process, before).
    const limiter = new RateLimiter(() => wall.now().getTime());
    for (let i = 0; i < FEISHU_LIMITS.appPerMinute.max; i++) {
      expect(limiter.reserve([{ key: 'app:min', limit: FEISHU_LIMITS.appPerMinute }])).toBe(0);
    }
    const count = new CountQueries('UpdateQueryNode');
    const logs = captureLogs('warn');
    const api = createFeishuClient({
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      domain: emu.url,
      logger: logs.logger,
      now: () => wall.now().getTime(),
    });
    const dispatcher = new OutboxDispatcher({
      db: h.db.withPlugin(count),
      dialect: h.dialect,
      api,
      logger: logs.logger,
      wallClock: wall,
      limiter,
      owner: 'test',
      pollMs: 50,
    });
    cleanup.push(() => dispatcher.stop());
    dispatcher.start();

    // The first batch (50) is claimed, each row finds the minute used up and goes back; the other 10 wait.
    const rows = () =>
      h.db.selectFrom('outbox').select(['status', 'lease_owner', 'attempts', 'next_attempt_at']).execute();
    await until(
      async () => {
        const all = await rows();
        return all.filter((r) => r.lease_owner === null && r.next_attempt_at > at).length === 50;
      },
      { what: 'the first batch handed back until the minute is over' },
    );
    const writes = count.count;
    // Commits keep waking it: it looks, and claims nothing.
    for (let i = 0; i < 5; i++) {
      const seen = dispatcher.stats.wakesWhilePaused;
      dispatcher.wake();
      await until(() => dispatcher.stats.wakesWhilePaused > seen, { what: 'the wake seen while paused' });
    }
    expect(count.count).toBe(writes);
    const waiting = (await rows()).filter((r) => r.next_attempt_at === at);
    expect(waiting).toHaveLength(10);
    expect(waiting.every((r) => r.lease_owner === null && r.attempts === 0)).toBe(true);
    expect(emu.store.apiLog.filter((c) => c.path.includes('/im/v1/messages'))).toEqual([]);

    // The minute is over: everything goes out, each once.
    wall.advance(61_000);
    dispatcher.wake();
    await until(async () => (await rows()).every((r) => r.status === 'sent'), {
      what: 'every row sent',
      timeoutMs: 20_000,
    });
    const sent = [...emu.store.messages.values()].filter((m) => m.senderType === 'app').map((m) => m.content);
    expect(sent).toHaveLength(60);
    expect(new Set(sent).size).toBe(60);
  }, 40_000);
});
