/**
 * The ledger kit without a database: the header row found below a title by its accepted names (aliases,
 * full-width and starred spellings) and the ledger recognised from its required headers; CSV read
 * through csv-parse as UTF-8 with a BOM, without one, and as GB18030, with quoted fields, blank lines kept
 * for line numbers and an unclosed quote refused; and the export kit's workbook: title row, frozen
 * header, widths, dates as dates, numbers as numbers, and formula-like text neutralised.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { importers } from '../../src/features/index.ts';
import { type Cell, cellDate, findHeader, textCell } from '../../src/ledger/cells.ts';
import { decodeCsvText, parseCsv } from '../../src/ledger/csv.ts';
import { defineExporter, neutralise, SEQ_COLUMN } from '../../src/ledger/export-kit.ts';
import { detectImporter } from '../../src/ledger/import-kit.ts';
import { readSpreadsheet } from '../../src/services/spreadsheet.ts';

const rowsOf = (...rows: string[][]): Cell[][] => rows.map((r) => r.map(textCell));

/** GB18030 bytes of `text` (ASCII and the two-byte range, enough for Chinese headers), found by decoding. */
function gb18030(text: string): Buffer {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(Uint8Array.of(lead, trail));
      if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    const pair = table.get(ch);
    if (code < 0x80) bytes.push(code);
    else if (pair) bytes.push(...pair);
    else throw new Error(`no two-byte GB18030 code for ${ch}`);
  }
  return Buffer.from(bytes);
}

describe('header detection', () => {
  const synonyms = {
    problem: ['问题描述', '存在问题', '问题'],
    owner: ['责任人', '具体责任人'],
    deadline: ['整改时限', '完成时限'],
  } as const;

  it('finds the header row below a title, by any accepted name, ignoring spaces, stars and full-width brackets', () => {
    const rows = rowsOf(
      ['第一党支部巡察反馈问题整改台账'],
      [],
      ['序号', '存在 问题', '＊具体责任人', '完成时限（日期）'],
      ['1', '会议记录不全', '张组织', '2026-12-31'],
    );
    expect(findHeader(rows, synonyms)).toEqual({ row: 2, columns: { problem: 1, owner: 2 } });
    const exact = rowsOf(['序号', '存在 问题', '＊具体责任人', '完成时限（）']);
    expect(findHeader(exact, synonyms)).toEqual({ row: 0, columns: { problem: 1, owner: 2, deadline: 3 } });
  });

  it('recognises each ledger from its required headers, with aliases, and none without them', () => {
    const kindOf = (header: string[]) => detectImporter(importers, rowsOf(['标题'], header))?.importer.kind;
    expect(kindOf(['编号', '来源', '存在问题', '措施', '具体责任人', '完成时限'])).toBe('rectifications');
    expect(kindOf(['序号', '责任类别', '工作任务', '牵头领导', '责任部门', '完成时限', '频次'])).toBe('duties');
    expect(kindOf(['序号', '计划时间', '专题', '学习形式', '学习材料', '学习地点'])).toBe('study_plan');
    expect(kindOf(['序号', '存在问题', '完成时限'])).toBeUndefined();
    const found = detectImporter(importers, rowsOf(['标题'], ['编号', '存在问题', '具体责任人', '完成时限']));
    expect(found?.header).toEqual({ row: 1, columns: { seq: 0, problem: 1, owner: 2, deadline: 3 } });
  });

  it('reads a date from an Excel date, a serial number or text (a missing year from today)', () => {
    expect(cellDate({ text: '', number: undefined, date: '2026-12-31' })).toBe('2026-12-31');
    expect(cellDate(textCell('46387'))).toBe('2026-12-31');
    expect(cellDate(textCell('2027年1月15日'), '2026-12-01')).toBe('2027-01-15');
    expect(cellDate(textCell('2027年1月15日'))).toBeUndefined();
    expect(cellDate(textCell(''), '2026-12-01')).toBeUndefined();
  });
});

describe('CSV', () => {
  const header = '序号,问题描述,责任人,整改时限';
  const body = '1,"会议记录不全，""三会一课""未按期",张组织,2026-12-31\r\n\r\n3,党费收缴不及时,赵党员,2026/12/31\r\n';

  it('reads UTF-8 with a BOM, without one, and GB18030 to the same rows', async () => {
    const utf8 = Buffer.from(`${header}\r\n${body}`, 'utf8');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    const gb = gb18030(`${header}\r\n${body}`);
    expect(decodeCsvText(gb)).toBe(`${header}\r\n${body}`);
    const texts = async (bytes: Buffer) => (await readSpreadsheet('台账.csv', bytes)).map((r) => r.map((c) => c.text));
    const expected = [
      ['序号', '问题描述', '责任人', '整改时限'],
      ['1', '会议记录不全，"三会一课"未按期', '张组织', '2026-12-31'],
      [''],
      ['3', '党费收缴不及时', '赵党员', '2026/12/31'],
    ];
    expect(await texts(withBom)).toEqual(expected);
    expect(await texts(utf8)).toEqual(expected);
    expect(await texts(gb)).toEqual(expected);
    const [, first] = await readSpreadsheet('台账.csv', gb);
    expect(first?.[0]).toEqual({ text: '1', number: 1, date: undefined });
  });

  it('keeps line breaks inside quotes, mixed line endings and stray quotes as text', () => {
    expect(parseCsv('a,"多\n行"\rb,x"y\nc', 100)).toEqual([['a', '多\n行'], ['b', 'x"y'], ['c']]);
    expect(parseCsv('a\nb\nc\nd\n', 2)).toEqual([['a'], ['b']]);
  });

  it('refuses a quote that is never closed, and more rows than the limit', async () => {
    const unclosed = await readSpreadsheet('台账.csv', Buffer.from('问题描述,责任人\n"没有闭合,张组织\n')).catch(
      (e: unknown) => e,
    );
    expect(unclosed).toBeInstanceOf(UserError);
    expect((unclosed as UserError).message).toContain('引号');
    const many = Buffer.from(`问题描述,责任人\n${'问题,张组织\n'.repeat(6000)}`);
    const tooMany = await readSpreadsheet('台账.csv', many).catch((e: unknown) => e);
    expect((tooMany as UserError).code).toBe('too_large');
    expect((tooMany as UserError).message).toContain('文件超过 5000 行');
  });
});

describe('export kit', () => {
  interface Row {
    text: string;
    due: string | null;
    days: number;
  }
  const ledger = defineExporter<Row>({
    sheetName: '测试台账',
    columns: [
      SEQ_COLUMN,
      { header: '内容', width: 40, value: (r) => r.text },
      { header: '时限', width: 12, kind: 'date', value: (r) => r.due },
      { header: '天数', width: 8, kind: 'number', value: (r) => r.days },
    ],
  });

  it('writes a title row, a frozen shaded header, widths, dates as dates and numbers as numbers', async () => {
    const bytes = await ledger.write({
      title: '第一党支部 测试台账',
      subtitle: '导出时间：2026-12-01 09:30',
      rows: [
        { text: '补齐会议记录', due: '2026-12-31', days: 3 },
        { text: '', due: null, days: 0 },
      ],
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('测试台账') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('第一党支部 测试台账　导出时间：2026-12-01 09:30');
    expect(ws.getCell('A1').isMerged && ws.getCell('D1').isMerged).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(['序号', '内容', '时限', '天数']);
    expect(ws.columns.map((c) => c.width)).toEqual([6, 40, 12, 8]);
    expect(ws.getCell('A3').value).toBe(1);
    expect(ws.getCell('C3').value).toEqual(new Date(Date.UTC(2026, 11, 31)));
    expect(ws.getCell('C3').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('D3').value).toBe(3);
    expect(ws.getCell('A4').value).toBe(2);
    expect(ws.getCell('B4').value).toBeNull();
    expect(ws.getCell('C4').value).toBeNull();
  });

  it('neutralises text that would start a formula, the title included, and writes no formula', async () => {
    const risky = ['=HYPERLINK("http://x","y")', '+1+2', '-3', '@SUM(A1)', '\tx'];
    const bytes = await ledger.write({
      title: '=cmd|/c calc',
      subtitle: '导出时间',
      rows: risky.map((text) => ({ text, due: 'not a date', days: 1 })),
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe("'=cmd|/c calc　导出时间");
    risky.forEach((text, i) => {
      const cell = ws.getCell(`B${i + 3}`);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(`'${text}`);
      expect(ws.getCell(`C${i + 3}`).value).toBe('not a date');
    });
    ws.eachRow((row) => {
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula));
    });
    expect(neutralise('正常文本')).toBe('正常文本');
    expect(neutralise('a=b')).toBe('a=b');
  });
});
