/**
 * The roll-up card (/总览, and the weekly card in the upper org's group): per lower org its colour and
 * four counts, red first — status figures only, never a person's name or an item's title, so the same
 * card may stand in the group — two charts (Feishu's `chart` component, VChart specs: 制度落实率, 参学率
 * and 下发完成率 per 支部 as bars, the cycles due and met in each of the last twelve months as lines), and 查看 / 督办 buttons
 * per row whose answers go privately to the upper org's admins only. The rows that fit Feishu's limits
 * (200 tagged objects, 30 KB) are shown; the rest are in the .xlsx sent after the card. Pure builder.
 */
import { card, markdown, note } from '../../cards/parts.ts';
import { clean, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { overviewPress, overviewView } from './contracts.ts';

/** Rows on the card: each costs 10 tagged objects (row, columns, text, two buttons, a confirm). */
export const ROWS_SHOWN = 15;

/** 红, 黄, 绿: a 支部's colour as rules.ts decides it. */
export type Colour = 'red' | 'yellow' | 'green';

export const COLOUR_LABELS: Record<Colour, string> = { red: '红', yellow: '黄', green: '绿' };

/** One lower org's row as the cards show it (rules.ts `BranchRow` is one). */
export interface RollupRowView {
  orgId: number;
  name: string;
  colour: Colour;
  /** `issued` is the colour of 上级下发 (a row without it has nothing 下发). */
  colours: { cycles: Colour; rects: Colour; tasks: Colour; study: Colour; issued?: Colour };
  missed: number;
  required: number;
  met: number;
  completion: number | null;
  rectsOverdue: number;
  maxDaysLate: number;
  tasksOverdue: number;
  attendance: number | null;
  /** Items 下发 to it from above this year, and those finished; none shown when nothing was 下发. */
  issued?: { total: number; done: number };
}

/** 下发完成率 in whole percent (rules.ts `issuedRate`), null with nothing 下发. */
const issuedPercent = (r: RollupRowView) =>
  r.issued && r.issued.total > 0 ? Math.floor((r.issued.done * 100) / r.issued.total) : null;

export interface RollupCardView {
  orgId: number;
  orgName: string;
  /** Local date the figures are as of. */
  today: string;
  /** Every lower org, sorted (rules.ts `sortRows`). */
  rows: readonly RollupRowView[];
  /** The rule the colours follow (rules.ts `COLOUR_RULE`), in the small print. */
  legend: string;
  trend: readonly { month: string; required: number; met: number }[];
  /** The weekly card says it is the weekly one. */
  weekly?: boolean;
}

const FONT: Record<Colour, string> = { red: 'red', yellow: 'orange', green: 'green' };

/** "<font color='red'>● 红</font>" */
export function colourMark(c: Colour): string {
  return `<font color='${FONT[c]}'>● ${COLOUR_LABELS[c]}</font>`;
}

const coloured = (c: Colour, text: string) => (c === 'green' ? text : `<font color='${FONT[c]}'>${text}</font>`);

/**
 * "未按期开展 2 · 整改逾期 1（最长 45 天） · 任务逾期 3 · 参学率 75% · 上级下发 已完成 2/3", each figure
 * in its colour (the last only when something was 下发: counts, never an item's title).
 */
export function measuresLine(r: RollupRowView): string {
  const rate = r.attendance === null ? '参学率 —' : `参学率 ${r.attendance}%`;
  return [
    coloured(r.colours.cycles, `未按期开展 ${r.missed}`),
    coloured(r.colours.rects, `整改逾期 ${r.rectsOverdue}${r.rectsOverdue > 0 ? `（最长 ${r.maxDaysLate} 天）` : ''}`),
    coloured(r.colours.tasks, `任务逾期 ${r.tasksOverdue}`),
    coloured(r.colours.study, rate),
    ...(r.issued && r.issued.total > 0
      ? [coloured(r.colours.issued ?? 'green', `上级下发 已完成 ${r.issued.done}/${r.issued.total}`)]
      : []),
  ].join(' · ');
}

/** One 支部's row: its name, colour and counts beside 查看 (and 督办 for a red or yellow one). */
function branchElement(orgId: number, r: RollupRowView, n: number): CardElement {
  const actions = [overviewView.button({ text: '查看', org: orgId }, { b: r.orgId })];
  if (r.colour !== 'green')
    actions.push(
      overviewPress.button(
        {
          text: '督办',
          org: orgId,
          type: 'danger',
          confirm: { title: '督办', text: '向该支部书记私信发送逾期和未按期事项清单，并加急提醒。每个支部每天一次。' },
        },
        { b: r.orgId },
      ),
    );
  return {
    tag: 'column_set',
    horizontal_spacing: 'small',
    columns: [
      {
        tag: 'column',
        width: 'weighted',
        weight: 4,
        vertical_align: 'center',
        elements: [markdown(`**${n}. ${md(r.name, 30)}** ${colourMark(r.colour)}\n${measuresLine(r)}`)],
      },
      { tag: 'column', width: 'auto', vertical_align: 'center', elements: actions },
    ],
  };
}

/** The chart series names. */
export const ROLLUP_SERIES = {
  completion: '制度落实率',
  attendance: '参学率',
  issued: '下发完成率',
  required: '应开展',
  met: '已按期开展',
} as const;

/**
 * Bars per 支部 shown: 制度落实率, 参学率 and 下发完成率, in percent (a 支部 without a figure shows no
 * bar for it: nothing due, no study held, nothing 下发 — an empty bar would read as 0 %).
 */
export function completionChart(rows: readonly RollupRowView[]): CardElement {
  const values = rows.flatMap((r, i) => {
    // VChart draws these as plain text (no markdown), so they are only cleaned and cut; the row's number
    // keeps two names that start alike apart (and matches the row below).
    const name = `${i + 1}.${clean(r.name, 10)}`;
    const issued = issuedPercent(r);
    return [
      ...(r.completion === null ? [] : [{ branch: name, series: ROLLUP_SERIES.completion, rate: r.completion }]),
      ...(r.attendance === null ? [] : [{ branch: name, series: ROLLUP_SERIES.attendance, rate: r.attendance }]),
      ...(issued === null ? [] : [{ branch: name, series: ROLLUP_SERIES.issued, rate: issued }]),
    ];
  });
  return {
    tag: 'chart',
    aspect_ratio: '16:9',
    color_theme: 'brand',
    chart_spec: {
      type: 'bar',
      title: { text: '各支部制度落实率、参学率和下发完成率（%）' },
      data: { values },
      xField: ['branch', 'series'],
      yField: 'rate',
      seriesField: 'series',
      legends: { visible: true, orient: 'bottom' },
    },
  };
}

/**
 * Lines per month of the last twelve (rules.ts `monthlyTrend`): the cycles due across all 支部, and those
 * met. The first month and each January carry their year (2025年12月, 1月 … 2026年1月).
 */
export function trendChart(trend: RollupCardView['trend']): CardElement {
  const values = trend.flatMap((m, i) => {
    const n = Number(m.month.slice(5, 7));
    const month = i === 0 || n === 1 ? `${m.month.slice(0, 4)}年${n}月` : `${n}月`;
    return [
      { month, series: ROLLUP_SERIES.required, count: m.required },
      { month, series: ROLLUP_SERIES.met, count: m.met },
    ];
  });
  return {
    tag: 'chart',
    aspect_ratio: '2:1',
    color_theme: 'brand',
    chart_spec: {
      type: 'line',
      title: { text: '近12个月各月应开展和已按期开展次数' },
      data: { values },
      xField: 'month',
      yField: 'count',
      seriesField: 'series',
      legends: { visible: true, orient: 'bottom' },
      point: { visible: true },
    },
  };
}

export function buildRollupCard(v: RollupCardView): Card {
  const shown = v.rows.slice(0, ROWS_SHOWN);
  const rest = v.rows.length - shown.length;
  const count = (c: Colour) => v.rows.filter((r) => r.colour === c).length;
  const required = v.rows.reduce((n, r) => n + r.required, 0);
  const met = v.rows.reduce((n, r) => n + r.met, 0);
  const head = [
    `共 ${v.rows.length} 个下级组织：${(['red', 'yellow', 'green'] as const).map((c) => coloured(c, `${COLOUR_LABELS[c]} ${count(c)}`)).join(' · ')}`,
    required > 0
      ? `近12个月到期应开展 ${required} 次，已按期开展 ${met} 次（${Math.floor((met * 100) / required)}%）。`
      : '近12个月还没有到期的会议和学习。',
  ];
  const issued = v.rows.reduce((n, r) => n + (r.issued?.total ?? 0), 0);
  const issuedDone = v.rows.reduce((n, r) => n + (r.issued?.done ?? 0), 0);
  if (issued > 0)
    head.push(
      `本年度上级下发任务各支部合计 ${issued} 项，已完成 ${issuedDone} 项（${Math.floor((issuedDone * 100) / issued)}%）。`,
    );
  const elements: CardElement[] = [markdown(head.join('\n'))];
  if (shown.length > 0) elements.push(completionChart(shown));
  // Twelve months of nothing due draw no chart (the line above says so).
  if (v.trend.some((m) => m.required > 0)) elements.push(trendChart(v.trend));
  elements.push(
    ...(shown.length > 0
      ? shown.map((r, i) => branchElement(v.orgId, r, i + 1))
      : [markdown('本组织还没有下级组织。')]),
  );
  if (rest > 0) elements.push(markdown(`其余 ${rest} 个支部见附件（表格随后发送），按红、黄、绿排列。`));
  elements.push(
    note(
      `${md(v.legend, 300)}“查看”和“督办”仅限本组织书记、副书记、纪检委员、组织委员使用，结果私信发送。${v.weekly ? '每周第一个工作日更新。' : ''}`,
    ),
  );
  const worst: Colour = count('red') > 0 ? 'red' : count('yellow') > 0 ? 'yellow' : 'green';
  return card({
    title: `${v.orgName}下级组织总览`,
    subtitle: `截至 ${dateWords(v.today)}${v.weekly ? '（每周总览）' : ''}`,
    summary: `${v.orgName}下级组织总览：红 ${count('red')}，黄 ${count('yellow')}，绿 ${count('green')}`,
    template: worst === 'red' ? 'red' : worst === 'yellow' ? 'orange' : 'green',
    elements,
  });
}

/** "2026年12月2日" */
export function dateWords(d: string): string {
  return `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
}
