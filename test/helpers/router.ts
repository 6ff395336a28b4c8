/**
 * The fast layer's harness: the real router — commands, access rules, repositories, the outbox writer —
 * and the real job runner on a fresh test database, with no transport: no emulator, no HTTP, no
 * long connection, no dispatcher. Events go straight into the router as the ingress would hand them
 * over; what the bot would send is read back from the outbox rows it wrote. Chats and people live in
 * a small in-memory directory (the Feishu reads of /绑定 and the member sync). A behaviour test here
 * takes milliseconds; what the transport adds (acks, redelivery, rate limits, retries) stays with the
 * end-to-end tests on the emulator.
 */

import { randomBytes } from 'node:crypto';
import { commands as allCommands } from '../../commands/index.ts';
import { jobs as allJobs } from '../../jobs/index.ts';
import { systemClock } from '../../src/clock.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { CommandModule, FeishuDirectory, JobModule, RuntimeSettings } from '../../src/core/contracts.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { conversation, endMembership } from '../../src/features/index.ts';
import type { InboundMessage } from '../../src/feishu/events.ts';
import { CommandRegistry } from '../../src/router/registry.ts';
import { Router } from '../../src/router/router.ts';
import { type JobResult, runJob } from '../../src/scheduler/runner.ts';
import { createTestDb, type TestDb } from './db.ts';
import { type CapturedLogs, captureLogs } from './logs.ts';

export const ROUTER_BOT = { openId: 'ou_qingfeng_bot', name: '清风' } as const;

export interface Person {
  openId: string;
  name: string;
}

export interface Chat {
  chatId: string;
  type: 'group' | 'p2p';
  name: string;
  owner: string | undefined;
  members: string[];
}

/** One message the bot would send, as its outbox row says. */
export interface Outgoing {
  id: number;
  kind: string;
  /** chat_id / open_id of a send; message_id of a reply, a patch or an urgent. */
  target: { type: string; id: string | null };
  msgType: string | null;
  /** The text of a text message. */
  text?: string;
  /** The card of an interactive message or a patch. */
  card?: Record<string, unknown>;
  status: string;
}

export interface RouterHarness {
  db: TestDb;
  router: Router;
  clock: Clock;
  logs: CapturedLogs;
  addUser(name: string): Person;
  createGroup(o: { name: string; owner: Person; members?: Person[] }): Chat;
  /** The private chat of a person with the bot. */
  p2p(who: Person): Chat;
  /**
   * `from` says `text` in `chat` (@-mentioning the bot in a group, as `mention` says; `@{ou_…}` mentions
   * that person); resolves with the message and what the bot queued because of it.
   */
  say(chat: Chat, from: Person, text: string, o?: { mention?: boolean; eventId?: string }): Promise<Said>;
  /** Delivers the same message event again (Feishu's at-least-once delivery). */
  redeliver(said: Said): Promise<Outgoing[]>;
  /** Runs a job as of `now`; resolves with its result and what it queued. */
  runJob(name: string, now: Date): Promise<{ result: JobResult; out: Outgoing[] }>;
  /** Every row the bot queued so far, oldest first. */
  outbox(): Promise<Outgoing[]>;
  stop(): Promise<void>;
}

export interface Said {
  message: InboundMessage;
  /** What the bot queued while handling it. */
  out: Outgoing[];
  /** The reply to the message, when there is exactly one. */
  reply: Outgoing | undefined;
}

function decode(row: {
  id: number;
  kind: string;
  target_type: string;
  target_id: string | null;
  msg_type: string | null;
  payload: string;
  status: string;
}): Outgoing {
  const out: Outgoing = {
    id: row.id,
    kind: row.kind,
    target: { type: row.target_type, id: row.target_id },
    msgType: row.msg_type,
    status: row.status,
  };
  const payload = JSON.parse(row.payload) as { content?: string };
  if (typeof payload.content === 'string') {
    const content = JSON.parse(payload.content) as Record<string, unknown>;
    if (row.msg_type === 'text') out.text = String(content.text ?? '');
    else out.card = content;
  }
  return out;
}

export async function startRouter(
  o: { clock?: Clock; botAdmins?: string[]; commands?: readonly CommandModule[]; jobs?: readonly JobModule[] } = {},
): Promise<RouterHarness> {
  const db = await createTestDb();
  const logs = captureLogs();
  const clock = o.clock ?? systemClock;
  const users = new Map<string, Person>();
  const chats = new Map<string, Chat>();
  const settings: RuntimeSettings = { timezone: 'Asia/Shanghai', botAdmins: o.botAdmins ?? [] };
  const directory: FeishuDirectory = {
    async getChat(chatId) {
      const c = chats.get(chatId);
      return c && { chatId, name: c.name, ownerOpenId: c.owner };
    },
    async listChatMembers(chatId) {
      return (chats.get(chatId)?.members ?? []).map((id) => ({ openId: id, name: users.get(id)?.name ?? '' }));
    },
    async getUserName(openId) {
      return users.get(openId)?.name;
    },
    async downloadFile() {
      throw new Error('files are not served by the router harness: test them end to end');
    },
  };
  const calendar = async () => new WorkCalendar(await listHolidayOverrides(db.db));
  const router = new Router({
    db: db.db,
    registry: new CommandRegistry(o.commands ?? allCommands),
    clock,
    wallClock: clock,
    settings,
    logger: logs.logger,
    directory,
    calendar,
    botOpenId: () => ROUTER_BOT.openId,
    afterCommit: () => undefined,
    endMembership,
    conversation,
  });
  const jobList = o.jobs ?? allJobs;
  const id = (prefix: string) => `${prefix}${randomBytes(8).toString('hex')}`;

  let seen = 0;
  const outbox = async () =>
    (await db.db.selectFrom('outbox').selectAll().orderBy('id').execute()).map((r) => decode(r as never));
  /** Rows queued since the last call. */
  const fresh = async () => {
    const rows = (await outbox()).filter((r) => r.id > seen);
    seen = Math.max(seen, ...rows.map((r) => r.id));
    return rows;
  };

  return {
    db,
    router,
    clock,
    logs,
    addUser(name) {
      const p = { openId: id('ou_'), name };
      users.set(p.openId, p);
      return p;
    },
    createGroup(g) {
      const chat: Chat = {
        chatId: id('oc_'),
        type: 'group',
        name: g.name,
        owner: g.owner.openId,
        members: [g.owner, ...(g.members ?? [])].map((m) => m.openId),
      };
      chats.set(chat.chatId, chat);
      return chat;
    },
    p2p(who) {
      const chatId = `oc_p2p_${who.openId.slice(3)}`;
      const chat = chats.get(chatId) ?? { chatId, type: 'p2p', name: '', owner: undefined, members: [who.openId] };
      chats.set(chatId, chat);
      return chat;
    },
    async say(chat, from, text, so = {}) {
      // As the emulator does: `@{ou_…}` in the text mentions that person; the bot first in a group.
      const mentions: InboundMessage['mentions'] = [];
      const mention = (openId: string, name: string) => {
        const key = `@_user_${mentions.length + 1}`;
        mentions.push({ key, openId, name });
        return key;
      };
      let body = (so.mention ?? chat.type === 'group') ? `${mention(ROUTER_BOT.openId, ROUTER_BOT.name)} ` : '';
      body += text.replace(/@\{(ou_[A-Za-z0-9_]+)\}/g, (m, openId: string) => {
        const u = users.get(openId);
        return u ? mention(openId, u.name) : m;
      });
      const message: InboundMessage = {
        eventId: so.eventId ?? id('ev_'),
        messageId: id('om_'),
        chatId: chat.chatId,
        chatType: chat.type,
        senderOpenId: from.openId,
        senderType: 'user',
        messageType: 'text',
        text: body,
        file: undefined,
        mentions,
      };
      await fresh();
      await router.onMessage(message);
      const out = await fresh();
      const replies = out.filter((r) => r.kind === 'reply' && r.target.id === message.messageId);
      return { message, out, reply: replies.length === 1 ? replies[0] : undefined };
    },
    async redeliver(said) {
      await fresh();
      await router.onMessage(said.message);
      return fresh();
    },
    async runJob(name, now) {
      const job = jobList.find((j) => j.name === name);
      if (!job) throw new Error(`no job named ${name}`);
      await fresh();
      const result = await runJob(
        job,
        {
          db: db.db,
          clock,
          wallClock: clock,
          settings,
          logger: logs.logger,
          calendar,
          afterCommit: () => undefined,
          directory,
        },
        now,
      );
      return { result, out: await fresh() };
    },
    outbox,
    stop: () => db.drop(),
  };
}
