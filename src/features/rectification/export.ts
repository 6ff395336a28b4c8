/** The 整改台账 export, as a ledger-kit definition: the fixed Chinese columns inspectors expect, one row per item. */
import type { Kysely } from 'kysely';
import type { Database, Org, Rectification } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { findBatch, listBatches } from './batch-repository.ts';
import { daysLate, RECT_KIND_LABELS, RECT_STATUS_LABELS } from './model.ts';
import { listEvents, listEvidenceFor, listRectifications } from './repository.ts';

/** An item with what its row shows beside its own fields. */
interface RectLedgerRow {
  item: Rectification;
  batchName: string;
  closedOn: string | null;
  lateDays: number;
  late: boolean;
  evidence: string;
  lastProgress: string;
  closedAt: string;
}

export const rectLedger = defineExporter<RectLedgerRow>({
  sheetName: '整改台账',
  columns: [
    SEQ_COLUMN,
    { header: '问题来源', width: 10, value: (r) => r.item.source },
    { header: '所属批次', width: 18, value: (r) => r.batchName },
    { header: '问题描述', width: 40, value: (r) => r.item.problem },
    { header: '整改措施', width: 40, value: (r) => r.item.measures },
    { header: '责任领导', width: 10, value: (r) => r.item.leader },
    { header: '责任人', width: 10, value: (r) => r.item.owner_name },
    { header: '整改时限', width: 12, kind: 'date', value: (r) => r.item.deadline },
    { header: '整改类型', width: 10, value: (r) => RECT_KIND_LABELS[r.item.kind] ?? r.item.kind },
    { header: '整改状态', width: 10, value: (r) => RECT_STATUS_LABELS[r.item.status] ?? r.item.status },
    { header: '完成时间', width: 12, kind: 'date', value: (r) => r.closedOn },
    { header: '是否逾期', width: 8, value: (r) => (r.late ? '是' : '否') },
    { header: '逾期天数', width: 8, kind: 'number', value: (r) => r.lateDays },
    { header: '佐证材料', width: 36, value: (r) => r.evidence },
    { header: '销号审核人', width: 10, value: (r) => r.item.reviewer_name ?? '' },
    { header: '销号时间', width: 17, value: (r) => r.closedAt },
    { header: '最近进展', width: 40, value: (r) => r.lastProgress },
  ],
});

export async function exportRectifications(
  db: Kysely<Database>,
  o: { org: Org; batchId?: number; now: Date; timezone: string },
): Promise<LedgerFile> {
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
  const rows: RectLedgerRow[] = [];
  for (const item of items) {
    const closedOn = item.closed_at ? localDate(new Date(item.closed_at), o.timezone) : null;
    const lateDays = daysLate(item.deadline, { today, closedOn });
    const last = (await listEvents(db, item.id)).reverse().find((e) => e.kind === 'progress' || e.kind === 'submit');
    rows.push({
      item,
      batchName: item.batch_id ? (batchNames.get(item.batch_id) ?? '') : '',
      closedOn,
      lateDays,
      late: item.late === 1 || lateDays > 0,
      evidence: evidence
        .filter((e) => e.item_id === item.id)
        .map((e) => (e.kind === 'file' ? `[文件] ${e.name}` : e.value))
        .join('\n'),
      lastProgress: last ? `${localDate(new Date(last.at), o.timezone)} ${last.text ?? ''}`.trim() : '',
      closedAt: item.closed_at ? formatLocal(new Date(item.closed_at), o.timezone) : '',
    });
  }
  const batch = o.batchId ? await findBatch(db, o.batchId) : undefined;
  const bytes = await rectLedger.write({
    title: `${o.org.name} 整改台账${batch ? `（${batch.name}）` : ''}`,
    subtitle: exportedAt(o.now, o.timezone),
    rows,
  });
  return {
    fileName: `整改台账-${o.org.name}${batch ? `-${batch.name}` : ''}-${today}.xlsx`,
    bytes,
    count: items.length,
  };
}
