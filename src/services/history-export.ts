/**
 * The whole history of one item as an .xlsx file (`/整改 记录 12`, `/任务 记录 5`). The item's card
 * shows only the latest entries (a card is limited to 30 KB); this file holds every entry, in
 * order, with its full text.
 */
import { defineExporter, type LedgerFile, SEQ_COLUMN } from '../ledger/export-kit.ts';

export interface HistoryEntry {
  at: string;
  by: string;
  label: string;
  text: string;
}

export const historyLedger = defineExporter<HistoryEntry>({
  sheetName: '历史记录',
  columns: [
    SEQ_COLUMN,
    { header: '时间', width: 17, value: (e) => e.at },
    { header: '操作人', width: 12, value: (e) => e.by },
    { header: '事项', width: 12, value: (e) => e.label },
    { header: '内容', width: 60, value: (e) => e.text },
  ],
});

export async function exportHistory(o: {
  /** e.g. "整改事项 #12"; used in the title and the file name. */
  subject: string;
  summary: string;
  exportedAt: string;
  entries: HistoryEntry[];
}): Promise<LedgerFile> {
  const bytes = await historyLedger.write({
    title: `${o.subject} 历史记录：${o.summary}`,
    subtitle: `导出时间：${o.exportedAt}`,
    rows: o.entries,
  });
  return {
    fileName: `${o.subject.replace(/[\s#]+/g, '')}-历史记录-${o.exportedAt.slice(0, 10)}.xlsx`,
    bytes,
    count: o.entries.length,
  };
}
