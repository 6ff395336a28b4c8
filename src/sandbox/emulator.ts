/**
 * A local Feishu: the Open API subset the bot uses, the long-connection endpoint and WebSocket
 * (FEISHU.md §2), and webhook delivery (§3), with Feishu's behaviour where it matters to correctness
 * (rate limits, 230002, uuid dedup, 14-day card updates, card validation). The unmodified SDK talks
 * to it through FEISHU_DOMAIN. The same code is the end-to-end test fixture and what `npm start`
 * runs without credentials.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Clock } from '../core/clock.ts';
import { computeSignature, encryptPayload } from '../feishu/crypto.ts';
import {
  type CardProblem,
  cardComponents,
  checkCard,
  checkCardObject,
  descendants,
  formActionOf,
  requestBodyBytes,
} from './card-check.ts';
import { decodeFrame, encodeFrame, type Frame, headerOf } from './frame.ts';
import { parseMultipart } from './multipart.ts';
import {
  type EmuChat,
  type EmuFile,
  type EmuMessage,
  EmuStore,
  type EmuUser,
  newId,
  type UrgentRecord,
} from './store.ts';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  appId: string;
  appSecret: string;
  tenantKey?: string;
  /** Webhook delivery: encrypt bodies and sign requests with this key. */
  encryptKey?: string;
  /** Put in every event's header.token. */
  verificationToken?: string;
  /** Business time: message times and the 14-day card update window. */
  clock: Clock;
  /** Wall time: rate-limit windows, token expiry, webhook timestamps, ack timeouts. */
  wallClock: Clock;
  /** How events reach the bot. */
  delivery?: 'websocket' | 'webhook';
  /** The bot's base URL for webhook delivery (…/webhook/event, …/webhook/card). */
  webhookUrl?: string;
  /** Unacknowledged events are sent again after this long (Feishu: 15 s, 5 min, 1 h, 6 h). */
  redeliverAfterMs?: number;
  /** How long a webhook POST may take before it counts as unanswered (Feishu: the whole call, 3 s). */
  ackTimeoutMs?: number;
  maxRedeliveries?: number;
  /** Long-connection client config sent at discovery and in pongs (seconds). */
  pingIntervalSec?: number;
  reconnectIntervalSec?: number;
  /** Split event payloads larger than this many bytes into fragments. */
  fragmentBytes?: number;
  enforceRateLimits?: boolean;
  /** In groups the bot only hears messages that @mention it, unless `all`. */
  groupMessages?: 'mentions' | 'all';
  /** The bot's open_id (kept stable across sandbox restarts). */
  botOpenId?: string;
  /** Extra HTTP routes served first (the sandbox console). Return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;
}

export interface EmulatorSnapshot {
  users: EmuUser[];
  chats: EmuChat[];
  messages: EmuMessage[];
  files: (Omit<EmuFile, 'bytes'> & { bytes: string })[];
  urgents: UrgentRecord[];
}

export interface CallbackResult {
  toast?: { type: string; content: string };
  card?: unknown;
  /** The bot did not answer in time, or answered with an error (code 200341 / 200671 …). */
  error?: string;
}

export interface Fault {
  method?: string;
  /** A substring of the path (`/im/v1/messages`). */
  path?: string;
  /** How many matching calls to fail (Infinity for "until cleared"). */
  times: number;
  status: number;
  code: number;
  msg?: string;
  headers?: Record<string, string>;
  /** Answer only after this delay (slow Feishu). */
  delayMs?: number;
  /** Create the message before failing (the answer was lost, not the request). */
  applyFirst?: boolean;
}

interface Conn {
  ws: WebSocket;
  serviceId: number;
  deviceId: string;
}

interface Pending {
  resolve: (ack: { code: number; data?: string }) => void;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A control call that does not make sense (unknown user, not a member …): the console shows it as 400. */
export class EmulatorInputError extends Error {}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
  }
}

/** Fixed-window counters, Feishu-style: `limit` calls per `windowMs` per key. */
class Windows {
  private readonly counts = new Map<string, { start: number; n: number }>();
  hit(key: string, limit: number, windowMs: number, now: number): number {
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.counts.get(key);
    if (!w || w.start !== start) {
      w = { start, n: 0 };
      this.counts.set(key, w);
    }
    if (w.n >= limit) return Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    w.n++;
    if (this.counts.size > 50_000) this.counts.clear();
    return 0;
  }
}

export class Emulator extends EventEmitter {
  readonly store = new EmuStore();
  readonly bot: { openId: string; name: string };
  readonly tenantKey: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly conns: Conn[] = [];
  private rr = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly tokens = new Map<string, number>();
  private readonly uuids = new Map<string, { messageId: string; at: number }>();
  private readonly callbackTokens = new Map<string, { messageId: string; uses: number; at: number }>();
  private readonly windows = new Windows();
  private readonly faults: Fault[] = [];
  private seq = 1;
  private pongs = true;
  private acceptConnections = true;
  private port = 0;
  /** Extra delay on every Open API answer (ms). */
  latencyMs = 0;
  /** The next event is delivered this many extra times after its ack (Feishu is at-least-once). */
  duplicateNextEvents = 0;
  /** Counters for tests and benchmarks. */
  readonly stats = { delivered: 0, redelivered: 0, acked: 0, rateLimited: 0, connections: 0 };
  /** Every event sent to the bot: id, type, attempts. */
  readonly deliveries: { eventId: string; type: string; attempts: number; acked: boolean }[] = [];

  constructor(readonly o: EmulatorOptions) {
    super();
    this.setMaxListeners(100);
    this.bot = { openId: o.botOpenId ?? `ou_bot${randomBytes(8).toString('hex')}`, name: '清风' };
    this.tenantKey = o.tenantKey ?? 'tenant_sandbox';
    this.wss = new WebSocketServer({ noServer: true });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err) => {
        this.sendJson(res, 500, { code: 500, msg: String(err) });
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!(req.url ?? '').startsWith('/ws') || !this.acceptConnections) {
        socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req.url ?? ''));
    });
  }

  get url(): string {
    return `http://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  get connectionCount(): number {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN).length;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) p.resolve({ code: -1 });
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ world

  addUser(name: string, o: { openId?: string } = {}): EmuUser {
    const u: EmuUser = { openId: o.openId ?? newId('ou_', 12), name, blockedBot: false, outsideScope: false };
    this.store.users.set(u.openId, u);
    return u;
  }

  /** A group chat; the bot is in it unless `withBot` is false (add it later with `addBotToChat`). */
  createGroup(o: { name: string; owner: string; members: string[]; withBot?: boolean; chatId?: string }): EmuChat {
    const chat: EmuChat = {
      chatId: o.chatId ?? newId('oc_', 12),
      name: o.name,
      type: 'group',
      ownerOpenId: o.owner,
      members: [...new Set([o.owner, ...o.members])],
      botIn: o.withBot ?? true,
      createdAt: this.o.clock.now().toISOString(),
    };
    this.store.chats.set(chat.chatId, chat);
    this.emit('change', { kind: 'chat', chatId: chat.chatId });
    return chat;
  }

  /** The private chat between a user and the bot (created on first use). */
  p2pChat(openId: string): EmuChat {
    const existing = this.store.p2pChatOf(openId);
    if (existing) return existing;
    const user = this.requireUser(openId);
    const chat: EmuChat = {
      chatId: newId('oc_', 12),
      name: user.name,
      type: 'p2p',
      ownerOpenId: undefined,
      members: [openId],
      botIn: true,
      createdAt: this.o.clock.now().toISOString(),
    };
    this.store.chats.set(chat.chatId, chat);
    this.emit('change', { kind: 'chat', chatId: chat.chatId });
    return chat;
  }

  /** Adds the bot to a group and tells it (`im.chat.member.bot.added_v1`). */
  async addBotToChat(chatId: string, operator: string): Promise<void> {
    const chat = this.requireChat(chatId);
    chat.botIn = true;
    this.emit('change', { kind: 'chat', chatId });
    await this.deliverEvent('im.chat.member.bot.added_v1', {
      chat_id: chatId,
      operator_id: this.userIds(operator),
      external: false,
      operator_tenant_key: this.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
    });
  }

  removeBotFromChat(chatId: string): void {
    this.requireChat(chatId).botIn = false;
    this.emit('change', { kind: 'chat', chatId });
  }

  /** Adds people to a group and tells the bot (`im.chat.member.user.added_v1`) when it is there. */
  async addUsersToChat(chatId: string, openIds: string[], operator?: string): Promise<void> {
    const chat = this.requireChat(chatId);
    for (const id of openIds) if (!chat.members.includes(id)) chat.members.push(id);
    this.emit('change', { kind: 'chat', chatId });
    if (!chat.botIn) return;
    await this.deliverEvent('im.chat.member.user.added_v1', {
      chat_id: chatId,
      operator_id: this.userIds(operator ?? chat.ownerOpenId ?? openIds[0] ?? ''),
      external: false,
      operator_tenant_key: this.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
      users: openIds.map((id) => ({
        name: this.store.users.get(id)?.name ?? '',
        tenant_key: this.tenantKey,
        user_id: this.userIds(id),
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
    const chat = this.requireChat(chatId);
    if (chat.type !== 'group') throw new EmulatorInputError('only people in a group chat can be removed');
    const gone = openIds.filter((id) => chat.members.includes(id));
    chat.members = chat.members.filter((id) => !gone.includes(id));
    this.emit('change', { kind: 'chat', chatId });
    if (!chat.botIn || o.missed || gone.length === 0) return;
    await this.deliverEvent('im.chat.member.user.deleted_v1', {
      chat_id: chatId,
      operator_id: this.userIds(o.operator ?? chat.ownerOpenId ?? gone[0] ?? ''),
      external: false,
      operator_tenant_key: this.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
      users: gone.map((id) => ({
        name: this.store.users.get(id)?.name ?? '',
        tenant_key: this.tenantKey,
        user_id: this.userIds(id),
      })),
    });
  }

  /**
   * A user sends a text. `@{ou_…}` in the text mentions that person; `mentionBot` puts @清风 first.
   * Resolves when the bot acknowledged the event (or at once when the bot would not hear it).
   */
  async sendText(o: { chatId: string; from: string; text: string; mentionBot?: boolean }): Promise<EmuMessage> {
    const chat = this.requireChat(o.chatId);
    const sender = this.requireUser(o.from);
    if (!chat.members.includes(sender.openId))
      throw new EmulatorInputError(`${sender.name} is not in chat ${chat.name}`);
    const mentions: EmuMessage['mentions'] = [];
    const mention = (openId: string, name: string) => {
      const key = `@_user_${mentions.length + 1}`;
      mentions.push({ key, openId, name });
      return key;
    };
    let text = o.mentionBot ? `${mention(this.bot.openId, this.bot.name)} ` : '';
    text += o.text.replace(/@\{(ou_[A-Za-z0-9_]+)\}/g, (_m, id: string) => {
      if (id === this.bot.openId) return mention(id, this.bot.name);
      const u = this.store.users.get(id);
      return u ? mention(id, u.name) : _m;
    });
    const msg = this.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'text',
      content: JSON.stringify({ text }),
      mentions,
    });
    const hears =
      chat.botIn &&
      (chat.type === 'p2p' || this.o.groupMessages === 'all' || mentions.some((m) => m.openId === this.bot.openId));
    if (hears) await this.deliverMessageEvent(msg, sender);
    return msg;
  }

  /**
   * A user sends a rich-text (post) message, as typed in the client's rich-text editor: each line a
   * paragraph, `@{ou_…}` an `at` element, `mentionBot` an @清风 first. The event's content has the
   * shape of 接收消息内容结构 (no language key; `at` elements carry the `@_user_N` key of `mentions`).
   */
  async sendPost(o: {
    chatId: string;
    from: string;
    text: string;
    title?: string;
    mentionBot?: boolean;
  }): Promise<EmuMessage> {
    const chat = this.requireChat(o.chatId);
    const sender = this.requireUser(o.from);
    if (!chat.members.includes(sender.openId))
      throw new EmulatorInputError(`${sender.name} is not in chat ${chat.name}`);
    const mentions: EmuMessage['mentions'] = [];
    const at = (openId: string, name: string): Record<string, unknown> => {
      const key = `@_user_${mentions.length + 1}`;
      mentions.push({ key, openId, name });
      return { tag: 'at', user_id: key, user_name: name, style: [] };
    };
    // The @清风 typed first takes the first key, as in the client.
    const lead = o.mentionBot ? [at(this.bot.openId, this.bot.name)] : [];
    const paragraphs: Record<string, unknown>[][] = o.text.split('\n').map((line) =>
      line.split(/(@\{ou_[A-Za-z0-9_]+\})/).flatMap((part): Record<string, unknown>[] => {
        const id = /^@\{(ou_[A-Za-z0-9_]+)\}$/.exec(part)?.[1];
        const who = id === this.bot.openId ? this.bot : id ? this.store.users.get(id) : undefined;
        if (id && who) return [at(id, who.name)];
        return part ? [{ tag: 'text', text: part, style: [] }] : [];
      }),
    );
    paragraphs[0] = [...lead, ...(paragraphs[0] ?? [])];
    const msg = this.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'post',
      content: JSON.stringify({ title: o.title ?? '', content: paragraphs }),
      mentions,
    });
    const hears =
      chat.botIn &&
      (chat.type === 'p2p' || this.o.groupMessages === 'all' || mentions.some((m) => m.openId === this.bot.openId));
    if (hears) await this.deliverMessageEvent(msg, sender);
    return msg;
  }

  /** A user sends a file (an .xlsx to import, say). */
  async sendFile(o: { chatId: string; from: string; fileName: string; bytes: Buffer }): Promise<EmuMessage> {
    const chat = this.requireChat(o.chatId);
    const sender = this.requireUser(o.from);
    const key = newId('file_v3_', 12);
    this.store.files.set(key, {
      key,
      name: o.fileName,
      type: 'stream',
      bytes: o.bytes,
      owner: sender.openId,
      createdAt: this.o.clock.now().toISOString(),
    });
    const msg = this.addMessage({
      chatId: chat.chatId,
      senderId: sender.openId,
      senderType: 'user',
      msgType: 'file',
      content: JSON.stringify({ file_key: key, file_name: o.fileName }),
      mentions: [],
    });
    if (chat.botIn && (chat.type === 'p2p' || this.o.groupMessages === 'all'))
      await this.deliverMessageEvent(msg, sender);
    return msg;
  }

  /**
   * A user presses a button (or submits a form) on a card. `value` is the button's callback value;
   * `formValue` the form's fields. Resolves with the bot's answer, which is applied to the card.
   */
  async click(o: {
    messageId: string;
    from: string;
    value: unknown;
    formValue?: Record<string, unknown>;
    name?: string;
    tag?: string;
    /** Outside forms: a select's or picker's choice, a multi-select's choices, an input's text, a checker. */
    option?: string;
    options?: string[];
    inputValue?: string;
    checked?: boolean;
    /**
     * Deliver the callback even though the client would not send it (no such component on the card,
     * a required field empty): a forged or replayed callback, for tests of the bot's own checks.
     */
    bypassClient?: boolean;
  }): Promise<CallbackResult> {
    const msg = this.requireMessage(o.messageId);
    const user = this.requireUser(o.from);
    if (!this.requireChat(msg.chatId).members.includes(user.openId)) {
      throw new EmulatorInputError(`${user.name} is not in the chat of this card`);
    }
    if (!o.bypassClient) this.checkClickable(msg, o);
    const token = `c-${randomBytes(16).toString('hex')}`;
    this.callbackTokens.set(token, { messageId: msg.messageId, uses: 0, at: this.o.wallClock.now().getTime() });
    const ack = await this.deliverEvent(
      'card.action.trigger',
      {
        operator: { tenant_key: this.tenantKey, open_id: o.from, union_id: `on_${o.from.slice(3)}` },
        token,
        action: {
          value: o.value,
          tag: o.tag ?? 'button',
          ...(o.name ? { name: o.name } : {}),
          ...(o.formValue ? { form_value: o.formValue } : {}),
          ...(o.option !== undefined ? { option: o.option } : {}),
          ...(o.options !== undefined ? { options: o.options } : {}),
          ...(o.inputValue !== undefined ? { input_value: o.inputValue } : {}),
          ...(o.checked !== undefined ? { checked: o.checked } : {}),
          timezone: 'Asia/Shanghai',
        },
        host: 'im_message',
        context: { open_message_id: msg.messageId, open_chat_id: msg.chatId },
      },
      { card: true },
    );
    if (!ack) return { error: '200341: 回调超时' };
    if (ack.code !== 200) return { error: `200671: 回调返回 ${ack.code}` };
    const answer = (ack.body ?? {}) as { toast?: CallbackResult['toast']; card?: { type?: string; data?: unknown } };
    const result: CallbackResult = {};
    if (answer.toast) result.toast = answer.toast;
    if (answer.card?.type === 'raw' && answer.card.data) {
      const content = JSON.stringify(answer.card.data);
      // The answered card replaces the message like a PATCH does: measured as a body `{content}`.
      const problem = checkCardObject(answer.card.data, { bodyBytes: requestBodyBytes(content, {}) });
      if (problem) return { error: `200673: ${problem.code} ${problem.message}` };
      this.replaceCard(msg, content);
      result.card = answer.card.data;
    }
    return result;
  }

  /**
   * What the Feishu client lets a person do on a card: press only a component the card shows now
   * (matched by tag, callback value and, when given, name; not a disabled one), send `form_value`
   * only with a form's submit button, and submit a form only when its required fields are filled
   * (the client checks `required` before sending; multi_select_* are required unless
   * `required: false`). Anything else is refused with an EmulatorInputError, as the client would.
   */
  private checkClickable(
    msg: EmuMessage,
    o: { value: unknown; name?: string; tag?: string; formValue?: Record<string, unknown> },
  ): void {
    if (msg.msgType !== 'interactive' || msg.recalled) {
      throw new EmulatorInputError('only a card that is still there can be clicked');
    }
    let card: unknown;
    try {
      card = JSON.parse(msg.content);
    } catch {
      throw new EmulatorInputError('the card content is not JSON');
    }
    const tag = o.tag ?? 'button';
    const all = cardComponents(card);
    const matching = all.filter(
      (c) => c.tag === tag && sameValue(callbackValueOf(c), o.value) && (!o.name || c.name === o.name),
    );
    const enabled = matching.filter((c) => c.disabled !== true);
    const what = `${tag} ${JSON.stringify(o.value ?? {})}${o.name ? ` named "${o.name}"` : ''}`;
    if (matching.length === 0) {
      throw new EmulatorInputError(`the card has no ${what} as it is now; the client cannot press it`);
    }
    const target = enabled[0];
    if (!target) throw new EmulatorInputError(`the ${what} is disabled; the client cannot press it`);
    const form = all.find((f) => f.tag === 'form' && descendants(f).includes(target));
    const submits = form !== undefined && tag === 'button' && formActionOf(target) === 'submit';
    if (o.formValue !== undefined && !submits) {
      throw new EmulatorInputError(`form_value comes only with a form's submit button, not with the ${what}`);
    }
    if (!submits || !form) return;
    const values = o.formValue ?? {};
    const missing = descendants(form)
      .filter((f) => typeof f.name === 'string' && isRequiredField(f))
      .filter((f) => !filled(values[f.name as string]) && !hasInitialValue(f))
      .map((f) => f.name as string);
    if (missing.length > 0) {
      throw new EmulatorInputError(`有必填项未填写 (${missing.join(', ')}): the client does not submit the form`);
    }
  }

  // ------------------------------------------------------------------ persistence (sandbox)

  /** Everything the world holds, as JSON-safe data (files base64). */
  snapshot(): EmulatorSnapshot {
    return {
      users: [...this.store.users.values()],
      chats: [...this.store.chats.values()],
      messages: [...this.store.messages.values()],
      files: [...this.store.files.values()].map((f) => ({ ...f, bytes: f.bytes.toString('base64') })),
      urgents: this.store.urgents,
    };
  }

  restore(s: EmulatorSnapshot): void {
    for (const u of s.users) this.store.users.set(u.openId, u);
    for (const c of s.chats) this.store.chats.set(c.chatId, c);
    for (const m of s.messages) this.store.messages.set(m.messageId, m);
    for (const f of s.files) this.store.files.set(f.key, { ...f, bytes: Buffer.from(f.bytes, 'base64') });
    this.store.urgents.push(...s.urgents);
  }

  // ------------------------------------------------------------------ faults

  /** The next matching Open API calls fail as described. */
  failNext(f: Fault): void {
    this.faults.push({ ...f });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // ------------------------------------------------------------------ slow routes (tests)

  private readonly slowRoutes: { method?: string; path?: string; delayMs: number; times: number }[] = [];

  /**
   * Matching Open API calls (`path` a substring, as for faults) are answered normally but only after
   * `delayMs`, for the next `times` calls (default: until cleared) — a slow Feishu, to make a
   * command outlast the 3 s ack window on purpose.
   */
  slowDown(o: { method?: string; path?: string; delayMs: number; times?: number }): void {
    this.slowRoutes.push({ ...o, times: o.times ?? Number.POSITIVE_INFINITY });
  }

  clearSlowDowns(): void {
    this.slowRoutes.length = 0;
  }

  private async slowDownFor(method: string, path: string): Promise<void> {
    const r = this.slowRoutes.find(
      (x) => x.times > 0 && (!x.method || x.method === method) && (!x.path || path.includes(x.path)),
    );
    if (!r) return;
    r.times--;
    await new Promise((resolve) => setTimeout(resolve, r.delayMs));
  }

  /** Invalidates every tenant token (99991663 until the bot fetches a new one). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Stops answering pings (a half-open connection). */
  setPongs(on: boolean): void {
    this.pongs = on;
  }

  /** Refuses (or accepts again) new long connections. */
  setAcceptConnections(on: boolean): void {
    this.acceptConnections = on;
  }

  /** Drops every long connection, as the server side of a network failure. */
  dropConnections(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  // ------------------------------------------------------------------ helpers

  requireUser(openId: string): EmuUser {
    const u = this.store.users.get(openId);
    if (!u) throw new EmulatorInputError(`no user ${openId}`);
    return u;
  }

  requireChat(chatId: string): EmuChat {
    const c = this.store.chats.get(chatId);
    if (!c) throw new EmulatorInputError(`no chat ${chatId}`);
    return c;
  }

  requireMessage(messageId: string): EmuMessage {
    const m = this.store.messages.get(messageId);
    if (!m) throw new EmulatorInputError(`no message ${messageId}`);
    return m;
  }

  /** Messages the bot sent into a chat (replies included), oldest first. */
  botMessages(chatId: string): EmuMessage[] {
    return this.store.messagesIn(chatId).filter((m) => m.senderType === 'app' && !m.recalled);
  }

  /** Waits until `check` returns a value (polling, with a deadline). */
  async waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    o: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    const deadline = Date.now() + (o.timeoutMs ?? 5000);
    for (;;) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? 'condition'}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private userIds(openId: string) {
    return { open_id: openId, union_id: `on_${openId.slice(3)}`, user_id: openId.slice(3, 11) };
  }

  private addMessage(
    m: Omit<EmuMessage, 'messageId' | 'createdAt' | 'updatedAt' | 'recalled' | 'version' | 'uuid' | 'parentId'> & {
      parentId?: string;
      uuid?: string;
    },
  ): EmuMessage {
    const at = this.o.clock.now().toISOString();
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
    this.store.messages.set(msg.messageId, msg);
    this.emit('change', { kind: 'message', chatId: msg.chatId, messageId: msg.messageId });
    return msg;
  }

  private replaceCard(msg: EmuMessage, content: string): void {
    msg.content = content;
    msg.version++;
    msg.updatedAt = this.o.clock.now().toISOString();
    this.emit('change', { kind: 'message', chatId: msg.chatId, messageId: msg.messageId });
  }

  // ------------------------------------------------------------------ events to the bot

  private envelope(eventType: string, event: Record<string, unknown>, card: boolean) {
    const nowMs = this.o.clock.now().getTime();
    return {
      schema: '2.0',
      header: {
        event_id: randomUUID().replace(/-/g, ''),
        event_type: eventType,
        // feishu: create_time is ms for IM events, µs for card callbacks (FEISHU.md §3)
        create_time: card ? `${nowMs}000` : String(nowMs),
        token: this.o.verificationToken ?? '',
        app_id: this.o.appId,
        tenant_key: this.tenantKey,
      },
      event,
    };
  }

  private async deliverMessageEvent(msg: EmuMessage, sender: EmuUser): Promise<void> {
    const chat = this.requireChat(msg.chatId);
    await this.deliverEvent('im.message.receive_v1', {
      sender: { sender_id: this.userIds(sender.openId), sender_type: 'user', tenant_key: this.tenantKey },
      message: {
        message_id: msg.messageId,
        chat_id: msg.chatId,
        chat_type: chat.type,
        message_type: msg.msgType,
        content: msg.content,
        create_time: String(Date.parse(msg.createdAt)),
        update_time: String(Date.parse(msg.createdAt)),
        mentions: msg.mentions.map((m) => ({
          key: m.key,
          id: this.userIds(m.openId),
          name: m.name,
          tenant_key: this.tenantKey,
        })),
      },
    });
  }

  /**
   * Sends an event (or card callback) to the bot over the configured transport and waits for its
   * answer. Events not acknowledged in time are sent again; card callbacks never are.
   */
  async deliverEvent(
    eventType: string,
    event: Record<string, unknown>,
    o: { card?: boolean } = {},
  ): Promise<{ code: number; body?: unknown } | undefined> {
    const env = this.envelope(eventType, event, o.card ?? false);
    const record = { eventId: env.header.event_id, type: eventType, attempts: 0, acked: false };
    this.deliveries.push(record);
    if (this.deliveries.length > 10_000) this.deliveries.splice(0, 5000);
    const tries = o.card ? 1 : 1 + (this.o.maxRedeliveries ?? 4);
    let result: { code: number; body?: unknown } | undefined;
    for (let i = 0; i < tries; i++) {
      // feishu: an event the app answered with an error is pushed again later (15 s, 5 min …), never at once
      if (result) await new Promise((r) => setTimeout(r, this.o.redeliverAfterMs ?? 15_000));
      record.attempts++;
      if (i > 0) this.stats.redelivered++;
      this.stats.delivered++;
      result = this.o.delivery === 'webhook' ? await this.postWebhook(env, o.card ?? false) : await this.pushFrame(env);
      if (result && result.code === 200) break;
    }
    if (result?.code === 200) {
      record.acked = true;
      this.stats.acked++;
      // Feishu is at-least-once even after an ack: deliver the same event again on request.
      const extra = o.card ? 0 : this.duplicateNextEvents;
      this.duplicateNextEvents = 0;
      for (let i = 0; i < extra; i++) {
        record.attempts++;
        this.stats.delivered++;
        await (this.o.delivery === 'webhook' ? this.postWebhook(env, false) : this.pushFrame(env));
      }
    }
    return result;
  }

  private async postWebhook(env: object, card: boolean): Promise<{ code: number; body?: unknown } | undefined> {
    if (!this.o.webhookUrl) throw new Error('webhook delivery needs webhookUrl');
    const plain = JSON.stringify(env);
    const body = this.o.encryptKey ? JSON.stringify({ encrypt: encryptPayload(this.o.encryptKey, plain) }) : plain;
    const timestamp = String(Math.floor(this.o.wallClock.now().getTime() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (this.o.encryptKey) {
      headers['x-lark-request-timestamp'] = timestamp;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = computeSignature(timestamp, nonce, this.o.encryptKey, Buffer.from(body));
    }
    try {
      const res = await fetch(`${this.o.webhookUrl}${card ? '/webhook/card' : '/webhook/event'}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.o.ackTimeoutMs ?? 3000),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { code: res.status, body: parsed };
    } catch {
      return undefined;
    }
  }

  private async pushFrame(env: object): Promise<{ code: number; body?: unknown } | undefined> {
    const conn = await this.pickConnection();
    if (!conn) return undefined;
    const payload = Buffer.from(JSON.stringify(env), 'utf8');
    const messageId = randomUUID();
    const size = this.o.fragmentBytes && this.o.fragmentBytes > 0 ? this.o.fragmentBytes : payload.length || 1;
    const parts: Buffer[] = [];
    for (let i = 0; i < payload.length; i += size) parts.push(payload.subarray(i, i + size));
    if (parts.length === 0) parts.push(payload);
    const acked = new Promise<{ code: number; data?: string }>((resolve) => {
      this.pending.set(messageId, { resolve });
    });
    const seq = this.seq++;
    parts.forEach((part, i) => {
      const frame: Frame = {
        SeqID: seq,
        LogID: seq,
        service: conn.serviceId,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(parts.length) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: randomUUID() },
          { key: 'timestamp', value: String(this.o.wallClock.now().getTime()) },
        ],
        payload: part,
      };
      conn.ws.send(encodeFrame(frame));
    });
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), this.o.redeliverAfterMs ?? 15_000));
    const ack = await Promise.race([acked, timeout]);
    this.pending.delete(messageId);
    if (!ack || ack.code === -1) return undefined;
    let body: unknown;
    if (ack.data) {
      try {
        body = JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    return { code: ack.code, body };
  }

  /** Cluster mode: each event goes to one connected client (round robin), waiting briefly for one. */
  private async pickConnection(): Promise<Conn | undefined> {
    const deadline = this.o.wallClock.now().getTime() + (this.o.redeliverAfterMs ?? 15_000);
    for (;;) {
      const open = this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN);
      if (open.length > 0) return open[this.rr++ % open.length];
      if (this.o.wallClock.now().getTime() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private onConnection(ws: WebSocket, url: string): void {
    const q = new URLSearchParams(url.split('?')[1] ?? '');
    const conn: Conn = { ws, serviceId: Number(q.get('service_id') ?? 1), deviceId: q.get('device_id') ?? '' };
    this.conns.push(conn);
    this.stats.connections++;
    this.emit('connection', { count: this.connectionCount });
    ws.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = decodeFrame(new Uint8Array(data));
      } catch {
        return;
      }
      const type = headerOf(frame, 'type');
      if (frame.method === 0 && type === 'ping') {
        if (!this.pongs) return;
        ws.send(
          encodeFrame({
            SeqID: 0,
            LogID: 0,
            service: conn.serviceId,
            method: 0,
            headers: [{ key: 'type', value: 'pong' }],
            payload: Buffer.from(JSON.stringify(this.clientConfig())),
          }),
        );
        return;
      }
      if (frame.method === 1) {
        const id = headerOf(frame, 'message_id');
        const pending = id ? this.pending.get(id) : undefined;
        if (!pending || !frame.payload) return;
        try {
          const ack = JSON.parse(Buffer.from(frame.payload).toString('utf8')) as { code: number; data?: string };
          pending.resolve(ack);
        } catch {
          pending.resolve({ code: 500 });
        }
      }
    });
    ws.on('close', () => {
      const i = this.conns.indexOf(conn);
      if (i >= 0) this.conns.splice(i, 1);
      this.emit('connection', { count: this.connectionCount });
    });
    ws.on('error', () => undefined);
  }

  private clientConfig() {
    return {
      PingInterval: this.o.pingIntervalSec ?? 30,
      ReconnectCount: -1,
      ReconnectInterval: this.o.reconnectIntervalSec ?? 2,
      ReconnectNonce: 1,
    };
  }

  // ------------------------------------------------------------------ HTTP

  private sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(text);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.o.extraRoutes && (await this.o.extraRoutes(req, res, body))) return;
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(url.pathname);
    if (resource && req.method === 'GET') {
      await this.slowDownFor('GET', url.pathname);
      return this.downloadResource(req, res, resource[1] as string, resource[2] as string);
    }
    if (url.pathname === '/callback/ws/endpoint' && req.method === 'POST') return this.wsEndpoint(res, body);
    if (!url.pathname.startsWith('/open-apis/')) {
      this.sendJson(res, 404, { code: 404, msg: 'not found' });
      return;
    }
    let status = 200;
    let code = 0;
    this.emit('request', { method: req.method, path: url.pathname });
    try {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const data = await this.openApi(req.method ?? 'GET', url, body, req.headers);
      this.sendJson(res, 200, data);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status = err.status;
      code = err.code;
      this.sendJson(
        res,
        err.status,
        { code: err.code, msg: err.message, error: { log_id: randomBytes(8).toString('hex') } },
        err.headers,
      );
    } finally {
      this.store.logCall({
        at: this.o.wallClock.now().toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname,
        status,
        code,
      });
      this.emit('api', { method: req.method, path: url.pathname, status });
    }
  }

  /** The binary download of a file in a message (the SDK reads it as a stream). */
  private downloadResource(req: IncomingMessage, res: ServerResponse, messageId: string, fileKey: string): void {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const exp = this.tokens.get(token);
    const msg = this.store.messages.get(messageId);
    const file = this.store.files.get(fileKey);
    const fail = (status: number, code: number, msg2: string) => {
      this.store.logCall({
        at: this.o.wallClock.now().toISOString(),
        method: 'GET',
        path: `/open-apis/im/v1/messages/${messageId}/resources`,
        status,
        code,
      });
      this.sendJson(res, status, { code, msg: msg2 });
    };
    if (exp === undefined || exp < this.o.wallClock.now().getTime()) {
      fail(400, 99991663, 'Invalid access token');
      return;
    }
    if (!msg || !file || !msg.content.includes(fileKey)) {
      fail(400, 234003, 'file not found in message');
      return;
    }
    if (!this.requireChat(msg.chatId).botIn) {
      fail(400, 230002, 'Bot/User can NOT be out of the chat.');
      return;
    }
    this.store.logCall({
      at: this.o.wallClock.now().toISOString(),
      method: 'GET',
      path: `/open-apis/im/v1/messages/${messageId}/resources`,
      status: 200,
      code: 0,
    });
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'content-length': file.bytes.length,
    });
    res.end(file.bytes);
  }

  private wsEndpoint(res: ServerResponse, body: Buffer): void {
    let b: { AppID?: string; AppSecret?: string } = {};
    try {
      b = JSON.parse(body.toString('utf8'));
    } catch {
      /* answered below */
    }
    if (b.AppID !== this.o.appId || b.AppSecret !== this.o.appSecret) {
      this.sendJson(res, 200, { code: 514, msg: 'auth failed', data: {} });
      return;
    }
    const host = this.o.host ?? '127.0.0.1';
    // feishu: the SDK parses the whole URL with querystring, so a dummy first parameter (FEISHU.md §2.2)
    const url = `ws://${host}:${this.port}/ws?x=0&device_id=${newId('d', 6)}&service_id=1`;
    this.sendJson(res, 200, { code: 0, msg: 'ok', data: { URL: url, ClientConfig: this.clientConfig() } });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || path.includes(f.path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.times--;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async openApi(
    method: string,
    url: URL,
    body: Buffer,
    headers: IncomingMessage['headers'],
  ): Promise<Record<string, unknown>> {
    const path = url.pathname;
    if (path === '/open-apis/auth/v3/tenant_access_token/internal' && method === 'POST') {
      const b = JSON.parse(body.toString('utf8') || '{}') as { app_id?: string; app_secret?: string };
      if (b.app_id !== this.o.appId || b.app_secret !== this.o.appSecret)
        throw new ApiError(400, 10014, 'app secret invalid');
      const token = `t-${randomBytes(16).toString('hex')}`;
      this.tokens.set(token, this.o.wallClock.now().getTime() + 2 * HOUR);
      return { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 };
    }
    const auth = headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token) throw new ApiError(400, 99991661, 'Missing access token for authorization');
    const exp = this.tokens.get(token);
    if (exp === undefined || exp < this.o.wallClock.now().getTime()) {
      throw new ApiError(400, 99991663, 'Invalid access token for authorization');
    }
    await this.slowDownFor(method, path);
    const fault = this.takeFault(method, path);
    if (fault && !fault.applyFirst) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      throw new ApiError(fault.status, fault.code, fault.msg ?? 'injected fault', fault.headers);
    }
    const result = await this.dispatchApi(method, url, body, headers);
    if (fault?.applyFirst) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      throw new ApiError(fault.status, fault.code, fault.msg ?? 'injected fault', fault.headers);
    }
    return result;
  }

  private rateLimit(keys: { key: string; limit: number; windowMs: number }[]): void {
    if (this.o.enforceRateLimits === false) return;
    const now = this.o.wallClock.now().getTime();
    for (const k of keys) {
      const reset = this.windows.hit(k.key, k.limit, k.windowMs, now);
      if (reset > 0) {
        this.stats.rateLimited++;
        throw new ApiError(429, 99991400, 'request trigger frequency limit', {
          'x-ogw-ratelimit-limit': String(k.limit),
          'x-ogw-ratelimit-reset': String(reset),
        });
      }
    }
  }

  private appLimits() {
    return [
      { key: 'app:s', limit: 50, windowMs: 1000 },
      { key: 'app:m', limit: 1000, windowMs: 60_000 },
    ];
  }

  private async dispatchApi(
    method: string,
    url: URL,
    body: Buffer,
    headers: IncomingMessage['headers'],
  ): Promise<Record<string, unknown>> {
    const path = url.pathname;
    const json = () => {
      try {
        return JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new ApiError(400, 230001, 'invalid request body');
      }
    };
    let m: RegExpExecArray | null;

    if (path === '/open-apis/bot/v3/info' && method === 'GET') {
      return {
        code: 0,
        msg: 'ok',
        bot: {
          open_id: this.bot.openId,
          app_name: this.bot.name,
          activate_status: 2,
          // Feishu answers with a CDN address; nothing in the emulator serves an image.
          avatar_url: 'https://example.invalid/qingfeng-avatar.png',
          ip_white_list: [],
        },
      };
    }
    if (path === '/open-apis/im/v1/messages' && method === 'POST') {
      return this.apiSend(url.searchParams.get('receive_id_type') ?? '', json());
    }
    if ((m = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path)) && method === 'POST') {
      return this.apiReply(m[1] as string, json());
    }
    if ((m = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_(app|sms|phone)$/.exec(path)) && method === 'PATCH') {
      return this.apiUrgent(m[1] as string, m[2] as 'app' | 'sms' | 'phone', json());
    }
    if ((m = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path))) {
      if (method === 'PATCH') return this.apiPatch(m[1] as string, json());
      if (method === 'DELETE') return this.apiRecall(m[1] as string);
      if (method === 'GET') {
        const msg = this.store.messages.get(m[1] as string);
        if (!msg) throw new ApiError(400, 230001, 'message not found');
        return { code: 0, msg: 'ok', data: { items: [{ message_id: msg.messageId, body: { content: msg.content } }] } };
      }
    }
    if (path === '/open-apis/interactive/v1/card/update' && method === 'POST') return this.apiDelayedUpdate(json());
    if ((m = /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/.exec(path)) && method === 'GET') {
      return this.apiMembers(m[1] as string, url.searchParams);
    }
    if ((m = /^\/open-apis\/im\/v1\/chats\/([^/]+)$/.exec(path)) && method === 'GET')
      return this.apiChat(m[1] as string);
    if ((m = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
      this.rateLimit(this.appLimits());
      const u = this.store.users.get(m[1] as string);
      if (!u) throw new ApiError(400, 41050, 'no user authority');
      return {
        code: 0,
        msg: 'ok',
        data: { user: { open_id: u.openId, union_id: `on_${u.openId.slice(3)}`, name: u.name } },
      };
    }
    if ((path === '/open-apis/im/v1/files' || path === '/open-apis/im/v1/images') && method === 'POST') {
      return this.apiUpload(path.endsWith('images') ? 'image' : 'file', body, String(headers['content-type'] ?? ''));
    }
    this.store.unexpected.push(`${method} ${path}`);
    throw new ApiError(404, 404, `the emulator does not serve ${method} ${path}`);
  }

  /** Checks that the bot may post into a chat; returns the chat. */
  private writableChat(chatId: string): EmuChat {
    const chat = this.store.chats.get(chatId);
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
      const file = key ? this.store.files.get(key) : undefined;
      if (!file) throw new ApiError(400, 230001, 'file not found');
      if (file.owner !== 'bot') throw new ApiError(400, 230017, 'bot is not the owner of the resource');
    } else {
      throw new ApiError(400, 230001, `msg_type ${msgType} is not supported by the emulator`);
    }
    return content;
  }

  private findByUuid(uuid: unknown): EmuMessage | undefined {
    if (typeof uuid !== 'string' || !uuid) return undefined;
    if (uuid.length > 50) throw new ApiError(400, 230001, 'uuid is longer than 50 characters');
    const seen = this.uuids.get(uuid);
    if (!seen || seen.at < this.o.wallClock.now().getTime() - HOUR) return undefined;
    return this.store.messages.get(seen.messageId);
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
      sender: { id: this.o.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.tenantKey },
      body: { content: msg.content },
    };
  }

  private apiSend(receiveIdType: string, b: Record<string, unknown>): Record<string, unknown> {
    const receiveId = String(b.receive_id ?? '');
    const msgType = String(b.msg_type ?? '');
    const limits = [...this.appLimits()];
    let chat: EmuChat;
    if (receiveIdType === 'chat_id') {
      limits.push({ key: `chat:${receiveId}`, limit: 5, windowMs: 1000 });
      this.rateLimit(limits);
      chat = this.writableChat(receiveId);
    } else if (receiveIdType === 'open_id') {
      limits.push({ key: `user:${receiveId}`, limit: 5, windowMs: 1000 });
      this.rateLimit(limits);
      const user = this.store.users.get(receiveId);
      if (!user) throw new ApiError(400, 230034, 'The receive_id is invalid');
      if (user.outsideScope) throw new ApiError(400, 230013, 'Bot has NO availability to this user.');
      if (user.blockedBot) throw new ApiError(400, 230053, 'The user has stopped the bot from sending messages to him');
      chat = this.p2pChat(receiveId);
    } else {
      throw new ApiError(400, 230001, `receive_id_type ${receiveIdType} is not supported by the emulator`);
    }
    const again = this.findByUuid(b.uuid);
    if (again) return { code: 0, msg: 'ok', data: this.messageData(again) };
    const content = this.checkContent(msgType, b.content, envelopeOf(b));
    const msg = this.addMessage({
      chatId: chat.chatId,
      senderId: this.bot.openId,
      senderType: 'app',
      msgType,
      content,
      mentions: [],
      uuid: typeof b.uuid === 'string' ? b.uuid : undefined,
    });
    if (typeof b.uuid === 'string' && b.uuid)
      this.uuids.set(b.uuid, { messageId: msg.messageId, at: this.o.wallClock.now().getTime() });
    return { code: 0, msg: 'ok', data: this.messageData(msg) };
  }

  private apiReply(parentId: string, b: Record<string, unknown>): Record<string, unknown> {
    const parent = this.store.messages.get(parentId);
    if (!parent) throw new ApiError(400, 230001, 'message not found');
    this.rateLimit([...this.appLimits(), { key: `chat:${parent.chatId}`, limit: 5, windowMs: 1000 }]);
    if (parent.recalled) throw new ApiError(400, 230011, 'The message was withdrawn.');
    const chat = this.writableChat(parent.chatId);
    const again = this.findByUuid(b.uuid);
    if (again) return { code: 0, msg: 'ok', data: this.messageData(again) };
    const msgType = String(b.msg_type ?? '');
    const content = this.checkContent(msgType, b.content, envelopeOf(b));
    const msg = this.addMessage({
      chatId: chat.chatId,
      senderId: this.bot.openId,
      senderType: 'app',
      msgType,
      content,
      mentions: [],
      parentId,
      uuid: typeof b.uuid === 'string' ? b.uuid : undefined,
    });
    if (typeof b.uuid === 'string' && b.uuid)
      this.uuids.set(b.uuid, { messageId: msg.messageId, at: this.o.wallClock.now().getTime() });
    return { code: 0, msg: 'ok', data: this.messageData(msg) };
  }

  private ownCard(messageId: string): EmuMessage {
    const msg = this.store.messages.get(messageId);
    if (!msg) throw new ApiError(400, 230001, 'message not found');
    if (msg.senderType !== 'app') throw new ApiError(400, 230027, 'the bot did not send this message');
    if (msg.recalled) throw new ApiError(400, 230011, 'The message was withdrawn.');
    return msg;
  }

  private apiPatch(messageId: string, b: Record<string, unknown>): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const msg = this.ownCard(messageId);
    if (this.o.enforceRateLimits !== false) {
      const reset = this.windows.hit(`patch:${messageId}`, 5, 1000, this.o.wallClock.now().getTime());
      if (reset > 0) throw new ApiError(400, 230020, 'Update the single messages too frequently.');
    }
    if (msg.msgType !== 'interactive') throw new ApiError(400, 230001, 'only cards can be updated with PATCH');
    if (this.o.clock.now().getTime() - Date.parse(msg.createdAt) > 14 * DAY) {
      throw new ApiError(400, 230031, 'The message can only be updated within 14 days.');
    }
    const content = this.checkContent('interactive', b.content, envelopeOf(b));
    this.replaceCard(msg, content);
    return { code: 0, msg: 'ok', data: {} };
  }

  private apiRecall(messageId: string): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const msg = this.ownCard(messageId);
    msg.recalled = true;
    this.emit('change', { kind: 'message', chatId: msg.chatId, messageId });
    return { code: 0, msg: 'ok', data: {} };
  }

  private apiUrgent(
    messageId: string,
    kind: 'app' | 'sms' | 'phone',
    b: Record<string, unknown>,
  ): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const msg = this.store.messages.get(messageId);
    if (!msg) throw new ApiError(400, 230001, 'message not found');
    if (msg.senderType !== 'app') throw new ApiError(400, 230012, 'the bot is not the sender of the message');
    const chat = this.writableChat(msg.chatId);
    const ids = Array.isArray(b.user_id_list) ? (b.user_id_list as unknown[]).map(String) : [];
    if (ids.length === 0) throw new ApiError(400, 230001, 'user_id_list is empty');
    // feishu: people who cannot be buzzed (unknown, not in the chat) are listed, the call still succeeds
    const invalid = ids.filter((id) => !this.store.users.has(id) || !chat.members.includes(id));
    this.store.urgents.push({
      kind,
      messageId,
      openIds: ids.filter((id) => !invalid.includes(id)),
      at: this.o.clock.now().toISOString(),
    });
    this.emit('change', { kind: 'urgent', chatId: msg.chatId, messageId });
    return { code: 0, msg: 'ok', data: { invalid_user_id_list: invalid } };
  }

  private apiDelayedUpdate(b: Record<string, unknown>): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const token = String(b.token ?? '');
    const t = this.callbackTokens.get(token);
    if (!t) throw new ApiError(400, 300020, 'token is invalid');
    if (this.o.wallClock.now().getTime() - t.at > 30 * 60_000) throw new ApiError(400, 300030, 'token is expired');
    if (t.uses >= 2) throw new ApiError(400, 300040, 'token used too many times');
    t.uses++;
    const content = JSON.stringify(b.card ?? {});
    // Measured as if the card were sent (escaped inside `content`), like send and PATCH.
    const problem = checkCardObject(b.card ?? {}, { bodyBytes: requestBodyBytes(content) });
    if (problem) throw cardApiError(problem);
    this.replaceCard(this.requireMessage(t.messageId), content);
    return { code: 0, msg: 'ok', data: {} };
  }

  private apiChat(chatId: string): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const chat = this.store.chats.get(chatId);
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
        tenant_key: this.tenantKey,
      },
    };
  }

  private apiMembers(chatId: string, q: URLSearchParams): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const chat = this.store.chats.get(chatId);
    if (!chat) throw new ApiError(400, 232011, 'chat not found');
    if (!chat.botIn) throw new ApiError(400, 232004, 'the bot is not in the chat');
    // feishu: page_size is 1–100 (default 20); anything else is refused, not clamped
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
          name: this.store.users.get(id)?.name ?? '',
          tenant_key: this.tenantKey,
        })),
        has_more: more,
        page_token: more ? `pt_${start + size}` : '',
        member_total: chat.members.length,
      },
    };
  }

  private apiUpload(kind: 'file' | 'image', body: Buffer, contentType: string): Record<string, unknown> {
    this.rateLimit(this.appLimits());
    const parts = parseMultipart(body, contentType);
    const file = parts.find((p) => p.name === (kind === 'image' ? 'image' : 'file'));
    if (!file || file.data.length === 0) throw new ApiError(400, 234001, 'file is empty');
    if (file.data.length > (kind === 'image' ? 10 : 30) * 1024 * 1024)
      throw new ApiError(400, 234006, 'file too large');
    const name = parts.find((p) => p.name === 'file_name')?.data.toString('utf8') ?? file.filename ?? 'file';
    const type = parts.find((p) => p.name === 'file_type')?.data.toString('utf8') ?? kind;
    const key = newId(kind === 'image' ? 'img_v3_' : 'file_v3_', 12);
    this.store.files.set(key, {
      key,
      name,
      type,
      bytes: file.data,
      owner: 'bot',
      createdAt: this.o.clock.now().toISOString(),
    });
    return { code: 0, msg: 'ok', data: kind === 'image' ? { image_key: key } : { file_key: key } };
  }
}

// ------------------------------------------------------------------ card checks (helpers)

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

type Component = Record<string, unknown>;

/** A component's callback value: its `callback` behavior's value, or the legacy `value`. */
function callbackValueOf(c: Component): unknown {
  const behaviors = Array.isArray(c.behaviors) ? (c.behaviors as Component[]) : [];
  const cb = behaviors.find((b) => b && b.type === 'callback');
  return cb ? cb.value : c.value;
}

/** Equal as JSON values (object key order ignored); undefined, null and {} all mean "no value". */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (v === undefined || v === null) return {};
    if (Array.isArray(v)) return v.map(norm);
    if (typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Component)
          .sort()
          .map((k) => [k, norm((v as Component)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** Whether the client makes a form field required: `required: true`, or a multi-select not marked `false`. */
function isRequiredField(f: Component): boolean {
  if (f.tag === 'multi_select_static' || f.tag === 'multi_select_person') return f.required !== false;
  return f.required === true;
}

/** Whether the client counts a field as filled (it does not trim: spaces count). */
function filled(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** A field the client shows already filled (and submits as such) without the person typing. */
function hasInitialValue(f: Component): boolean {
  return [
    f.default_value,
    f.initial_option,
    f.initial_index,
    f.selected_values,
    f.initial_date,
    f.initial_time,
    f.initial_datetime,
  ].some(filled);
}
