/**
 * The whole history of one item as an .xlsx file (`/整改 记录 12`, `/任务 记录 5`). The item's card
 * shows only the latest entries (a card is limited to 30 KB); this file holds every entry, in
 * order, with its full text.
 */
import { type LedgerColumn, writeLedger } from './spreadsheet.ts';

export const HISTORY_COLUMNS: LedgerColumn[] = [
  { header: '序号', width: 6, kind: 'number' },
  { header: '时间', width: 17 },
  { header: '操作人', width: 12 },
  { header: '事项', width: 12 },
  { header: '内容', width: 60 },
];

export interface HistoryEntry {
  at: string;
  by: string;
  label: string;
  text: string;
}

export async function exportHistory(o: {
  /** e.g. "整改事项 #12"; used in the title and the file name. */
  subject: string;
  summary: string;
  exportedAt: string;
  entries: HistoryEntry[];
}): Promise<{ fileName: string; bytes: Buffer; count: number }> {
  const bytes = await writeLedger({
    sheetName: '历史记录',
    title: `${o.subject} 历史记录：${o.summary}`,
    subtitle: `导出时间：${o.exportedAt}`,
    columns: HISTORY_COLUMNS,
    rows: o.entries.map((e, n) => [n + 1, e.at, e.by, e.label, e.text]),
  });
  return {
    fileName: `${o.subject.replace(/[\s#]+/g, '')}-历史记录-${o.exportedAt.slice(0, 10)}.xlsx`,
    bytes,
    count: o.entries.length,
  };
}
