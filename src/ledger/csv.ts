/**
 * CSV ledgers: the bytes decoded (UTF-8 with or without a BOM, else GB18030, which is what Excel and
 * WPS write as "CSV" on Chinese Windows) and split into rows by csv-parse (RFC 4180: quoted fields,
 * doubled quotes, line breaks inside quotes).
 */
import { CsvError, parse } from 'csv-parse/sync';
import { UserError } from '../core/errors.ts';

/** UTF-8 (with or without BOM); files Excel saved as "CSV" in China are often GB18030. */
export function decodeCsvText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/**
 * The rows of a CSV text, at most `maxRows` of them (the rest is not parsed: the caller refuses the
 * file from the count). Blank lines stay rows of one empty field, so line numbers match the file.
 */
export function parseCsv(text: string, maxRows: number): string[][] {
  try {
    return parse(text, {
      // CRLF (Excel), LF, or a lone CR (old Mac exports), even mixed within one file.
      record_delimiter: ['\r\n', '\n', '\r'],
      // A quote inside an unquoted field is kept as text, as Excel reads it.
      relax_quotes: true,
      // Rows may be shorter or longer than the header row.
      relax_column_count: true,
      skip_empty_lines: false,
      to: maxRows,
    }) as string[][];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // With relaxed quotes the only error left is a quote opened and never closed.
    const where = typeof err.lines === 'number' ? `（第${err.lines}行附近有未闭合的引号）` : '';
    throw new UserError('bad_args', `.csv 文件格式有误${where}，请在表格软件（如 WPS 表格）中另存后再试。`);
  }
}
