/** Which commands a person may run in a chat (the /help list). */

import type { HelpView } from '../cards/help-card.ts';
import type { CommandContext, Runnable } from '../core/contracts.ts';
import { accessDenial } from '../router/access.ts';

export function visibleCommands(
  ctx: Pick<CommandContext, 'chat' | 'org' | 'actor' | 'commands'>,
): HelpView['commands'] {
  const out: HelpView['commands'] = [];
  for (const c of ctx.commands) {
    const alias = c.aliases.find((a) => /[\u4e00-\u9fff]/.test(a));
    if (mayRun(c, ctx))
      out.push({ name: c.name, alias, summary: c.summary, usage: c.usage[0] ?? `/${alias ?? c.name}` });
    for (const sub of c.subcommands ?? []) {
      if (!mayRun(sub, ctx)) continue;
      const subAlias = sub.aliases.find((a) => /[\u4e00-\u9fff]/.test(a)) ?? sub.name;
      out.push({
        name: `${c.name} ${sub.name}`,
        alias: alias ? `${alias} ${subAlias}` : undefined,
        summary: sub.summary,
        usage: sub.usage[0] ?? `/${alias ?? c.name} ${subAlias}`,
      });
    }
  }
  return out;
}

function mayRun(c: Runnable<unknown, unknown>, ctx: Pick<CommandContext, 'chat' | 'org' | 'actor'>): boolean {
  return (
    accessDenial(c.access, {
      chatType: ctx.chat.type,
      hasOrg: ctx.org !== undefined,
      role: ctx.actor.role,
      orgAmbiguous: false,
      botAdmin: ctx.actor.isBotAdmin,
    }) === undefined
  );
}
