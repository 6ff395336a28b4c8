/**
 * Storage faults under a running bot — the database busy (SQLite write lock held by another process past the
 * busy timeout; PostgreSQL row lock), a full disk (SQLite on a filled tmpfs; PostgreSQL disk_full) and a transient
 * failure at the worst moment: a clear cause in the log, the event not acknowledged (Feishu redelivers it),
 * nothing half-written (integrity_check ok, each change once), every command answered once with its real answer.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, type ExpectStatic, it, type TestContext } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { countOutbox } from '../../src/db/repositories/outbox.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, isWorkingNotice, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { drained, settled } from '../helpers/converse.ts';
import { createTestDb, createTestDbLocation, type TestDb, testDialect } from '../helpers/db.ts';
import { allBotMessages, auditCount, replyCounts, startFaultBot } from '../helpers/fault-bot.ts';
import { holdPostgresRowLock, holdSqliteWriteLock, mountSmallDisk, sqliteIntegrity } from '../helpers/fault-storage.ts';

const awayDate = () => new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);

/** A SQLite file database with a chosen busy timeout, shaped like the harness's TestDb. */
async function sqliteFileDb(path: string, busyTimeoutMs: number): Promise<TestDb> {
  const handle = openDatabase(path, { busyTimeoutMs });
  await migrateToLatest(handle.db, handle.dialect);
  return { ...handle, url: path, schema: undefined, drop: () => handle.close() };
}

interface Sent {
  /** Resolves when Feishu got an ack for every event (or gave up). */
  acked: Promise<unknown>;
  messages: EmuMessage[];
  leave?: EmuMessage;
}

/** Sends commands without waiting for Feishu's ack (which does not come while storage fails). */
function sendAll(h: BotHarness, chat: EmuChat, cmds: { from: EmuUser; text: string }[]): Sent {
  const before = new Set(h.emu.store.messages.keys());
  const acked = Promise.all(
    cmds.map((c) => h.emu.sendText({ chatId: chat.chatId, from: c.from.openId, text: c.text, mentionBot: true })),
  );
  const messages = [...h.emu.store.messages.values()].filter((m) => !before.has(m.messageId));
  return { acked, messages, leave: messages.find((m) => m.content.includes('/请假')) };
}

const replyTo = (h: BotHarness, m: EmuMessage) => {
  const r = allBotMessages(h.emu).find((x) => x.parentId === m.messageId && !isWorkingNotice(x));
  return r ? messageText(r) : undefined;
};

/**
 * After the fault: every command answered exactly once with its real answer (a 请假 recorded, not a
 * "出错了" for a command that never ran), each event acknowledged after a redelivery, nothing left over.
 */
async function expectRecovered(
  expect: ExpectStatic,
  h: BotHarness,
  sent: Sent,
  o: { leaveUntil: string; by: EmuUser },
) {
  await sent.acked;
  const ids = sent.messages.map((m) => m.messageId);
  await h.emu.waitFor(() => [...replyCounts(h.emu, ids).values()].every((n) => n >= 1), {
    timeoutMs: 15_000,
    what: 'every command answered after the fault',
  });
  // Every redelivery handled and every send made: a duplicate would be there now.
  await settled(h, 30_000);
  expect([...replyCounts(h.emu, ids).values()]).toEqual(ids.map(() => 1));
  for (const m of sent.messages) expect.soft(replyTo(h, m)).not.toMatch(/出错了/);
  if (sent.leave) expect.soft(replyTo(h, sent.leave)).toContain('已登记请假至');
  expect.soft(await auditCount(h.db.db, 'member:away')).toBe(1);
  const member = await h.db.db
    .selectFrom('members')
    .select('away_until')
    .where('open_id', '=', o.by.openId)
    .executeTakeFirstOrThrow();
  expect.soft(member.away_until).toBe(o.leaveUntil);
  const processed = await h.db.db
    .selectFrom('processed_events')
    .select('key')
    .where(
      'key',
      'in',
      ids.map((id) => `msg:${id}`),
    )
    .execute();
  expect(processed).toHaveLength(ids.length);
  const status = await countOutbox(h.db.db);
  expect(status.dead ?? 0).toBe(0);
  expect(status.pending ?? 0).toBe(0);
  if (testDialect === 'sqlite') expect(sqliteIntegrity(h.db.url)).toBe('ok');
}

const errorLogs = (h: BotHarness) => h.logs.records().filter((r) => (r.level as number) >= 50);

/**
 * A database on a disk that can be filled: SQLite in a 16 MB tmpfs; PostgreSQL keeps no data in the bot's
 * folder, so its disk is "full" when every write there fails with SQLSTATE 53100 (raised by triggers in the
 * test schema, so the bot and its driver see exactly what a full server disk gives them).
 */
async function fullDisk(onTestFinished: TestContext['onTestFinished']): Promise<{
  db: TestDb;
  fill: (h: BotHarness, expect: ExpectStatic) => Promise<() => Promise<void>>;
}> {
  const disk = testDialect === 'sqlite' ? mountSmallDisk(16) : undefined;
  if (disk) onTestFinished(() => disk.unmount());
  const db = disk ? await sqliteFileDb(join(disk.dir, 'qingfeng.db'), 5000) : await createTestDb();
  onTestFinished(() => db.drop());
  // Every table the bot writes on the way in and after: a full disk refuses the inbox's insert too.
  const tables = ['inbox', 'processed_events', 'outbox', 'audit_log', 'members'];
  const fill = async (h: BotHarness, expect: ExpectStatic) => {
    if (disk) {
      // An empty WAL, so the next write needs new space; then a filler takes every free byte.
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(h.db.db);
      expect(disk.fill()).toBeGreaterThan(1024 * 1024);
      return async () => disk.free();
    }
    await sql`CREATE FUNCTION qf_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device'
          USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
      END $$`.execute(h.db.db);
    for (const table of tables)
      await sql`CREATE TRIGGER qf_disk_full BEFORE INSERT OR UPDATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION qf_disk_full()`.execute(h.db.db);
    return async () => {
      for (const table of tables) await sql`DROP TRIGGER qf_disk_full ON ${sql.table(table)}`.execute(h.db.db);
      await sql`DROP FUNCTION qf_disk_full()`.execute(h.db.db);
    };
  };
  return { db, fill };
}

/** The bot's log line when a storage fault postpones a command until Feishu delivers it again. */
const isPostponed = (msg: unknown) => typeof msg === 'string' && msg.startsWith('command postponed');

describe('storage faults', () => {
  it(`database busy past the timeout: a clear error, the event redelivered, answered once after (${testDialect})`, async ({
    expect,
    onTestFinished,
  }) => {
    const loc = testDialect === 'sqlite' ? await createTestDbLocation() : undefined;
    // SQLite: a 500 ms busy timeout (the bot's default is 5 s), so the lock outlasts it many times over.
    const db = loc ? await sqliteFileDb(loc.url, 500) : await createTestDb();
    onTestFinished(() => db.drop());
    const h = await startFaultBot({ db, emulator: { maxRedeliveries: 20 } });
    onTestFinished(() => h.stop());
    const { chat, secretary, members } = await seedBranch(h);
    const [a, b] = members as [EmuUser, EmuUser];
    await drained(h);

    const lock =
      testDialect === 'sqlite'
        ? await holdSqliteWriteLock(db.url)
        : await holdPostgresRowLock(db.url, db.schema as string, 'members', `open_id = '${a.openId}'`);
    onTestFinished(() => lock.release());
    const until = awayDate();
    const sent = sendAll(h, chat, [
      { from: a, text: `/请假 ${until} 外出培训` },
      { from: b, text: '/我的' },
      { from: secretary, text: '/帮助' },
    ]);
    const [leave, me, help] = sent.messages as [EmuMessage, EmuMessage, EmuMessage];
    const answered = () => replyCounts(h.emu, [leave.messageId, me.messageId, help.messageId]);
    // While the lock is held: on SQLite, Feishu has sent each event again (no first delivery was
    // acknowledged); on PostgreSQL the two commands that do not need the row are answered, and the one
    // waiting on it is past its first delivery.
    await h.emu.waitFor(
      () => {
        const tries = h.emu.deliveries.slice(-3);
        if (testDialect === 'sqlite') {
          return (
            tries.length === 3 &&
            tries.every((d) => d.attempts >= 2) &&
            errorLogs(h).some((r) => /database is locked|SQLITE_BUSY/.test(JSON.stringify(r)))
          );
        }
        return (
          answered().get(me.messageId) === 1 &&
          answered().get(help.messageId) === 1 &&
          tries.every((d) => d.acked || d.attempts >= 2)
        );
      },
      { what: 'the events sent again while the lock is held', timeoutMs: 20_000 },
    );
    if (testDialect === 'sqlite') {
      // Nothing answered and nothing acknowledged while the lock is held; the cause is in the log.
      expect([...answered().values()]).toEqual([0, 0, 0]);
      expect(h.emu.deliveries.slice(-3).map((d) => d.acked)).toEqual([false, false, false]);
      expect(errorLogs(h).some((r) => /database is locked|SQLITE_BUSY/.test(JSON.stringify(r)))).toBe(true);
    } else {
      // PostgreSQL waits on the row lock instead of failing: only the command that needs the row waits,
      // and its redeliveries (the ack is late) are recognised as the same message.
      expect(answered().get(leave.messageId)).toBe(0);
      expect(answered().get(me.messageId)).toBe(1);
      expect(answered().get(help.messageId)).toBe(1);
    }
    await lock.release();
    await expectRecovered(expect, h, sent, { leaveUntil: until, by: a });
    if (testDialect === 'sqlite') {
      // Each event was redelivered at least once before it was acknowledged.
      const tries = h.emu.deliveries.filter((d) => d.type === 'im.message.receive_v1').slice(-3);
      expect(tries.every((d) => d.acked && d.attempts >= 2)).toBe(true);
    }
  }, 50_000);

  it(`a full disk: clear errors, nothing half-written, everything answered once space returns (${testDialect})`, async ({
    expect,
    onTestFinished,
  }) => {
    // SQLite: the data folder is a 16 MB tmpfs. PostgreSQL keeps no data in the bot's folder; its disk is
    // the server's, full when every write there fails with SQLSTATE 53100 (raised by triggers in the test
    // schema, so the bot and its driver see exactly what a full server disk gives them).
    const { db, fill } = await fullDisk(onTestFinished);
    const h = await startFaultBot({ db, emulator: { maxRedeliveries: 20 } });
    onTestFinished(() => h.stop());
    const { chat, secretary, members } = await seedBranch(h);
    const [a, b] = members as [EmuUser, EmuUser];
    await drained(h);
    const free = await fill(h, expect);
    const until = awayDate();
    const sent = sendAll(h, chat, [
      { from: a, text: `/请假 ${until} 外出培训` },
      { from: b, text: '/我的' },
      { from: secretary, text: '/帮助' },
    ]);
    // Feishu has sent each event again (the first delivery was not acknowledged) while the disk is full.
    await h.emu.waitFor(
      () => {
        const tries = h.emu.deliveries.slice(-3);
        return tries.length === 3 && tries.every((d) => d.attempts >= 2);
      },
      { what: 'the events sent again while the disk is full', timeoutMs: 20_000 },
    );
    expect([
      ...replyCounts(
        h.emu,
        sent.messages.map((m) => m.messageId),
      ).values(),
    ]).toEqual([0, 0, 0]);
    expect(h.emu.deliveries.slice(-3).map((d) => d.acked)).toEqual([false, false, false]);
    // The log names the cause, not a follow-on error.
    const cause = testDialect === 'sqlite' ? /database or disk is full|SQLITE_FULL/ : /No space left on device/;
    const errors = errorLogs(h).map((r) => JSON.stringify(r));
    expect(errors.length).toBeGreaterThan(0);
    const failures = errors.filter((e) =>
      /command failed|message handling failed|postponed: storage unavailable/.test(e),
    );
    expect(failures.length).toBeGreaterThan(0);
    expect.soft(failures.filter((e) => !cause.test(e)).map((e) => e.slice(0, 200))).toEqual([]);
    // /healthz answers, and says the storage does not take writes.
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', db: { ok: false, writable: false } });

    await free();
    await expectRecovered(expect, h, sent, { leaveUntil: until, by: a });
    expect(await (await fetch(`${h.url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      db: { ok: true, writable: true },
    });
  }, 50_000);

  it(`a full disk under webhooks: 503 (not 500) until space returns, /healthz degraded meanwhile (${testDialect})`, async ({
    expect,
    onTestFinished,
  }) => {
    const { db, fill } = await fullDisk(onTestFinished);
    const h = await startBot({ transport: 'webhook', db, emulator: { maxRedeliveries: 20, redeliverAfterMs: 1000 } });
    onTestFinished(() => h.stop());
    const { chat, members } = await seedBranch(h);
    const [a, b] = members as [EmuUser, EmuUser];
    await drained(h);
    const free = await fill(h, expect);
    const until = awayDate();
    const sent = sendAll(h, chat, [
      { from: a, text: `/请假 ${until} 外出培训` },
      { from: b, text: '/我的' },
    ]);
    await h.emu.waitFor(
      () => h.logs.records().filter((r) => r.msg?.toString().startsWith('webhook request postponed')).length >= 2,
      { what: 'two webhook requests answered 503', timeoutMs: 10_000 },
    );
    const answered = h.logs.records().filter((r) => typeof r.http === 'string' && typeof r.status === 'number');
    expect(answered.some((r) => r.status === 503)).toBe(true);
    expect(answered.filter((r) => r.status === 500)).toEqual([]);
    expect(h.logs.records().filter((r) => r.msg === 'http handler failed')).toEqual([]);
    expect(h.emu.deliveries.slice(-2).map((d) => d.acked)).toEqual([false, false]);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', db: { ok: false, writable: false } });

    await free();
    await expectRecovered(expect, h, sent, { leaveUntil: until, by: a });
    expect(await (await fetch(`${h.url}/healthz`)).json()).toMatchObject({ status: 'ok', db: { writable: true } });
  }, 50_000);

  it(`a transient failure while the bot records it: the command still runs once, not "出错了" (${testDialect})`, async ({
    expect,
    onTestFinished,
  }) => {
    // The worst moment for a lock to be let go (SQLite) or a connection to drop (PostgreSQL, the server
    // ending the bot's session as a failover or restart does): right after the command's transaction
    // failed, while the bot writes its answer to the failure.
    const loc = testDialect === 'sqlite' ? await createTestDbLocation() : undefined;
    const db = loc ? await sqliteFileDb(loc.url, 2000) : await createTestDb();
    onTestFinished(() => db.drop());
    let onFailure = () => {};
    const h = await startFaultBot({
      db,
      emulator: { maxRedeliveries: 20 },
      onLog: (r) => {
        if (isPostponed(r.msg)) onFailure();
      },
    });
    onTestFinished(() => h.stop());
    const { chat, members } = await seedBranch(h);
    const a = members[0] as EmuUser;
    await drained(h);

    const until = awayDate();
    let sent: Sent;
    if (testDialect === 'sqlite') {
      const lock = await holdSqliteWriteLock(db.url);
      onTestFinished(() => lock.release());
      onFailure = () => {
        onFailure = () => {};
        lock.releaseNow();
      };
      sent = sendAll(h, chat, [{ from: a, text: `/请假 ${until} 外出培训` }]);
    } else {
      const lock = await holdPostgresRowLock(db.url, db.schema as string, 'members', `open_id = '${a.openId}'`);
      onTestFinished(() => lock.release());
      sent = sendAll(h, chat, [{ from: a, text: `/请假 ${until} 外出培训` }]);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      onTestFinished(() => admin.end());
      const waiting = await h.emu.waitFor(
        async () => {
          const r = await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update "members"%'`,
          );
          return r.rows[0]?.pid;
        },
        { what: 'the bot waiting on the row lock' },
      );
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
      await h.emu.waitFor(() => h.logs.records().some((r) => isPostponed(r.msg)), { what: 'the failure' });
      await lock.release();
    }
    await h.emu.waitFor(() => h.logs.records().some((r) => isPostponed(r.msg)), { what: 'the failure' });
    await expectRecovered(expect, h, sent, { leaveUntil: until, by: a });
  }, 50_000);

  it.runIf(testDialect === 'postgres')(
    "an event's work and its inbox row's done mark are one commit: when the mark fails, none of the work is kept (postgres)",
    async ({ expect, onTestFinished }) => {
      const db = await createTestDb();
      onTestFinished(() => db.drop());
      const h = await startFaultBot({ db, emulator: { maxRedeliveries: 20 } });
      onTestFinished(() => h.stop());
      const { chat, members } = await seedBranch(h);
      const a = members[0] as EmuUser;
      await drained(h);
      // Marking an inbox row done fails as on a full disk; its insert and every other write pass.
      await sql`CREATE FUNCTION qf_no_done() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.status = 'done' THEN
            RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
          END IF;
          RETURN NEW;
        END $$`.execute(h.db.db);
      await sql`CREATE TRIGGER qf_no_done BEFORE UPDATE ON inbox FOR EACH ROW EXECUTE FUNCTION qf_no_done()`.execute(
        h.db.db,
      );
      const until = awayDate();
      const sent = sendAll(h, chat, [{ from: a, text: `/请假 ${until} 外出培训` }]);
      await h.emu.waitFor(() => h.logs.records().some((r) => r.msg === 'inbound event will be retried'), {
        what: 'the work put back for a retry',
      });
      // Nothing of the work was kept: no dedup record, no 请假, no answer.
      const key = `msg:${(sent.messages[0] as EmuMessage).messageId}`;
      expect(await h.db.db.selectFrom('processed_events').select('key').where('key', '=', key).execute()).toEqual([]);
      const member = await h.db.db
        .selectFrom('members')
        .select('away_until')
        .where('open_id', '=', a.openId)
        .executeTakeFirstOrThrow();
      expect(member.away_until).toBeNull();
      expect(replyTo(h, sent.messages[0] as EmuMessage)).toBeUndefined();
      await sql`DROP TRIGGER qf_no_done ON inbox`.execute(h.db.db);
      await expectRecovered(expect, h, sent, { leaveUntil: until, by: a });
    },
    50_000,
  );
});
