import { type StatusCount, statusChart, summaryLine, tally } from '../../cards/list-summary.ts';
import { card, markdown } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import { type DueTone, dueText } from '../../cards/tracked-item.ts';
import type { Card } from '../../core/card.ts';

export interface BatchView {
  name: string;
  source: string;
  feedbackDate: string;
  /** What the answer tells besides (a milestone moved off a day off …), above the milestones. */
  notes?: readonly string[];
  /** `tone`: where the milestone stands now, the colour of its note (done green, overdue in the late colour). */
  milestones: { n: number; title: string; due: string; done: boolean; note: string; tone: DueTone }[];
  /** The batch's items by status (`rectStatusCounts` in list.ts): the counts, the rate and the chart. */
  counts: StatusCount[];
}

/**
 * An inspection batch: its milestones with countdowns, and how its items stand — the counts by status
 * with the completion rate, and a pie of them.
 */
export function buildBatchCard(v: BatchView): Card {
  return card({
    title: `${v.source}整改 · ${v.name}`,
    subtitle: `反馈日期 ${v.feedbackDate}`,
    template: 'red',
    elements: [
      ...(v.notes && v.notes.length > 0 ? [markdown(v.notes.map((n) => md(n, 200)).join('\n'))] : []),
      markdown(
        v.milestones
          .map(
            (m) =>
              `${m.done ? '✅' : '⏳'} **${m.n}. ${md(m.title, 60)}**　${m.due}　${dueText(m.tone, md(m.note, 100))}`,
          )
          .join('\n'),
      ),
      markdown(`**整改事项**：${summaryLine(v.counts)}`),
      ...(tally(v.counts).total > 0 ? statusChart('本批次整改情况', v.counts) : []),
      markdown("<font color='grey'>/巡察 节点 批次名 序号 日期 调整节点；/巡察 完成 批次名 序号 标记完成。</font>", {
        size: 'notation',
      }),
    ],
  });
}
