/**
 * Importing the 主体责任清单: the usual headers (序号, 类别, 责任内容/工作任务, 牵头领导/责任领导,
 * 责任人/责任部门, 完成时限, 频次), several owners per cell, one-off or recurring items; re-imports
 * update the item with the same year and content.
 */
import { createHash } from 'node:crypto';
import { listMembers } from '../db/repositories/members.ts';
import { addOwner, findDutyItemByKey, listOwners, updateDutyItem } from '../db/repositories/tasks.ts';
import { dateFromSerial, parseDateText } from '../domain/dates.ts';
import { type Cadence, DUTY_CATEGORIES, parseCadence } from '../domain/tasks.ts';
import { localDate } from '../domain/time.ts';
import type { Importer, ImportProblem } from './importers.ts';
import type { ActingContext } from './rectification.ts';
import { type Cell, cellAt } from './spreadsheet.ts';
import { createDuty, ensureOccurrences, sendTaskCard } from './tasks.ts';

export interface DutyImportRow {
  line: number;
  key: string;
  category: string;
  content: string;
  leader: string;
  owners: { openId: string; name: string }[];
  cadence: Cadence;
  dueDate: string | null;
  dueDay: number | null;
}

export const DUTY_HEADERS = {
  seq: ['序号', '编号'],
  category: ['类别', '责任类别', '任务类别', '分类'],
  content: ['责任内容', '工作任务', '工作内容', '主体责任内容', '任务内容'],
  leader: ['牵头领导', '责任领导', '分管领导'],
  owners: ['责任人', '责任部门', '具体责任人', '责任人员'],
  due: ['完成时限', '时限', '完成时间'],
  cadence: ['频次', '工作频次', '周期'],
  evidence: ['佐证材料', '佐证要求'],
} as const;

export function dutyImportKey(year: number, content: string): string {
  return createHash('sha256')
    .update(`${year}|${content.normalize('NFKC').replace(/\s+/g, '')}`)
    .digest('hex')
    .slice(0, 32);
}

/** "每月25日前" → 25; "季末" or empty → null. */
function dueDayOf(text: string): number | undefined {
  const m = /(\d{1,2})\s*[日号]/.exec(text.normalize('NFKC'));
  return m ? Math.min(28, Math.max(1, Number(m[1]))) : undefined;
}

export const dutyImporter: Importer<DutyImportRow> = {
  kind: 'duties',
  label: '主体责任清单',
  headers: DUTY_HEADERS,
  required: ['content', 'owners'],

  async plan(ctx: ActingContext, rows: Cell[][], col, firstLine) {
    const org = ctx.org;
    if (!org) throw new Error('import without an org');
    const today = localDate(ctx.now, ctx.settings.timezone);
    const year = Number(today.slice(0, 4));
    const byName = new Map<string, string[]>();
    for (const m of await listMembers(ctx.db, org.id)) byName.set(m.name, [...(byName.get(m.name) ?? []), m.open_id]);
    const out: DutyImportRow[] = [];
    const problems: ImportProblem[] = [];
    const counts = { created: 0, updated: 0, unchanged: 0 };
    const seen = new Map<string, number>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const line = firstLine + i;
      if (Object.values(col).every((c) => cellAt(row, c).text === '')) continue;
      const get = (f: keyof typeof DUTY_HEADERS) => cellAt(row, col[f]);
      const fail = (reason: string) => problems.push({ line, reason });
      const content = get('content').text;
      if (!content) {
        fail('责任内容为空');
        continue;
      }
      const names = get('owners')
        .text.split(/[、，,；;\s/]+/)
        .filter(Boolean);
      if (names.length === 0) {
        fail('责任人为空');
        continue;
      }
      const unknown = names.filter((n) => (byName.get(n)?.length ?? 0) !== 1);
      if (unknown.length > 0) {
        fail(
          `责任人“${unknown.join('、')}”不在本组织${unknown.some((n) => (byName.get(n)?.length ?? 0) > 1) ? '或有重名' : ''}`,
        );
        continue;
      }
      const cadenceText = get('cadence').text;
      const cadence = cadenceText ? parseCadence(cadenceText) : 'once';
      if (!cadence) {
        fail(`频次“${cadenceText}”无法识别（一次性、每月、每季度、每半年、每年）`);
        continue;
      }
      const due = get('due');
      let dueDate: string | null = null;
      let dueDay: number | null = null;
      if (cadence === 'once') {
        dueDate =
          due.date ??
          (due.number !== undefined ? dateFromSerial(due.number) : undefined) ??
          parseDateText(due.text, today) ??
          null;
        if (!dueDate) {
          fail(due.text ? `完成时限“${due.text}”不是有效日期` : '一次性任务需要完成时限');
          continue;
        }
      } else {
        dueDay = dueDayOf(due.text) ?? null;
      }
      const categoryText = get('category').text;
      const category =
        (DUTY_CATEGORIES as readonly string[]).find((c) => categoryText.includes(c.replace('建设', ''))) ??
        (categoryText || '其他');
      const key = dutyImportKey(year, content);
      if (seen.has(key)) {
        fail(`与第${seen.get(key)}行重复`);
        continue;
      }
      seen.set(key, line);
      const r: DutyImportRow = {
        line,
        key,
        category: category.slice(0, 20),
        content: content.slice(0, 2000),
        leader: get('leader').text.slice(0, 50),
        owners: names.map((n) => ({ openId: byName.get(n)?.[0] as string, name: n })),
        cadence,
        dueDate,
        dueDay,
      };
      const existing = await findDutyItemByKey(ctx.db, org.id, key);
      if (!existing) counts.created++;
      else if (await changed(ctx, existing.id, existing, r)) counts.updated++;
      else counts.unchanged++;
      out.push(r);
    }
    return {
      rows: out,
      problems,
      counts,
      sample: out.slice(0, 5).map((r) => `${r.owners.map((o) => o.name).join('、')} · ${r.content}`),
    };
  },

  async apply(ctx, rows) {
    const org = ctx.org;
    if (!org) throw new Error('import without an org');
    const today = localDate(ctx.now, ctx.settings.timezone);
    let created = 0;
    let updated = 0;
    for (const r of rows) {
      const existing = await findDutyItemByKey(ctx.db, org.id, r.key);
      if (!existing) {
        await createDuty(ctx, { ...r, evidence: '', importKey: r.key });
        created++;
        continue;
      }
      if (!(await changed(ctx, existing.id, existing, r))) continue;
      const after = await updateDutyItem(ctx.db, existing.id, {
        category: r.category,
        leader: r.leader,
        cadence: r.cadence,
        due_date: r.dueDate,
        due_day: r.dueDay,
        updated_at: ctx.now.toISOString(),
      });
      for (const o of r.owners) await addOwner(ctx.db, existing.id, o);
      for (const t of await ensureOccurrences(ctx, after, today))
        await sendTaskCard(ctx, t, { openId: t.owner_open_id });
      await ctx.audit({
        action: 'duty:import_update',
        subject: `duty:${existing.id}`,
        before: snapshot(existing),
        after: snapshot(after),
      });
      updated++;
    }
    return `新增 ${created} 项，更新 ${updated} 项，${rows.length - created - updated} 项无变化。`;
  },
};

const snapshot = (i: {
  category: string;
  leader: string;
  cadence: string;
  due_date: string | null;
  due_day: number | null;
}) => ({
  category: i.category,
  leader: i.leader,
  cadence: i.cadence,
  due: i.due_date,
  dueDay: i.due_day,
});

async function changed(
  ctx: ActingContext,
  itemId: number,
  e: { category: string; leader: string; cadence: string; due_date: string | null; due_day: number | null },
  r: DutyImportRow,
): Promise<boolean> {
  const owners = new Set((await listOwners(ctx.db, itemId)).map((o) => o.open_id));
  return (
    e.category !== r.category ||
    e.leader !== r.leader ||
    e.cadence !== r.cadence ||
    e.due_date !== r.dueDate ||
    e.due_day !== r.dueDay ||
    r.owners.some((o) => !owners.has(o.openId))
  );
}
