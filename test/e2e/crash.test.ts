/**
 * The bot process (the real `npm start` entry, src/main.ts) killed with SIGKILL mid-send, then
 * restarted on the same database:
 * - killed after the reply was committed but before Feishu created the message → sent after restart, once;
 * - killed after Feishu created the message but before the bot recorded it → the retry carries the
 *   same uuid, Feishu drops it, and the chat still has exactly one reply.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import { assertServedOnly, messageText, TEST_APP_ID, TEST_APP_SECRET } from '../helpers/bot.ts';
import { settled } from '../helpers/converse.ts';
import { createTestDbLocation, testDialect } from '../helpers/db.ts';
import { botArgs } from '../helpers/entry.ts';

interface Running {
  child: ChildProcess;
  output: string[];
}

function startChild(emu: Emulator, databaseUrl: string): Running {
  const output: string[] = [];
  const child = spawn(process.execPath, botArgs(), {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FEISHU_APP_ID: TEST_APP_ID,
      FEISHU_APP_SECRET: TEST_APP_SECRET,
      FEISHU_DOMAIN: emu.url,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  return { child, output };
}

function kill(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

describe('crash between commit and send', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    const emu = await new Emulator({
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      clock: systemClock,
      wallClock: systemClock,
      redeliverAfterMs: 5000,
      reconnectIntervalSec: 1,
    }).start();
    cleanups.push(async () => {
      await emu.close();
      assertServedOnly(emu);
    });
    const loc = await createTestDbLocation();
    cleanups.push(() => loc.drop());
    // The test's own look at the bot's database (is anything left to do?).
    const db = openDatabase(loc.url, { schema: loc.schema });
    cleanups.push(() => db.close());
    const url = loc.schema ? `${loc.url}?options=${encodeURIComponent(`-c search_path=${loc.schema}`)}` : loc.url;
    const boss = emu.addUser('李书记');
    const chat = emu.createGroup({ name: '第一党支部', owner: boss.openId, members: [] });
    let bot = startChild(emu, url);
    cleanups.push(() => kill(bot));
    await emu.waitFor(() => emu.connectionCount === 1, { timeoutMs: 20_000, what: 'the bot to connect' });
    await emu.sendText({ chatId: chat.chatId, from: boss.openId, text: '/绑定 第一党支部', mentionBot: true });
    await emu.waitFor(() => emu.botMessages(chat.chatId).length === 1, { what: 'bind reply' });
    const restart = async () => {
      await emu.waitFor(() => emu.connectionCount === 0, { what: 'the old connection to close' });
      bot = startChild(emu, url);
      await emu.waitFor(() => emu.connectionCount === 1, { timeoutMs: 20_000, what: 'the bot to reconnect' });
    };
    return { emu, db, chat, boss, restart, killBot: () => kill(bot), output: () => bot.output.join('') };
  }

  for (const applyFirst of [false, true]) {
    const when = applyFirst ? 'after Feishu created the message' : 'before Feishu created the message';
    it(`killed ${when}: the reply is delivered once after restart (${testDialect})`, async () => {
      const { emu, db, chat, boss, restart, killBot } = await setup();
      // The next reply hangs inside "Feishu": the bot is mid-send when it dies.
      emu.failNext({ method: 'POST', path: '/reply', times: 1, status: 500, code: 500, delayMs: 60_000, applyFirst });
      const inFlight = new Promise<void>((resolve) => {
        const on = (r: { path: string }) => {
          if (r.path.endsWith('/reply')) {
            emu.off('request', on);
            resolve();
          }
        };
        emu.on('request', on);
      });
      await emu.sendText({ chatId: chat.chatId, from: boss.openId, text: '/帮助', mentionBot: true });
      await inFlight;
      await killBot();
      await restart();
      const replies = await emu.waitFor(
        () => {
          const r = emu.botMessages(chat.chatId).filter((m) => messageText(m).includes('可用命令'));
          return r.length > 0 && r;
        },
        { timeoutMs: 20_000, what: 'the help reply after restart' },
      );
      // Every redelivery handled and every send made: a duplicate would be there now.
      await settled({ emu, db });
      expect(emu.botMessages(chat.chatId).filter((m) => messageText(m).includes('可用命令'))).toHaveLength(1);
      expect(replies[0]?.parentId).toBeDefined();
    }, 60_000);
  }
});
