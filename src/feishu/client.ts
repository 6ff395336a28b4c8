/**
 * The one place that talks to Feishu's Open API: the SDK client with a token cache we can
 * invalidate (the SDK never drops a revoked token by itself), a logger that never prints tokens or
 * message bodies, the directory lookups, and the calls the outbox dispatcher makes.
 */
import type { FeishuDirectory, Logger } from '../core/contracts.ts';
import { TransientError, UserError } from '../core/errors.ts';
import { classifyFailure, FeishuCodeError, UrgentRefusedError } from './errors.ts';
import { sdk } from './sdk.ts';

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Directory reads are made while a command runs, before its answer: a refused one (429, 5xx, a
 * network error) is tried again within this much time — the ack budget is 2 s — and then the
 * command is postponed (TransientError), never answered "出错了".
 */
export const READ_RETRY_BUDGET_MS = 1500;
const READ_FIRST_DELAY_MS = 100;

export interface ReadRetryOptions {
  budgetMs?: number;
  firstDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Whether a failed read may succeed if tried again: rate limits, 5xx, and network errors of the HTTP client. */
function retryableRead(err: unknown): ReturnType<typeof classifyFailure> | undefined {
  if (err instanceof UserError) return undefined;
  const isHttpClientError = (err as { isAxiosError?: boolean } | null)?.isAxiosError === true;
  if (!(err instanceof FeishuCodeError) && !isHttpClientError) return undefined;
  const f = classifyFailure(err);
  return f.cls === 'rate_limited' || f.cls === 'transient' ? f : undefined;
}

/**
 * Runs a read, trying it again on a retryable failure with short backoff (or Feishu's
 * x-ogw-ratelimit-reset when it fits) while the budget lasts; a failure that outlasts the budget
 * becomes a TransientError, so the event is postponed. Other failures pass through unchanged.
 */
export async function retryRead<T>(what: string, fn: () => Promise<T>, o: ReadRetryOptions = {}): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (o.budgetMs ?? READ_RETRY_BUDGET_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const f = retryableRead(err);
      if (!f) throw err;
      const backoff = (o.firstDelayMs ?? READ_FIRST_DELAY_MS) * 2 ** attempt * (0.75 + Math.random() * 0.5);
      const wait = f.retryAfterMs !== undefined ? Math.max(f.retryAfterMs, 50) : backoff;
      if (now() + wait > deadline) {
        throw new TransientError(`Feishu ${what} failed after ${attempt + 1} tries: ${f.summary}`, { cause: err });
      }
      await sleep(wait);
    }
  }
}

/** The SDK's cache interface, ours so a revoked tenant token can be dropped (docs/feishu-platform.md §1.3). */
// biome-ignore-start lint/complexity/noBannedTypes: the SDK types its cache keys as `Symbol`
export class TokenCache {
  private readonly values = new Map<unknown, { value: unknown; expiresAt: number | undefined }>();
  constructor(private readonly now: () => number) {}
  async get(key: string | symbol | Symbol, options?: { namespace?: string }): Promise<unknown> {
    const v = this.values.get(`${options?.namespace ?? ''}/${String(key)}`);
    if (!v) return undefined;
    if (v.expiresAt !== undefined && v.expiresAt <= this.now()) return undefined;
    return v.value;
  }
  async set(
    key: string | symbol | Symbol,
    value: unknown,
    expire?: number,
    options?: { namespace?: string },
  ): Promise<boolean> {
    this.values.set(`${options?.namespace ?? ''}/${String(key)}`, { value, expiresAt: expire });
    return true;
  }
  clear(): void {
    this.values.clear();
  }
}
// biome-ignore-end lint/complexity/noBannedTypes: the SDK types its cache keys as `Symbol`

const SECRETISH = /\b(t|u|c)-[A-Za-z0-9._-]{6,}/g;

/** Compresses whatever the SDK logs into a short line without tokens, headers or bodies. */
export function describeSdkLog(args: unknown[]): string {
  const parts: string[] = [];
  for (const a of args) {
    if (typeof a === 'string') parts.push(a);
    else if (a instanceof Error) parts.push(a.message);
    else if (Array.isArray(a)) parts.push(describeSdkLog(a));
    else if (a && typeof a === 'object') {
      const o = a as Record<string, unknown>;
      if (typeof o.code === 'number' || typeof o.msg === 'string')
        parts.push(`code=${String(o.code)} msg=${String(o.msg)}`);
      else if (typeof o.message === 'string') parts.push(o.message);
    }
  }
  return parts.join(' ').replace(SECRETISH, '$1-***').slice(0, 300);
}

export function sdkLogger(logger: Logger) {
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (...msg: unknown[]) => {
      // The SDK's debug/trace lines print whole event payloads: never forward them.
      if (level === 'debug') return;
      logger[level]({ sdk: true }, describeSdkLog(msg));
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('debug') };
}

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  domain: string;
  logger: Logger;
  /** Wall clock for token expiry (not business time). */
  now: () => number;
}

export interface SentMessage {
  messageId: string;
}

/** Unwraps `{ code, msg, data }`: a non-zero code inside a 2xx answer becomes a FeishuCodeError. */
function ok<T>(res: { code?: number; msg?: string; data?: T } | undefined): T {
  if (!res) throw new FeishuCodeError(-1, 'empty response');
  if (res.code !== undefined && res.code !== 0) throw new FeishuCodeError(res.code, res.msg ?? '');
  return res.data as T;
}

export function createFeishuClient(o: FeishuClientOptions) {
  const cache = new TokenCache(o.now);
  // The SDK sets no request timeout: a call that never returns would hold its outbox lane (and a
  // directory lookup its command) for ever. An upload of the largest file still fits in a minute.
  sdk.defaultHttpInstance.defaults.timeout = REQUEST_TIMEOUT_MS;
  const client = new sdk.Client({
    appId: o.appId,
    appSecret: o.appSecret,
    domain: o.domain,
    cache,
    logger: sdkLogger(o.logger),
    loggerLevel: sdk.LoggerLevel.warn,
  });

  /** Directory reads refresh a revoked token once, as the dispatcher does for sends. */
  const withToken = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (classifyFailure(err).cls !== 'token') throw err;
      cache.clear();
      return fn();
    }
  };

  const reads = {
    async getChat(chatId: string) {
      const data = ok(
        await client.im.v1.chat.get({ path: { chat_id: chatId }, params: { user_id_type: 'open_id' } }),
      ) as { name?: string; owner_id?: string; owner_id_type?: string } | undefined;
      if (!data) return undefined;
      return { chatId, name: data.name ?? '', ownerOpenId: data.owner_id || undefined };
    },
    /** Every member (bots excluded by Feishu), page by page (≤ 100 each); a member listed twice counts once. */
    async listChatMembers(chatId: string) {
      const byId = new Map<string, { openId: string; name: string }>();
      let pageToken: string | undefined;
      // Up to 60,000 members, above the largest Feishu group.
      for (let page = 0; page < 600; page++) {
        const data = ok(
          await client.im.v1.chatMembers.get({
            path: { chat_id: chatId },
            params: { member_id_type: 'open_id', page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
          }),
        ) as { items?: { member_id?: string; name?: string }[]; has_more?: boolean; page_token?: string };
        for (const it of data?.items ?? []) {
          if (it.member_id) byId.set(it.member_id, { openId: it.member_id, name: it.name ?? '' });
        }
        if (!data?.has_more || !data.page_token) break;
        pageToken = data.page_token;
      }
      return [...byId.values()];
    },
    async getUserName(openId: string) {
      const data = ok(
        await client.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
      ) as { user?: { name?: string } } | undefined;
      return data?.user?.name;
    },
  };

  const directory: FeishuDirectory = {
    /** Downloads a file a user sent, stopping at `maxBytes`. */
    downloadFile: (messageId, fileKey, maxBytes) =>
      retryRead('file download', async () => {
        const res = await withToken(() =>
          client.im.v1.messageResource.get({
            path: { message_id: messageId, file_key: fileKey },
            params: { type: 'file' },
          }),
        );
        const chunks: Buffer[] = [];
        let size = 0;
        const stream = res.getReadableStream();
        for await (const c of stream) {
          size += (c as Uint8Array).length;
          if (size > maxBytes) {
            stream.destroy();
            throw new UserError('too_large', `文件超过 ${Math.round(maxBytes / 1048576)} MB，请拆分后再发送。`);
          }
          chunks.push(Buffer.from(c as Uint8Array));
        }
        return Buffer.concat(chunks);
      }),
    // Each read is retried within the ack budget (retryRead); a revoked token is refreshed once.
    getChat: (chatId) => retryRead('chat lookup', () => withToken(() => reads.getChat(chatId))),
    listChatMembers: (chatId) => retryRead('chat member list', () => withToken(() => reads.listChatMembers(chatId))),
    getUserName: (openId) => retryRead('user lookup', () => withToken(() => reads.getUserName(openId))),
  };

  return {
    client,
    directory,
    /** Drops the cached tenant token so the next call fetches a fresh one. */
    invalidateToken: () => cache.clear(),

    async botOpenId(): Promise<string | undefined> {
      const res = (await client.request({ url: '/open-apis/bot/v3/info', method: 'GET' })) as {
        code?: number;
        bot?: { open_id?: string };
      };
      return res?.bot?.open_id;
    },

    async send(
      receiveIdType: 'chat_id' | 'open_id',
      receiveId: string,
      msgType: string,
      content: string,
      uuid: string,
    ) {
      const data = ok(
        await client.im.v1.message.create({
          params: { receive_id_type: receiveIdType },
          data: { receive_id: receiveId, msg_type: msgType, content, uuid },
        }),
      );
      return { messageId: data?.message_id ?? '' } satisfies SentMessage;
    },

    async reply(messageId: string, msgType: string, content: string, uuid: string) {
      const data = ok(
        await client.im.v1.message.reply({
          path: { message_id: messageId },
          data: { msg_type: msgType, content, uuid },
        }),
      );
      return { messageId: data?.message_id ?? '' } satisfies SentMessage;
    },

    async patch(messageId: string, content: string) {
      ok(await client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }));
      return { messageId } satisfies SentMessage;
    },

    /** Uploads a file (≤ 30 MB) and returns its file_key. */
    async uploadFile(fileType: string, fileName: string, bytes: Buffer): Promise<string> {
      const res = (await client.im.v1.file.create({
        data: { file_type: fileType as 'stream', file_name: fileName, file: bytes },
      })) as { file_key?: string } | null;
      if (!res?.file_key) throw new FeishuCodeError(-1, 'upload answered without a file_key');
      return res.file_key;
    },

    /** Downloads a file a user sent in a message. */
    async downloadResource(messageId: string, fileKey: string): Promise<Buffer> {
      const res = await withToken(() =>
        client.im.v1.messageResource.get({
          path: { message_id: messageId, file_key: fileKey },
          params: { type: 'file' },
        }),
      );
      const chunks: Buffer[] = [];
      for await (const c of res.getReadableStream()) chunks.push(Buffer.from(c as Uint8Array));
      return Buffer.concat(chunks);
    },

    async urgent(kind: 'app' | 'sms' | 'phone', messageId: string, openIds: string[]) {
      const payload = {
        path: { message_id: messageId },
        params: { user_id_type: 'open_id' as const },
        data: { user_id_list: openIds },
      };
      const res =
        kind === 'app'
          ? await client.im.v1.message.urgentApp(payload)
          : kind === 'sms'
            ? await client.im.v1.message.urgentSms(payload)
            : await client.im.v1.message.urgentPhone(payload);
      // feishu (docs/feishu-platform.md §7): code 0 does not mean buzzed — people it could not buzz come back in invalid_user_id_list
      const data = ok(res) as { invalid_user_id_list?: string[] } | undefined;
      const refused = (data?.invalid_user_id_list ?? []).filter((id) => openIds.includes(id));
      if (refused.length > 0) throw new UrgentRefusedError(refused);
      return { messageId } satisfies SentMessage;
    },
  };
}

export type FeishuClient = ReturnType<typeof createFeishuClient>;
