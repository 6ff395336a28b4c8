/**
 * The summary card of the year's 主体责任落实情况报告 (/报告 2026): the key figures, and a bar chart of
 * how many times each calendar rule asks for a meeting or study against how many were held (Feishu's
 * `chart` component, whose `chart_spec` is a VChart spec). The full report, with the 附表 listing the
 * records behind every figure, follows as a Word file. Pure builder.
 */

import { card, markdown, note } from '../../cards/parts.ts';
import { clean, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';

export interface ReportCardView {
  orgName: string;
  year: number;
  /** The local date the figures were compiled on. */
  today: string;
  title: string;
  rules: { label: string; verb: string; required: number; held: number; missed: string[] }[];
  notHeld: number;
  scheduled: number;
  minutesPending: number;
  /** `sessions` held (开展); `notHeld` settled but whose record shows not held; attendance over both. */
  study: { sessions: number; notHeld: number; invited: number; present: number; rate: number | null };
  tasks: {
    total: number;
    accepted: number;
    done: number;
    /** Marked 已完成 on an item that asks for evidence, never accepted. */
    unaccepted: number;
    submitted: number;
    open: number;
    overdue: number;
    missed: number;
  };
  rects: {
    opened: number;
    closed: number;
    closedLate: number;
    /** Closed with no evidence on record. */
    closedNoEvidence: number;
    open: number;
    overdue: number;
    lateMarked: number;
  };
  /** The holidays whose reminder card reached the group chat (only these were sent). */
  reminders: string[];
  /** The others: the card still in the outbox, given up on, or never posted (no group chat bound). */
  undelivered: { queued: string[]; failed: string[]; notPosted: string[] };
}

/** Rules on the chart and in the list (the default calendar has nine). */
const RULES_SHOWN = 12;
/** Missed periods named per rule (a monthly rule can miss twelve). */
const MISSED_SHOWN = 12;

/** "2026年12月2日" */
function dateText(d: string): string {
  const [y, m, day] = d.split('-');
  return `${y}年${Number(m)}月${Number(day)}日`;
}

/** The series names of the chart. */
export const CHART_SERIES = { required: '规定次数', held: '实际次数' } as const;

/** A grouped bar chart (VChart spec): per rule, the times required and the times held. */
export function reportChart(rules: ReportCardView['rules']): CardElement {
  const values = rules.slice(0, RULES_SHOWN).flatMap((r) => [
    // VChart draws these as plain text (no markdown), so they are only cleaned and cut.
    { kind: clean(r.label, 20), series: CHART_SERIES.required, count: r.required },
    { kind: clean(r.label, 20), series: CHART_SERIES.held, count: r.held },
  ]);
  return {
    tag: 'chart',
    aspect_ratio: '16:9',
    color_theme: 'brand',
    preview: true,
    chart_spec: {
      type: 'bar',
      title: { text: '各项制度规定次数与实际次数' },
      data: { values },
      xField: ['kind', 'series'],
      yField: 'count',
      seriesField: 'series',
      legends: { visible: true, orient: 'bottom' },
      label: { visible: true },
    },
  };
}

/** "3 次：春节、清明节…" */
const holidays = (hs: readonly string[]) =>
  `${hs.length} 次：${hs
    .slice(0, 12)
    .map((h) => md(h, 20))
    .join('、')}`;

/** Sent (received by the group chat) apart from queued, failed and never posted (no group chat). */
export function reminderLines(
  sent: readonly string[],
  r: NonNullable<ReportCardView['undelivered']> = { queued: [], failed: [], notPosted: [] },
): string[] {
  const lines: string[] = [];
  if (sent.length > 0) lines.push(`已发送 ${holidays(sent)}`);
  else if (r.queued.length + r.failed.length + r.notPosted.length > 0) lines.push('本年度没有送达群聊的记录。');
  if (r.queued.length > 0) lines.push(`<font color='orange'>已排队、尚未送达 ${holidays(r.queued)}</font>`);
  if (r.failed.length > 0) lines.push(`<font color='red'>发送失败 ${holidays(r.failed)}</font>`);
  if (r.notPosted.length > 0) lines.push(`<font color='red'>没有绑定群聊、未发送 ${holidays(r.notPosted)}</font>`);
  return lines.length > 0 ? lines : ['本年度没有发送记录。'];
}

export function buildReportCard(v: ReportCardView): Card {
  const rules = v.rules.slice(0, RULES_SHOWN);
  const ruleLines = rules.map((r) => {
    const missed = r.missed.slice(0, MISSED_SHOWN);
    const gap =
      missed.length > 0
        ? `<font color='red'>（${missed.map((x) => md(x, 10)).join('、')}未${md(r.verb, 4)}）</font>`
        : '';
    return `${md(r.label, 20)}：应${md(r.verb, 4)} ${r.required} 次，已${md(r.verb, 4)} ${r.held} 次${gap}`;
  });
  const extra: string[] = [];
  if (v.notHeld > 0) extra.push(`记录显示未召开 ${v.notHeld} 次（不计入）`);
  if (v.scheduled > 0) extra.push(`已安排尚未召开 ${v.scheduled} 次（不计入）`);
  if (v.minutesPending > 0) extra.push(`纪要待补 ${v.minutesPending} 次`);
  const s = v.study;
  const t = v.tasks;
  const x = v.rects;
  const elements: CardElement[] = [
    markdown(`截至 ${dateText(v.today)}，根据清风的记录汇总。完整报告（含附表，可直接编辑）以 Word 文件随后发送。`),
    // No chart without a rule to draw.
    ...(rules.length > 0 ? [reportChart(rules)] : []),
    markdown(
      [
        '**一、会议和学习制度落实**',
        ...(ruleLines.length > 0 ? ruleLines : ['没有启用的制度规则。']),
        ...(extra.length > 0 ? [`另：${extra.join('；')}。`] : []),
      ].join('\n'),
    ),
    markdown(
      [
        '**二、学习参加情况**',
        s.sessions + (s.notHeld ?? 0) === 0
          ? '没有已结束签到的学习活动。'
          : `学习 ${s.sessions} 次${s.notHeld ? `（另有 ${s.notHeld} 次记录显示未开展）` : ''}，应参加 ${s.invited} 人次，签到 ${s.present} 人次，参学率 ${s.rate ?? 0}%`,
      ].join('\n'),
    ),
    markdown(
      [
        '**三、主体责任清单**',
        t.total === 0
          ? '本年度没有到期的任务。'
          : `到期任务 ${t.total} 项：已完成并验收 ${t.accepted} 项，已完成（无需验收）${t.done} 项，${t.unaccepted ? `已完成（未经验收）${t.unaccepted} 项，` : ''}待验收 ${t.submitted} 项，办理中 ${t.open} 项（逾期 ${t.overdue} 项），未完成 ${t.missed} 项`,
      ].join('\n'),
    ),
    markdown(
      [
        '**四、问题整改**',
        `本年新增 ${x.opened} 项，销号 ${x.closed} 项（其中逾期后销号 ${x.closedLate} 项${x.closedNoEvidence ? `，无佐证材料记录 ${x.closedNoEvidence} 项` : ''}）；尚未销号 ${x.open} 项，其中超过时限 ${x.overdue} 项；带逾期标记 ${x.lateMarked} 项`,
      ].join('\n'),
    ),
    markdown(['**五、节前廉政提醒**', ...reminderLines(v.reminders, v.undelivered)].join('\n')),
    note('每项数字对应的记录编号见 Word 文件的正文括号和附表；记录有误的，请先在清风中更正，再重新生成报告。'),
  ];
  return card({
    title: `${v.orgName}${v.year}年度主体责任落实情况`,
    subtitle: '全面从严治党主体责任落实情况报告（摘要）',
    summary: `${v.year}年度主体责任落实情况报告`,
    template: 'red',
    elements,
  });
}
