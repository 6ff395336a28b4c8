/**
 * Rows of a real 整改台账: 立行立改 due one month after the batch's feedback date (or the import date
 * without a batch), stated in the plan's notes; 长期坚持 / 长期 read as 长期整改 with a deadline at the
 * second 回头看; footnote rows (注：…, 制表人) and what follows a blank row skipped, not errors, while
 * a data row after a blank row is still read; a re-import of 立行立改 keeps the stored deadline.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActingContext } from '../../src/core/contracts.ts';
import { upsertMember } from '../../src/db/repositories/members.ts';
import { createOrg } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { createBatch } from '../../src/features/rectification/batch-repository.ts';
import { type RectImportRow, rectificationImporter } from '../../src/features/rectification/import.ts';
import { deadlineWord } from '../../src/features/rectification/model.ts';
import { detectImporter, type Importer, noteRow } from '../../src/ledger/import-kit.ts';
import { actingContext } from '../../src/services/acting.ts';
import { readSpreadsheet } from '../../src/services/spreadsheet.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';

const NOW = new Date('2026-12-01T01:30:00Z'); // 2026-12-01 in Asia/Shanghai

let db: TestDb;
let org: Org;

function contextAt(now: Date): ActingContext {
  return actingContext(db.db, {
    org,
    actor: { openId: 'ou_secretary', name: '李书记', role: 'secretary', isBotAdmin: false },
    now,
    wallNow: now,
    timezone: 'Asia/Shanghai',
    logger: captureLogs().logger,
  });
}

beforeEach(async () => {
  db = await createTestDb();
  org = await createOrg(db.db, '第一党支部', NOW.toISOString());
  for (const [openId, name] of [
    ['ou_zhang', '张组织'],
    ['ou_zhao', '赵党员'],
  ] as const) {
    await upsertMember(db.db, { orgId: org.id, openId, name, at: NOW.toISOString() });
  }
  await createBatch(
    db.db,
    {
      org_id: org.id,
      name: '2026年第一轮巡察',
      source: '巡察',
      feedback_date: '2026-11-20',
      created_by: 'ou_secretary',
      created_at: NOW.toISOString(),
    },
    [],
  );
});

afterEach(async () => {
  await db.drop();
});

async function plan(lines: string[], now = NOW) {
  const rows = await readSpreadsheet('台账.csv', Buffer.from(lines.join('\r\n'), 'utf8'));
  const found = detectImporter([rectificationImporter as Importer], rows);
  if (!found) throw new Error('no header');
  return rectificationImporter.plan(
    contextAt(now),
    rows.slice(found.header.row + 1),
    found.header.columns,
    found.header.row + 2,
  );
}

const HEADER = '序号,问题来源,所属批次,问题描述,整改措施,责任人,整改时限,整改类型';
const brief = (r: RectImportRow) => [r.line, r.deadline, r.kind, r.word?.kind ?? null];

describe('整改时限 words', () => {
  it('recognises 立行立改 and 长期坚持 / 长期 and nothing else', () => {
    expect(deadlineWord('立行立改')).toBe('immediate');
    expect(deadlineWord(' 立行立改 ')).toBe('immediate');
    expect(deadlineWord('长期坚持')).toBe('long_term');
    expect(deadlineWord('长期')).toBe('long_term');
    expect(deadlineWord('立行立改、长期坚持')).toBe('long_term');
    expect(deadlineWord('2026-12-31')).toBeUndefined();
    expect(deadlineWord('尽快')).toBeUndefined();
    expect(deadlineWord('')).toBeUndefined();
  });

  it('dates 立行立改 one month after the batch feedback date, or after the import date without a batch', async () => {
    const p = await plan([
      HEADER,
      '1,巡察,2026年第一轮巡察,会议记录不全,补齐记录,张组织,立行立改,集中整改',
      '2,自查,,党费收缴不及时,逐人核对,赵党员,立行立改,',
      '3,巡察,,谈心谈话不足,建立台账,张组织,2026-12-31,',
    ]);
    expect(p.problems).toEqual([]);
    expect(p.rows.map(brief)).toEqual([
      [2, '2026-12-20', 'centralized', 'immediate'],
      [3, '2027-01-01', 'centralized', 'immediate'],
      [4, '2026-12-31', 'centralized', null],
    ]);
    expect(p.notes).toEqual([
      '立行立改 按 2026-12-20 计（批次“2026年第一轮巡察”反馈日 2026-11-20 起 1 个月）：第2行',
      '立行立改 按 2027-01-01 计（导入日 2026-12-01 起 1 个月）：第3行',
    ]);
    expect(p.sample[0]).toBe('张组织 · 2026-12-20（立行立改） · 会议记录不全');
  });

  it('reads 长期坚持 and 长期 as 长期整改, due at the second 回头看, and refuses 长期坚持 marked 集中整改', async () => {
    const p = await plan([
      HEADER,
      '1,巡察,2026年第一轮巡察,学习不经常,建立制度,张组织,长期坚持,',
      '2,自查,,廉政风险排查不全,建立清单,赵党员,长期,长期整改',
      '3,自查,,作风问题,整治,赵党员,长期坚持,集中整改',
    ]);
    expect(p.rows.map(brief)).toEqual([
      [2, '2027-11-20', 'long_term', 'long_term'],
      [3, '2027-12-01', 'long_term', 'long_term'],
    ]);
    expect(p.problems).toEqual([
      { line: 4, reason: '整改时限为“长期坚持”，整改类型却是“集中整改”：长期坚持的事项应为长期整改' },
    ]);
    expect(p.notes?.[0]).toContain('长期坚持 按长期整改导入、每季度报告进展，时限记为 2027-11-20');
  });

  it('keeps the stored deadline when 立行立改 is imported again later', async () => {
    const lines = [HEADER, '1,自查,,党费收缴不及时,逐人核对,赵党员,立行立改,'];
    const first = await plan(lines);
    await rectificationImporter.apply(contextAt(NOW), first.rows);
    const later = await plan(lines, new Date('2026-12-09T01:30:00Z'));
    expect(later.counts).toEqual({ created: 0, updated: 0, unchanged: 1 });
    const stored = await db.db.selectFrom('rectifications').select(['deadline', 'kind']).execute();
    expect(stored).toEqual([{ deadline: '2027-01-01', kind: 'centralized' }]);
  });
});

describe('footnotes and notes under the table', () => {
  it('skips 注 / 制表人 rows and what follows a blank row, and still reads a data row after a blank row', async () => {
    const p = await plan([
      '第一党支部巡察整改台账',
      HEADER,
      '1,巡察,,会议记录不全,补齐记录,张组织,2026-12-31,',
      '注：整改时限为立行立改的，一个月内完成。,,,,,,,',
      ',,,,,,,',
      '2,巡察,,党费收缴不及时,逐人核对,赵党员,2026-12-31,',
      ',,,,,,,',
      '1. 本表由各支部填报,,,,,,,',
      '制表人：张组织,,,审核人：李书记,,,,',
      '填表说明,,,,,,,',
      ',,,"2026年12月1日",,,,',
    ]);
    expect(p.rows.map((r) => r.line)).toEqual([3, 6]);
    expect(p.problems).toEqual([]);
    expect(p.skipped).toEqual([
      { line: 4, reason: '注释、说明' },
      { line: 8, reason: '空行后的说明' },
      { line: 9, reason: '注释、说明' },
      { line: 10, reason: '注释、说明' },
      { line: 11, reason: '空行后的说明' },
    ]);
  });

  it('tells a note from a data row that starts like one (审核把关不严…)', () => {
    const cell = (text: string) => ({ text, number: undefined, date: undefined });
    expect(noteRow([cell('审核把关不严'), cell('张组织')], true, false)).toBeUndefined();
    expect(noteRow([cell('审核人：李书记')], false, false)).toBe('注释、说明');
    expect(noteRow([cell('备注')], false, false)).toBe('注释、说明');
    expect(noteRow([cell('3'), cell('问题'), cell('王五')], true, true)).toBeUndefined();
  });

  it('lists a data row after a blank row with an unknown owner as an error, not skipped', async () => {
    const p = await plan([
      HEADER,
      '1,巡察,,会议记录不全,补齐记录,张组织,2026-12-31,',
      ',,,,,,,',
      '2,巡察,,党费,核对,王五,2026-12-31,',
    ]);
    expect(p.problems).toEqual([{ line: 4, reason: '责任人“王五”不在本组织' }]);
    expect(p.skipped).toBeUndefined();
  });
});
