/**
 * Ledger imports: a spreadsheet sent to the bot is recognised by its headers, previewed on a card
 * ("N 行可导入，M 行有错误"), kept as a pending import, and written only when an admin presses
 * 确认导入. Each ledger (rectifications, the responsibility list …) is an `Importer` made with the
 * ledger kit's `defineImporter` (src/ledger/import-kit.ts) and listed in importer-registry.ts.
 */

import { buildImportCancelledCard, buildImportDoneCard, buildPreviewCard } from '../cards/import-card.ts';
import type { Card } from '../core/card.ts';
import type { ActingContext } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { savePendingImport, setImportStatus } from '../db/repositories/imports.ts';
import { lockRow } from '../db/repositories/versioned.ts';
import { detectImporter, type Importer } from '../ledger/import-kit.ts';
import { MAX_IMPORT_ROWS, readSpreadsheet } from './spreadsheet.ts';

export {
  detectImporter,
  type Importer,
  type ImportPlan,
  type ImportProblem,
} from '../ledger/import-kit.ts';

/** Reads the file, recognises the ledger, saves a pending import and returns its preview card. */
export async function previewImport(
  ctx: ActingContext,
  importers: readonly Importer[],
  file: { fileName: string; bytes: Buffer },
  only?: string,
): Promise<Card> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请先加入一个组织再导入。');
  const rows = await readSpreadsheet(file.fileName, file.bytes);
  const candidates = only ? importers.filter((i) => i.kind === only) : importers;
  const found = detectImporter(candidates, rows);
  if (!found) {
    const hints = candidates
      .map((i) => `${i.label}：${i.required.map((f) => i.headers[f]?.[0]).join('、')}`)
      .join('；');
    throw new UserError('bad_args', `没有识别出表头。需要的列：${hints}。`);
  }
  const { importer, header } = found;
  const data = rows.slice(header.row + 1);
  if (data.length > MAX_IMPORT_ROWS) {
    throw new UserError('too_large', `文件超过 ${MAX_IMPORT_ROWS} 行（共 ${data.length} 行数据），请拆分后再导入。`);
  }
  const plan = await importer.plan(ctx, data, header.columns, header.row + 2);
  const importId = await savePendingImport(ctx.db, {
    orgId: org.id,
    kind: importer.kind,
    fileName: file.fileName,
    payload: { rows: plan.rows, problems: plan.problems },
    createdBy: ctx.actor.openId,
    at: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: `import:${importer.kind}:preview`,
    subject: `import:${importId}`,
    after: {
      file: file.fileName,
      ok: plan.rows.length,
      problems: plan.problems.length,
      skipped: plan.skipped?.length ?? 0,
      counts: plan.counts,
    },
  });
  return buildPreviewCard({ importId, orgId: org.id, label: importer.label, fileName: file.fileName, plan });
}

/** 确认导入 / 取消 on a preview card. */
export async function confirmImport(
  ctx: ActingContext,
  importers: readonly Importer[],
  importId: number,
  ok: boolean,
): Promise<Card> {
  // Locked first (versioned.ts): of concurrent 确认导入 clicks one imports, the others read 'confirmed'.
  const pending = await lockRow(ctx.db, 'pending_imports', importId);
  if (!pending || !ctx.org || pending.org_id !== ctx.org.id) throw new UserError('not_found', '没有找到这次导入。');
  if (pending.status !== 'pending') {
    throw new UserError('conflict', pending.status === 'confirmed' ? '这次导入已经完成了。' : '这次导入已取消。');
  }
  const importer = importers.find((i) => i.kind === pending.kind);
  if (!importer) throw new UserError('not_found', '没有找到这次导入。');
  if (!ok) {
    await setImportStatus(ctx.db, importId, 'cancelled');
    await ctx.audit({ action: `import:${importer.kind}:cancel`, subject: `import:${importId}` });
    return buildImportCancelledCard({ label: importer.label, fileName: pending.file_name });
  }
  const payload = JSON.parse(pending.payload) as { rows: unknown[] };
  const summary = await importer.apply(ctx, payload.rows);
  await setImportStatus(ctx.db, importId, 'confirmed');
  await ctx.audit({
    action: `import:${importer.kind}:confirm`,
    subject: `import:${importId}`,
    after: { file: pending.file_name, summary },
  });
  return buildImportDoneCard({ label: importer.label, fileName: pending.file_name, summary });
}
