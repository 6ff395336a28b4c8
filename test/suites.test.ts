// The two suites and the waits in test/: every test file runs under exactly one of `npm test`
// (vitest.config.ts) and `npm run test:slow` (vitest.slow.config.ts), as listed in test/suites.ts; and no
// test sleeps for a fixed time — tests wait for a condition (test/helpers/wait.ts `until`, the
// emulator's `waitFor`, `settled`/`drained` in test/helpers/converse.ts) or move a clock the bot takes.
// Only the fault scenarios pace their own inputs (`pace`: kills, terminated connections, arrivals).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fast from '../vitest.config.ts';
import slow from '../vitest.slow.config.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const p = join(dir, name);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : [p];
  });
}

/** A glob as vitest reads these (`**` any folders, `*` within one name) as a regular expression. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

type Suite = { test?: { include?: string[]; exclude?: string[] } };
function runsIn(config: Suite, file: string): boolean {
  const matches = (globs: string[] | undefined) => (globs ?? []).some((g) => globRegex(g).test(file));
  return matches(config.test?.include) && !matches(config.test?.exclude);
}

const testFiles = files('test').filter((f) => f.endsWith('.test.ts'));

describe('the fast and the slow suite', () => {
  it('every test file runs in exactly one of them', () => {
    expect(testFiles.length).toBeGreaterThan(40);
    const wrong = testFiles
      .map((f) => ({ f, in: [runsIn(fast as Suite, f) && 'npm test', runsIn(slow as Suite, f) && 'test:slow'] }))
      .filter((x) => x.in.filter(Boolean).length !== 1)
      .map((x) => `${x.f}: ${x.in.filter(Boolean).join(' and ') || 'neither'}`);
    expect(wrong).toEqual([]);
  });

  it('every entry of the slow list names test files that exist', () => {
    const include = (slow as Suite).test?.include ?? [];
    const empty = include.filter((g) => !testFiles.some((f) => globRegex(g).test(f)));
    expect(empty).toEqual([]);
  });
});

describe('no fixed sleeps in test/', () => {
  // Load generators (bench, soak) pace themselves on purpose and are not tests.
  const sources = files('test').filter(
    (f) => f.endsWith('.ts') && !f.startsWith(join('test', 'bench')) && !f.startsWith(join('test', 'soak')),
  );
  const WAIT_HELPERS = join('test', 'helpers', 'wait.ts');
  /** Timers that measure rather than wait: the event-loop stall meter. */
  const MEASURING = [join('test', 'unit', 'spreadsheet-size.test.ts')];
  const mayPace = (f: string) =>
    f.startsWith(join('test', 'faults')) || /^test[/\\]helpers[/\\]fault-[^/\\]+\.ts$/.test(f);

  it('waits on conditions, never on the clock', () => {
    const found: string[] = [];
    for (const f of sources) {
      if (f === WAIT_HELPERS || f === relative(ROOT, fileURLToPath(import.meta.url))) continue;
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const at = `${f}:${i + 1}: ${line.trim()}`;
          if (/\b(pause|sleep|delay)\s*\(/.test(line)) found.push(at);
          // A timer that ends a wait with reject() is a deadline, not a sleep.
          if (/\bset(Timeout|Interval)\s*\(/.test(line) && !/reject\(/.test(line) && !MEASURING.includes(f)) {
            found.push(at);
          }
          if (/\bpace\s*\(/.test(line) && !mayPace(f)) found.push(at);
        });
    }
    expect(found).toEqual([]);
  });
});
