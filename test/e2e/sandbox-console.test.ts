/**
 * The sandbox for its operator and visitor (issue 14, item 5), through the control API the console
 * reads (the browser test only renders what it answers):
 * - `GET /healthz` answers in sandbox mode too, as README says it always does;
 * - every card the demo seeded shows what the data says from the first look: redrawing each from the
 *   data changes nothing;
 * - the Open API log says, for each call, to whom (the chat's or person's name), the card's title, the
 *   full HTTP status and Feishu code (and message) and the request body — and a restart keeps it;
 * - the clock panel's jobs have Chinese names and their schedules in words;
 * - a file the bot sent is shown by the name it was uploaded with, not its key.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { createLogger } from '../../src/logger.ts';
import type { ConsoleCall, ConsoleJob } from '../../src/sandbox/control-api.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { DEMO_ORG } from '../../src/sandbox/seed.ts';
import { redrawSeededCards } from '../../src/sandbox/seed-cards.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { cardTitle } from '../helpers/cards.ts';
import { drained, say } from '../helpers/converse.ts';

describe('the sandbox console', () => {
  let sb: Sandbox;
  let org: Org;
  let group: string;
  const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-console-'));
  const config = loadConfig({ PORT: '0' });
  const start = () => startSandbox({ config, databaseUrl: join(dir, 'sandbox.db'), logFile: join(dir, 'sandbox.log') });
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sb.url}${path.replace(/^\//, '')}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const user = (name: string) => [...sb.emu.store.users.values()].find((u) => u.name === name) as EmuUser;
  /** Every card the bot sent, as it now stands (the board's "更新于" minute aside). */
  const cards = () =>
    new Map(
      [...sb.emu.store.messages.values()]
        .filter((m) => m.senderType === 'app' && m.msgType === 'interactive')
        .map((m) => [
          m.messageId,
          { title: cardTitle(m), content: m.content.replace(/更新于 \d{4}-\d\d-\d\d \d\d:\d\d/g, '更新于') },
        ]),
    );

  beforeAll(async () => {
    sb = await start();
    await drained(sb, 30_000);
    org = (await findOrgByName(sb.db.db, DEMO_ORG)) as Org;
    group = ([...sb.emu.store.chats.values()].find((c) => c.type === 'group') as { chatId: string }).chatId;
  }, 60_000);
  afterAll(async () => sb?.stop());

  it('GET /healthz answers 200 with the bot’s health in sandbox mode', async () => {
    const res = await fetch(`${sb.url}healthz`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as {
      status: string;
      db: unknown;
      transport: unknown;
      outbox: { sent: number };
    };
    expect(health.status).toBe('ok');
    expect(health.db).toMatchObject({ ok: true, writable: true, dialect: 'sqlite' });
    expect(health.transport).toMatchObject({ mode: 'websocket', connected: true });
    expect(health.outbox).toEqual({ pending: expect.any(Number), sent: expect.any(Number), dead: expect.any(Number) });
    expect(health.outbox.sent).toBeGreaterThan(0);
  });

  it('every seeded card shows what the data says from the first look', async () => {
    const before = cards();
    const kinds = await sb.db.db.selectFrom('cards').select('kind').distinct().where('org_id', '=', org.id).execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(
      expect.arrayContaining(['rect_item', 'rect_review', 'session', 'task', 'task_board']),
    );
    const redrawn = await redrawSeededCards({
      db: sb.db.db,
      org,
      now: new Date(),
      timezone: config.timezone,
      logger: createLogger('silent'),
      calendar: new WorkCalendar(await listHolidayOverrides(sb.db.db)),
    });
    expect(redrawn).toBeGreaterThan(10);
    await drained(sb, 30_000);
    const after = cards();
    const changed = [...after].filter(([id, c]) => before.get(id)?.content !== c.content).map(([, c]) => c.title);
    expect(changed).toEqual([]);
    // The card of the issue: the 专题会议 counts its 请假 from the first look.
    expect([...after.values()].some((c) => c.title?.includes('专题会议') && c.content.includes('**请假** 1 人'))).toBe(
      true,
    );
  }, 60_000);

  it('the clock panel’s jobs: Chinese names and schedules in words', async () => {
    const { jobs } = await get<{ jobs: ConsoleJob[] }>('/api/state');
    expect(jobs.length).toBeGreaterThan(5);
    for (const j of jobs) {
      expect(j.label).toMatch(/^[\u4e00-\u9fff]+$/);
      expect(j.schedule).toMatch(/^(每|\d)/);
    }
    expect(jobs.find((j) => j.name === 'compliance-check')).toMatchObject({
      label: '合规日历检查',
      schedule: '每天 09:30',
    });
    expect(jobs.find((j) => j.name === 'meeting-reminders')?.schedule).toBe('每 2 分钟');
  });

  it('the API log: recipient, card title, full status and Feishu code, request body — kept across a restart', async () => {
    // A failed call too: Feishu refuses the bot's next answer (it gives up on that one).
    sb.emu.failNext({
      method: 'POST',
      path: '/im/v1/messages',
      times: 1,
      status: 400,
      code: 230002,
      msg: 'Bot/User can NOT be out of the chat.',
    });
    await sb.emu.sendText({ chatId: group, from: user('李明华').openId, text: '/我的', mentionBot: true });
    await sb.emu.waitFor(() => sb.emu.store.apiLog.some((c) => c.code === 230002), { what: 'the refused call' });
    await say(sb, group, user('李明华'), '/帮助');
    await drained(sb);
    const { calls } = await get<{ calls: ConsoleCall[] }>('/api/log');
    const sends = calls.filter((c) => c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages'));
    const failed = sends.find((c) => c.code === 230002);
    expect(failed).toMatchObject({
      status: 400,
      msg: 'Bot/User can NOT be out of the chat.',
      to: `${DEMO_ORG}工作群（群聊）`,
    });
    const help = sends.find((c) => c.code === 0 && c.title?.includes('可用命令') && c.to?.endsWith('（群聊）'));
    expect(help?.body).toContain('"msg_type":"interactive"');
    const seededPrivate = calls.find((c) => c.method === 'POST' && c.to?.endsWith('（单聊）') && c.title);
    expect(seededPrivate).toBeDefined();
    const patch = calls.find((c) => c.method === 'PATCH' && c.title);
    expect(patch?.to).toMatch(/（(群聊|单聊)）$/);
    const token = calls.find((c) => c.path.includes('tenant_access_token'));
    expect(token?.body).toContain('"app_secret":"***"');

    await sb.stop();
    sb = await start();
    const again = await get<{ calls: ConsoleCall[] }>('/api/log');
    const kept = again.calls.find((c) => c.seq === failed?.seq);
    expect(kept).toEqual(failed);
    expect(again.calls.find((c) => c.seq === help?.seq)?.body).toBe(help?.body);
    // Numbering goes on after the kept calls.
    expect(Math.min(...again.calls.filter((c) => c.at > (calls.at(-1)?.at ?? '')).map((c) => c.seq))).toBeGreaterThan(
      calls.at(-1)?.seq ?? 0,
    );
  }, 60_000);

  it('a file the bot sent shows the name it was uploaded with', async () => {
    await say(sb, group, user('李明华'), '/整改 导出', 20_000);
    await drained(sb, 20_000);
    const chats = [...sb.emu.store.chats.keys()];
    const files = [];
    for (const chatId of chats) {
      const { messages } = await get<{ messages: { msgType: string; senderType: string; fileName?: string }[] }>(
        `/api/chats/${chatId}/messages`,
      );
      files.push(...messages.filter((m) => m.msgType === 'file' && m.senderType === 'app'));
    }
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f.fileName).toMatch(/\.xlsx$/);
  }, 60_000);
});
