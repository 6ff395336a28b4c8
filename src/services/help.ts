/** Which commands a person may run in a chat (the /help list). */

import type { HelpView } from '../cards/help-card.ts';
import type { CommandContext, CommandModule } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { checkCommandAccess } from '../router/access.ts';

export function visibleCommands(
  ctx: Pick<CommandContext, 'chat' | 'org' | 'actor' | 'commands'>,
): HelpView['commands'] {
  const out: HelpView['commands'] = [];
  for (const c of ctx.commands) {
    if (!mayRun(c, ctx)) continue;
    const alias = c.aliases.find((a) => /[\u4e00-\u9fff]/.test(a));
    out.push({ name: c.name, alias, summary: c.summary, usage: c.usage[0] ?? `/${alias ?? c.name}` });
  }
  return out;
}

function mayRun(c: CommandModule, ctx: Pick<CommandContext, 'chat' | 'org' | 'actor'>): boolean {
  try {
    checkCommandAccess(c.access, {
      chatType: ctx.chat.type,
      hasOrg: ctx.org !== undefined,
      role: ctx.actor.role,
      orgAmbiguous: false,
    });
    return true;
  } catch (e) {
    if (e instanceof UserError) return false;
    throw e;
  }
}
