/**
 * The export half of the ledger kit. A ledger export is described once — its sheet, its columns
 * (header, width, kind, and how a record fills the cell) — and `defineExporter` writes records as
 * the .xlsx every ledger shares: a title row (bold, merged), the fixed Chinese header row (frozen,
 * shaded), set widths, dates as real Excel dates, and every text cell that would start a formula
 * neutralised.
 */
import { formatLocal } from '../domain/time.ts';
import { loadExcel } from './excel.ts';

export type ExportValue = string | number | null;

export interface LedgerColumn {
  header: string;
  width: number;
  /** `date` cells take YYYY-MM-DD text and become Excel dates; `number` cells keep numbers. Default text. */
  kind?: 'text' | 'date' | 'number';
}

export interface ExportColumn<T> extends LedgerColumn {
  /** The cell for a record; `index` counts from 0 (序号 is `index + 1`). */
  value(row: T, index: number): ExportValue;
}

/** An exported ledger as it is sent or saved. */
export interface LedgerFile {
  fileName: string;
  bytes: Buffer;
  /** How many records (items, sessions …) it holds. */
  count: number;
}

export interface LedgerExporter<T> {
  sheetName: string;
  columns: readonly ExportColumn<T>[];
  /** The .xlsx of these records under the title row `${title}　${subtitle}`. */
  write(o: { title: string; subtitle: string; rows: readonly T[] }): Promise<Buffer>;
}

/** 序号: the row's number from 1. */
export const SEQ_COLUMN: ExportColumn<unknown> = { header: '序号', width: 6, kind: 'number', value: (_, n) => n + 1 };

/** The subtitle every ledger carries: 导出时间：2026-12-01 09:30. */
export function exportedAt(now: Date, timezone: string): string {
  return `导出时间：${formatLocal(now, timezone)}`;
}

export function defineExporter<T>(def: { sheetName: string; columns: readonly ExportColumn<T>[] }): LedgerExporter<T> {
  return {
    ...def,
    write: (o) =>
      writeLedger({
        sheetName: def.sheetName,
        title: o.title,
        subtitle: o.subtitle,
        columns: def.columns,
        rows: o.rows.map((r, n) => def.columns.map((c) => c.value(r, n))),
      }),
  };
}

/** A cell that Excel would read as a formula gets a leading apostrophe (CSV/formula injection). */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** What a value becomes in a cell of that kind: a date, a number, or neutralised text. */
function cellValue(v: ExportValue, kind: LedgerColumn['kind']): string | number | Date | null {
  if (v === null || v === '') return null;
  if (kind === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const [y, m, d] = v.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d));
  }
  if (kind === 'number' && typeof v === 'number') return v;
  return neutralise(String(v));
}

export async function writeLedger(o: {
  sheetName: string;
  title: string;
  subtitle: string;
  columns: readonly LedgerColumn[];
  rows: readonly ExportValue[][];
}): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '清风';
  const ws = wb.addWorksheet(o.sheetName, { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = o.columns.map((c) => ({ width: c.width }));
  const title = ws.addRow([neutralise(`${o.title}　${o.subtitle}`)]);
  title.font = { bold: true, size: 14 };
  ws.mergeCells(1, 1, 1, o.columns.length);
  const header = ws.addRow(o.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
    cell.border = { bottom: { style: 'thin' } };
  });
  for (const values of o.rows) {
    const row = ws.addRow(values.map((v, i) => cellValue(v, o.columns[i]?.kind ?? 'text')));
    row.alignment = { vertical: 'top', wrapText: true };
    o.columns.forEach((c, i) => {
      if (c.kind === 'date') row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
