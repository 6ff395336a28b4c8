/**
 * Run by startup.ts in a fresh process: loads the bot's modules in turn, then opens a fresh SQLite
 * file and migrates it, printing how long each step took and the RSS after it. No static imports,
 * so nothing is loaded before the first step.
 */
async function runPhases(dbFile: string): Promise<void> {
  const steps: { what: string; ms: number; rss: number }[] = [];
  const processToScript = performance.now();
  let t = performance.now();
  const step = (what: string) => {
    const now = performance.now();
    steps.push({ what, ms: now - t, rss: process.memoryUsage.rss() });
    t = now;
  };
  step('(tsx loaded, this script compiled)');
  // As the bot loads it (src/feishu/sdk.ts: require, not import), where that file exists.
  await import('../../src/feishu/sdk.ts').catch(() => import('@larksuiteoapi/node-sdk'));
  step('@larksuiteoapi/node-sdk');
  await import('kysely');
  await import('better-sqlite3');
  await import('pg');
  step('kysely, better-sqlite3, pg');
  await import('zod');
  step('zod');
  await import('pino');
  await import('ws');
  await import('node-cron');
  await import('chinese-days');
  step('pino, ws, node-cron, chinese-days');
  await import('../../src/app.ts');
  step('src/app.ts and the rest of src/ it imports');
  await import('../../commands/index.ts');
  await import('../../jobs/index.ts');
  step('commands/ and jobs/');
  await import('../../src/sandbox/run.ts');
  step('src/sandbox/ (emulator, console)');
  const { openDatabase } = await import('../../src/db/connection.ts');
  const { migrateToLatest } = await import('../../src/db/migrate.ts');
  const h = openDatabase(dbFile);
  step('open a fresh SQLite file');
  await migrateToLatest(h.db, h.dialect);
  step('run the migrations');
  await h.close();
  await import('exceljs');
  step('exceljs (loaded on the first import or export, not at start)');
  process.stdout.write(`${JSON.stringify({ processToScript, steps })}\n`);
}

runPhases(process.argv[2] as string).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
