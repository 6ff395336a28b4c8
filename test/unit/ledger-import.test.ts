/**
 * The import kit on a real database (SQLite, or PostgreSQL as the postgres project): a 整改台账 CSV
 * planned with one reason per bad row (unknown owner, namesakes, bad date, a repeated problem), applied,
 * and planned again as all unchanged — the re-import creates nothing — then one edited measure planned
 * and applied as one update; the same for the 主体责任清单; and a definition's own choices (unchanged
 * rows left out of the plan, repeats counted as unchanged, its own summary) honoured by the kit.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActingContext } from '../../src/core/contracts.ts';
import { upsertMember } from '../../src/db/repositories/members.ts';
import { createOrg } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { dutyImporter } from '../../src/features/duties/import.ts';
import { rectificationImporter } from '../../src/features/rectification/import.ts';
import { defineImporter, detectImporter, type Importer } from '../../src/ledger/import-kit.ts';
import { actingContext } from '../../src/services/acting.ts';
import { readSpreadsheet } from '../../src/services/spreadsheet.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';

const NOW = new Date('2026-12-01T01:30:00Z');

let db: TestDb;
let org: Org;
let ctx: ActingContext;

beforeEach(async () => {
  db = await createTestDb();
  org = await createOrg(db.db, '第一党支部', NOW.toISOString());
  const members: [string, string][] = [
    ['ou_secretary', '李书记'],
    ['ou_zhang', '张组织'],
    ['ou_zhao', '赵党员'],
    ['ou_wang1', '王明'],
    ['ou_wang2', '王明'],
  ];
  for (const [openId, name] of members) {
    await upsertMember(db.db, { orgId: org.id, openId, name, at: NOW.toISOString() });
  }
  ctx = actingContext(db.db, {
    org,
    actor: { openId: 'ou_secretary', name: '李书记', role: 'secretary', isBotAdmin: false },
    now: NOW,
    wallNow: NOW,
    timezone: 'Asia/Shanghai',
    logger: captureLogs().logger,
  });
});

afterEach(async () => {
  await db.drop();
});

/** Reads, recognises and plans a CSV as the preview and the CLI do. */
async function planCsv<R>(importer: Importer<R>, lines: string[]) {
  const rows = await readSpreadsheet('台账.csv', Buffer.from(lines.join('\r\n'), 'utf8'));
  const found = detectImporter([importer as Importer], rows);
  if (!found) throw new Error('no header');
  return importer.plan(ctx, rows.slice(found.header.row + 1), found.header.columns, found.header.row + 2);
}

describe('import kit on the database', () => {
  const RECT_HEADER = '问题来源,存在问题,整改措施,具体责任人,完成时限';
  const rectRows = (measure: string) => [
    '第一党支部整改台账',
    RECT_HEADER,
    `巡察,会议记录不全,${measure},张组织,2026-12-31`,
    '巡察,党费收缴不及时,逐人核对,赵党员,2026/12/31',
    '巡察,发展党员程序不严谨,复核档案,王五,2026-12-31',
    '巡察,学习记录缺失,补齐记录,王明,2026-12-31',
    '巡察,谈心谈话不足,建立台账,张组织,2026-13-45',
    ',,,,',
    '巡察,会议记录 不全,重复一行,张组织,2026-12-31',
  ];

  it('plans a 整改台账 with one reason per bad row, and a re-import of the same file creates nothing', async () => {
    const first = await planCsv(rectificationImporter, rectRows('建立会议记录模板'));
    expect(first.counts).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(first.problems).toEqual([
      { line: 5, reason: '责任人“王五”不在本组织' },
      { line: 6, reason: '责任人“王明”在本组织有重名，请导入后在卡片中指定' },
      { line: 7, reason: '整改时限“2026-13-45”不是有效日期' },
      { line: 9, reason: '与第3行重复（同一来源、同一问题描述）' },
    ]);
    expect(first.rows.map((r) => [r.line, r.ownerOpenId, r.deadline])).toEqual([
      [3, 'ou_zhang', '2026-12-31'],
      [4, 'ou_zhao', '2026-12-31'],
    ]);
    expect(first.sample).toEqual(['张组织 · 2026-12-31 · 会议记录不全', '赵党员 · 2026-12-31 · 党费收缴不及时']);
    expect(await rectificationImporter.apply(ctx, first.rows)).toBe('新增 2 项，更新 0 项，0 项无变化。');

    const again = await planCsv(rectificationImporter, rectRows('建立会议记录模板'));
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(again.rows).toHaveLength(2);
    expect(again.problems).toEqual(first.problems);
    expect(await rectificationImporter.apply(ctx, again.rows)).toBe('新增 0 项，更新 0 项，2 项无变化。');

    const edited = await planCsv(rectificationImporter, rectRows('逐月检查并补齐记录'));
    expect(edited.counts).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(await rectificationImporter.apply(ctx, edited.rows)).toBe('新增 0 项，更新 1 项，1 项无变化。');
    const items = await db.db.selectFrom('rectifications').select(['problem', 'measures']).orderBy('id').execute();
    expect(items).toEqual([
      { problem: '会议记录不全', measures: '逐月检查并补齐记录' },
      { problem: '党费收缴不及时', measures: '逐人核对' },
    ]);
  });

  it('re-imports a 主体责任清单 without change as unchanged, and a new owner as an update', async () => {
    const duties = (owners: string) => [
      '类别,工作任务,牵头领导,责任部门,完成时限,频次',
      `党的建设,每月组织一次集中学习,李书记,${owners},每月25日前,每月`,
      '党风廉政建设,开展廉政谈话,李书记,赵党员,2026-12-20,一次性',
      '党风廉政建设,年终总结,李书记,赵党员,,一次性',
    ];
    const first = await planCsv(dutyImporter, duties('张组织'));
    expect(first.counts).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(first.problems).toEqual([{ line: 4, reason: '一次性任务需要完成时限' }]);
    expect(first.rows.map((r) => [r.cadence, r.dueDay, r.dueDate])).toEqual([
      ['monthly', 25, null],
      ['once', null, '2026-12-20'],
    ]);
    expect(await dutyImporter.apply(ctx, first.rows)).toBe('新增 2 项，更新 0 项，0 项无变化。');
    expect((await planCsv(dutyImporter, duties('张组织'))).counts).toEqual({ created: 0, updated: 0, unchanged: 2 });
    const more = await planCsv(dutyImporter, duties('张组织、赵党员'));
    expect(more.counts).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(await dutyImporter.apply(ctx, more.rows)).toBe('新增 0 项，更新 1 项，1 项无变化。');
  });

  it('follows a definition: unchanged rows left out, repeats counted unchanged, its own summary', async () => {
    const stored = new Set(['旧事项']);
    const listImporter = defineImporter<'name' | 'note', { name: string }, { known: Set<string> }>({
      kind: 'test_list',
      label: '测试清单',
      headers: { name: ['名称', '事项'], note: ['备注'] },
      required: ['name'],
      load: async () => ({ known: new Set(stored) }),
      parse: (get) => (get('name').text ? { key: get('name').text, row: { name: get('name').text } } : '名称为空'),
      duplicate: () => undefined,
      compare: async (_ctx, _org, { key }, env) => (env.known.has(key) ? 'unchanged' : 'created'),
      keepUnchanged: false,
      sample: (r) => r.name,
      applyRow: async (_ctx, _org, r) => {
        stored.add(r.name);
        return 'created';
      },
      summary: (c) => `已加入 ${c.created} 项。`,
    });
    const lines = ['事项,备注', '旧事项,', '新事项,', ',只有备注', '新事项,重复'];
    const plan = await planCsv(listImporter, lines);
    expect(plan).toEqual({
      rows: [{ name: '新事项' }],
      problems: [{ line: 4, reason: '名称为空' }],
      counts: { created: 1, updated: 0, unchanged: 2 },
      sample: ['新事项'],
    });
    expect(await listImporter.apply(ctx, plan.rows)).toBe('已加入 1 项。');
    expect((await planCsv(listImporter, lines)).counts).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });
});
