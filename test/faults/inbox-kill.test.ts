/**
 * The inbox across SIGKILL (the real `npm start` entry): a message is acknowledged once its row is
 * written, so a kill can come
 *   - between the ack and the work: events safe in the inbox, not yet worked on — the next start works
 *     them off from the table, in each person's order, without Feishu sending anything again;
 *   - after the work, before the answers went out: the answers wait in the outbox and go out once;
 *   - during a batch (PostgreSQL): events' work committed together (src/db/group-commit.ts), killed with
 *     one event's work done inside the open transaction and the next one's under way — neither is kept,
 *     both are worked on again after the restart and answered once.
 * (Kills during a burst, where rows are written together and some acks never went out, are in
 * kill-restart.test.ts and `npm run soak`.) Every command answered exactly once.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DeliveryRecord } from '../../src/sandbox/emulator/types.ts';
import type { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { isWorkingNotice, messageText } from '../helpers/bot.ts';
import { cardTitle } from '../helpers/cards.ts';
import { testDialect } from '../helpers/db.ts';
import { allBotMessages, replyCounts } from '../helpers/fault-bot.ts';
import {
  type BotProcess,
  type processDatabase,
  setupWorld,
  startBotProcess,
  type World,
} from '../helpers/fault-proc.ts';
import { until } from '../helpers/wait.ts';

type Db = Awaited<ReturnType<typeof processDatabase>>;

async function inboxStatus(db: Db, messages: readonly EmuMessage[]): Promise<string[]> {
  const rows = await db.handle.db
    .selectFrom('inbox')
    .select(['key', 'status'])
    .where(
      'key',
      'in',
      messages.map((m) => `msg:${m.messageId}`),
    )
    .execute();
  const by = new Map(rows.map((r) => [r.key, r.status]));
  return messages.map((m) => by.get(`msg:${m.messageId}`) ?? 'missing');
}

/** Sends a message and keeps Feishu's record of its delivery (acknowledged, how often it was sent). */
async function send(
  emu: Emulator,
  sent: Map<EmuMessage, DeliveryRecord>,
  o: { chatId: string; from: EmuUser; text: string; mentionBot?: boolean },
): Promise<EmuMessage> {
  const m = await emu.sendText({ chatId: o.chatId, from: o.from.openId, text: o.text, mentionBot: o.mentionBot });
  const d = emu.deliveries.at(-1);
  if (d?.type !== 'im.message.receive_v1') throw new Error('no delivery recorded for the message');
  sent.set(m, d);
  return m;
}

const deliveriesOf = (sent: Map<EmuMessage, DeliveryRecord>, messages: readonly EmuMessage[]) =>
  messages.map((m) => {
    const d = sent.get(m);
    return { acked: d?.acked, attempts: d?.attempts };
  });

async function answeredOnce(emu: Emulator, sent: readonly EmuMessage[], what: string) {
  const ids = sent.map((m) => m.messageId);
  await emu.waitFor(() => [...replyCounts(emu, ids).values()].every((n) => n >= 1), { timeoutMs: 30_000, what });
  return ids;
}

async function outboxIdle(emu: Emulator, db: Db) {
  await emu.waitFor(
    async () =>
      (await db.handle.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length === 0,
    { what: 'the outbox drained', timeoutMs: 20_000 },
  );
}

/**
 * After the restart: every message answered exactly once with its real answer (no "出错了"), worked on
 * once (one dedup record each), nothing left in the outbox.
 */
async function answeredOnceAfterRestart(emu: Emulator, db: Db, sent: readonly EmuMessage[], what: string) {
  await answeredOnce(emu, sent, what);
  await outboxIdle(emu, db);
  const ids = sent.map((m) => m.messageId);
  expect([...replyCounts(emu, ids).values()]).toEqual(ids.map(() => 1));
  const processed = await db.handle.db
    .selectFrom('processed_events')
    .select('key')
    .where(
      'key',
      'in',
      ids.map((id) => `msg:${id}`),
    )
    .execute();
  expect(processed).toHaveLength(ids.length);
  for (const m of sent) {
    const answer = allBotMessages(emu).find((a) => a.parentId === m.messageId && !isWorkingNotice(a)) as EmuMessage;
    expect(messageText(answer)).not.toMatch(/出错了/);
  }
}

async function started(): Promise<{ emu: Emulator; db: Db; bot: BotProcess; w: World }> {
  const { emu, db, bot } = await startBotProcess({ redeliverAfterMs: 3000 });
  const w = await setupWorld(emu, db.handle.db, { size: 6, owners: 1 });
  return { emu, db, bot, w };
}

describe('the inbox across SIGKILL', () => {
  it(`killed between the ack and the work: the next start works every event off once, in order (${testDialect})`, async () => {
    const { emu, db, bot, w } = await started();
    const secretary = w.people[0]?.user as EmuUser;
    // A second branch's group of 1,000: binding it reads ten member pages, each answered in a second.
    const others = Array.from({ length: 999 }, (_x, i) => emu.addUser(`二支部党员${i + 1}`).openId);
    const big = emu.createGroup({ name: '机关第二党支部', owner: secretary.openId, members: others });
    emu.slowDown({ path: '/members', delayMs: 1000 });
    const deliveries = new Map<EmuMessage, DeliveryRecord>();
    const say = (chatId: string, from: EmuUser, text: string, mentionBot: boolean) =>
      send(emu, deliveries, { chatId, from, text, mentionBot });

    const bind = await say(big.chatId, secretary, '/绑定 机关第二党支部', true);
    // Told "正在处理…", the secretary goes on asking in the same group: these wait behind the binding.
    await emu.waitFor(() => allBotMessages(emu).some((m) => m.parentId === bind.messageId && isWorkingNotice(m)), {
      what: '"正在处理…" for the binding',
      timeoutMs: 15_000,
    });
    const behind: EmuMessage[] = [];
    for (let i = 0; i < 6; i++) behind.push(await say(big.chatId, secretary, '/帮助', true));
    // Everyone else, in private: worked on side by side, whatever the binding does.
    const elsewhere: EmuMessage[] = [];
    for (const p of w.people.slice(1)) elsewhere.push(await say(p.p2p.chatId, p.user, '/我的', false));
    await answeredOnce(emu, elsewhere, 'the private commands answered while the binding runs');

    // Acknowledged at once, each on its first delivery, yet not worked on: safe only in the inbox.
    expect(deliveriesOf(deliveries, [bind, ...behind])).toEqual(
      [bind, ...behind].map(() => ({ acked: true, attempts: 1 })),
    );
    expect(await inboxStatus(db, [bind, ...behind])).toEqual([bind, ...behind].map(() => 'pending'));
    expect(await db.handle.db.selectFrom('chat_bindings').select('chat_id').execute()).toHaveLength(1);

    await bot.kill();
    emu.clearSlowDowns();
    await bot.start();

    const ids = await answeredOnce(emu, [bind, ...behind], 'the binding and the questions after it answered');
    await outboxIdle(emu, db);
    expect([...replyCounts(emu, [...ids, ...elsewhere.map((m) => m.messageId)]).values()]).toEqual(
      [...ids, ...elsewhere].map(() => 1),
    );
    const answers = allBotMessages(emu).filter((m) => !isWorkingNotice(m));
    const bound = answers.find((m) => m.parentId === bind.messageId) as EmuMessage;
    expect(cardTitle(bound)).toBe('已绑定：机关第二党支部');
    // The secretary's questions were answered after the binding they were asked behind.
    const position = (m: EmuMessage) => answers.findIndex((a) => a.parentId === m.messageId);
    for (const m of behind) expect(position(m)).toBeGreaterThan(position(bind));
    // Feishu never had to send anything again: the restart found it all in the inbox.
    expect(deliveriesOf(deliveries, [bind, ...behind]).map((d) => d.attempts)).toEqual([bind, ...behind].map(() => 1));
    expect(await inboxStatus(db, [bind, ...behind])).toEqual([bind, ...behind].map(() => 'done'));
    expect(bot.records().some((l) => l.msg === 'resuming an inbound event')).toBe(true);
    const members = await db.handle.db.selectFrom('members').select('open_id').where('org_id', '!=', w.orgId).execute();
    expect(members).toHaveLength(1000);
  }, 120_000);

  it(`killed after the work, before the answers went out: each answer goes out once after the restart (${testDialect})`, async () => {
    const { emu, db, bot, w } = await started();
    // Feishu refuses every send for now: the work is done and committed, its answers wait in the outbox.
    emu.failNext({ method: 'POST', path: '/im/v1/messages', times: Number.POSITIVE_INFINITY, status: 503, code: 503 });
    const deliveries = new Map<EmuMessage, DeliveryRecord>();
    const sent: EmuMessage[] = [];
    for (const p of w.people) {
      sent.push(await send(emu, deliveries, { chatId: p.p2p.chatId, from: p.user, text: '/我的' }));
      sent.push(await send(emu, deliveries, { chatId: w.group.chatId, from: p.user, text: '/帮助', mentionBot: true }));
    }
    await emu.waitFor(async () => (await inboxStatus(db, sent)).every((s) => s === 'done'), {
      what: 'every event worked on',
      timeoutMs: 20_000,
    });
    const waiting = await db.handle.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute();
    expect(waiting.length).toBeGreaterThanOrEqual(sent.length);
    expect([
      ...replyCounts(
        emu,
        sent.map((m) => m.messageId),
      ).values(),
    ]).toEqual(sent.map(() => 0));

    await bot.kill();
    emu.clearFaults();
    await bot.start();

    // Not worked on twice: one dedup record each, and the answers are the real ones.
    await answeredOnceAfterRestart(emu, db, sent, 'every answer sent after the restart');
    expect(deliveriesOf(deliveries, sent).every((d) => d.acked && d.attempts === 1)).toBe(true);
  }, 120_000);

  it.runIf(testDialect === 'postgres')(
    'killed during a batch: the work done inside the open transaction is not kept, and is done again once (postgres)',
    async () => {
      const { emu, db, bot, w } = await started();
      // At the storage edge: a transaction that marks a second event as processed stops there (a batch
      // of two or more, its first event's work done, the second's under way), waiting for a lock the test
      // holds, and shows the first's key to other sessions as its application_name. A transaction of one
      // event passes.
      const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await holder.connect();
      onTestFinished(() => holder.end());
      await holder.query('select pg_advisory_lock(4217)');
      await sql`
        create function qf_hold_batch() returns trigger language plpgsql as $$
        begin
          if current_setting('qf.marked', true) = '1' then
            perform pg_advisory_xact_lock(4217);
          end if;
          perform set_config('qf.marked', '1', true);
          perform set_config('application_name', new.key, true);
          return new;
        end $$`.execute(db.handle.db);
      await sql`create trigger qf_hold_batch before insert on processed_events for each row execute function qf_hold_batch()`.execute(
        db.handle.db,
      );
      const held = async () =>
        (
          await sql<{ pid: number; held: string }>`
            select pid, application_name as held from pg_stat_activity
            where wait_event = 'advisory' and application_name like 'msg:%'`.execute(db.handle.db)
        ).rows;
      const deliveries = new Map<EmuMessage, DeliveryRecord>();
      const sent: EmuMessage[] = [];
      // Bursts from everyone at once until the events' transactions are committed together.
      await until(
        async () => {
          if ((await held()).length > 0) return true;
          for (const p of w.people) {
            sent.push(await send(emu, deliveries, { chatId: p.p2p.chatId, from: p.user, text: '/我的' }));
            sent.push(
              await send(emu, deliveries, { chatId: w.group.chatId, from: p.user, text: '/帮助', mentionBot: true }),
            );
          }
          return false;
        },
        { what: 'a batch of two or more events', timeoutMs: 60_000 },
      );
      const [stopped] = await held();
      const inside = sent.find((m) => `msg:${m.messageId}` === stopped?.held) as EmuMessage;
      expect(inside).toBeDefined();
      // Its work is done inside the open batch: nothing of it is visible, no answer went out.
      expect(await inboxStatus(db, [inside])).toEqual(['pending']);
      expect(replyCounts(emu, [inside.messageId]).get(inside.messageId)).toBe(0);

      await bot.kill();
      // The server ends the dead client's session (here at once; by itself once it notices).
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where wait_event = 'advisory' and application_name like 'msg:%'`.execute(
        db.handle.db,
      );
      await sql`drop trigger qf_hold_batch on processed_events`.execute(db.handle.db);
      expect(await inboxStatus(db, [inside])).toEqual(['pending']);
      await bot.start();

      await answeredOnceAfterRestart(emu, db, sent, 'every command answered after the restart');
      expect(await inboxStatus(db, sent)).toEqual(sent.map(() => 'done'));
    },
    120_000,
  );
});
