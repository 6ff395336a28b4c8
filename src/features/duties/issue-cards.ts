/**
 * The cards of 下发 (issue 15 item 4): the notice in a lower org's group, the answer to the 党委's
 * /清单 下发, and the 党委's 下发情况 — per lower org its owners, status and evidence (never a progress
 * note or a 遇到困难 reason). Pure builders; the 查看下发情况 / 刷新 action is declared here with them.
 */
import { z } from 'zod';
import { cardAction } from '../../cards/contract.ts';
import { buttonRow, card, markdown, note, table } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';

/** 查看下发情况 on the 下发 answer (sends the card), 刷新 on the card itself (`r`: redrawn in place). */
export const dutyIssued = cardAction('duties.issued', {
  value: { id: z.coerce.number().int().positive(), r: z.coerce.number().int().optional() },
});

/** Rows of the 下发情况 table (its 10-row pages hold them): unfinished first, the rest counted. */
export const ISSUE_ROWS = 30;

export interface IssueNoticeView {
  fromName: string;
  seq: number;
  content: string;
  category: string;
  cadenceLabel: string;
  due: string;
  evidence: string;
  /** The owners its secretary named (none yet: how to name them is shown). */
  owners: string[];
}

/** The notice in a lower org's group: what came down, by when, and how its secretary names the owners. */
export function buildIssueNoticeCard(v: IssueNoticeView): Card {
  const elements: CardElement[] = [
    markdown(
      `「${md(v.fromName, 50)}」下发任务：${md(v.content, 300)}，截止${md(v.due, 40)}；${v.owners.length > 0 ? '已指定责任人。' : '请书记指定责任人。'}`,
    ),
    markdown(
      `**清单序号**：第 ${v.seq} 项　**类别**：${md(v.category, 20)}　**频次**：${md(v.cadenceLabel, 10)}${v.evidence ? `\n**佐证要求**：${md(v.evidence, 200)}` : ''}`,
    ),
  ];
  if (v.owners.length > 0) {
    elements.push(
      markdown(`**责任人**：${md(v.owners.slice(0, 20).join('、'), 300)}${v.owners.length > 20 ? ' 等' : ''}`),
      note('各责任人已私信收到任务卡片，完成后按要求附佐证材料。'),
    );
  } else {
    elements.push(
      note(
        `书记（或其他管理员）在本群发送“@清风 /清单 指派 ${v.seq} @责任人”指定责任人（可同时 @ 多人），责任人随即私信收到任务卡片。`,
      ),
    );
  }
  return card({
    title: '上级下发任务',
    subtitle: v.fromName,
    template: v.owners.length > 0 ? 'green' : 'orange',
    summary: `「${v.fromName}」下发任务`,
    elements,
  });
}

/** The answer to /清单 下发 in the upper org's chat. */
export function buildIssueResultCard(v: {
  orgId: number;
  itemId: number;
  seq: number;
  content: string;
  due: string;
  created: string[];
  already: string[];
  /** Lower orgs with no group bound: the copy is made, the notice has nowhere to go. */
  unsent: string[];
}): Card {
  const names = (xs: string[]) => md(xs.map((x) => `「${x}」`).join('、'), 1500);
  const lines = [`**第 ${v.seq} 项**：${md(v.content, 200)}（截止${md(v.due, 40)}）`];
  if (v.created.length > 0)
    lines.push(
      `已下发给 ${v.created.length} 个下级组织：${names(v.created)}，各组织群已收到通知，请其书记指定责任人。`,
    );
  if (v.already.length > 0) lines.push(`此前已下发，未重复创建：${names(v.already)}。`);
  if (v.unsent.length > 0) lines.push(`还没有绑定群聊、未能发送通知：${names(v.unsent)}。`);
  return card({
    title: v.created.length > 0 ? '任务已下发' : '没有新的下发',
    template: v.created.length > 0 ? 'green' : 'grey',
    elements: [
      markdown(lines.join('\n')),
      buttonRow([dutyIssued.button({ text: '查看下发情况', type: 'primary', org: v.orgId }, { id: v.itemId })]),
    ],
  });
}

export interface IssueStatusView {
  orgId: number;
  itemId: number;
  seq: number;
  content: string;
  due: string;
  asOf: string;
  rows: { org: string; owners: string[]; status: string; finished: boolean; evidence: string; updated: string }[];
}

/** The 党委's view of one item 下发: 已完成 n/m, then a row per lower org. */
export function buildIssueStatusCard(v: IssueStatusView): Card {
  const finished = v.rows.filter((r) => r.finished).length;
  // Unfinished first (those to chase), in their order; past ISSUE_ROWS the rest is counted.
  const shown = [...v.rows.filter((r) => !r.finished), ...v.rows.filter((r) => r.finished)].slice(0, ISSUE_ROWS);
  return card({
    title: `下发情况 · 第 ${v.seq} 项`,
    subtitle: v.content,
    template: finished === v.rows.length ? 'green' : 'orange',
    summary: `下发情况：已完成 ${finished}/${v.rows.length}`,
    elements: [
      markdown(
        `${md(v.content, 200)}（截止${md(v.due, 40)}）\n**已完成 ${finished}/${v.rows.length}**　更新于 ${md(v.asOf)}`,
      ),
      table({
        columns: [
          { name: 'org', title: '下级组织' },
          { name: 'owners', title: '责任人' },
          { name: 'status', title: '状态' },
          { name: 'evidence', title: '佐证材料' },
          { name: 'updated', title: '最近更新' },
        ],
        rows: shown.map((r) => ({
          org: r.org,
          owners: r.owners.length > 0 ? r.owners.join('、') : '未指定',
          status: r.status,
          evidence: r.evidence,
          updated: r.updated,
        })),
      }),
      note(
        `${v.rows.length > shown.length ? `共 ${v.rows.length} 个下级组织，这里显示未完成的在前的 ${shown.length} 个。` : ''}这里只显示各组织的落实状态和佐证材料，进展说明和困难原因由各组织自行掌握。`,
      ),
      buttonRow([dutyIssued.button({ text: '刷新', org: v.orgId }, { id: v.itemId, r: 1 })]),
    ],
  });
}
