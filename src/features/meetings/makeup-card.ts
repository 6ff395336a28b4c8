/**
 * 补学 cards, always sent to the member privately (never a group card): the list of study sessions
 * they missed with a 补学 button each, and the 补学 card — the session's material (学习内容, 学习记录,
 * links and files) with the form for a 补学 心得, then what was recorded. Pure builders.
 */

import { buttonRow, card, divider, form, input, longTextInputs, markdown, note, plainText } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { REFLECTION_PARTS, studyMakeup, studyMakeupOpen } from './contracts.ts';
import { MIN_REFLECTION_LENGTH } from './session-card.ts';

export interface MakeupView {
  id: number;
  orgId: number;
  /** "中心组学习：学习贯彻…" */
  heading: string;
  startText: string;
  organiserName: string;
  /** How the member missed it: 缺席 or 请假. */
  missed: string;
  agenda: string;
  /** The 学习记录 (the session's minutes), when recorded. */
  minutes: string | undefined;
  /** Links given with the 学习记录. */
  links: { name: string; url: string }[];
  /** Names of files sent to the bot for the session (photos, slides …). */
  files: string[];
  /** The 补学 recorded: when and how long. */
  done?: { at: string; length: number };
}

export type MakeupCardMode = 'form' | 'done';

/** Links and files listed on the card. */
const MATERIAL_SHOWN = 10;
/** Sessions listed on the 补学 list. */
const LIST_SHOWN = 15;

function material(v: MakeupView, full: boolean): CardElement[] {
  const out: CardElement[] = [];
  if (v.agenda) out.push(markdown('**学习内容**'), plainText(v.agenda, { max: full ? 1500 : 1000 }));
  if (v.minutes) out.push(markdown('**学习记录**'), plainText(v.minutes, { max: full ? 1500 : 1000 }));
  const lines: string[] = [];
  for (const l of v.links.slice(-MATERIAL_SHOWN)) lines.push(`- ${md(l.url, 300)}`);
  for (const f of v.files.slice(-MATERIAL_SHOWN)) lines.push(`- 文件《${md(f, 80)}》`);
  if (lines.length > 0) {
    const more = v.links.length + v.files.length > lines.length ? '\n这里显示最近的材料。' : '';
    out.push(markdown(`**学习材料**\n${lines.join('\n')}${more}`));
    if (v.files.length > 0) out.push(note(`文件在学习通知所在的群聊中，也可向组织人${md(v.organiserName, 20)}索取。`));
  }
  if (out.length === 0) out.push(note(`本次学习没有登记材料，请向组织人${md(v.organiserName, 20)}索取。`));
  return out;
}

/** The 补学 card: the material and the 补学 心得 form (`form`), or what was recorded (`done`). */
export function buildMakeupCard(v: MakeupView, mode: MakeupCardMode = 'form'): Card {
  const elements: CardElement[] = [
    markdown(
      `**原定时间**：${md(v.startText)}\n**组织人**：${md(v.organiserName)}\n**您的出勤**：${md(v.missed, 10)}（补学后仍记为${md(v.missed, 10)}，另记补学）`,
    ),
    divider(),
    ...material(v, mode === 'done'),
    divider(),
  ];
  if (mode === 'done' || v.done) {
    elements.push(
      markdown(
        `<font color='green'>已记录补学</font>${v.done ? `：${md(v.done.at)} 提交补学心得 ${v.done.length} 字。` : '。'}补学不计入出勤。`,
      ),
    );
  } else {
    elements.push(
      form(`makeup_${v.id}`, [
        ...longTextInputs({
          name: studyMakeup.fields.text,
          label: '补学心得',
          placeholder: `学习上面的材料后填写，不少于 ${MIN_REFLECTION_LENGTH} 字；较长时可接着写在下面几栏`,
          required: true,
          parts: REFLECTION_PARTS,
        }),
        input({ name: studyMakeup.fields.link, label: '链接（可选）', placeholder: 'https://…', maxLength: 500 }),
        studyMakeup.button(
          { text: '提交补学心得', type: 'primary', submit: { name: 'submit_makeup' }, org: v.orgId },
          { id: v.id },
        ),
      ]),
    );
  }
  return card({
    title: `补学：${v.heading}`,
    subtitle: v.startText,
    template: mode === 'done' || v.done ? 'green' : 'indigo',
    tags: [{ text: '补学', color: 'indigo' }],
    summary: `补学：${v.heading}`,
    elements,
  });
}

/** The study sessions a member missed and has not made up, newest first, each with a 补学 button. */
export function buildMakeupListCard(v: {
  orgId: number;
  rows: { id: number; heading: string; when: string; missed: string }[];
}): Card {
  const shown = v.rows.slice(0, LIST_SHOWN);
  const elements: CardElement[] = [];
  if (shown.length === 0) elements.push(markdown('您没有需要补学的学习。'));
  for (const r of shown) {
    elements.push(
      markdown(`**#${r.id}** ${md(r.heading, 60)}\n<font color='grey'>${md(r.when, 30)} · ${md(r.missed, 10)}</font>`),
      buttonRow([studyMakeupOpen.button({ text: '补学', org: v.orgId }, { id: r.id })]),
    );
  }
  if (v.rows.length > shown.length)
    elements.push(note(`这里显示最近 ${shown.length} 次，共 ${v.rows.length} 次；其余请发送 /学习 补学 编号。`));
  elements.push(note('补学：学习材料后提交补学心得。补学另行记录，不计入出勤。'));
  return card({
    title: '需要补学的学习',
    subtitle: `共 ${v.rows.length} 次`,
    template: 'indigo',
    elements,
  });
}
