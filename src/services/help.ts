/**
 * What /help offers a person in a chat: the commands they may run there, by area, each with a real
 * example; and the few things they do most (`quickActionsFor`), as buttons that run a command.
 */

import type { QuickKey } from '../cards/actions/help.ts';
import type { HelpArea, HelpCommand, QuickAction } from '../cards/help-card.ts';
import type { CommandContext, CommandModule, Runnable } from '../core/contracts.ts';
import { isAdminRole, type Role } from '../core/roles.ts';
import { accessDenial } from '../router/access.ts';

type Who = Pick<CommandContext, 'chat' | 'org' | 'actor' | 'commands'>;

/** The areas of /help, in order, and the commands (by English name) each holds. */
const AREAS: readonly { title: string; commands: readonly string[] }[] = [
  { title: '整改', commands: ['rectify'] },
  { title: '任务与清单', commands: ['task', 'duties'] },
  { title: '会议与学习', commands: ['meeting', 'study', 'talk', 'life'] },
  { title: '合规日历', commands: ['calendar'] },
  { title: '巡察', commands: ['inspection'] },
  { title: '我的与请假', commands: ['me', 'org', 'away', 'help'] },
  { title: '报告与导入', commands: ['report', 'overview', 'import'] },
  { title: '群与设置', commands: ['bind', 'role', 'register', 'settings'] },
];
const OTHER = '其他';

/** What each quick button runs: a command (and subcommand) with its words. */
export const QUICK_ACTIONS: Record<QuickKey, { label: string; command: string; path: string[]; args: string[] }> = {
  myRectify: { label: '我的整改', command: '/整改', path: ['rectify'], args: [] },
  myTasks: { label: '我的任务', command: '/任务', path: ['task'], args: [] },
  sessions: { label: '会议与学习', command: '/会议', path: ['meeting'], args: [] },
  calendar: { label: '合规日历', command: '/日历', path: ['calendar'], args: [] },
  review: { label: '待审核整改', command: '/整改 列表 待审核', path: ['rectify', 'list'], args: ['待审核'] },
  overdue: { label: '逾期整改', command: '/整改 列表 逾期', path: ['rectify', 'list'], args: ['逾期'] },
  newRectify: { label: '新建整改', command: '/整改 新建', path: ['rectify', 'new'], args: [] },
  newMeeting: { label: '发布会议通知', command: '/会议 新建', path: ['meeting', 'new'], args: [] },
};

/** The quick buttons of each kind of person, most used first. */
function quickKeys(role: Role | undefined, chatType: 'group' | 'p2p'): QuickKey[] {
  if (role === undefined) return [];
  if (isAdminRole(role))
    return chatType === 'group' ? ['newMeeting', 'overdue', 'calendar'] : ['review', 'newRectify', 'calendar'];
  if (role === 'observer') return ['overdue', 'calendar', 'sessions'];
  return ['myRectify', 'myTasks', 'sessions'];
}

/**
 * The three most useful buttons for a person with `role` in a chat of `chatType` (an org's chat):
 * a member's own 整改 and 任务 and the meetings; a secretary's 发布会议通知, 逾期整改 and 合规日历 in
 * the group, 待审核整改, 新建整改 and 合规日历 in private. Draw them with `quickButtons` from
 * src/cards/help-card.ts; a click runs the command for whoever clicks, answered privately.
 */
export function quickActionsFor(role: Role | undefined, chatType: 'group' | 'p2p'): QuickAction[] {
  return quickKeys(role, chatType).map((key) => ({
    key,
    label: QUICK_ACTIONS[key].label,
    command: QUICK_ACTIONS[key].command,
  }));
}

/** The command a quick button runs, found among `commands`. */
export function quickRunnable(
  commands: readonly CommandModule[],
  key: QuickKey,
): { runnable: Runnable<unknown, unknown>; args: string[] } | undefined {
  const q = QUICK_ACTIONS[key];
  const top = commands.find((c) => c.name === q.path[0]);
  if (!top) return undefined;
  const runnable = q.path[1] ? top.subcommands?.find((s) => s.name === q.path[1]) : top;
  return runnable ? { runnable, args: q.args } : undefined;
}

/** The commands this person may run in this chat, by area (the areas they cannot use left out). */
export function helpAreas(ctx: Who): HelpArea[] {
  // /帮助 itself is the card being read; the full list still names it.
  // /绑定 in a bound group is for its admins (re-binding); members would only be refused.
  const rebind = ctx.org !== undefined && !isAdminRole(ctx.actor.role);
  return byArea(commandsFor(ctx, ctx.chat.type).filter((c) => c.top !== 'help' && !(rebind && c.top === 'bind')));
}

/**
 * Every command this person may run in this org, in a group or in private (those that run only in
 * one say so): the 全部命令 list.
 */
export function allHelpAreas(ctx: Omit<Who, 'chat'>): HelpArea[] {
  const group = commandsFor(ctx, 'group');
  const p2p = commandsFor(ctx, 'p2p');
  const inGroup = new Set(group.map((c) => c.name));
  const inP2p = new Set(p2p.map((c) => c.name));
  const all: (HelpCommand & { top: string })[] = [];
  const seen = new Set<string>();
  // In command order: the p2p list is merged into the group one.
  for (const c of [...group, ...p2p].sort((a, b) => a.order - b.order)) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const only = inGroup.has(c.name) && !inP2p.has(c.name) ? 'group' : !inGroup.has(c.name) ? 'p2p' : undefined;
    all.push({ ...strip(c), top: c.top, ...(only ? { only } : {}) });
  }
  return byArea(all);
}

type Listed = HelpCommand & { top: string; order: number };

function strip(c: Listed): HelpCommand & { top: string } {
  const { order: _order, ...rest } = c;
  return rest;
}

function commandsFor(ctx: Omit<Who, 'chat'>, chatType: 'group' | 'p2p'): Listed[] {
  const out: Listed[] = [];
  for (const c of ctx.commands) {
    const spelled = chineseAlias(c.aliases) ?? c.name;
    if (mayRun(c, ctx, chatType))
      out.push({
        top: c.name,
        order: ctx.commands.indexOf(c) * 100,
        name: c.name,
        spelled,
        summary: c.summary,
        ...exampleOf(c.usage, spelled, c.subcommands !== undefined && c.subcommands.length > 0),
      });
    (c.subcommands ?? []).forEach((sub, i) => {
      if (!mayRun(sub, ctx, chatType)) return;
      const subSpelled = `${spelled} ${chineseAlias(sub.aliases) ?? sub.name}`;
      out.push({
        top: c.name,
        order: ctx.commands.indexOf(c) * 100 + i + 1,
        name: `${c.name} ${sub.name}`,
        spelled: subSpelled,
        summary: sub.summary,
        ...exampleOf(sub.usage, subSpelled, false),
      });
    });
  }
  return out;
}

function chineseAlias(aliases: readonly string[]): string | undefined {
  return aliases.find((a) => /[\u4e00-\u9fff]/.test(a));
}

/**
 * The first usage that is a real use with arguments, written with the Chinese spelling; none when
 * every usage is just the command (a line that only repeats the command teaches nothing). A command
 * with subcommands takes its examples from them.
 */
function exampleOf(usage: readonly string[], spelled: string, hasSubcommands: boolean): { example?: string } {
  if (hasSubcommands) return {};
  const head = `/${spelled} `;
  // Plain Chinese: an example with a Latin code in it (/role @张三 inspector, 2026H2) is not shown.
  const example = usage.find((u) => u.startsWith(head) && u.length > head.length && !/[A-Za-z]/.test(u));
  return example ? { example } : {};
}

function byArea(commands: (HelpCommand & { top: string })[]): HelpArea[] {
  const areas = [...AREAS.map((a) => ({ title: a.title, tops: a.commands })), { title: OTHER, tops: [] }];
  const placed = new Set(AREAS.flatMap((a) => a.commands));
  return areas
    .map((a) => ({
      title: a.title,
      commands: commands
        .filter((c) => (a.title === OTHER ? !placed.has(c.top) : a.tops.includes(c.top)))
        .map(({ top: _top, ...c }) => c),
    }))
    .filter((a) => a.commands.length > 0);
}

function mayRun(c: Runnable<unknown, unknown>, ctx: Pick<Who, 'org' | 'actor'>, chatType: 'group' | 'p2p'): boolean {
  return (
    accessDenial(c.access, {
      chatType,
      hasOrg: ctx.org !== undefined,
      role: ctx.actor.role,
      orgAmbiguous: false,
      botAdmin: ctx.actor.isBotAdmin,
    }) === undefined
  );
}
