/**
 * /overview (/总览): an upper org's (党委, 党总支 …) roll-up over its 支部 — per 支部 红 / 黄 / 绿 for missed
 * cycles, overdue rectifications, overdue tasks and study attendance, charts, and 查看 / 督办 buttons
 * whose answers go privately to the upper org's admins. In the org's group, or in the private chat of an
 * admin whose only org it is (as every command resolves a private chat's org).
 */
import { actionsOf } from '../src/cards/contract.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { overviewPress, overviewView } from '../src/features/rollup/contracts.ts';
import { sendOverview } from '../src/features/rollup/overview.ts';
import { pressBranch, viewBranch } from '../src/features/rollup/service.ts';

export default defineCommand({
  name: 'overview',
  aliases: ['总览', '下级总览'],
  summary: '上级党组织查看各下级支部的落实情况（红黄绿、图表、查看和督办）',
  usage: ['/总览'],
  args: argSchema((r) => {
    if (r.remaining > 0) r.fail('不需要参数，请在上级党组织的群聊中直接发送 /总览。');
    return undefined;
  }),
  // The org's admins; the handler also asks that the org is over other orgs (features/hierarchy/access.ts).
  access: { roles: 'admin', chat: 'any', org: 'required' },
  handle: (ctx) => sendOverview(ctx),
  actions: actionsOf(
    overviewView.define({ roles: 'admin', org: 'required', handle: (ctx, v) => viewBranch(ctx, v.b) }),
    overviewPress.define({ roles: 'admin', org: 'required', handle: (ctx, v) => pressBranch(ctx, v.b) }),
  ),
});
