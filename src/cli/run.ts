/**
 * The operator's command line: `npm run cli -- <command>`.
 *   migrate                              apply pending database migrations
 *   job list                             the jobs, their schedules and last runs
 *   job run NAME [--now ISO-8601]        run a job "as of" a time (default now); reminders go to the outbox
 *   outbox list [--dead] [--limit N]     outbox rows (dead letters with --dead)
 *   outbox retry ID                      send a dead letter again
 *   holidays import FILE                 import a year's holiday table (JSON, see README)
 *   holidays status [YEAR]               which years have a holiday table
 *   import rectifications FILE --org ORG [--dry-run]
 *   export rectifications --org ORG --out FILE [--batch NAME]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { jobs } from '../../jobs/index.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../core/contracts.ts';
import type { DbHandle } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { findBatchByName } from '../db/repositories/batches.ts';
import { listHolidayOverrides, replaceHolidayYear } from '../db/repositories/holidays.ts';
import { listJobRuns } from '../db/repositories/job-runs.ts';
import { findOrgByName } from '../db/repositories/orgs.ts';
import { listOutbox, retryDead } from '../db/repositories/outbox.ts';
import type { Database, Org } from '../db/schema.ts';
import { localParts } from '../domain/time.ts';
import { parseHolidayFile, WorkCalendar } from '../domain/workdays.ts';
import { runJob } from '../scheduler/runner.ts';
import { actingContext } from '../services/acting.ts';
import { importers } from '../services/importer-registry.ts';
import { detectImporter } from '../services/importers.ts';
import { exportRectifications } from '../services/rect-export.ts';
import type { ActingContext } from '../services/rectification.ts';
import { MAX_IMPORT_ROWS, readSpreadsheet } from '../services/spreadsheet.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export class CliError extends Error {}

const USAGE = `用法：npm run cli -- <命令>
  migrate                           执行数据库迁移
  job list                          列出定时任务
  job run 名称 [--now 时间]          按指定时间运行任务，例如 --now 2026-12-01T09:30:00+08:00
  outbox list [--dead] [--limit N]  查看待发送 / 发送失败的消息
  outbox retry ID                   重新发送一条失败的消息
  holidays import 文件.json          导入某一年的法定节假日与调休安排
  holidays status [年份]             查看各年份节假日表的来源
  import rectifications 文件 --org 组织名 [--dry-run]   导入整改台账（.xlsx/.csv）
  export rectifications --org 组织名 --out 文件 [--batch 批次]   导出整改台账 .xlsx
  sandbox reset                     清空沙箱数据`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new CliError(`${name} 需要一个值`);
  return v;
}

function parseNow(s: string | undefined): Date {
  if (s === undefined) return systemClock.now();
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) {
    throw new CliError(`--now 应为 ISO-8601 时间，例如 2026-12-01T09:30:00+08:00（收到 ${s}）`);
  }
  return d;
}

/** Runs one CLI command against an open database. Exported for tests. */
export async function runCli(
  args: string[],
  ctx: { db: DbHandle; timezone: string; logger: Logger; io: CliIo },
): Promise<void> {
  const { db, io } = ctx;
  const [cmd, sub, ...rest] = args;
  await migrateToLatest(db.db, db.dialect);
  const calendarLoader = async () => new WorkCalendar(await listHolidayOverrides(db.db));

  if (cmd === 'migrate') {
    io.out(`数据库已是最新（${db.description}）`);
    return;
  }
  if (cmd === 'job' && sub === 'list') {
    const runs = new Map((await listJobRuns(db.db)).map((r) => [r.name, r]));
    for (const j of jobs) {
      const r = runs.get(j.name);
      io.out(`${j.name}\t${j.schedule}\t${j.summary}`);
      io.out(`  上次运行：${r?.last_finished_at ?? '从未'}${r?.last_result ? `（${r.last_result}）` : ''}`);
    }
    return;
  }
  if (cmd === 'job' && sub === 'run') {
    const name = rest[0];
    const job = jobs.find((j) => j.name === name);
    if (!job) throw new CliError(`没有名为 ${name ?? '(空)'} 的任务。可用：${jobs.map((j) => j.name).join('、')}`);
    const now = parseNow(flag(rest, '--now'));
    const result = await runJob(
      job,
      {
        db: db.db,
        clock: { now: () => now },
        wallClock: systemClock,
        settings: { timezone: ctx.timezone, botAdmins: [] },
        logger: ctx.logger,
        calendar: calendarLoader,
        afterCommit: () => undefined,
      },
      now,
    );
    io.out(`${job.name} @ ${result.asOf}: ${result.summary}`);
    if (result.posted > 0) io.out('提醒已写入发送队列，运行中的清风会发送它们。');
    return;
  }
  if (cmd === 'outbox' && sub === 'list') {
    const dead = rest.includes('--dead');
    const limit = Number(flag(rest, '--limit') ?? 50);
    const rows = await listOutbox(db.db, { status: dead ? 'dead' : undefined, limit });
    if (rows.length === 0) io.out(dead ? '没有发送失败的消息。' : '发送队列为空。');
    for (const r of rows) {
      io.out(
        `#${r.id}\t${r.status}\t${r.kind}\t${r.target_type}:${r.target_id ?? `(ref #${r.ref_outbox_id})`}\t尝试 ${r.attempts} 次\t${r.created_at}${r.last_error ? `\t${r.last_error}` : ''}`,
      );
    }
    return;
  }
  if (cmd === 'outbox' && sub === 'retry') {
    const id = Number(rest[0]);
    if (!Number.isInteger(id) || id <= 0) throw new CliError('outbox retry 需要消息编号，例如 outbox retry 12');
    if (!(await retryDead(db.db, id, systemClock.now().toISOString()))) {
      throw new CliError(`#${id} 不是发送失败的消息（用 outbox list --dead 查看）`);
    }
    io.out(`#${id} 已重新排队，运行中的清风会发送它。`);
    return;
  }
  if (cmd === 'holidays' && sub === 'import') {
    const file = rest[0];
    if (!file) throw new CliError('holidays import 需要文件路径');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CliError(`无法读取 ${file}：${e instanceof Error ? e.message : String(e)}`);
    }
    let entries: ReturnType<typeof parseHolidayFile>;
    try {
      entries = parseHolidayFile(json);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    const year = Number(entries[0]?.date.slice(0, 4));
    await db.db.transaction().execute((trx) => replaceHolidayYear(trx, year, entries));
    const holidays = entries.filter((e) => e.kind === 'holiday').length;
    io.out(`已导入 ${year} 年：${holidays} 个放假日，${entries.length - holidays} 个调休上班日。`);
    return;
  }
  if (cmd === 'holidays' && sub === 'status') {
    const calendar = await calendarLoader();
    const from = rest[0] ? Number(rest[0]) : localParts(systemClock.now(), ctx.timezone).year;
    for (const y of [from, from + 1]) {
      const src = calendar.sourceFor(y);
      const label = { package: '软件包内置', override: '运维导入', weekdays: '缺失（按周一至周五计算）' }[src];
      io.out(`${y}：${label}`);
    }
    return;
  }
  if ((cmd === 'import' || cmd === 'export') && sub) {
    await ledgerCommand(cmd, sub, rest, ctx);
    return;
  }
  throw new CliError(USAGE);
}

/** `import <ledger> FILE --org ORG [--dry-run]` and `export <ledger> --org ORG --out FILE [--batch NAME]`. */
async function ledgerCommand(
  cmd: 'import' | 'export',
  ledger: string,
  rest: string[],
  ctx: { db: DbHandle; timezone: string; logger: Logger; io: CliIo },
): Promise<void> {
  const { db, io } = ctx;
  const orgName = flag(rest, '--org');
  if (!orgName) throw new CliError(`${cmd} 需要 --org 组织名`);
  const org = await findOrgByName(db.db, orgName);
  if (!org) throw new CliError(`没有名为“${orgName}”的组织`);
  const now = systemClock.now();
  if (cmd === 'export') {
    if (ledger !== 'rectifications') throw new CliError('可导出：rectifications');
    const out = flag(rest, '--out');
    if (!out) throw new CliError('export 需要 --out 文件路径');
    const batchName = flag(rest, '--batch');
    const batch = batchName ? await findBatchByName(db.db, org.id, batchName) : undefined;
    if (batchName && !batch) throw new CliError(`没有名为“${batchName}”的批次`);
    const file = await exportRectifications(db.db, { org, batchId: batch?.id, now, timezone: ctx.timezone });
    writeFileSync(out, file.bytes);
    io.out(`已导出 ${file.count} 项整改事项到 ${out}`);
    return;
  }
  const importer = importers.find((i) => i.kind === ledger);
  if (!importer) throw new CliError(`可导入：${importers.map((i) => i.kind).join('、')}`);
  const path = rest.find((a, i) => !a.startsWith('--') && !rest[i - 1]?.startsWith('--'));
  if (!path) throw new CliError(`import ${ledger} 需要文件路径`);
  if (!existsSync(path)) throw new CliError(`找不到文件 ${path}`);
  const dryRun = rest.includes('--dry-run');
  await db.db.transaction().execute(async (trx) => {
    const acting = cliContext(trx, org, now, ctx);
    let rows: Awaited<ReturnType<typeof readSpreadsheet>>;
    try {
      rows = await readSpreadsheet(basename(path), readFileSync(path));
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    const found = detectImporter([importer], rows);
    if (!found) throw new CliError(`没有识别出${importer.label}的表头`);
    const data = rows.slice(found.header.row + 1);
    if (data.length > MAX_IMPORT_ROWS) throw new CliError(`文件超过 ${MAX_IMPORT_ROWS} 行（共 ${data.length} 行数据）`);
    const plan = await importer.plan(acting, data, found.header.columns, found.header.row + 2);
    io.out(
      `${importer.label}：${plan.rows.length} 行可导入（新增 ${plan.counts.created}，更新 ${plan.counts.updated}，无变化 ${plan.counts.unchanged}），${plan.problems.length} 行有错误`,
    );
    for (const p of plan.problems) io.out(`  第${p.line}行：${p.reason}`);
    if (dryRun) {
      io.out('（--dry-run：未写入）');
      return;
    }
    io.out(await importer.apply(acting, plan.rows));
    await acting.audit({
      action: `import:${importer.kind}:cli`,
      subject: `org:${org.id}`,
      after: { file: basename(path), rows: plan.rows.length },
    });
  });
}

/** The context a CLI import runs in: an operator acting as the org's secretary would, audited as `cli`. */
function cliContext(
  trx: Kysely<Database>,
  org: Org,
  now: Date,
  ctx: { timezone: string; logger: Logger },
): ActingContext {
  return actingContext(trx, {
    org,
    actor: { openId: 'cli', name: '运维（命令行）', role: 'secretary', isBotAdmin: true },
    now,
    wallNow: now,
    timezone: ctx.timezone,
    logger: ctx.logger,
    auditActor: 'cli',
  });
}
