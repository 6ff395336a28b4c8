/**
 * One EventDispatcher for both transports: the long connection calls it with plain envelopes, the
 * webhook server after verifying and decrypting. Handlers normalise, then hand the event to the
 * inbox, which records it and answers within Feishu's 3 s whatever the work takes (inbox.ts).
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../core/contracts.ts';
import { sdkLogger } from './client.ts';
import { normalizeCardAction, normalizeChatMembers, normalizeMessage } from './events.ts';
import type { Inbox } from './inbox.ts';
import { sdk } from './sdk.ts';

export function createEventDispatcher(inbox: Pick<Inbox, 'receive'>, logger: Logger): lark.EventDispatcher {
  const malformed = (type: string) => {
    logger.warn({ event: type, outcome: 'malformed' }, 'event did not parse; ignored');
  };
  // feishu (docs/feishu-platform.md §1.5): IHandles has no card.action.trigger type (node-sdk issue #114), hence the generic.
  return new sdk.EventDispatcher({ logger: sdkLogger(logger), loggerLevel: sdk.LoggerLevel.warn }).register<
    Record<string, (data: unknown) => Promise<unknown>>
  >({
    'im.message.receive_v1': async (data: unknown) => {
      const msg = normalizeMessage(data);
      if (!msg) return malformed('im.message.receive_v1');
      await inbox.receive({ kind: 'message', event: msg });
    },
    'card.action.trigger': async (data: unknown) => {
      const evt = normalizeCardAction(data);
      if (!evt) {
        malformed('card.action.trigger');
        return { toast: { type: 'error', content: '卡片数据无法识别，请重新发送命令。' } };
      }
      return inbox.receive({ kind: 'card_action', event: evt });
    },
    'im.chat.member.bot.added_v1': async (data: unknown) => {
      const evt = normalizeChatMembers(data);
      if (!evt) return malformed('im.chat.member.bot.added_v1');
      await inbox.receive({ kind: 'bot_added', event: evt });
    },
    'im.chat.member.user.added_v1': async (data: unknown) => {
      const evt = normalizeChatMembers(data);
      if (!evt) return malformed('im.chat.member.user.added_v1');
      await inbox.receive({ kind: 'users_added', event: evt });
    },
    // Removed from the group, left it, or an invitation withdrawn: their membership ends (router).
    'im.chat.member.user.deleted_v1': async (data: unknown) => {
      const evt = normalizeChatMembers(data);
      if (!evt) return malformed('im.chat.member.user.deleted_v1');
      await inbox.receive({ kind: 'users_deleted', event: evt });
    },
    'im.chat.member.user.withdrawn_v1': async (data: unknown) => {
      const evt = normalizeChatMembers(data);
      if (!evt) return malformed('im.chat.member.user.withdrawn_v1');
      await inbox.receive({ kind: 'users_deleted', event: evt });
    },
  });
}
