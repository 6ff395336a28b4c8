/**
 * Secrets stay out of the logs: a full in-process webhook run (bind, commands, clicks, jobs, a revoked token,
 * failed sends, forged requests) and two runs of the real `npm start` entry (webhook and long connection,
 * LOG_LEVEL=debug) are grepped for the app secret, the encrypt key (and its AES key), the verification token,
 * every tenant token the emulator issued and every card-callback token; /healthz shows none either.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import {
  assertServedOnly,
  type BotHarness,
  fixedClock,
  seedBranch,
  startBot,
  TEST_APP_SECRET,
  TEST_ENCRYPT_KEY,
  TEST_VERIFICATION_TOKEN,
} from '../helpers/bot.ts';
import { createTestDbLocation } from '../helpers/db.ts';
import { botArgs } from '../helpers/entry.ts';
import { buttonOf, say, settle } from '../helpers/security-world.ts';

/** The emulator's private token books: tenant tokens (`t-…`, cleared on revoke) and card-callback tokens (`c-…`). */
interface TokenBooks {
  tokens: Map<string, number>;
  callbackTokens: Map<string, unknown>;
}

/** Collects every token the emulator issues, including those a revoke later forgets. */
function watchTokens(emu: Emulator): { tenant: Set<string>; callback: Set<string> } {
  const books = emu as unknown as TokenBooks;
  const seen = { tenant: new Set<string>(), callback: new Set<string>() };
  const copy = () => {
    for (const t of books.tokens.keys()) seen.tenant.add(t);
    for (const t of books.callbackTokens.keys()) seen.callback.add(t);
  };
  emu.on('api', copy);
  emu.on('request', copy);
  const revoke = emu.revokeTokens.bind(emu);
  emu.revokeTokens = () => {
    copy();
    revoke();
  };
  const click = emu.click.bind(emu);
  emu.click = async (o) => {
    const r = await click(o);
    copy();
    return r;
  };
  return seen;
}

/** The secret itself and the forms a leak would take: the AES key derived from the encrypt key. */
function secretsOf(o: { appSecret: string; encryptKey: string; verificationToken: string }): string[] {
  const aes = createHash('sha256').update(o.encryptKey).digest();
  return [o.appSecret, o.encryptKey, o.verificationToken, aes.toString('hex'), aes.toString('base64')];
}

function leaks(text: string, secrets: Iterable<string>): string[] {
  return [...secrets].filter((s) => s.length >= 8 && text.includes(s));
}

describe('secrets stay out of the logs', () => {
  let h: BotHarness | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('in a full in-process run over signed, encrypted webhooks', async () => {
    h = await startBot({ transport: 'webhook', clock: fixedClock('2026-12-01T02:00:00Z') });
    const bot = h;
    const seen = watchTokens(bot.emu);
    const { chat, secretary, members } = await seedBranch(bot);
    const member = members[0] as EmuUser;
    const g = chat.chatId;

    const help = (await say(bot, g, member, '/帮助')).replies[0];
    if (!help) throw new Error('no help card');
    await bot.emu.click({ messageId: help.messageId, from: member.openId, value: buttonOf(help, '我的').value });
    await say(bot, g, member, `/角色 @{${secretary.openId}} 党员`); // refused
    await say(bot, g, secretary, `/角色 @{${member.openId}} 纪检委员`);
    // A rectification through the form (a click carrying form values), then its card's buttons.
    const form = (await say(bot, g, secretary, '/整改 新建')).replies[0];
    if (!form) throw new Error('no form');
    const create = buttonOf(form, '创建');
    const created = await bot.emu.click({
      messageId: form.messageId,
      from: secretary.openId,
      value: create.value,
      name: create.name,
      formValue: {
        problem: '党费收缴台账不全',
        measures: '逐月核对',
        owner: member.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '',
      },
    });
    expect(created.toast?.type).toBe('success');
    await settle(bot);

    // The tenant token is revoked mid-run: the next send and the next directory read refresh it.
    bot.emu.revokeTokens();
    await say(bot, g, member, '/我的');
    bot.emu.revokeTokens();
    const other = bot.emu.addUser('周群主');
    const g2 = bot.emu.createGroup({ name: '第二党支部', owner: other.openId, members: [] });
    await say(bot, g2.chatId, other, '/绑定 第二党支部');
    // Failures that log: a 5xx retried, a permanent error dead-lettered, a failed directory read.
    bot.emu.failNext({ path: '/reply', times: 1, status: 500, code: 1500, msg: 'internal error' });
    await say(bot, g, member, '/帮助');
    bot.emu.failNext({ path: '/reply', times: 1, status: 400, code: 230001, msg: 'invalid receive_id' });
    await say(bot, g, member, '/帮助');
    // (Retried within the ack budget, then postponed and run again: it outlasts the retries.)
    bot.emu.failNext({ method: 'GET', path: '/im/v1/chats', times: 8, status: 500, code: 1500, msg: 'down' });
    const g3 = bot.emu.createGroup({ name: '第三党支部', owner: other.openId, members: [] });
    await say(bot, g3.chatId, other, '/绑定 第三党支部');
    // Jobs.
    await bot.app.runJob('holiday-check', new Date('2026-12-01T01:30:00Z'));
    await bot.app.runJob('rectification-reminders', new Date('2026-12-21T01:00:00Z'));
    await bot.app.runJob('housekeeping', new Date('2026-12-01T01:17:00Z'));
    await settle(bot);
    // Forged and malformed requests.
    for (const [headers, body] of [
      [
        {
          'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-lark-request-nonce': 'n',
          'x-lark-signature': '0'.repeat(64),
        },
        JSON.stringify({ encrypt: 'Zm9yZ2Vk' }),
      ],
      [{}, JSON.stringify({ type: 'url_verification', challenge: 'c1', token: 'wrong' })],
      [{}, '{not json'],
    ] as [Record<string, string>, string][]) {
      const res = await fetch(`${bot.url}/webhook/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const health = await (await fetch(`${bot.url}/healthz`)).text();

    expect(seen.tenant.size).toBeGreaterThanOrEqual(3);
    expect(seen.callback.size).toBeGreaterThanOrEqual(2);
    const secrets = [
      ...secretsOf({
        appSecret: TEST_APP_SECRET,
        encryptKey: TEST_ENCRYPT_KEY,
        verificationToken: TEST_VERIFICATION_TOKEN,
      }),
      ...seen.tenant,
      ...seen.callback,
    ];
    const text = bot.logs.lines.join('\n');
    expect(bot.logs.lines.length).toBeGreaterThan(20);
    expect(text).toContain('outbox row dead-lettered');
    expect(text).toContain('webhook request refused');
    expect(text).toContain('command postponed: Feishu unavailable'); // the failed directory read, with its stack
    expect(leaks(text, secrets)).toEqual([]);
    expect(text).not.toMatch(/\bt-[0-9a-f]{32}\b/);
    expect(text).not.toMatch(/\bc-[0-9a-f]{32}\b/);
    expect(leaks(health, secrets)).toEqual([]);
  });

  /** Starts the real entry point against an emulator and returns its output so far. */
  async function startChild(transport: 'webhook' | 'websocket') {
    const appSecret = `app-secret-${randomBytes(12).toString('hex')}`;
    const encryptKey = `encrypt-key-${randomBytes(12).toString('hex')}`;
    const verificationToken = `verify-token-${randomBytes(12).toString('hex')}`;
    const appId = `cli_${randomBytes(8).toString('hex')}`;
    const emu = await new Emulator({
      appId,
      appSecret,
      clock: systemClock,
      wallClock: systemClock,
      delivery: transport,
      encryptKey,
      verificationToken,
      redeliverAfterMs: 5000,
    }).start();
    cleanups.push(async () => {
      await emu.close();
      assertServedOnly(emu);
    });
    const seen = watchTokens(emu);
    const loc = await createTestDbLocation();
    cleanups.push(() => loc.drop());
    const databaseUrl = loc.schema
      ? `${loc.url}?options=${encodeURIComponent(`-c search_path=${loc.schema}`)}`
      : loc.url;
    const output: string[] = [];
    const child: ChildProcess = spawn(process.execPath, botArgs(), {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FEISHU_APP_ID: appId,
        FEISHU_APP_SECRET: appSecret,
        FEISHU_DOMAIN: emu.url,
        FEISHU_TRANSPORT: transport,
        FEISHU_ENCRYPT_KEY: encryptKey,
        FEISHU_VERIFICATION_TOKEN: verificationToken,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => output.push(String(d)));
    child.stderr?.on('data', (d) => output.push(String(d)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    const started = await emu.waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`the bot exited (${child.exitCode}): ${output.join('').slice(-2000)}`);
        return /"msg":"qingfeng started"/.test(output.join('')) && output.join('');
      },
      { timeoutMs: 40_000, what: 'the bot to start' },
    );
    const port = Number(/"port":(\d+)/.exec(started)?.[1]);
    if (transport === 'webhook') emu.o.webhookUrl = `http://127.0.0.1:${port}`;
    else await emu.waitFor(() => emu.connectionCount === 1, { timeoutMs: 20_000, what: 'the long connection' });
    const stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    return { emu, seen, output, stop, port, secrets: secretsOf({ appSecret, encryptKey, verificationToken }) };
  }

  for (const transport of ['webhook', 'websocket'] as const) {
    it(`in the logs of \`npm start\` (${transport}, LOG_LEVEL=debug)`, async () => {
      const c = await startChild(transport);
      const { emu } = c;
      const boss = emu.addUser('李书记');
      const member = emu.addUser('赵党员');
      const chat = emu.createGroup({ name: '第一党支部', owner: boss.openId, members: [member.openId] });
      const ask = async (from: EmuUser, text: string) => {
        const sent = await emu.sendText({ chatId: chat.chatId, from: from.openId, text, mentionBot: true });
        return emu.waitFor(() => emu.botMessages(chat.chatId).find((m) => m.parentId === sent.messageId), {
          timeoutMs: 15_000,
          what: `answer to ${text}`,
        });
      };
      await ask(boss, '/绑定 第一党支部');
      const help = await ask(member, '/帮助');
      await emu.click({ messageId: help.messageId, from: member.openId, value: buttonOf(help, '我的').value });
      await ask(member, `/角色 @{${boss.openId}} 党员`);
      emu.revokeTokens();
      await ask(member, '/我的');
      emu.failNext({ path: '/reply', times: 1, status: 500, code: 1500, msg: 'internal error' });
      await ask(member, '/帮助');
      if (transport === 'webhook') {
        const res = await fetch(`http://127.0.0.1:${c.port}/webhook/event`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-lark-request-nonce': 'n1',
            'x-lark-signature': '0'.repeat(64),
          },
          body: JSON.stringify({ encrypt: 'Zm9yZ2Vk' }),
        });
        expect(res.status).toBe(401);
      }
      const health = await (await fetch(`http://127.0.0.1:${c.port}/healthz`)).text();
      await c.stop();
      const text = c.output.join('');
      expect(text).toContain('qingfeng started');
      expect(text).toContain('"msg":"handled"');
      expect(c.seen.tenant.size).toBeGreaterThanOrEqual(2);
      expect(c.seen.callback.size).toBeGreaterThanOrEqual(1);
      const secrets = [...c.secrets, ...c.seen.tenant, ...c.seen.callback];
      expect(leaks(text, secrets)).toEqual([]);
      expect(text).not.toMatch(/\bt-[0-9a-f]{32}\b/);
      expect(text).not.toMatch(/\bc-[0-9a-f]{32}\b/);
      expect(leaks(health, secrets)).toEqual([]);
    }, 60_000);
  }
});
