/** `import <ledger> FILE --org ORG [--dry-run]` and `export rectifications --org ORG --out FILE [--batch NAME]`. */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { systemClock } from '../clock.ts';
import type { ActingContext, Logger } from '../core/contracts.ts';
import { findOrgByName } from '../db/repositories/orgs.ts';
import type { Database, Org } from '../db/schema.ts';
import { importers } from '../features/index.ts';
import { findBatchByName } from '../features/rectification/batch-repository.ts';
import { exportRectifications } from '../features/rectification/export.ts';
import { actingContext } from '../services/acting.ts';
import { detectImporter } from '../services/importers.ts';
import { MAX_IMPORT_ROWS, readSpreadsheet } from '../services/spreadsheet.ts';
import { type CliContext, CliError, defineCliCommand } from './command.ts';

async function orgNamed(ctx: CliContext, cmd: 'import' | 'export', name: string | undefined): Promise<Org> {
  if (!name) throw new CliError(`${cmd} 需要 --org 组织名`);
  const org = await findOrgByName(ctx.db.db, name);
  if (!org) throw new CliError(`没有名为“${name}”的组织`);
  return org;
}

export const importCommand = defineCliCommand({
  name: 'import',
  usage: 'import rectifications 文件 --org 组织名 [--dry-run]',
  summary: '导入整改台账（.xlsx/.csv）',
  options: { org: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: 2,
  async run(ctx, { values, positionals: [ledger, path] }) {
    const org = await orgNamed(ctx, 'import', values.org);
    const importer = importers.find((i) => i.kind === ledger);
    if (!importer) throw new CliError(`可导入：${importers.map((i) => i.kind).join('、')}`);
    if (!path) throw new CliError(`import ${ledger} 需要文件路径`);
    if (!existsSync(path)) throw new CliError(`找不到文件 ${path}`);
    const now = systemClock.now();
    const { io } = ctx;
    await ctx.db.db.transaction().execute(async (trx) => {
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
      if (data.length > MAX_IMPORT_ROWS)
        throw new CliError(`文件超过 ${MAX_IMPORT_ROWS} 行（共 ${data.length} 行数据）`);
      const plan = await importer.plan(acting, data, found.header.columns, found.header.row + 2);
      io.out(
        `${importer.label}：${plan.rows.length} 行可导入（新增 ${plan.counts.created}，更新 ${plan.counts.updated}，无变化 ${plan.counts.unchanged}），${plan.problems.length} 行有错误`,
      );
      for (const p of plan.problems) io.out(`  第${p.line}行：${p.reason}`);
      if (plan.skipped?.length) {
        io.out(`跳过 ${plan.skipped.length} 行（注释、说明）：${plan.skipped.map((p) => `第${p.line}行`).join('、')}`);
      }
      for (const note of plan.notes ?? []) io.out(note);
      if (values['dry-run']) {
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
  },
});

export const exportCommand = defineCliCommand({
  name: 'export',
  usage: 'export rectifications --org 组织名 --out 文件 [--batch 批次]',
  summary: '导出整改台账 .xlsx',
  options: { org: { type: 'string' }, out: { type: 'string' }, batch: { type: 'string' } },
  positionals: 1,
  async run(ctx, { values, positionals: [ledger] }) {
    const org = await orgNamed(ctx, 'export', values.org);
    if (ledger !== 'rectifications') throw new CliError('可导出：rectifications');
    const out = values.out;
    if (!out) throw new CliError('export 需要 --out 文件路径');
    const batch = values.batch ? await findBatchByName(ctx.db.db, org.id, values.batch) : undefined;
    if (values.batch && !batch) throw new CliError(`没有名为“${values.batch}”的批次`);
    const now = systemClock.now();
    const file = await exportRectifications(ctx.db.db, { org, batchId: batch?.id, now, timezone: ctx.timezone });
    writeFileSync(out, file.bytes);
    ctx.io.out(`已导出 ${file.count} 项整改事项到 ${out}`);
  },
});

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
