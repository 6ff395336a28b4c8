/**
 * Importing a 整改台账 spreadsheet: the usual Chinese headers and their variants, owners resolved
 * by name among the org's members, one reason per bad row, and re-imports that update instead of
 * duplicating (an item's identity is its source + problem text).
 */

import { createHash } from 'node:crypto';
import { clip } from '../cards/text.ts';
import { listBatches } from '../db/repositories/batches.ts';
import { listMembers } from '../db/repositories/members.ts';
import { addEvent, findByImportKey, updateRectification } from '../db/repositories/rectifications.ts';
import { lockRow } from '../db/repositories/versioned.ts';
import { dateFromSerial, parseDateText } from '../domain/dates.ts';
import { parseKind, parseSource, RECT_SOURCES, type RectKind } from '../domain/rectification.ts';
import { localDate } from '../domain/time.ts';
import type { Importer, ImportPlan, ImportProblem } from './importers.ts';
import { type ActingContext, createItem, refreshItemCards, sendItemCard } from './rectification.ts';
import { type Cell, cellAt } from './spreadsheet.ts';

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

/** The identity of an item across imports: same source and same problem text. */
export function rectImportKey(source: string, problem: string): string {
  const norm = problem.normalize('NFKC').replace(/\s+/g, '');
  return createHash('sha256').update(`${source}|${norm}`).digest('hex').slice(0, 32);
}

export const rectificationImporter: Importer<RectImportRow> = {
  kind: 'rectifications',
  label: '整改台账',
  headers: RECT_HEADERS,
  required: ['problem', 'owner', 'deadline'],

  async plan(ctx: ActingContext, rows: Cell[][], col, firstLine): Promise<ImportPlan<RectImportRow>> {
    const org = ctx.org;
    if (!org) throw new Error('import without an org');
    const today = localDate(ctx.now, ctx.settings.timezone);
    const members = await listMembers(ctx.db, org.id);
    const byName = new Map<string, string[]>();
    for (const m of members) byName.set(m.name, [...(byName.get(m.name) ?? []), m.open_id]);
    const batches = new Map((await listBatches(ctx.db, org.id)).map((b) => [b.name, b.id]));
    const out: RectImportRow[] = [];
    const problems: ImportProblem[] = [];
    const seen = new Map<string, number>();
    const counts = { created: 0, updated: 0, unchanged: 0 };

    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const line = firstLine + i;
      const get = (f: keyof typeof RECT_HEADERS) => cellAt(row, col[f]);
      if (Object.values(col).every((c) => cellAt(row, c).text === '')) continue;
      const fail = (reason: string) => problems.push({ line, reason });
      const problem = get('problem').text;
      if (!problem) {
        fail('问题描述为空');
        continue;
      }
      const sourceText = get('source').text || '巡察';
      const source = parseSource(sourceText);
      if (!source) {
        fail(`问题来源“${sourceText}”无法识别（可用：${RECT_SOURCES.join('、')}）`);
        continue;
      }
      const ownerText = get('owner').text.replace(/\s+/g, '');
      const owners = ownerText ? (byName.get(ownerText) ?? []) : [];
      if (!ownerText) {
        fail('责任人为空');
        continue;
      }
      if (owners.length === 0) {
        fail(`责任人“${ownerText}”不在本组织`);
        continue;
      }
      if (owners.length > 1) {
        fail(`责任人“${ownerText}”在本组织有重名，请导入后在卡片中指定`);
        continue;
      }
      const d = get('deadline');
      const deadline =
        d.date ?? (d.number !== undefined ? dateFromSerial(d.number) : undefined) ?? parseDateText(d.text, today);
      if (!deadline) {
        fail(d.text ? `整改时限“${d.text}”不是有效日期` : '整改时限为空');
        continue;
      }
      const kindText = get('kind').text;
      const kind = kindText ? parseKind(kindText) : 'centralized';
      if (!kind) {
        fail(`整改类型“${kindText}”无法识别（应为集中整改或长期整改）`);
        continue;
      }
      const batchText = get('batch').text;
      const batchId = batchText ? batches.get(batchText) : null;
      if (batchId === undefined) {
        fail(`批次“${batchText}”不存在，请先用 /巡察 反馈 创建`);
        continue;
      }
      const key = rectImportKey(source, problem);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        fail(`与第${earlier}行重复（同一来源、同一问题描述）`);
        continue;
      }
      seen.set(key, line);
      const r: RectImportRow = {
        line,
        key,
        source,
        batchId,
        problem: clip(problem, 2000),
        measures: clip(get('measures').text, 2000),
        leader: clip(get('leader').text, 50),
        ownerOpenId: owners[0] as string,
        ownerName: ownerText,
        deadline,
        kind,
        area: clip(get('area').text, 50),
      };
      const existing = await findByImportKey(ctx.db, org.id, key);
      if (!existing) counts.created++;
      else if (changed(existing, r)) counts.updated++;
      else counts.unchanged++;
      out.push(r);
    }
    return {
      rows: out,
      problems,
      counts,
      sample: out.slice(0, 5).map((r) => `${r.ownerName} · ${r.deadline} · ${r.problem}`),
    };
  },

  async apply(ctx, rows) {
    const org = ctx.org;
    if (!org) throw new Error('import without an org');
    let created = 0;
    let updated = 0;
    for (const r of rows) {
      // Locked and read as now committed (versioned.ts): a concurrent owner's change is not overwritten blind.
      const found = await findByImportKey(ctx.db, org.id, r.key);
      const existing = found && ((await lockRow(ctx.db, 'rectifications', found.id)) ?? found);
      if (!existing) {
        await createItem(ctx, {
          org_id: org.id,
          batch_id: r.batchId,
          source: r.source,
          problem: r.problem,
          measures: r.measures,
          leader: r.leader,
          owner_open_id: r.ownerOpenId,
          owner_name: r.ownerName,
          deadline: r.deadline,
          kind: r.kind,
          area: r.area,
          status: 'pending',
          import_key: r.key,
        });
        created++;
      } else if (changed(existing, r)) {
        const after = await updateRectification(ctx.db, existing, {
          late: existing.late === 1 || localDate(ctx.now, ctx.settings.timezone) > existing.deadline ? 1 : 0,
          batch_id: r.batchId,
          measures: r.measures,
          leader: r.leader,
          owner_open_id: r.ownerOpenId,
          owner_name: r.ownerName,
          deadline: r.deadline,
          kind: r.kind,
          area: r.area,
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
        if (after.owner_open_id !== existing.owner_open_id)
          await sendItemCard(ctx, after, { openId: after.owner_open_id });
        await refreshItemCards(ctx, after);
        const snap = (x: typeof existing) => ({
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
        updated++;
      }
    }
    return `新增 ${created} 项，更新 ${updated} 项，${rows.length - created - updated} 项无变化。`;
  },
};

function changed(
  e: {
    batch_id: number | null;
    measures: string;
    leader: string;
    owner_open_id: string;
    deadline: string;
    kind: string;
    area: string;
  },
  r: RectImportRow,
): boolean {
  return (
    e.batch_id !== r.batchId ||
    e.measures !== r.measures ||
    e.leader !== r.leader ||
    e.owner_open_id !== r.ownerOpenId ||
    e.deadline !== r.deadline ||
    e.kind !== r.kind ||
    e.area !== r.area
  );
}
