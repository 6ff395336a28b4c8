/**
 * The emulator's HTTP front: the console's extra routes first, file downloads, the long-connection
 * endpoint, then the Open API (tenant tokens, authorization, slow routes and injected faults around
 * the route table), every call logged in the store and announced as `request` and `api` events.
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseMultipart } from '../multipart.ts';
import { API_BODY_MAX } from '../store.ts';
import type { Faults } from './faults.ts';
import type { LongConnection } from './long-connection.ts';
import type { FilesApi } from './openapi-files.ts';
import { type ApiRequest, dispatch, type Route } from './openapi-routes.ts';
import { ApiError, type Core, HOUR } from './types.ts';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

/**
 * A request body for the API log: JSON or text as sent (clipped, the app secret masked), an upload as
 * its form fields without the bytes.
 */
async function loggedBody(body: Buffer, contentType: string | undefined): Promise<string> {
  if ((contentType ?? '').startsWith('multipart/')) {
    try {
      const parts = await parseMultipart(body, contentType ?? '');
      return parts
        .map((p) =>
          p.name === 'file' || p.name === 'image'
            ? `${p.name}: （${p.data.length} 字节）`
            : `${p.name}: ${p.data.toString('utf8')}`,
        )
        .join('\n');
    } catch {
      return `（上传，${body.length} 字节）`;
    }
  }
  const text = body.toString('utf8').replace(/("app_secret"\s*:\s*")[^"]*"/g, '$1***"');
  return text.length > API_BODY_MAX ? `${text.slice(0, API_BODY_MAX)}…` : text;
}

export interface HttpParts {
  longConnection: LongConnection;
  faults: Faults;
  files: FilesApi;
  routes: Route[];
  /** Tenant tokens and their expiry (wall-clock ms). */
  tokens: Map<string, number>;
}

export class HttpFront {
  constructor(
    private readonly core: Core,
    private readonly parts: HttpParts,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { core, parts } = this;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    if (core.o.extraRoutes && (await core.o.extraRoutes(req, res, body))) return;
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(url.pathname);
    if (resource && req.method === 'GET') {
      await parts.faults.slowDownFor('GET', url.pathname);
      return parts.files.download(req, res, resource[1] as string, resource[2] as string);
    }
    if (url.pathname === '/callback/ws/endpoint' && req.method === 'POST') {
      return sendJson(res, 200, parts.longConnection.endpoint(body));
    }
    if (!url.pathname.startsWith('/open-apis/')) {
      sendJson(res, 404, { code: 404, msg: 'not found' });
      return;
    }
    let status = 200;
    let code = 0;
    let msg: string | undefined;
    // Read before the call, so the log has the call by the time its answer reaches the bot.
    const logged = body.length ? await loggedBody(body, req.headers['content-type']) : undefined;
    core.emit('request', { method: req.method, path: url.pathname });
    try {
      if (core.latencyMs > 0) await new Promise((r) => setTimeout(r, core.latencyMs));
      const data = await this.openApi({ method: req.method ?? 'GET', url, body, headers: req.headers });
      sendJson(res, 200, data);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status = err.status;
      code = err.code;
      msg = err.message;
      sendJson(
        res,
        err.status,
        { code: err.code, msg: err.message, error: { log_id: randomBytes(8).toString('hex') } },
        err.headers,
      );
    } finally {
      core.store.logCall({
        at: core.o.wallClock.now().toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname,
        status,
        code,
        ...(url.search ? { query: url.search.slice(1) } : {}),
        ...(logged !== undefined ? { body: logged } : {}),
        ...(msg ? { msg } : {}),
      });
      core.emit('api', { method: req.method, path: url.pathname, status });
    }
  }

  private async openApi(r: ApiRequest): Promise<Record<string, unknown>> {
    const { core, parts } = this;
    const { method } = r;
    const path = r.url.pathname;
    if (path === '/open-apis/auth/v3/tenant_access_token/internal' && method === 'POST') {
      const b = JSON.parse(r.body.toString('utf8') || '{}') as { app_id?: string; app_secret?: string };
      if (b.app_id !== core.o.appId || b.app_secret !== core.o.appSecret)
        throw new ApiError(400, 10014, 'app secret invalid');
      const token = `t-${randomBytes(16).toString('hex')}`;
      parts.tokens.set(token, core.o.wallClock.now().getTime() + 2 * HOUR);
      return { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 };
    }
    const auth = r.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token) throw new ApiError(400, 99991661, 'Missing access token for authorization');
    const exp = parts.tokens.get(token);
    if (exp === undefined || exp < core.o.wallClock.now().getTime()) {
      throw new ApiError(400, 99991663, 'Invalid access token for authorization');
    }
    await parts.faults.slowDownFor(method, path);
    const fault = parts.faults.take(method, path);
    if (fault && !fault.applyFirst) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      throw new ApiError(fault.status, fault.code, fault.msg ?? 'injected fault', fault.headers);
    }
    const result = await dispatch(parts.routes, core.store, r);
    if (fault?.applyFirst) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      throw new ApiError(fault.status, fault.code, fault.msg ?? 'injected fault', fault.headers);
    }
    return result;
  }
}
