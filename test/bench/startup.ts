/**
 * 5. Start-up and footprint. `node src/launch.mjs src/main.ts` (what `npm start` runs) spawned — and,
 * for comparison in the same run, `node --import tsx src/main.ts` (what it ran before):
 * - in sandbox mode (no credentials; PORT=0, a fresh temp DATABASE_URL, HOME and working dir), until
 *   it prints the console URL — the first start seeds the demo org, so a restart on the same data
 *   is measured too;
 * - with Feishu credentials against an emulator running here (FEISHU_APP_ID/SECRET/DOMAIN), until
 *   the emulator sees the long connection;
 * RSS 10 s and 30 s later from /proc/<pid>/status (VmRSS of the node process). Then where the time and
 * memory go: a child that loads the same modules step by step and opens the database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/clock.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import { APP_ID, APP_SECRET, type BenchResult, log, mb, ms, row, type Section, sleep } from './lib.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');
const TSX = import.meta.resolve('tsx');

interface Runner {
  label: string;
  args: string[];
}
const NPM_START: Runner = {
  label: 'npm start (node src/launch.mjs src/main.ts)',
  args: [join(ROOT, 'src/launch.mjs'), MAIN],
};
const VIA_TSX: Runner = { label: 'node --import tsx src/main.ts (before)', args: ['--import', TSX, MAIN] };

function vmRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Start {
  ms: number;
  child: ChildProcess;
}

/** Spawns the bot and resolves when `ready` says so (or rejects after 60 s). */
function spawnBot(
  runner: Runner,
  env: Record<string, string>,
  cwd: string,
  ready: (out: string) => boolean,
): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, runner.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s: ${out.slice(0, 400)}`)), 60_000);
    const check = () => {
      if (ready(out)) {
        clearTimeout(timer);
        resolve({ ms: performance.now() - t0, child });
      }
    };
    child.stdout?.on('data', (d) => {
      out += String(d);
      check();
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${out.slice(0, 400)}`));
    });
    (child as ChildProcess & { recheck?: () => void }).recheck = check;
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};

export interface Phases {
  processToScript: number;
  steps: { what: string; ms: number; rss: number }[];
}

/** Loads the bot's modules step by step in a fresh process and opens a database: where start-up goes. */
async function phases(tmp: string): Promise<Phases> {
  const child = spawn(
    process.execPath,
    ['--import', TSX, fileURLToPath(new URL('./startup-phases.ts', import.meta.url)), join(tmp, 'phases.db')],
    {
      cwd: tmp,
      env: { PATH: process.env.PATH ?? '', HOME: tmp, TMPDIR: process.env.TMPDIR ?? tmpdir() },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  await new Promise((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`phases failed: ${out.slice(0, 300)}`);
  return JSON.parse(line) as Phases;
}

interface Figures {
  fresh: number[];
  restart: number[];
  connect: number[];
  /** VmRSS 10 s after ready (start-up garbage not yet collected). */
  sandboxAt10: number;
  credAt10: number;
  /** VmRSS 30 s after ready: idle, after V8's memory reducer has run (it starts after ~15 s idle). */
  sandboxIdle: number;
  credIdle: number;
}

const isUrl = (out: string) => /http:\/\/127\.0\.0\.1:\d+\//.test(out);

/** One sandbox run: a first start (seeds), then a restart on its data; idle RSS after the restart. */
async function sandboxRun(runner: Runner, f: Figures, measureIdle: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-start-'));
  const env = { ...baseEnv(), HOME: dir, PORT: '0', DATABASE_URL: join(dir, 'sandbox.db') };
  try {
    const a = await spawnBot(runner, env, dir, isUrl);
    f.fresh.push(a.ms);
    await stop(a.child);
    const b = await spawnBot(runner, env, dir, isUrl);
    f.restart.push(b.ms);
    if (measureIdle) {
      await sleep(10_000);
      f.sandboxAt10 = vmRss(b.child.pid as number);
      await sleep(20_000);
      f.sandboxIdle = vmRss(b.child.pid as number);
    }
    await stop(b.child);
    log(`startup: ${runner.label}: sandbox fresh ${ms(a.ms, 0)}, restart ${ms(b.ms, 0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One start with credentials against `emu`, until the emulator sees the long connection. */
async function credentialsRun(runner: Runner, emu: Emulator, f: Figures, measureIdle: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-start-'));
  const env = {
    ...baseEnv(),
    HOME: dir,
    PORT: '0',
    DATABASE_URL: join(dir, 'bot.db'),
    FEISHU_APP_ID: APP_ID,
    FEISHU_APP_SECRET: APP_SECRET,
    FEISHU_DOMAIN: emu.url,
    LOG_LEVEL: 'warn',
  };
  const before = emu.stats.connections;
  const t = performance.now();
  let connectedAt = 0;
  const onConn = () => {
    if (!connectedAt && emu.stats.connections > before) connectedAt = performance.now();
  };
  emu.on('connection', onConn);
  try {
    const child = spawn(process.execPath, runner.args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const deadline = Date.now() + 60_000;
    while (!connectedAt && Date.now() < deadline && child.exitCode === null) await sleep(5);
    f.connect.push(connectedAt ? connectedAt - t : NaN);
    if (measureIdle) {
      await sleep(10_000);
      f.credAt10 = vmRss(child.pid as number);
      await sleep(20_000);
      f.credIdle = vmRss(child.pid as number);
    }
    await stop(child);
    log(`startup: ${runner.label}: with credentials, long connection after ${ms(connectedAt - t, 0)}`);
  } finally {
    emu.off('connection', onConn);
    rmSync(dir, { recursive: true, force: true });
  }
}

const baseEnv = () => ({ PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? tmpdir() });

export async function runStartup(o: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const runs = o.quick ? 1 : 3;
  const sections: Section[] = [];
  const notes: string[] = [];
  const runners = [NPM_START, VIA_TSX];
  const figures = new Map<Runner, Figures>(
    runners.map((r) => [
      r,
      { fresh: [], restart: [], connect: [], sandboxAt10: NaN, credAt10: NaN, sandboxIdle: NaN, credIdle: NaN },
    ]),
  );
  const of = (r: Runner) => figures.get(r) as Figures;

  // Interleaved, so a change in the machine's load falls on both alike.
  for (let i = 0; i < runs; i++) for (const r of runners) await sandboxRun(r, of(r), i === 0);
  const emu = await new Emulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    clock: systemClock,
    wallClock: systemClock,
    delivery: 'websocket',
  }).start();
  try {
    for (let i = 0; i < runs; i++) for (const r of runners) await credentialsRun(r, emu, of(r), i === 0);
  } finally {
    await emu.close();
  }

  // ---- where it goes
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-start-'));
  let ph: Phases | undefined;
  try {
    ph = await phases(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const now = of(NPM_START);
  const before = of(VIA_TSX);
  const restartMs = median(now.restart);
  const connectMs = median(now.connect);
  const ratio = (a: number, b: number) => `${ms(a, 0)} vs ${ms(b, 0)} (${((a / b) * 100).toFixed(0)} %)`;
  sections.push({
    heading: `${NPM_START.label}, median of ${runs}`,
    rows: [
      row('sandbox, first start (seeds the demo org) → console URL printed', ms(median(now.fresh), 0)),
      row('sandbox, restart on its data → console URL printed', ms(restartMs, 0), '≤ 1.5 s', restartMs <= 1500),
      row('with credentials → the emulator sees the long connection', ms(connectMs, 0), '≤ 1.5 s', connectMs <= 1500),
      row('RSS 10 s after ready, with credentials (VmRSS)', mb(now.credAt10)),
      row(
        'idle RSS 30 s after ready, with credentials (VmRSS)',
        mb(now.credIdle),
        '≤ 120 MB',
        now.credIdle <= 120 * 1024 * 1024,
      ),
      row(
        'RSS 10 s / idle RSS 30 s after ready, sandbox (bot + emulator + console)',
        `${mb(now.sandboxAt10)} / ${mb(now.sandboxIdle)}`,
      ),
      row(
        'all runs (first start / restart / credentials)',
        `${now.fresh.map((x) => ms(x, 0)).join(', ')} / ${now.restart.map((x) => ms(x, 0)).join(', ')} / ${now.connect.map((x) => ms(x, 0)).join(', ')}`,
      ),
    ],
    notes: [
      'The first sandbox start creates the demo world through the real bot (binding the group, roles, demo rectifications, tasks and meetings, a run of every job), so it is not a start-up time; the restart is.',
      'Each start compiles src/ with esbuild into node_modules/.cache/qingfeng (about 0.1 s) and runs the result with source maps on.',
      'The commands are spawned directly; `npm start` itself adds npm’s own start-up before them (0.1–0.2 s here).',
      'RSS is sampled twice: 10 s after ready, when the garbage of start-up is still in the heap, and 30 s after ready, once the process has been idle long enough for V8’s memory reducer to shrink the heap (it runs after ~15 s without activity). The idle figure is the second.',
    ],
  });
  sections.push({
    heading: `Compared in the same run with ${VIA_TSX.label}, medians, interleaved`,
    rows: [
      row('sandbox restart → console URL: launcher vs tsx', ratio(restartMs, median(before.restart))),
      row('with credentials → long connection: launcher vs tsx', ratio(connectMs, median(before.connect))),
      row(
        'idle RSS (30 s) with credentials: launcher vs tsx',
        `${mb(now.credIdle)} vs ${mb(before.credIdle)} (${((now.credIdle / before.credIdle) * 100).toFixed(0)} %)`,
      ),
      row('idle RSS (30 s) sandbox: launcher vs tsx', `${mb(now.sandboxIdle)} vs ${mb(before.sandboxIdle)}`),
    ],
    notes: [],
  });
  if (ph) {
    sections.push({
      heading: 'Where start-up goes under tsx (a fresh process loading the same modules in turn)',
      rows: [
        row('node start → first line of the script (node + the tsx loader)', ms(ph.processToScript, 0)),
        ...ph.steps.map((s) => row(s.what, `${ms(s.ms, 0)} (RSS ${mb(s.rss)})`)),
      ],
      notes: [
        'Each step counts only what the steps before it had not loaded yet. TypeScript is compiled by tsx on first use and cached (in the temp dir), so these are warm-cache figures, as for every start but the first after an install or a change.',
      ],
    });
  }
  return {
    name: 'startup',
    title: '5. Start-up and footprint',
    seconds: (performance.now() - t0) / 1000,
    sections,
    notes,
  };
}
