/**
 * The fault suite's in-process harness: the same wiring as test/helpers/bot.ts (the real createApp
 * against the emulator on loopback, over the long connection), plus the dispatcher tuning the
 * fault tests need (a fixed jitter, so backoff bounds are exact) and small shared helpers: a seeded
 * random source, card buttons, replies by parent message, outbox and audit counts.
 */

import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { commands as allCommands } from '../../commands/index.ts';
import { jobs as allJobs } from '../../jobs/index.ts';
import { type App, type AppOptions, createApp } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Database } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { Emulator, type EmulatorOptions } from '../../src/sandbox/emulator.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import {
  assertServedOnly,
  type BotHarness,
  isWorkingNotice,
  TEST_APP_ID,
  TEST_APP_SECRET,
  TEST_VERIFICATION_TOKEN,
} from './bot.ts';
import { button } from './cards.ts';
import { createTestDb, type TestDb } from './db.ts';
import type { CapturedLogs } from './logs.ts';

export interface FaultBotOptions {
  db?: TestDb;
  emulator?: Partial<EmulatorOptions>;
  dispatcher?: AppOptions['dispatcher'];
  botAdmins?: string[];
  /** The bot's and the emulator's clock, business and wall (default: the system clock). */
  clock?: Clock;
  /** Sees every log record as it is written, synchronously (to act at an exact point of the bot's work). */
  onLog?: (record: Record<string, unknown>) => void;
}

/** Like test/helpers/logs.ts, with a synchronous hook on each record. */
function captureLogsWithHook(onLog?: (record: Record<string, unknown>) => void): CapturedLogs {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) {
        if (!l.trim()) continue;
        lines.push(l);
        onLog?.(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return {
    logger: createLogger('info', stream),
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Starts the bot in this process; `stop()` also drops the database unless it was given. */
export async function startFaultBot(o: FaultBotOptions = {}): Promise<BotHarness> {
  const clock = o.clock ?? systemClock;
  const logs = captureLogsWithHook(o.onLog);
  const db = o.db ?? (await createTestDb());
  const emu = await new Emulator({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    clock,
    wallClock: clock,
    delivery: 'websocket',
    verificationToken: TEST_VERIFICATION_TOKEN,
    redeliverAfterMs: 3000,
    ...o.emulator,
  }).start();
  const config = {
    feishu: { appId: TEST_APP_ID, appSecret: TEST_APP_SECRET },
    domain: emu.url,
    transport: 'websocket' as const,
    encryptKey: undefined,
    verificationToken: TEST_VERIFICATION_TOKEN,
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
      wallClock: clock,
      commands: allCommands,
      jobs: allJobs,
      schedule: false,
      host: '127.0.0.1',
      dispatcher: { pollMs: 50, ...o.dispatcher },
      pingTimeoutSec: 3,
    });
    await a.ready;
    return a;
  };
  let app: App = await boot();
  const harness: BotHarness = {
    emu,
    app,
    db,
    clock,
    logs,
    config,
    get url() {
      return `http://127.0.0.1:${app.port}`;
    },
    async stop() {
      await app.stop();
      await emu.close();
      if (!o.db) await db.drop();
      assertServedOnly(emu);
    },
    async restart() {
      await app.stop();
      app = await boot();
      harness.app = app;
      return app;
    },
  };
  return harness;
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with the seed it printed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The callback value of the button labelled `text` on a card message (throws when there is none). */
export function buttonValue(m: EmuMessage, text: string): Record<string, unknown> {
  return button(m, text).value;
}

/** Every message the bot posted (any chat), recalled ones included. */
export function allBotMessages(emu: Emulator): EmuMessage[] {
  return [...emu.store.messages.values()].filter((m) => m.senderType === 'app');
}

/** How many bot messages answer each of the given user messages (by parentId). */
export function replyCounts(emu: Emulator, parentIds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(parentIds.map((id) => [id, 0]));
  for (const m of allBotMessages(emu)) {
    if (isWorkingNotice(m)) continue;
    if (m.parentId && counts.has(m.parentId)) counts.set(m.parentId, (counts.get(m.parentId) ?? 0) + 1);
  }
  return counts;
}

/** Bot messages that share a Feishu uuid with another one (must be none: the uuid makes sends idempotent). */
export function duplicateUuids(emu: Emulator): string[] {
  const seen = new Map<string, number>();
  for (const m of allBotMessages(emu)) if (m.uuid) seen.set(m.uuid, (seen.get(m.uuid) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([u]) => u);
}

/** Audit rows with this action. */
export async function auditCount(db: Kysely<Database>, action: string): Promise<number> {
  const r = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
