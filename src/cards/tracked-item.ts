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

/**
 * The colour 逾期 is shown in across the product: the list counts (list-summary.ts), /我的, the weekly
 * digest's header, the roll-up. Every overdue word on an item's card and list row uses it.
 */
export const LATE_COLOUR = 'red';

/** Markdown (already escaped) in the late colour when `on`. */
export function redIf(on: boolean, markdownText: string): string {
  return on ? `<font color='${LATE_COLOUR}'>${markdownText}</font>` : markdownText;
}

/**
 * How a deadline stands now, which sets the colour of its words ("还剩 3 天", "已逾期 2 天"…):
 * `overdue` open and past it, `today` due today, `running` time left, `met` finished by it,
 * `met_late` finished after it.
 */
export type DueTone = 'overdue' | 'today' | 'running' | 'met' | 'met_late';

const DUE_COLOURS: Record<DueTone, string | undefined> = {
  overdue: LATE_COLOUR,
  met_late: LATE_COLOUR,
  today: 'orange',
  running: undefined,
  met: 'green',
};

/**
 * The deadline's words (markdown, already escaped) in the colour of where it stands now: the late
 * colour only while overdue (or finished late), the ordinary text colour while time is left — so a
 * countdown after an extension does not read as late.
 */
export function dueText(tone: DueTone, markdownText: string): string {
  const colour = DUE_COLOURS[tone];
  return colour ? `<font color='${colour}'>${markdownText}</font>` : markdownText;
}

/**
 * The permanent late mark, a tag in the late colour beside the deadline: 逾期 while the item is past
 * its deadline, 曾逾期 once it no longer is (its deadline extended, or finished) but was late before.
 */
export function lateMarkTag(overdueNow: boolean): string {
  return `<text_tag color='${LATE_COLOUR}'>${overdueNow ? '逾期' : '曾逾期'}</text_tag>`;
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
 * the late colour after it while late.
 */
export function listLine(
  r: { id: number; text: string; ownerName: string; date: string; statusLabel: string },
  lateMark?: string,
): string {
  return `**#${r.id}** ${md(r.text, 40)}\n<font color='grey'>${md(r.ownerName)} · ${r.date} · ${md(r.statusLabel)}</font>${lateMark ? ` ${redIf(true, md(lateMark))}` : ''}`;
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
 * (green once finished, red when late), the summary `title：status`. `late` is whether the item is
 * past its deadline now, not a permanent mark it keeps after an extension (`lateMarkTag` shows that).
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
    template: v.late && v.open ? LATE_COLOUR : (v.templates[v.status] ?? 'blue'),
    tags: [{ text: v.statusLabel, color: v.status === v.finished ? 'green' : v.late ? LATE_COLOUR : 'blue' }],
    summary: `${v.title}：${v.statusLabel}`,
    elements: v.elements,
  });
}
