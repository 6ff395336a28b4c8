/** /me (/我的): the caller's orgs and roles. */
import { buildMeCard } from '../src/cards/me-card.ts';
import { noArgs } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { loadMeView } from '../src/features/me/view.ts';

export default defineCommand({
  name: 'me',
  aliases: ['我的', '我'],
  summary: '查看我所在的组织和角色',
  usage: ['/我的'],
  args: noArgs,
  access: { roles: 'anyone', chat: 'any', org: 'optional' },
  async handle(ctx) {
    return {
      type: 'card',
      card: buildMeCard(await loadMeView(ctx.db, ctx.actor.openId, ctx.today)),
    };
  },
});
