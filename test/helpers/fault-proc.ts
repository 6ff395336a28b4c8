/**
 * The bot as a real process for the kill tests and the soak: `node src/launch.mjs src/main.ts` (what
 * `npm start` runs) against an emulator in the test process, killed with SIGKILL and started again
 * on the same database; the CLI as a process (`src/cli.ts job run …`); and the mixed load both use —
 * an org with a group and private chats, commands and help-card clicks, rectifications due for a
 * reminder — with the checks that every command was answered once and every state change kept.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Kysely } from 'kysely';
import { onTestFinished } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { systemClock } from '../../src/clock.ts';
import type { Logger } from '../../src/core/contracts.ts';
import { type DbHandle, openDatabase } from '../../src/db/connection.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import type { Database } from '../../src/db/schema.ts';
import { createRectification } from '../../src/features/rectification/repository.ts';
import { Emulator, type EmulatorOptions } from '../../src/sandbox/emulator.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { assertServedOnly, isWorkingNotice, messageText, TEST_APP_ID, TEST_APP_SECRET } from './bot.ts';
import { createTestDbLocation } from './db.ts';
import { botArgs, cliArgs } from './entry.ts';
import { allBotMessages, buttonValue } from './fault-bot.ts';
import { captureLogs } from './logs.ts';
import { pace, until } from './wait.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** A database another process can open (PostgreSQL: a private schema through `options=-c search_path`). */
export async function processDatabase(): Promise<{ url: string; handle: DbHandle; drop(): Promise<void> }> {
  const loc = await createTestDbLocation();
  const url = loc.schema ? `${loc.url}?options=${encodeURIComponent(`-c search_path=${loc.schema}`)}` : loc.url;
  const handle = openDatabase(loc.url, { schema: loc.schema });
  return {
    url,
    handle,
    async drop() {
      await handle.close();
      await loc.drop();
    },
  };
}

/**
 * An emulator for a bot process. Its `close()` (the callers' teardown) then fails, like `stop()` in
 * bot.ts, when the bot called an Open API route the emulator does not serve.
 */
export async function processEmulator(o: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const emu = await new Emulator({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    clock: systemClock,
    wallClock: systemClock,
    redeliverAfterMs: 2000,
    maxRedeliveries: 12,
    reconnectIntervalSec: 1,
    ...o,
  }).start();
  const close = emu.close.bind(emu);
  emu.close = async () => {
    await close();
    assertServedOnly(emu);
  };
  return emu;
}

function childEnv(emu: Emulator, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FEISHU_APP_ID: TEST_APP_ID,
    FEISHU_APP_SECRET: TEST_APP_SECRET,
    FEISHU_DOMAIN: emu.url,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'info',
  };
}

function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * An emulator, a database another process can open and the bot process on them, started (connected and
 * listening); each is stopped or dropped when the test ends.
 */
export async function startBotProcess(o: Partial<EmulatorOptions> = {}) {
  const emu = await processEmulator(o);
  onTestFinished(() => emu.close());
  const db = await processDatabase();
  onTestFinished(() => db.drop());
  const bot = new BotProcess(emu, db.url);
  onTestFinished(() => bot.kill());
  await bot.start();
  return { emu, db, bot };
}

/** The bot process: started, killed with SIGKILL, started again on the same database. */
export class BotProcess {
  private child: ChildProcess | undefined;
  /** Everything every run printed (JSON log lines). */
  readonly output: string[] = [];
  starts = 0;
  kills = 0;

  constructor(
    private readonly emu: Emulator,
    private readonly databaseUrl: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the bot and waits until its long connection is up. */
  async start(timeoutMs = 40_000): Promise<void> {
    await this.emu.waitFor(() => this.emu.connectionCount === 0, { what: 'no bot connected', timeoutMs: 10_000 });
    const readyBefore = this.readyCount();
    const child = spawn(process.execPath, botArgs(), {
      cwd: ROOT,
      env: childEnv(this.emu, this.databaseUrl),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => this.output.push(String(d)));
    child.stderr?.on('data', (d) => this.output.push(String(d)));
    this.child = child;
    this.starts++;
    await this.emu.waitFor(() => this.emu.connectionCount === 1 || child.exitCode !== null, {
      timeoutMs,
      what: 'the bot to connect',
    });
    if (child.exitCode !== null) throw new Error(`the bot exited at start:\n${this.output.join('').slice(-2000)}`);
    // The server counts the socket before the SDK listens on it: an event pushed in between is lost
    // (and sent again 3 s later). The bot logs "long connection ready" once it listens.
    await this.emu.waitFor(() => this.readyCount() > readyBefore || child.exitCode !== null, {
      timeoutMs,
      what: 'the bot to listen on its connection',
    });
  }

  private readyCount(): number {
    return this.records().filter((l) => l.msg === 'long connection ready').length;
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    await killChild(this.child);
    this.kills++;
  }

  /** Log records of every run (lines that are not JSON are skipped). */
  records(): Record<string, unknown>[] {
    return this.output
      .join('')
      .split('\n')
      .flatMap((l) => {
        if (!l.startsWith('{')) return [];
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }
}

/** `node src/launch.mjs src/cli.ts …` as a process (to be killed, or awaited). */
export function cliProcess(
  emu: Emulator,
  databaseUrl: string,
  args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; output: string }> } {
  const child = spawn(process.execPath, cliArgs(...args), {
    cwd: ROOT,
    env: childEnv(emu, databaseUrl),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const done = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, output })),
  );
  return { child, done };
}

export { killChild };

// ------------------------------------------------------------------ the org and its load

export interface Person {
  user: EmuUser;
  p2p: EmuChat;
  admin: boolean;
  /** Owns rectifications (never goes on leave, so every reminder to them is due). */
  owner: boolean;
  /** The help card in the private chat, clicked as the load runs. */
  helpCard?: EmuMessage;
}

export interface World {
  group: EmuChat;
  people: Person[];
  orgId: number;
}

/** Sends a command and waits for its answer (setup only: the load does not wait). */
async function ask(emu: Emulator, chat: EmuChat, from: EmuUser, text: string, timeoutMs = 20_000) {
  const msg = await emu.sendText({ chatId: chat.chatId, from: from.openId, text, mentionBot: chat.type === 'group' });
  return emu.waitFor(() => allBotMessages(emu).find((m) => m.parentId === msg.messageId && !isWorkingNotice(m)), {
    timeoutMs,
    what: `the answer to ${text}`,
  });
}

/**
 * An org bound through the real /绑定 with `size` people (the secretary and an inspector are admins;
 * `owners` members own rectifications), each with a private chat and a help card in it.
 */
export async function setupWorld(
  emu: Emulator,
  db: Kysely<Database>,
  o: { size: number; owners: number },
): Promise<World> {
  const secretary = emu.addUser('李书记');
  const others = Array.from({ length: o.size - 1 }, (_, i) => emu.addUser(`党员${i + 1}`));
  const group = emu.createGroup({
    name: '机关第一党支部',
    owner: secretary.openId,
    members: others.map((u) => u.openId),
  });
  await ask(emu, group, secretary, '/绑定 机关第一党支部');
  const inspector = others[0] as EmuUser;
  const answer = await ask(emu, group, secretary, `/角色 @{${inspector.openId}} 纪检委员`);
  if (!messageText(answer).includes('纪检委员')) throw new Error(`role not set: ${messageText(answer)}`);
  const org = await findOrgByChat(db, group.chatId);
  if (!org) throw new Error('the org was not bound');
  const people: Person[] = [secretary, ...others].map((user, i) => ({
    user,
    p2p: emu.p2pChat(user.openId),
    admin: i <= 1,
    owner: i >= o.size - o.owners,
  }));
  await Promise.all(
    people.map(async (p) => {
      p.helpCard = await ask(emu, p.p2p, p.user, '/帮助');
    }),
  );
  return { group, people, orgId: org.id };
}

/** The instant the reminder job runs "as of": a Tuesday morning in Beijing. */
export const REMINDER_NOW = '2026-12-01T09:30:00+08:00';
/** Three working days later: the T−3 "即将到期" step is due at REMINDER_NOW. */
export const REMINDER_DEADLINE = '2026-12-04';
/** When those rectifications were entered: a week before REMINDER_NOW. */
const CREATED_AT = '2026-11-24T01:00:00.000Z';

/** Rectifications owned by the world's owners, all at their T−3 step as of REMINDER_NOW. */
export async function seedDueRectifications(db: Kysely<Database>, w: World, count: number): Promise<number[]> {
  const owners = w.people.filter((p) => p.owner);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const owner = owners[i % owners.length] as Person;
    const row = await createRectification(db, {
      org_id: w.orgId,
      batch_id: null,
      source: '巡察',
      problem: `故障注入问题${i + 1}：会议记录不规范`,
      measures: '补齐记录，逐月检查',
      leader: '李书记',
      owner_open_id: owner.user.openId,
      owner_name: owner.user.name,
      deadline: REMINDER_DEADLINE,
      kind: 'centralized',
      area: '组织建设',
      status: 'pending',
      import_key: null,
      created_by: w.people[0]?.user.openId ?? '',
      // Entered before the run's day: the ladder posts no step due on or before the day an item was created.
      created_at: CREATED_AT,
      updated_at: CREATED_AT,
    });
    ids.push(row.id);
  }
  return ids;
}

/** Runs the reminder job in this process through the CLI's own code, against the same database. */
export async function runRemindersInProcess(handle: DbHandle, logger: Logger): Promise<string> {
  const out: string[] = [];
  await runCli(['job', 'run', 'rectification-reminders', '--now', REMINDER_NOW], {
    db: handle,
    timezone: 'Asia/Shanghai',
    logger,
    io: { out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`) },
  });
  return out.join('\n');
}

export type OpKind = 'me' | 'help' | 'away' | 'rectify-new' | 'click';

export interface SentCommand {
  kind: Exclude<OpKind, 'click'>;
  message: EmuMessage;
}

export interface ClickRecord {
  person: Person;
  tries: number;
  errors: string[];
  ok: boolean;
}

/**
 * The mixed load: commands in the group and in private chats, and clicks on help cards. Commands
 * are fire-and-forget (the emulator redelivers what the bot did not acknowledge); a click that
 * fails (the bot was down) is tried again later, as a person would.
 */
export class Load {
  readonly commands: SentCommand[] = [];
  readonly clicks: ClickRecord[] = [];
  private readonly busy = new Set<string>();
  private awayDay = 0;

  constructor(
    private readonly emu: Emulator,
    private readonly w: World,
    private readonly random: () => number,
  ) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)] as T;
  }

  /** One operation; resolves when Feishu got the bot's ack (or gave up), or the click was answered. */
  async one(): Promise<void> {
    const r = this.random();
    const person = this.pick(this.w.people);
    if (r < 0.15 && person.helpCard && !this.busy.has(person.user.openId)) return this.click(person);
    const inGroup = this.random() < 0.2;
    const chat = inGroup ? this.w.group : person.p2p;
    let kind: SentCommand['kind'];
    let text: string;
    if (r < 0.45) [kind, text] = ['me', '/我的'];
    else if (r < 0.65) [kind, text] = ['help', '/帮助'];
    else if (r < 0.85 && !person.owner) {
      kind = 'away';
      const until = new Date(Date.now() + (40 + (this.awayDay++ % 300)) * 86_400_000).toISOString().slice(0, 10);
      text = `/请假 ${until} 外出学习`;
    } else if (person.admin) [kind, text] = ['rectify-new', '/整改 新建'];
    else [kind, text] = ['me', '/我'];
    const message = await this.emu.sendText({
      chatId: chat.chatId,
      from: person.user.openId,
      text,
      mentionBot: inGroup,
    });
    this.commands.push({ kind, message });
  }

  /** Clicks 我的 on the person's help card until an answer comes back (at most 40 tries). */
  private async click(person: Person): Promise<void> {
    const card = person.helpCard as EmuMessage;
    const rec: ClickRecord = { person, tries: 0, errors: [], ok: false };
    this.clicks.push(rec);
    this.busy.add(person.user.openId);
    try {
      while (!rec.ok && rec.tries < 40) {
        rec.tries++;
        const res = await this.emu.click({
          messageId: card.messageId,
          from: person.user.openId,
          value: buttonValue(this.emu.requireMessage(card.messageId), '我的'),
        });
        if (res.error) {
          rec.errors.push(res.error);
          await pace(300 + Math.floor(this.random() * 700)); // the person clicks again a moment later
        } else rec.ok = res.toast?.content === '已显示您的信息';
        if (!res.error && !rec.ok) rec.errors.push(`unexpected answer ${JSON.stringify(res.toast)}`);
      }
    } finally {
      this.busy.delete(person.user.openId);
    }
  }

  /** Runs `total` operations with `concurrency` in flight. */
  async run(total: number, concurrency: number, shouldStop: () => boolean = () => false): Promise<void> {
    let started = 0;
    const worker = async () => {
      while (started < total && !shouldStop()) {
        started++;
        await this.one();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

export interface LoadReport {
  commands: number;
  byKind: Record<string, number>;
  unanswered: string[];
  answeredTwice: string[];
  clicks: number;
  clickRetries: number;
  clicksFailed: number;
  awaySent: number;
  awayRecorded: number;
  awayAnswered: number;
  processedMessages: number;
  dead: number;
  pending: number;
  reminders: { items: number; claims: number; missing: number[]; twice: number[] };
  duplicateUuids: number;
}

/**
 * Waits until every command has an answer and the bot has nothing left to do — no inbound event in
 * progress, nothing left to send, seen twice in a row — so a late duplicate would be there by then; or
 * until the deadline passes (the report then shows what is missing).
 */
export async function settle(emu: Emulator, db: Kysely<Database>, load: Load, timeoutMs: number): Promise<void> {
  const pending = async (table: 'inbox' | 'outbox') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    );
  let quietRounds = 0;
  await until(
    async () => {
      const answered = new Set(
        allBotMessages(emu).flatMap((m) => (m.parentId && !isWorkingNotice(m) ? [m.parentId] : [])),
      );
      const missing = load.commands.filter((c) => !answered.has(c.message.messageId)).length;
      const idle = missing === 0 && (await pending('inbox')) === 0 && (await pending('outbox')) === 0;
      quietRounds = idle ? quietRounds + 1 : 0;
      return quietRounds >= 2;
    },
    { what: 'every command answered and the bot idle', timeoutMs, everyMs: 100 },
  ).catch(() => undefined);
}

/** Everything the checks need, counted from the emulator (what reached Feishu) and the database. */
export async function report(
  emu: Emulator,
  db: Kysely<Database>,
  load: Load,
  rectIds: readonly number[],
): Promise<LoadReport> {
  const bot = allBotMessages(emu);
  const replies = new Map<string, number>();
  for (const m of bot) {
    if (m.parentId && !isWorkingNotice(m)) replies.set(m.parentId, (replies.get(m.parentId) ?? 0) + 1);
  }
  const byKind: Record<string, number> = {};
  for (const c of load.commands) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const away = load.commands.filter((c) => c.kind === 'away');
  const awayAnswered = away.filter((c) =>
    bot.some((m) => m.parentId === c.message.messageId && messageText(m).startsWith('已登记请假至')),
  ).length;
  const awayRecorded = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', 'member:away')
    .executeTakeFirstOrThrow();
  const outbox = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const outboxCount = (status: string) => Number(outbox.find((r) => r.status === status)?.n ?? 0);
  const claims = await db
    .selectFrom('reminder_claims')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('job', '=', 'rectification-reminders')
    .executeTakeFirstOrThrow();
  const processed = await db.selectFrom('processed_events').select('key').where('key', 'like', 'msg:%').execute();
  const sentIds = new Set(load.commands.map((c) => `msg:${c.message.messageId}`));

  const missing: number[] = [];
  const twice: number[] = [];
  for (const id of rectIds) {
    const n = bot.filter(
      (m) => m.msgType === 'text' && messageText(m).includes(`【即将到期】整改事项 #${id}「`),
    ).length;
    if (n === 0) missing.push(id);
    if (n > 1) twice.push(id);
  }
  const uuids = new Map<string, number>();
  for (const m of bot) if (m.uuid) uuids.set(m.uuid, (uuids.get(m.uuid) ?? 0) + 1);
  return {
    commands: load.commands.length,
    byKind,
    unanswered: load.commands.filter((c) => !replies.has(c.message.messageId)).map((c) => c.message.messageId),
    answeredTwice: load.commands
      .filter((c) => (replies.get(c.message.messageId) ?? 0) > 1)
      .map((c) => c.message.messageId),
    clicks: load.clicks.length,
    clickRetries: load.clicks.reduce((n, c) => n + c.tries - 1, 0),
    clicksFailed: load.clicks.filter((c) => !c.ok).length,
    awaySent: away.length,
    awayRecorded: Number(awayRecorded.n),
    awayAnswered,
    processedMessages: processed.filter((p) => sentIds.has(p.key)).length,
    dead: outboxCount('dead'),
    pending: outboxCount('pending'),
    reminders: {
      items: rectIds.length,
      claims: Number(claims.n),
      missing,
      twice,
    },
    duplicateUuids: [...uuids.values()].filter((n) => n > 1).length,
  };
}

/** A logger for in-process CLI runs (kept out of the test output). */
export function quietLogger(): Logger {
  return captureLogs('warn').logger;
}
