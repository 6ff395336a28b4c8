// Migration 0021 (issue 18 item 10) on SQLite and PostgreSQL: the 节前廉政提醒's items that 清风 had
// added to a year's 主体责任清单 (as items 9–11 after the 党委's 8) are taken out of it — marked generated,
// with no 序号 — so the list's numbering is the approved one again; the items people put in the list,
// even one whose text speaks of a 节前廉政提醒, stay as they were. Then the next item is number 9.
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.ts';
import { createDutyItem, listDutyItems } from '../../src/features/duties/repository.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

const AT = '2026-09-20T01:00:00.000Z';

describe(`migration 0021_generated_tasks (${testDialect})`, () => {
  it('takes the reminder’s items out of the formal list and frees their numbers', async () => {
    h = await createTestDb({ migrate: false });
    const db = h.db;
    const index = migrations.findIndex(([name]) => name === '0021_generated_tasks');
    expect(index).toBeGreaterThan(0);
    for (const [, file] of migrations.slice(0, index)) await file.up(db, h.dialect);

    const org = await db
      .insertInto('orgs')
      .values({ name: '第一党支部', parent_id: null, level: null, settings: '{}', created_at: AT })
      .returning('id')
      .executeTakeFirstOrThrow();
    const list = await db
      .insertInto('duty_lists')
      .values({ org_id: org.id, year: 2026, title: '2026年全面从严治党主体责任清单', created_at: AT })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Written as the tables were before 0021 (no generated_by column yet).
    const item = (seq: number, content: string, createdBy: string) =>
      db
        .insertInto('duty_items')
        .values({
          list_id: list.id,
          org_id: org.id,
          seq,
          category: '纪律建设',
          content,
          leader: '',
          cadence: 'once',
          due_date: '2026-09-24',
          due_day: null,
          evidence: '',
          active: 1,
          import_key: null,
          source_item_id: null,
          source_org_id: null,
          created_by: createdBy,
          created_at: AT,
          updated_at: AT,
        } as never)
        .execute();
    for (let n = 1; n <= 7; n++) await item(n, `第${n}项主体责任`, 'ou_secretary');
    // The 党委's own item about the reminders stays: a person put it in the list.
    await item(8, '节前廉政提醒：书记每逢节日前提醒班子成员廉洁过节', 'ou_secretary');
    await item(9, '元旦节前廉政提醒：督促落实中央八项规定精神，节日期间做好监督检查', 'system');
    await item(10, '春节节前廉政提醒：督促落实中央八项规定精神，节日期间做好监督检查', 'system');
    await item(11, '清明节节前廉政提醒：督促文明祭扫、廉洁过节，节日期间做好监督检查', 'system');

    await (migrations[index] as (typeof migrations)[number])[1].up(db, h.dialect);

    const rows = await db
      .selectFrom('duty_items')
      .select(['seq', 'created_by', 'generated_by'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.seq, r.generated_by])).toEqual([
      ...Array.from({ length: 8 }, (_, i) => [i + 1, null]),
      [0, 'holiday-reminder'],
      [0, 'holiday-reminder'],
      [0, 'holiday-reminder'],
    ]);
    expect((await listDutyItems(db, org.id, 2026)).map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const next = await createDutyItem(db, {
      list_id: list.id,
      org_id: org.id,
      category: '作风建设',
      content: '第9项主体责任',
      leader: '',
      cadence: 'once',
      due_date: '2026-12-31',
      due_day: null,
      evidence: '',
      import_key: null,
      created_by: 'ou_secretary',
      created_at: AT,
      updated_at: AT,
    });
    expect(next.seq).toBe(9);
  });
});
