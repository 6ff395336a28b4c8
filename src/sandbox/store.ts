/** The emulator's world: users, chats, messages (with their current card), files and the API log. */
import { randomBytes } from 'node:crypto';

export interface EmuUser {
  openId: string;
  name: string;
  /** The user stopped the bot from messaging them (230053). */
  blockedBot: boolean;
  /** Outside the app's availability (230013). */
  outsideScope: boolean;
}

export interface EmuChat {
  chatId: string;
  name: string;
  type: 'group' | 'p2p';
  ownerOpenId: string | undefined;
  members: string[];
  botIn: boolean;
  createdAt: string;
}

export interface EmuMessage {
  messageId: string;
  chatId: string;
  /** open_id of a user, or the bot's open_id. */
  senderId: string;
  senderType: 'user' | 'app';
  msgType: string;
  /** The content string as sent (for cards: the current card JSON). */
  content: string;
  /** For text messages from users: the mentions. */
  mentions: { key: string; openId: string; name: string }[];
  parentId: string | undefined;
  createdAt: string;
  updatedAt: string;
  recalled: boolean;
  /** How many times the card was replaced (PATCH, callback answer, delayed update). */
  version: number;
  uuid: string | undefined;
}

export interface EmuFile {
  key: string;
  name: string;
  type: string;
  bytes: Buffer;
  /** Uploaded by the bot, or sent by a user in a message. */
  owner: 'bot' | string;
  createdAt: string;
}

export interface ApiCall {
  seq: number;
  at: string;
  method: string;
  path: string;
  status: number;
  code: number;
  /** The query string (`receive_id_type=chat_id`), when there was one. */
  query?: string;
  /** The request body as text (clipped; an upload as its form fields), kept for the newest calls only. */
  body?: string;
  /** Feishu's message when the call failed. */
  msg?: string;
}

/** Request bodies are kept for this many of the newest calls, each clipped to `API_BODY_MAX` characters. */
export const API_BODIES_KEPT = 500;
export const API_BODY_MAX = 16_000;

export interface UrgentRecord {
  kind: 'app' | 'sms' | 'phone';
  messageId: string;
  openIds: string[];
  at: string;
}

export function newId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

export class EmuStore {
  readonly users = new Map<string, EmuUser>();
  readonly chats = new Map<string, EmuChat>();
  readonly messages = new Map<string, EmuMessage>();
  readonly files = new Map<string, EmuFile>();
  readonly apiLog: ApiCall[] = [];
  readonly urgents: UrgentRecord[] = [];
  /** Routes the bot called that the emulator does not serve. */
  readonly unexpected: string[] = [];
  private seq = 0;

  logCall(c: Omit<ApiCall, 'seq'>): void {
    this.apiLog.push({ seq: ++this.seq, ...c });
    if (this.apiLog.length > 5000) this.apiLog.splice(0, this.apiLog.length - 5000);
    const old = this.apiLog[this.apiLog.length - 1 - API_BODIES_KEPT];
    if (old) old.body = undefined;
  }

  /** The API log as a restarted sandbox gets it back (numbering continues after it). */
  restoreLog(calls: readonly ApiCall[]): void {
    this.apiLog.splice(0, this.apiLog.length, ...calls);
    this.seq = Math.max(this.seq, ...calls.map((c) => c.seq));
  }

  messagesIn(chatId: string): EmuMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId);
  }

  p2pChatOf(openId: string): EmuChat | undefined {
    for (const c of this.chats.values()) if (c.type === 'p2p' && c.members.includes(openId)) return c;
    return undefined;
  }
}
