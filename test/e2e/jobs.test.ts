/**
 * Jobs run "as of" a time and claim each reminder once:
 * - holiday-check: silent before 1 December; from 1 December, when next year's table is missing, each
 *   admin of each org is told once, however often it runs (and by the CLI); silent once the year is imported;
 * - housekeeping: prunes processed events past retention, keeps recent ones, and reports new dead
 *   letters to the admins once a day;
 * - the CLI lists jobs with their last run and rejects a bad --now;
 * - deliveries are written in batches (a savepoint each): a delivery that fails leaves no claim and no
 *   row of its own and stops nothing else, is tried again on the next run, and two runs at once post
 *   each delivery once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { markProcessed, wasProcessed } from '../../src/db/repositories/events.ts';
import { enqueue, markDead } from '../../src/db/repositories/outbox.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { settled } from '../helpers/converse.ts';
import { countedJob } from '../helpers/jobs.ts';

/** A job with `count` deliveries to one chat; those whose index is in `failing` write a row, then throw. */
function batchJob(chatId: () => string, count: number, failing: Set<number>) {
  return countedJob('test-batch', count, async (c, i) => {
    await c.outbox.send({ chatId: chatId() }, { type: 'text', text: `批量提醒 ${i}` });
    if (failing.has(i)) throw new Error(`delivery ${i} fails`);
  });
}

describe('jobs', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const cli = (out: string[]) => ({
    db: h.db,
    timezone: 'Asia/Shanghai',
    logger: h.logs.logger,
    io: { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) },
  });
  const adminNotices = (openId: string, text: string) => {
    const c = h.emu.store.p2pChatOf(openId);
    return c ? h.emu.botMessages(c.chatId).filter((m) => messageText(m).includes(text)) : [];
  };

  it('holiday-check tells each admin once from 1 December, and never before', async () => {
    h = await startBot({ clock: fixedClock('2026-12-01T01:30:00Z') });
    const { chat, secretary, members } = await seedBranch(h);
    const inspector = members[0] as { openId: string };
    await h.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: `/角色 @{${inspector.openId}} 纪检委员`,
      mentionBot: true,
    });
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length === 2);

    const before = await h.app.runJob('holiday-check', new Date('2026-11-30T01:30:00Z'));
    expect(before.due).toBe(0);
    const first = await h.app.runJob('holiday-check', new Date('2026-12-01T01:30:00Z'));
    expect(first).toMatchObject({ due: 1, posted: 1 });
    const again = await h.app.runJob('holiday-check', new Date('2026-12-01T01:30:00Z'));
    expect(again).toMatchObject({ due: 1, posted: 0, skipped: 1 });
    const out: string[] = [];
    await runCli(['job', 'run', 'holiday-check', '--now', '2026-12-03T09:30:00+08:00'], cli(out));
    expect(out.join('\n')).toContain('已发 0');

    for (const admin of [secretary, inspector]) {
      const n = await h.emu.waitFor(() => adminNotices(admin.openId, '缺少 2027 年节假日安排')[0]);
      expect(messageText(n)).toContain('npm run cli -- holidays import');
    }
    await settled(h);
    expect(adminNotices(secretary.openId, '2027')).toHaveLength(1);
    expect(h.emu.store.p2pChatOf((members[1] as { openId: string }).openId)).toBeUndefined();

    // Once the operator imports 2027, the check is silent.
    const dir = mkdtempSync(join(tmpdir(), 'qf-holidays-'));
    const file = join(dir, '2027.json');
    writeFileSync(file, JSON.stringify({ year: 2027, holidays: [{ name: '元旦', dates: ['2027-01-01'] }] }));
    await runCli(['holidays', 'import', file], cli(out));
    expect(out.at(-1)).toContain('已导入 2027 年');
    const out2: string[] = [];
    await runCli(['holidays', 'status', '2027'], cli(out2));
    expect(out2[0]).toBe('2027：运维导入');
    await runCli(['job', 'run', 'holiday-check', '--now', '2027-12-01T09:30:00+08:00'], cli(out2));
    expect(out2.at(-2)).toContain('应发 1'); // 2028 is missing now, a new occurrence
  });

  it('housekeeping prunes old dedup records and reports dead letters once a day', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    const db = h.db.db;
    await markProcessed(db, 'msg:old', 'message', '2026-11-01T00:00:00.000Z');
    await markProcessed(db, 'msg:recent', 'message', '2026-11-29T00:00:00.000Z');
    const id = await enqueue(db, {
      orgId: 1,
      kind: 'send',
      targetType: 'chat_id',
      targetId: chat.chatId,
      msgType: 'text',
      payload: { content: '{"text":"x"}' },
      at: '2026-11-30T00:00:00.000Z',
    });
    await markDead(db, id, { attempts: 10, error: 'HTTP 500' });

    const r = await h.app.runJob('housekeeping', new Date('2026-12-01T01:17:00Z'));
    expect(r.summary).toMatch(/清理去重记录 \d+ 条；向 1 个组织报告了发送失败的消息/);
    expect(await wasProcessed(db, 'msg:old')).toBe(false);
    expect(await wasProcessed(db, 'msg:recent')).toBe(true);
    const notice = await h.emu.waitFor(() => adminNotices(secretary.openId, '有消息未能送达')[0]);
    expect(messageText(notice)).toContain('outbox list --dead');
    const r2 = await h.app.runJob('housekeeping', new Date('2026-12-01T07:17:00Z'));
    expect(r2.summary).toContain('向 0 个组织报告');
  });

  it('the CLI lists jobs with their last run and refuses a bad --now', async () => {
    h = await startBot();
    await h.app.runJob('housekeeping', new Date('2026-12-01T01:17:00Z'));
    const out: string[] = [];
    await runCli(['job', 'list'], cli(out));
    expect(out.join('\n')).toMatch(/housekeeping\t.+\t.+（17 3,9 \* \* \*）\t/);
    // When it last finished, as a local time (BOT_TIMEZONE; test/e2e/cli-times.test.ts checks the zone).
    expect(out.join('\n')).toMatch(/上次运行：\d{4}-\d\d-\d\d \d\d:\d\d/);
    await expect(runCli(['job', 'run', 'housekeeping', '--now', 'tomorrow'], cli(out))).rejects.toThrow(/ISO-8601/);
    await expect(runCli(['job', 'run', 'nope'], cli(out))).rejects.toThrow(/没有名为 nope 的任务/);
  });

  it('writes deliveries in batches: a failing one is undone alone and retried next run; two runs at once post once', async () => {
    let chatId = '';
    const failing = new Set([7, 60, 119]);
    h = await startBot({ jobs: [batchJob(() => chatId, 130, failing)] });
    const { chat } = await seedBranch(h);
    chatId = chat.chatId;
    const at = new Date('2026-12-01T01:30:00Z');
    const rows = async () =>
      (await h.db.db.selectFrom('outbox').select('payload').execute())
        .map((r) => /批量提醒 (\d+)/.exec(r.payload)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number);
    const claims = async () =>
      (await h.db.db.selectFrom('reminder_claims').select('subject').where('job', '=', 'test-batch').execute()).map(
        (r) => r.subject,
      );

    const first = await h.app.runJob('test-batch', at);
    expect(first).toMatchObject({ due: 130, posted: 127, skipped: 0, failed: 3 });
    const written = await rows();
    expect(written).toHaveLength(127);
    expect(new Set(written).size).toBe(127);
    for (const i of failing) {
      expect(written).not.toContain(i);
      expect(await claims()).not.toContain(`n${i}`);
    }
    expect(h.logs.lines.filter((l) => l.includes('delivery failed'))).toHaveLength(3);

    failing.clear();
    // Two runs at once (as two replicas would): together they post the three missing ones once.
    const [a, b] = await Promise.all([h.app.runJob('test-batch', at), h.app.runJob('test-batch', at)]);
    expect(a.posted + b.posted).toBe(3);
    expect(a.failed + b.failed).toBe(0);
    const all = await rows();
    expect(all).toHaveLength(130);
    expect(new Set(all).size).toBe(130);
    expect(await claims()).toHaveLength(130);
    expect(await h.app.runJob('test-batch', at)).toMatchObject({ posted: 0, skipped: 130, failed: 0 });
  });
});
