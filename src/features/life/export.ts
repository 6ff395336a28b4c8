/**
 * The year's 组织生活会 / 民主生活会 material as one .xlsx sheet (ledger export kit): the stages with
 * their due and done dates, the 对照检查材料 handed in, and the 问题清单 with owners and status.
 */
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { PIPELINE_STAGES } from '../../db/schema/life.ts';
import type { Org } from '../../db/schema.ts';
import { localDate } from '../../domain/time.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { RECT_STATUS_LABELS } from '../rectification/model.ts';
import { STAGE_LABELS } from './pipeline-rules.ts';
import { findPipeline, listMaterials, pipelineProblems, stagesOf } from './repository.ts';
import { kindOf, wordOf } from './service.ts';

interface Row {
  part: string;
  name: string;
  date: string;
  detail: string;
  state: string;
}

export const lifeSheet = defineExporter<Row>({
  sheetName: '年度材料',
  columns: [
    SEQ_COLUMN,
    { header: '类别', width: 14, value: (r) => r.part },
    { header: '名称', width: 20, value: (r) => r.name },
    { header: '日期', width: 12, value: (r) => r.date },
    { header: '内容', width: 50, value: (r) => r.detail },
    { header: '状态', width: 14, value: (r) => r.state },
  ],
});

export async function lifeFile(ctx: ActingContext, org: Org, year: number): Promise<LedgerFile> {
  const word = wordOf(org);
  const p = await findPipeline(ctx.db, org.id, year, kindOf(org));
  if (!p) throw new UserError('not_found', `本组织 ${year} 年度还没有${word}流程。`);
  const tz = ctx.settings.timezone;
  const stages = stagesOf(p);
  const rows: Row[] = PIPELINE_STAGES.map((s) => ({
    part: '环节',
    name: STAGE_LABELS[s],
    date: stages[s].due,
    detail: '',
    state: stages[s].doneAt ? `${localDate(new Date(stages[s].doneAt as string), tz)} 完成` : '未完成',
  }));
  for (const m of await listMaterials(ctx.db, p.id))
    rows.push({
      part: '对照检查材料',
      name: m.name,
      date: localDate(new Date(m.at), tz),
      detail: m.value,
      state: '已提交',
    });
  for (const r of await pipelineProblems(ctx.db, p))
    rows.push({
      part: '问题清单',
      name: r.owner_name,
      date: r.deadline,
      detail: `#${r.id} ${r.problem}`,
      state: RECT_STATUS_LABELS[r.status as keyof typeof RECT_STATUS_LABELS] ?? '',
    });
  const bytes = await lifeSheet.write({
    title: `${org.name}${year}年度${word}材料`,
    subtitle: exportedAt(ctx.now, tz),
    rows,
  });
  return { fileName: `${word}-${org.name}-${year}.xlsx`, bytes, count: rows.length };
}
