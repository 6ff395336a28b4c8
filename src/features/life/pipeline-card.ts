/**
 * The pipeline card (issue 16 item 3): each stage with its due date and state, 对照检查材料 已交 n/m,
 * the 问题清单, the next step and what to send; and the 情况报告 card sent to the upper level (counts
 * only: no names of who said what). The group card is shared, so who has not handed in is listed only
 * on the admins' private copy (`missing`). No buttons. Pure.
 */
import { card, divider, markdown, note } from '../../cards/parts.ts';
import { clip, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { PIPELINE_STAGES, type PipelineKind, type PipelineStage } from '../../db/schema/life.ts';
import { KIND_LABELS, STAGE_LABELS, STATE_LABELS, type StageState, stageHint } from './pipeline-rules.ts';

/** Problems and names shown on one card (the rest are counted). */
export const PROBLEMS_SHOWN = 20;
export const NAMES_SHOWN = 40;
const NAME_MAX = 12;

export interface ProblemView {
  id: number;
  problem: string;
  owner: string;
  deadline: string;
  status: string;
}

export interface PipelineCardView {
  orgName: string;
  year: number;
  kind: PipelineKind;
  /** `late`: done after its due date (a study held late still completes its stage). */
  stages: readonly { stage: PipelineStage; due: string; state: StageState; late?: boolean }[];
  next: PipelineStage | undefined;
  materials: { handed: number; required: number };
  problems: readonly ProblemView[];
  /** The meeting linked (its date), when held. */
  meetingOn: string | null;
  reported: boolean;
  /** Admins' private copy only: who has not handed in 对照检查材料. */
  missing?: readonly string[];
}

const STATE_COLORS: Record<StageState, string> = { pending: 'grey', active: 'blue', done: 'green', overdue: 'red' };

function stageLine(v: PipelineCardView, s: PipelineCardView['stages'][number]): string {
  const extra =
    s.stage === 'materials'
      ? `（已交 ${v.materials.handed}/${v.materials.required}）`
      : s.stage === 'meeting' && v.meetingOn
        ? `（${v.meetingOn} 召开）`
        : s.stage === 'problems' && v.problems.length > 0
          ? `（${v.problems.length} 项）`
          : '';
  return `${STAGE_LABELS[s.stage]}　截止 ${s.due}　<font color='${STATE_COLORS[s.state]}'>${STATE_LABELS[s.state]}${s.late ? '（逾期）' : ''}</font>${extra}`;
}

function problemLines(problems: readonly ProblemView[]): CardElement[] {
  if (problems.length === 0) return [];
  const shown = problems.slice(0, PROBLEMS_SHOWN);
  const more = problems.length - shown.length;
  return [
    markdown('**问题清单**（已列入整改台账）'),
    markdown(
      shown
        .map(
          (p) =>
            `#${p.id} ${md(clip(p.problem, 60))}（责任人：${md(clip(p.owner, NAME_MAX))}，时限 ${p.deadline}，${md(p.status, 10)}）`,
        )
        .join('\n'),
    ),
    ...(more > 0 ? [note(`其余 ${more} 项未列出，请查看整改台账：/整改 列表。`)] : []),
  ];
}

export function buildPipelineCard(v: PipelineCardView): Card {
  const word = KIND_LABELS[v.kind];
  const missing = v.missing ?? [];
  const names = missing.slice(0, NAMES_SHOWN).map((n) => md(clip(n, NAME_MAX)));
  return card({
    title: `${word} · ${v.year}年度`,
    subtitle: v.orgName,
    template: v.reported ? 'green' : v.stages.some((s) => s.state === 'overdue') ? 'orange' : 'blue',
    elements: [
      markdown(v.stages.map((s) => stageLine(v, s)).join('\n')),
      ...problemLines(v.problems),
      divider(),
      v.reported
        ? markdown('情况报告已报送上级党组织，本年度流程已完成。')
        : v.next
          ? markdown(`**下一步：${STAGE_LABELS[v.next]}**\n${stageHint(v.next, word)}`)
          : markdown(`各环节均已完成，请报送情况报告：/${word} 报告。`),
      ...(v.missing
        ? [
            markdown(
              missing.length === 0
                ? '对照检查材料已全部提交。'
                : `尚未提交对照检查材料（${missing.length} 人）：${names.join('、')}${missing.length > NAMES_SHOWN ? ' 等' : ''}`,
            ),
          ]
        : []),
      note(
        `依据《中国共产党支部工作条例（试行）》（2018年）。各环节按记录自动完成；查看进度：/${word} 查看；提交材料：/${word} 材料 <链接或说明>，或在单聊中把文件发给清风。`,
      ),
    ],
  });
}

export interface ReportCardView {
  orgName: string;
  year: number;
  kind: PipelineKind;
  stages: readonly { stage: PipelineStage; due: string; doneOn: string | null }[];
  meetingOn: string | null;
  attendance: { present: number; invited: number } | null;
  materials: { handed: number; required: number };
  problems: readonly ProblemView[];
  opinions: number;
  appraisal: { voted: number; done: boolean };
}

/** "未完成的环节：征求意见、民主评议党员" (the report may go once the meeting is held; the rest is said). */
function unfinishedLine(v: ReportCardView): string {
  const open = PIPELINE_STAGES.filter((s) => s !== 'report' && !v.stages.find((x) => x.stage === s)?.doneOn);
  return open.length === 0 ? '各环节均已完成。' : `**未完成的环节**：${open.map((s) => STAGE_LABELS[s]).join('、')}`;
}

/** The 情况报告 for the upper level: dates, attendance, counts and the problems with owners and deadlines. */
export function buildLifeReportCard(v: ReportCardView): Card {
  const word = KIND_LABELS[v.kind];
  const at = v.attendance ? `应到 ${v.attendance.invited} 人，实到 ${v.attendance.present} 人` : '未记录出勤';
  return card({
    title: `${word}情况报告 · ${v.year}年度`,
    subtitle: v.orgName,
    template: 'green',
    elements: [
      markdown(
        [
          `会议日期：${v.meetingOn ?? '未关联会议记录'}（${at}）`,
          `征求意见：${v.opinions} 条`,
          `对照检查材料：已交 ${v.materials.handed}/${v.materials.required}`,
          `民主评议党员：${v.appraisal.done ? '已完成' : '未完成'}（参评 ${v.appraisal.voted} 人）`,
          `问题清单：${v.problems.length} 项`,
        ].join('\n'),
      ),
      markdown(unfinishedLine(v)),
      markdown(
        PIPELINE_STAGES.filter((s) => s !== 'report')
          .map((s) => {
            const r = v.stages.find((x) => x.stage === s);
            return `${STAGE_LABELS[s]}：截止 ${r?.due ?? '-'}，${r?.doneOn ? `${r.doneOn} 完成` : '未完成'}`;
          })
          .join('\n'),
      ),
      ...problemLines(v.problems),
      note('本报告由清风根据记录汇总，不含意见提出人及评议票的个人信息。'),
    ],
  });
}
