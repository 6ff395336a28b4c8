/**
 * Hand-built .zip and .xlsx files for the security suite: a minimal zip writer whose central directory
 * can state sizes that are not true (zip bombs that lie), and a minimal .xlsx (inline strings, formula
 * cells with or without a cached value, sparse rows) written as raw SpreadsheetML, so the test decides
 * every byte instead of a library normalising it.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Stored instead of deflated. */
  store?: boolean;
  /** The uncompressed size written in the headers (the truth when absent). */
  declaredSize?: number;
}

/** A zip archive of `entries`, local headers first, then the central directory. */
export function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const method = e.store ? 0 : 8;
    const crc = crc32(e.data) >>> 0;
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(dir, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** A cell: text, a number, a formula (with its cached text, or none), or empty. */
export type XCell = string | number | { formula: string; cached?: string } | null;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function column(i: number): string {
  let n = i + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function cellXml(c: XCell, ref: string): string {
  if (c === null) return '';
  if (typeof c === 'number') return `<c r="${ref}"><v>${c}</v></c>`;
  if (typeof c === 'string') return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(c)}</t></is></c>`;
  const cached = c.cached !== undefined ? `<v>${esc(c.cached)}</v>` : '';
  return `<c r="${ref}" t="str"><f>${esc(c.formula)}</f>${cached}</c>`;
}

/**
 * The parts of a one-sheet workbook. `rows` may be sparse: `{ at: 1048576, cells: […] }` puts a row far
 * down; `padding` adds that many bytes of whitespace inside the sheet XML (it compresses to almost nothing).
 */
export function xlsxEntries(
  rows: (XCell[] | { at: number; cells: XCell[] })[],
  o: { padding?: number } = {},
): ZipEntry[] {
  let next = 1;
  const sheetRows = rows
    .map((r) => {
      const { at, cells } = Array.isArray(r) ? { at: next, cells: r } : r;
      next = at + 1;
      return `<row r="${at}">${cells.map((c, i) => cellXml(c, `${column(i)}${at}`)).join('')}</row>`;
    })
    .join('');
  const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${body}`;
  const ns = 'http://schemas.openxmlformats.org';
  const sheet = Buffer.concat([
    Buffer.from(xml(`<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData>`)),
    Buffer.alloc(o.padding ?? 0, 0x20),
    Buffer.from('</worksheet>'),
  ]);
  return [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        xml(
          `<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
        ),
      ),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(
        xml(
          `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
        ),
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(
        xml(
          `<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="整改台账" sheetId="1" r:id="rId1"/></sheets></workbook>`,
        ),
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        xml(
          `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
        ),
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ];
}

export function xlsx(rows: (XCell[] | { at: number; cells: XCell[] })[], o: { padding?: number } = {}): Buffer {
  return zip(xlsxEntries(rows, o));
}
