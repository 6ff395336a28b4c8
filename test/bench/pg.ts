/**
 * 7. PostgreSQL. The local PostgreSQL (TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test)
 * in schemas of this benchmark's own, dropped afterwards. Every replica of the bot is a process of its
 * own (this file run with `--replica`: createApp with every command and job, as lib.ts starts it),
 * sharing one schema; the emulator and this harness run in the benchmark's process.
 *
 * 1. Webhook ingest with 1, 2 and 3 replicas: the ingest benchmark's signed + encrypted mix (its
 *    `buildPool` and load generator), the load spread evenly over the replicas' ports (a pool of
 *    distinct events per replica); saturation, then open loop at 500 and 1,000 events/s offered.
 * 2. Card actions with 1, 2 and 3 replicas on the long connection: 50 clickers press 我的 on a help
 *    card (as cards.ts does); the emulator hands each callback to one connection in turn.
 * 3. The reminder scans at 100,000 items (scans.ts's world, seeded into a schema): every reminder job
 *    run with the dispatcher stopped, in a fresh process, on copies of the world.
 *
 * Each phase starts from a copy of one seeded schema (so 1, 2 and 3 replicas meet the same data), and
 * the CPU time of every process on the machine is read from /proc around the measured windows, so the
 * figures say where the cores went: the replicas (JavaScript, one core each at most), PostgreSQL, the
 * load generator, the emulator.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fixedClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { countOutbox } from '../../src/db/repositories/outbox.ts';
import type { Emulator } from '../../src/sandbox/emulator.ts';
import { buildPool, Generator } from './ingest.ts';
import {
  answerParent,
  type BenchBot,
  type BenchResult,
  type Branch,
  ENCRYPT_KEY,
  log,
  mb,
  meButtonValue,
  ms,
  num,
  type PgLocation,
  row,
  type Section,
  seedBranches,
  startBenchBot,
  startBenchReplica,
  stats,
  until,
} from './lib.ts';
import type { RunReport } from './loadgen.ts';
import { JOBS, type JobFigures, SCAN_NOW, seedScanWorld, timedJobRun } from './scans.ts';

const SELF = fileURLToPath(import.meta.url);
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPLICAS = [1, 2, 3] as const;
const SCAN_ITEMS = 100_000;
const CLICKERS = 50;

// ------------------------------------------------------------------ schemas

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** This run's schemas: created, copied (migrations, then every row), dropped at the end. */
class Schemas {
  private readonly admin = new pg.Client({ connectionString: PG_URL });
  private readonly tag = randomBytes(3).toString('hex');
  private readonly live = new Set<string>();

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  async create(name: string): Promise<PgLocation> {
    const schema = `qf_bench_pg_${this.tag}_${name}`;
    await this.admin.query(`CREATE SCHEMA ${quote(schema)}`);
    this.live.add(schema);
    const loc = { url: PG_URL, schema };
    const h = openDatabase(PG_URL, { schema });
    try {
      await migrateToLatest(h.db, h.dialect);
    } finally {
      await h.close();
    }
    return loc;
  }

  private async tables(schema: string): Promise<string[]> {
    const r = await this.admin.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_migration%'
        ORDER BY table_name`,
      [schema],
    );
    return r.rows.map((x) => x.t);
  }

  /** A new schema holding the same rows as `from` (foreign keys not re-checked), sequences moved on. */
  async copy(from: PgLocation, name: string): Promise<PgLocation> {
    const to = await this.create(name);
    const tables = await this.tables(from.schema);
    const src = quote(from.schema);
    const dst = quote(to.schema);
    await this.admin.query('BEGIN');
    try {
      await this.admin.query('SET LOCAL session_replication_role = replica');
      await this.admin.query(`TRUNCATE ${tables.map((t) => `${dst}.${quote(t)}`).join(', ')}`);
      for (const t of tables) await this.admin.query(`INSERT INTO ${dst}.${quote(t)} SELECT * FROM ${src}.${quote(t)}`);
      const serials = await this.admin.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
          WHERE table_schema = $1 AND column_default LIKE 'nextval(%'`,
        [to.schema],
      );
      for (const { t, c } of serials.rows) {
        const table = `${dst}.${quote(t)}`;
        await this.admin.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(c)}) FROM ${table}), 0) + 1, false)`,
          [table, c],
        );
      }
      await this.admin.query('COMMIT');
    } catch (err) {
      await this.admin.query('ROLLBACK');
      throw err;
    }
    await this.analyze(to);
    return to;
  }

  async analyze(loc: PgLocation): Promise<void> {
    for (const t of await this.tables(loc.schema)) await this.admin.query(`ANALYZE ${quote(loc.schema)}.${quote(t)}`);
  }

  async sizeBytes(loc: PgLocation): Promise<number> {
    const r = await this.admin.query<{ n: string }>(
      `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c
         JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind = 'r'`,
      [loc.schema],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async drop(loc: PgLocation): Promise<void> {
    await this.admin.query(`DROP SCHEMA IF EXISTS ${quote(loc.schema)} CASCADE`);
    this.live.delete(loc.schema);
  }

  async end(): Promise<void> {
    for (const schema of [...this.live]) await this.drop({ url: PG_URL, schema }).catch(() => undefined);
    await this.admin.end().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ statement times

const statementTimes = new Map<string, { calls: number; ms: number }>();

/** Times every statement the pg driver runs in this process (Kysely calls `client.query(text, params)`). */
function instrumentPg(): void {
  const proto = pg.Client.prototype as unknown as { query: (this: unknown, ...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const out = query.apply(this, a);
    const text = a[0];
    if (typeof text === 'string' && out instanceof Promise) {
      const t = performance.now();
      const done = () => {
        const e = statementTimes.get(text) ?? { calls: 0, ms: 0 };
        e.calls++;
        e.ms += performance.now() - t;
        statementTimes.set(text, e);
      };
      out.then(done, done);
    }
    return out;
  };
}

// ------------------------------------------------------------------ replicas (one process each)

interface ReplicaArgs {
  transport: 'websocket' | 'webhook';
  domain: string;
  postgres: PgLocation;
  logFile: string;
}

type ReplicaMessage = { ready: true; port: number } | { ready: false; error: string };

interface StatementTime {
  sql: string;
  calls: number;
  ms: number;
}

class Replica {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static start(args: ReplicaArgs): Promise<Replica> {
    const child = fork(SELF, ['--replica', JSON.stringify(args)], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('a replica did not start within 60 s'));
      }, 60_000);
      child.once('message', (m: ReplicaMessage) => {
        clearTimeout(timer);
        if (m.ready) resolve(new Replica(child, m.port));
        else reject(new Error(`a replica failed to start: ${m.error}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`a replica exited (${code}) before it was ready`));
      });
    });
  }

  /** The statements this replica ran since the last call (then forgotten). */
  statements(): Promise<StatementTime[]> {
    return new Promise((resolve) => {
      const late = setTimeout(() => resolve([]), 10_000);
      this.child.once('message', (m: { statements: StatementTime[] }) => {
        clearTimeout(late);
        resolve(m.statements);
      });
      this.child.send({ cmd: 'statements' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ cmd: 'stop' });
    const late = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(late);
  }
}

async function startReplicas(n: number, args: Omit<ReplicaArgs, 'logFile'>, dir: string): Promise<Replica[]> {
  const started = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => Replica.start({ ...args, logFile: join(dir, `replica-${n}-${i}.log`) })),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((r) => r.stop()));
    throw failed.reason;
  }
  return ok;
}

/** `--replica ARGS`: one bot, until the parent says stop (or goes away). */
function replicaMain(args: ReplicaArgs): void {
  process.on('disconnect', () => process.exit(0));
  instrumentPg();
  startBenchReplica({ ...args, logLevel: 'info' }).then(
    (r) => {
      process.on('message', (m: { cmd?: string }) => {
        if (m.cmd === 'statements') {
          process.send?.({ statements: [...statementTimes].map(([q, v]) => ({ sql: q, ...v })) });
          statementTimes.clear();
        }
        if (m.cmd === 'stop')
          r.stop().finally(() => {
            process.disconnect();
            process.exit(0);
          });
      });
      process.send?.({ ready: true, port: r.port } satisfies ReplicaMessage);
    },
    (err) => {
      process.send?.({
        ready: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies ReplicaMessage);
      process.exit(1);
    },
  );
}

// ------------------------------------------------------------------ where the CPU went (/proc)

interface ProcTimes {
  comm: string;
  ppid: number;
  ticks: number;
}

let clockTicks = 0;

function procTimes(): Map<number, ProcTimes> {
  const out = new Map<number, ProcTimes>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      const text = readFileSync(`/proc/${p}/stat`, 'utf8');
      const close = text.lastIndexOf(')');
      const f = text.slice(close + 2).split(' ');
      out.set(Number(p), {
        comm: text.slice(text.indexOf('(') + 1, close),
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]),
      });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const busyMs = () => cpus().reduce((s, c) => s + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);

interface CpuShare {
  replicas: number;
  perReplica: number[];
  postgres: number;
  loadgen: number;
  harness: number;
  other: number;
  total: number;
}

/** CPU time per kind of process over a window, in cores (CPU seconds per wall second). */
class CpuWindow {
  private readonly t0 = performance.now();
  private readonly busy0 = busyMs();
  private readonly procs0 = procTimes();

  stop(replicaPids: number[]): CpuShare | undefined {
    const wall = (performance.now() - this.t0) / 1000;
    const procs = procTimes();
    if (procs.size === 0 || wall <= 0) return undefined;
    if (!clockTicks) {
      try {
        clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
      } catch {
        clockTicks = 100;
      }
    }
    const cores = (ticks: number) => ticks / clockTicks / wall;
    const d = (pid: number, p: ProcTimes) => Math.max(0, p.ticks - (this.procs0.get(pid)?.ticks ?? 0));
    const perReplica = replicaPids.map((pid) => {
      const p = procs.get(pid);
      return p ? cores(d(pid, p)) : 0;
    });
    let postgres = 0;
    let loadgen = 0;
    let harness = 0;
    for (const [pid, p] of procs) {
      if (replicaPids.includes(pid)) continue;
      if (pid === process.pid) harness += d(pid, p);
      else if (p.ppid === process.pid) loadgen += d(pid, p);
      else if (p.comm === 'postgres') postgres += d(pid, p);
    }
    const total = (busyMs() - this.busy0) / 1000 / wall;
    const replicas = perReplica.reduce((s, x) => s + x, 0);
    const known = replicas + cores(postgres) + cores(loadgen) + cores(harness);
    return {
      replicas,
      perReplica,
      postgres: cores(postgres),
      loadgen: cores(loadgen),
      harness: cores(harness),
      other: Math.max(0, total - known),
      total,
    };
  }
}

function cpuText(c: CpuShare | undefined, what: string): string {
  if (!c) return '— (no /proc)';
  const each = c.perReplica.length > 1 ? ` (${c.perReplica.map((x) => x.toFixed(2)).join(' + ')})` : '';
  return `${c.total.toFixed(2)} of ${availableParallelism()} cores busy: replicas ${c.replicas.toFixed(2)}${each}, PostgreSQL ${c.postgres.toFixed(2)}, ${what} ${c.loadgen.toFixed(2)}, emulator + harness ${c.harness.toFixed(2)}, other processes and the kernel ${c.other.toFixed(2)}`;
}

// ------------------------------------------------------------------ 1. webhook ingest

function sumStatements(lists: StatementTime[][]): StatementTime[] {
  const all = new Map<string, StatementTime>();
  for (const x of lists.flat()) {
    const e = all.get(x.sql) ?? { sql: x.sql, calls: 0, ms: 0 };
    e.calls += x.calls;
    e.ms += x.ms;
    all.set(x.sql, e);
  }
  return [...all.values()].sort((a, b) => b.ms - a.ms);
}

const short = (q: string) => `\`${q.replace(/\s+/g, ' ').slice(0, 100)}${q.length > 100 ? '…' : ''}\``;

/** Statements per event answered, and the three that took the most time. */
function statementsText(list: StatementTime[], events: number): string {
  const calls = list.reduce((s, x) => s + x.calls, 0);
  const total = list.reduce((s, x) => s + x.ms, 0);
  const top = list
    .slice(0, 3)
    .map((x) => `${short(x.sql)} ×${num(x.calls)} ${ms(x.ms, 0)}`)
    .join('; ');
  return `${(calls / Math.max(1, events)).toFixed(1)} statements per event answered (${num(calls)} in all, ${ms(total, 0)} waited on, summed over connections); most time: ${top}`;
}

/** Inbox rows processed so far (read by the harness, not by a replica). */
/** Waits (up to 5 minutes) until the replicas have no inbox row pending, so a phase starts idle. */
async function inboxWorkedOff(loc: PgLocation): Promise<void> {
  const h = openDatabase(loc.url, { schema: loc.schema, poolSize: 1 });
  try {
    const pending = async () =>
      Number(
        (
          await h.db
            .selectFrom('inbox')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow()
        ).n,
      );
    await until(async () => (await pending()) === 0, 'the replicas to work off the inbox', 300_000);
  } finally {
    await h.close();
  }
}

async function inboxDone(loc: PgLocation): Promise<number> {
  const h = openDatabase(loc.url, { schema: loc.schema, poolSize: 1 });
  try {
    const r = await h.db
      .selectFrom('inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'done')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  } finally {
    await h.close();
  }
}

function afterText(r: IngestRun): string {
  const inbox = Object.entries(r.inbox)
    .map(([k, v]) => `${num(v)} ${k}`)
    .join(', ');
  const dead = r.dead.length ? ` (${r.dead.join('; ')})` : '';
  return `${num(r.processed)} events processed; inbox ${inbox}; outbox ${num(r.outbox.pending ?? 0)} pending, ${num(r.outbox.sent ?? 0)} sent, ${num(r.outbox.dead ?? 0)} dead${dead}`;
}

function merge(reports: RunReport[]) {
  const latencies = reports.flatMap((r) => r.latencies);
  const okRate = reports.reduce((s, r) => s + (r.ok / r.elapsedMs) * 1000, 0);
  const failed = reports.reduce((s, r) => s + r.failed, 0);
  const sent = reports.reduce((s, r) => s + r.sent, 0);
  const ok = reports.reduce((s, r) => s + r.ok, 0);
  const elapsedMs = Math.max(...reports.map((r) => r.elapsedMs));
  return { okRate, failed, sent, ok, elapsedMs, ...stats(latencies) };
}

interface IngestRun {
  n: number;
  sat: ReturnType<typeof merge>;
  satCpu: CpuShare | undefined;
  satStatements: StatementTime[];
  /** Events taken from the inbox and processed per second during the saturation window. */
  satProcessed: number;
  /** The commonest errors of dead outbox rows. */
  dead: string[];
  open: Record<number, ReturnType<typeof merge>>;
  openCpu: CpuShare | undefined;
  processed: number;
  inbox: Record<string, number>;
  outbox: Record<string, number>;
  poolRanOut: boolean;
}

async function ingestPhase(schemas: Schemas, quick: boolean, notes: string[]): Promise<Section[]> {
  const satMs = quick ? 4000 : 6000;
  const openMs = quick ? 3000 : 5000;
  const concurrency = 32;
  log('pg: ingest — seeding 20 groups on PostgreSQL through the bot (webhook) …');
  const world = await schemas.create('ingest');
  const b = await startBenchBot({ transport: 'webhook', postgres: world });
  let branches: Branch[];
  try {
    branches = await seedBranches(b, 20, 10);
  } finally {
    // The seeding bot leaves; the replicas (other processes) talk to its emulator.
    await b.app.stop();
    await b.db.close();
  }
  const gen = new Generator();
  const runs: IngestRun[] = [];
  const satPool = quick ? 6000 : 10_000;
  try {
    // A pool of distinct events per replica slot, reused for 1, 2 and 3 replicas (each starts from a
    // copy of the seeded world, where none of them has been seen).
    for (let r = 0; r < 3; r++) {
      const sizes = { warm: 1000, sat: satPool, open500: (500 * openMs) / 1000, open1000: openMs };
      for (const [name, count] of Object.entries(sizes)) {
        const file = join(b.dir, `${name}-${r}.jsonl`);
        buildPool(b, branches, file, count, 100 * r + count);
        await gen.call({ cmd: 'load', name: `${name}-${r}`, file, key: ENCRYPT_KEY });
      }
    }
    for (const n of REPLICAS) {
      const loc = await schemas.copy(world, `ingest${n}`);
      log(`pg: ingest — ${n} replica(s) …`);
      const replicas = await startReplicas(n, { transport: 'webhook', domain: b.emu.url, postgres: loc }, b.dir);
      try {
        const pids = replicas.map((r) => r.pid);
        const each = (make: (r: Replica, i: number) => Record<string, unknown>) =>
          Promise.all(replicas.map((r, i) => gen.call<RunReport>(make(r, i))));
        const url = (r: Replica) => `http://127.0.0.1:${r.port}`;
        const per = Math.ceil(concurrency / n);
        await each((r, i) => ({
          cmd: 'closed',
          url: url(r),
          pool: `warm-${i}`,
          concurrency: per,
          durationMs: 2000,
          cycle: true,
        }));
        await Promise.all(replicas.map((r) => r.statements()));
        const doneBefore = await inboxDone(loc);
        const w = new CpuWindow();
        const satReports = await each((r, i) => ({
          cmd: 'closed',
          url: url(r),
          pool: `sat-${i}`,
          concurrency: per,
          durationMs: satMs,
        }));
        const satCpu = w.stop(pids);
        const satStatements = sumStatements(await Promise.all(replicas.map((r) => r.statements())));
        const doneAfter = await inboxDone(loc);
        const sat = merge(satReports);
        log(`pg: ingest ${n} replica(s): ${num(sat.okRate)} events/s at saturation (${sat.failed} failed)`);
        const open: Record<number, ReturnType<typeof merge>> = {};
        let openCpu: CpuShare | undefined;
        for (const rate of [500, 1000]) {
          await inboxWorkedOff(loc);
          const ow = new CpuWindow();
          open[rate] = merge(
            await each((r, i) => ({
              cmd: 'open',
              url: url(r),
              pool: `open${rate}-${i}`,
              rate: rate / n,
              durationMs: openMs,
            })),
          );
          if (rate === 1000) openCpu = ow.stop(pids);
          const o = open[rate] as ReturnType<typeof merge>;
          log(`pg: ingest ${n} replica(s): ${rate}/s offered → p50 ${ms(o.p50)} p99 ${ms(o.p99)} failed ${o.failed}`);
        }
        const h = openDatabase(loc.url, { schema: loc.schema });
        try {
          const processed = await h.db
            .selectFrom('processed_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          const inboxRows = await h.db
            .selectFrom('inbox')
            .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('status')
            .execute();
          const dead = await h.db
            .selectFrom('outbox')
            .select(['kind', 'msg_type', 'last_error', (eb) => eb.fn.countAll<number>().as('n')])
            .where('status', '=', 'dead')
            .groupBy(['kind', 'msg_type', 'last_error'])
            .orderBy('n', 'desc')
            .limit(2)
            .execute();
          runs.push({
            n,
            sat,
            satCpu,
            satStatements,
            dead: dead.map(
              (d) => `${num(Number(d.n))}× ${d.kind} ${d.msg_type}: ${String(d.last_error ?? '').slice(0, 100)}`,
            ),
            satProcessed: (doneAfter - doneBefore) / (sat.elapsedMs / 1000),
            open,
            openCpu,
            processed: Number(processed.n),
            inbox: Object.fromEntries(inboxRows.map((x) => [x.status, Number(x.n)])),
            outbox: await countOutbox(h.db),
            poolRanOut: satReports.some((x) => x.sent >= satPool),
          });
        } finally {
          await h.close();
        }
      } finally {
        await Promise.all(replicas.map((r) => r.stop()));
        await schemas.drop(loc);
      }
    }
  } finally {
    await gen.exit();
    await b.emu.close();
    rmSync(b.dir, { recursive: true, force: true });
    await schemas.drop(world);
  }
  if (runs.some((r) => r.poolRanOut))
    notes.push('A saturation pool ran out before the time was up; that rate is a lower bound.');

  const one = runs[0];
  const sections: Section[] = [];
  sections.push({
    heading: 'Webhook ingest (signed + encrypted, whole pipeline) on PostgreSQL, by replicas',
    rows: runs.flatMap((r) => {
      const o500 = r.open[500];
      const o1000 = r.open[1000];
      const speedup = one && r.n > 1 ? ` — ${(r.sat.okRate / one.sat.okRate).toFixed(2)}× one replica` : '';
      return [
        row(`${r.n} replica(s): saturation (32 in flight)`, `${num(r.sat.okRate)} events/s${speedup}`),
        row(`${r.n} replica(s): saturation latency p50 / p99`, `${ms(r.sat.p50)} / ${ms(r.sat.p99)}`),
        row(`${r.n} replica(s): processed from the inbox during saturation`, `${num(r.satProcessed)} events/s`),
        row(
          `${r.n} replica(s): p50 / p99 at 500 events/s offered`,
          `${ms(o500?.p50 ?? NaN)} / ${ms(o500?.p99 ?? NaN)}`,
        ),
        row(
          `${r.n} replica(s): p50 / p99 at 1,000 events/s offered`,
          `${ms(o1000?.p50 ?? NaN)} / ${ms(o1000?.p99 ?? NaN)} (max ${ms(o1000?.max ?? NaN)})`,
        ),
        row(
          `${r.n} replica(s): failed requests (saturation, 500, 1,000/s)`,
          `${r.sat.failed}, ${o500?.failed ?? '—'}, ${o1000?.failed ?? '—'}`,
        ),
        row(`${r.n} replica(s): CPU at saturation`, cpuText(r.satCpu, 'load generator')),
        row(`${r.n} replica(s): SQL at saturation`, statementsText(r.satStatements, r.sat.ok)),
        row(`${r.n} replica(s): CPU at 1,000 events/s offered`, cpuText(r.openCpu, 'load generator')),
        row(`${r.n} replica(s): afterwards`, afterText(r)),
      ];
    }),
    notes: [
      'Saturation counts acknowledged events (written to the inbox); the inbox workers process them after the ack, and the row after it says how fast they did during the same window — the inbox left pending afterwards is the backlog.',
      `The same pool builder and load generator as the ingest benchmark (1.), one pool of distinct events per replica and ${Math.ceil(32 / 3)}–32 connections each (32 in all, split evenly); open loop at 500/n and 1,000/n events/s to each of the n replicas, latency from each request's scheduled time. Each replica count starts from a copy of the same seeded schema.`,
      'Each replica is a Node process of its own (createApp with every command and job, outbox dispatcher on, logging to a file as `npm start` logs); the emulator, which receives the replies, runs in the harness process.',
    ],
  });
  return sections;
}

// ------------------------------------------------------------------ 2. card actions

interface CardRun {
  n: number;
  s: ReturnType<typeof stats>;
  rate: number;
  errors: number;
  cpu: CpuShare | undefined;
}

async function clickLoop(emu: Emulator, branches: Branch[], untilMs: number, into?: { lat: number[]; errors: number }) {
  const users = branches.flatMap((br) => br.members.map((m) => ({ br, openId: m.openId })));
  await Promise.all(
    Array.from({ length: CLICKERS }, async (_, i) => {
      const u = users[i % users.length] as (typeof users)[number];
      const value = meButtonValue(u.br.helpCard);
      while (performance.now() < untilMs) {
        const s = performance.now();
        const r = await emu.click({ messageId: u.br.helpCard.messageId, from: u.openId, value });
        if (!into) continue;
        into.lat.push(performance.now() - s);
        if (r.error || r.card || !r.toast?.content.startsWith('已私信发送')) into.errors++;
      }
    }),
  );
}

async function cardsPhase(schemas: Schemas, quick: boolean): Promise<Section[]> {
  const durationMs = quick ? 4000 : 8000;
  log('pg: cards — seeding 5 groups of 10 members on PostgreSQL (long connection) …');
  const world = await schemas.create('cards');
  const b: BenchBot = await startBenchBot({ transport: 'websocket', postgres: world });
  let branches: Branch[];
  try {
    branches = await seedBranches(b, 5, 10);
  } finally {
    await b.app.stop();
    await b.db.close();
  }
  const runs: CardRun[] = [];
  try {
    for (const n of REPLICAS) {
      const loc = await schemas.copy(world, `cards${n}`);
      log(`pg: cards — ${n} replica(s), ${CLICKERS} clickers for ${durationMs / 1000} s …`);
      const replicas = await startReplicas(n, { transport: 'websocket', domain: b.emu.url, postgres: loc }, b.dir);
      try {
        await until(() => b.emu.connectionCount === n, `${n} long connections`, 30_000);
        await clickLoop(b.emu, branches, performance.now() + 2000);
        const into = { lat: [] as number[], errors: 0 };
        const w = new CpuWindow();
        const t = performance.now();
        await clickLoop(b.emu, branches, t + durationMs, into);
        const elapsed = performance.now() - t;
        const cpu = w.stop(replicas.map((r) => r.pid));
        const s = stats(into.lat);
        runs.push({ n, s, rate: (s.n / elapsed) * 1000, errors: into.errors, cpu });
        log(`pg: cards ${n} replica(s): p50 ${ms(s.p50)} p99 ${ms(s.p99)} (${s.n} clicks)`);
      } finally {
        await Promise.all(replicas.map((r) => r.stop()));
        await schemas.drop(loc);
      }
    }
  } finally {
    await b.emu.close();
    rmSync(b.dir, { recursive: true, force: true });
    await schemas.drop(world);
  }
  const one = runs[0];
  return [
    {
      heading: `Card actions on PostgreSQL: ${CLICKERS} concurrent clickers over the long connection, ${durationMs / 1000} s, by replicas`,
      rows: runs.flatMap((r) => [
        row(
          `${r.n} replica(s): clicks answered`,
          `${num(r.s.n)} (${num(r.rate)} clicks/s${one && r.n > 1 ? ` — ${(r.rate / one.rate).toFixed(2)}× one replica` : ''})`,
        ),
        row(`${r.n} replica(s): click → answer p50 / p90 / p99`, `${ms(r.s.p50)} / ${ms(r.s.p90)} / ${ms(r.s.p99)}`),
        row(`${r.n} replica(s): click → answer max`, ms(r.s.max)),
        row(`${r.n} replica(s): answers with an error, or not as a private send`, num(r.errors)),
        row(`${r.n} replica(s): CPU while clicking`, cpuText(r.cpu, 'other children')),
      ]),
      notes: [
        'As the card benchmark (2.): each clicker waits for its answer before clicking again (closed loop), the latency is from `emu.click` to the applied answer, and the emulator — here in the harness process, the bot in the replica processes — hands each callback to the connected replicas in turn.',
      ],
    },
  ];
}

// ------------------------------------------------------------------ 3. reminder scans at 100k

/** A job's figures as the SQLite scans report them, without the plans (PostgreSQL 15 cannot explain them unbound). */
type ScanJob = Omit<JobFigures, 'scans' | 'coldMs' | 'passesMs'>;

/** Every reminder job once (collect + claim), then again (all claimed), on one copy of the world. */
async function runScanJobs(loc: PgLocation): Promise<ScanJob[]> {
  const b = await startBenchBot({
    transport: 'websocket',
    postgres: loc,
    dispatcher: false,
    clock: fixedClock(SCAN_NOW),
    logLevel: 'warn',
  });
  const out: ScanJob[] = [];
  try {
    for (const job of JOBS) {
      const { r, firstMs, peakRss, rssBefore, top } = await timedJobRun(b, job, statementTimes, 3);
      const t2 = performance.now();
      await b.app.runJob(job, SCAN_NOW);
      out.push({
        job,
        firstMs,
        againMs: performance.now() - t2,
        due: r.due,
        posted: r.posted,
        peakRss,
        rssBefore,
        top,
      });
    }
  } finally {
    await b.stop();
  }
  return out;
}

/** `--measure-scans SCHEMAS`: in a fresh process, the first copy cold, then each further copy warm. */
async function measureScansMain(schemas: string[]): Promise<ScanJob[][]> {
  instrumentPg();
  const passes: ScanJob[][] = [];
  for (const schema of schemas) passes.push(await runScanJobs({ url: PG_URL, schema }));
  return passes;
}

function measureScansInChild(schemas: string[]): Promise<ScanJob[][]> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--measure-scans', JSON.stringify(schemas)], {
      execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let text = '';
    child.stdout?.on('data', (d) => {
      text += String(d);
    });
    child.on('exit', () => {
      const line = text.split('\n').find((l) => l.startsWith('[['));
      if (line) resolve(JSON.parse(line) as ScanJob[][]);
      else reject(new Error(`measuring the scans failed: ${text.slice(0, 500)}`));
    });
  });
}

async function scansPhase(schemas: Schemas, quick: boolean): Promise<Section[]> {
  const warmPasses = quick ? 1 : 2;
  log(
    `pg: scans — seeding ${num(SCAN_ITEMS)} rectifications, ${num(SCAN_ITEMS / 2)} tasks, ${num(SCAN_ITEMS / 20)} meetings …`,
  );
  const world = await schemas.create('scans');
  const tb = performance.now();
  const h = openDatabase(world.url, { schema: world.schema });
  try {
    await seedScanWorld(h.db, SCAN_ITEMS);
  } finally {
    await h.close();
  }
  await schemas.analyze(world);
  const buildS = (performance.now() - tb) / 1000;
  const size = await schemas.sizeBytes(world);
  log(`pg: scans — seeded in ${buildS.toFixed(0)} s (${mb(size)}); copying ${1 + warmPasses} times …`);
  const copies: PgLocation[] = [];
  let passes: ScanJob[][];
  try {
    for (let k = 0; k <= warmPasses; k++) copies.push(await schemas.copy(world, `scans${k}`));
    passes = await measureScansInChild(copies.map((c) => c.schema));
  } finally {
    for (const c of copies) await schemas.drop(c);
    await schemas.drop(world);
  }
  const [cold, ...warm] = passes;
  const sections: Section[] = [];
  for (const job of JOBS) {
    const c = cold?.find((j) => j.job === job);
    const ws = warm.map((p) => p.find((j) => j.job === job)).filter((j): j is ScanJob => j !== undefined);
    if (!c || ws.length === 0) continue;
    const best = [...ws].sort((x, y) => x.firstMs - y.firstMs)[0] as ScanJob;
    const first = ws[0] as ScanJob;
    sections.push({
      heading: `Reminder scans on PostgreSQL, ${num(SCAN_ITEMS)} items: ${job}`,
      rows: [
        row(
          'collect + claim, warm process (best of passes)',
          `${ms(best.firstMs)} — ${best.due} due, ${best.posted} claimed (passes: ${ws.map((x) => ms(x.firstMs, 0)).join(', ')})`,
        ),
        row('the same, first job of a fresh process (cold)', ms(c.firstMs)),
        row('run again (all claimed)', ms(best.againMs)),
        row('peak RSS (growth during the job)', `${mb(first.peakRss)} (+${mb(first.peakRss - first.rssBefore)})`),
      ],
      notes: [
        `Where the time went (statements by total time, first warm pass): ${first.top
          .map((t) => `\`${t.sql.slice(0, 140)}${t.sql.length > 140 ? '…' : ''}\` ×${t.calls} ${ms(t.ms)}`)
          .join('; ')}`,
      ],
    });
  }
  const last = sections[sections.length - 1];
  last?.notes?.push(
    `The world of the scan benchmark (4.) at ${num(SCAN_ITEMS)} items, seeded with its own code into a schema in ${buildS.toFixed(0)} s (${mb(size)} of tables and indexes), analysed, then copied ${1 + warmPasses} times; one fresh process runs every job on the first copy (cold), then starts the bot again on each further copy (warm). Statement plans are not reported here (PostgreSQL 15 has no EXPLAIN GENERIC_PLAN for the parameterised statements).`,
  );
  return sections;
}

// ------------------------------------------------------------------ the benchmark

export async function runPg(o: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const cores = availableParallelism();
  const load = loadavg()[0] ?? 0;
  const sections: Section[] = [];
  const notes: string[] = [];
  const host = new URL(PG_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    notes.push(`PostgreSQL not measured: ${host} is not on loopback.`);
    return { name: 'pg', title: '7. PostgreSQL', seconds: 0, sections, notes };
  }
  const schemas = new Schemas();
  try {
    await schemas.connect();
  } catch (err) {
    notes.push(`PostgreSQL not measured: ${err instanceof Error ? err.message : String(err)}.`);
    return { name: 'pg', title: '7. PostgreSQL', seconds: 0, sections, notes };
  }
  let server = '';
  try {
    const v = new pg.Client({ connectionString: PG_URL });
    await v.connect();
    const r = await v.query<{ v: string; sc: string; sb: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc, current_setting('shared_buffers') AS sb`,
    );
    await v.end();
    const x = r.rows[0];
    if (x) server = `PostgreSQL ${x.v} on this machine (synchronous_commit=${x.sc}, shared_buffers=${x.sb})`;
  } catch {
    server = 'PostgreSQL on this machine';
  }
  // QF_BENCH_PG_PHASES=cards (comma-separated) runs only those phases, to compare one change quickly.
  const only = process.env.QF_BENCH_PG_PHASES?.split(',');
  const phases = (
    [
      ['ingest', () => ingestPhase(schemas, o.quick, notes)],
      ['cards', () => cardsPhase(schemas, o.quick)],
      ['scans', () => scansPhase(schemas, o.quick)],
    ] as [string, () => Promise<Section[]>][]
  ).filter(([name]) => !only || only.includes(name));
  try {
    for (const [name, phase] of phases) {
      try {
        sections.push(...(await phase()));
      } catch (err) {
        notes.push(`The ${name} phase failed: ${err instanceof Error ? err.message : String(err)}`);
        log(`pg: ${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  } finally {
    await schemas.end();
  }
  sections.unshift({
    heading: 'Machine',
    rows: [
      row('cores (os.availableParallelism())', String(cores)),
      row('database', server),
      row('1-minute load average at the start', load.toFixed(2)),
    ],
    notes: [
      `What would scale on more cores: each replica is one Node process whose JavaScript (verify, decrypt, parse, route, build the reply and the card) runs on one core, so n replicas can use n cores, and PostgreSQL serves each connection with a backend process of its own and commits through its WAL writer, on further cores. On this ${cores}-core machine the replicas, PostgreSQL, the load generator and the emulator all compete for the same ${cores} cores (the CPU rows say how they shared them), so a second or third replica can add little or even cost throughput here; with a core per replica plus cores for PostgreSQL, throughput would grow with the replicas until PostgreSQL's commits (one WAL flush per transaction, group commit across connections) or its CPU became the limit.`,
      'Not comparable across machines or runs: the figures move with the load average (other work on this VM).',
    ],
  });
  return { name: 'pg', title: '7. PostgreSQL', seconds: (performance.now() - t0) / 1000, sections, notes };
}

if (process.argv[1] === SELF && process.argv[2] === '--replica') {
  replicaMain(JSON.parse(process.argv[3] as string) as ReplicaArgs);
}

if (process.argv[1] === SELF && process.argv[2] === '--measure-scans') {
  answerParent(measureScansMain(JSON.parse(process.argv[3] as string) as string[]));
}
