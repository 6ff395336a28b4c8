/**
 * The import/export machinery every ledger shares: reading .xlsx/.csv safely (size, row and zip-bomb
 * limits; formulas never evaluated, their cached value read as plain text) and writing an .xlsx
 * ledger (title row, fixed Chinese headers, widths, frozen header, dates as dates, cells that would
 * start a formula neutralised).
 */

import { Readable } from 'node:stream';
import { createInflateRaw, inflateRaw } from 'node:zlib';
import type ExcelJS from 'exceljs';
import { UserError } from '../core/errors.ts';
import { dateFromCell } from '../domain/dates.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;
const MAX_UNZIPPED_BYTES = 60 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 2000;

/** A cell as read: text, a number, or a date (YYYY-MM-DD in `date`). */
export interface Cell {
  text: string;
  number: number | undefined;
  date: string | undefined;
}

const EMPTY: Cell = { text: '', number: undefined, date: undefined };

export function isSpreadsheetName(fileName: string): boolean {
  return /\.(xlsx|csv)$/i.test(fileName.trim());
}

/** Reads the first sheet of an .xlsx or a .csv file into rows of cells. Throws UserError for bad files. */
export async function readSpreadsheet(fileName: string, bytes: Buffer): Promise<Cell[][]> {
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new UserError('too_large', `文件超过 5 MB（${(bytes.length / 1048576).toFixed(1)} MB），请拆分后再导入。`);
  }
  let rows: Cell[][];
  if (/\.csv$/i.test(fileName)) rows = parseCsv(decodeText(bytes)).map((r) => r.map(textCell));
  else if (/\.xlsx$/i.test(fileName)) rows = await readXlsx(bytes);
  else throw new UserError('bad_args', '只能导入 .xlsx 或 .csv 文件。');
  while (rows.length > 0 && (rows[rows.length - 1] as Cell[]).every((c) => c.text === '')) rows.pop();
  if (rows.length > MAX_IMPORT_ROWS + 10) {
    throw new UserError('too_large', `文件超过 ${MAX_IMPORT_ROWS} 行（共 ${rows.length} 行），请拆分后再导入。`);
  }
  return rows;
}

function textCell(text: string): Cell {
  const t = text.trim();
  const n = t !== '' && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
  return { text: t, number: n, date: undefined };
}

/** UTF-8 (with or without BOM); files Excel saved as "CSV" in China are often GB18030. */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (rows.length > MAX_IMPORT_ROWS + 10) break;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

interface ZipEntryRef {
  name: string;
  method: number;
  /** The compressed bytes. */
  data: Buffer;
}

const inflateCapped = (data: Buffer, maxOutputLength: number) =>
  new Promise<Buffer>((resolve, reject) =>
    inflateRaw(data, { maxOutputLength }, (err, out) => (err ? reject(err) : resolve(out))),
  );

/**
 * Refuses zip bombs before exceljs unzips anything: first from the sizes the central directory
 * declares, then (since those may lie) by inflating each entry with its output capped. Inflating runs
 * off the event loop (zlib's thread pool), so a large file delays nobody else's command.
 */
async function checkZip(bytes: Buffer): Promise<ZipEntryRef[]> {
  const bad = () => new UserError('bad_args', '文件不是有效的 .xlsx（可能已损坏），请用 Excel 或 WPS 另存后再试。');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad();
  const entries = bytes.readUInt16LE(eocd + 10);
  let p = bytes.readUInt32LE(eocd + 16);
  if (entries > MAX_ZIP_ENTRIES) throw new UserError('too_large', '文件结构异常（条目过多），已拒绝导入。');
  // Sizes in the directory may lie, so every entry is really inflated, with the output capped.
  const bomb = () => new UserError('too_large', '文件解压后过大（疑似压缩炸弹），已拒绝导入。');
  const out: ZipEntryRef[] = [];
  let total = 0;
  let declaredTotal = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== 0x02014b50) throw bad();
    const method = bytes.readUInt16LE(p + 10);
    const compressed = bytes.readUInt32LE(p + 20);
    const declared = bytes.readUInt32LE(p + 24);
    declaredTotal += declared;
    // Refused from the directory alone when it already admits to a bomb (huge, or squeezed > 200:1).
    if (
      declaredTotal > MAX_UNZIPPED_BYTES ||
      (compressed > 0 && declared / compressed > 200 && declared > 1024 * 1024)
    ) {
      throw bomb();
    }
    const nameLength = bytes.readUInt16LE(p + 28);
    if (p + 46 + nameLength > bytes.length) throw bad();
    const name = bytes.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const local = bytes.readUInt32LE(p + 42);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) throw bad();
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    if (start + compressed > bytes.length) throw bad();
    const data = bytes.subarray(start, start + compressed);
    // An entry may inflate to what is left of the total, and to no more than 200:1 beyond 1 MB.
    const cap = Math.min(MAX_UNZIPPED_BYTES - total, Math.max(1024 * 1024, data.length * 200));
    if (method === 0) {
      total += data.length;
    } else if (method === 8) {
      try {
        total += (await inflateCapped(data, cap + 1)).length;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bomb();
        throw bad();
      }
    } else {
      throw bad();
    }
    if (total > MAX_UNZIPPED_BYTES) throw bomb();
    out.push({ name, method, data });
    p += 46 + nameLength + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
  }
  return out;
}

async function entryText(e: ZipEntryRef): Promise<string> {
  return (e.method === 0 ? e.data : await inflateCapped(e.data, MAX_UNZIPPED_BYTES + 1)).toString('utf8');
}

/** The worksheet exceljs reads first (the first `<sheet>` of workbook.xml), or undefined when the parts do not say. */
async function firstSheet(entries: ZipEntryRef[]): Promise<ZipEntryRef | undefined> {
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const workbook = byName.get('xl/workbook.xml');
  const rels = byName.get('xl/_rels/workbook.xml.rels');
  if (!workbook || !rels) return undefined;
  const sheet = /<(?:[\w.-]+:)?sheet\b[^>]*\s[\w.-]+:id\s*=\s*"([^"]+)"/.exec(await entryText(workbook));
  if (!sheet) return undefined;
  for (const m of (await entryText(rels)).matchAll(/<(?:[\w.-]+:)?Relationship\b[^>]*>/g)) {
    const id = /\sId\s*=\s*"([^"]+)"/.exec(m[0])?.[1];
    const target = /\sTarget\s*=\s*"([^"]+)"/.exec(m[0])?.[1];
    if (id !== sheet[1] || !target) continue;
    return byName.get(target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
  }
  return undefined;
}

/**
 * How many rows a worksheet part holds, without parsing it: its `<dimension ref="A1:D100001">` when
 * present (Excel and WPS write it first), otherwise the rows counted (and the highest row number) while
 * the part is inflated as a stream. Runs off the event loop, so a 100,000-row file is refused at once.
 */
async function sheetRowCount(e: ZipEntryRef): Promise<number> {
  const source = Readable.from([e.data]);
  const stream: Readable = e.method === 0 ? source : source.pipe(createInflateRaw());
  const OVERLAP = 1024;
  let carry = '';
  let rows = 0;
  let highest = 0;
  let seen = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = carry + chunk.toString('latin1');
      if (seen < 64 * 1024) {
        const dim = /<(?:[\w.-]+:)?dimension\b[^>]*\sref\s*=\s*"[A-Z]*(\d+)(?::[A-Z]*(\d+))?"/i.exec(text);
        if (dim) return Number(dim[2] ?? dim[1]);
      }
      seen += chunk.length;
      // Tags starting in the last OVERLAP characters are counted with the next chunk.
      const limit = Math.max(0, text.length - OVERLAP);
      for (const m of text.matchAll(/<(?:[\w.-]+:)?row\b([^>]*)>?/g)) {
        if (m.index >= limit) break;
        rows++;
        const r = /\sr\s*=\s*"(\d+)"/.exec(m[1] as string);
        if (r) highest = Math.max(highest, Number(r[1]));
      }
      carry = text.slice(limit);
    }
  } finally {
    stream.destroy();
  }
  for (const m of carry.matchAll(/<(?:[\w.-]+:)?row\b([^>]*)>?/g)) {
    rows++;
    const r = /\sr\s*=\s*"(\d+)"/.exec(m[1] as string);
    if (r) highest = Math.max(highest, Number(r[1]));
  }
  return Math.max(rows, highest);
}

/**
 * exceljs is loaded on first use: it is only needed for imports and exports, and loading it at start
 * cost ~0.3 s and ~25 MB (BENCHMARKS.md, start-up).
 */
async function excel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

async function readXlsx(bytes: Buffer): Promise<Cell[][]> {
  const entries = await checkZip(bytes);
  // Counted before exceljs parses anything: parsing 100,000 rows would hold the event loop for seconds.
  const first = await firstSheet(entries);
  const sheets = first ? [first] : entries.filter((e) => /^\/?xl\/worksheets\/[^/]+\.xml$/.test(e.name));
  for (const sheet of sheets) {
    const n = await sheetRowCount(sheet).catch(() => 0);
    if (n > MAX_IMPORT_ROWS + 10) {
      throw new UserError('too_large', `文件超过 ${MAX_IMPORT_ROWS} 行（共 ${n} 行），请拆分后再导入。`);
    }
  }
  const wb = new (await excel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new UserError('bad_args', '无法读取这个 .xlsx 文件，请用 Excel 或 WPS 另存后再试。');
  }
  const ws = wb.worksheets[0];
  if (!ws) return [];
  if (ws.rowCount > MAX_IMPORT_ROWS + 10) {
    throw new UserError('too_large', `文件超过 ${MAX_IMPORT_ROWS} 行（共 ${ws.rowCount} 行），请拆分后再导入。`);
  }
  const rows: Cell[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= Math.min(row.cellCount, 60); c++) cells.push(readCell(row.getCell(c).value));
    rows[n - 1] = cells;
  });
  for (let i = 0; i < rows.length; i++) if (!rows[i]) rows[i] = [];
  return rows;
}

function readCell(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return EMPTY;
  if (v instanceof Date) {
    const date = dateFromCell(v);
    return { text: date ?? '', number: undefined, date };
  }
  if (typeof v === 'number') return { text: String(v), number: v, date: undefined };
  if (typeof v === 'boolean') return textCell(v ? '是' : '否');
  if (typeof v === 'string') return textCell(v);
  if (typeof v === 'object') {
    // A formula is never evaluated: its cached result is read as a plain value.
    if ('formula' in v || 'sharedFormula' in v) {
      const r = (v as { result?: ExcelJS.CellValue }).result;
      return r === undefined || (typeof r === 'object' && r !== null && !(r instanceof Date)) ? EMPTY : readCell(r);
    }
    if ('richText' in v) return textCell(v.richText.map((t) => t.text).join(''));
    if ('text' in v && typeof (v as { text: unknown }).text === 'string') return textCell((v as { text: string }).text);
    if ('error' in v) return EMPTY;
  }
  return EMPTY;
}

/**
 * Finds the header row among the first rows (titles often sit above it) by matching header
 * synonyms; returns the row index and the column of each field found.
 */
export function findHeader<F extends string>(
  rows: Cell[][],
  synonyms: Record<F, readonly string[]>,
): { row: number; columns: Partial<Record<F, number>> } | undefined {
  const norm = (s: string) => s.normalize('NFKC').replace(/[\s*＊（）()：:]/g, '');
  let best: { row: number; columns: Partial<Record<F, number>>; score: number } | undefined;
  for (let r = 0; r < Math.min(rows.length, 10); r++) {
    const columns: Partial<Record<F, number>> = {};
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

export function cellAt(row: Cell[] | undefined, col: number | undefined): Cell {
  return col === undefined ? EMPTY : (row?.[col] ?? EMPTY);
}

// ------------------------------------------------------------------ writing

export interface LedgerColumn {
  header: string;
  width: number;
  kind?: 'text' | 'date' | 'number';
}

/** A cell that Excel would read as a formula gets a leading apostrophe (CSV/formula injection). */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export async function writeLedger(o: {
  sheetName: string;
  title: string;
  subtitle: string;
  columns: LedgerColumn[];
  rows: (string | number | null)[][];
}): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
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
    const row = ws.addRow(
      values.map((v, i) => {
        const kind = o.columns[i]?.kind ?? 'text';
        if (v === null || v === '') return null;
        if (kind === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
          const [y, m, d] = v.split('-').map(Number) as [number, number, number];
          return new Date(Date.UTC(y, m - 1, d));
        }
        if (kind === 'number' && typeof v === 'number') return v;
        return neutralise(String(v));
      }),
    );
    row.alignment = { vertical: 'top', wrapText: true };
    o.columns.forEach((c, i) => {
      if (c.kind === 'date') row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
