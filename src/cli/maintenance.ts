/** The operator's maintenance commands: migrations, jobs, the outbox and the holiday tables. */
import { readFileSync } from 'node:fs';
import { jobs } from '../../jobs/index.ts';
import { systemClock } from '../clock.ts';
import { listHolidayOverrides, replaceHolidayYear } from '../db/repositories/holidays.ts';
import { listJobRuns } from '../db/repositories/job-runs.ts';
import { listOutbox, retryDead } from '../db/repositories/outbox.ts';
import { formatLocal, localParts } from '../domain/time.ts';
import { parseHolidayFile, WorkCalendar } from '../domain/workdays.ts';
import { runJob } from '../scheduler/runner.ts';
import { type CliContext, CliError, defineCliCommand } from './command.ts';
import { jobLabel, scheduleInWords } from './job-words.ts';

/** An instant stored as ISO-8601, as the operator reads it: `YYYY-MM-DD HH:mm` in BOT_TIMEZONE. */
export function localTime(iso: string | null | undefined, tz: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatLocal(d, tz);
}

/** "（北京时间）" for Asia/Shanghai, else the zone's name. */
export const zoneNote = (tz: string): string => `（${tz === 'Asia/Shanghai' ? '北京时间' : tz}）`;

function parseNow(s: string | undefined): Date {
  if (s === undefined) return systemClock.now();
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) {
    throw new CliError(`--now 应为 ISO-8601 时间，例如 2026-12-01T09:30:00+08:00（收到 ${s}）`);
  }
  return d;
}

const loadCalendar = async (ctx: CliContext) => new WorkCalendar(await listHolidayOverrides(ctx.db.db));

export const migrateCommand = defineCliCommand({
  name: 'migrate',
  usage: 'migrate',
  summary: '执行数据库迁移',
  options: {},
  positionals: 0,
  async run({ db, io }) {
    io.out(`数据库已是最新（${db.description}）`);
  },
});

export const jobListCommand = defineCliCommand({
  name: 'job list',
  usage: 'job list',
  summary: '列出定时任务',
  options: {},
  positionals: 0,
  async run({ db, io, timezone }) {
    const runs = new Map((await listJobRuns(db.db)).map((r) => [r.name, r]));
    io.out(`时间均为 ${timezone}${zoneNote(timezone)}`);
    for (const j of jobs) {
      const r = runs.get(j.name);
      io.out(
        `${j.name}\t${jobLabel(j.name, j.summary)}\t${scheduleInWords(j.schedule)}（${j.schedule}）\t${j.summary}`,
      );
      const last = r?.last_finished_at ? localTime(r.last_finished_at, timezone) : '从未';
      io.out(`  上次运行：${last}${r?.last_result ? `（${r.last_result}）` : ''}`);
    }
  },
});

export const jobRunCommand = defineCliCommand({
  name: 'job run',
  usage: 'job run 名称 [--now 时间]',
  summary: '按指定时间运行任务，例如 --now 2026-12-01T09:30:00+08:00',
  options: { now: { type: 'string' } },
  positionals: 1,
  async run(ctx, { values, positionals: [name] }) {
    const job = jobs.find((j) => j.name === name);
    if (!job) throw new CliError(`没有名为 ${name ?? '(空)'} 的任务。可用：${jobs.map((j) => j.name).join('、')}`);
    const now = parseNow(values.now);
    const result = await runJob(
      job,
      {
        db: ctx.db.db,
        clock: { now: () => now },
        wallClock: systemClock,
        settings: { timezone: ctx.timezone, botAdmins: [] },
        logger: ctx.logger,
        calendar: () => loadCalendar(ctx),
        afterCommit: () => undefined,
      },
      now,
    );
    ctx.io.out(`${job.name} @ ${result.asOf}: ${result.summary}`);
    if (result.posted > 0) ctx.io.out('提醒已写入发送队列，运行中的清风会发送它们。');
  },
});

export const outboxListCommand = defineCliCommand({
  name: 'outbox list',
  usage: 'outbox list [--sent | --dead] [--limit N]',
  summary: '查看待发送的消息（--sent 最近已发送，--dead 发送失败）',
  options: { sent: { type: 'boolean' }, dead: { type: 'boolean' }, limit: { type: 'string' } },
  positionals: 0,
  async run({ db, io, timezone }, { values }) {
    if (values.sent && values.dead) {
      throw new CliError('--sent 与 --dead 只能选一个。用法：npm run cli -- outbox list [--sent | --dead] [--limit N]');
    }
    const status = values.dead ? 'dead' : values.sent ? 'sent' : 'pending';
    const limit = Number(values.limit ?? 50);
    if (!Number.isInteger(limit) || limit <= 0) throw new CliError(`--limit 应为正整数（收到 ${values.limit}）`);
    // Sent rows: the newest ones; pending and dead: the oldest first, as they wait.
    const rows = await listOutbox(db.db, { status, limit, newest: status === 'sent' });
    if (rows.length === 0) {
      io.out({ pending: '没有待发送的消息。', sent: '还没有已发送的消息。', dead: '没有发送失败的消息。' }[status]);
      return;
    }
    const title = { pending: '待发送', sent: '最近已发送', dead: '发送失败' }[status];
    io.out(`${title}的消息 ${rows.length} 条，时间均为 ${timezone}${zoneNote(timezone)}：`);
    for (const r of rows) {
      const when =
        status === 'sent'
          ? `创建 ${localTime(r.created_at, timezone)}\t发送 ${localTime(r.sent_at, timezone)}`
          : status === 'pending'
            ? `创建 ${localTime(r.created_at, timezone)}\t下次尝试 ${localTime(r.next_attempt_at, timezone)}`
            : `创建 ${localTime(r.created_at, timezone)}`;
      io.out(
        `#${r.id}\t${r.status}\t${r.kind}\t${r.target_type}:${r.target_id ?? `(ref #${r.ref_outbox_id})`}\t尝试 ${r.attempts} 次\t${when}${r.last_error ? `\t${r.last_error}` : ''}`,
      );
    }
  },
});

export const outboxRetryCommand = defineCliCommand({
  name: 'outbox retry',
  usage: 'outbox retry ID',
  summary: '重新发送一条失败的消息',
  options: {},
  positionals: 1,
  async run({ db, io }, { positionals }) {
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0) throw new CliError('outbox retry 需要消息编号，例如 outbox retry 12');
    if (!(await retryDead(db.db, id, systemClock.now().toISOString()))) {
      throw new CliError(`#${id} 不是发送失败的消息（用 outbox list --dead 查看）`);
    }
    io.out(`#${id} 已重新排队，运行中的清风会发送它。`);
  },
});

export const holidaysImportCommand = defineCliCommand({
  name: 'holidays import',
  usage: 'holidays import 文件.json',
  summary: '导入某一年的法定节假日与调休安排',
  options: {},
  positionals: 1,
  async run({ db, io }, { positionals: [file] }) {
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
  },
});

export const holidaysStatusCommand = defineCliCommand({
  name: 'holidays status',
  usage: 'holidays status [年份]',
  summary: '查看各年份节假日表的来源',
  options: {},
  positionals: 1,
  async run(ctx, { positionals: [year] }) {
    const calendar = await loadCalendar(ctx);
    const from = year ? Number(year) : localParts(systemClock.now(), ctx.timezone).year;
    if (!Number.isInteger(from)) throw new CliError(`年份应为数字，例如 holidays status 2027（收到 ${year}）`);
    for (const y of [from, from + 1]) {
      const src = calendar.sourceFor(y);
      const label = { package: '软件包内置', override: '运维导入', weekdays: '缺失（按周一至周五计算）' }[src];
      ctx.io.out(`${y}：${label}`);
    }
  },
});
