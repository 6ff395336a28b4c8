/**
 * Importing the 主体责任清单, as a ledger-kit definition: the usual headers (序号, 类别, 责任内容/工作任务,
 * 牵头领导/责任领导, 责任人/责任部门, 完成时限, 频次, 佐证材料/佐证要求), several owners per cell, one-off or
 * recurring items; the 佐证材料 column becomes the item's evidence requirement (issue 13 item 3: 已完成
 * then needs evidence); re-imports update the item with the same year and content.
 */
import { createHash } from 'node:crypto';
import type { DutyItem } from '../../db/schema.ts';
import { cellDate } from '../../ledger/cells.ts';
import {
  compareStored,
  defineImporter,
  differsFrom,
  type ImportContext,
  membersByName,
  type RowParser,
} from '../../ledger/import-kit.ts';
import { type Cadence, DUTY_CATEGORIES, parseCadence } from './model.ts';
import { addOwner, findDutyItemByKey, listOwners, updateDutyItem } from './repository.ts';
import { createDuty, ensureOccurrences, sendTaskCard } from './service.ts';

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
  /** The evidence the item requires (the 佐证材料 column; empty: none). */
  evidence: string;
}

export const DUTY_HEADERS = {
  seq: ['序号', '编号'],
  category: ['类别', '责任类别', '任务类别', '分类'],
  content: ['责任内容', '工作任务', '工作内容', '主体责任内容', '任务内容'],
  leader: ['牵头领导', '责任领导', '分管领导'],
  owners: ['责任人', '责任部门', '具体责任人', '责任人员'],
  due: ['完成时限', '时限', '完成时间'],
  cadence: ['频次', '工作频次', '周期'],
  evidence: ['佐证材料', '佐证要求', '佐证'],
} as const;

type DutyField = keyof typeof DUTY_HEADERS;

/** What each row is checked against: the org's members by name. */
interface DutyEnv {
  byName: Map<string, string[]>;
}

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

/** One data row → the duty it describes, or why it cannot be imported. */
const parseDutyRow: RowParser<DutyField, DutyImportRow, DutyEnv> = (get, env, line) => {
  const content = get('content').text;
  if (!content) return '责任内容为空';
  const names = get('owners')
    .text.split(/[、，,；;\s/]+/)
    .filter(Boolean);
  if (names.length === 0) return '责任人为空';
  const unknown = names.filter((n) => (env.byName.get(n)?.length ?? 0) !== 1);
  if (unknown.length > 0) {
    const namesake = unknown.some((n) => (env.byName.get(n)?.length ?? 0) > 1);
    return `责任人“${unknown.join('、')}”不在本组织${namesake ? '或有重名' : ''}`;
  }
  const cadenceText = get('cadence').text;
  const cadence = cadenceText ? parseCadence(cadenceText) : 'once';
  if (!cadence) return `频次“${cadenceText}”无法识别（一次性、每月、每季度、每半年、每年）`;
  const due = get('due');
  let dueDate: string | null = null;
  let dueDay: number | null = null;
  if (cadence === 'once') {
    dueDate = cellDate(due, env.today) ?? null;
    if (!dueDate) return due.text ? `完成时限“${due.text}”不是有效日期` : '一次性任务需要完成时限';
  } else {
    dueDay = dueDayOf(due.text) ?? null;
  }
  const categoryText = get('category').text;
  const category =
    (DUTY_CATEGORIES as readonly string[]).find((c) => categoryText.includes(c.replace('建设', ''))) ??
    (categoryText || '其他');
  const key = dutyImportKey(Number(env.today.slice(0, 4)), content);
  const row: DutyImportRow = {
    line,
    key,
    category: category.slice(0, 20),
    content: content.slice(0, 2000),
    leader: get('leader').text.slice(0, 50),
    owners: names.map((n) => ({ openId: env.byName.get(n)?.[0] as string, name: n })),
    cadence,
    dueDate,
    dueDay,
    evidence: get('evidence').text.slice(0, 200),
  };
  return { key, row };
};

export const dutyImporter = defineImporter<DutyField, DutyImportRow, DutyEnv>({
  kind: 'duties',
  label: '主体责任清单',
  headers: DUTY_HEADERS,
  required: ['content', 'owners'],
  load: async (ctx, org) => ({ byName: await membersByName(ctx, org.id) }),
  parse: parseDutyRow,
  duplicate: (line) => `与第${line}行重复`,
  compare: async (ctx, org, { key, row }) =>
    compareStored(await findDutyItemByKey(ctx.db, org.id, key), (e) => changed(ctx, e, row)),
  keepUnchanged: true,
  sample: (r) => `${r.owners.map((o) => o.name).join('、')} · ${r.content}`,
  applyRow: async (ctx, org, r) => {
    const existing = await findDutyItemByKey(ctx.db, org.id, r.key);
    if (!existing) {
      await createDuty(ctx, { ...r, importKey: r.key });
      return 'created';
    }
    if (!(await changed(ctx, existing, r))) return 'unchanged';
    const after = await updateDutyItem(ctx.db, existing.id, {
      ...importedColumns(r),
      updated_at: ctx.now.toISOString(),
    });
    for (const o of r.owners) await addOwner(ctx.db, existing.id, o);
    for (const t of await ensureOccurrences(ctx, after, ctx.today))
      await sendTaskCard(ctx, t, { openId: t.owner_open_id });
    await ctx.audit({
      action: 'duty:import_update',
      subject: `duty:${existing.id}`,
      before: snapshot(existing),
      after: snapshot(after),
    });
    return 'updated';
  },
});

const snapshot = (i: DutyItem) => ({
  category: i.category,
  leader: i.leader,
  cadence: i.cadence,
  due: i.due_date,
  dueDay: i.due_day,
  evidence: i.evidence,
});

/** The columns an import sets and a re-import compares (owners are added, never removed). */
function importedColumns(r: DutyImportRow) {
  return {
    category: r.category,
    leader: r.leader,
    cadence: r.cadence,
    due_date: r.dueDate,
    due_day: r.dueDay,
    evidence: r.evidence,
  };
}

async function changed(ctx: ImportContext, e: DutyItem, r: DutyImportRow): Promise<boolean> {
  if (differsFrom(e, importedColumns(r))) return true;
  const owners = new Set((await listOwners(ctx.db, e.id)).map((o) => o.open_id));
  return r.owners.some((o) => !owners.has(o.openId));
}
