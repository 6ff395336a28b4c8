/**
 * The roll-up's rows as an .xlsx (sent after the card when not every 支部 fits on it): every lower org,
 * red first, with its colour and the counts the card shows (上级下发 among them: items, finished, rate)
 * — status figures only, as on the card.
 */
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { COLOUR_LABELS } from './rollup-card.ts';
import { type BranchRow, issuedRate } from './rules.ts';

const percent = (n: number | null) => (n === null ? '' : `${n}%`);

export const rollupSheet = defineExporter<BranchRow>({
  sheetName: '下级组织总览',
  columns: [
    SEQ_COLUMN,
    { header: '组织', width: 24, value: (r) => r.name },
    { header: '评价', width: 6, value: (r) => COLOUR_LABELS[r.colour] },
    { header: '应开展', width: 8, kind: 'number', value: (r) => r.required },
    { header: '已按期开展', width: 10, kind: 'number', value: (r) => r.met },
    { header: '未按期开展', width: 10, kind: 'number', value: (r) => r.missed },
    { header: '制度落实率', width: 10, value: (r) => percent(r.completion) },
    { header: '整改逾期', width: 8, kind: 'number', value: (r) => r.rectsOverdue },
    { header: '最长逾期天数', width: 12, kind: 'number', value: (r) => r.maxDaysLate },
    { header: '任务逾期', width: 8, kind: 'number', value: (r) => r.tasksOverdue },
    { header: '本半年参学率', width: 12, value: (r) => percent(r.attendance) },
    { header: '上级下发', width: 8, kind: 'number', value: (r) => r.issued.total },
    { header: '下发已完成', width: 10, kind: 'number', value: (r) => r.issued.done },
    { header: '下发完成率', width: 10, value: (r) => percent(issuedRate(r.issued)) },
  ],
});

export async function rollupFile(
  orgName: string,
  today: string,
  rows: readonly BranchRow[],
  now: Date,
  tz: string,
): Promise<LedgerFile> {
  const bytes = await rollupSheet.write({
    title: `${orgName}下级组织总览（截至 ${today}）`,
    subtitle: exportedAt(now, tz),
    rows,
  });
  return { fileName: `${orgName}下级组织总览${today}.xlsx`, bytes, count: rows.length };
}
