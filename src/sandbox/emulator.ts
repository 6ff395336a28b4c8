/**
 * A local Feishu: the Open API subset the bot uses, the long-connection endpoint and WebSocket
 * (docs/feishu-platform.md §2), and webhook delivery (§3), with Feishu's behaviour where it matters to correctness
 * (rate limits, 230002, uuid dedup, 14-day card updates, card validation). The unmodified SDK talks
 * to it through FEISHU_DOMAIN. The same code is the end-to-end test fixture and what `npm start`
 * runs without credentials.
 *
 * This class is the facade; the parts live in `./emulator/`: the world (`world.ts`), what people do
 * (`people.ts`, `clicks.ts`), events to the bot (`events.ts` over `long-connection.ts` or
 * `webhook.ts`), the HTTP front (`http.ts`) and the Open API route table (`openapi-routes.ts`, with
 * the handlers in `openapi-*.ts`), rate limits and injected faults (`rate-limits.ts`, `faults.ts`).
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallbackTokens, type ClickOptions, Clicks } from './emulator/clicks.ts';
import { Events } from './emulator/events.ts';
import { Faults } from './emulator/faults.ts';
import { HttpFront, sendJson } from './emulator/http.ts';
import { LongConnection } from './emulator/long-connection.ts';
import { ChatsApi } from './emulator/openapi-chats.ts';
import { FilesApi } from './emulator/openapi-files.ts';
import { MessagesApi } from './emulator/openapi-messages.ts';
import { openApiRoutes } from './emulator/openapi-routes.ts';
import { People, type PostOptions } from './emulator/people.ts';
import { RateLimits, type Windows } from './emulator/rate-limits.ts';
import type {
  Ack,
  CallbackResult,
  DeliveryRecord,
  EmulatorOptions,
  EmulatorSnapshot,
  Fault,
  Stats,
} from './emulator/types.ts';
import { World } from './emulator/world.ts';
import { type EmuChat, type EmuMessage, EmuStore, type EmuUser } from './store.ts';

export {
  type CallbackResult,
  EmulatorInputError,
  type EmulatorOptions,
  type EmulatorSnapshot,
  type Fault,
} from './emulator/types.ts';

export class Emulator extends EventEmitter {
  readonly store = new EmuStore();
  readonly bot: { openId: string; name: string };
  readonly tenantKey: string;
  /** Extra delay on every Open API answer (ms). */
  latencyMs = 0;
  /** The next event is delivered this many extra times after its ack (Feishu is at-least-once). */
  duplicateNextEvents = 0;
  /** Counters for tests and benchmarks. */
  readonly stats: Stats = { delivered: 0, redelivered: 0, acked: 0, rateLimited: 0, connections: 0 };
  /** Every event sent to the bot: id, type, attempts. */
  readonly deliveries: DeliveryRecord[] = [];

  // The token books and limit windows are fields of the facade itself: test/security/secrets.test.ts
  // reads `tokens` and `callbackTokens`, and the outbound benchmark instruments `windows.hit`.
  /** Tenant tokens and their expiry (wall-clock ms). */
  private readonly tokens = new Map<string, number>();
  private readonly callbackTokens: CallbackTokens = new Map();
  private readonly windows: Windows;

  private readonly world: World;
  private readonly faults = new Faults();
  private readonly longConnection: LongConnection;
  private readonly events: Events;
  private readonly people: People;
  private readonly clicks: Clicks;
  private readonly messagesApi: MessagesApi;
  private readonly server: Server;
  private port = 0;

  constructor(readonly o: EmulatorOptions) {
    super();
    this.setMaxListeners(100);
    this.bot = { openId: o.botOpenId ?? `ou_bot${randomBytes(8).toString('hex')}`, name: '清风' };
    this.tenantKey = o.tenantKey ?? 'tenant_sandbox';
    this.world = new World(this);
    const limits = new RateLimits(this);
    this.windows = limits.windows;
    this.longConnection = new LongConnection(this, () => this.port);
    this.events = new Events(this, this.world, this.longConnection);
    this.people = new People(this, this.world, this.events);
    this.clicks = new Clicks(this, this.world, this.events, this.callbackTokens);
    this.messagesApi = new MessagesApi(this, this.world, limits, this.callbackTokens);
    const files = new FilesApi(this, this.world, limits, this.tokens);
    const routes = openApiRoutes({
      messages: this.messagesApi,
      chats: new ChatsApi(this, limits),
      files,
      send: (receiveIdType, body) => this.apiSend(receiveIdType, body),
    });
    const http = new HttpFront(this, {
      longConnection: this.longConnection,
      faults: this.faults,
      files,
      routes,
      tokens: this.tokens,
    });
    this.server = createServer((req, res) => {
      http.handle(req, res).catch((err) => {
        sendJson(res, 500, { code: 500, msg: String(err) });
      });
    });
    this.server.on('upgrade', (req, socket, head) => this.longConnection.handleUpgrade(req, socket, head));
  }

  get url(): string {
    return `http://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  get connectionCount(): number {
    return this.longConnection.connectionCount;
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
    this.longConnection.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ world

  addUser(name: string, o: { openId?: string } = {}): EmuUser {
    return this.world.addUser(name, o);
  }

  /** A group chat; the bot is in it unless `withBot` is false (add it later with `addBotToChat`). */
  createGroup(o: { name: string; owner: string; members: string[]; withBot?: boolean; chatId?: string }): EmuChat {
    return this.world.createGroup(o);
  }

  /** The private chat between a user and the bot (created on first use). */
  p2pChat(openId: string): EmuChat {
    return this.world.p2pChat(openId);
  }

  /** Adds the bot to a group and tells it (`im.chat.member.bot.added_v1`). */
  addBotToChat(chatId: string, operator: string): Promise<void> {
    return this.people.addBotToChat(chatId, operator);
  }

  removeBotFromChat(chatId: string): void {
    this.world.removeBotFromChat(chatId);
  }

  /** Adds people to a group and tells the bot (`im.chat.member.user.added_v1`) when it is there. */
  addUsersToChat(chatId: string, openIds: string[], operator?: string): Promise<void> {
    return this.people.addUsersToChat(chatId, openIds, operator);
  }

  /**
   * Removes people from a group (or they leave it) and tells the bot (`im.chat.member.user.deleted_v1`)
   * when it is there. `missed`: Feishu never delivers the event (the bot's reconciliation must notice).
   */
  removeUsersFromChat(
    chatId: string,
    openIds: string[],
    o: { operator?: string; missed?: boolean } = {},
  ): Promise<void> {
    return this.people.removeUsersFromChat(chatId, openIds, o);
  }

  /**
   * A user sends a text. `@{ou_…}` in the text mentions that person; `mentionBot` puts @清风 first.
   * Resolves when the bot acknowledged the event (or at once when the bot would not hear it).
   */
  sendText(o: { chatId: string; from: string; text: string; mentionBot?: boolean }): Promise<EmuMessage> {
    return this.people.sendText(o);
  }

  /**
   * A user sends a rich-text (post) message, as typed in the client's rich-text editor: each line a
   * paragraph, `@{ou_…}` an `at` element, `mentionBot` an @清风 first. The event's content has the
   * shape of 接收消息内容结构 (no language key; `at` elements carry the `@_user_N` key of `mentions`).
   */
  sendPost(o: PostOptions): Promise<EmuMessage> {
    return this.people.sendPost(o);
  }

  /** A user sends a file (an .xlsx to import, say). */
  sendFile(o: { chatId: string; from: string; fileName: string; bytes: Buffer }): Promise<EmuMessage> {
    return this.people.sendFile(o);
  }

  /**
   * A user presses a button (or submits a form) on a card. `value` is the button's callback value;
   * `formValue` the form's fields. Resolves with the bot's answer, which is applied to the card.
   * The client's rules apply (only what the card shows, enabled; required form fields filled) unless
   * `bypassClient`.
   */
  async click(o: ClickOptions): Promise<CallbackResult> {
    const result = await this.clicks.click(o);
    // What the person typed or picked, and the toast they saw (test/helpers/plain-chinese.ts reads both).
    this.emit('clicked', o, result);
    return result;
  }

  // ------------------------------------------------------------------ persistence (sandbox)

  /** Everything the world holds, as JSON-safe data (files base64). */
  snapshot(): EmulatorSnapshot {
    return this.world.snapshot();
  }

  restore(s: EmulatorSnapshot): void {
    this.world.restore(s);
  }

  // ------------------------------------------------------------------ faults

  /** The next matching Open API calls fail as described. */
  failNext(f: Fault): void {
    this.faults.failNext(f);
  }

  clearFaults(): void {
    this.faults.clearFaults();
  }

  /**
   * Matching Open API calls (`path` a substring, as for faults) are answered normally but only after
   * `delayMs`, for the next `times` calls (default: until cleared) — a slow Feishu, to make a
   * command outlast the 3 s ack window on purpose.
   */
  slowDown(o: { method?: string; path?: string; delayMs: number; times?: number }): void {
    this.faults.slowDown(o);
  }

  clearSlowDowns(): void {
    this.faults.clearSlowDowns();
  }

  /** Invalidates every tenant token (99991663 until the bot fetches a new one). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Stops answering pings (a half-open connection). */
  setPongs(on: boolean): void {
    this.longConnection.setPongs(on);
  }

  /** Refuses (or accepts again) new long connections. */
  setAcceptConnections(on: boolean): void {
    this.longConnection.setAcceptConnections(on);
  }

  /** Drops every long connection, as the server side of a network failure. */
  dropConnections(): void {
    this.longConnection.dropConnections();
  }

  // ------------------------------------------------------------------ helpers

  requireUser(openId: string): EmuUser {
    return this.world.requireUser(openId);
  }

  requireChat(chatId: string): EmuChat {
    return this.world.requireChat(chatId);
  }

  requireMessage(messageId: string): EmuMessage {
    return this.world.requireMessage(messageId);
  }

  /** Messages the bot sent into a chat (replies included), oldest first. */
  botMessages(chatId: string): EmuMessage[] {
    return this.world.botMessages(chatId);
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

  /**
   * Sends an event (or card callback) to the bot over the configured transport and waits for its
   * answer. Events not acknowledged in time are sent again; card callbacks never are.
   */
  deliverEvent(eventType: string, event: Record<string, unknown>, o: { card?: boolean } = {}): Promise<Ack> {
    return this.events.deliver(eventType, event, o);
  }

  /** `POST /im/v1/messages`, kept a method of the facade: the outbound benchmark wraps it to time each send. */
  private apiSend(receiveIdType: string, b: Record<string, unknown>): Record<string, unknown> {
    return this.messagesApi.send(receiveIdType, b);
  }
}
