/**
 * Starts the real bot (createApp) against the emulator on loopback, over the long connection by
 * default or over signed and encrypted webhooks, on a fresh test database.
 */

import { expect } from 'vitest';
import { commands as allCommands } from '../../commands/index.ts';
import { jobs as allJobs } from '../../jobs/index.ts';
import { type App, createApp } from '../../src/app.ts';
import { fixedClock, OffsetClock, systemClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { CommandModule, JobModule } from '../../src/core/contracts.ts';
import { WORKING_TEXT } from '../../src/feishu/inbox.ts';
import { Emulator, type EmulatorOptions } from '../../src/sandbox/emulator.ts';
import type { EmuChat, EmuUser } from '../../src/sandbox/store.ts';
import { createTestDb, type TestDb } from './db.ts';
import { type CapturedLogs, captureLogs } from './logs.ts';
import { assertPlainChinese, type PlainChineseOptions, SaidLog } from './plain-chinese.ts';

export const TEST_APP_ID = 'cli_a1b2c3d4e5f60718';
export const TEST_APP_SECRET = 'sandbox-secret-for-tests-only';
export const TEST_ENCRYPT_KEY = 'test-encrypt-key-9f8e7d';
export const TEST_VERIFICATION_TOKEN = 'test-verification-token-1a2b';

export interface BotHarness {
  emu: Emulator;
  app: App;
  db: TestDb;
  clock: Clock;
  logs: CapturedLogs;
  config: Config & { feishu: NonNullable<Config['feishu']> };
  /** The bot's base URL (webhooks, /healthz). */
  url: string;
  stop(): Promise<void>;
  /** Restarts the bot process part (same database and emulator). */
  restart(): Promise<App>;
}

export interface HarnessOptions {
  transport?: 'websocket' | 'webhook';
  encryptKey?: string | null;
  verificationToken?: string | null;
  clock?: Clock;
  /**
   * Wall-clock time for the bot and the emulator (outbox backoff, webhook timestamps, tokens): a test
   * that needs minutes to pass moves an OffsetClock instead of waiting. Default: the system clock.
   */
  wallClock?: Clock;
  botAdmins?: string[];
  commands?: readonly CommandModule[];
  jobs?: readonly JobModule[];
  emulator?: Partial<EmulatorOptions>;
  db?: TestDb;
  maxAttempts?: number;
  /** Runs on the emulator before the bot starts (faults the start-up meets, say). */
  beforeBoot?: (emu: Emulator) => void;
  /** The first wait before the bot reads its identity again after a failure. */
  identityRetryMs?: number;
  /** How long an event may be worked on before it is acknowledged anyway (the inbox's budget). */
  ackBudgetMs?: number;
  /** Acknowledged messages worked on at once before the rest wait in the inbox for its worker. */
  inboxMaxInFlight?: number;
  /**
   * Plain Chinese, always (test/helpers/plain-chinese.ts): when the harness stops, everything the bot
   * showed people is scanned for English words, field ids and platform keys. On for the files in
   * test/e2e (off elsewhere; QF_PLAIN_CHINESE=1 turns it on everywhere, =0 off); `false` here turns
   * it off for one harness, `{ allow }` names words the test itself put in the data.
   */
  plainChinese?: boolean | PlainChineseOptions;
}

/** Whether the plain-Chinese scan runs for this harness (see `HarnessOptions.plainChinese`). */
function plainChineseOn(o: HarnessOptions): boolean {
  if (o.plainChinese === false) return false;
  const env = process.env.QF_PLAIN_CHINESE;
  if (env === '0') return false;
  if (env === '1' || o.plainChinese !== undefined) return true;
  return /[\\/]test[\\/]e2e[\\/]/.test(expect.getState().testPath ?? '');
}

export { fixedClock, OffsetClock, systemClock };

export async function startBot(o: HarnessOptions = {}): Promise<BotHarness> {
  const transport = o.transport ?? 'websocket';
  const clock = o.clock ?? systemClock;
  const wallClock = o.wallClock ?? systemClock;
  const encryptKey =
    o.encryptKey === null ? undefined : (o.encryptKey ?? (transport === 'webhook' ? TEST_ENCRYPT_KEY : undefined));
  const verificationToken = o.verificationToken === null ? undefined : (o.verificationToken ?? TEST_VERIFICATION_TOKEN);
  const logs = captureLogs();
  const db = o.db ?? (await createTestDb());
  let app: App | undefined;
  const emu = await new Emulator({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    clock,
    wallClock,
    delivery: transport,
    encryptKey,
    verificationToken,
    redeliverAfterMs: 3000,
    ...o.emulator,
  }).start();
  const config = {
    feishu: { appId: TEST_APP_ID, appSecret: TEST_APP_SECRET },
    domain: emu.url,
    transport,
    encryptKey,
    verificationToken,
    databaseUrl: db.url,
    port: 0,
    timezone: 'Asia/Shanghai',
    logLevel: 'info' as const,
    botAdmins: o.botAdmins ?? [],
  };
  const boot = async () => {
    const a = await createApp({
      config,
      db,
      logger: logs.logger,
      clock,
      wallClock,
      commands: o.commands ?? allCommands,
      jobs: o.jobs ?? allJobs,
      schedule: false,
      host: '127.0.0.1',
      dispatcher: { pollMs: 50, maxAttempts: o.maxAttempts },
      pingTimeoutSec: 3,
      identityRetryMs: o.identityRetryMs,
      inbox: {
        ...(o.ackBudgetMs === undefined ? {} : { budgetMs: o.ackBudgetMs }),
        ...(o.inboxMaxInFlight === undefined ? {} : { maxInFlight: o.inboxMaxInFlight }),
      },
    });
    if (transport === 'webhook') emu.o.webhookUrl = `http://127.0.0.1:${a.port}`;
    await a.ready;
    return a;
  };
  const said = new SaidLog(emu);
  o.beforeBoot?.(emu);
  app = await boot();
  const harness: BotHarness = {
    emu,
    app,
    db,
    clock,
    logs,
    config,
    get url() {
      return `http://127.0.0.1:${(app as App).port}`;
    },
    async stop() {
      await app?.stop();
      await emu.close();
      if (!o.db) await db.drop();
      assertServedOnly(emu);
      if (plainChineseOn(o)) assertPlainChinese(said, typeof o.plainChinese === 'object' ? o.plainChinese : {});
    },
    async restart() {
      await app?.stop();
      app = await boot();
      harness.app = app;
      return app;
    },
  };
  return harness;
}

/**
 * Fails the test (from its afterEach / afterAll `stop()`) when the bot called an Open API route the
 * emulator does not serve: on the real Feishu that call would do something nobody tested.
 */
export function assertServedOnly(emu: Emulator): void {
  const unserved = [...new Set(emu.store.unexpected)];
  if (unserved.length > 0) {
    throw new Error(`the bot called Open API routes the emulator does not serve: ${unserved.join(', ')}`);
  }
}

/** A branch group with a secretary and members, bound to an org through the real /bind command. */
export async function seedBranch(
  h: BotHarness,
  o: { orgName?: string; members?: string[] } = {},
): Promise<{ chat: EmuChat; secretary: EmuUser; members: EmuUser[] }> {
  const secretary = h.emu.addUser('李书记');
  const members = (o.members ?? ['王纪检', '张组织', '赵党员']).map((n) => h.emu.addUser(n));
  const chat = h.emu.createGroup({
    name: o.orgName ?? '第一党支部',
    owner: secretary.openId,
    members: members.map((m) => m.openId),
  });
  await h.emu.sendText({
    chatId: chat.chatId,
    from: secretary.openId,
    text: `/绑定 ${o.orgName ?? '第一党支部'}`,
    mentionBot: true,
  });
  await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).filter((m) => !isWorkingNotice(m)).length >= 1, {
    what: 'bind reply',
  });
  return { chat, secretary, members };
}

/**
 * The "正在处理…" note the bot replies when an event's work outlasts Feishu's 3 s ack window (on a
 * busy machine any command may): not the answer, which follows it.
 */
export function isWorkingNotice(m: { msgType: string; content: string }): boolean {
  return m.msgType === 'text' && messageText(m) === WORKING_TEXT;
}

/** The text of a bot message (text messages), or the card JSON as text (cards). */
export function messageText(m: { msgType: string; content: string }): string {
  if (m.msgType === 'text') return (JSON.parse(m.content) as { text: string }).text;
  return m.content;
}
