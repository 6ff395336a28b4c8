import type { Card, CardElement } from '../core/card.ts';
import { type DrawnFor, helpRun } from './actions/help.ts';
import { buttonRow, card, divider, markdown } from './parts.ts';
import { md } from './text.ts';

export interface HelpView {
  orgName: string | undefined;
  commands: { name: string; alias: string | undefined; summary: string; usage: string }[];
  /** Shown under the buttons after one was pressed. */
  panel?: { title: string; elements: CardElement[] };
  orgId: number | undefined;
  /** In a group: the role whose commands the card lists, so that 刷新 by anyone redraws the same card. */
  drawnFor?: DrawnFor;
}

/** The /help card: each command the user may run here, with a usage line, and quick buttons. */
export function buildHelpCard(v: HelpView): Card {
  const lines = v.commands.map(
    (c) =>
      `**/${c.alias ?? c.name}**${c.alias ? `（/${c.name}）` : ''}　${md(c.summary, 40)}\n<font color='grey'>${md(c.usage, 60)}</font>`,
  );
  return card({
    title: '清风 · 可用命令',
    subtitle: v.orgName ? `当前组织：${v.orgName}` : '本群尚未绑定组织',
    template: 'red',
    summary: '清风可用命令',
    elements: [
      markdown(lines.join('\n\n') || '您在这里暂时没有可用的命令。'),
      markdown("<font color='grey'>群聊中请先 @清风 再输入命令；单聊中直接输入。</font>", { size: 'notation' }),
      buttonRow([
        helpRun.button({ text: '我的', type: 'primary', org: v.orgId }, { cmd: 'me' }),
        helpRun.button({ text: '刷新', org: v.orgId }, { cmd: 'help', r: v.drawnFor }),
      ]),
      ...(v.panel ? [divider(), markdown(`**${md(v.panel.title)}**`), ...v.panel.elements] : []),
    ],
  });
}
