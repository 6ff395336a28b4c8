/**
 * A spreadsheet's size is checked before it is parsed, without holding the event loop: 100,000 rows are
 * refused from the sheet's `<dimension>` (or, when a writer left it out, from its rows counted while the
 * part streams through zlib), and no timer waits long meanwhile. Files within the limit read as before.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { readSpreadsheet } from '../../src/services/spreadsheet.ts';
import { type XCell, xlsxEntries, zip } from '../helpers/security-files.ts';

const HEADER: XCell[] = ['序号', '问题描述', '责任人', '整改时限'];
const row = (i: number): XCell[] => [i, `问题${i}`, '张组织', '2026-12-31'];

/** A one-sheet workbook of `n` data rows, with a `<dimension>` as Excel writes it (or without one). */
function workbook(n: number, o: { dimension?: string } = {}): Buffer {
  const entries = xlsxEntries([HEADER, ...Array.from({ length: n }, (_, i) => row(i + 1))]);
  if (o.dimension) {
    const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml') as { data: Buffer };
    sheet.data = Buffer.from(
      sheet.data.toString('utf8').replace('<sheetData>', `<dimension ref="${o.dimension}"/><sheetData>`),
    );
  }
  return zip(entries);
}

/** CPU time this process has used, in ms (what it did, however busy the machine is with others). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The most CPU time the process spent between two runs of a 5 ms timer while `work` ran: how long the
 * event loop was held, counted in work done rather than in wall time (a loaded machine stretches the
 * wall time between timers, not the work).
 */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; result: unknown }> {
  let last = cpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  let result: unknown;
  try {
    last = cpuMs();
    result = await work().catch((e: unknown) => e);
  } finally {
    clearInterval(timer);
  }
  longest = Math.max(longest, cpuMs() - last);
  return { stallMs: longest, result };
}

describe('spreadsheet size before parsing', () => {
  for (const [what, dimension] of [
    ['from its <dimension>', 'A1:D100001'],
    ['by counting its rows (no <dimension>)', undefined],
  ] as const) {
    it(`refuses 100,000 rows ${what} without blocking the event loop`, async () => {
      const bytes = workbook(100_000, { dimension });
      expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
      const t0 = cpuMs();
      const { stallMs, result } = await longestStall(() => readSpreadsheet('台账.xlsx', bytes));
      const ms = cpuMs() - t0;
      expect(result).toBeInstanceOf(UserError);
      expect((result as UserError).code).toBe('too_large');
      expect((result as UserError).message).toBe('文件超过 5000 行（共 100001 行），请拆分后再导入。');
      // Parsing the rows held the loop for ~1.9 s; counting them never holds it for long (CPU time).
      expect(stallMs).toBeLessThan(250);
      expect(ms).toBeLessThan(5000);
    });
  }

  it('refuses a sheet whose <dimension> claims too many rows, however few it holds', async () => {
    const e = await readSpreadsheet('台账.xlsx', workbook(3, { dimension: 'A1:D20000' })).catch((x: unknown) => x);
    expect((e as UserError).message).toBe('文件超过 5000 行（共 20000 行），请拆分后再导入。');
  });

  it('reads a file within the limit as before (with or without a <dimension>)', async () => {
    for (const dimension of ['A1:D4001', undefined]) {
      const rows = await readSpreadsheet('台账.xlsx', workbook(4000, { dimension }));
      expect(rows).toHaveLength(4001);
      expect(rows[4000]?.map((c) => c.text)).toEqual(['4000', '问题4000', '张组织', '2026-12-31']);
    }
  });
});
