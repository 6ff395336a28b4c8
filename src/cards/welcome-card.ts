import type { Card } from '../core/card.ts';
import { card, divider, markdown } from './parts.ts';
import { md } from './text.ts';

/** Posted when the bot joins a group. */
export function buildWelcomeCard(v: { orgName: string | undefined }): Card {
  const bound = v.orgName
    ? `本群已绑定组织 **${md(v.orgName)}**。`
    : '第一步：请**群主**发送 `@清风 /绑定 组织名`（例如 /绑定 第一党支部），把本群绑定到党组织，群主即为书记。';
  return card({
    title: '清风已加入本群',
    template: 'red',
    summary: '清风：全面从严治党工作助手',
    elements: [
      markdown(
        '您好，我是**清风**，帮助党组织把全面从严治党和党风廉政建设的日常工作落到实处：整改台账、主体责任清单、三会一课与学习提醒，到期前提醒，逾期后督办。',
      ),
      divider(),
      markdown(bound),
      markdown('发送 `@清风 /帮助` 查看您可以使用的全部命令。单聊中可直接发送命令，不需要 @。'),
    ],
  });
}
