/**
 * Files through the Open API: uploads (multipart, 10 MB images, 30 MB files) and the download of a
 * file in a message, which the SDK reads as a stream and which is answered outside the JSON routes.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseMultipart } from '../multipart.ts';
import { newId } from '../store.ts';
import { sendJson } from './http.ts';
import type { RateLimits } from './rate-limits.ts';
import { ApiError, type Core } from './types.ts';
import type { World } from './world.ts';

export class FilesApi {
  constructor(
    private readonly core: Core,
    private readonly world: World,
    private readonly limits: RateLimits,
    /** Tenant tokens and their expiry (wall-clock ms). */
    private readonly tokens: Map<string, number>,
  ) {}

  async upload(kind: 'file' | 'image', body: Buffer, contentType: string): Promise<Record<string, unknown>> {
    this.limits.check(this.limits.app());
    const parts = await parseMultipart(body, contentType);
    const file = parts.find((p) => p.name === (kind === 'image' ? 'image' : 'file'));
    if (!file || file.data.length === 0) throw new ApiError(400, 234001, 'file is empty');
    if (file.data.length > (kind === 'image' ? 10 : 30) * 1024 * 1024)
      throw new ApiError(400, 234006, 'file too large');
    const name = parts.find((p) => p.name === 'file_name')?.data.toString('utf8') ?? file.filename ?? 'file';
    const type = parts.find((p) => p.name === 'file_type')?.data.toString('utf8') ?? kind;
    const key = newId(kind === 'image' ? 'img_v3_' : 'file_v3_', 12);
    this.core.store.files.set(key, {
      key,
      name,
      type,
      bytes: file.data,
      owner: 'bot',
      createdAt: this.core.o.clock.now().toISOString(),
    });
    return { code: 0, msg: 'ok', data: kind === 'image' ? { image_key: key } : { file_key: key } };
  }

  /** The binary download of a file in a message (the SDK reads it as a stream). */
  download(req: IncomingMessage, res: ServerResponse, messageId: string, fileKey: string): void {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const exp = this.tokens.get(token);
    const msg = this.core.store.messages.get(messageId);
    const file = this.core.store.files.get(fileKey);
    const fail = (status: number, code: number, msg2: string) => {
      this.core.store.logCall({
        at: this.core.o.wallClock.now().toISOString(),
        method: 'GET',
        path: `/open-apis/im/v1/messages/${messageId}/resources`,
        status,
        code,
      });
      sendJson(res, status, { code, msg: msg2 });
    };
    if (exp === undefined || exp < this.core.o.wallClock.now().getTime()) {
      fail(400, 99991663, 'Invalid access token');
      return;
    }
    if (!msg || !file || !msg.content.includes(fileKey)) {
      fail(400, 234003, 'file not found in message');
      return;
    }
    if (!this.world.requireChat(msg.chatId).botIn) {
      fail(400, 230002, 'Bot/User can NOT be out of the chat.');
      return;
    }
    this.core.store.logCall({
      at: this.core.o.wallClock.now().toISOString(),
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
}
