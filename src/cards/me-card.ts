import type { Card, CardElement } from '../core/card.ts';
import { ROLE_LABELS, type Role } from '../core/roles.ts';
import { card, markdown } from './parts.ts';
import { md } from './text.ts';

export interface MeView {
  name: string | undefined;
  memberships: { orgName: string; role: Role }[];
}

/** The lines of "我的" (also shown inside the /help card when its 我的 button is pressed). */
export function meElements(v: MeView): CardElement[] {
  if (v.memberships.length === 0) {
    return [markdown('您还不是任何组织的成员。请联系书记在组织群里用 /角色 @您 党员 把您加入。')];
  }
  return [markdown(v.memberships.map((m) => `- ${md(m.orgName)}：**${ROLE_LABELS[m.role]}**`).join('\n'))];
}

export function buildMeCard(v: MeView): Card {
  return card({
    title: v.name ? `我的 · ${v.name}` : '我的',
    template: 'blue',
    elements: [markdown('**所在组织与角色**'), ...meElements(v)],
  });
}
