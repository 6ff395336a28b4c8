/**
 * The hierarchy's cards: the link request in the lower org's group (同意 / 拒绝, pressed by its admins;
 * the card stays shared and afterwards says who answered), the org's own view (/组织) and the list of
 * lower orgs (/组织 下级). Pure: no I/O, no clock.
 */
import { buttonRow, card, divider, markdown, note } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';
import { ADMIN_ROLES, describeRoles } from '../../core/roles.ts';
import { linkAnswer } from './contracts.ts';

/** Lower orgs listed on a card; the rest are counted (a 党委 may have a couple of hundred 支部). */
export const CHILDREN_SHOWN = 50;

export interface LinkRequestView {
  linkId: number;
  version: number;
  /** The lower org (this card's group), whose id the buttons carry. */
  childId: number;
  childName: string;
  upperName: string;
  upperLevel: string;
  requestedAt: string;
  /** Once answered: 已同意 / 已拒绝 and by whom. */
  answer?: { accepted: boolean; by: string; at: string };
}

export function buildLinkRequestCard(v: LinkRequestView): Card {
  const upper = md(v.upperName, 50);
  const lines = [
    `「${upper}」（${v.upperLevel}）请求将本组织「${md(v.childName, 50)}」设为其下级组织。`,
    `同意后，「${upper}」的书记、副书记、纪检委员和组织委员可以查看本组织的会议、清单和整改情况，并向本组织下发任务；本组织不会看到其他下级组织的情况。`,
    `请求时间：${v.requestedAt}`,
  ];
  if (v.answer) {
    return card({
      title: `下级组织请求：${v.answer.accepted ? '已同意' : '已拒绝'}`,
      template: v.answer.accepted ? 'green' : 'grey',
      elements: [
        markdown(lines.join('\n')),
        divider(),
        markdown(`${md(v.answer.by, 30)} 已于 ${v.answer.at} ${v.answer.accepted ? '同意' : '拒绝'}此请求。`),
      ],
    });
  }
  const value = (k: 'ok' | 'no') => ({ l: v.linkId, k, ver: v.version });
  return card({
    title: '下级组织请求',
    template: 'orange',
    elements: [
      markdown(lines.join('\n')),
      note(`仅本组织的${describeRoles(ADMIN_ROLES)}可以处理此请求。`),
      buttonRow([
        linkAnswer.button({ text: '同意', type: 'primary', org: v.childId }, value('ok')),
        linkAnswer.button({ text: '拒绝', type: 'danger', org: v.childId }, value('no')),
      ]),
    ],
  });
}

export interface ChildRow {
  name: string;
  level: string;
  /** The bound group chats' names (none: not bound). */
  chats: readonly string[];
  members: number;
}

export interface OrgView {
  name: string;
  level: string;
  parentName: string | undefined;
  /** Present for an org over others (shown to its members: names, levels, member counts). */
  children?: readonly ChildRow[];
}

function childLine(c: ChildRow): string {
  const where = c.chats.length > 0 ? `群聊：${c.chats.map((x) => md(x, 30)).join('、')}` : '未绑定群聊';
  return `- **${md(c.name, 50)}**（${c.level}）· ${where} · 党员 ${c.members} 人`;
}

function childLines(children: readonly ChildRow[]): string {
  if (children.length === 0) return '暂无下级组织。添加：`/组织 下级 添加 第一党支部`';
  const shown = children.slice(0, CHILDREN_SHOWN).map(childLine);
  if (children.length > CHILDREN_SHOWN) shown.push(`……另有 ${children.length - CHILDREN_SHOWN} 个下级组织未列出。`);
  return shown.join('\n');
}

export function buildOrgCard(v: OrgView): Card {
  const elements = [
    markdown(
      [
        `**组织**：${md(v.name, 50)}`,
        `**级别**：${v.level}`,
        `**上级组织**：${v.parentName ? md(v.parentName, 50) : '无'}`,
      ].join('\n'),
    ),
  ];
  if (v.children) {
    elements.push(divider(), markdown(`**下级组织（${v.children.length} 个）**\n${childLines(v.children)}`));
  }
  elements.push(
    note(
      '设置级别：/组织 级别 党委（或 党组、机关党委、党总支、党支部）；上级组织的管理员可用 /组织 下级 添加 组织名称',
    ),
  );
  return card({ title: `本组织：${v.name}`, template: 'blue', elements });
}

export function buildChildrenCard(v: { name: string; children: readonly ChildRow[] }): Card {
  return card({
    title: `下级组织：${v.name}`,
    template: 'blue',
    elements: [
      markdown(childLines(v.children)),
      note('添加：/组织 下级 添加 组织名称；移除：/组织 下级 移除 组织名称'),
    ],
  });
}
