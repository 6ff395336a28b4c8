/**
 * exceljs, loaded on first use: it is only needed for imports and exports, and loading it at start
 * cost ~0.3 s and ~25 MB (BENCHMARKS.md, start-up).
 */
import type ExcelJS from 'exceljs';

export async function loadExcel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}
