/**
 * Meeting and study overviews: the session list, the compliance calendar and the half-year study
 * report. Pure builders.
 */

import { card, collapsible, markdown, note, table } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';

export function buildSessionListCard(v: {
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
      markdown(
        shown
          .map(
            (r) =>
              `**#${r.id}** ${r.heading === undefined ? `${md(r.kind, 20)}：${md(r.title, 40)}` : md(r.heading, 60)}\n<font color='grey'>${md(r.when, 30)} · ${md(r.status, 20)}</font>`,
          )
          .join('\n\n') || '没有记录。',
      ),
      ...(v.rows.length > shown.length
        ? [
            note(
              `这里显示前 ${shown.length} 项${v.more ? `；全部记录请管理员发送 ${md(v.more, 40)} 获取记录簿` : ''}。单项请发送 /会议 查看 编号。`,
            ),
          ]
        : []),
    ],
  });
}

/** Rows of the session list on one card. */
const LIST_ROWS = 40;
/** People in the study report's table (its 10-row pages hold them all on the card). */
const MEMBERS_SHOWN = 100;

export function buildCalendarCard(v: {
  orgName: string;
  rules: {
    key: string;
    name: string;
    frequency: string;
    window: string;
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
          { name: 'last', title: '最近一次' },
          { name: 'next', title: '下次应在' },
        ],
        rows: v.rules.map((r) => ({
          name: `${r.name}${r.enabled ? '' : '（已停用）'}`,
          freq: `${r.frequency}${r.fixedDay ? `（每月${r.fixedDay}日）` : ''}${r.window ? `，${r.window}` : ''}`,
          last: r.lastMet,
          next: r.enabled ? r.nextDue : '—',
        })),
      }),
      collapsible('依据', [markdown(v.rules.map((r) => `- ${md(r.name, 30)}：${md(r.source, 120)}`).join('\n'))]),
      markdown(
        "<font color='grey'>/日历 设置 主题党日 10 修改固定日；/日历 设置 支委会 提前 5 修改提前提醒的工作日数；/日历 停用 党小组会。</font>",
        { size: 'notation' },
      ),
    ],
  });
}

export function buildStudyReportCard(v: {
  orgName: string;
  half: string;
  sessions: number;
  members: { name: string; signed: number; leave: number; absent: number; reflections: number }[];
}): Card {
  return card({
    title: `中心组学习通报 · ${v.half}`,
    subtitle: `${v.orgName}，共 ${v.sessions} 次学习`,
    template: 'indigo',
    elements: [
      table({
        columns: [
          { name: 'name', title: '姓名' },
          { name: 'signed', title: '签到' },
          { name: 'leave', title: '请假' },
          { name: 'absent', title: '缺席' },
          { name: 'refl', title: '心得' },
        ],
        rows: v.members.slice(0, MEMBERS_SHOWN).map((m) => ({
          name: m.name,
          signed: m.signed,
          leave: m.leave,
          absent: m.absent,
          refl: `${m.reflections}/${m.signed}`,
        })),
      }),
      ...(v.members.length > MEMBERS_SHOWN
        ? [note(`这里显示前 ${MEMBERS_SHOWN} 人，共 ${v.members.length} 人；完整考勤请管理员发送 /学习 导出 获取。`)]
        : []),
    ],
  });
}
