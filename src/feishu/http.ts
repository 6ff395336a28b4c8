/**
 * The HTTP server: `GET /healthz` always; `POST /webhook/event` and `POST /webhook/card` in webhook
 * mode. Requests are checked before anything happens: size (413 over 1 MiB), JSON (400), signature
 * over the raw bytes with timestamp and nonce replay checks (401), decryption (400), the verification
 * token (401) and the app id, which must be present and this app's (401). `url_verification` is
 * answered, plain or encrypted. A storage fault while the event is recorded answers 503 (not
 * acknowledged), so Feishu sends it again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/contracts.ts';
import { isTransientStorageError } from '../db/errors.ts';
import { wrongApp } from './app-id.ts';
import { decryptPayload, safeEqual, signatureMatches } from './crypto.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Signed requests older or newer than this are refused (replay protection). */
const MAX_SKEW_MS = 5 * 60_000;

export interface WebhookOptions {
  encryptKey: string | undefined;
  verificationToken: string | undefined;
  appId: string | undefined;
  dispatcher: lark.EventDispatcher;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  wallClock: Clock;
  health: () => Promise<Record<string, unknown>>;
  /** Present in webhook mode only. */
  webhook: WebhookOptions | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, 'request body too large'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        // Stop collecting but keep reading, so the 413 can still be written; the connection closes after it.
        over = true;
        chunks.length = 0;
        reject(new HttpError(413, 'request body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Remembers nonces of signed requests for the skew window, so a captured request cannot be replayed. */
class NonceMemory {
  private readonly seen = new Map<string, number>();
  constructor(private readonly ttlMs: number) {}
  /** True the first time a nonce is offered. */
  offer(nonce: string, nowMs: number): boolean {
    // Oldest first (insertion order): drop expired entries from the front and stop at the first live
    // one. Scanning the whole map on every request once it held 10,000 nonces made each request cost
    // O(requests in the last 10 minutes) under sustained load (BENCHMARKS.md, ingest).
    for (const [k, t] of this.seen) {
      if (t >= nowMs - this.ttlMs) break;
      this.seen.delete(k);
    }
    const t = this.seen.get(nonce);
    if (t !== undefined && t >= nowMs - this.ttlMs) return false;
    this.seen.delete(nonce);
    this.seen.set(nonce, nowMs);
    return true;
  }
}

export class HttpServer {
  private readonly server: Server;
  private readonly nonces = new NonceMemory(2 * MAX_SKEW_MS);

  constructor(private readonly o: HttpServerOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (err instanceof HttpError) {
          this.o.logger.warn({ http: req.url, status: err.status, reason: err.message }, 'webhook request refused');
          send(res, err.status, { code: err.status, msg: err.message });
        } else if (isTransientStorageError(err)) {
          // A full disk, a held lock, a dropped database: not acknowledged, so Feishu sends the event again.
          this.o.logger.warn(
            { http: req.url, status: 503, err: err instanceof Error ? err.message : String(err) },
            'webhook request postponed: storage unavailable, waiting for redelivery',
          );
          send(res, 503, { code: 503, msg: 'storage unavailable, try again later' });
        } else {
          this.o.logger.error(
            { http: req.url, err: err instanceof Error ? err.stack : String(err) },
            'http handler failed',
          );
          send(res, 500, { code: 500, msg: 'internal error' });
        }
      });
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host ?? '0.0.0.0', () => {
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, await this.o.health());
    if (path === '/webhook/event' || path === '/webhook/card') {
      if (!this.o.webhook) throw new HttpError(404, 'webhook transport is not enabled (FEISHU_TRANSPORT=webhook)');
      if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
      return send(res, 200, await this.webhook(req, this.o.webhook));
    }
    throw new HttpError(404, 'not found');
  }

  private async webhook(req: IncomingMessage, w: WebhookOptions): Promise<unknown> {
    const raw = await readBody(req, MAX_BODY_BYTES);
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'malformed JSON');
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const sig = {
      timestamp: header('x-lark-request-timestamp'),
      nonce: header('x-lark-request-nonce'),
      signature: header('x-lark-signature'),
    };

    let plain: Record<string, unknown>;
    if (w.encryptKey) {
      if (typeof body.encrypt !== 'string') throw new HttpError(400, 'expected an encrypted body');
      const signed = sig.signature !== undefined;
      if (signed) this.checkSignature(sig, w.encryptKey, raw);
      try {
        plain = JSON.parse(decryptPayload(w.encryptKey, body.encrypt)) as Record<string, unknown>;
      } catch {
        throw new HttpError(400, 'cannot decrypt');
      }
      if (!plain || typeof plain !== 'object') throw new HttpError(400, 'cannot decrypt');
      // feishu: the url_verification POST is not signed (docs/feishu-platform.md §1.6); everything else must be.
      if (!signed && plain.type !== 'url_verification') throw new HttpError(401, 'missing signature');
    } else {
      if (typeof body.encrypt === 'string') throw new HttpError(400, 'encrypted body but no FEISHU_ENCRYPT_KEY set');
      plain = body;
    }

    const header2 = (plain.header ?? {}) as Record<string, unknown>;
    const token =
      typeof header2.token === 'string' ? header2.token : typeof plain.token === 'string' ? plain.token : undefined;
    if (w.verificationToken && !(token !== undefined && safeEqual(token, w.verificationToken))) {
      throw new HttpError(401, 'verification token mismatch');
    }
    if (plain.type === 'url_verification') {
      if (typeof plain.challenge !== 'string') throw new HttpError(400, 'missing challenge');
      return { challenge: plain.challenge };
    }
    // An event must name this app: one without an app_id, or with another app's, is refused.
    const notOurs = w.appId ? wrongApp(plain, w.appId) : undefined;
    if (notOurs) throw new HttpError(401, notOurs);
    const result = await w.dispatcher.invoke(plain, { needCheck: false });
    return typeof result === 'object' && result !== null ? result : {};
  }

  private checkSignature(
    sig: { timestamp: string | undefined; nonce: string | undefined; signature: string | undefined },
    encryptKey: string,
    raw: Buffer,
  ): void {
    if (!signatureMatches(sig, encryptKey, raw)) throw new HttpError(401, 'bad signature');
    const nowMs = this.o.wallClock.now().getTime();
    const ts = Number(sig.timestamp) * 1000;
    if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > MAX_SKEW_MS) throw new HttpError(401, 'stale timestamp');
    if (!this.nonces.offer(`${sig.timestamp}:${sig.nonce}`, nowMs)) throw new HttpError(401, 'replayed request');
  }
}
