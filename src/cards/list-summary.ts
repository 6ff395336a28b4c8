/**
 * What a list or overview card says about its items as a whole (issue 14 item 4): the counts by status
 * with the completion rate ("共 42 项：已销号 30 · 整改中 9 · 逾期 3 · 完成率 71%"), a small pie chart of
 * the same counts, and a list row with its 查看 button (the features list overdue rows first, then the
 * open ones, finished ones last). Pure: the features count and name their statuses, this draws them.
 */
import type { CardElement } from '../core/card.ts';
import { markdown } from './parts.ts';
import { clean, md } from './text.ts';

/** One status and how many items stand in it; `done` marks the statuses that count as completed. */
export interface StatusCount {
  label: string;
  count: number;
  done?: boolean;
  /** Shown in red (逾期). */
  late?: boolean;
}

/** The completion rate in whole percent (rounded down, so 99.6% is not "100%"); null without items. */
export function completionRate(done: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.floor((done * 100) / total);
}

/** Items counted, completed ones, and the rate. */
export function tally(counts: readonly StatusCount[]): { total: number; done: number; rate: number | null } {
  const total = counts.reduce((n, c) => n + c.count, 0);
  const done = counts.filter((c) => c.done).reduce((n, c) => n + c.count, 0);
  return { total, done, rate: completionRate(done, total) };
}

/**
 * `共 42 项：已销号 30 · 整改中 9 · 逾期 3 · 完成率 71%` (statuses with no item left out; 逾期 in red),
 * after `scope` ("全部", "本年度") when given; `rate: false` leaves the rate out.
 */
export function summaryLine(counts: readonly StatusCount[], o: { scope?: string; rate?: boolean } = {}): string {
  const { total, rate } = tally(counts);
  const head = `${o.scope ? `${md(o.scope, 30)}` : ''}共 ${total} 项`;
  if (total === 0) return `${head}。`;
  const parts = counts
    .filter((c) => c.count > 0)
    .map((c) => (c.late ? `<font color='red'>${md(c.label, 20)} ${c.count}</font>` : `${md(c.label, 20)} ${c.count}`));
  const tail = o.rate === false || rate === null ? '' : ` · **完成率 ${rate}%**`;
  return `${head}：${parts.join(' · ')}${tail}`;
}

/** The summary line as a card element. */
export function summaryElement(
  counts: readonly StatusCount[],
  o: { scope?: string; rate?: boolean } = {},
): CardElement {
  return markdown(summaryLine(counts, o));
}

/**
 * A small pie chart of the counts (Feishu's `chart` component, a VChart spec; statuses with no item
 * left out), or nothing when fewer than two statuses have items (a one-slice pie says nothing).
 */
export function statusChart(title: string, counts: readonly StatusCount[]): CardElement[] {
  const values = counts
    .filter((c) => c.count > 0)
    // VChart draws these as plain text (no markdown), so they are only cleaned and cut.
    .map((c) => ({ status: clean(c.label, 20), count: c.count }));
  if (values.length < 2) return [];
  return [
    {
      tag: 'chart',
      aspect_ratio: '2:1',
      color_theme: 'brand',
      chart_spec: {
        type: 'pie',
        title: { text: clean(title, 40) },
        data: { values },
        valueField: 'count',
        categoryField: 'status',
        outerRadius: 0.8,
        innerRadius: 0.5,
        legends: { visible: true, orient: 'right' },
        label: { visible: true },
      },
    },
  ];
}

/**
 * One list row: its text (markdown written by the bot, user text already escaped) beside its 查看
 * button. Costs 6 tagged objects (the row, two columns, the text, the button and its label).
 */
export function rowWithButton(text: string, open: CardElement): CardElement {
  return {
    tag: 'column_set',
    horizontal_spacing: 'small',
    columns: [
      { tag: 'column', width: 'weighted', weight: 5, vertical_align: 'center', elements: [markdown(text)] },
      { tag: 'column', width: 'auto', vertical_align: 'center', elements: [open] },
    ],
  };
}
