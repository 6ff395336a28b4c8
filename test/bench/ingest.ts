/**
 * 1. Ingest. Signed and encrypted webhook events — ~40 % commands (/我的, /帮助 in groups, the bot
 * @-mentioned), ~10 % card actions (the help card's 我的 button), ~40 % chatter that @-mentions the bot
 * without a command, ~10 % exact duplicates of earlier events — POSTed to /webhook/event and
 * /webhook/card through the whole pipeline (verify, decrypt, dedup, parse, transaction, outbox), with
 * the outbox dispatcher on and sending the replies to the emulator. Compared in the same run, in the
 * same process and with the same pool, with two servers: the naive bot a user would write on the SDK's
 * own webhook adapter (naive.ts: EventDispatcher and CardActionHandler behind `adaptDefault`, verify +
 * decrypt + one INSERT of the event, no dedup, no audit, no outbox), and a minimal durable handler: a
 * bare node:http server that parses the JSON body and does one better-sqlite3 INSERT (WAL,
 * synchronous=NORMAL). The load comes from a separate process (loadgen.ts). Then the same mix over the
 * long connection, driven through the emulator.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import type { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import { seededRandom } from '../helpers/fault-bot.ts';
import {
  APP_ID,
  type BenchBot,
  type BenchResult,
  type Branch,
  ENCRYPT_KEY,
  log,
  meButtonValue,
  ms,
  num,
  outboxCounts,
  pct,
  row,
  type Section,
  seedBranches,
  startBenchBot,
  stats,
  until,
  VERIFICATION_TOKEN,
} from './lib.ts';
import type { RunReport } from './loadgen.ts';
import { startNaive } from './naive.ts';

export interface IngestOptions {
  quick: boolean;
}

const CHATTER = ['收到，谢谢', '好的，明天下午开会', '这个材料我晚点发群里', '辛苦了', '请大家按时参加', '已阅'];

function ids(openId: string) {
  return { open_id: openId, union_id: `on_${openId.slice(3)}`, user_id: openId.slice(3, 11) };
}

/** A user message as the bot receives it (`im.message.receive_v1` event body). */
function messageEvent(emu: Emulator, msg: EmuMessage): Record<string, unknown> {
  return {
    sender: { sender_id: ids(msg.senderId), sender_type: 'user', tenant_key: emu.tenantKey },
    message: {
      message_id: msg.messageId,
      chat_id: msg.chatId,
      chat_type: 'group',
      message_type: 'text',
      content: msg.content,
      create_time: String(Date.parse(msg.createdAt)),
      update_time: String(Date.parse(msg.createdAt)),
      mentions: msg.mentions.map((m) => ({ key: m.key, id: ids(m.openId), name: m.name, tenant_key: emu.tenantKey })),
    },
  };
}

/** A user's text in a group that @-mentions the bot, put in the emulator's world without delivering it. */
function userMessage(emu: Emulator, chatId: string, from: string, text: string, register: boolean): EmuMessage {
  const at = new Date().toISOString();
  const msg: EmuMessage = {
    messageId: `om_${randomBytes(16).toString('hex')}`,
    chatId,
    senderId: from,
    senderType: 'user',
    msgType: 'text',
    content: JSON.stringify({ text: `@_user_1 ${text}` }),
    mentions: [{ key: '@_user_1', openId: emu.bot.openId, name: emu.bot.name }],
    parentId: undefined,
    createdAt: at,
    updatedAt: at,
    recalled: false,
    version: 0,
    uuid: undefined,
  };
  // Commands are answered with a reply to the message, which must exist in the emulator.
  if (register) emu.store.messages.set(msg.messageId, msg);
  return msg;
}

function envelope(emu: Emulator, eventType: string, event: Record<string, unknown>, card: boolean) {
  const nowMs = Date.now();
  return {
    schema: '2.0',
    header: {
      event_id: randomUUID().replace(/-/g, ''),
      event_type: eventType,
      create_time: card ? `${nowMs}000` : String(nowMs),
      token: VERIFICATION_TOKEN,
      app_id: APP_ID,
      tenant_key: emu.tenantKey,
    },
    event,
  };
}

type Kind = 'command' | 'card' | 'chatter' | 'duplicate';

interface PoolLine {
  path: string;
  plain?: string;
  dupOf?: number;
  kind: Kind;
}

/** Writes a pool of events (JSON lines) for the generator; registers the command messages. */
export function buildPool(
  b: BenchBot,
  branches: Branch[],
  file: string,
  count: number,
  seed: number,
): Record<Kind, number> {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const lines: PoolLine[] = [];
  const mix: Record<Kind, number> = { command: 0, card: 0, chatter: 0, duplicate: 0 };
  for (let i = 0; i < count; i++) {
    const r = rand();
    const br = pick(branches);
    const from = pick(br.members).openId;
    let line: PoolLine;
    if (r < 0.1 && i > 0) {
      // Feishu redelivers soon after: an event among the last 200.
      const j = Math.max(0, i - 1 - Math.floor(rand() * Math.min(200, i)));
      const orig = lines[j] as PoolLine;
      line = { path: orig.path, dupOf: orig.dupOf ?? j, kind: 'duplicate' };
    } else if (r < 0.5) {
      const msg = userMessage(b.emu, br.chat.chatId, from, rand() < 0.5 ? '/我的' : '/帮助', true);
      const env = envelope(b.emu, 'im.message.receive_v1', messageEvent(b.emu, msg), false);
      line = { path: '/webhook/event', plain: JSON.stringify(env), kind: 'command' };
    } else if (r < 0.6) {
      const env = envelope(
        b.emu,
        'card.action.trigger',
        {
          operator: { tenant_key: b.emu.tenantKey, open_id: from, union_id: `on_${from.slice(3)}` },
          token: `c-${randomBytes(16).toString('hex')}`,
          action: { value: meButtonValue(br.helpCard), tag: 'button', timezone: 'Asia/Shanghai' },
          host: 'im_message',
          context: { open_message_id: br.helpCard.messageId, open_chat_id: br.chat.chatId },
        },
        true,
      );
      line = { path: '/webhook/card', plain: JSON.stringify(env), kind: 'card' };
    } else {
      const msg = userMessage(b.emu, br.chat.chatId, from, pick(CHATTER), false);
      const env = envelope(b.emu, 'im.message.receive_v1', messageEvent(b.emu, msg), false);
      line = { path: '/webhook/event', plain: JSON.stringify(env), kind: 'chatter' };
    }
    mix[line.kind]++;
    lines.push(line);
  }
  writeFileSync(
    file,
    `${lines.map((l) => JSON.stringify({ path: l.path, plain: l.plain, dupOf: l.dupOf })).join('\n')}\n`,
  );
  return mix;
}

// ------------------------------------------------------------------ the generator process

export class Generator {
  private readonly child: ChildProcess;
  private queue: ((m: { ok: boolean; result?: unknown; error?: string }) => void)[] = [];
  constructor() {
    this.child = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: { ok: boolean; result?: unknown; error?: string }) => this.queue.shift()?.(m));
  }
  call<T>(cmd: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push((m) => (m.ok ? resolve(m.result as T) : reject(new Error(m.error))));
      this.child.send(cmd);
    });
  }
  async exit(): Promise<void> {
    this.child.send({ cmd: 'exit' });
    await new Promise((r) => this.child.once('exit', r));
  }
}

// ------------------------------------------------------------------ the baseline

/** The minimal durable handler: parse the JSON body, one INSERT (WAL, synchronous=NORMAL), answer {}. */
export function startBaseline(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const db = new SQLite(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (received_at, body) VALUES (?, ?)');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { encrypt?: string };
        insert.run(new Date().toISOString(), body.encrypt ?? '');
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 2 });
        res.end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
            db.close();
          }),
      }),
    );
  });
}

// ------------------------------------------------------------------ the run

function summarise(r: RunReport) {
  const s = stats(r.latencies);
  return { rate: (r.sent / r.elapsedMs) * 1000, okRate: (r.ok / r.elapsedMs) * 1000, ...s, failed: r.failed };
}

const inboxCount = async (b: BenchBot, status: 'pending' | 'done') =>
  Number(
    (
      await b.db.db
        .selectFrom('inbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', status)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Waits until no inbox row is pending (the router has caught up); how long it took and what is left. */
async function inboxDrained(b: BenchBot, timeoutMs: number): Promise<{ ms: number; pending: number }> {
  const start = performance.now();
  await until(async () => (await inboxCount(b, 'pending')) === 0, 'the inbox worked off', timeoutMs).catch(
    () => undefined,
  );
  return { ms: performance.now() - start, pending: await inboxCount(b, 'pending') };
}

/** Inbox rows the router finished between two instants. */
async function doneBetween(b: BenchBot, from: string, to: string): Promise<number> {
  const r = await b.db.db
    .selectFrom('inbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'done')
    .where('done_at', '>=', from)
    .where('done_at', '<', to)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * For messages received between two instants: the time from the row's insert (the ack) to the
 * router's transaction — the command's effects and its reply row — being committed and the row marked done.
 */
async function answerLatency(b: BenchBot, from: string, to: string) {
  const rows = await b.db.db
    .selectFrom('inbox')
    .select(['received_at', 'done_at', 'status'])
    .where('kind', '=', 'message')
    .where('received_at', '>=', from)
    .where('received_at', '<', to)
    .execute();
  const done = rows.filter((r) => r.status === 'done' && r.done_at);
  const latencies = done.map((r) => Date.parse(r.done_at as string) - Date.parse(r.received_at));
  return { ...stats(latencies), done: done.length, received: rows.length };
}

export async function runIngest(o: IngestOptions): Promise<BenchResult> {
  const t0 = performance.now();
  const satMs = o.quick ? 4000 : 8000;
  const openMs = o.quick ? 5000 : 10_000;
  const concurrency = 32;
  const notes: string[] = [];
  const sections: Section[] = [];

  // ---- webhook
  log('ingest: starting the bot (webhook transport) and seeding 20 groups …');
  const b = await startBenchBot({ transport: 'webhook' });
  const branches = await seedBranches(b, 20, 10);
  const gen = new Generator();
  const pools: Record<string, { count: number; mix: Record<Kind, number> }> = {};
  const pool = async (name: string, count: number, seed: number) => {
    const file = join(b.dir, `${name}.jsonl`);
    pools[name] = { count, mix: buildPool(b, branches, file, count, seed) };
    await gen.call({ cmd: 'load', name, file, key: ENCRYPT_KEY });
  };
  const satPool = o.quick ? 15_000 : 40_000;
  await pool('warm', 4000, 1);
  await pool('sat', satPool, 2);
  await pool('open500', 500 * (openMs / 2000), 3);
  await pool('open1000', openMs, 4);
  await pool('open2000', 2 * openMs, 5);

  const baseline = await startBaseline(b.dir);
  log('ingest: baseline (bare node:http + one SQLite INSERT) …');
  await gen.call({ cmd: 'closed', url: baseline.url, pool: 'warm', concurrency, durationMs: 2000, cycle: true });
  const baseSat = summarise(
    await gen.call<RunReport>({
      cmd: 'closed',
      url: baseline.url,
      pool: 'sat',
      concurrency,
      durationMs: satMs,
      cycle: true,
    }),
  );
  const baseOpen = summarise(
    await gen.call<RunReport>({
      cmd: 'open',
      url: baseline.url,
      pool: 'open1000',
      rate: 1000,
      durationMs: openMs,
      cycle: true,
    }),
  );
  await baseline.close();
  log(`ingest: baseline ${num(baseSat.okRate)} events/s; at 1000/s p50 ${ms(baseOpen.p50)} p99 ${ms(baseOpen.p99)}`);

  // The pool cycles: the naive bot does not deduplicate, so an event seen again is just another insert.
  const naive = await startNaive(b.dir);
  log('ingest: naive SDK-adapter bot (EventDispatcher + adaptDefault + one SQLite INSERT) …');
  const naiveWarm = await gen.call<RunReport>({
    cmd: 'closed',
    url: naive.url,
    pool: 'warm',
    concurrency,
    durationMs: 2000,
    cycle: true,
  });
  const naiveSatReport = await gen.call<RunReport>({
    cmd: 'closed',
    url: naive.url,
    pool: 'sat',
    concurrency,
    durationMs: satMs,
    cycle: true,
  });
  const naiveOpenReport = await gen.call<RunReport>({
    cmd: 'open',
    url: naive.url,
    pool: 'open1000',
    rate: 1000,
    durationMs: openMs,
    cycle: true,
  });
  const naiveCounts = naive.counts();
  await naive.close();
  const naiveSat = summarise(naiveSatReport);
  const naiveOpen = summarise(naiveOpenReport);
  // The SDK's adapter answers 200 even to a request it refuses, so a 200 proves nothing by itself: every
  // request answered must have been stored, and the SDK must not have complained.
  const naiveAnswered = naiveWarm.ok + naiveSatReport.ok + naiveOpenReport.ok;
  const naiveValid = naiveCounts.complaints === 0 && naiveCounts.stored === naiveAnswered;
  if (!naiveValid)
    notes.push(
      `The naive SDK-adapter bot stored ${naiveCounts.stored} events for ${naiveAnswered} requests answered 200, with ${naiveCounts.complaints} warnings from the SDK: its figures are not valid.`,
    );
  log(
    `ingest: naive ${num(naiveSat.okRate)} events/s; at 1000/s p50 ${ms(naiveOpen.p50)} p99 ${ms(naiveOpen.p99)}; ` +
      `${naiveCounts.stored} stored of ${naiveAnswered} answered, ${naiveCounts.complaints} SDK warnings`,
  );

  log('ingest: the bot over webhook …');
  const sentBefore = b.app.dispatcher.stats.sent;
  await gen.call({ cmd: 'closed', url: b.url, pool: 'warm', concurrency, durationMs: 2000 });
  const warmDrain = await inboxDrained(b, 120_000);
  const satFrom = new Date().toISOString();
  const satReport = await gen.call<RunReport>({
    cmd: 'closed',
    url: b.url,
    pool: 'sat',
    concurrency,
    durationMs: satMs,
  });
  const satTo = new Date().toISOString();
  const botSat = summarise(satReport);
  // Acknowledged is not processed: how many events the router finished while the acks went out.
  const satDone = await doneBetween(b, satFrom, satTo);
  const satProcessedRate = (satDone / satReport.elapsedMs) * 1000;
  if (satReport.sent >= satPool)
    notes.push('The saturation pool ran out before the time was up; the rate is a lower bound.');
  log(
    `ingest: bot ${num(botSat.okRate)} events/s acknowledged, ${num(satProcessedRate)} events/s processed (${satReport.sent} events, ${satReport.failed} failed)`,
  );
  const satDrain = await inboxDrained(b, 300_000);
  log(`ingest: backlog after saturation worked off in ${ms(satDrain.ms, 0)} (${satDrain.pending} left)`);
  const gc = b.app.commits;
  log(
    `ingest: group commit so far: ${gc.committed} transactions in ${gc.batches} commits (largest batch ${gc.largest})`,
  );
  const open: Record<number, ReturnType<typeof summarise>> = {};
  const answer: Record<number, ReturnType<typeof stats> & { done: number; received: number }> = {};
  for (const rate of [500, 1000, 2000]) {
    const dur = rate === 1000 ? openMs : openMs / 2;
    const from = new Date().toISOString();
    open[rate] = summarise(
      await gen.call<RunReport>({ cmd: 'open', url: b.url, pool: `open${rate}`, rate, durationMs: dur }),
    );
    const to = new Date().toISOString();
    await inboxDrained(b, 300_000);
    answer[rate] = await answerLatency(b, from, to);
    log(
      `ingest: offered ${rate}/s → ack p50 ${ms(open[rate].p50)} p99 ${ms(open[rate].p99)} failed ${open[rate].failed}; ` +
        `command answered p50 ${ms(answer[rate].p50)} p99 ${ms(answer[rate].p99)}`,
    );
  }
  const sentDuring = b.app.dispatcher.stats.sent - sentBefore;
  const outbox = await outboxCounts(b.db);
  const processed = await b.db.db
    .selectFrom('processed_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await gen.exit();
  await b.stop();

  const ratio = botSat.okRate / baseSat.okRate;
  const naiveRatio = naiveSat.okRate / baseSat.okRate;
  const botOverNaive = botSat.okRate / naiveSat.okRate;
  const o1000 = open[1000] as ReturnType<typeof summarise>;
  const mix = pools.sat?.mix as Record<Kind, number>;
  const mixTotal = mix.command + mix.card + mix.chatter + mix.duplicate;
  sections.push({
    heading: 'Webhook (signed + encrypted, whole pipeline)',
    rows: [
      row('bot at saturation (32 connections)', `${num(botSat.okRate)} events/s`),
      row(
        'naive SDK-adapter bot at saturation (EventDispatcher + adaptDefault + 1 INSERT)',
        `${num(naiveSat.okRate)} events/s`,
      ),
      row('baseline at saturation (bare node:http + 1 INSERT)', `${num(baseSat.okRate)} events/s`),
      row('ratio bot ÷ baseline', pct(ratio), '≥ 50 %', ratio >= 0.5),
      row('ratio naive SDK-adapter bot ÷ baseline', pct(naiveRatio)),
      row('ratio bot ÷ naive SDK-adapter bot', pct(botOverNaive)),
      row(
        'bot beats the naive SDK-adapter bot (events/s at saturation)',
        `${num(botSat.okRate)} vs ${num(naiveSat.okRate)} events/s`,
        'bot faster',
        naiveValid && botOverNaive > 1,
      ),
      row(
        'events processed during saturation (router finished, while the acks went out)',
        `${num(satProcessedRate)} events/s; backlog worked off ${ms(satDrain.ms, 0)} after (warm-up's: ${ms(warmDrain.ms, 0)})`,
      ),
      row(
        'command answered (event recorded → its work and reply row committed) p50 / p99 at 500 events/s',
        `${ms(answer[500]?.p50 ?? NaN)} / ${ms(answer[500]?.p99 ?? NaN)} (${answer[500]?.done} of ${answer[500]?.received} messages)`,
        '≤ 200 ms',
        (answer[500]?.p99 ?? Number.POSITIVE_INFINITY) <= 200,
      ),
      row(
        'command answered p50 / p99 at 1,000 and 2,000 events/s',
        `${ms(answer[1000]?.p50 ?? NaN)} / ${ms(answer[1000]?.p99 ?? NaN)}; ${ms(answer[2000]?.p50 ?? NaN)} / ${ms(answer[2000]?.p99 ?? NaN)}`,
      ),
      row('p50 at 1,000 events/s offered', ms(o1000.p50)),
      row('p99 at 1,000 events/s offered', ms(o1000.p99), '≤ 20 ms', o1000.p99 <= 20 && o1000.failed === 0),
      row('max at 1,000 events/s offered', ms(o1000.max)),
      row('naive SDK-adapter bot p50 / p99 at 1,000 events/s', `${ms(naiveOpen.p50)} / ${ms(naiveOpen.p99)}`),
      row('baseline p50 / p99 at 1,000 events/s', `${ms(baseOpen.p50)} / ${ms(baseOpen.p99)}`),
      row('p50 / p99 at 500 events/s', `${ms(open[500]?.p50 ?? NaN)} / ${ms(open[500]?.p99 ?? NaN)}`),
      row('p50 / p99 at 2,000 events/s', `${ms(open[2000]?.p50 ?? NaN)} / ${ms(open[2000]?.p99 ?? NaN)}`),
      row('saturation latency p50 / p99 (32 in flight)', `${ms(botSat.p50)} / ${ms(botSat.p99)}`),
      row(
        'failed requests (saturation, 500, 1,000, 2,000/s)',
        `${botSat.failed}, ${open[500]?.failed}, ${o1000.failed}, ${open[2000]?.failed}`,
      ),
      row(
        'mix offered (saturation pool)',
        `${pct(mix.command / mixTotal)} commands, ${pct(mix.card / mixTotal)} card actions, ${pct(mix.chatter / mixTotal)} chatter, ${pct(mix.duplicate / mixTotal)} duplicates`,
      ),
      row('outbox dispatcher', `on; ${num(sentDuring)} replies sent to the emulator during the run`),
      row(
        'outbox afterwards',
        `${num(outbox.pending ?? 0)} pending (Feishu's 1,000/min app limit), ${num(outbox.sent ?? 0)} sent, ${num(outbox.dead ?? 0)} dead`,
      ),
      row('events recorded as processed', num(Number(processed.n))),
      row(
        'naive SDK-adapter bot: events stored of requests answered 200; SDK warnings; failed (saturation, 1,000/s)',
        `${num(naiveCounts.stored)} of ${num(naiveAnswered)}; ${naiveCounts.complaints}; ${naiveSat.failed}, ${naiveOpen.failed}`,
      ),
    ],
    notes: [
      'Load from a separate Node process (keep-alive connections); the bot, its dispatcher and the emulator share one process, as the baseline and naive servers do.',
      "The naive SDK-adapter bot (naive.ts) is the SDK's EventDispatcher on /webhook/event and CardActionHandler on /webhook/card, each behind the SDK's node:http adapter (adaptDefault), whose handlers insert the decrypted event (WAL, synchronous=NORMAL); it answers a card action with {} rather than a new card, and stores a duplicate again. Baseline and naive bot are measured first, while the bot is idle; the pool cycles for both.",
      'Open loop: request i is scheduled at i ms (1,000/s); latency counts from the scheduled time, so queueing is included.',
    ],
  });

  // ---- long connection
  log('ingest: the bot over the long connection …');
  const w = await startBenchBot({ transport: 'websocket' });
  const wb = await seedBranches(w, 20, 10);
  const lcMs = o.quick ? 4000 : 8000;
  const lcConcurrency = 64;
  const lat: Record<Kind, number[]> = { command: [], card: [], chatter: [], duplicate: [] };
  let failedAcks = 0;
  const recent: EmuMessage[] = [];
  const drive = async (durationMs: number, record: boolean) => {
    const rand = seededRandom(record ? 7 : 6);
    const end = performance.now() + durationMs;
    const worker = async () => {
      while (performance.now() < end) {
        const r = rand();
        const br = wb[Math.floor(rand() * wb.length)] as Branch;
        const from = (br.members[Math.floor(rand() * br.members.length)] as { openId: string }).openId;
        const s = performance.now();
        let kind: Kind;
        if (r < 0.1 && recent.length > 0) {
          kind = 'duplicate';
          const msg = recent[Math.floor(rand() * recent.length)] as EmuMessage;
          const ack = await w.emu.deliverEvent('im.message.receive_v1', messageEvent(w.emu, msg));
          if (ack?.code !== 200) failedAcks++;
        } else if (r < 0.5) {
          kind = 'command';
          const msg = await w.emu.sendText({
            chatId: br.chat.chatId,
            from,
            text: rand() < 0.5 ? '/我的' : '/帮助',
            mentionBot: true,
          });
          recent.push(msg);
          if (recent.length > 200) recent.shift();
        } else if (r < 0.6) {
          kind = 'card';
          const res = await w.emu.click({ messageId: br.helpCard.messageId, from, value: meButtonValue(br.helpCard) });
          if (res.error) failedAcks++;
        } else {
          kind = 'chatter';
          await w.emu.sendText({
            chatId: br.chat.chatId,
            from,
            text: CHATTER[Math.floor(rand() * 6)] as string,
            mentionBot: true,
          });
        }
        if (record) lat[kind].push(performance.now() - s);
      }
    };
    const t = performance.now();
    await Promise.all(Array.from({ length: lcConcurrency }, worker));
    return performance.now() - t;
  };
  await drive(2000, false);
  failedAcks = 0;
  const acksBefore = w.emu.stats.acked;
  const elapsed = await drive(lcMs, true);
  const acked = w.emu.stats.acked - acksBefore;
  const all = stats([...lat.command, ...lat.card, ...lat.chatter, ...lat.duplicate]);
  const lcRate = (acked / elapsed) * 1000;
  log(`ingest: long connection ${num(lcRate)} events/s, ack p50 ${ms(all.p50)} p99 ${ms(all.p99)}`);
  const redelivered = w.emu.stats.redelivered;
  await w.stop();
  sections.push({
    heading: 'Long connection (events pushed by the emulator, acknowledged by the bot)',
    rows: [
      row(`events/s at saturation (${lcConcurrency} in flight)`, `${num(lcRate)} events/s`),
      row('ack latency p50 / p90 / p99', `${ms(all.p50)} / ${ms(all.p90)} / ${ms(all.p99)}`),
      row('ack latency max', ms(all.max)),
      row('commands p50 / p99', `${ms(stats(lat.command).p50)} / ${ms(stats(lat.command).p99)}`),
      row(
        'card actions p50 / p99 (answer with the new card)',
        `${ms(stats(lat.card).p50)} / ${ms(stats(lat.card).p99)}`,
      ),
      row('chatter p50 / p99', `${ms(stats(lat.chatter).p50)} / ${ms(stats(lat.chatter).p99)}`),
      row('duplicates p50 / p99', `${ms(stats(lat.duplicate).p50)} / ${ms(stats(lat.duplicate).p99)}`),
      row('failed or missing acks; redeliveries', `${failedAcks}; ${redelivered}`),
      row('outbox dispatcher', 'on'),
    ],
    notes: [
      "The emulator (Feishu's side: building each event, framing, waiting for the ack, applying card answers) runs in the bot's process, so these figures include its cost; the webhook figures above are the bot's own.",
    ],
  });

  return { name: 'ingest', title: '1. Ingest', seconds: (performance.now() - t0) / 1000, sections, notes };
}
