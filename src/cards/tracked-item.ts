/**
 * Pieces of the cards of a tracked item with an owner, a deadline and a history: a responsibility task
 * and a rectification item draw their header, lines, evidence, history and list rows with these, so
 * the two look and read alike (the meeting cards share the text sections and the new-item form's frame).
 * Pure builders.
 */
import type { Card, CardElement, HeaderTemplate } from '../core/card.ts';
import { card, collapsible, form, input, markdown, note, plainText } from './parts.ts';
import { md } from './text.ts';

/** Entries of the history shown on a card; the rest is one command away (`/任务 记录`, `/整改 记录`). */
export const HISTORY_ON_CARD = 10;

/** Markdown (already escaped) in red when `on`. */
export function redIf(on: boolean, markdownText: string): string {
  return on ? `<font color='red'>${markdownText}</font>` : markdownText;
}

/** `**责任人**：… **责任领导**：…` (— without a leader). */
export function ownerLine(ownerName: string, leader: string): string {
  return `**责任人**：${md(ownerName)}　**责任领导**：${md(leader || '—')}`;
}

/** A bold heading over a long user text (the content, the problem, the measures, the minutes). */
export function textSection(title: string, text: string): CardElement[] {
  return [markdown(`**${title}**`), plainText(text, { max: 1500 })];
}

/**
 * One row of a list card: `#id` and the text, then owner · date · status in grey, and `lateMark` in
 * red after it while late.
 */
export function listLine(
  r: { id: number; text: string; ownerName: string; date: string; statusLabel: string },
  lateMark?: string,
): string {
  return `**#${r.id}** ${md(r.text, 40)}\n<font color='grey'>${md(r.ownerName)} · ${r.date} · ${md(r.statusLabel)}</font>${lateMark ? ` <font color='red'>${md(lateMark)}</font>` : ''}`;
}

/** The 责任领导 input of a new-item form. */
export function leaderInput(name: string): CardElement {
  return input({ name, label: '责任领导', placeholder: '例如：李明华', maxLength: 50 });
}

/**
 * A card holding one form that creates something (a task, an item, a session); drawn again after a
 * refused submit, with what was wrong in red above the form.
 */
export function newItemFormCard(o: {
  title: string;
  template: HeaderTemplate;
  error: string | undefined;
  formName: string;
  fields: CardElement[];
}): Card {
  return card({
    title: o.title,
    template: o.template,
    elements: [...(o.error ? [markdown(`<font color='red'>${md(o.error)}</font>`)] : []), form(o.formName, o.fields)],
  });
}

/** `**佐证材料**（n）` and the names of the latest `shown`, each after its mark (📎 a file …). */
export function evidenceList<E extends { name: string }>(
  evidence: E[],
  shown: number,
  mark: (e: E) => string = () => '',
): CardElement {
  return markdown(
    `**佐证材料**（${evidence.length}）\n${evidence
      .slice(-shown)
      .map((e) => `- ${mark(e)}${md(e.name, 80)}`)
      .join('\n')}`,
  );
}

/** The history folded under `title（n）`: the latest entries, and the command that gives all of them. */
export function historySection<H>(
  title: string,
  history: H[],
  line: (h: H) => string,
  fullCommand: string,
): CardElement {
  const shown = history.slice(-HISTORY_ON_CARD);
  return collapsible(`${title}（${history.length}）`, [
    markdown(shown.map(line).join('\n')),
    ...(history.length > shown.length
      ? [note(`共 ${history.length} 条，这里显示最近 ${shown.length} 条；完整记录请发送 ${fullCommand}。`)]
      : []),
  ]);
}

/**
 * The item's card: the header coloured by its status (red while late and open) and tagged with it
 * (green once finished, red when late), the summary `title：status`.
 */
export function trackedItemCard(v: {
  title: string;
  subtitle: string;
  status: string;
  statusLabel: string;
  templates: Record<string, HeaderTemplate>;
  finished: string;
  late: boolean;
  open: boolean;
  elements: CardElement[];
}): Card {
  return card({
    title: v.title,
    subtitle: v.subtitle,
    template: v.late && v.open ? 'red' : (v.templates[v.status] ?? 'blue'),
    tags: [{ text: v.statusLabel, color: v.status === v.finished ? 'green' : v.late ? 'red' : 'blue' }],
    summary: `${v.title}：${v.statusLabel}`,
    elements: v.elements,
  });
}
