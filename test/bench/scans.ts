/**
 * 4. Reminder scans. 1,000 orgs with N rectifications, N/2 task occurrences and N/20 meetings
 * (N = 10,000, 100,000 and 1,000,000), of which a fixed 500 are due on the run's date: 250
 * rectifications and 150 tasks on the ladder (T−3, T0, T+1, T+3) and 100 meetings the next working
 * day with attendees who have not answered. Everything else is not due: closed or done with past
 * deadlines, or open with deadlines months away, or meetings far from the reminder window.
 *
 * Each database is built here (bulk inserts with kysely, in batches inside transactions); each size
 * is then measured in a fresh process (`--measure FILE`): the bot is started on the file with its
 * dispatcher stopped, and every reminder job is run with `app.runJob(name, now)` — collect, claim and
 * the outbox rows written in each claim's transaction, not the sending. Peak RSS is sampled every 5 ms.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { fixedClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';
import { addDays } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { ensureRules } from '../../src/features/meetings/repository.ts';
import { seededRandom } from '../helpers/fault-bot.ts';
import {
  answerParent,
  type BenchBot,
  type BenchResult,
  log,
  mb,
  ms,
  num,
  RssSampler,
  row,
  type Section,
  startBenchBot,
} from './lib.ts';

/** The run's instant: Monday 2026-11-09 09:30 in Beijing — a working day, the first of its week. */
export const SCAN_NOW = new Date('2026-11-09T09:30:00+08:00');
const TODAY = '2026-11-09';
export const JOBS = [
  'rectification-reminders',
  'task-reminders',
  'meeting-reminders',
  'rectification-digest',
  'compliance-check',
] as const;
const ORGS = 1000;
const DUE = { rect: 250, task: 150, meeting: 100 };

const memberId = (org: number, j: number) => `ou_bench${String(org).padStart(5, '0')}m${j}`;
const ROLES = ['secretary', 'inspector', 'organizer', 'member', 'member'];

async function insertBatched<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  count: number,
  make: (i: number) => Record<string, unknown>,
  batch = 400,
): Promise<void> {
  for (let start = 0; start < count; start += 20_000) {
    await db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(count, start + 20_000); i += batch) {
        const rows = [];
        for (let j = i; j < Math.min(count, start + 20_000, i + batch); j++) rows.push(make(j));
        await trx
          .insertInto(table)
          // biome-ignore lint/suspicious/noExplicitAny: rows built per table above
          .values(rows as any)
          .execute();
      }
    });
  }
}

/** Builds the world for `items` rectifications (tasks items/2, meetings items/20); returns its file. */
export async function buildScanDb(file: string, items: number): Promise<void> {
  const handle = openDatabase(file);
  const db = handle.db;
  await migrateToLatest(db, handle.dialect);
  // Building only: no fsync, a large page cache. The measuring process opens the file as the bot does.
  await sql`PRAGMA synchronous = OFF`.execute(db);
  await sql`PRAGMA cache_size = -262144`.execute(db);
  await seedScanWorld(db, items);
  await sql`ANALYZE`.execute(db);
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  await handle.close();
}

/**
 * The scan world's rows, into a migrated, empty database of either dialect (ids from 1, as the rows
 * refer to each other by position). The PostgreSQL benchmark seeds a schema with it.
 */
export async function seedScanWorld(db: Kysely<Database>, items: number): Promise<void> {
  const cal = new WorkCalendar();
  const at = '2026-01-05T01:00:00.000Z';
  const rand = seededRandom(items);
  const day = (offset: number) => addDays(TODAY, offset);
  // Ladder deadlines that are due today: T−3, T0, T+1, T+3 (working days).
  const ladder = [cal.addWorkdays(TODAY, 3), TODAY, cal.addWorkdays(TODAY, -1), cal.addWorkdays(TODAY, -3)];

  await insertBatched(db, 'orgs', ORGS, (i) => ({
    name: `第${i + 1}党支部`,
    parent_id: null,
    settings: '{}',
    created_at: at,
  }));
  await insertBatched(db, 'chat_bindings', ORGS, (i) => ({
    chat_id: `oc_bench${String(i + 1).padStart(6, '0')}`,
    org_id: i + 1,
    chat_name: `第${i + 1}党支部`,
    bound_by: memberId(i + 1, 0),
    bound_at: at,
  }));
  await insertBatched(db, 'members', ORGS * 5, (i) => {
    const org = Math.floor(i / 5) + 1;
    return {
      org_id: org,
      open_id: memberId(org, i % 5),
      name: `成员${org}-${i % 5}`,
      role: ROLES[i % 5],
      away_until: null,
      away_reason: null,
      created_at: at,
      updated_at: at,
    };
  });
  await db.transaction().execute(async (trx) => {
    for (let org = 1; org <= ORGS; org++) await ensureRules(trx, org, at);
  });

  // Rectifications: the due ones first (spread over orgs), then the rest.
  await insertBatched(db, 'rectifications', items, (i) => {
    const org = (i % ORGS) + 1;
    const owner = 1 + (i % 4);
    let status: string;
    let deadline: string;
    let closedAt: string | null = null;
    if (i < DUE.rect) {
      status = i % 2 ? 'in_progress' : 'pending';
      deadline = ladder[i % 4] as string;
    } else if (rand() < 0.5) {
      status = 'closed';
      deadline = day(-30 - Math.floor(rand() * 700));
      closedAt = `${deadline}T08:00:00.000Z`;
    } else {
      status = rand() < 0.5 ? 'pending' : 'in_progress';
      deadline = day(60 + Math.floor(rand() * 600));
    }
    return {
      org_id: org,
      batch_id: null,
      source: '巡察反馈',
      problem: `第${i + 1}项：落实全面从严治党主体责任不到位，谈心谈话开展不经常`,
      measures: '制定整改方案，明确责任人和时限，按月报告进展',
      leader: '李书记',
      owner_open_id: memberId(org, owner),
      owner_name: `成员${org}-${owner}`,
      deadline,
      kind: 'centralized',
      area: '作风建设',
      status,
      progress: status === 'closed' ? 100 : 30,
      late: 0,
      submitted_at: null,
      closed_at: closedAt,
      reviewer_open_id: null,
      reviewer_name: null,
      import_key: null,
      version: 1,
      created_by: memberId(org, 0),
      created_at: at,
      updated_at: at,
    };
  });

  // The responsibility list: 10 items per org; task occurrences spread over them.
  await insertBatched(db, 'duty_lists', ORGS, (i) => ({
    org_id: i + 1,
    year: 2026,
    title: '2026年主体责任清单',
    created_at: at,
  }));
  await insertBatched(db, 'duty_items', ORGS * 10, (i) => ({
    list_id: Math.floor(i / 10) + 1,
    org_id: Math.floor(i / 10) + 1,
    seq: (i % 10) + 1,
    category: '纪律建设',
    content: `第${(i % 10) + 1}项：每月开展一次廉政风险排查并形成记录`,
    leader: '李书记',
    cadence: 'monthly',
    due_date: null,
    due_day: null,
    evidence: '排查记录',
    active: 1,
    import_key: null,
    created_by: memberId(Math.floor(i / 10) + 1, 0),
    created_at: at,
    updated_at: at,
  }));
  await insertBatched(db, 'tasks', items / 2, (i) => {
    const org = (i % ORGS) + 1;
    const owner = 1 + (i % 4);
    let status: string;
    let due: string;
    if (i < DUE.task) {
      status = 'not_started';
      due = ladder[i % 4] as string;
    } else if (rand() < 0.5) {
      status = 'done';
      due = day(-30 - Math.floor(rand() * 700));
    } else {
      status = rand() < 0.5 ? 'not_started' : 'in_progress';
      due = day(60 + Math.floor(rand() * 600));
    }
    return {
      org_id: org,
      item_id: (org - 1) * 10 + 1 + (Math.floor(i / ORGS) % 10),
      owner_open_id: memberId(org, owner),
      owner_name: `成员${org}-${owner}`,
      period: `p${i}`,
      due_date: due,
      status,
      percent: status === 'done' ? 100 : 0,
      late: 0,
      done_at: status === 'done' ? `${due}T08:00:00.000Z` : null,
      version: 1,
      created_at: at,
      updated_at: at,
    };
  });

  // Meetings: the due ones tomorrow (the next working day) at 15:00 with 5 invited attendees and
  // their notice card already posted; the others far before or after the reminder window.
  const tomorrow = cal.addWorkdays(TODAY, 1);
  const meetings = items / 20;
  await insertBatched(db, 'sessions', meetings, (i) => {
    const org = (i % ORGS) + 1;
    const start =
      i < DUE.meeting
        ? new Date(`${tomorrow}T15:00:00+08:00`)
        : new Date(
            `${rand() < 0.5 ? day(-60 - Math.floor(rand() * 600)) : day(30 + Math.floor(rand() * 300))}T15:00:00+08:00`,
          );
    return {
      org_id: org,
      category: 'meeting',
      kind: 'branch_committee',
      title: `支部委员会会议 ${i + 1}`,
      start_at: start.toISOString(),
      place: '党员活动室',
      agenda: '传达学习上级精神；研究部署近期工作',
      status: 'scheduled',
      organiser_open_id: memberId(org, 2),
      organiser_name: `成员${org}-2`,
      minutes: start.getTime() < SCAN_NOW.getTime() ? '会议纪要（略）' : null,
      minutes_at: null,
      reflection_days: 5,
      version: 1,
      created_at: at,
      updated_at: at,
    };
  });
  await insertBatched(db, 'session_attendees', meetings * 5, (i) => {
    const session = Math.floor(i / 5) + 1;
    const org = ((session - 1) % ORGS) + 1;
    return {
      session_id: session,
      open_id: memberId(org, i % 5),
      name: `成员${org}-${i % 5}`,
      status: session <= DUE.meeting ? 'invited' : 'signed',
      reason: null,
      answered_at: null,
      voting: 1,
    };
  });
  // The due meetings' notice cards (so the job's notice step is done and the 1-day reminder is due).
  await insertBatched(db, 'outbox', DUE.meeting, (i) => ({
    org_id: (i % ORGS) + 1,
    kind: 'send',
    target_type: 'chat_id',
    target_id: `oc_bench${String((i % ORGS) + 1).padStart(6, '0')}`,
    ref_outbox_id: null,
    msg_type: 'interactive',
    payload: '{}',
    uuid: `qf-bench-notice-${i}`,
    dedupe_key: null,
    coalesce_key: null,
    status: 'sent',
    attempts: 1,
    next_attempt_at: at,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    message_id: `om_bench_notice_${i}`,
    created_at: at,
    sent_at: at,
  }));
  await insertBatched(db, 'cards', DUE.meeting, (i) => ({
    org_id: (i % ORGS) + 1,
    kind: 'session',
    subject_id: i + 1,
    outbox_id: i + 1,
    created_at: at,
  }));
  // Evidence, as the ledgers collect it: one file per closed rectification and per done task.
  const closedRects: number[] = [];
  const doneTasks: number[] = [];
  for (const r of await db.selectFrom('rectifications').select('id').where('status', '=', 'closed').execute())
    closedRects.push(r.id);
  for (const t of await db.selectFrom('tasks').select('id').where('status', '=', 'done').execute())
    doneTasks.push(t.id);
  await insertBatched(db, 'rectification_evidence', closedRects.length, (i) => ({
    item_id: closedRects[i],
    kind: 'link',
    value: `https://docs.example.cn/rect/${closedRects[i]}`,
    name: '整改完成佐证',
    added_by: 'ou_bench',
    at,
  }));
  await insertBatched(db, 'task_evidence', doneTasks.length, (i) => ({
    task_id: doneTasks[i],
    kind: 'link',
    value: `https://docs.example.cn/task/${doneTasks[i]}`,
    name: '排查记录',
    added_by: 'ou_bench',
    at,
  }));
}

// ------------------------------------------------------------------ measuring (fresh process)

export interface JobFigures {
  job: string;
  /** The same job, first run in a fresh process (cold JIT and caches), on a copy of the database. */
  coldMs?: number;
  /** First-run times of every measured pass (`firstMs` is their median). */
  passesMs?: number[];
  /** The statements that took the most time in the first run: SQL, calls, total ms. */
  top: { sql: string; calls: number; ms: number }[];
  /** Statements whose plan scans a whole table. */
  scans: { sql: string; plan: string }[];
  firstMs: number;
  againMs: number;
  due: number;
  posted: number;
  peakRss: number;
  rssBefore: number;
}

export interface MeasureOutput {
  jobs: JobFigures[];
  plans: Record<string, string[]>;
  idleRss: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Time spent in each SQL statement (better-sqlite3 calls, wrapped), for the per-job profile. */
const statementTimes = new Map<string, { calls: number; ms: number }>();

export type StatementTimes = Map<string, { calls: number; ms: number }>;

/**
 * Runs `job` once as of SCAN_NOW with `times` (the caller's statement timer) cleared first and the RSS
 * sampled: what it found, how long it took, memory before and at peak, its `topN` heaviest statements.
 */
export async function timedJobRun(b: BenchBot, job: string, times: StatementTimes, topN: number) {
  gc();
  const rssBefore = process.memoryUsage.rss();
  times.clear();
  const sampler = new RssSampler().start(5);
  const t = performance.now();
  const r = await b.app.runJob(job, SCAN_NOW);
  const firstMs = performance.now() - t;
  const peakRss = sampler.stop();
  const top = [...times]
    .map(([q, v]) => ({ sql: q, calls: v.calls, ms: v.ms }))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, topN);
  return { r, firstMs, peakRss, rssBefore, top };
}

function instrumentSqlite(): void {
  const proto = SQLite.prototype as unknown as { prepare(this: unknown, q: string): Record<string, unknown> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, q: string) {
    const stmt = prepare.call(this, q);
    for (const m of ['all', 'get', 'run', 'iterate']) {
      const f = stmt[m] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof f !== 'function') continue;
      stmt[m] = function (this: unknown, ...a: unknown[]) {
        const t = performance.now();
        try {
          return f.apply(this, a);
        } finally {
          const e = statementTimes.get(q) ?? { calls: 0, ms: 0 };
          e.calls++;
          e.ms += performance.now() - t;
          statementTimes.set(q, e);
        }
      };
    }
    return stmt;
  };
}

/** Measured passes per size; each job's figure is the median pass (this VM's speed varies by ~2×). */
const WARM_PASSES = 3;

/** Runs `measureOn` on a copy of `file` and removes the copy. */
async function onCopy(file: string, tag: string): Promise<MeasureOutput> {
  const copy = `${file}.${tag}.db`;
  copyFileSync(file, copy);
  // Flush the copy now: otherwise the job's first WAL checkpoint fsyncs the whole fresh file (700 MB
  // at 1M items) and the measurement is of the disk, not of the job.
  const fd = openSync(copy, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  try {
    return await measureOn(copy);
  } finally {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  }
}

/**
 * Runs every job once on a copy of the database (a cold process), then WARM_PASSES measured passes,
 * each on a fresh copy in the now-warm process; per job, the pass with the median first-run time is
 * the one reported (with every pass's time).
 */
async function measure(file: string): Promise<MeasureOutput> {
  instrumentSqlite();
  const cold = await onCopy(file, 'cold');
  const passes: MeasureOutput[] = [];
  for (let k = 0; k < WARM_PASSES; k++) passes.push(await onCopy(file, `pass${k}`));
  const first = passes[0] as MeasureOutput;
  return {
    ...first,
    jobs: first.jobs.map((j) => {
      const runs = passes.map((p) => p.jobs.find((x) => x.job === j.job) as JobFigures);
      const sorted = [...runs].sort((x, y) => x.firstMs - y.firstMs);
      const median = sorted[Math.floor(sorted.length / 2)] as JobFigures;
      const firstPass = runs[0] as JobFigures;
      return {
        ...median,
        // Memory as in the first pass: every pass starts another bot in this process, and what the
        // earlier ones leave behind (V8 keeps freed heap a while) is no part of one bot's footprint.
        peakRss: firstPass.peakRss,
        rssBefore: firstPass.rssBefore,
        passesMs: runs.map((r) => r.firstMs),
        coldMs: cold.jobs.find((c) => c.job === j.job)?.firstMs ?? Number.NaN,
      };
    }),
  };
}

async function measureOn(file: string): Promise<MeasureOutput> {
  const b = await startBenchBot({
    transport: 'websocket',
    databaseFile: file,
    dispatcher: false,
    clock: fixedClock(SCAN_NOW),
    logLevel: 'warn',
  });
  const out: MeasureOutput = { jobs: [], plans: {}, idleRss: 0 };
  const explain = new SQLite(file, { readonly: true });
  gc();
  await new Promise((r) => setTimeout(r, 200));
  out.idleRss = process.memoryUsage.rss();
  for (const job of JOBS) {
    const { r, firstMs, peakRss, rssBefore, top } = await timedJobRun(b, job, statementTimes, 4);
    const scans: JobFigures['scans'] = [];
    for (const q of statementTimes.keys()) {
      if (!/^\s*(select|update|delete)/i.test(q)) continue;
      try {
        const params = Array.from({ length: (q.match(/\?/g) ?? []).length }, () => null);
        const plan = (explain.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as { detail: string }[]).map(
          (p) => p.detail,
        );
        const full = plan.filter((d) => /^SCAN /.test(d) && !/USING (COVERING )?INDEX/.test(d));
        if (full.length) scans.push({ sql: q, plan: plan.join('; ') });
      } catch {
        /* not explainable */
      }
    }
    const t2 = performance.now();
    await b.app.runJob(job, SCAN_NOW);
    const againMs = performance.now() - t2;
    out.jobs.push({ job, firstMs, againMs, due: r.due, posted: r.posted, peakRss, rssBefore, top, scans });
  }
  explain.close();
  await b.stop();
  return out;
}

function measureInChild(file: string): Promise<MeasureOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--expose-gc', fileURLToPath(import.meta.url), '--measure', file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d) => {
      text += String(d);
    });
    child.on('exit', () => {
      const line = text.split('\n').find((l) => l.startsWith('{"jobs"'));
      if (line) resolve(JSON.parse(line) as MeasureOutput);
      else reject(new Error(`measuring ${file} failed: ${text.slice(0, 500)}`));
    });
  });
}

export async function runScans(o: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const sizes = o.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-scans-'));
  const results = new Map<number, MeasureOutput & { buildS: number; fileMb: number }>();
  try {
    for (const n of sizes) {
      const file = join(dir, `scan-${n}.db`);
      log(`scans: building ${num(n)} rectifications, ${num(n / 2)} tasks, ${num(n / 20)} meetings …`);
      const tb = performance.now();
      await buildScanDb(file, n);
      const buildS = (performance.now() - tb) / 1000;
      const fileMb = statSync(file).size / 1024 / 1024;
      log(`scans: built in ${buildS.toFixed(0)} s (${fileMb.toFixed(0)} MB); measuring in a fresh process …`);
      const m = await measureInChild(file);
      for (const j of m.jobs)
        log(
          `scans: ${num(n)} ${j.job}: ${ms(j.firstMs)} (again ${ms(j.againMs)}), ${j.posted} posted, peak ${mb(j.peakRss)}`,
        );
      results.set(n, { ...m, buildS, fileMb });
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const sections: Section[] = [];
  const small = results.get(10_000);
  const large = results.get(1_000_000);
  for (const job of JOBS) {
    const rows = [];
    for (const n of sizes) {
      const j = results.get(n)?.jobs.find((x) => x.job === job);
      if (!j) continue;
      const at100k = n === 100_000;
      rows.push(
        row(
          `${num(n)} items: collect + claim (first run, median of ${j.passesMs?.length ?? 1})`,
          `${ms(j.firstMs)} — ${j.due} due, ${j.posted} claimed${j.passesMs ? ` (passes: ${j.passesMs.map((x) => ms(x, 0)).join(', ')})` : ''}`,
          at100k ? '≤ 300 ms' : undefined,
          at100k ? j.firstMs <= 300 : undefined,
        ),
        row(`${num(n)} items: the same, first job of a fresh process (cold)`, ms(j.coldMs ?? Number.NaN)),
        row(`${num(n)} items: run again (all claimed)`, ms(j.againMs)),
        row(
          `${num(n)} items: peak RSS (growth during the job)`,
          `${mb(j.peakRss)} (+${mb(j.peakRss - j.rssBefore)})`,
          at100k ? '≤ 200 MB' : undefined,
          at100k ? j.peakRss <= 200 * 1024 * 1024 : undefined,
        ),
      );
    }
    const a = small?.jobs.find((x) => x.job === job);
    const c = large?.jobs.find((x) => x.job === job);
    if (a && c) {
      const growth = c.firstMs / a.firstMs;
      rows.push(row('time at 1,000,000 ÷ time at 10,000 (same 500 due)', `${growth.toFixed(2)}×`, '≤ 3×', growth <= 3));
    }
    const big = results.get(sizes[sizes.length - 1] as number)?.jobs.find((x) => x.job === job);
    const notes: string[] = [];
    if (big) {
      notes.push(
        `Where the time went at ${num(sizes[sizes.length - 1] as number)} items (SQL statements by total time): ${big.top
          .map((t) => `\`${t.sql.slice(0, 140)}${t.sql.length > 140 ? '…' : ''}\` ×${t.calls} ${ms(t.ms)}`)
          .join('; ')}`,
      );
      for (const sc of big.scans) notes.push(`Full scan: \`${sc.sql.slice(0, 160)}\` — plan: ${sc.plan}`);
    }
    sections.push({ heading: job, rows, notes });
  }
  const build = sizes.map((n) => {
    const r = results.get(n);
    return `${num(n)}: built in ${r?.buildS.toFixed(0)} s, ${r?.fileMb.toFixed(0)} MB on disk, bot idle RSS ${mb(r?.idleRss ?? NaN)}`;
  });
  return {
    name: 'scans',
    title: '4. Reminder scans',
    seconds: (performance.now() - t0) / 1000,
    sections,
    notes: [
      `1,000 orgs (5 members, a bound group and the default calendar rules each); N rectifications, N/2 task occurrences, N/20 meetings with 5 attendees, one evidence row per closed rectification and per done task; 500 due on ${TODAY} (250 rectifications and 150 tasks on the T−3/T0/T+1/T+3 ladder, 100 meetings the next working day). Run as of ${SCAN_NOW.toISOString()} (Monday 09:30 Beijing).`,
      `Databases: ${build.join('; ')}.`,
      `Each size is measured in a fresh process that first runs every job on a copy of the database (reported as “cold”: JIT, statement cache and calendar cache empty), then ${WARM_PASSES} times starts the bot again on a fresh copy and runs each job — the measured figure is the median of those passes, as a bot that has been running meets its 15-minute schedule — and then once more, when everything is already claimed.`,
      'Peak RSS is the whole bot process (sampled every 5 ms during the first measured pass), after a GC; the growth is over its RSS just before the job. The process runs under tsx, which itself holds ~50 MB that `npm start` does not (see start-up).',
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--measure') {
  answerParent(measure(process.argv[3] as string));
}
