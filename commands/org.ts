/**
 * /org (/组织, /下级): the org as it stands in the hierarchy (issue 15). Without a verb it shows this
 * org: its level, its upper org's name and, for an org over others, its lower orgs. 级别 sets the level
 * (its admins, while it is under no other); 下级 lists, 添加 asks a lower org to come under this one
 * (agreed on a card in that org's group), 移除 lets one go (the upper org's admins); 上级 退出 answers
 * that leaving is the upper org's decision (only BOT_ADMINS leave from below).
 * The logic lives in src/features/hierarchy.
 */

import { actionsOf } from '../src/cards/contract.ts';
import { argSchema } from '../src/core/args.ts';
import { type CommandContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { parseLevel } from '../src/core/register.ts';
import { linkAnswer } from '../src/features/hierarchy/contracts.ts';
import {
  answerLink,
  childrenView,
  leaveParent,
  orgView,
  removeChild,
  requestLink,
  setLevel,
} from '../src/features/hierarchy/service.ts';

const LEVEL_USAGE = '/组织 级别 党委（或 党组、机关党委、党总支、党支部）';
const CHILD_USAGE = ['/组织 下级', '/组织 下级 添加 第一党支部', '/组织 下级 移除 第一党支部'];

/** 添加 / 移除 and the org's name (up to 50 characters, as /绑定 takes it). */
const childArgs = argSchema((r) => {
  const verb = r.optionalWord();
  if (verb === undefined) return { verb: 'list' as const, name: '' };
  const v = verb === '添加' || verb === 'add' ? 'add' : verb === '移除' || verb === 'remove' ? 'remove' : undefined;
  if (!v) return r.fail('请写“添加”或“移除”。');
  const name = r.rest('组织名称', { required: true, max: 50 }).trim();
  if (!name) return r.fail('缺少组织名称。');
  return { verb: v, name };
});

async function children(ctx: CommandContext<'required'>, a: { verb: 'list' | 'add' | 'remove'; name: string }) {
  if (a.verb === 'add') return requestLink(ctx, a.name);
  if (a.verb === 'remove') return removeChild(ctx, a.name);
  return childrenView(ctx);
}

export default defineCommand({
  name: 'org',
  aliases: ['组织', '下级'],
  summary: '查看本组织的级别、上级和下级组织；党委管理下级党支部',
  usage: ['/组织', LEVEL_USAGE, ...CHILD_USAGE, '/组织 上级 退出'],
  args: argSchema(() => undefined),
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: (ctx) => orgView(ctx.db, ctx.org),
  subcommands: [
    defineSubcommand({
      name: 'level',
      aliases: ['级别'],
      summary: '设置本组织的级别（管理员）',
      usage: [LEVEL_USAGE],
      args: argSchema((r) => {
        const level = parseLevel(r.word('级别'));
        if (!level) return r.fail('级别应为党委、党组、机关党委、党总支或党支部。');
        return { level };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required', botAdmins: true },
      handle: (ctx, a) => setLevel(ctx, ctx.org, a.level),
    }),
    defineSubcommand({
      name: 'children',
      aliases: ['下级'],
      summary: '查看、添加或移除下级组织（上级组织的管理员）',
      usage: CHILD_USAGE,
      args: childArgs,
      // The upper org's admins: checked by the service (requireUpperAdmin), which says why in plain words.
      access: { roles: 'member', chat: 'any', org: 'required', botAdmins: true },
      handle: children,
    }),
    defineSubcommand({
      name: 'add',
      aliases: ['添加'],
      summary: '请求将一个组织设为本组织的下级组织',
      usage: ['/下级 添加 第一党支部'],
      args: argSchema((r) => ({ name: r.rest('组织名称', { required: true, max: 50 }).trim() })),
      access: { roles: 'member', chat: 'any', org: 'required', botAdmins: true },
      handle: (ctx, a) => children(ctx, { verb: 'add', name: a.name }),
    }),
    defineSubcommand({
      name: 'remove',
      aliases: ['移除'],
      summary: '移除下级组织',
      usage: ['/下级 移除 第一党支部'],
      args: argSchema((r) => ({ name: r.rest('组织名称', { required: true, max: 50 }).trim() })),
      access: { roles: 'member', chat: 'any', org: 'required', botAdmins: true },
      handle: (ctx, a) => children(ctx, { verb: 'remove', name: a.name }),
    }),
    defineSubcommand({
      name: 'parent',
      aliases: ['上级'],
      summary: '退出上级组织（由上级组织移除）',
      usage: ['/组织 上级 退出'],
      args: argSchema((r) => {
        const verb = r.word('操作');
        if (verb !== '退出' && verb !== 'leave') return r.fail('请写“退出”。');
        return undefined;
      }),
      // The lower org's admins are told who decides (the upper org); the service lets only BOT_ADMINS leave.
      access: { roles: 'admin', chat: 'any', org: 'required', botAdmins: true },
      handle: (ctx) => leaveParent(ctx),
    }),
  ],
  actions: actionsOf(
    linkAnswer.define({
      roles: 'admin',
      org: 'required',
      handle: (ctx, v) => answerLink(ctx, v),
    }),
  ),
});
