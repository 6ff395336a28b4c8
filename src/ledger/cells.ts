/**
 * Cells as every ledger reads them, whether they came from an .xlsx or a .csv: text (trimmed), a
 * number, or a date; and the header row found among the first rows by the accepted header names.
 * Pure: no I/O.
 */
import { dateFromSerial, parseDateText } from '../domain/dates.ts';

/** A cell as read: text, a number, or a date (YYYY-MM-DD in `date`). */
export interface Cell {
  text: string;
  number: number | undefined;
  date: string | undefined;
}

export const EMPTY_CELL: Cell = { text: '', number: undefined, date: undefined };

/** A cell from text: trimmed, and a number too when it reads as one. */
export function textCell(text: string): Cell {
  const t = text.trim();
  const n = t !== '' && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
  return { text: t, number: n, date: undefined };
}

export function cellAt(row: Cell[] | undefined, col: number | undefined): Cell {
  return col === undefined ? EMPTY_CELL : (row?.[col] ?? EMPTY_CELL);
}

/**
 * The date a cell holds: a real Excel date, an Excel serial number, or (given `today`, which fills in
 * a missing year) a date typed as text ("2026/12/31", "2027年1月15日").
 */
export function cellDate(cell: Cell, today?: string): string | undefined {
  return (
    cell.date ??
    (cell.number !== undefined ? dateFromSerial(cell.number) : undefined) ??
    (today === undefined ? undefined : parseDateText(cell.text, today))
  );
}

/** The columns of each field found in the header row. */
export type HeaderColumns<F extends string = string> = Partial<Record<F, number>>;

/**
 * Finds the header row among the first rows (titles often sit above it) by matching header
 * synonyms; returns the row index and the column of each field found.
 */
export function findHeader<F extends string>(
  rows: Cell[][],
  synonyms: Record<F, readonly string[]>,
): { row: number; columns: HeaderColumns<F> } | undefined {
  const norm = (s: string) => s.normalize('NFKC').replace(/[\s*＊（）()：:]/g, '');
  let best: { row: number; columns: HeaderColumns<F>; score: number } | undefined;
  for (let r = 0; r < Math.min(rows.length, 10); r++) {
    const columns: HeaderColumns<F> = {};
    let score = 0;
    (rows[r] as Cell[]).forEach((cell, i) => {
      const h = norm(cell.text);
      if (!h) return;
      for (const field of Object.keys(synonyms) as F[]) {
        if (columns[field] !== undefined) continue;
        if (synonyms[field].some((s) => norm(s) === h)) {
          columns[field] = i;
          score++;
          break;
        }
      }
    });
    if (score > 0 && (!best || score > best.score)) best = { row: r, columns, score };
  }
  return best && { row: best.row, columns: best.columns };
}
