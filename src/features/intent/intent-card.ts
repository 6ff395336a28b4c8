/**
 * The conversation's cards: the answer to a greeting (with the person's most useful buttons), the
 * confirmation of a natural request (what will be done, 确认 and 取消), the same card once confirmed
 * or cancelled, and the polite answer to a sentence the bot did not understand. Pure.
 */
import { type QuickAction, quickButtons } from '../../cards/help-card.ts';
import { buttonRow, card, form, input, markdown, note, selectStatic } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { intentRun } from './contracts.ts';

const TITLE = { greeting: '您好！', thanks: '不客气！', emoji: '收到！' } as const;

/** A greeting, thanks or emoji: a short friendly answer and the person's three most useful buttons. */
export function buildGreetingCard(v: {
  kind: keyof typeof TITLE;
  name: string | undefined;
  orgName: string | undefined;
  orgId: number | undefined;
  quick: readonly QuickAction[];
}): Card {
  const who = v.name ? `${md(v.name, 20)}，` : '';
  const line =
    v.kind === 'thanks'
      ? `${who}不客气，有事随时找我。`
      : `${who}我是清风，${v.orgName ? `${md(v.orgName, 40)}的` : ''}全面从严治党工作助手。您可以直接说“帮我请假到12月20日”“把12号整改延期到月底”，我会先请您确认再办。`;
  return card({
    title: `清风 · ${TITLE[v.kind]}`,
    template: 'red',
    summary: `清风：${TITLE[v.kind]}`,
    elements: [
      markdown(line),
      ...(v.quick.length > 0 ? [buttonRow(quickButtons(v.quick, v.orgId))] : []),
      note('发送 /帮助 查看全部命令。'),
    ],
  });
}

/** One line of a confirmation: what (label) and its value, both the bot's words or escaped user text. */
export interface ConfirmLine {
  label: string;
  value: string;
}

export interface ConfirmView {
  orgId: number | undefined;
  /** What will be done, as a title: 确认请假, 确认申请延期 … */
  title: string;
  lines: readonly ConfirmLine[];
  /** The command that 确认 runs, as it would be typed (shown), and its words (carried). */
  command: string;
  words: readonly string[];
  /** Who asked (only they may confirm) and the message they asked with. */
  asker: string;
  asked: string;
  /** One line for the card once done (“请假至 12月20日（星期日）”). */
  summary: string;
  /** A required reason typed on the card before 确认 (appended to the command). */
  reason?: { label: string; placeholder: string; initial: string };
  /** A choice made on the card before 确认 (appended to the command). */
  pick?: { placeholder: string; options: readonly { text: string; value: string }[] };
}

/** The confirmation of a natural request: exactly what will be done, and nothing until 确认. */
export function buildConfirmCard(v: ConfirmView): Card {
  const value = (k: 'ok' | 'no') => ({ c: JSON.stringify(v.words), k, u: v.asker, m: v.asked, t: v.summary });
  const confirm = (submit: boolean) =>
    intentRun.button(
      { text: '确认', type: 'primary', org: v.orgId, ...(submit ? { submit: { name: 'intent_confirm' } } : {}) },
      value('ok'),
    );
  const cancel = intentRun.button({ text: '取消', org: v.orgId }, value('no'));
  const needsForm = v.reason !== undefined || v.pick !== undefined;
  const inputs: CardElement[] = [
    ...(v.pick
      ? [
          selectStatic({
            name: intentRun.fields.pick,
            placeholder: v.pick.placeholder,
            options: [...v.pick.options],
            initial: v.pick.options[0]?.value,
            required: true,
          }),
        ]
      : []),
    ...(v.reason
      ? [
          input({
            name: intentRun.fields.reason,
            label: v.reason.label,
            placeholder: v.reason.placeholder,
            required: true,
            maxLength: 500,
            defaultValue: v.reason.initial,
          }),
        ]
      : []),
  ];
  return card({
    title: v.title,
    template: 'orange',
    summary: `请确认：${v.summary}`,
    elements: [
      markdown(v.lines.map((l) => `**${md(l.label, 20)}**：${md(l.value, 200)}`).join('\n')),
      note(`相当于输入 ${md(v.command, 120)}。点“确认”后才会执行，只有发起人可以确认或取消。`),
      ...(needsForm
        ? [form('intent_form', [...inputs, confirm(true)]), buttonRow([cancel])]
        : [buttonRow([confirm(false), cancel])]),
    ],
  });
}

/** The confirmation card once confirmed or cancelled: what was (not) done, without buttons. */
export function buildIntentDoneCard(v: { state: 'confirmed' | 'cancelled'; summary: string }): Card {
  const done = v.state === 'confirmed';
  return card({
    title: done ? '已确认' : '已取消',
    template: done ? 'green' : 'grey',
    summary: done ? '已确认' : '已取消',
    elements: [
      markdown(done ? `已按您的确认办理：${md(v.summary, 200)}。` : `已取消：${md(v.summary, 200)}，没有做任何更改。`),
    ],
  });
}

/** A sentence the bot did not understand: what it can do instead, a suggestion, the useful buttons. */
export function buildNotUnderstoodCard(v: {
  said: string;
  near: string | undefined;
  examples: readonly string[];
  orgId: number | undefined;
  quick: readonly QuickAction[];
}): Card {
  const near = v.near
    ? [
        markdown(`您是不是要找 **/${md(v.near, 40)}**？`),
        buttonRow([
          intentRun.button(
            { text: `/${v.near}`, type: 'primary', org: v.orgId },
            { c: JSON.stringify(v.near.split(' ')), k: 'go' },
          ),
        ]),
      ]
    : [];
  return card({
    title: '清风 · 没太明白',
    template: 'wathet',
    summary: '清风没太明白您的意思',
    elements: [
      markdown(`抱歉，我还不太明白“${md(v.said, 60)}”。`),
      ...near,
      markdown(`您可以这样说：\n${v.examples.map((e) => `- ${md(e, 40)}`).join('\n')}`),
      ...(v.quick.length > 0 ? [buttonRow(quickButtons(v.quick, v.orgId))] : []),
      note('发送 /帮助 查看全部命令。'),
    ],
  });
}
