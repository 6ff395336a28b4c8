/**
 * Several bot processes (the real entry point) sharing one PostgreSQL, each on its own long
 * connection to the emulator, which hands every event to one of them (cluster mode, like the cloud):
 * - a burst of commands is answered exactly once, and the sends are shared among the replicas;
 * - the same job run by every replica at once posts each reminder once;
 * - one replica killed mid-burst: the others answer what it left (redelivered events, its leased rows).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { listOutbox } from '../../src/db/repositories/outbox.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuChat, EmuUser } from '../../src/sandbox/store.ts';
import { assertServedOnly, isWorkingNotice, messageText, TEST_APP_ID, TEST_APP_SECRET } from '../helpers/bot.ts';
import { settled } from '../helpers/converse.ts';
import { createTestDbLocation } from '../helpers/db.ts';
import { botArgs, cliArgs } from '../helpers/entry.ts';

function startReplica(emu: Emulator, databaseUrl: string): ChildProcess {
  return spawn(process.execPath, botArgs(), {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FEISHU_APP_ID: TEST_APP_ID,
      FEISHU_APP_SECRET: TEST_APP_SECRET,
      FEISHU_DOMAIN: emu.url,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function runCli(databaseUrl: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, cliArgs(...args), {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FEISHU_APP_ID: TEST_APP_ID,
        FEISHU_APP_SECRET: TEST_APP_SECRET,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    c.on('exit', (code) => resolve(code ?? 1));
  });
}

describe('replicas on PostgreSQL', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function cluster(n: number) {
    const emu = await new Emulator({
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      clock: systemClock,
      wallClock: systemClock,
      redeliverAfterMs: 2000,
      reconnectIntervalSec: 1,
    }).start();
    cleanups.push(async () => {
      await emu.close();
      assertServedOnly(emu);
    });
    const loc = await createTestDbLocation();
    cleanups.push(() => loc.drop());
    const url = `${loc.url}?options=${encodeURIComponent(`-c search_path=${loc.schema}`)}`;
    // Migrate once before the replicas start, as a deployment would.
    expect(await runCli(url, ['migrate'])).toBe(0);
    const replicas = Array.from({ length: n }, () => startReplica(emu, url));
    cleanups.push(() => {
      for (const r of replicas) if (r.exitCode === null) r.kill('SIGKILL');
    });
    await emu.waitFor(() => emu.connectionCount === n, { timeoutMs: 25_000, what: `${n} replicas to connect` });
    const boss = emu.addUser('李书记');
    const members = Array.from({ length: 6 }, (_, i) => emu.addUser(`党员${i + 1}`));
    const chat = emu.createGroup({ name: '第一党支部', owner: boss.openId, members: members.map((m) => m.openId) });
    await emu.sendText({ chatId: chat.chatId, from: boss.openId, text: '/绑定 第一党支部', mentionBot: true });
    await emu.waitFor(() => emu.botMessages(chat.chatId).length === 1, { timeoutMs: 10_000, what: 'the bind reply' });
    const db = openDatabase(loc.url, { schema: loc.schema });
    cleanups.push(() => db.close());
    return { emu, chat, boss, members, replicas, url, db };
  }

  /** Sends `count` commands from the members, without waiting between them. */
  async function burst(emu: Emulator, chat: EmuChat, from: EmuUser[], count: number) {
    const sent = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        emu.sendText({
          chatId: chat.chatId,
          from: (from[i % from.length] as EmuUser).openId,
          text: i % 2 ? '/我的' : '/帮助',
          mentionBot: true,
        }),
      ),
    );
    return sent.map((m) => m.messageId);
  }

  function repliesTo(emu: Emulator, chat: EmuChat, ids: string[]) {
    const set = new Set(ids);
    // A command slower than the ack budget also gets "正在处理…" first; that is not its answer.
    return emu.botMessages(chat.chatId).filter((m) => m.parentId && set.has(m.parentId) && !isWorkingNotice(m));
  }

  for (const n of [2, 3]) {
    it(`${n} replicas answer a burst once each and share the sending`, async () => {
      const { emu, chat, members, db } = await cluster(n);
      const ids = await burst(emu, chat, members, 40);
      await emu.waitFor(() => repliesTo(emu, chat, ids).length >= 40, { timeoutMs: 30_000, what: 'all replies' });
      await settled({ emu, db }, 30_000);
      const replies = repliesTo(emu, chat, ids);
      expect(replies).toHaveLength(40);
      expect(new Set(replies.map((m) => m.parentId)).size).toBe(40);
      // The replicas share the chat's 5/s through PostgreSQL, counting a send when it is reserved. On a
      // loaded machine a send can reach Feishu more than the 50 ms margin after its reservation and
      // land in the next window: Feishu's 429 is then retried (no dead row, each reply once above).
      // Without the shared limit each replica would send 5/s on its own, and Feishu would refuse the excess.
      expect(emu.stats.rateLimited).toBeLessThanOrEqual(3);
      const sent = await listOutbox(db.db, { status: 'sent', limit: 1000 });
      const senders = new Set(sent.map((r) => r.lease_owner?.split(':').slice(0, 2).join(':')));
      expect(senders.size).toBeGreaterThan(1);
      expect(await listOutbox(db.db, { status: 'dead' })).toHaveLength(0);
    }, 90_000);
  }

  it('posts each reminder once when every replica runs the same job at once', async () => {
    const { emu, boss, url, db } = await cluster(3);
    const codes = await Promise.all(
      [1, 2, 3].map(() => runCli(url, ['job', 'run', 'holiday-check', '--now', '2026-12-01T09:30:00+08:00'])),
    );
    expect(codes).toEqual([0, 0, 0]);
    const p2p = () => emu.store.p2pChatOf(boss.openId);
    await emu.waitFor(
      () => {
        const c = p2p();
        return c && emu.botMessages(c.chatId).some((m) => messageText(m).includes('缺少 2027 年节假日安排'));
      },
      { timeoutMs: 20_000, what: 'the reminder' },
    );
    await settled({ emu, db }, 30_000);
    const notices = emu
      .botMessages(p2p()?.chatId ?? '')
      .filter((m) => messageText(m).includes('缺少 2027 年节假日安排'));
    expect(notices).toHaveLength(1);
  }, 90_000);

  it('finishes the work of a replica killed mid-burst', async () => {
    const { emu, chat, members, replicas, db } = await cluster(3);
    const fromSeq = emu.store.apiLog.at(-1)?.seq ?? 0;
    const first = burst(emu, chat, members, 30);
    // Killed while the burst is being worked on: once its first reply is out.
    const replied = (c: { seq: number; path: string; status: number }) =>
      c.seq > fromSeq && c.path.endsWith('/reply') && c.status === 200;
    await emu.waitFor(() => emu.store.apiLog.some(replied), {
      what: 'the first reply of the burst',
      timeoutMs: 30_000,
    });
    (replicas[0] as ChildProcess).kill('SIGKILL');
    const ids = await first;
    await emu.waitFor(() => repliesTo(emu, chat, ids).length >= 30, {
      timeoutMs: 45_000,
      what: 'every reply after the kill',
    });
    await settled({ emu, db }, 45_000);
    expect(repliesTo(emu, chat, ids)).toHaveLength(30);
    expect(await listOutbox(db.db, { status: 'dead' })).toHaveLength(0);
    expect(emu.connectionCount).toBe(2);
  }, 90_000);
});
