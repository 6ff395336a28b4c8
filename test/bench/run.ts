/**
 * `npm run bench` — every benchmark, each in a fresh Node process (so one's memory and JIT state
 * do not colour the next), then BENCHMARKS.md's results section rewritten with the figures.
 *
 *   npm run bench                       all of them (~20 minutes)
 *   npm run bench -- --only ingest      one (ingest, cards, outbound, scans, startup, rollup, pg; comma-separated)
 *   npm run bench -- --quick            shorter runs (1,000 outbound messages, smaller scan sizes)
 *   npm run bench -- --no-write         print only; leave BENCHMARKS.md alone
 *
 * Benchmarks report numbers and never fail: the exit code is 0 whatever the figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './lib.ts';

const BENCHES = ['ingest', 'cards', 'outbound', 'scans', 'startup', 'rollup', 'pg'] as const;
type BenchName = (typeof BENCHES)[number];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const MARK = '<!-- results: written by `npm run bench`; everything below this line is replaced -->';

async function runOne(name: BenchName, quick: boolean): Promise<BenchResult> {
  switch (name) {
    case 'ingest':
      return (await import('./ingest.ts')).runIngest({ quick });
    case 'cards':
      return (await import('./cards.ts')).runCards({ quick });
    case 'outbound':
      return (await import('./outbound.ts')).runOutbound({ quick });
    case 'scans':
      return (await import('./scans.ts')).runScans({ quick });
    case 'startup':
      return (await import('./startup.ts')).runStartup({ quick });
    case 'rollup':
      return (await import('./rollup.ts')).runRollup({ quick });
    case 'pg':
      return (await import('./pg.ts')).runPg({ quick });
  }
}

/**
 * Waits (up to 30 s) for the machine to be quiet — a 1-minute load average under 1 — so other
 * work does not colour the figures; returns the load average it started at, which is reported.
 */
async function quiet(): Promise<number> {
  const deadline = Date.now() + 30_000;
  let told = false;
  while ((loadavg()[0] ?? 0) >= 1 && Date.now() < deadline) {
    if (!told)
      process.stderr.write(`waiting for the load average (${(loadavg()[0] ?? 0).toFixed(1)}) to drop below 1 …\n`);
    told = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
  return loadavg()[0] ?? 0;
}

/** Runs one benchmark in a child process (node --import tsx run.ts --child NAME) and reads its JSON. */
function inChild(name: BenchName, quick: boolean): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-run-'));
  const out = join(dir, 'result.json');
  const args = ['--import', 'tsx', '--expose-gc', SELF, '--child', name, '--out', out, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as BenchResult);
      } catch {
        resolve({
          name,
          title: name,
          seconds: 0,
          sections: [],
          notes: [`The benchmark did not finish (exit ${code ?? signal}); see its output above.`],
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderResults(results: BenchResult[], quick: boolean): string {
  const cpu = cpus();
  const lines: string[] = [
    MARK,
    '',
    '## Results',
    '',
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${process.platform} ${process.arch}`,
    `- Node ${process.version}; database: SQLite file in a temp dir (better-sqlite3, WAL, synchronous=NORMAL)`,
    `- Written: ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC${quick ? ' — **quick run** (`--quick`)' : ''}`,
    `- Command: \`npm run bench${quick ? ' -- --quick' : ''}\``,
    '',
  ];
  const summary: string[] = ['| benchmark | figure | value | target | met |', '| --- | --- | --- | --- | --- |'];
  for (const r of results) {
    for (const s of r.sections)
      for (const x of s.rows)
        if (x.target !== undefined)
          summary.push(
            `| ${cell(r.title)} | ${cell(`${s.heading}: ${x.figure}`)} | ${cell(x.value)} | ${cell(x.target)} | ${x.met === undefined ? '—' : x.met ? 'met' : '**missed**'} |`,
          );
  }
  lines.push('### Targets at a glance', '', ...summary, '');
  for (const r of results) {
    const when = r.at ? ` on ${r.at.replace('T', ' ').slice(0, 16)} UTC` : '';
    const load = r.load
      ? `; 1-min load average ${r.load.before.toFixed(1)} before, ${r.load.after.toFixed(1)} after`
      : '';
    lines.push(
      `### ${r.title}`,
      '',
      `_Ran in ${r.seconds.toFixed(0)} s${when}${r.quick ? ', quick mode' : ''}${load}._`,
      '',
    );
    for (const s of r.sections) {
      lines.push(`#### ${s.heading}`, '', '| figure | value | target | met |', '| --- | --- | --- | --- |');
      for (const x of s.rows)
        lines.push(
          `| ${cell(x.figure)} | ${cell(x.value)} | ${cell(x.target ?? '')} | ${x.target === undefined || x.met === undefined ? '' : x.met ? 'met' : '**missed**'} |`,
        );
      lines.push('');
      for (const n of s.notes ?? []) lines.push(`- ${n}`);
      if (s.notes?.length) lines.push('');
    }
    for (const n of r.notes) lines.push(`${n}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function printResult(r: BenchResult): void {
  const out: string[] = [`\n== ${r.title} (${r.seconds.toFixed(0)} s)`];
  for (const s of r.sections) {
    out.push(`-- ${s.heading}`);
    for (const x of s.rows) {
      const target = x.target ? `   [target ${x.target}: ${x.met === undefined ? '—' : x.met ? 'met' : 'MISSED'}]` : '';
      out.push(`   ${x.figure}: ${x.value}${target}`);
    }
    for (const n of s.notes ?? []) out.push(`   · ${n}`);
  }
  for (const n of r.notes) out.push(`   note: ${n}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (f: string) => argv.includes(f);
  const value = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = flag('--quick');
  const child = value('--child') as BenchName | undefined;
  if (child) {
    const result = { ...(await runOne(child, quick)), at: new Date().toISOString(), quick };
    writeFileSync(value('--out') as string, JSON.stringify(result));
    process.exit(0);
  }
  const only = value('--only');
  const selected = only
    ? only
        .split(',')
        .map((s) => s.trim())
        .filter((s): s is BenchName => (BENCHES as readonly string[]).includes(s))
    : [...BENCHES];
  if (only && selected.length === 0) {
    process.stderr.write(`--only takes one or more of: ${BENCHES.join(', ')}\n`);
    process.exit(0);
  }
  const results: BenchResult[] = [];
  for (const name of selected) {
    process.stderr.write(`\n>>> ${name}\n`);
    const loadBefore = await quiet();
    const r = await inChild(name, quick);
    r.load = { before: loadBefore, after: loadavg()[0] ?? 0 };
    printResult(r);
    results.push(r);
  }
  if (flag('--no-write')) return;
  const file = join(ROOT, 'BENCHMARKS.md');
  let intro = '';
  let previous: string | undefined;
  try {
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(MARK);
    intro = at >= 0 ? text.slice(0, at) : `${text.trimEnd()}\n\n`;
    previous = at >= 0 ? text.slice(at) : undefined;
  } catch {
    intro = '# Benchmarks\n\n';
  }
  if (only && previous) {
    // One benchmark: replace its part only, keep the others' figures.
    const merged = mergeResults(previous, results, quick);
    writeFileSync(file, `${intro}${merged}`);
  } else {
    writeFileSync(file, `${intro}${withData(renderResults(results, quick), results)}`);
  }
  process.stderr.write(`\nBENCHMARKS.md written (${selected.join(', ')}).\n`);
}

/** For `--only`: keep the previous run's results of the other benchmarks (stored as JSON in a comment). */
function mergeResults(previous: string, fresh: BenchResult[], quick: boolean): string {
  const m = /<!-- data: (.*) -->/.exec(previous);
  let old: BenchResult[] = [];
  if (m?.[1]) {
    try {
      old = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as BenchResult[];
    } catch {
      old = [];
    }
  }
  const byName = new Map(old.map((r) => [r.name, r]));
  for (const r of fresh) byName.set(r.name, r);
  const ordered = BENCHES.flatMap((n) => (byName.has(n) ? [byName.get(n) as BenchResult] : []));
  return withData(renderResults(ordered, quick), ordered);
}

function withData(text: string, results: BenchResult[]): string {
  return `${text}\n<!-- data: ${Buffer.from(JSON.stringify(results)).toString('base64')} -->\n`;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(0);
});
