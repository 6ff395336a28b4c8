/** The card action of /help: the quick buttons, 全部命令, 我的 and 刷新 on the help card. */
import { z } from 'zod';
import { ROLES, type Role } from '../../core/roles.ts';
import { cardAction } from '../contract.ts';

/** The role a help card was drawn for when the person who asked has none in the org. */
export const NO_ROLE = 'none';
/** Whose commands a help card in a group lists. */
export type DrawnFor = Role | typeof NO_ROLE;

/** The quick buttons a help card may carry (what each runs: `QUICK_ACTIONS` in src/services/help.ts). */
export const QUICK_KEYS = [
  'myRectify',
  'myTasks',
  'sessions',
  'calendar',
  'review',
  'overdue',
  'newRectify',
  'newMeeting',
] as const;
export type QuickKey = (typeof QUICK_KEYS)[number];

/**
 * `cmd: 'me'` shows the clicker's own panel; `'help'` redraws the card (for role `r` in a group);
 * `'all'` shows every command the clicker may run (privately when clicked in a group); `'run'` runs
 * the quick action `k` for the clicker and sends its answer to them privately.
 */
export const helpRun = cardAction('help.run', {
  value: {
    cmd: z.enum(['me', 'help', 'all', 'run']),
    r: z.enum([...ROLES, NO_ROLE]).optional(),
    k: z.enum(QUICK_KEYS).optional(),
  },
});
