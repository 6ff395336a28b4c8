import type { Card, CardElement } from '../core/card.ts';
import { ROLE_LABELS, type Role } from '../core/roles.ts';
import { card, markdown } from './parts.ts';
import { md } from './text.ts';

export interface MeOpenItem {
  /** 整改 / 任务 */
  kind: string;
  id: number;
  title: string;
  deadline: string;
  status: string;
  overdue: boolean;
}

export interface MeView {
  name: string | undefined;
  memberships: { orgName: string; role: Role; awayUntil: string | null }[];
  open: MeOpenItem[];
}

/** Organisations and open items listed on the card (the lists are one command away). */
const ORGS_SHOWN = 20;
const OPEN_SHOWN = 20;

/** The lines of "我的" (also shown inside the /help card when its 我的 button is pressed). */
export function meElements(v: MeView): CardElement[] {
  if (v.memberships.length === 0) {
    return [markdown('您还不是任何组织的成员。请联系书记在组织群里用 /角色 @您 党员 把您加入。')];
  }
  const roles = v.memberships
    .slice(0, ORGS_SHOWN)
    .map((m) => `- ${md(m.orgName, 40)}：**${ROLE_LABELS[m.role]}**${m.awayUntil ? `（请假至 ${m.awayUntil}）` : ''}`)
    .join('\n');
  const open = v.open.length
    ? v.open
        .slice(0, OPEN_SHOWN)
        .map(
          (i) =>
            `- ${md(i.kind)} #${i.id} ${md(i.title, 36)}　${i.overdue ? "<font color='red'>" : ''}${i.deadline}${i.overdue ? ' 已逾期</font>' : ''}　${md(i.status)}`,
        )
        .join('\n')
    : '没有未完成的事项。';
  const more =
    v.open.length > OPEN_SHOWN
      ? `\n<font color='grey'>这里显示前 ${OPEN_SHOWN} 项；其余请发送 /整改 列表 我的 或 /任务 列表 我的 查看。</font>`
      : '';
  return [markdown(roles), markdown(`**我的待办（${v.open.length}）**\n${open}${more}`)];
}

export function buildMeCard(v: MeView): Card {
  return card({
    title: v.name ? `我的 · ${v.name}` : '我的',
    template: 'blue',
    elements: [markdown('**所在组织与角色**'), ...meElements(v)],
  });
}
