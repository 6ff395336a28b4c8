/**
 * The emulator's world: people, chats and messages in the store, how they are created and looked up,
 * and the snapshot the sandbox persists. Every change is announced as a `change` event.
 */

import { type EmuChat, type EmuMessage, type EmuUser, newId } from '../store.ts';
import { type Core, EmulatorInputError, type EmulatorSnapshot } from './types.ts';

export type NewMessage = Omit<
  EmuMessage,
  'messageId' | 'createdAt' | 'updatedAt' | 'recalled' | 'version' | 'uuid' | 'parentId'
> & {
  parentId?: string;
  uuid?: string;
};

export class World {
  constructor(private readonly core: Core) {}

  addUser(name: string, o: { openId?: string } = {}): EmuUser {
    const u: EmuUser = { openId: o.openId ?? newId('ou_', 12), name, blockedBot: false, outsideScope: false };
    this.core.store.users.set(u.openId, u);
    return u;
  }

  createGroup(o: { name: string; owner: string; members: string[]; withBot?: boolean; chatId?: string }): EmuChat {
    const chat: EmuChat = {
      chatId: o.chatId ?? newId('oc_', 12),
      name: o.name,
      type: 'group',
      ownerOpenId: o.owner,
      members: [...new Set([o.owner, ...o.members])],
      botIn: o.withBot ?? true,
      createdAt: this.core.o.clock.now().toISOString(),
    };
    this.core.store.chats.set(chat.chatId, chat);
    this.core.emit('change', { kind: 'chat', chatId: chat.chatId });
    return chat;
  }

  p2pChat(openId: string): EmuChat {
    const existing = this.core.store.p2pChatOf(openId);
    if (existing) return existing;
    const user = this.requireUser(openId);
    const chat: EmuChat = {
      chatId: newId('oc_', 12),
      name: user.name,
      type: 'p2p',
      ownerOpenId: undefined,
      members: [openId],
      botIn: true,
      createdAt: this.core.o.clock.now().toISOString(),
    };
    this.core.store.chats.set(chat.chatId, chat);
    this.core.emit('change', { kind: 'chat', chatId: chat.chatId });
    return chat;
  }

  removeBotFromChat(chatId: string): void {
    this.requireChat(chatId).botIn = false;
    this.core.emit('change', { kind: 'chat', chatId });
  }

  requireUser(openId: string): EmuUser {
    const u = this.core.store.users.get(openId);
    if (!u) throw new EmulatorInputError(`no user ${openId}`);
    return u;
  }

  requireChat(chatId: string): EmuChat {
    const c = this.core.store.chats.get(chatId);
    if (!c) throw new EmulatorInputError(`no chat ${chatId}`);
    return c;
  }

  requireMessage(messageId: string): EmuMessage {
    const m = this.core.store.messages.get(messageId);
    if (!m) throw new EmulatorInputError(`no message ${messageId}`);
    return m;
  }

  botMessages(chatId: string): EmuMessage[] {
    return this.core.store.messagesIn(chatId).filter((m) => m.senderType === 'app' && !m.recalled);
  }

  /** A user's ids as Feishu puts them in events. */
  userIds(openId: string) {
    return { open_id: openId, union_id: `on_${openId.slice(3)}`, user_id: openId.slice(3, 11) };
  }

  addMessage(m: NewMessage): EmuMessage {
    const at = this.core.o.clock.now().toISOString();
    const msg: EmuMessage = {
      messageId: newId('om_', 16),
      createdAt: at,
      updatedAt: at,
      recalled: false,
      version: 0,
      parentId: m.parentId,
      uuid: m.uuid,
      chatId: m.chatId,
      senderId: m.senderId,
      senderType: m.senderType,
      msgType: m.msgType,
      content: m.content,
      mentions: m.mentions,
    };
    this.core.store.messages.set(msg.messageId, msg);
    this.core.emit('change', { kind: 'message', chatId: msg.chatId, messageId: msg.messageId });
    return msg;
  }

  replaceCard(msg: EmuMessage, content: string): void {
    msg.content = content;
    msg.version++;
    msg.updatedAt = this.core.o.clock.now().toISOString();
    this.core.emit('change', { kind: 'message', chatId: msg.chatId, messageId: msg.messageId });
  }

  snapshot(): EmulatorSnapshot {
    const { store } = this.core;
    return {
      users: [...store.users.values()],
      chats: [...store.chats.values()],
      messages: [...store.messages.values()],
      files: [...store.files.values()].map((f) => ({ ...f, bytes: f.bytes.toString('base64') })),
      urgents: store.urgents,
    };
  }

  restore(s: EmulatorSnapshot): void {
    const { store } = this.core;
    for (const u of s.users) store.users.set(u.openId, u);
    for (const c of s.chats) store.chats.set(c.chatId, c);
    for (const m of s.messages) store.messages.set(m.messageId, m);
    for (const f of s.files) store.files.set(f.key, { ...f, bytes: Buffer.from(f.bytes, 'base64') });
    store.urgents.push(...s.urgents);
  }
}
