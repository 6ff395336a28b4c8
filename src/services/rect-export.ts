/** The 整改台账 export: the fixed Chinese columns inspectors expect, one row per item. */
import type { Kysely } from 'kysely';
import { findBatch, listBatches } from '../db/repositories/batches.ts';
import { listEvents, listEvidenceFor, listRectifications } from '../db/repositories/rectifications.ts';
import type { Database, Org } from '../db/schema.ts';
import {
  daysLate,
  RECT_KIND_LABELS,
  RECT_STATUS_LABELS,
  type RectKind,
  type RectStatus,
} from '../domain/rectification.ts';
import { formatLocal, localDate } from '../domain/time.ts';
import { type LedgerColumn, writeLedger } from './spreadsheet.ts';

export const RECT_EXPORT_COLUMNS: LedgerColumn[] = [
  { header: '序号', width: 6, kind: 'number' },
  { header: '问题来源', width: 10 },
  { header: '所属批次', width: 18 },
  { header: '问题描述', width: 40 },
  { header: '整改措施', width: 40 },
  { header: '责任领导', width: 10 },
  { header: '责任人', width: 10 },
  { header: '整改时限', width: 12, kind: 'date' },
  { header: '整改类型', width: 10 },
  { header: '整改状态', width: 10 },
  { header: '完成时间', width: 12, kind: 'date' },
  { header: '是否逾期', width: 8 },
  { header: '逾期天数', width: 8, kind: 'number' },
  { header: '佐证材料', width: 36 },
  { header: '销号审核人', width: 10 },
  { header: '销号时间', width: 17 },
  { header: '最近进展', width: 40 },
];

export async function exportRectifications(
  db: Kysely<Database>,
  o: { org: Org; batchId?: number; now: Date; timezone: string },
): Promise<{ fileName: string; bytes: Buffer; count: number }> {
  const today = localDate(o.now, o.timezone);
  const { items } = await listRectifications(
    db,
    o.org.id,
    o.batchId ? { kind: 'batch', batchId: o.batchId } : { kind: 'all' },
  );
  items.sort((a, b) => a.id - b.id);
  const batchNames = new Map((await listBatches(db, o.org.id)).map((b) => [b.id, b.name]));
  const evidence = await listEvidenceFor(
    db,
    items.map((i) => i.id),
  );
  const rows: (string | number | null)[][] = [];
  for (const [n, i] of items.entries()) {
    const closedOn = i.closed_at ? localDate(new Date(i.closed_at), o.timezone) : null;
    const lateDays = daysLate(i.deadline, { today, closedOn });
    const late = i.late === 1 || lateDays > 0;
    const last = (await listEvents(db, i.id)).reverse().find((e) => e.kind === 'progress' || e.kind === 'submit');
    const ev = evidence
      .filter((e) => e.item_id === i.id)
      .map((e) => (e.kind === 'file' ? `[文件] ${e.name}` : e.value));
    rows.push([
      n + 1,
      i.source,
      i.batch_id ? (batchNames.get(i.batch_id) ?? '') : '',
      i.problem,
      i.measures,
      i.leader,
      i.owner_name,
      i.deadline,
      RECT_KIND_LABELS[i.kind as RectKind] ?? i.kind,
      RECT_STATUS_LABELS[i.status as RectStatus] ?? i.status,
      closedOn,
      late ? '是' : '否',
      lateDays,
      ev.join('\n'),
      i.reviewer_name ?? '',
      i.closed_at ? formatLocal(new Date(i.closed_at), o.timezone) : '',
      last ? `${localDate(new Date(last.at), o.timezone)} ${last.text ?? ''}`.trim() : '',
    ]);
  }
  const batch = o.batchId ? await findBatch(db, o.batchId) : undefined;
  const bytes = await writeLedger({
    sheetName: '整改台账',
    title: `${o.org.name} 整改台账${batch ? `（${batch.name}）` : ''}`,
    subtitle: `导出时间：${formatLocal(o.now, o.timezone)}`,
    columns: RECT_EXPORT_COLUMNS,
    rows,
  });
  return {
    fileName: `整改台账-${o.org.name}${batch ? `-${batch.name}` : ''}-${today}.xlsx`,
    bytes,
    count: items.length,
  };
}
