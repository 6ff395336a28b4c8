/**
 * The card action of the conversation (src/features/intent): 确认 and 取消 on a confirmation card, and
 * a suggested command. Not a command's action: the router hands these clicks to the conversation
 * (`Conversation.actionId`), and 确认 runs the command line `c` as if its clicker had typed it.
 */
import { z } from 'zod';
import { cardAction, formText } from '../../cards/contract.ts';

export const INTENT_ACTION = 'intent.run';

/**
 * `c`: the command line as words (JSON); `k`: 确认 (`ok`), 取消 (`no`) or a suggestion (`go`, anyone
 * may press it); `u`: who asked (only they may confirm or cancel); `m`: the message that asked (a
 * confirmation runs once); `t`: what will be done, shown once it is done.
 */
export const intentRun = cardAction(INTENT_ACTION, {
  value: {
    c: z.string().max(400),
    k: z.enum(['ok', 'no', 'go']),
    u: z.string().max(100).optional(),
    m: z.string().max(100).optional(),
    t: z.string().max(200).optional(),
  },
  form: { reason: formText(), pick: formText() },
});
