/**
 * PostgreSQL connections that drop under the running bot (the server ending its sessions, as a
 * failover, a restart or pg_terminate_backend does) and a database that is not there yet at start-up:
 * a command that meets a dropped connection is postponed and runs once later — never answered "出错了",
 * never lost — a click is answered late onto its card, and start-up waits for the database.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId } from 'kysely';
import pg from 'pg';
import { describe, it } from 'vitest';
import { type DbHandle, openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { countOutbox } from '../../src/db/repositories/outbox.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { isWorkingNotice, messageText, seedBranch } from '../helpers/bot.ts';
import { answerTo, drained, settled } from '../helpers/converse.ts';
import { createTestDbLocation, type TestDb, testDialect } from '../helpers/db.ts';
import {
  allBotMessages,
  auditCount,
  buttonValue,
  replyCounts,
  seededRandom,
  startFaultBot,
} from '../helpers/fault-bot.ts';
import { pace } from '../helpers/wait.ts';

const SEED = Number(process.env.QF_FAULT_SEED ?? 20261202);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? '';

/**
 * A test database whose bot connections carry their own application_name, so exactly they can be
 * terminated (other test runs share the server); `check` is a separate pool for the test's own reads.
 */
async function taggedDb(urlOf: (url: string) => string = (u) => u): Promise<{
  db: TestDb;
  tag: string;
  check: DbHandle;
}> {
  const loc = await createTestDbLocation();
  const tag = `qf_kill_${randomBytes(4).toString('hex')}`;
  const u = new URL(urlOf(loc.url));
  u.searchParams.set('application_name', tag);
  const handle = openDatabase(u.toString(), { schema: loc.schema, poolSize: 10 });
  const check = openDatabase(loc.url, { schema: loc.schema, poolSize: 2 });
  await migrateToLatest(check.db, check.dialect);
  const db: TestDb = {
    ...handle,
    url: loc.url,
    schema: loc.schema,
    async drop() {
      await handle.close();
      await check.close();
      await loc.drop();
    },
  };
  return { db, tag, check };
}

async function adminClient(): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  return admin;
}

/** Ends every session of the bot; returns how many. */
async function terminate(admin: pg.Client, tag: string, state?: string): Promise<number> {
  const r = await admin.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE application_name = $1 AND ($2::text IS NULL OR state = $2)`,
    [tag, state ?? null],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * Ends the bot's session between two statements of a transaction — the gap a periodic kill rarely
 * hits, and the one where the driver's next statement fails without a SQLSTATE ("not queryable"): after
 * a chosen insert into processed_events (the dedup record, first in every command's transaction) has
 * returned, every bot session idle in a transaction is terminated before the result goes back.
 */
function midTransactionKiller(admin: () => pg.Client, tag: string) {
  const watched = new WeakSet<QueryId>();
  let inserts = 0;
  const state = { kills: 0, shouldKill: (_n: number) => false };
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs) {
      const node = args.node as { kind: string; into?: { table?: { identifier?: { name?: string } } } };
      if (node.kind === 'InsertQueryNode' && node.into?.table?.identifier?.name === 'processed_events') {
        if (state.shouldKill(++inserts)) watched.add(args.queryId);
      }
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs) {
      if (watched.has(args.queryId)) {
        state.kills += await terminate(admin(), tag, 'idle in transaction');
        // Let the server's FATAL reach the client before its next statement (the fault's own timing).
        await pace(150);
      }
      return args.result;
    },
  };
  return { plugin, state };
}

const replyText = (emu: Parameters<typeof allBotMessages>[0], m: EmuMessage) => {
  const r = allBotMessages(emu).find((x) => x.parentId === m.messageId && !isWorkingNotice(x));
  return r ? messageText(r) : undefined;
};

describe.skipIf(testDialect !== 'postgres')('PostgreSQL connections dropped under the bot', () => {
  it('connections terminated every 150–250 ms during a burst: every command answered once, every effect present', async ({
    expect,
    onTestFinished,
  }) => {
    const { db, tag, check } = await taggedDb();
    onTestFinished(() => db.drop());
    const admin = await adminClient();
    onTestFinished(() => admin.end());
    const between = midTransactionKiller(() => admin, tag);
    const h = await startFaultBot({
      db: { ...db, db: db.db.withPlugin(between.plugin) },
      emulator: { maxRedeliveries: 30, redeliverAfterMs: 1500 },
    });
    onTestFinished(() => h.stop());
    const names = Array.from({ length: 8 }, (_, i) => `党员${i + 1}`);
    const { chat, secretary, members } = await seedBranch(h, { members: names });
    await drained(h);
    // Besides the periodic kills, every fourth transaction loses its session between two statements.
    between.state.shouldKill = (n) => n % 4 === 0;

    const random = seededRandom(SEED);
    const day = (i: number) => new Date(Date.now() + (40 + i) * 86_400_000).toISOString().slice(0, 10);
    const texts: { from: EmuUser; text: string }[] = [];
    for (const [i, m] of members.entries()) {
      texts.push({ from: m, text: `/请假 ${day(i)} 外出培训` }, { from: m, text: '/我的' });
    }
    texts.push({ from: secretary, text: '/帮助' }, { from: secretary, text: '/我的' });

    // The killer: every 150–250 ms, until every command is answered (at most 80 times).
    let stop = false;
    let kills = 0;
    let terminated = 0;
    const killer = (async () => {
      for (let i = 0; i < 80 && !stop; i++) {
        await pace(150 + Math.floor(random() * 100));
        terminated += await terminate(admin, tag);
        kills++;
      }
    })();
    onTestFinished(() => {
      stop = true;
    });

    const before = new Set(h.emu.store.messages.keys());
    const acks: Promise<unknown>[] = [];
    for (const t of texts) {
      acks.push(h.emu.sendText({ chatId: chat.chatId, from: t.from.openId, text: t.text, mentionBot: true }));
      await pace(40 + Math.floor(random() * 80));
    }
    const sent = [...h.emu.store.messages.values()].filter((m) => !before.has(m.messageId) && m.senderType === 'user');
    expect(sent).toHaveLength(texts.length);
    const ids = sent.map((m) => m.messageId);
    await h.emu
      .waitFor(() => [...replyCounts(h.emu, ids).values()].every((n) => n >= 1), {
        timeoutMs: 40_000,
        what: 'every command answered',
      })
      .finally(() => {
        stop = true;
        between.state.shouldKill = () => false;
      });
    await killer;
    await Promise.all(acks);
    // Every redelivery handled and every send made: a duplicate would be there now.
    await settled(h, 30_000);
    expect(kills).toBeGreaterThan(3);
    expect(terminated).toBeGreaterThan(3);
    expect(between.state.kills).toBeGreaterThan(0);

    expect([...replyCounts(h.emu, ids).values()]).toEqual(ids.map(() => 1));
    const wrong = sent.map((m) => replyText(h.emu, m) ?? '').filter((t) => /出错了/.test(t));
    expect(wrong).toEqual([]);
    for (const [i, m] of members.entries()) {
      const leave = sent.find((s) => s.senderId === m.openId && s.content.includes('/请假'));
      expect.soft(replyText(h.emu, leave as EmuMessage)).toContain('已登记请假至');
      const row = await check.db
        .selectFrom('members')
        .select('away_until')
        .where('open_id', '=', m.openId)
        .executeTakeFirstOrThrow();
      expect.soft(row.away_until).toBe(day(i));
    }
    expect(await auditCount(check.db, 'member:away')).toBe(members.length);
    const processed = await check.db
      .selectFrom('processed_events')
      .select('key')
      .where(
        'key',
        'in',
        ids.map((id) => `msg:${id}`),
      )
      .execute();
    expect(processed).toHaveLength(ids.length);
    const failed = await check.db
      .selectFrom('audit_log')
      .select(['action', 'result'])
      .where('result', '=', 'error')
      .execute();
    expect(failed).toEqual([]);
    await h.emu.waitFor(async () => ((await countOutbox(check.db)).pending ?? 0) === 0, {
      what: 'outbox drained',
      timeoutMs: 20_000,
    });
    expect((await countOutbox(check.db)).dead ?? 0).toBe(0);
  }, 90_000);

  it('a card action whose connection is killed mid-transaction is answered late, once, not "出错了"', async ({
    expect,
    onTestFinished,
  }) => {
    const { db, tag, check } = await taggedDb();
    onTestFinished(() => db.drop());
    const admin = await adminClient();
    onTestFinished(() => admin.end());
    const between = midTransactionKiller(() => admin, tag);
    const h = await startFaultBot({ db: { ...db, db: db.db.withPlugin(between.plugin) } });
    onTestFinished(() => h.stop());
    const { secretary } = await seedBranch(h);
    const p2p = h.emu.p2pChat(secretary.openId);
    const help = await answerTo(h, await h.emu.sendText({ chatId: p2p.chatId, from: secretary.openId, text: '/帮助' }));
    await drained(h);

    // The click's transaction loses its session right after its dedup record is written.
    let armed = true;
    between.state.shouldKill = () => {
      const kill = armed;
      armed = false;
      return kill;
    };
    const clicked = h.emu.click({
      messageId: help.messageId,
      from: secretary.openId,
      value: buttonValue(h.emu.requireMessage(help.messageId), '我的'),
    });
    const answer = await clicked;
    expect(answer.error).toBeUndefined();
    expect(answer.toast?.content ?? '').not.toMatch(/出错了/);
    expect(between.state.kills).toBe(1);

    // The click ran once, later, and its answer reached the card.
    await h.emu.waitFor(
      async () =>
        (await check.db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'action:help.run')
          .where('result', '=', 'ok')
          .executeTakeFirst()) !== undefined,
      { what: 'the click handled', timeoutMs: 15_000 },
    );
    await h.emu.waitFor(() => h.emu.requireMessage(help.messageId).content.includes('我的 · '), {
      what: 'the late answer on the card',
      timeoutMs: 15_000,
    });
    await settled(h);
    const rows = await check.db
      .selectFrom('audit_log')
      .select(['result'])
      .where('action', '=', 'action:help.run')
      .execute();
    expect(rows.map((r) => r.result)).toEqual(['ok']);
    expect(h.logs.records().some((r) => r.msg === 'card action failed')).toBe(false);
  }, 60_000);

  it('PostgreSQL unreachable at start-up, then back: the bot waits for it and starts', async ({
    expect,
    onTestFinished,
  }) => {
    // A proxy in front of PostgreSQL on a port that first refuses connections, then (once listening)
    // drops the first few it accepts, then forwards.
    const target = new URL(ADMIN_URL);
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let dropFirst = 2;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      if (dropFirst-- > 0) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
    });
    onTestFinished(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          proxy.close(() => r());
        }),
    );
    const { db, check } = await taggedDb((u) => {
      const x = new URL(u);
      x.hostname = '127.0.0.1';
      x.port = String(port);
      return x.toString();
    });
    onTestFinished(() => db.drop());
    void pace(1500).then(() => proxy.listen(port, '127.0.0.1')); // PostgreSQL comes up 1.5 s later
    const t0 = Date.now();
    const h = await startFaultBot({ db });
    onTestFinished(() => h.stop());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    const waits = h.logs.records().filter((r) => r.msg === 'database not reachable yet; waiting');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    // And it works.
    const { chat } = await seedBranch(h);
    expect(await check.db.selectFrom('orgs').select('id').execute()).toHaveLength(1);
    expect(h.emu.botMessages(chat.chatId).some((m) => messageText(m).includes('第一党支部'))).toBe(true);
  }, 60_000);
});
