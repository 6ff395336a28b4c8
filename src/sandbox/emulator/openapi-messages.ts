/**
 * The Open API's message calls: send, reply, PATCH a card, recall, buzz (urgent) and the delayed card
 * update, with Feishu's checks (membership, uuid dedup within an hour, content and card validation,
 * the 14-day update window, per-chat and per-message limits).
 */

import { type CardProblem, checkCard, checkCardObject, requestBodyBytes } from '../card-check.ts';
import type { EmuChat, EmuMessage } from '../store.ts';
import type { CallbackTokens } from './clicks.ts';
import type { RateLimits } from './rate-limits.ts';
import { ApiError, type Core, DAY, HOUR } from './types.ts';
import type { World } from './world.ts';

export class MessagesApi {
  private readonly uuids = new Map<string, { messageId: string; at: number }>();

  constructor(
    private readonly core: Core,
    private readonly world: World,
    private readonly limits: RateLimits,
    private readonly callbackTokens: CallbackTokens,
  ) {}

  /** GET /im/v1/messages/:id: the message's content. */
  get(messageId: string): Record<string, unknown> {
    const msg = this.core.store.messages.get(messageId);
    if (!msg) throw new ApiError(400, 230001, 'message not found');
    return { code: 0, msg: 'ok', data: { items: [{ message_id: msg.messageId, body: { content: msg.content } }] } };
  }

  /** Checks that the bot may post into a chat; returns the chat. */
  private writableChat(chatId: string): EmuChat {
    const chat = this.core.store.chats.get(chatId);
    if (!chat) throw new ApiError(400, 230001, 'invalid receive_id');
    if (!chat.botIn) throw new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
    return chat;
  }

  /**
   * Checks a message's content. `envelope` is the rest of the request body (receive_id, msg_type,
   * uuid … or nothing for a PATCH): a card's 30 KB limit applies to the whole body, in which the card
   * is escaped again as the `content` string.
   */
  private checkContent(msgType: string, content: unknown, envelope: Record<string, unknown> = {}): string {
    if (typeof content !== 'string') throw new ApiError(400, 230001, 'content must be a JSON string');
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(content) as Record<string, unknown>;
    } catch {
      throw new ApiError(400, 230001, 'content is not valid JSON');
    }
    if (msgType === 'text') {
      if (typeof parsed.text !== 'string') throw new ApiError(400, 230001, 'text content needs "text"');
      if (Buffer.byteLength(content) > 150 * 1024) throw new ApiError(400, 230025, 'message content too long');
    } else if (msgType === 'interactive') {
      const problem = checkCard(content, { bodyBytes: requestBodyBytes(content, envelope) });
      if (problem) throw cardApiError(problem);
    } else if (msgType === 'file' || msgType === 'image') {
      const key = (parsed.file_key ?? parsed.image_key) as string | undefined;
      const file = key ? this.core.store.files.get(key) : undefined;
      if (!file) throw new ApiError(400, 230001, 'file not found');
      if (file.owner !== 'bot') throw new ApiError(400, 230017, 'bot is not the owner of the resource');
    } else {
      throw new ApiError(400, 230001, `msg_type ${msgType} is not supported by the emulator`);
    }
    return content;
  }

  /**
   * A file message as Feishu keeps it: the bot sends `{file_key}` and the message carries the name
   * given at upload too (`{file_key, file_name}`), which is what the chat shows.
   */
  private withFileName(msgType: string, content: string): string {
    if (msgType !== 'file') return content;
    const parsed = JSON.parse(content) as { file_key?: string; file_name?: string };
    const file = parsed.file_key ? this.core.store.files.get(parsed.file_key) : undefined;
    if (!file || parsed.file_name) return content;
    return JSON.stringify({ ...parsed, file_name: file.name });
  }

  private findByUuid(uuid: unknown): EmuMessage | undefined {
    if (typeof uuid !== 'string' || !uuid) return undefined;
    if (uuid.length > 50) throw new ApiError(400, 230001, 'uuid is longer than 50 characters');
    const seen = this.uuids.get(uuid);
    if (!seen || seen.at < this.core.o.wallClock.now().getTime() - HOUR) return undefined;
    return this.core.store.messages.get(seen.messageId);
  }

  private messageData(msg: EmuMessage) {
    return {
      message_id: msg.messageId,
      chat_id: msg.chatId,
      msg_type: msg.msgType,
      create_time: String(Date.parse(msg.createdAt)),
      update_time: String(Date.parse(msg.updatedAt)),
      deleted: msg.recalled,
      updated: msg.version > 0,
      parent_id: msg.parentId,
      sender: { id: this.core.o.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.core.tenantKey },
      body: { content: msg.content },
    };
  }

  send(receiveIdType: string, b: Record<string, unknown>): Record<string, unknown> {
    const receiveId = String(b.receive_id ?? '');
    const msgType = String(b.msg_type ?? '');
    const limits = [...this.limits.app()];
    let chat: EmuChat;
    if (receiveIdType === 'chat_id') {
      limits.push({ key: `chat:${receiveId}`, limit: 5, windowMs: 1000 });
      this.limits.check(limits);
      chat = this.writableChat(receiveId);
    } else if (receiveIdType === 'open_id') {
      limits.push({ key: `user:${receiveId}`, limit: 5, windowMs: 1000 });
      this.limits.check(limits);
      const user = this.core.store.users.get(receiveId);
      if (!user) throw new ApiError(400, 230034, 'The receive_id is invalid');
      if (user.outsideScope) throw new ApiError(400, 230013, 'Bot has NO availability to this user.');
      if (user.blockedBot) throw new ApiError(400, 230053, 'The user has stopped the bot from sending messages to him');
      chat = this.world.p2pChat(receiveId);
    } else {
      throw new ApiError(400, 230001, `receive_id_type ${receiveIdType} is not supported by the emulator`);
    }
    return this.post(chat, msgType, b);
  }

  reply(parentId: string, b: Record<string, unknown>): Record<string, unknown> {
    const parent = this.core.store.messages.get(parentId);
    if (!parent) throw new ApiError(400, 230001, 'message not found');
    this.limits.check([...this.limits.app(), { key: `chat:${parent.chatId}`, limit: 5, windowMs: 1000 }]);
    if (parent.recalled) throw new ApiError(400, 230011, 'The message was withdrawn.');
    const chat = this.writableChat(parent.chatId);
    return this.post(chat, String(b.msg_type ?? ''), b, parentId);
  }

  /**
   * The bot's message into `chat` (under `parentId` for a reply), once the target passed its checks:
   * a `uuid` seen before answers with the message it made, else the content is checked and posted.
   */
  private post(chat: EmuChat, msgType: string, b: Record<string, unknown>, parentId?: string): Record<string, unknown> {
    const again = this.findByUuid(b.uuid);
    if (again) return { code: 0, msg: 'ok', data: this.messageData(again) };
    const content = this.withFileName(msgType, this.checkContent(msgType, b.content, envelopeOf(b)));
    const msg = this.world.addMessage({
      chatId: chat.chatId,
      senderId: this.core.bot.openId,
      senderType: 'app',
      msgType,
      content,
      mentions: [],
      parentId,
      uuid: typeof b.uuid === 'string' ? b.uuid : undefined,
    });
    if (typeof b.uuid === 'string' && b.uuid)
      this.uuids.set(b.uuid, { messageId: msg.messageId, at: this.core.o.wallClock.now().getTime() });
    return { code: 0, msg: 'ok', data: this.messageData(msg) };
  }

  private ownCard(messageId: string): EmuMessage {
    const msg = this.core.store.messages.get(messageId);
    if (!msg) throw new ApiError(400, 230001, 'message not found');
    if (msg.senderType !== 'app') throw new ApiError(400, 230027, 'the bot did not send this message');
    if (msg.recalled) throw new ApiError(400, 230011, 'The message was withdrawn.');
    return msg;
  }

  patch(messageId: string, b: Record<string, unknown>): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const msg = this.ownCard(messageId);
    if (this.core.o.enforceRateLimits !== false) {
      const reset = this.limits.windows.hit(`patch:${messageId}`, 5, 1000, this.core.o.wallClock.now().getTime());
      if (reset > 0) throw new ApiError(400, 230020, 'Update the single messages too frequently.');
    }
    if (msg.msgType !== 'interactive') throw new ApiError(400, 230001, 'only cards can be updated with PATCH');
    if (this.core.o.clock.now().getTime() - Date.parse(msg.createdAt) > 14 * DAY) {
      throw new ApiError(400, 230031, 'The message can only be updated within 14 days.');
    }
    const content = this.checkContent('interactive', b.content, envelopeOf(b));
    this.world.replaceCard(msg, content);
    return { code: 0, msg: 'ok', data: {} };
  }

  recall(messageId: string): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const msg = this.ownCard(messageId);
    msg.recalled = true;
    this.core.emit('change', { kind: 'message', chatId: msg.chatId, messageId });
    return { code: 0, msg: 'ok', data: {} };
  }

  urgent(messageId: string, kind: 'app' | 'sms' | 'phone', b: Record<string, unknown>): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const msg = this.core.store.messages.get(messageId);
    if (!msg) throw new ApiError(400, 230001, 'message not found');
    if (msg.senderType !== 'app') throw new ApiError(400, 230012, 'the bot is not the sender of the message');
    const chat = this.writableChat(msg.chatId);
    const ids = Array.isArray(b.user_id_list) ? (b.user_id_list as unknown[]).map(String) : [];
    if (ids.length === 0) throw new ApiError(400, 230001, 'user_id_list is empty');
    // feishu (docs/feishu-platform.md §7): people who cannot be buzzed (unknown, not in the chat) are listed, the call still succeeds
    const invalid = ids.filter((id) => !this.core.store.users.has(id) || !chat.members.includes(id));
    this.core.store.urgents.push({
      kind,
      messageId,
      openIds: ids.filter((id) => !invalid.includes(id)),
      at: this.core.o.clock.now().toISOString(),
    });
    this.core.emit('change', { kind: 'urgent', chatId: msg.chatId, messageId });
    return { code: 0, msg: 'ok', data: { invalid_user_id_list: invalid } };
  }

  delayedUpdate(b: Record<string, unknown>): Record<string, unknown> {
    this.limits.check(this.limits.app());
    const token = String(b.token ?? '');
    const t = this.callbackTokens.get(token);
    if (!t) throw new ApiError(400, 300020, 'token is invalid');
    if (this.core.o.wallClock.now().getTime() - t.at > 30 * 60_000) throw new ApiError(400, 300030, 'token is expired');
    if (t.uses >= 2) throw new ApiError(400, 300040, 'token used too many times');
    t.uses++;
    const content = JSON.stringify(b.card ?? {});
    // Measured as if the card were sent (escaped inside `content`), like send and PATCH.
    const problem = checkCardObject(b.card ?? {}, { bodyBytes: requestBodyBytes(content) });
    if (problem) throw cardApiError(problem);
    this.world.replaceCard(this.world.requireMessage(t.messageId), content);
    return { code: 0, msg: 'ok', data: {} };
  }
}

/** How Feishu answers a card it refuses: 230025 for size, else 230099 with the sub-code in the message. */
function cardApiError(problem: CardProblem): ApiError {
  if (problem.code === 230025) return new ApiError(400, 230025, problem.message);
  return new ApiError(
    400,
    230099,
    `Failed to create card content, ext=ErrCode: ${problem.code}; ErrMsg: ${problem.message}`,
  );
}

/** A request body without its `content`: what surrounds the card in the measured size. */
function envelopeOf(b: Record<string, unknown>): Record<string, unknown> {
  const { content: _content, ...rest } = b;
  return rest;
}
