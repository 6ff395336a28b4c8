import { card, markdown } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';

export interface BatchView {
  name: string;
  source: string;
  feedbackDate: string;
  milestones: { n: number; title: string; due: string; done: boolean; note: string }[];
  items: { total: number; closed: number; overdue: number; review: number };
}

/** An inspection batch: its milestones with countdowns, and how its items stand. */
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
      markdown(
        `**整改事项**：共 ${v.items.total} 项，已销号 ${v.items.closed} 项，待审核 ${v.items.review} 项，逾期 ${v.items.overdue} 项`,
      ),
      markdown("<font color='grey'>/巡察 节点 批次名 序号 日期 调整节点；/巡察 完成 批次名 序号 标记完成。</font>", {
        size: 'notation',
      }),
    ],
  });
}
