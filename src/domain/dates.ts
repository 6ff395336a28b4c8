/** Dates as people write them: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日, 12-31, 12月31日. */
import { isValidDate } from './time.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Parses a date typed by a person or found in a spreadsheet; `today` (YYYY-MM-DD) supplies the
 * year when it is omitted. Returns `YYYY-MM-DD`, or undefined when it is not a real date.
 */
export function parseDateText(text: string, today: string): string | undefined {
  const t = text
    .normalize('NFKC')
    .trim()
    .replace(/\s+[+-]\d{4}$/, ''); // Feishu's picker adds " +0800"
  let m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t);
  if (!m) {
    const md = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t);
    if (md) m = [md[0], today.slice(0, 4), md[1] as string, md[2] as string] as unknown as RegExpExecArray;
  }
  if (!m) {
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
    if (compact) m = compact;
  }
  if (!m) return undefined;
  const out = `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
  return isValidDate(out) ? out : undefined;
}

/** A JavaScript Date from a spreadsheet cell (exceljs gives midnight UTC) as YYYY-MM-DD. */
export function dateFromCell(d: Date): string | undefined {
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** An Excel serial day number (1900 date system) as YYYY-MM-DD. */
export function dateFromSerial(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 1 || n > 2958465) return undefined;
  return dateFromCell(new Date(Date.UTC(1899, 11, 30) + Math.floor(n) * 86_400_000));
}

/** Formats YYYY-MM-DD as 12月31日 (with the year when it differs from `today`'s). */
export function shortDate(date: string, today?: string): string {
  const [y, m, d] = date.split('-');
  const md = `${Number(m)}月${Number(d)}日`;
  return today && today.slice(0, 4) === y ? md : `${y}年${md}`;
}

/**
 * A date and time as typed or sent by Feishu's picker ("2026-12-10 15:00 +0800",
 * "2026-12-10 15:00", "12月10日 15:00"), read in `tz`. Returns undefined for anything else.
 */
export function parseDateTimeText(
  text: string,
  today: string,
  tz: string,
  toInstant: (date: string, time: string, tz: string) => Date,
): Date | undefined {
  const t = text
    .normalize('NFKC')
    .trim()
    .replace(/\s+[+-]\d{4}$/, '')
    .replace('T', ' ');
  const m = /^(.+?)\s+(\d{1,2})[:：](\d{2})$/.exec(t);
  if (!m) return undefined;
  const date = parseDateText(m[1] as string, today);
  const h = Number(m[2]);
  const min = Number(m[3]);
  if (!date || h > 23 || min > 59) return undefined;
  return toInstant(date, `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`, tz);
}
