/**
 * Storage faults for the fault suite: another process holding SQLite's write lock (`BEGIN IMMEDIATE`)
 * or a PostgreSQL row lock until told to let go; a small tmpfs mounted for the data folder (root only)
 * and a filler file that takes all its space; SQLite's `PRAGMA integrity_check`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { ROOT } from './fault-proc.ts';

/** A lock held by another process until `release()` (or, at once and synchronously, `releaseNow()`). */
export interface HeldLock {
  release(): Promise<void>;
  /** Signals the holder (SIGUSR2) to let go: usable where the caller cannot wait, e.g. inside a log hook. */
  releaseNow(): void;
  child: ChildProcess;
}

function holder(script: string, args: string[]): Promise<HeldLock> {
  const child = spawn(process.execPath, ['-e', script, '--', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d) => (out += String(d)));
  // Released twice, or after the holder exited: nothing to do.
  child.stdin?.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}): ${out}`)));
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (!out.includes('locked')) return;
      child.removeAllListeners('exit');
      resolve({
        child,
        releaseNow: () => {
          if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGUSR2');
        },
        release: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            if (!child.stdin?.writableEnded) child.stdin?.end('release\n');
          }),
      });
    });
  });
}

/** Another process opens the SQLite file and holds its write lock (BEGIN IMMEDIATE) until released. */
export function holdSqliteWriteLock(path: string): Promise<HeldLock> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[process.argv.length - 1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    const release = () => { if (db.inTransaction) db.exec('ROLLBACK'); db.close(); process.exit(0); };
    process.on('SIGUSR2', release);
    process.stdin.on('data', release);
    process.stdin.on('end', release);
  `;
  return holder(script, [path]);
}

/** Another process (another PostgreSQL connection) holds row locks (`FOR UPDATE`) until released. */
export function holdPostgresRowLock(url: string, schema: string, table: string, where: string): Promise<HeldLock> {
  const script = `
    const pg = require('pg');
    const [url, schema, table, where] = process.argv.slice(-4);
    const c = new pg.Client({ connectionString: url, options: '-c search_path=' + schema });
    (async () => {
      await c.connect();
      await c.query('BEGIN');
      const r = await c.query('SELECT 1 FROM ' + table + ' WHERE ' + where + ' FOR UPDATE');
      if (r.rowCount === 0) throw new Error('no row to lock');
      process.stdout.write('locked\\n');
      let done = false;
      const release = async () => {
        if (done) return;
        done = true;
        await c.query('ROLLBACK').catch(() => {});
        process.exit(0);
      };
      process.on('SIGUSR2', release);
      process.stdin.on('data', release);
      process.stdin.on('end', release);
    })().catch((e) => { process.stderr.write(String(e)); process.exit(1); });
  `;
  return holder(script, [url, schema, table, where]);
}

/** `PRAGMA integrity_check` on a SQLite file, from a separate read-only connection. */
export function sqliteIntegrity(path: string): string {
  const db = new SQLite(path, { readonly: true, timeout: 5000 });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** A small tmpfs for the data folder: the only honest full disk on a shared machine. Needs root. */
export interface SmallDisk {
  dir: string;
  /** Takes every free byte with a filler file; returns its size. */
  fill(): number;
  /** Deletes the filler: space returns. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'qf-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'qf-fault-tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`the full-disk test mounts a small tmpfs and needs root (or CAP_SYS_ADMIN), as in CI: ${why}`);
  }
  const filler = join(dir, 'filler.bin');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let size = 0;
      try {
        for (;;) size += writeSync(fd, chunk);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOSPC') throw e;
      }
      // The last bytes of a page, then nothing.
      try {
        for (;;) size += writeSync(fd, Buffer.alloc(1));
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOSPC') throw e;
      } finally {
        closeSync(fd);
      }
      return size;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
