/**
 * The sandbox's control API and web console, served by the emulator on loopback:
 *   GET  /                         the console (static files in ./console/)
 *   GET  /api/state                users, chats, bot, clock, jobs
 *   GET  /api/chats/:id/messages   messages of a chat (cards with their current JSON)
 *   POST /api/send                 { chatId, from, text, mentionBot? }   send a text as a user
 *   POST /api/click                { messageId, from, value, formValue?, name?, tag? } press a button / submit a form
 *   POST /api/p2p                  { openId }  the private chat of a user with the bot
 *   POST /api/members              { chatId, add?, remove? }  people join / leave a group (member events)
 *   POST /api/files                { chatId, from, fileName, base64 }  send a file as a user
 *   GET  /api/files/:key           download a file the bot sent
 *   POST /api/jobs/run             { name, now? }  run a job as of a time
 *   POST /api/clock                { advanceDays? | set? | reset? }  the sandbox clock
 *   GET  /api/log?since=N          the Open API calls the bot made: method, path, HTTP status, Feishu code
 *                                  and message, to whom (the chat's or person's name), the card's title
 *                                  or the text, and the request body
 *   GET  /healthz                  the bot's health, as in production (README "Configuration")
 *   GET  /api/events               server-sent events: message | chat | api | clock
 * No login: it listens on loopback only, and answers only the console itself: a request must name a
 * loopback Host with this port (a rebound DNS name is refused), and a POST must come from the same
 * origin (no `Origin`, or this one) with a JSON body (`content-type: application/json`), which a
 * cross-site form or `text/plain` fetch cannot send without the browser asking first. 403 otherwise.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { jobLabel, scheduleInWords } from '../cli/job-words.ts';
import type { OffsetClock } from '../clock.ts';
import type { JobResult } from '../scheduler/runner.ts';
import { type Emulator, EmulatorInputError } from './emulator.ts';
import type { ApiCall } from './store.ts';

export interface SandboxControl {
  emu: Emulator;
  clock: OffsetClock;
  jobs: readonly { name: string; summary: string; schedule?: string }[];
  runJob(name: string, now: Date): Promise<JobResult>;
  timezone: string;
  /** The bot's /healthz answer; undefined while it is still starting. */
  health?: () => Promise<Record<string, unknown> | undefined>;
}

/** A job as the console's clock panel shows it: a Chinese name and its schedule in words. */
export interface ConsoleJob {
  name: string;
  label: string;
  schedule: string;
  summary: string;
}

/** An Open API call as the console's log shows it. */
export interface ConsoleCall extends ApiCall {
  /** Whom the call was about: a chat's name, or a person's (单聊). */
  to?: string;
  /** What was sent: the card's title, a text's beginning, a file's name. */
  title?: string;
  msgType?: string;
}

const CONSOLE_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'console');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

class BadRequest extends Error {}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a request to the console or its API is refused, or undefined when it is the console's own:
 * the Host is loopback with this port, and a POST is same-origin with a JSON content type.
 */
export function foreignRequest(
  r: { method: string; host: string | undefined; origin: string | undefined; contentType: string | undefined },
  port: number,
): string | undefined {
  const host = (r.host ?? '').toLowerCase();
  // A browser leaves the port out of Host when it is 80.
  const m = /^(\[::1\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m || !LOOPBACK_HOSTS.has(m[1] as string) || Number(m[2] ?? 80) !== port) return 'host is not this console';
  if (r.method === 'GET' || r.method === 'HEAD') return undefined;
  if (r.origin !== undefined && r.origin.toLowerCase() !== `http://${host}`) return 'cross-origin request';
  const type = (r.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return 'content type must be application/json';
  return undefined;
}

function json(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
  return true;
}

function parse<T>(schema: z.ZodType<T>, body: Buffer): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new BadRequest('body is not JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BadRequest(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

export function controlRoutes(c: SandboxControl) {
  const { emu } = c;
  const clients = new Set<ServerResponse>();
  const broadcast = (event: string, data: unknown) => {
    const line = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(line);
  };
  emu.on('change', (e: { kind: string }) => broadcast(e.kind === 'chat' ? 'chat' : 'message', e));
  emu.on('api', (e) => broadcast('api', e));

  const userName = (openId: string) =>
    openId === emu.bot.openId ? emu.bot.name : (emu.store.users.get(openId)?.name ?? openId);

  /** A file message's name: the one the file was uploaded with (the bot's messages carry only the key). */
  const fileNameOf = (content: string): string | undefined => {
    try {
      const c = JSON.parse(content) as { file_key?: unknown; file_name?: unknown };
      const stored = typeof c.file_key === 'string' ? emu.store.files.get(c.file_key)?.name : undefined;
      return stored ?? (typeof c.file_name === 'string' ? c.file_name : undefined);
    } catch {
      return undefined;
    }
  };

  const state = () => ({
    bot: emu.bot,
    users: [...emu.store.users.values()].map((u) => ({ openId: u.openId, name: u.name })),
    chats: [...emu.store.chats.values()].map((ch) => ({
      chatId: ch.chatId,
      name: ch.type === 'p2p' ? `清风 · ${userName(ch.members[0] ?? '')}` : ch.name,
      type: ch.type,
      members: ch.members,
      ownerOpenId: ch.ownerOpenId,
      botIn: ch.botIn,
    })),
    clock: { now: c.clock.now().toISOString(), offsetMs: c.clock.offset, timezone: c.timezone },
    jobs: c.jobs.map(
      (j): ConsoleJob => ({
        name: j.name,
        label: jobLabel(j.name, j.summary),
        schedule: j.schedule ? scheduleInWords(j.schedule) : '',
        summary: j.summary,
      }),
    ),
  });

  const chatLabel = (chatId: string): string | undefined => {
    const ch = emu.store.chats.get(chatId);
    if (!ch) return undefined;
    return ch.type === 'p2p' ? `${userName(ch.members[0] ?? '')}（单聊）` : `${ch.name}（群聊）`;
  };

  /** The call with whom it was about and what it sent, read from its path and body. */
  const describeCall = (call: ApiCall): ConsoleCall => {
    const out: ConsoleCall = { ...call };
    let body: Record<string, unknown> = {};
    try {
      const parsed = call.body ? JSON.parse(call.body) : {};
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      /* clipped or not JSON */
    }
    const messageId = /\/messages\/(om_[^/]+)/.exec(call.path)?.[1];
    const chatId = /\/chats\/(oc_[^/]+)/.exec(call.path)?.[1];
    const receiveType = new URLSearchParams(call.query ?? '').get('receive_id_type');
    const receiveId = typeof body.receive_id === 'string' ? body.receive_id : undefined;
    if (messageId) {
      const msg = emu.store.messages.get(messageId);
      if (msg) out.to = chatLabel(msg.chatId);
    } else if (chatId) out.to = chatLabel(chatId);
    else if (receiveId && receiveType === 'chat_id') out.to = chatLabel(receiveId) ?? receiveId;
    else if (receiveId) {
      const user = receiveType === 'open_id' ? emu.store.users.get(receiveId) : undefined;
      out.to = user ? `${user.name}（单聊）` : receiveId;
    }
    const ids = Array.isArray(body.user_id_list) ? body.user_id_list.map(String) : [];
    if (ids.length) out.to = `${out.to ? `${out.to}：` : ''}${ids.map(userName).join('、')}`;
    if (typeof body.msg_type === 'string') out.msgType = body.msg_type;
    if (typeof body.content === 'string') {
      try {
        const content = JSON.parse(body.content) as Record<string, unknown>;
        const header = content.header as { title?: { content?: unknown } } | undefined;
        if (typeof header?.title?.content === 'string') out.title = header.title.content;
        else if (typeof content.text === 'string') out.title = [...content.text].slice(0, 60).join('');
        else if (typeof content.file_key === 'string')
          out.title = emu.store.files.get(content.file_key)?.name ?? content.file_key;
      } catch {
        /* not JSON */
      }
    }
    return out;
  };

  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      // As in production: 200 with the bot's health (503 while the bot is still starting).
      const health = c.health
        ? await c.health().catch((err) => ({ status: 'degraded', error: String(err) }))
        : undefined;
      return json(res, health ? 200 : 503, health ?? { status: 'starting' });
    }
    // The console's pages and API (the emulated Open API and callbacks, used by the bot, are not checked here).
    const own = path.startsWith('/api/') || (method === 'GET' && /^\/([a-z0-9-]+\.(html|js|css|svg|png))?$/.test(path));
    const refused = own
      ? foreignRequest(
          {
            method,
            host: req.headers.host,
            origin: req.headers.origin,
            contentType: req.headers['content-type'],
          },
          req.socket.localPort ?? 0,
        )
      : undefined;
    if (refused) return json(res, 403, { error: refused });
    try {
      if (
        method === 'GET' &&
        !path.startsWith('/api/') &&
        !path.startsWith('/open-apis/') &&
        !path.startsWith('/callback/')
      ) {
        const file = path === '/' ? 'index.html' : path.slice(1);
        if (!/^[a-z0-9-]+\.(html|js|css|svg|png)$/.test(file)) return false;
        try {
          const data = await readFile(join(CONSOLE_DIR, file));
          res.writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
            'content-security-policy':
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'",
          });
          res.end(data);
          return true;
        } catch {
          return false;
        }
      }
      if (!path.startsWith('/api/')) return false;

      if (method === 'GET' && path === '/api/state') return json(res, 200, state());
      let m: RegExpExecArray | null;
      if (method === 'GET' && (m = /^\/api\/chats\/([^/]+)\/messages$/.exec(path))) {
        const chatId = decodeURIComponent(m[1] as string);
        const messages = emu.store.messagesIn(chatId).map((msg) => ({
          messageId: msg.messageId,
          senderId: msg.senderId,
          senderName: userName(msg.senderId),
          senderType: msg.senderType,
          msgType: msg.msgType,
          content: msg.content,
          mentions: msg.mentions,
          parentId: msg.parentId,
          createdAt: msg.createdAt,
          updatedAt: msg.updatedAt,
          version: msg.version,
          recalled: msg.recalled,
          fileName: msg.msgType === 'file' || msg.msgType === 'media' ? fileNameOf(msg.content) : undefined,
          urgent: emu.store.urgents
            .filter((u) => u.messageId === msg.messageId)
            .map((u) => ({ kind: u.kind, to: u.openIds.map(userName) })),
        }));
        return json(res, 200, { messages });
      }
      if (method === 'POST' && path === '/api/send') {
        const b = parse(
          z.object({
            chatId: z.string(),
            from: z.string(),
            text: z.string().min(1).max(5000),
            mentionBot: z.boolean().optional(),
          }),
          body,
        );
        const msg = await emu.sendText(b);
        return json(res, 200, { messageId: msg.messageId });
      }
      if (method === 'POST' && path === '/api/click') {
        const b = parse(
          z.object({
            messageId: z.string(),
            from: z.string(),
            value: z.unknown(),
            formValue: z.record(z.string(), z.unknown()).optional(),
            name: z.string().optional(),
            tag: z.string().optional(),
            option: z.string().optional(),
            options: z.array(z.string()).optional(),
            inputValue: z.string().optional(),
            checked: z.boolean().optional(),
          }),
          body,
        );
        return json(res, 200, await emu.click(b));
      }
      if (method === 'POST' && path === '/api/members') {
        // People join or leave a group; the bot hears it as Feishu's member events.
        const b = parse(
          z.object({
            chatId: z.string(),
            add: z.array(z.string()).max(500).optional(),
            remove: z.array(z.string()).max(500).optional(),
          }),
          body,
        );
        if (b.add?.length) await emu.addUsersToChat(b.chatId, b.add);
        if (b.remove?.length) await emu.removeUsersFromChat(b.chatId, b.remove);
        return json(res, 200, { members: emu.requireChat(b.chatId).members });
      }
      if (method === 'POST' && path === '/api/p2p') {
        const b = parse(z.object({ openId: z.string() }), body);
        const chat = emu.p2pChat(b.openId);
        return json(res, 200, { chatId: chat.chatId });
      }
      if (method === 'POST' && path === '/api/files') {
        const b = parse(
          z.object({ chatId: z.string(), from: z.string(), fileName: z.string().min(1).max(200), base64: z.string() }),
          body,
        );
        const msg = await emu.sendFile({
          chatId: b.chatId,
          from: b.from,
          fileName: b.fileName,
          bytes: Buffer.from(b.base64, 'base64'),
        });
        return json(res, 200, { messageId: msg.messageId });
      }
      if (method === 'GET' && (m = /^\/api\/files\/([^/]+)$/.exec(path))) {
        const file = emu.store.files.get(decodeURIComponent(m[1] as string));
        if (!file) return json(res, 404, { error: 'no such file' });
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
          'x-content-type-options': 'nosniff',
        });
        res.end(file.bytes);
        return true;
      }
      if (method === 'POST' && path === '/api/jobs/run') {
        const b = parse(z.object({ name: z.string(), now: z.string().optional() }), body);
        const now = b.now ? new Date(b.now) : c.clock.now();
        if (Number.isNaN(now.getTime())) throw new BadRequest('now is not a date');
        if (!c.jobs.some((j) => j.name === b.name)) throw new BadRequest(`no job named ${b.name}`);
        const result = await c.runJob(b.name, now);
        return json(res, 200, result);
      }
      if (method === 'POST' && path === '/api/clock') {
        const b = parse(
          z.object({
            advanceDays: z.number().int().min(-366).max(366).optional(),
            set: z.string().optional(),
            reset: z.boolean().optional(),
          }),
          body,
        );
        if (b.reset) c.clock.reset();
        if (b.set) {
          const d = new Date(b.set);
          if (Number.isNaN(d.getTime())) throw new BadRequest('set is not a date');
          c.clock.set(d);
        }
        if (b.advanceDays) c.clock.advance(b.advanceDays * 86_400_000);
        broadcast('clock', state().clock);
        return json(res, 200, state().clock);
      }
      if (method === 'GET' && path === '/api/log') {
        const since = Number(url.searchParams.get('since') ?? 0);
        const calls = emu.store.apiLog.filter((x) => x.seq > since).slice(-500);
        return json(res, 200, { calls: calls.map(describeCall) });
      }
      if (method === 'GET' && path === '/api/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return true;
      }
      return json(res, 404, { error: 'not found' });
    } catch (err) {
      if (err instanceof BadRequest || err instanceof EmulatorInputError) return json(res, 400, { error: err.message });
      return json(res, 500, { error: err instanceof Error ? err.message : String(err) });
    }
  };
}
