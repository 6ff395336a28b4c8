/**
 * The Open API the emulator serves, as a route table: method and path pattern → handler. A call no
 * route matches is recorded in `store.unexpected` and answered 404 (tests fail on it).
 */

import type { IncomingMessage } from 'node:http';
import type { EmuStore } from '../store.ts';
import type { ChatsApi } from './openapi-chats.ts';
import type { FilesApi } from './openapi-files.ts';
import type { MessagesApi } from './openapi-messages.ts';
import { ApiError } from './types.ts';

/** An authorized Open API call. */
export interface ApiRequest {
  method: string;
  url: URL;
  body: Buffer;
  headers: IncomingMessage['headers'];
}

type Answer = Record<string, unknown>;

export interface Route {
  method: string;
  /** Matched against the whole path; its groups are the handler's `params`. */
  path: RegExp;
  handle(req: ApiRequest, params: string[]): Answer | Promise<Answer>;
}

export interface OpenApiHandlers {
  messages: MessagesApi;
  chats: ChatsApi;
  files: FilesApi;
  /** `POST /im/v1/messages` (through the facade, where the outbound benchmark wraps it). */
  send(receiveIdType: string, body: Record<string, unknown>): Answer;
}

/** A request's JSON body; a body that is not JSON is refused as Feishu does (230001). */
export function jsonBody(r: ApiRequest): Record<string, unknown> {
  try {
    return JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 230001, 'invalid request body');
  }
}

export function openApiRoutes(h: OpenApiHandlers): Route[] {
  const { messages, chats, files } = h;
  const contentType = (r: ApiRequest) => String(r.headers['content-type'] ?? '');
  return [
    { method: 'GET', path: /^\/open-apis\/bot\/v3\/info$/, handle: () => chats.botInfo() },
    {
      method: 'POST',
      path: /^\/open-apis\/im\/v1\/messages$/,
      handle: (r) => h.send(r.url.searchParams.get('receive_id_type') ?? '', jsonBody(r)),
    },
    {
      method: 'POST',
      path: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/,
      handle: (r, [id = '']) => messages.reply(id, jsonBody(r)),
    },
    {
      method: 'PATCH',
      path: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_(app|sms|phone)$/,
      handle: (r, [id = '', kind]) => messages.urgent(id, kind as 'app' | 'sms' | 'phone', jsonBody(r)),
    },
    {
      method: 'PATCH',
      path: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/,
      handle: (r, [id = '']) => messages.patch(id, jsonBody(r)),
    },
    {
      method: 'DELETE',
      path: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/,
      handle: (_r, [id = '']) => messages.recall(id),
    },
    { method: 'GET', path: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, handle: (_r, [id = '']) => messages.get(id) },
    {
      method: 'POST',
      path: /^\/open-apis\/interactive\/v1\/card\/update$/,
      handle: (r) => messages.delayedUpdate(jsonBody(r)),
    },
    {
      method: 'GET',
      path: /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/,
      handle: (r, [id = '']) => chats.members(id, r.url.searchParams),
    },
    { method: 'GET', path: /^\/open-apis\/im\/v1\/chats\/([^/]+)$/, handle: (_r, [id = '']) => chats.chat(id) },
    { method: 'GET', path: /^\/open-apis\/contact\/v3\/users\/([^/]+)$/, handle: (_r, [id = '']) => chats.user(id) },
    {
      method: 'POST',
      path: /^\/open-apis\/im\/v1\/files$/,
      handle: (r) => files.upload('file', r.body, contentType(r)),
    },
    {
      method: 'POST',
      path: /^\/open-apis\/im\/v1\/images$/,
      handle: (r) => files.upload('image', r.body, contentType(r)),
    },
  ];
}

/** Answers a call with the first route matching its method and path. */
export async function dispatch(routes: Route[], store: EmuStore, r: ApiRequest): Promise<Answer> {
  const path = r.url.pathname;
  for (const route of routes) {
    if (route.method !== r.method) continue;
    const m = route.path.exec(path);
    if (m) return await route.handle(r, m.slice(1));
  }
  store.unexpected.push(`${r.method} ${path}`);
  throw new ApiError(404, 404, `the emulator does not serve ${r.method} ${path}`);
}
