/**
 * Reading a ledger sent to the bot, safely: size, row and zip-bomb limits checked before anything
 * parses the file; formulas never evaluated (their cached value is read as plain text); CSV decoded
 * and split by the ledger kit (src/ledger/csv.ts). Writing ledgers is the kit's (src/ledger/export-kit.ts).
 */

import { Readable } from 'node:stream';
import { createInflateRaw, inflateRaw } from 'node:zlib';
import type ExcelJS from 'exceljs';
import { UserError } from '../core/errors.ts';
import { dateFromCell } from '../domain/dates.ts';
import { type Cell, EMPTY_CELL, textCell } from '../ledger/cells.ts';
import { decodeCsvText, parseCsv } from '../ledger/csv.ts';
import { loadExcel } from '../ledger/excel.ts';

export type { Cell } from '../ledger/cells.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;
/** Rows a file may hold: the data rows plus a title and the header rows above them. */
const MAX_FILE_ROWS = MAX_IMPORT_ROWS + 10;
const MAX_UNZIPPED_BYTES = 60 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 2000;

const tooManyRows = (n: number) =>
  new UserError('too_large', `文件超过 ${MAX_IMPORT_ROWS} 行（共 ${n} 行），请拆分后再导入。`);

export function isSpreadsheetName(fileName: string): boolean {
  return /\.(xlsx|csv)$/i.test(fileName.trim());
}

/** Reads the first sheet of an .xlsx or a .csv file into rows of cells. Throws UserError for bad files. */
export async function readSpreadsheet(fileName: string, bytes: Buffer): Promise<Cell[][]> {
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new UserError('too_large', `文件超过 5 MB（${(bytes.length / 1048576).toFixed(1)} MB），请拆分后再导入。`);
  }
  let rows: Cell[][];
  if (/\.csv$/i.test(fileName)) rows = parseCsv(decodeCsvText(bytes), MAX_FILE_ROWS + 1).map((r) => r.map(textCell));
  else if (/\.xlsx$/i.test(fileName)) rows = await readXlsx(bytes);
  else throw new UserError('bad_args', '只能导入 .xlsx 或 .csv 文件。');
  while (rows.length > 0 && (rows[rows.length - 1] as Cell[]).every((c) => c.text === '')) rows.pop();
  if (rows.length > MAX_FILE_ROWS) throw tooManyRows(rows.length);
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
  const bad = () =>
    new UserError('bad_args', '文件不是有效的 .xlsx（可能已损坏），请在表格软件（如 WPS 表格）中另存为 .xlsx 后再试。');
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

async function readXlsx(bytes: Buffer): Promise<Cell[][]> {
  const entries = await checkZip(bytes);
  // Counted before exceljs parses anything: parsing 100,000 rows would hold the event loop for seconds.
  const first = await firstSheet(entries);
  const sheets = first ? [first] : entries.filter((e) => /^\/?xl\/worksheets\/[^/]+\.xml$/.test(e.name));
  for (const sheet of sheets) {
    const n = await sheetRowCount(sheet).catch(() => 0);
    if (n > MAX_FILE_ROWS) throw tooManyRows(n);
  }
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new UserError('bad_args', '无法读取这个 .xlsx 文件，请在表格软件（如 WPS 表格）中另存为 .xlsx 后再试。');
  }
  const ws = wb.worksheets[0];
  if (!ws) return [];
  if (ws.rowCount > MAX_FILE_ROWS) throw tooManyRows(ws.rowCount);
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
  if (v === null || v === undefined) return EMPTY_CELL;
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
      return r === undefined || (typeof r === 'object' && r !== null && !(r instanceof Date))
        ? EMPTY_CELL
        : readCell(r);
    }
    if ('richText' in v) return textCell(v.richText.map((t) => t.text).join(''));
    if ('text' in v && typeof (v as { text: unknown }).text === 'string') return textCell((v as { text: string }).text);
    if ('error' in v) return EMPTY_CELL;
  }
  return EMPTY_CELL;
}
