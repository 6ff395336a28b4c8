import { type StatusCount, statusChart, summaryLine, tally } from '../../cards/list-summary.ts';
import { card, markdown } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';

export interface BatchView {
  name: string;
  source: string;
  feedbackDate: string;
  milestones: { n: number; title: string; due: string; done: boolean; note: string }[];
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
      markdown(
        v.milestones
          .map(
            (m) =>
              `${m.done ? '✅' : '⏳'} **${m.n}. ${md(m.title, 60)}**　${m.due}　<font color='${m.done ? 'green' : 'grey'}'>${md(m.note, 100)}</font>`,
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
