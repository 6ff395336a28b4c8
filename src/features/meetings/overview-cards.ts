/**
 * Meeting and study overviews: the session list, the compliance calendar and the half-year study
 * report. Pure builders.
 */

import { rowWithButton } from '../../cards/list-summary.ts';
import { card, collapsible, markdown, note, table } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';
import { meetingOpen } from './contracts.ts';
import { DEFAULT_RULES, kindLabel, VOTING_KINDS } from './model.ts';

export function buildSessionListCard(v: {
  orgId: number;
  title: string;
  /** `heading`: the kind and the title, the kind once when the title starts with it. */
  rows: { id: number; kind: string; title: string; heading?: string; when: string; status: string }[];
  /** Where the rest is when the list is cut, e.g. "/会议 导出 2026". */
  more?: string;
}): Card {
  const shown = v.rows.slice(0, LIST_ROWS);
  return card({
    title: v.title,
    subtitle: `共 ${v.rows.length} 项`,
    template: 'red',
    elements: [
      ...(shown.length === 0
        ? [markdown('没有记录。')]
        : shown.map((r) =>
            rowWithButton(
              `**#${r.id}** ${r.heading === undefined ? `${md(r.kind, 20)}：${md(r.title, 40)}` : md(r.heading, 60)}\n<font color='grey'>${md(r.when, 30)} · ${md(r.status, 20)}</font>`,
              meetingOpen.button({ text: '查看', org: v.orgId }, { id: r.id }),
            ),
          )),
      ...(v.rows.length > shown.length
        ? [
            note(
              `这里显示前 ${shown.length} 项${v.more ? `；全部记录请管理员发送 ${md(v.more, 40)} 获取记录簿` : ''}。其余单项请发送 /会议 查看 编号。`,
            ),
          ]
        : []),
    ],
  });
}

/** Rows of the session list on one card: each with its 查看 button costs 6 of Feishu's 200 tagged objects. */
const LIST_ROWS = 25;
/** People in the study report's table (its 10-row pages hold them all on the card). */
const MEMBERS_SHOWN = 80;

export function buildCalendarCard(v: {
  orgName: string;
  /** Minutes are due this many working days after a held meeting (held.ts). */
  minutesDays: number;
  rules: {
    key: string;
    name: string;
    frequency: string;
    window: string;
    /** The current period ("12月", "下半年") and what its record says ("已召开 1 · 纪要待补 1", "尚未安排"). */
    period: string;
    state: string;
    /** The last held one (a scheduled or 未召开 one never), or 无记录. */
    lastMet: string;
    nextDue: string;
    source: string;
    enabled: boolean;
    fixedDay: number | null;
  }[];
}): Card {
  return card({
    title: `合规日历 · ${v.orgName}`,
    template: 'red',
    elements: [
      table({
        columns: [
          { name: 'name', title: '事项' },
          { name: 'freq', title: '频次' },
          { name: 'now', title: '本期' },
          { name: 'last', title: '最近一次' },
          { name: 'next', title: '下次应在' },
        ],
        rows: v.rules.map((r) => ({
          name: `${r.name}${r.enabled ? '' : '（已停用）'}`,
          freq: `${r.frequency}${r.fixedDay ? `（每月${r.fixedDay}日）` : ''}${r.window ? `，${r.window}` : ''}`,
          now: r.enabled ? `${r.period}：${r.state}` : '—',
          last: r.lastMet,
          next: r.enabled ? r.nextDue : '—',
        })),
      }),
      note(
        `只有已召开的会议计入本期：会议时间已过、签到已结束且有人签到${quorumNote(v.rules)}。已安排的会议召开后才计入；会后 ${v.minutesDays} 个工作日内应记录纪要。`,
      ),
      collapsible('依据', [markdown(v.rules.map((r) => `- ${md(r.name, 30)}：${md(r.source, 120)}`).join('\n'))]),
      markdown(`<font color='grey'>${calendarFooter(v.rules)}</font>`, { size: 'notation' }),
    ],
  });
}

/** What the calendar's examples read of a rule: the rules shown are those the org's level owes. */
export interface ExampleRule {
  key: string;
  name: string;
  fixedDay: number | null;
  enabled: boolean;
}

/** The word `/日历` takes for a rule: its kind's (主题党日, 支委会, 专题会议), else its name. */
function ruleWord(r: Pick<ExampleRule, 'key' | 'name'>): string {
  const d = DEFAULT_RULES.find((x) => x.key === r.key);
  return d ? kindLabel(d.kind) : r.name;
}

/** The first of `rules` whose key is in `keys` (in that preference), else the first of them. */
const pick = (rules: readonly ExampleRule[], keys: readonly string[]) =>
  keys.map((k) => rules.find((r) => r.key === k)).find((r) => r !== undefined) ?? rules[0];

/**
 * `/日历` commands with the org's own rules in them (a 党委 is shown its 专题会议, never a 支部's 主题党日):
 * a fixed day when a rule has one, a lead time and a frequency on a rule without, and 启用 for a rule
 * that is off (停用 when none is: 党小组会 where the level has it, else no rule named).
 */
export function calendarExamples(rules: readonly ExampleRule[]): {
  fixed?: string;
  lead?: string;
  frequency?: string;
  toggle: string;
} {
  const fixed = rules.find((r) => r.fixedDay !== null);
  const timed = rules.filter((r) => r.fixedDay === null);
  const lead = pick(timed, ['committee_meeting', 'special_meeting']);
  const frequency = pick(timed, ['party_lecture', 'warning_education']);
  const off = rules.find((r) => !r.enabled);
  // 党小组会 is the one rule an org may well not need (a 支部 without 小组); no other is offered to stop.
  const optional = rules.find((r) => r.key === 'group_meeting');
  return {
    ...(fixed ? { fixed: `/日历 设置 ${ruleWord(fixed)} 10` } : {}),
    ...(lead ? { lead: `/日历 设置 ${ruleWord(lead)} 提前 5` } : {}),
    ...(frequency ? { frequency: `/日历 设置 ${ruleWord(frequency)} 频次 每季度` } : {}),
    toggle: off ? `/日历 启用 ${ruleWord(off)}` : `/日历 停用 ${optional ? ruleWord(optional) : '规则名'}`,
  };
}

/** The quorum clause, for the meetings that vote among the rules shown (a 党委's calendar has none). */
function quorumNote(rules: readonly Pick<ExampleRule, 'key'>[]): string {
  const words = VOTING_KINDS.filter((k) => rules.some((r) => DEFAULT_RULES.find((d) => d.key === r.key)?.kind === k));
  return words.length === 0 ? '' : `（${words.map(kindLabel).join('、')}须有表决权的党员过半数到会）`;
}

/** The card's footer: how to change the rules shown, in their own words. */
function calendarFooter(rules: readonly ExampleRule[]): string {
  const e = calendarExamples(rules);
  const parts = [
    ...(e.fixed ? [`${e.fixed} 修改固定日`] : []),
    ...(e.lead ? [`${e.lead} 修改提前提醒的工作日数`] : []),
    `${e.toggle} ${e.toggle.startsWith('/日历 启用') ? '启用一项' : '停用一项'}`,
  ];
  return `${md(parts.join('；'), 600)}。`;
}

/** One line of the 通报's lists: who, and the sessions (local dates), those made up by 补学 marked. */
interface ReportListView {
  name: string;
  dates: { date: string; made?: boolean }[];
}

/** People in each of the 通报's lists (缺席, 心得未交, 补学) and dates per person. */
const LIST_PEOPLE = 20;
const LIST_DATES = 6;

/** "12月3日" of "2026-12-03". */
const monthDay = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

function reportList(title: string, rows: readonly ReportListView[], made: string): ReturnType<typeof collapsible> {
  const shown = rows.slice(0, LIST_PEOPLE).map((r) => {
    const dates = r.dates.slice(0, LIST_DATES).map((d) => `${monthDay(d.date)}${d.made ? made : ''}`);
    return `- ${md(r.name, 20)}：${dates.join('、')}${r.dates.length > dates.length ? ` 等 ${r.dates.length} 次` : ''}`;
  });
  if (rows.length > shown.length)
    shown.push(`另有 ${rows.length - shown.length} 人，完整考勤请管理员发送 /学习 导出 获取。`);
  return collapsible(`${title}（${rows.length} 人）`, [markdown(shown.join('\n'))]);
}

/**
 * The half-year 中心组学习 通报: the totals over the held sessions (出勤率 = 签到 ÷ 应到), per member 应到,
 * 签到, 请假, 缺席, 出勤率, 心得 (handed in / sessions attended) and 补学 (apart: never attendance), and who
 * missed, who owes a 心得 and who did 补学.
 */
export function buildStudyReportCard(v: {
  orgName: string;
  half: string;
  /** Held sessions counted. */
  sessions: number;
  /** Sessions settled with nobody signed in: not counted. */
  notHeld: { date: string; title: string }[];
  /** Sessions still within their 签到 window: counted later. */
  inProgress: number;
  totals: {
    expected: number;
    signed: number;
    leave: number;
    absent: number;
    rate: number | null;
    reflections: { submitted: number; expected: number };
    makeup: number;
  };
  members: {
    name: string;
    expected: number;
    signed: number;
    leave: number;
    absent: number;
    reflections: number;
    makeup: number;
  }[];
  absent: ReportListView[];
  owing: ReportListView[];
  makeup: ReportListView[];
}): Card {
  const t = v.totals;
  const rate = (signed: number, expected: number) =>
    expected === 0 ? '—' : `${Math.round((signed * 100) / expected)}%`;
  const lines = [
    `**出勤**：应到 ${t.expected} 人次，签到 ${t.signed} 人次，请假 ${t.leave} 人次，缺席 ${t.absent} 人次；出勤率 ${t.rate === null ? '—' : `${t.rate}%`}（签到 ÷ 应到）`,
    `**学习心得**：参加学习的应交 ${t.reflections.expected} 份，已交 ${t.reflections.submitted} 份`,
    `**补学**：${t.makeup} 人次（另行记录，不计入出勤）`,
  ];
  const notes: string[] = [];
  if (v.notHeld.length > 0) {
    const shown = v.notHeld.slice(0, 5).map((s) => `${monthDay(s.date)}“${md(s.title, 30)}”`);
    notes.push(
      `另有 ${v.notHeld.length} 次学习无人签到，未计入：${shown.join('、')}${v.notHeld.length > shown.length ? ' 等' : ''}。`,
    );
  }
  if (v.inProgress > 0) notes.push(`另有 ${v.inProgress} 次学习签到尚未结束，结束后计入。`);
  const elements = [markdown(lines.join('\n')), ...notes.map((n) => note(n))];
  if (v.sessions === 0) {
    elements.push(markdown('本半年度还没有已组织的中心组学习。'));
  } else {
    elements.push(
      table({
        columns: [
          { name: 'name', title: '姓名' },
          { name: 'expected', title: '应到' },
          { name: 'signed', title: '签到' },
          { name: 'leave', title: '请假' },
          { name: 'absent', title: '缺席' },
          { name: 'rate', title: '出勤率' },
          { name: 'refl', title: '心得' },
          { name: 'makeup', title: '补学' },
        ],
        rows: v.members.slice(0, MEMBERS_SHOWN).map((m) => ({
          name: m.name,
          expected: m.expected,
          signed: m.signed,
          leave: m.leave,
          absent: m.absent,
          rate: rate(m.signed, m.expected),
          refl: `${m.reflections}/${m.signed}`,
          makeup: m.makeup,
        })),
      }),
    );
    if (v.members.length > MEMBERS_SHOWN)
      elements.push(
        note(`这里显示前 ${MEMBERS_SHOWN} 人，共 ${v.members.length} 人；完整考勤请管理员发送 /学习 导出 获取。`),
      );
    if (v.absent.length > 0) elements.push(reportList('缺席', v.absent, '（已补学）'));
    if (v.owing.length > 0) elements.push(reportList('心得未交', v.owing, ''));
    if (v.makeup.length > 0) elements.push(reportList('补学', v.makeup, ''));
  }
  return card({
    title: `中心组学习通报 · ${v.half}`,
    subtitle: `${v.orgName}，共 ${v.sessions} 次学习`,
    template: 'indigo',
    elements,
  });
}
