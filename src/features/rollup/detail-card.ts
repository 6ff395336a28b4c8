/**
 * One 支部 seen from above (查看 on the roll-up card, and the list a 督办 sends its 书记): which cycles
 * were missed in the last twelve months, which rectifications and tasks are overdue — titles, owners, days late — and which items
 * 下发 from above are not finished, with their status word. Status data only: never a 遇到困难 reason,
 * a note, minutes or a 心得. Each list shows its first rows, the most late
 * first, and says how many more. Pure builder.
 */
import { card, markdown, note } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { overviewPress } from './contracts.ts';
import { colourMark, measuresLine, type RollupRowView } from './rollup-card.ts';

/** Lines per list (the rest counted): keeps the card far under 30 KB at any size. */
export const DETAIL_SHOWN = 10;

export interface OverdueLine {
  /** 整改事项 #12 or the task's item; the title as stored. */
  label: string;
  title: string;
  owner: string;
  deadline: string;
  daysLate: number;
}

/** An item 下发 from above and not finished: its 序号 in the 支部's list, content and status word. */
export interface IssuedLine {
  seq: number;
  title: string;
  status: string;
}

export interface DetailView {
  upperOrgId: number;
  upperName: string;
  row: RollupRowView;
  /** Per rule, the periods it missed in the last twelve months, in words (2026年3月). */
  missed: readonly { name: string; periods: readonly string[] }[];
  rects: readonly OverdueLine[];
  tasks: readonly OverdueLine[];
  /** This year's items 下发 from above: how many, and those not finished (absent: nothing 下发). */
  issued?: { total: number; open: readonly IssuedLine[] };
}

function overdueLines(items: readonly OverdueLine[]): string[] {
  const lines = items
    .slice(0, DETAIL_SHOWN)
    .map(
      (x) =>
        `${md(x.label, 20)} ${md(x.title, 40)} — 责任人 ${md(x.owner, 20)}，时限 ${x.deadline}，逾期 ${x.daysLate} 天`,
    );
  if (items.length > DETAIL_SHOWN) lines.push(`其余 ${items.length - DETAIL_SHOWN} 项略。`);
  return lines;
}

/** The lists as markdown sections (also the text a 督办 sends). */
export function detailSections(v: Omit<DetailView, 'upperOrgId' | 'upperName'>): string[] {
  const missedCount = v.missed.reduce((n, m) => n + m.periods.length, 0);
  return [
    `**近12个月未按期开展（${missedCount}）**\n${
      v.missed.length === 0
        ? '无'
        : v.missed
            .slice(0, DETAIL_SHOWN)
            .map((m) => `${md(m.name, 20)}：${m.periods.map((p) => md(p, 20)).join('、')}`)
            .join('\n')
    }`,
    `**整改逾期（${v.rects.length}）**\n${v.rects.length === 0 ? '无' : overdueLines(v.rects).join('\n')}`,
    `**任务逾期（${v.tasks.length}）**\n${v.tasks.length === 0 ? '无' : overdueLines(v.tasks).join('\n')}`,
    `**本半年参学率**：${v.row.attendance === null ? '没有已开展的学习' : `${v.row.attendance}%`}`,
    ...(v.issued && v.issued.total > 0 ? [issuedSection(v.issued)] : []),
  ];
}

/** "上级下发未完成（1/3）" and each such item with its status word (no note or reason: the 支部's own). */
function issuedSection(i: NonNullable<DetailView['issued']>): string {
  const head = `**上级下发未完成（${i.open.length}/${i.total}）**`;
  if (i.open.length === 0) return `${head}\n无，均已完成`;
  const lines = i.open.slice(0, DETAIL_SHOWN).map((x) => `第 ${x.seq} 项 ${md(x.title, 40)} — ${md(x.status, 10)}`);
  if (i.open.length > DETAIL_SHOWN) lines.push(`其余 ${i.open.length - DETAIL_SHOWN} 项略。`);
  return `${head}\n${lines.join('\n')}`;
}

export function buildDetailCard(v: DetailView): Card {
  const elements: CardElement[] = [
    markdown(`${colourMark(v.row.colour)} ${measuresLine(v.row)}`),
    ...detailSections(v).map((s) => markdown(s)),
  ];
  if (v.row.colour !== 'green')
    elements.push(
      overviewPress.button(
        {
          text: '督办',
          org: v.upperOrgId,
          type: 'danger',
          confirm: { title: '督办', text: '向该支部书记私信发送以上清单，并加急提醒。每个支部每天一次。' },
        },
        { b: v.row.orgId },
      ),
    );
  elements.push(note(`由「${md(v.upperName, 40)}」查看。只列状态，不含困难原因、谈话记录和心得等内容。`));
  return card({
    title: `${v.row.name}情况`,
    subtitle: '未按期开展、整改逾期、任务逾期和上级下发',
    template: v.row.colour === 'red' ? 'red' : v.row.colour === 'yellow' ? 'orange' : 'green',
    elements,
  });
}

/** What a 督办 sends the 支部's 书记: the same lists, from the upper org, without buttons. */
export function buildPressCard(v: Omit<DetailView, 'upperOrgId'>): Card {
  return card({
    title: `【督办】${v.row.name}`,
    subtitle: `「${v.upperName}」督办`,
    template: 'red',
    elements: [
      markdown(
        `「${md(v.upperName, 40)}」请本支部抓紧落实以下事项，按期召开会议、完成整改和任务（含上级下发的任务），并在清风中及时报告进展。`,
      ),
      markdown(`${colourMark(v.row.colour)} ${measuresLine(v.row)}`),
      ...detailSections(v).map((s) => markdown(s)),
      note(
        '会议按规定召开并签到后自动计入；整改和任务请在各自卡片上报告进展或申请销号、延期；上级下发任务还未指定责任人的，请书记发送“/清单 指派 序号 @责任人”指定。',
      ),
    ],
  });
}
