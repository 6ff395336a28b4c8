/**
 * /calendar (/日历): the compliance calendar. 查看 shows each rule, what its current period's record
 * says (已安排 / 已召开 / 未召开 / 纪要待补: only a held meeting counts, features/meetings/held.ts), the
 * last held one and when it is next due; admins 设置 a rule's fixed day, lead time or frequency, 停用 / 启用 a rule, and edit the
 * 节前廉政提醒 template.
 */

import { textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { type CommandContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { LEVEL_LABELS } from '../src/core/register.ts';
import { orgSettings, updateOrgSettings } from '../src/db/repositories/orgs.ts';
import type { OrgLevel } from '../src/db/schema/org.ts';
import { ruleAppliesAt, rulesForLevel } from '../src/features/hierarchy/level-rules.ts';
import { calendarView } from '../src/features/meetings/calendar.ts';
import { MINUTES_DUE_WORKDAYS } from '../src/features/meetings/held.ts';
import { FREQUENCIES, FREQUENCY_LABELS, type Frequency, kindLabel } from '../src/features/meetings/model.ts';
import { calendarExamples } from '../src/features/meetings/overview-cards.ts';
import { ensureRules, listRules, updateRule } from '../src/features/meetings/repository.ts';
import { buildCalendarCard } from '../src/features/meetings/session-card.ts';
import { DEFAULT_HOLIDAY_TEMPLATE } from '../src/services/holiday-reminder.ts';

/**
 * Why a rule is not this org's to change: its level does not owe it (features/hierarchy/level-rules.ts),
 * so `/日历` does not show it and nothing asks for it — changing it would change nothing anyone sees.
 */
function notAtLevel(ruleName: string, ruleKey: string, level: OrgLevel): string {
  // A rule a 党委 owes and this level does not (专题会议, 中心组学习) is the 党委（党组）'s; else the 支部's.
  const owner = ruleAppliesAt(ruleKey, 'committee') ? '党委（党组）' : '党支部';
  return `${ruleName}是${owner}的职责，本组织为${LEVEL_LABELS[level]}，不适用。`;
}

/**
 * The rule `word` names among those the org's level owes (its key, name or kind's word, else a name
 * containing it); one its level does not owe is refused with why, and nothing is changed.
 */
async function findRule(ctx: CommandContext<'required'>, word: string) {
  const org = ctx.org;
  await ensureRules(ctx.db, org.id, ctx.now.toISOString());
  const rules = await listRules(ctx.db, org.id);
  const owed = rulesForLevel(rules, org.level);
  const find = (among: typeof rules) =>
    among.find((x) => x.key === word || x.name === word || kindLabel(x.kind) === word) ??
    among.find((x) => x.name.includes(word));
  const r = find(owed);
  if (r) return r;
  const words = owed.map((x) => kindLabel(x.kind)).join('、');
  const hidden = find(rules);
  if (hidden && org.level)
    throw new UserError('bad_args', `${notAtLevel(hidden.name, hidden.key, org.level)}本组织的规则：${words}。`);
  throw new UserError('not_found', `没有找到规则“${word}”。可用：${words}。`);
}

/** The usage of 设置, with the rules this org's level owes as the examples (overview-cards.ts). */
async function setUsage(ctx: CommandContext<'required'>): Promise<string> {
  const owed = rulesForLevel(await listRules(ctx.db, ctx.org.id), ctx.org.level);
  const e = calendarExamples(
    owed.map((r) => ({ key: r.key, name: r.name, fixedDay: r.fixed_day, enabled: r.enabled === 1 })),
  );
  const parts = [
    ...(e.fixed ? [`${e.fixed}（固定日 1–28）`] : []),
    ...(e.lead ? [`${e.lead}（工作日）`] : []),
    ...(e.frequency ? [e.frequency] : []),
  ];
  return `用法：${parts.join('、')}。`;
}

async function show(ctx: CommandContext<'required'>) {
  const org = ctx.org;
  return {
    type: 'card' as const,
    card: buildCalendarCard({
      orgName: org.name,
      minutesDays: MINUTES_DUE_WORKDAYS,
      rules: await calendarView(ctx.db, org.id, ctx.now, ctx.settings.timezone, ctx.calendar),
    }),
  };
}

/** 每月 → month … */
const FREQ = new Map<string, Frequency>(FREQUENCIES.map((f) => [FREQUENCY_LABELS[f], f]));

export default defineCommand({
  name: 'calendar',
  aliases: ['日历', '合规日历'],
  summary: '查看合规日历：每项会议、学习本期已安排、已召开、未召开和纪要待补，最近一次和下次应在何时',
  usage: ['/日历'],
  args: argSchema(() => undefined),
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: show,
  subcommands: [
    defineSubcommand({
      name: 'show',
      aliases: ['查看'],
      summary: '查看合规日历',
      usage: ['/日历 查看'],
      args: argSchema(() => undefined),
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: show,
    }),
    defineSubcommand({
      name: 'set',
      aliases: ['设置'],
      summary: '修改规则：固定日、提前提醒的工作日数、频次',
      usage: ['/日历 设置 主题党日 10', '/日历 设置 支委会 提前 5', '/日历 设置 党课 频次 每季度'],
      args: argSchema((r) => ({ rule: r.word('规则'), a: r.word('设置值'), b: r.optionalWord() })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const rule = await findRule(ctx, a.rule);
        const at = ctx.now.toISOString();
        let patch: Parameters<typeof updateRule>[2];
        if (a.a === '提前' && a.b && /^\d{1,2}$/.test(a.b)) patch = { lead_days: Number(a.b), updated_at: at };
        else if (a.a === '频次' && a.b && FREQ.has(a.b)) patch = { frequency: FREQ.get(a.b), updated_at: at };
        else if (/^\d{1,2}$/.test(a.a) && !a.b && rule.fixed_day !== null && Number(a.a) >= 1 && Number(a.a) <= 28)
          patch = { fixed_day: Number(a.a), updated_at: at };
        else throw new UserError('bad_args', await setUsage(ctx));
        const after = await updateRule(ctx.db, rule.id, patch);
        await ctx.audit({ action: 'calendar:set', subject: `rule:${rule.key}`, before: rule, after });
        return show(ctx);
      },
    }),
    defineSubcommand({
      name: 'disable',
      aliases: ['停用'],
      summary: '停用一条规则',
      usage: ['/日历 停用 党小组会'],
      args: argSchema((r) => r.word('规则')),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, word) {
        const rule = await findRule(ctx, word);
        await updateRule(ctx.db, rule.id, { enabled: 0, updated_at: ctx.now.toISOString() });
        await ctx.audit({
          action: 'calendar:disable',
          subject: `rule:${rule.key}`,
          before: { enabled: rule.enabled },
          after: { enabled: 0 },
        });
        return show(ctx);
      },
    }),
    defineSubcommand({
      name: 'enable',
      aliases: ['启用'],
      summary: '启用一条规则',
      usage: ['/日历 启用 党小组会'],
      args: argSchema((r) => r.word('规则')),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, word) {
        const rule = await findRule(ctx, word);
        await updateRule(ctx.db, rule.id, { enabled: 1, updated_at: ctx.now.toISOString() });
        await ctx.audit({
          action: 'calendar:enable',
          subject: `rule:${rule.key}`,
          before: { enabled: rule.enabled },
          after: { enabled: 1 },
        });
        return show(ctx);
      },
    }),
    defineSubcommand({
      name: 'template',
      aliases: ['模板', '节前提醒'],
      summary: '修改节前廉政提醒的内容（{节日} 会替换为节日名）',
      usage: ['/日历 模板 {节日}将至，请严守中央八项规定精神…'],
      args: argSchema((r) => r.rest('提醒内容', { max: 1000 })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, template) {
        const org = ctx.org;
        const settings = orgSettings(org);
        if (!template.trim()) {
          return textMessage`当前节前廉政提醒：\n${(settings.holidayTemplate as string | undefined) ?? DEFAULT_HOLIDAY_TEMPLATE}`;
        }
        await updateOrgSettings(ctx.db, org.id, { ...settings, holidayTemplate: template.trim() });
        await ctx.audit({
          action: 'calendar:template',
          subject: `org:${org.id}`,
          before: { template: settings.holidayTemplate ?? null },
          after: { template },
        });
        return { type: 'text', text: '已更新节前廉政提醒的内容。' };
      },
    }),
  ],
});
