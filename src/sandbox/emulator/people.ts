/**
 * What people do in the world that Feishu tells the bot about: join and leave groups, add the bot, and
 * send texts, rich texts and files (the bot hears what Feishu would deliver to it).
 */

import { type EmuChat, type EmuMessage, newId } from '../store.ts';
import type { Events } from './events.ts';
import { type Core, EmulatorInputError } from './types.ts';
import type { World } from './world.ts';

/** A rich-text (post) message a user sends: `text` one paragraph a line, `@{ou_…}` mentions. */
export interface PostOptions {
  chatId: string;
  from: string;
  text: string;
  title?: string;
  mentionBot?: boolean;
}

export class People {
  constructor(
    private readonly core: Core,
    private readonly world: World,
    private readonly events: Events,
  ) {}

  /** Adds the bot to a group and tells it (`im.chat.member.bot.added_v1`). */
  async addBotToChat(chatId: string, operator: string): Promise<void> {
    const chat = this.world.requireChat(chatId);
    chat.botIn = true;
    this.core.emit('change', { kind: 'chat', chatId });
    await this.events.deliver('im.chat.member.bot.added_v1', {
      chat_id: chatId,
      operator_id: this.world.userIds(operator),
      external: false,
      operator_tenant_key: this.core.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
    });
  }

  /** Adds people to a group and tells the bot (`im.chat.member.user.added_v1`) when it is there. */
  async addUsersToChat(chatId: string, openIds: string[], operator?: string): Promise<void> {
    const chat = this.world.requireChat(chatId);
    for (const id of openIds) if (!chat.members.includes(id)) chat.members.push(id);
    this.core.emit('change', { kind: 'chat', chatId });
    if (!chat.botIn) return;
    await this.events.deliver('im.chat.member.user.added_v1', {
      chat_id: chatId,
      operator_id: this.world.userIds(operator ?? chat.ownerOpenId ?? openIds[0] ?? ''),
      external: false,
      operator_tenant_key: this.core.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
      users: openIds.map((id) => ({
        name: this.core.store.users.get(id)?.name ?? '',
        tenant_key: this.core.tenantKey,
        user_id: this.world.userIds(id),
      })),
    });
  }

  /**
   * Removes people from a group (or they leave it) and tells the bot (`im.chat.member.user.deleted_v1`)
   * when it is there. `missed`: Feishu never delivers the event (the bot's reconciliation must notice).
   */
  async removeUsersFromChat(
    chatId: string,
    openIds: string[],
    o: { operator?: string; missed?: boolean } = {},
  ): Promise<void> {
    const chat = this.world.requireChat(chatId);
    if (chat.type !== 'group') throw new EmulatorInputError('only people in a group chat can be removed');
    const gone = openIds.filter((id) => chat.members.includes(id));
    chat.members = chat.members.filter((id) => !gone.includes(id));
    this.core.emit('change', { kind: 'chat', chatId });
    if (!chat.botIn || o.missed || gone.length === 0) return;
    await this.events.deliver('im.chat.member.user.deleted_v1', {
      chat_id: chatId,
      operator_id: this.world.userIds(o.operator ?? chat.ownerOpenId ?? gone[0] ?? ''),
      external: false,
      operator_tenant_key: this.core.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
      users: gone.map((id) => ({
        name: this.core.store.users.get(id)?.name ?? '',
        tenant_key: this.core.tenantKey,
        user_id: this.world.userIds(id),
      })),
    });
  }

  /**
   * A user sends a text. `@{ou_…}` in the text mentions that person; `mentionBot` puts @清风 first.
   * Resolves when the bot acknowledged the event (or at once when the bot would not hear it).
   */
  async sendText(o: { chatId: string; from: string; text: string; mentionBot?: boolean }): Promise<EmuMessage> {
    const chat = this.world.requireChat(o.chatId);
    const sender = this.world.requireUser(o.from);
    if (!chat.members.includes(sender.openId))
      throw new EmulatorInputError(`${sender.name} is not in chat ${chat.name}`);
    const mentions: EmuMessage['mentions'] = [];
    const mention = (openId: string, name: string) => {
      const key = `@_user_${mentions.length + 1}`;
      mentions.push({ key, openId, name });
      return key;
    };
    let text = o.mentionBot ? `${mention(this.core.bot.openId, this.core.bot.name)} ` : '';
    text += o.text.replace(/@\{(ou_[A-Za-z0-9_]+)\}/g, (_m, id: string) => {
      if (id === this.core.bot.openId) return mention(id, this.core.bot.name);
      const u = this.core.store.users.get(id);
      return u ? mention(id, u.name) : _m;
    });
    const msg = this.world.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'text',
      content: JSON.stringify({ text }),
      mentions,
    });
    if (this.botHears(chat, mentions)) await this.events.deliverMessage(msg, sender);
    return msg;
  }

  /**
   * A user sends a rich-text (post) message, as typed in the client's rich-text editor: each line a
   * paragraph, `@{ou_…}` an `at` element, `mentionBot` an @清风 first. The event's content has the
   * shape of 接收消息内容结构 (no language key; `at` elements carry the `@_user_N` key of `mentions`).
   */
  async sendPost(o: PostOptions): Promise<EmuMessage> {
    const chat = this.world.requireChat(o.chatId);
    const sender = this.world.requireUser(o.from);
    if (!chat.members.includes(sender.openId))
      throw new EmulatorInputError(`${sender.name} is not in chat ${chat.name}`);
    const mentions: EmuMessage['mentions'] = [];
    const at = (openId: string, name: string): Record<string, unknown> => {
      const key = `@_user_${mentions.length + 1}`;
      mentions.push({ key, openId, name });
      return { tag: 'at', user_id: key, user_name: name, style: [] };
    };
    // The @清风 typed first takes the first key, as in the client.
    const lead = o.mentionBot ? [at(this.core.bot.openId, this.core.bot.name)] : [];
    const paragraphs: Record<string, unknown>[][] = o.text.split('\n').map((line) =>
      line.split(/(@\{ou_[A-Za-z0-9_]+\})/).flatMap((part): Record<string, unknown>[] => {
        const id = /^@\{(ou_[A-Za-z0-9_]+)\}$/.exec(part)?.[1];
        const who = id === this.core.bot.openId ? this.core.bot : id ? this.core.store.users.get(id) : undefined;
        if (id && who) return [at(id, who.name)];
        return part ? [{ tag: 'text', text: part, style: [] }] : [];
      }),
    );
    paragraphs[0] = [...lead, ...(paragraphs[0] ?? [])];
    const msg = this.world.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'post',
      content: JSON.stringify({ title: o.title ?? '', content: paragraphs }),
      mentions,
    });
    if (this.botHears(chat, mentions)) await this.events.deliverMessage(msg, sender);
    return msg;
  }

  /** A user sends a file (an .xlsx to import, say). */
  async sendFile(o: { chatId: string; from: string; fileName: string; bytes: Buffer }): Promise<EmuMessage> {
    const chat = this.world.requireChat(o.chatId);
    const sender = this.world.requireUser(o.from);
    const key = newId('file_v3_', 12);
    this.core.store.files.set(key, {
      key,
      name: o.fileName,
      type: 'stream',
      bytes: o.bytes,
      owner: sender.openId,
      createdAt: this.core.o.clock.now().toISOString(),
    });
    const msg = this.world.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'file',
      content: JSON.stringify({ file_key: key, file_name: o.fileName }),
      mentions: [],
    });
    if (chat.botIn && (chat.type === 'p2p' || this.core.o.groupMessages === 'all'))
      await this.events.deliverMessage(msg, sender);
    return msg;
  }

  /** In a group the bot hears only messages that @mention it (unless `groupMessages: 'all'`); in p2p all. */
  private botHears(chat: EmuChat, mentions: EmuMessage['mentions']): boolean {
    return (
      chat.botIn &&
      (chat.type === 'p2p' ||
        this.core.o.groupMessages === 'all' ||
        mentions.some((m) => m.openId === this.core.bot.openId))
    );
  }
}
