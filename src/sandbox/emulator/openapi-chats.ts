/** The Open API's read calls about the bot, people and chats: bot info, a user, a chat, a chat's members. */

import type { RateLimits } from './rate-limits.ts';
import { ApiError, type Core } from './types.ts';

export class ChatsApi {
  constructor(
    private readonly core: Core,
    private readonly limits: RateLimits,
  ) {}

  /** GET /bot/v3/info. */
  botInfo(): Record<string, unknown> {
    return {
      code: 0,
      msg: 'ok',
      bot: {
        open_id: this.core.bot.openId,
        app_name: this.core.bot.name,
        activate_status: 2,
        // Feishu answers with a CDN address; nothing in the emulator serves an image.
        avatar_url: 'https://example.invalid/qingfeng-avatar.png',
        ip_white_list: [],
      },
    };
  }

  /** GET /contact/v3/users/:open_id. */
  user(openId: string): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const u = this.core.store.users.get(openId);
    if (!u) throw new ApiError(400, 41050, 'no user authority');
    return {
      code: 0,
      msg: 'ok',
      data: { user: { open_id: u.openId, union_id: `on_${u.openId.slice(3)}`, name: u.name } },
    };
  }

  chat(chatId: string): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const chat = this.core.store.chats.get(chatId);
    if (!chat) throw new ApiError(400, 232011, 'chat not found');
    if (!chat.botIn) throw new ApiError(400, 232004, 'the bot is not in the chat');
    return {
      code: 0,
      msg: 'ok',
      data: {
        name: chat.name,
        description: '',
        chat_mode: chat.type === 'p2p' ? 'p2p' : 'group',
        chat_type: 'private',
        owner_id: chat.ownerOpenId ?? '',
        owner_id_type: 'open_id',
        user_count: String(chat.members.length),
        bot_count: '1',
        external: false,
        tenant_key: this.core.tenantKey,
      },
    };
  }

  members(chatId: string, q: URLSearchParams): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const chat = this.core.store.chats.get(chatId);
    if (!chat) throw new ApiError(400, 232011, 'chat not found');
    if (!chat.botIn) throw new ApiError(400, 232004, 'the bot is not in the chat');
    // feishu (docs/feishu-platform.md §7): page_size is 1–100 (default 20); anything else is refused, not clamped
    const size = Number(q.get('page_size') ?? 20);
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new ApiError(400, 99992402, 'field validation failed: page_size must be between 1 and 100');
    }
    const token = q.get('page_token') ?? '';
    const start = token === '' ? 0 : Number(token.replace(/^pt_/, ''));
    if (!Number.isInteger(start) || start < 0 || (token !== '' && !token.startsWith('pt_'))) {
      throw new ApiError(400, 99992402, 'field validation failed: page_token is invalid');
    }
    const page = chat.members.slice(start, start + size);
    const more = start + size < chat.members.length;
    return {
      code: 0,
      msg: 'ok',
      data: {
        items: page.map((id) => ({
          member_id_type: 'open_id',
          member_id: id,
          name: this.core.store.users.get(id)?.name ?? '',
          tenant_key: this.core.tenantKey,
        })),
        has_more: more,
        page_token: more ? `pt_${start + size}` : '',
        member_total: chat.members.length,
      },
    };
  }
}
