/**
 * The outbox never strands a row: a failure while a lane hands rows back (or records an outcome)
 * leaves them claimable again, and no row stays held in memory, its lease renewed, without being sent.
 * - PostgreSQL: a burst of 100 replies to five chats (Feishu's 5/s per chat) while another client
 *   terminates the bot's connections every 150–250 ms; after the kills every row is sent exactly once
 *   within a bounded wait, none left pending under a live lease, no duplicate in the emulator.
 * - Both databases, deterministic: after a 503 the lane's rest is handed back and that write fails
 *   (once, then until the leases run out): the rows are sent after the retry, or when the lease expires.
 */
import { randomBytes } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { enqueue, listOutbox } from '../../src/db/repositories/outbox.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import type { BotHarness } from '../helpers/bot.ts';
import { createTestDb, createTestDbLocation, type TestDb, testDialect } from '../helpers/db.ts';
import { allBotMessages, duplicateUuids, seededRandom, startFaultBot } from '../helpers/fault-bot.ts';
import { pace } from '../helpers/wait.ts';

/** Enqueues `perChat` text replies to each message, as one commit would. */
async function enqueueReplies(db: TestDb, parents: readonly EmuMessage[], perChat: number): Promise<void> {
  const at = new Date().toISOString();
  await db.db.transaction().execute(async (tx) => {
    for (let i = 0; i < perChat; i++) {
      for (const p of parents) {
        await enqueue(tx, {
          orgId: null,
          kind: 'reply',
          targetType: 'message_id',
          targetId: p.messageId,
          msgType: 'text',
          payload: { content: JSON.stringify({ text: `回复 ${i + 1}` }), chat_id: p.chatId },
          at,
        });
      }
    }
  });
}

/** Every row sent, each uuid posted exactly once, each parent answered `perChat` times. */
async function expectEachSentOnce(h: BotHarness, observer: TestDb, parents: readonly EmuMessage[], perChat: number) {
  const rows = await listOutbox(observer.db, { limit: 10_000 });
  expect(rows.filter((r) => r.status !== 'sent').map((r) => [r.id, r.status, r.lease_until])).toEqual([]);
  expect(duplicateUuids(h.emu)).toEqual([]);
  const posted = new Map(allBotMessages(h.emu).map((m) => [m.uuid, m]));
  for (const r of rows) expect.soft(posted.get(r.uuid)?.messageId, `row ${r.id}`).toBe(r.message_id ?? 'unset');
  for (const p of parents) {
    expect.soft(allBotMessages(h.emu).filter((m) => m.parentId === p.messageId)).toHaveLength(perChat);
  }
}

/** The texts the bot posted in answer to a message, in the order they arrived. */
function repliesIn(h: BotHarness, parent: EmuMessage): string[] {
  return allBotMessages(h.emu)
    .filter((m) => m.parentId === parent.messageId)
    .map((m) => (JSON.parse(m.content) as { text: string }).text);
}

/** Waits (bounded) until no outbox row is pending. */
async function waitAllSent(h: BotHarness, observer: TestDb, timeoutMs: number, note = ''): Promise<void> {
  await h.emu
    .waitFor(
      async () => {
        const r = await observer.db
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .limit(1)
          .execute();
        return r.length === 0;
      },
      { what: 'every outbox row sent', timeoutMs },
    )
    .catch(async (err) => {
      const left = await listOutbox(observer.db, { status: 'pending', limit: 10_000 });
      const now = new Date().toISOString();
      const leased = left.filter((r) => r.lease_until && r.lease_until > now);
      throw new Error(
        `${(err as Error).message}: ${left.length} rows pending, ${leased.length} of them under a live lease ` +
          `(${leased.map((r) => r.id).join(', ')})${note}`,
      );
    });
}

describe('outbox rows handed back after a failed write', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /**
   * The bot on a database where some outbox writes fail as on a dropped connection, `failures` times:
   * - `hand-back`: the UPDATEs that put rows back (setting next_attempt_at), once the first 503 was met
   *   and that row's own reschedule went through;
   * - `record-sent`: the UPDATE that records a send, from the start until the row is handed back.
   * Only the edge (the query on its way to the driver) is faked.
   */
  async function botWithFailingWrites(leaseMs: number, which: 'hand-back' | 'record-sent') {
    const base = await createTestDb();
    const fault = { armed: which === 'record-sent', skip: 0, failures: 0, thrown: 0 };
    const column = which === 'hand-back' ? '"next_attempt_at" =' : '"sent_at" =';
    const compile = base.db.getExecutor();
    const plugin: KyselyPlugin = {
      transformQuery(args) {
        if (fault.armed && args.node.kind === 'UpdateQueryNode') {
          const set = compile.compileQuery(args.node, args.queryId).sql.split(' where ')[0] ?? '';
          if (set.startsWith('update "outbox" set') && set.includes(column)) {
            if (fault.skip > 0) fault.skip--;
            else if (fault.failures > 0) {
              fault.failures--;
              fault.thrown++;
              throw new Error('Connection terminated unexpectedly');
            }
          }
        }
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db: TestDb = { ...base, db: base.db.withPlugin(plugin) };
    const h = await startFaultBot({
      db,
      dispatcher: { leaseMs, random: () => 0 },
      onLog: (r) => {
        // The 503 was classified: the failed row's own reschedule goes through, the lane's rest fails.
        if (which === 'hand-back' && r.msg === 'outbox send failed; will retry' && !fault.armed) {
          fault.armed = true;
          fault.skip = 1;
        }
        if (which === 'record-sent' && String(r.msg).startsWith('outbox row failed')) fault.armed = false;
      },
    });
    cleanups.push(async () => {
      await h.stop();
      await base.drop();
    });
    return { h, db: base, fault };
  }

  async function oneChatBurst(h: BotHarness, db: TestDb, n: number, o = { first503: true }): Promise<EmuMessage> {
    const user = h.emu.addUser('党员乙');
    const chat = h.emu.createGroup({ name: '一支部', owner: user.openId, members: [] });
    const parent = await h.emu.sendText({ chatId: chat.chatId, from: user.openId, text: '大家好' });
    if (o.first503) h.emu.failNext({ method: 'POST', path: '/reply', times: 1, status: 503, code: 503 });
    await enqueueReplies(db, [parent], n);
    h.app.dispatcher.wake();
    return parent;
  }

  it('retries the hand-back: the rest of the lane goes after the retried row, none left held', async () => {
    const { h, db, fault } = await botWithFailingWrites(10_000, 'hand-back');
    fault.failures = 1;
    const parent = await oneChatBurst(h, db, 5);
    // Well before the 10 s lease runs out: the rows were handed back, not left to their lease.
    await waitAllSent(h, db, 6000);
    expect(fault.thrown).toBe(1);
    await expectEachSentOnce(h, db, [parent], 5);
    expect(repliesIn(h, parent)).toEqual(['回复 1', '回复 2', '回复 3', '回复 4', '回复 5']);
  });

  it('a hand-back that keeps failing leaves the rows to their lease, which is not renewed', async () => {
    const { h, db, fault } = await botWithFailingWrites(1500, 'hand-back');
    fault.failures = 1000;
    const parent = await oneChatBurst(h, db, 5);
    await h.emu.waitFor(() => fault.thrown > 0, { what: 'the hand-back failing' });
    // Writes that hand rows back fail from here on; the rest of the lane is sent when its lease runs out.
    // Its lease is 1.5 s: were it renewed while the rows sit in memory, they would never go.
    await waitAllSent(h, db, 5000);
    expect(fault.thrown).toBeGreaterThan(1); // the write was tried again before giving up
    expect(h.logs.records().some((r) => String(r.msg).startsWith('handing outbox rows back failed'))).toBe(true);
    await expectEachSentOnce(h, db, [parent], 5);
    expect(repliesIn(h, parent)).toEqual(['回复 1', '回复 2', '回复 3', '回复 4', '回复 5']);
  });

  it('a send that cannot be recorded is handed back and sent again under its uuid, not counted as a failure', async () => {
    const { h, db, fault } = await botWithFailingWrites(10_000, 'record-sent');
    fault.failures = 1000;
    const parent = await oneChatBurst(h, db, 3, { first503: false });
    await waitAllSent(h, db, 8000);
    expect(fault.thrown).toBeGreaterThan(1); // tried again before the row was handed back
    await expectEachSentOnce(h, db, [parent], 3);
    expect(repliesIn(h, parent)).toEqual(['回复 1', '回复 2', '回复 3']);
    // Feishu was asked twice for the first row and kept one message; no attempt was counted as failed.
    expect(h.emu.store.apiLog.filter((c) => c.path.endsWith('/reply')).length).toBe(4);
    expect((await listOutbox(db.db)).map((r) => r.attempts)).toEqual([1, 1, 1]);
    expect(h.app.dispatcher.stats).toMatchObject({ sent: 3, retried: 0, dead: 0 });
  });
});

describe.skipIf(testDialect !== 'postgres')('outbox under PostgreSQL connection kills', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('sends every row of a burst exactly once while the bot’s connections are terminated', async () => {
    const url = process.env.TEST_DATABASE_URL as string;
    const loc = await createTestDbLocation();
    cleanups.push(() => loc.drop());
    // The bot's pool carries its own application_name, so the killer ends its connections only.
    const appName = `qf-outbox-kill-${randomBytes(4).toString('hex')}`;
    const botUrl = new URL(url);
    botUrl.searchParams.set('application_name', appName);
    const handle = openDatabase(botUrl.toString(), { schema: loc.schema });
    await migrateToLatest(handle.db, handle.dialect);
    const botDb: TestDb = { ...handle, url: loc.url, schema: loc.schema, drop: () => handle.close() };
    cleanups.push(() => handle.close());
    const observerHandle = openDatabase(url, { schema: loc.schema, poolSize: 2 });
    const observer: TestDb = { ...observerHandle, url: loc.url, schema: loc.schema, drop: observerHandle.close };
    cleanups.push(() => observerHandle.close());

    const h = await startFaultBot({ db: botDb, dispatcher: { leaseMs: 3000, random: () => 0 } });
    cleanups.push(() => h.stop());
    const user = h.emu.addUser('党员丙');
    const parents: EmuMessage[] = [];
    for (let i = 0; i < 5; i++) {
      const chat = h.emu.createGroup({ name: `支部${i + 1}`, owner: user.openId, members: [] });
      parents.push(await h.emu.sendText({ chatId: chat.chatId, from: user.openId, text: '收到请回复' }));
    }

    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    cleanups.push(() => killer.end());
    const seed = Date.now() % 100_000;
    const random = seededRandom(seed);
    let terminated = 0;
    const killFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const r = await killer.query(
          'SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
          [appName],
        );
        terminated += r.rows.filter((x) => x.t).length;
        // Feishu answers a 503 now and then: the lane's rest is handed back while connections drop.
        h.emu.failNext({ method: 'POST', path: '/reply', times: 1, status: 503, code: 503 });
        await pace(150 + Math.floor(random() * 100));
      }
    };

    await enqueueReplies(observer, parents, 20);
    h.app.dispatcher.wake();
    await killFor(6000);
    expect(terminated, `seed ${seed}`).toBeGreaterThan(10);
    // Kills over: what a failed write left leased is free within the 3 s lease, retried rows after their
    // backoff (a row that met several 503s waits up to 16 s). A stranded row would never go.
    await waitAllSent(h, observer, 40_000, `; kill seed ${seed}`);
    await expectEachSentOnce(h, observer, parents, 20);
  }, 90_000);
});
