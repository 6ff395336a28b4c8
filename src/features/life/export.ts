/**
 * The year's 组织生活会 / 民主生活会 material as one .xlsx sheet (ledger export kit), what an inspector
 * asks to see of it: the stages with their due and done dates; the 征求意见 (text only, the anonymous
 * ones as 匿名); the meeting's attendance (应到 / 实到 and who was present, on leave, absent, read as the
 * 三会一课记录簿 reads it); the talk coverage (done / due and the pairs still missing, counted up to the
 * meeting); the 对照检查材料 handed in; the 问题清单 with owners and status; and the 民主评议 tally —
 * only once the ballot is closed and only for an exporter who may read it (the 支委), otherwise the
 * sheet says it is for them. The command (admins only) sends the file privately.
 */
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { PIPELINE_STAGES } from '../../db/schema/life.ts';
import type { LifePipeline, Org } from '../../db/schema.ts';
import { localDate } from '../../domain/time.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { seatGroups } from '../meetings/attendance-rules.ts';
import { attendanceOf } from '../meetings/export.ts';
import { RECT_STATUS_LABELS } from '../rectification/model.ts';
import { yearCoverage } from '../talks/coverage.ts';
import { ballotSubjects, countsLine, tallyRows } from './ballot-rules.ts';
import { mayReadAsCommittee } from './opinions.ts';
import { STAGE_LABELS } from './pipeline-rules.ts';
import { findPipeline, listMaterials, lockPipeline, pipelineProblems, stagesOf } from './repository.ts';
import { kindOf, syncStages, wordOf } from './service.ts';

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

const names = (people: readonly { name: string }[]) => people.map((p) => p.name).join('、') || '无';

async function opinionRows(ctx: ActingContext, p: LifePipeline): Promise<Row[]> {
  const rows = await ctx.db
    .selectFrom('pipeline_opinions')
    .select(['author_name', 'text', 'created_on'])
    .where('pipeline_id', '=', p.id)
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [{ part: '征求意见', name: '', date: '', detail: '未收到意见建议', state: '' }];
  return rows.map((r) => ({
    part: '征求意见',
    name: r.author_name ?? '匿名',
    date: r.created_on,
    detail: r.text,
    state: '',
  }));
}

/** The linked meeting's attendance, over the seats that count (应到), as the 三会一课记录簿 reads it. */
async function attendanceRows(ctx: ActingContext, p: LifePipeline): Promise<Row[]> {
  const tz = ctx.settings.timezone;
  const s = p.session_id
    ? await ctx.db.selectFrom('sessions').selectAll().where('id', '=', p.session_id).executeTakeFirst()
    : undefined;
  if (!s) return [{ part: '会议出勤', name: '', date: '', detail: '未关联会议记录', state: '' }];
  const date = localDate(new Date(s.start_at), tz);
  const attendance = await attendanceOf(ctx.db, s, tz, ctx.now);
  const seats = seatGroups(s.kind, attendance, (a) => a.state === 'signed');
  const by = (state: string) => seats.counted.filter((a) => a.state === state);
  const present = by('signed');
  return [
    {
      part: '会议出勤',
      name: `#${s.id} ${s.title}`,
      date,
      detail: `应到 ${seats.counted.length} 人，实到 ${present.length} 人，请假 ${by('leave').length} 人，缺席 ${by('absent').length} 人`,
      state: '',
    },
    { part: '会议出勤', name: '实到', date, detail: names(present), state: '' },
    { part: '会议出勤', name: '请假', date, detail: names(by('leave')), state: '' },
    { part: '会议出勤', name: '缺席', date, detail: names(by('absent')), state: '' },
    ...(seats.guests.length > 0
      ? [{ part: '会议出勤', name: '列席', date, detail: names(seats.guests), state: '' }]
      : []),
  ];
}

/** The talk coverage as the talks stage reads it: talks up to the planned meeting count. */
async function talkRows(ctx: ActingContext, org: Org, p: LifePipeline): Promise<Row[]> {
  const through = stagesOf(p).meeting.due;
  const c = await yearCoverage(ctx.db, org, p.year, through);
  const rows: Row[] = [
    {
      part: '谈心谈话',
      name: '覆盖情况',
      date: through,
      detail: `应谈 ${c.due} 人次，已谈 ${c.done} 人次`,
      state: c.due > 0 && c.done >= c.due ? '已全覆盖' : '未全覆盖',
    },
  ];
  for (const r of c.committee)
    if (r.missing.length > 0)
      rows.push({ part: '谈心谈话', name: r.person.name, date: '', detail: `未谈：${names(r.missing)}`, state: '' });
  return rows;
}

/** The tally per member, only once the ballot is closed, and only for the 支委. */
async function appraisalRows(ctx: ActingContext, org: Org, p: LifePipeline): Promise<Row[]> {
  const one = (detail: string): Row[] => [{ part: '民主评议', name: '', date: '', detail, state: '' }];
  const ballot = (stagesOf(p).appraisal as { ballot?: string }).ballot;
  if (ballot !== 'closed') return one(ballot === 'open' ? '民主评议进行中，结束后可导出汇总。' : '尚未开展民主评议。');
  if (!(await mayReadAsCommittee(ctx, org, ctx.actor.openId, ctx.actor.role)))
    return one('民主评议汇总仅供支部委员会成员查看，请由支委导出。');
  const members = (await listMembers(ctx.db, org.id)).map((m) => ({
    openId: m.open_id,
    name: m.name,
    role: m.role,
    category: m.category,
  }));
  const tallies = await ctx.db.selectFrom('ballot_tallies').selectAll().where('pipeline_id', '=', p.id).execute();
  return tallyRows(ballotSubjects(members), tallies).map((r) => ({
    part: '民主评议',
    name: r.name,
    date: '',
    detail: countsLine(r.counts),
    state: '',
  }));
}

export async function lifeFile(ctx: ActingContext, org: Org, year: number): Promise<LedgerFile> {
  const word = wordOf(org);
  const found = await findPipeline(ctx.db, org.id, year, kindOf(org));
  if (!found) throw new UserError('not_found', `本组织 ${year} 年度还没有${word}流程。`);
  // An open pipeline is brought up to the records first (the meeting held since anyone looked …).
  const locked = found.status === 'open' ? await lockPipeline(ctx.db, found.id) : undefined;
  const p = locked ? await syncStages(ctx, org, locked) : found;
  const tz = ctx.settings.timezone;
  const stages = stagesOf(p);
  const rows: Row[] = PIPELINE_STAGES.map((s) => ({
    part: '环节',
    name: STAGE_LABELS[s],
    date: stages[s].due,
    detail: '',
    state: stages[s].doneAt ? `${localDate(new Date(stages[s].doneAt as string), tz)} 完成` : '未完成',
  }));
  rows.push(...(await opinionRows(ctx, p)));
  rows.push(...(await attendanceRows(ctx, p)));
  rows.push(...(await talkRows(ctx, org, p)));
  for (const m of await listMaterials(ctx.db, p.id))
    rows.push({
      part: '对照检查材料',
      name: m.name,
      date: localDate(new Date(m.at), tz),
      detail: m.kind === 'file' ? `文件：${m.fileName ?? ''}` : m.value,
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
  rows.push(...(await appraisalRows(ctx, org, p)));
  const bytes = await lifeSheet.write({
    title: `${org.name}${year}年度${word}材料`,
    subtitle: exportedAt(ctx.now, tz),
    rows,
  });
  return { fileName: `${word}-${org.name}-${year}.xlsx`, bytes, count: rows.length };
}
