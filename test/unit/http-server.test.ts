/**
 * The HTTP server and the long connection at their edges: a storage fault while an event is recorded
 * answers 503 (Feishu sends it again), any other fault 500; an event whose envelope names no app id
 * or another app's is refused over webhook (401) and ignored over the long connection.
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { eventAppId, wrongApp } from '../../src/feishu/app-id.ts';
import { HttpServer } from '../../src/feishu/http.ts';
import { forApp } from '../../src/feishu/ws.ts';
import { captureLogs } from '../helpers/logs.ts';

const APP = 'cli_a1b2c3d4e5f60718';
const envelope = (header: Record<string, unknown>) => ({
  schema: '2.0',
  header: { event_id: 'e1', event_type: 'im.message.receive_v1', token: 't', ...header },
  event: {},
});

function fakeDispatcher(invoke: (data: unknown) => Promise<unknown>): lark.EventDispatcher {
  return { invoke } as unknown as lark.EventDispatcher;
}

describe('webhook answers to faults', () => {
  let server: HttpServer | undefined;
  afterEach(async () => server?.close());

  async function serve(fault: () => unknown): Promise<string> {
    const logs = captureLogs();
    server = new HttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      wallClock: systemClock,
      health: async () => ({ status: 'ok' }),
      webhook: {
        encryptKey: undefined,
        verificationToken: undefined,
        appId: APP,
        dispatcher: fakeDispatcher(async () => {
          throw fault();
        }),
      },
    });
    return `http://127.0.0.1:${await server.listen()}/webhook/event`;
  }
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a full disk (SQLite) or a dropped PostgreSQL answers 503, not 500', async () => {
    const full = await serve(() => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    const r = await post(full, envelope({ app_id: APP }));
    expect(r.status).toBe(503);
    await server?.close();
    const pgFull = await serve(() =>
      Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }),
    );
    expect((await post(pgFull, envelope({ app_id: APP }))).status).toBe(503);
  });

  it('any other fault answers 500', async () => {
    const url = await serve(() => new Error('a bug'));
    expect((await post(url, envelope({ app_id: APP }))).status).toBe(500);
  });

  it('an event without an app id never reaches the dispatcher (401)', async () => {
    const url = await serve(() => new Error('must not be called'));
    expect((await post(url, envelope({}))).status).toBe(401);
    expect((await post(url, envelope({ app_id: 'cli_ffffffffffffffff' }))).status).toBe(401);
  });
});

describe('the app id of an event', () => {
  it('is read from the 2.0 header, or the 1.0 envelope', () => {
    expect(eventAppId(envelope({ app_id: APP }))).toBe(APP);
    expect(eventAppId({ uuid: 'u', event: { app_id: APP, type: 'message' } })).toBe(APP);
    expect(eventAppId({ app_id: APP })).toBe(APP);
    expect(eventAppId(envelope({}))).toBeUndefined();
    expect(eventAppId(null)).toBeUndefined();
  });

  it('must be present and this app’s', () => {
    expect(wrongApp(envelope({ app_id: APP }), APP)).toBeUndefined();
    expect(wrongApp(envelope({}), APP)).toBe('missing app_id');
    expect(wrongApp(envelope({ app_id: '' }), APP)).toBe('missing app_id');
    expect(wrongApp(envelope({ app_id: 7 }), APP)).toBe('missing app_id');
    expect(wrongApp(envelope({ app_id: 'cli_ffffffffffffffff' }), APP)).toBe('event for another app');
  });

  it('over the long connection, a frame for no app or another app is ignored and logged', async () => {
    const logs = captureLogs();
    const seen: unknown[] = [];
    const guarded = forApp(
      fakeDispatcher(async (d) => {
        seen.push(d);
        return { ok: true };
      }),
      APP,
      logs.logger,
    );
    expect(await guarded.invoke(envelope({}), { needCheck: false })).toBeUndefined();
    expect(await guarded.invoke(envelope({ app_id: 'cli_ffffffffffffffff' }), { needCheck: false })).toBeUndefined();
    expect(seen).toEqual([]);
    expect(logs.records().filter((r) => r.msg === 'event ignored: not for this app')).toHaveLength(2);
    expect(await guarded.invoke(envelope({ app_id: APP }), { needCheck: false })).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
  });
});
