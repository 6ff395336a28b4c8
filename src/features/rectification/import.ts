/**
 * Importing a 整改台账 spreadsheet, as a ledger-kit definition: the usual Chinese headers and their
 * variants, owners resolved by name among the org's members, one reason per bad row, and re-imports
 * that update instead of duplicating (an item's identity is its source + problem text).
 */

import { createHash } from 'node:crypto';
import { clip } from '../../cards/text.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Rectification } from '../../db/schema.ts';
import { cellDate } from '../../ledger/cells.ts';
import { compareStored, defineImporter, differsFrom, membersByName, type RowParser } from '../../ledger/import-kit.ts';
import { listBatches } from './batch-repository.ts';
import {
  deadlineWord,
  IMMEDIATE_MONTHS,
  LONG_TERM_MONTHS,
  parseKind,
  parseSource,
  RECT_SOURCES,
  type RectKind,
  wordDeadlineDate,
} from './model.ts';
import { addEvent, findByImportKey, updateRectification } from './repository.ts';
import { createItem, refreshItemCards, sendItemCard } from './service.ts';

export interface RectImportRow {
  line: number;
  key: string;
  source: string;
  batchId: number | null;
  problem: string;
  measures: string;
  leader: string;
  ownerOpenId: string;
  ownerName: string;
  deadline: string;
  kind: RectKind;
  area: string;
  /**
   * When 整改时限 was a word (立行立改, 长期坚持) rather than a date: which, and what the deadline was
   * counted from ("批次“…”反馈日 2026-11-20" or "导入日 2026-12-01"). A re-import keeps the stored deadline.
   */
  word?: { kind: 'immediate' | 'long_term'; basis: string };
}

export const RECT_HEADERS = {
  seq: ['序号', '编号'],
  source: ['问题来源', '来源'],
  batch: ['所属批次', '批次', '巡察批次'],
  problem: ['问题描述', '存在问题', '问题', '问题表现', '具体问题'],
  measures: ['整改措施', '措施', '整改举措'],
  leader: ['责任领导', '牵头领导', '分管领导'],
  owner: ['责任人', '具体责任人', '整改责任人'],
  deadline: ['整改时限', '完成时限', '时限', '整改期限', '完成时间'],
  kind: ['整改类型', '类型'],
  area: ['所属领域', '领域', '问题类别'],
} as const;

type RectField = keyof typeof RECT_HEADERS;

/** What each row is checked against: the org's members by name, its batches by name. */
interface RectEnv {
  byName: Map<string, string[]>;
  batches: Map<string, { id: number; feedbackDate: string }>;
}

/** The identity of an item across imports: same source and same problem text. */
export function rectImportKey(source: string, problem: string): string {
  const norm = problem.normalize('NFKC').replace(/\s+/g, '');
  return createHash('sha256').update(`${source}|${norm}`).digest('hex').slice(0, 32);
}

/** One data row → the item it describes, or why it cannot be imported. */
const parseRectRow: RowParser<RectField, RectImportRow, RectEnv> = (get, env, line) => {
  const problem = get('problem').text;
  if (!problem) return '问题描述为空';
  const sourceText = get('source').text || '巡察';
  const source = parseSource(sourceText);
  if (!source) return `问题来源“${sourceText}”无法识别（可用：${RECT_SOURCES.join('、')}）`;
  const ownerText = get('owner').text.replace(/\s+/g, '');
  if (!ownerText) return '责任人为空';
  const owners = env.byName.get(ownerText) ?? [];
  if (owners.length === 0) return `责任人“${ownerText}”不在本组织`;
  if (owners.length > 1) return `责任人“${ownerText}”在本组织有重名，请导入后在卡片中指定`;
  const batchText = get('batch').text;
  const batch = batchText ? env.batches.get(batchText) : null;
  if (batch === undefined) return `批次“${batchText}”不存在，请先用 /巡察 反馈 创建`;
  const d = get('deadline');
  const date = cellDate(d, env.today);
  const word = date ? undefined : deadlineWord(d.text);
  const deadline = word ? wordDeadlineDate(word, batch?.feedbackDate ?? env.today) : date;
  if (!deadline) return d.text ? `整改时限“${d.text}”不是有效日期` : '整改时限为空';
  const kindText = get('kind').text;
  const kind = word === 'long_term' && !kindText ? 'long_term' : kindText ? parseKind(kindText) : 'centralized';
  if (!kind) return `整改类型“${kindText}”无法识别（应为集中整改或长期整改）`;
  if (word === 'long_term' && kind !== 'long_term')
    return `整改时限为“${d.text}”，整改类型却是“${kindText}”：长期坚持的事项应为长期整改`;
  const key = rectImportKey(source, problem);
  const row: RectImportRow = {
    line,
    key,
    source,
    batchId: batch?.id ?? null,
    problem: clip(problem, 2000),
    measures: clip(get('measures').text, 2000),
    leader: clip(get('leader').text, 50),
    ownerOpenId: owners[0] as string,
    ownerName: ownerText,
    deadline,
    kind,
    area: clip(get('area').text, 50),
    ...(word
      ? {
          word: { kind: word, basis: batch ? `批次“${batchText}”反馈日 ${batch.feedbackDate}` : `导入日 ${env.today}` },
        }
      : {}),
  };
  return { key, row };
};

export const rectificationImporter = defineImporter<RectField, RectImportRow, RectEnv>({
  kind: 'rectifications',
  label: '整改台账',
  headers: RECT_HEADERS,
  required: ['problem', 'owner', 'deadline'],
  load: async (ctx, org) => ({
    byName: await membersByName(ctx, org.id),
    batches: new Map(
      (await listBatches(ctx.db, org.id)).map((b) => [b.name, { id: b.id, feedbackDate: b.feedback_date }]),
    ),
  }),
  parse: parseRectRow,
  duplicate: (line) => `与第${line}行重复（同一来源、同一问题描述）`,
  compare: async (ctx, org, { key, row }) =>
    compareStored(await findByImportKey(ctx.db, org.id, key), (e) => differsFrom(e, importedColumns(row, e))),
  keepUnchanged: true,
  sample: (r) => `${r.ownerName} · ${r.deadline}${r.word ? `（${WORD_LABEL[r.word.kind]}）` : ''} · ${r.problem}`,
  notes: wordNotes,
  applyRow: async (ctx, org, r) => {
    // Locked and read as now committed (versioned.ts): a concurrent owner's change is not overwritten blind.
    const found = await findByImportKey(ctx.db, org.id, r.key);
    const existing = found && ((await lockRow(ctx.db, 'rectifications', found.id)) ?? found);
    if (!existing) {
      await createItem(ctx, {
        org_id: org.id,
        source: r.source,
        problem: r.problem,
        ...importedColumns(r),
        owner_name: r.ownerName,
        status: 'pending',
        import_key: r.key,
      });
      return 'created';
    }
    if (!differsFrom(existing, importedColumns(r, existing))) return 'unchanged';
    await updateFromImport(ctx, existing, r);
    return 'updated';
  },
});

/** Re-import of a known item: its fields take the file's values, with a history entry and an audit. */
async function updateFromImport(ctx: ActingContext, existing: Rectification, r: RectImportRow): Promise<void> {
  const after = await updateRectification(ctx.db, existing, {
    late: existing.late === 1 || ctx.today > existing.deadline ? 1 : 0,
    ...importedColumns(r, existing),
    owner_name: r.ownerName,
    updated_at: ctx.now.toISOString(),
  });
  await addEvent(ctx.db, {
    item_id: existing.id,
    at: ctx.now.toISOString(),
    actor_open_id: ctx.actor.openId,
    actor_name: ctx.actor.name ?? ctx.actor.openId,
    kind: 'import_update',
    percent: null,
    text: null,
  });
  if (after.owner_open_id !== existing.owner_open_id) await sendItemCard(ctx, after, { openId: after.owner_open_id });
  await refreshItemCards(ctx, after);
  const snap = (x: Rectification) => ({
    measures: x.measures,
    leader: x.leader,
    owner: x.owner_open_id,
    deadline: x.deadline,
    kind: x.kind,
    area: x.area,
    batch: x.batch_id,
  });
  await ctx.audit({
    action: 'rectification:import_update',
    subject: `rectification:${existing.id}`,
    before: snap(existing),
    after: snap(after),
  });
}

const WORD_LABEL = { immediate: '立行立改', long_term: '长期坚持' } as const;
const LINES_NAMED = 12;

/**
 * What the preview states about 时限 words: the date chosen for each group of rows, and what it was
 * counted from ("立行立改 按 2027-01-01 计（导入日 2026-12-01 起 1 个月）：第5、9行").
 */
function wordNotes(rows: readonly RectImportRow[]): string[] {
  const groups = new Map<string, { text: string; lines: number[] }>();
  for (const r of rows) {
    if (!r.word) continue;
    const { kind, basis } = r.word;
    const text =
      kind === 'immediate'
        ? `立行立改 按 ${r.deadline} 计（${basis} 起 ${IMMEDIATE_MONTHS} 个月）`
        : `长期坚持 按长期整改导入、每季度报告进展，时限记为 ${r.deadline}（${basis} 起 ${LONG_TERM_MONTHS} 个月${r.batchId === null ? '' : '，第二次“回头看”'}）`;
    const g = groups.get(text) ?? { text, lines: [] };
    g.lines.push(r.line);
    groups.set(text, g);
  }
  return [...groups.values()].map((g) => {
    const named = g.lines
      .slice(0, LINES_NAMED)
      .map((l) => `第${l}行`)
      .join('、');
    return `${g.text}：${named}${g.lines.length > LINES_NAMED ? ` 等 ${g.lines.length} 行` : ''}`;
  });
}

/**
 * The columns an import sets and a re-import compares (the owner's name follows the open id). A
 * deadline the file gave as a word keeps the stored item's: re-importing 立行立改 a week later does
 * not move it by a week.
 */
function importedColumns(r: RectImportRow, existing?: Rectification) {
  return {
    batch_id: r.batchId,
    measures: r.measures,
    leader: r.leader,
    owner_open_id: r.ownerOpenId,
    deadline: r.word && existing ? existing.deadline : r.deadline,
    kind: r.kind,
    area: r.area,
  };
}
