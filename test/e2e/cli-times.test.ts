/**
 * The operator's command line speaks the bot's timezone (issue 14, item 5): `job list` and `outbox
 * list` print times in BOT_TIMEZONE, never UTC; `outbox list` shows the pending messages by default
 * (and says so when there are none), `--sent` the newest sent ones and `--dead` the dead letters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { enqueue, markDead, markSent } from '../../src/db/repositories/outbox.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('CLI times and the outbox list', () => {
  let db: TestDb;
  let out: string[];
  const cli = (timezone = 'Asia/Shanghai') => ({
    db,
    timezone,
    logger: createLogger('silent'),
    io: { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) },
  });
  const row = (at: string) =>
    enqueue(db.db, {
      orgId: null,
      kind: 'send',
      targetType: 'chat_id',
      targetId: 'oc_demo',
      msgType: 'text',
      payload: { text: 'x' },
      at,
    });

  beforeEach(async () => {
    db = await createTestDb();
    out = [];
  });
  afterEach(async () => db.drop());

  it('outbox list: pending by default, in BOT_TIMEZONE; 没有待发送的消息 when none; --sent and --dead', async () => {
    await runCli(['outbox', 'list'], cli());
    expect(out).toEqual(['没有待发送的消息。']);

    const sent = await row('2026-12-01T01:30:00.000Z');
    await markSent(db.db, sent, { messageId: 'om_1', at: '2026-12-01T01:30:05.000Z', attempts: 1 });
    const dead = await row('2026-12-01T02:00:00.000Z');
    await markDead(db.db, dead, { attempts: 5, error: 'HTTP 500' });
    out = [];
    await runCli(['outbox', 'list'], cli());
    // Sent and dead rows are not pending.
    expect(out).toEqual(['没有待发送的消息。']);

    const pending = await row('2026-12-01T16:05:00.000Z');
    out = [];
    await runCli(['outbox', 'list'], cli());
    expect(out[0]).toContain('待发送的消息 1 条，时间均为 Asia/Shanghai（北京时间）');
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(new RegExp(`^#${pending}\\tpending\\t`));
    // 16:05 UTC is 00:05 the next day in Beijing.
    expect(out[1]).toContain('创建 2026-12-02 00:05');
    expect(out.join('\n')).not.toMatch(/T\d\d:\d\d|Z\b/);

    out = [];
    await runCli(['outbox', 'list', '--sent'], cli());
    expect(out[1]).toMatch(new RegExp(`^#${sent}\\tsent\\t`));
    expect(out[1]).toContain('创建 2026-12-01 09:30\t发送 2026-12-01 09:30');

    out = [];
    await runCli(['outbox', 'list', '--dead'], cli('UTC'));
    expect(out[0]).toContain('时间均为 UTC（UTC）');
    expect(out[1]).toMatch(new RegExp(`^#${dead}\\tdead\\t.*创建 2026-12-01 02:00\\tHTTP 500$`));

    await expect(runCli(['outbox', 'list', '--sent', '--dead'], cli())).rejects.toThrow(/只能选一个/);
  });

  it('outbox list --sent shows the newest sent rows', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await row(`2026-12-01T0${i}:00:00.000Z`);
      await markSent(db.db, id, { messageId: `om_${i}`, at: `2026-12-01T0${i}:00:01.000Z`, attempts: 1 });
      ids.push(id);
    }
    await runCli(['outbox', 'list', '--sent', '--limit', '2'], cli());
    expect(out.slice(1).map((l) => l.split('\t')[0])).toEqual(ids.slice(1).map((id) => `#${id}`));
  });

  it('job list: Chinese names, schedules in words and last runs in BOT_TIMEZONE', async () => {
    await db.db
      .insertInto('job_runs')
      .values({
        name: 'compliance-check',
        last_started_at: '2026-12-01T01:30:00.000Z',
        last_finished_at: '2026-12-01T01:30:02.000Z',
        last_as_of: '2026-12-01T01:30:00.000Z',
        last_result: 'ok',
      })
      .execute();
    await runCli(['job', 'list'], cli());
    expect(out[0]).toBe('时间均为 Asia/Shanghai（北京时间）');
    const i = out.findIndex((l) => l.startsWith('compliance-check\t'));
    expect(out[i]).toContain('\t合规日历检查\t每天 09:30（30 9 * * *）\t');
    expect(out[i + 1]).toBe('  上次运行：2026-12-01 09:30（ok）');
    expect(out.join('\n')).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
