/**
 * The 组织生活会 / 民主生活会 pipeline's pure rules: each stage's due date counted in working days from
 * the planned meeting date, a stage's state on a day, what is next. Which stage is done is decided by
 * the records (service.ts); these rules only read `doneAt`.
 */
import { PIPELINE_STAGES, type PipelineKind, type PipelineStage } from '../../db/schema/life.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';

/**
 * Working days from the meeting to each stage's due date. The preparation (学习, 征求意见, 谈心谈话,
 * 对照检查材料) must be finished before the meeting; the 问题清单, 民主评议 and the 情况报告 to the
 * upper level follow it (《中国共产党支部工作条例（试行）》（2018年）第十九条; the report within about
 * three weeks is the usual practice).
 */
export const STAGE_OFFSETS: Record<PipelineStage, number> = {
  study: -15,
  opinions: -12,
  talks: -8,
  materials: -5,
  meeting: 0,
  problems: 5,
  appraisal: 10,
  report: 15,
};

export const STAGE_LABELS: Record<PipelineStage, string> = {
  study: '会前学习',
  opinions: '征求意见',
  talks: '谈心谈话',
  materials: '对照检查材料',
  meeting: '召开会议',
  problems: '问题清单',
  appraisal: '民主评议党员',
  report: '情况报告',
};

export const KIND_LABELS: Record<PipelineKind, string> = {
  life_meeting: '组织生活会',
  democratic_life: '民主生活会',
};

/** What to do for each stage, as the card says it (the command word is the kind's own). */
export function stageHint(stage: PipelineStage, word: string): string {
  switch (stage) {
    case 'study':
      return '组织一次集中学习（/学习 安排），签到后自动完成。';
    case 'opinions':
      return `管理员发送 /${word} 征求意见，党员在卡片上提出意见（可匿名）。`;
    case 'talks':
      return `完成本年度谈心谈话（/谈话 覆盖 查看）；确需先行的，管理员可发送 /${word} 继续 谈心谈话 <理由>。`;
    case 'materials':
      return `每位党员提交对照检查材料：/${word} 材料 <链接或说明>，或在与清风的单聊中直接发送文件。`;
    case 'meeting':
      return `召开${word}（/会议 新建），会后签到即自动关联；也可发送 /${word} 关联 <会议编号>。`;
    case 'problems':
      return `列出问题清单：/${word} 问题 @责任人 <问题> <时限，如 2027-03-31>，自动进入整改台账。`;
    case 'appraisal':
      return `开展民主评议党员：管理员发送 /${word} 评议 开始。`;
    case 'report':
      return `会议召开后，向上级党组织报送情况报告：/${word} 报告。`;
  }
}

/** Per stage: its due date and when the records showed it done (stored as JSON on the pipeline). */
export type StageMap = Record<PipelineStage, { due: string; doneAt: string | null }>;

/** The due dates counted from the meeting date over the working calendar (holidays skipped). */
export function planStages(meetingOn: string, calendar: Pick<WorkCalendar, 'addWorkdays' | 'isWorkday'>): StageMap {
  const out = {} as StageMap;
  for (const s of PIPELINE_STAGES) {
    const off = STAGE_OFFSETS[s];
    out[s] = { due: off === 0 ? meetingOn : calendar.addWorkdays(meetingOn, off), doneAt: null };
  }
  return out;
}

export type StageState = 'pending' | 'active' | 'done' | 'overdue';

export const STATE_LABELS: Record<StageState, string> = {
  pending: '未开始',
  active: '进行中',
  done: '已完成',
  overdue: '逾期',
};

/**
 * A stage on `today`: done once recorded; overdue after its due date; under way from the previous
 * stage's due date (the first from the start); not started before.
 */
export function stageState(stages: StageMap, stage: PipelineStage, today: string): StageState {
  const s = stages[stage];
  if (s.doneAt) return 'done';
  if (today > s.due) return 'overdue';
  const i = PIPELINE_STAGES.indexOf(stage);
  const prev = i > 0 ? PIPELINE_STAGES[i - 1] : undefined;
  if (!prev || today >= stages[prev].due) return 'active';
  return 'pending';
}

/** The first stage not done, in order (undefined when all are). */
export function nextStage(stages: StageMap): PipelineStage | undefined {
  return PIPELINE_STAGES.find((s) => !stages[s].doneAt);
}

/** Stages not done whose due date is `today` or passed (what the admins are reminded of). */
export function openStagesDueBy(stages: StageMap, day: string): PipelineStage[] {
  return PIPELINE_STAGES.filter((s) => !stages[s].doneAt && stages[s].due <= day);
}

/** A year as typed: 2000–2100. */
export function parseYearWord(w: string): number | undefined {
  if (!/^\d{4}$/.test(w)) return undefined;
  const y = Number(w);
  return y >= 2000 && y <= 2100 ? y : undefined;
}
