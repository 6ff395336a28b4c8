/** The card action of /help: 我的 and 刷新 on the help card. */
import { z } from 'zod';
import { ROLES, type Role } from '../../core/roles.ts';
import { cardAction } from '../contract.ts';

/** The role a help card was drawn for when the person who asked has none in the org. */
export const NO_ROLE = 'none';
/** Whose commands a help card in a group lists. */
export type DrawnFor = Role | typeof NO_ROLE;

/** `cmd: 'me'` shows the clicker's own panel; `'help'` redraws the card (for role `r` in a group). */
export const helpRun = cardAction('help.run', {
  value: { cmd: z.enum(['me', 'help']), r: z.enum([...ROLES, NO_ROLE]).optional() },
});
