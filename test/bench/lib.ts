/**
 * Shared pieces of the benchmarks: the bot against the emulator on a SQLite file in a temp dir (like
 * test/helpers/bot.ts, but with production dispatcher settings and logs written to a file), latency
 * statistics, an RSS sampler, and the result shape every benchmark returns to run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { commands as allCommands } from '../../commands/index.ts';
import { jobs as allJobs } from '../../jobs/index.ts';
import { type App, createApp } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import type { Clock } from '../../src/core/clock.ts';
import { type DbHandle, openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { countOutbox } from '../../src/db/repositories/outbox.ts';
import { createLogger } from '../../src/logger.ts';
import { Emulator, type EmulatorOptions } from '../../src/sandbox/emulator.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { button } from '../helpers/cards.ts';

export const APP_ID = 'cli_a1b2c3d4e5f60718';
export const APP_SECRET = 'bench-secret-not-real';
export const ENCRYPT_KEY = 'bench-encrypt-key-3c4d5e';
export const VERIFICATION_TOKEN = 'bench-verification-token-6f7a';

// ------------------------------------------------------------------ results

export interface Row {
  figure: string;
  value: string;
  target?: string;
  /** undefined: no target for this figure. */
  met?: boolean;
}

export interface Section {
  heading: string;
  rows: Row[];
  notes?: string[];
}

export interface BenchResult {
  name: string;
  title: string;
  seconds: number;
  sections: Section[];
  notes: string[];
  /** Set by run.ts: when it ran, and whether with --quick. */
  at?: string;
  quick?: boolean;
  /** 1-minute load average when it started and ended (other work on the machine skews the figures). */
  load?: { before: number; after: number };
}

export function row(figure: string, value: string, target?: string, met?: boolean): Row {
  return { figure, value, target, met };
}

// ------------------------------------------------------------------ statistics

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { n: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    mean: sum / s.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: s[s.length - 1] as number,
  };
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : '—');
export const num = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
export const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export const sleep = (msec: number) => new Promise<void>((r) => setTimeout(r, msec));

/** Samples this process's RSS every `everyMs` (5 ms) until stopped; reports the peak. */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  start(everyMs = 5): this {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      const r = process.memoryUsage.rss();
      if (r > this.peak) this.peak = r;
    }, everyMs);
    return this;
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
    return this.peak;
  }
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ------------------------------------------------------------------ the bot against the emulator

export interface BenchBot {
  emu: Emulator;
  app: App;
  db: DbHandle;
  dir: string;
  url: string;
  stop(): Promise<void>;
}

export interface PgLocation {
  url: string;
  schema: string;
}

export interface BenchBotOptions {
  transport: 'websocket' | 'webhook';
  clock?: Clock;
  /** An existing database file (the scan benchmark builds its own). */
  databaseFile?: string;
  /** PostgreSQL instead of SQLite: the server's URL and the schema to use (created by the caller). */
  postgres?: PgLocation;
  emulator?: Partial<EmulatorOptions>;
  /** Start the outbox dispatcher (on by default, as in production). */
  dispatcher?: boolean;
  logLevel?: 'info' | 'warn';
}

/**
 * The real bot (createApp with every command and job) connected to the emulator on loopback, on a
 * SQLite file in a temp dir (or the PostgreSQL schema in `postgres`), logging JSON to a file there
 * (as `npm start` logs to stdout).
 */
export async function startBenchBot(o: BenchBotOptions): Promise<BenchBot> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-'));
  const url = o.postgres?.url ?? o.databaseFile ?? join(dir, 'bench.db');
  const db = openDatabase(url, o.postgres ? { schema: o.postgres.schema } : {});
  await migrateToLatest(db.db, db.dialect);
  const logger = createLogger(o.logLevel ?? 'info', pino.destination({ dest: join(dir, 'bot.log'), sync: true }));
  const clock = o.clock ?? systemClock;
  const emu = await new Emulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    clock,
    wallClock: systemClock,
    delivery: o.transport,
    encryptKey: o.transport === 'webhook' ? ENCRYPT_KEY : undefined,
    verificationToken: VERIFICATION_TOKEN,
    redeliverAfterMs: 15_000,
    ...o.emulator,
  }).start();
  const app = await createBenchApp({
    transport: o.transport,
    domain: emu.url,
    db,
    databaseUrl: url,
    logger,
    clock,
    logLevel: o.logLevel,
  });
  if (o.transport === 'webhook') emu.o.webhookUrl = `http://127.0.0.1:${app.port}`;
  await app.ready;
  if (o.dispatcher === false) await app.dispatcher.stop();
  return {
    emu,
    app,
    db,
    dir,
    url: `http://127.0.0.1:${app.port}`,
    async stop() {
      await app.stop();
      await emu.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** createApp with every command and job, production dispatcher settings, no cron, HTTP on loopback. */
function createBenchApp(o: {
  transport: 'websocket' | 'webhook';
  domain: string;
  db: DbHandle;
  databaseUrl: string;
  logger: ReturnType<typeof createLogger>;
  clock: Clock;
  logLevel?: 'info' | 'warn';
}): Promise<App> {
  return createApp({
    config: {
      feishu: { appId: APP_ID, appSecret: APP_SECRET },
      domain: o.domain,
      transport: o.transport,
      encryptKey: o.transport === 'webhook' ? ENCRYPT_KEY : undefined,
      verificationToken: VERIFICATION_TOKEN,
      databaseUrl: o.databaseUrl,
      port: 0,
      timezone: 'Asia/Shanghai',
      logLevel: o.logLevel ?? 'info',
      botAdmins: [],
    },
    db: o.db,
    logger: o.logger,
    clock: o.clock,
    wallClock: systemClock,
    commands: allCommands,
    jobs: allJobs,
    schedule: false,
    host: '127.0.0.1',
  });
}

export interface BenchReplica {
  app: App;
  db: DbHandle;
  /** The HTTP port (webhook events and cards on the webhook transport; health checks on both). */
  port: number;
  stop(): Promise<void>;
}

/**
 * One replica of the bot without an emulator of its own: createApp as in startBenchBot, on a
 * PostgreSQL schema shared with other replicas, talking to the emulator at `domain` (run by another
 * process), logging JSON to `logFile`. The PostgreSQL benchmark runs each in its own process.
 */
export async function startBenchReplica(o: {
  transport: 'websocket' | 'webhook';
  domain: string;
  postgres: PgLocation;
  logFile: string;
  logLevel?: 'info' | 'warn';
}): Promise<BenchReplica> {
  const db = openDatabase(o.postgres.url, { schema: o.postgres.schema });
  const logger = createLogger(o.logLevel ?? 'info', pino.destination({ dest: o.logFile, sync: true }));
  const app = await createBenchApp({
    transport: o.transport,
    domain: o.domain,
    db,
    databaseUrl: o.postgres.url,
    logger,
    clock: systemClock,
    logLevel: o.logLevel,
  });
  await app.ready;
  return {
    app,
    db,
    port: app.port,
    async stop() {
      await app.stop();
      await db.close();
    },
  };
}

/** Waits until `check` holds (polling), or throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Branch {
  chat: EmuChat;
  secretary: EmuUser;
  members: EmuUser[];
  orgId: number;
  /** A help card the bot posted in the group (for card actions). */
  helpCard: EmuMessage;
}

/** Groups bound to orgs through the real /绑定 command, each with a help card posted by /帮助. */
export async function seedBranches(b: BenchBot, count: number, membersEach: number): Promise<Branch[]> {
  const out: Branch[] = [];
  // Seeding is not measured: Feishu's limits are lifted while it runs (the binds' directory calls
  // would otherwise meet the 50/s app limit), and put back afterwards.
  const enforce = b.emu.o.enforceRateLimits;
  b.emu.o.enforceRateLimits = false;
  for (let i = 0; i < count; i++) {
    const secretary = b.emu.addUser(`书记${i}`);
    const members = Array.from({ length: membersEach }, (_, j) => b.emu.addUser(`党员${i}-${j}`));
    const chat = b.emu.createGroup({
      name: `第${i + 1}党支部`,
      owner: secretary.openId,
      members: members.map((m) => m.openId),
    });
    await b.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: `/绑定 第${i + 1}党支部`,
      mentionBot: true,
    });
    await b.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
    out.push({ chat, secretary, members, orgId: 0, helpCard: undefined as unknown as EmuMessage });
  }
  b.app.dispatcher.wake();
  for (const br of out) {
    const help = () =>
      [...b.emu.store.messages.values()].find(
        (m) => m.chatId === br.chat.chatId && m.senderType === 'app' && m.content.includes('可用命令'),
      );
    await until(() => help() !== undefined, `the help card in ${br.chat.name}`, 60_000);
    br.helpCard = help() as EmuMessage;
    const binding = await b.db.db
      .selectFrom('chat_bindings')
      .select('org_id')
      .where('chat_id', '=', br.chat.chatId)
      .executeTakeFirstOrThrow();
    br.orgId = binding.org_id;
  }
  b.emu.o.enforceRateLimits = enforce;
  return out;
}

/** The value of the help card's 我的 button. */
export function meButtonValue(helpCard: EmuMessage): Record<string, unknown> {
  return button(helpCard, '我的').value;
}

/** Outbox rows by status. */
export const outboxCounts = (db: DbHandle): Promise<Record<string, number>> => countOutbox(db.db);

/**
 * The end of a measuring child process: its result as one JSON line on stdout (the parent reads the
 * line), or the error on stderr; then the process exits (0 or 1).
 */
export function answerParent(work: Promise<unknown>): void {
  work.then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
