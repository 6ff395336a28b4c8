/**
 * Webhook transport end to end: signed + encrypted events POSTed by hand are answered (once, even when
 * sent three times); url_verification plain and encrypted; every forged, stale, replayed, oversized,
 * malformed or foreign request is refused with the right status and changes nothing; token-only mode;
 * card clicks over HTTP; /healthz in webhook mode, and /webhook/event absent in websocket mode.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSignature, encryptPayload } from '../../src/feishu/crypto.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import {
  type BotHarness,
  messageText,
  seedBranch,
  startBot,
  TEST_APP_ID,
  TEST_ENCRYPT_KEY,
  TEST_VERIFICATION_TOKEN,
} from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { settled } from '../helpers/converse.ts';
import { testDialect } from '../helpers/db.ts';
import { until as waitUntil } from '../helpers/wait.ts';

interface Answer {
  status: number;
  body: unknown;
}

/** A user message that exists in the emulator (so the bot can reply to it) but was not delivered. */
async function silentMessage(h: BotHarness, chat: EmuChat, from: EmuUser, text: string): Promise<EmuMessage> {
  const msg = await h.emu.sendText({ chatId: chat.chatId, from: from.openId, text });
  msg.mentions = [{ key: '@_user_1', openId: h.emu.bot.openId, name: h.emu.bot.name }];
  msg.content = JSON.stringify({ text: `@_user_1 ${text}` });
  return msg;
}

function ids(openId: string) {
  return { open_id: openId, union_id: `on_${openId.slice(3)}`, user_id: openId.slice(3, 11) };
}

/** A schema-2.0 `im.message.receive_v1` envelope for a message, as Feishu sends it. */
function messageEnvelope(
  h: BotHarness,
  msg: EmuMessage,
  o: { eventId?: string; token?: string; appId?: string } = {},
): Record<string, unknown> {
  const chat = h.emu.requireChat(msg.chatId);
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? randomUUID().replace(/-/g, ''),
      event_type: 'im.message.receive_v1',
      create_time: String(Date.now()),
      token: o.token ?? TEST_VERIFICATION_TOKEN,
      app_id: o.appId ?? TEST_APP_ID,
      tenant_key: h.emu.tenantKey,
    },
    event: {
      sender: { sender_id: ids(msg.senderId), sender_type: 'user', tenant_key: h.emu.tenantKey },
      message: {
        message_id: msg.messageId,
        chat_id: msg.chatId,
        chat_type: chat.type,
        message_type: 'text',
        content: msg.content,
        create_time: String(Date.parse(msg.createdAt)),
        update_time: String(Date.parse(msg.createdAt)),
        mentions: msg.mentions.map((m) => ({
          key: m.key,
          id: ids(m.openId),
          name: m.name,
          tenant_key: h.emu.tenantKey,
        })),
      },
    },
  };
}

function encrypted(plain: unknown, key = TEST_ENCRYPT_KEY): string {
  return JSON.stringify({ encrypt: encryptPayload(key, JSON.stringify(plain)) });
}

function signatureHeaders(
  body: string,
  o: { key?: string; timestamp?: string; nonce?: string } = {},
): Record<string, string> {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? randomBytes(8).toString('hex');
  return {
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': computeSignature(timestamp, nonce, o.key ?? TEST_ENCRYPT_KEY, Buffer.from(body)),
  };
}

async function post(
  h: BotHarness,
  body: string | Buffer,
  headers: Record<string, string> = {},
  path = '/webhook/event',
): Promise<Answer> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** Signs and encrypts an envelope as Feishu does, and POSTs it. */
function postSigned(h: BotHarness, plain: unknown, path = '/webhook/event'): Promise<Answer> {
  const body = encrypted(plain);
  return post(h, body, signatureHeaders(body), path);
}

/**
 * A body sent with Transfer-Encoding: chunked (no Content-Length). Resolves with status 0 when the
 * connection was reset without any answer.
 */
function postChunked(h: BotHarness, chunks: Buffer[], headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request(`${h.url}/webhook/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    // An answer may still be on its way after a write failed: only a connection closed without one is "no answer".
    let failure = 'connection closed';
    req.on('error', (err) => {
      failure = err.message;
    });
    req.on('close', () => {
      if (!answered) resolve({ status: 0, body: `no answer: ${failure}` });
    });
    const write = (i: number) => {
      if (answered || req.destroyed) return;
      if (i >= chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[i], () => setImmediate(() => write(i + 1)));
    };
    write(0);
  });
}

async function counts(h: BotHarness) {
  const count = async (table: 'processed_events' | 'outbox' | 'audit_log') => {
    const r = await h.db.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  return {
    processed: await count('processed_events'),
    outbox: await count('outbox'),
    audit: await count('audit_log'),
    botMessages: [...h.emu.store.messages.values()].filter((m) => m.senderType === 'app').length,
  };
}

function repliesTo(h: BotHarness, msg: EmuMessage): EmuMessage[] {
  return h.emu.botMessages(msg.chatId).filter((m) => m.parentId === msg.messageId);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  await waitUntil(check, { what, timeoutMs, everyMs: 20 });
}

describe('webhook transport (signed and encrypted)', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('answers a signed, encrypted /帮助 event POSTed by hand', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, members } = await seedBranch(h);
    const msg = await silentMessage(h, chat, members[0] as EmuUser, '/帮助');
    const res = await postSigned(h, messageEnvelope(h, msg));
    expect(res).toEqual({ status: 200, body: {} });
    const reply = await h.emu.waitFor(() => repliesTo(h, msg)[0], { what: 'help reply' });
    expect(reply.msgType).toBe('interactive');
    expect(messageText(reply)).toContain('可用命令');
    const row = await h.db.db
      .selectFrom('processed_events')
      .selectAll()
      .where('key', '=', `msg:${msg.messageId}`)
      .executeTakeFirst();
    expect(row?.kind).toBe('message');
  });

  it('reads a signed event sent chunked (no Content-Length)', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, members } = await seedBranch(h);
    const msg = await silentMessage(h, chat, members[0] as EmuUser, '/帮助');
    const body = Buffer.from(encrypted(messageEnvelope(h, msg)));
    const chunks = [body.subarray(0, 10), body.subarray(10, 200), body.subarray(200)];
    expect(await postChunked(h, chunks, signatureHeaders(body.toString()))).toEqual({ status: 200, body: {} });
    const reply = await h.emu.waitFor(() => repliesTo(h, msg)[0], { what: 'help reply' });
    expect(messageText(reply)).toContain('可用命令');
  });

  it('answers an event POSTed three times (fresh timestamp and nonce each time) once', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, members } = await seedBranch(h);
    const msg = await silentMessage(h, chat, members[1] as EmuUser, '/帮助');
    const env = messageEnvelope(h, msg);
    // Feishu redelivers with the same event_id; at-least-once delivery may also bring a new event_id.
    const again = messageEnvelope(h, msg);
    const answers = await Promise.all([postSigned(h, env), postSigned(h, env), postSigned(h, again)]);
    for (const a of answers) expect(a.status).toBe(200);
    await h.emu.waitFor(() => repliesTo(h, msg).length >= 1, { what: 'reply' });
    await settled(h);
    expect(repliesTo(h, msg)).toHaveLength(1);
    const rows = await h.db.db
      .selectFrom('processed_events')
      .selectAll()
      .where('key', '=', `msg:${msg.messageId}`)
      .execute();
    expect(rows).toHaveLength(1);
    const audits = await h.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'command:help')
      .where('actor', '=', msg.senderId)
      .execute();
    expect(audits).toHaveLength(1);
    const outbox = await h.db.db.selectFrom('outbox').selectAll().where('target_id', '=', msg.messageId).execute();
    expect(outbox).toHaveLength(1);
  });

  it('echoes an encrypted, unsigned url_verification and refuses one with a wrong token', async () => {
    h = await startBot({ transport: 'webhook' });
    const ok = await post(
      h,
      encrypted({ type: 'url_verification', challenge: 'c-encrypted-1', token: TEST_VERIFICATION_TOKEN }),
    );
    expect(ok).toEqual({ status: 200, body: { challenge: 'c-encrypted-1' } });
    const bad = await post(h, encrypted({ type: 'url_verification', challenge: 'c2', token: 'not-the-token' }));
    expect(bad.status).toBe(401);
    expect(JSON.stringify(bad.body)).not.toContain('c2');
  });

  /** Each refusal: the status is right, nothing reaches the database or Feishu, and the server still works. */
  const refusals: [string, (c: { h: BotHarness; fresh: () => Promise<Record<string, unknown>> }) => Promise<void>][] = [
    [
      'a forged signature → 401',
      async ({ h, fresh }) => {
        const body = encrypted(await fresh());
        expect((await post(h, body, signatureHeaders(body, { key: 'not-the-encrypt-key' }))).status).toBe(401);
        // A valid signature of another body.
        const other = encrypted(await fresh());
        expect((await post(h, body, signatureHeaders(other))).status).toBe(401);
        // A signature with the timestamp or nonce changed afterwards.
        const headers = signatureHeaders(body);
        const ts = String(Number(headers['x-lark-request-timestamp']) - 1);
        expect((await post(h, body, { ...headers, 'x-lark-request-timestamp': ts })).status).toBe(401);
        expect((await post(h, body, { ...headers, 'x-lark-request-nonce': 'other-nonce' })).status).toBe(401);
      },
    ],
    [
      'an unsigned event → 401',
      async ({ h, fresh }) => {
        expect((await post(h, encrypted(await fresh()))).status).toBe(401);
        // Timestamp and nonce but no signature.
        const body = encrypted(await fresh());
        const { 'x-lark-signature': _sig, ...rest } = signatureHeaders(body);
        expect((await post(h, body, rest)).status).toBe(401);
      },
    ],
    [
      'a body encrypted with another key but signed with ours → 400',
      async ({ h, fresh }) => {
        const body = encrypted(await fresh(), 'some-other-encrypt-key');
        expect((await post(h, body, signatureHeaders(body))).status).toBe(400);
        const garbage = JSON.stringify({ encrypt: 'bm90IGEgY2lwaGVydGV4dA==' });
        expect((await post(h, garbage, signatureHeaders(garbage))).status).toBe(400);
      },
    ],
    [
      'a plain body while an encrypt key is configured → 400',
      async ({ h, fresh }) => {
        const body = JSON.stringify(await fresh());
        expect((await post(h, body, signatureHeaders(body))).status).toBe(400);
        expect((await post(h, body)).status).toBe(400);
      },
    ],
    [
      'a timestamp 10 minutes old (or ahead) → 401',
      async ({ h, fresh }) => {
        const body = encrypted(await fresh());
        const old = String(Math.floor(Date.now() / 1000) - 600);
        expect((await post(h, body, signatureHeaders(body, { timestamp: old }))).status).toBe(401);
        const ahead = String(Math.floor(Date.now() / 1000) + 600);
        expect((await post(h, body, signatureHeaders(body, { timestamp: ahead }))).status).toBe(401);
      },
    ],
    [
      'malformed JSON and non-object JSON → 400',
      async ({ h }) => {
        expect((await post(h, '{"encrypt": "abc"')).status).toBe(400);
        const body = '{not json';
        expect((await post(h, body, signatureHeaders(body))).status).toBe(400);
        expect((await post(h, '[1,2,3]')).status).toBe(400);
        const array = JSON.stringify([{ encrypt: 'abc' }]);
        expect((await post(h, array, signatureHeaders(array))).status).toBe(400);
        expect((await post(h, 'null')).status).toBe(400);
        expect((await post(h, '')).status).toBe(400);
      },
    ],
    [
      'a body over 1 MiB with a Content-Length → 413',
      async ({ h }) => {
        const big = JSON.stringify({ encrypt: 'A'.repeat(1024 * 1024 + 16) });
        expect((await post(h, big, signatureHeaders(big))).status).toBe(413);
      },
    ],
    [
      'a body over 1 MiB sent chunked (no Content-Length) → 413',
      async ({ h }) => {
        const chunk = Buffer.alloc(64 * 1024, 'A');
        const chunks = [Buffer.from('{"encrypt":"'), ...Array.from({ length: 20 }, () => chunk), Buffer.from('"}')];
        expect(await postChunked(h, chunks)).toMatchObject({ status: 413 });
      },
    ],
    [
      'an event for another app → 401',
      async ({ h, fresh }) => {
        const env = await fresh();
        (env.header as Record<string, unknown>).app_id = 'cli_ffffffffffffffff';
        expect((await postSigned(h, env)).status).toBe(401);
      },
    ],
    [
      'a signed event without an app_id (absent or empty) → 401',
      async ({ h, fresh }) => {
        const env = await fresh();
        delete (env.header as Record<string, unknown>).app_id;
        expect((await postSigned(h, env)).status).toBe(401);
        const empty = await fresh();
        (empty.header as Record<string, unknown>).app_id = '';
        expect((await postSigned(h, empty)).status).toBe(401);
      },
    ],
    [
      'a wrong verification token inside a signed event → 401',
      async ({ h, fresh }) => {
        const env = await fresh();
        (env.header as Record<string, unknown>).token = 'wrong-token';
        expect((await postSigned(h, env)).status).toBe(401);
      },
    ],
    [
      'GET on the webhook paths → 405',
      async ({ h }) => {
        expect((await fetch(`${h.url}/webhook/event`)).status).toBe(405);
        expect((await fetch(`${h.url}/webhook/card`)).status).toBe(405);
      },
    ],
  ];

  for (const [name, run] of refusals) {
    it(`refuses ${name}; nothing changes`, async () => {
      h = await startBot({ transport: 'webhook' });
      const { chat, members } = await seedBranch(h);
      const from = members[0] as EmuUser;
      const before = await counts(h);
      await run({ h, fresh: async () => messageEnvelope(h, await silentMessage(h, chat, from, '/帮助')) });
      await settled(h);
      expect(await counts(h)).toEqual(before);
      // The server still answers a proper request afterwards.
      const msg = await silentMessage(h, chat, from, '/帮助');
      expect((await postSigned(h, messageEnvelope(h, msg))).status).toBe(200);
      await h.emu.waitFor(() => repliesTo(h, msg)[0], { what: 'reply after the refusal' });
    });
  }

  it('refuses a replayed request (same timestamp, nonce and body)', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, members } = await seedBranch(h);
    const msg = await silentMessage(h, chat, members[0] as EmuUser, '/帮助');
    const body = encrypted(messageEnvelope(h, msg));
    const headers = signatureHeaders(body);
    expect((await post(h, body, headers)).status).toBe(200);
    await h.emu.waitFor(() => repliesTo(h, msg)[0], { what: 'reply' });
    const before = await counts(h);
    expect((await post(h, body, headers)).status).toBe(401);
    await settled(h);
    expect(await counts(h)).toEqual(before);
    expect(repliesTo(h, msg)).toHaveLength(1);
  });

  it('applies a card click over webhook: toast and the new card', async () => {
    h = await startBot({ transport: 'webhook' });
    const { members } = await seedBranch(h);
    // In a private chat the card itself becomes the member's view (in a group it would go privately).
    const member = members[0] as EmuUser;
    const chat = h.emu.p2pChat(member.openId);
    await h.emu.sendText({ chatId: chat.chatId, from: member.openId, text: '/帮助' });
    const help = await h.emu.waitFor(() =>
      h.emu.botMessages(chat.chatId).find((m) => messageText(m).includes('可用命令')),
    );
    expect(help.version).toBe(0);
    const result = await h.emu.click({
      messageId: help.messageId,
      from: member.openId,
      value: button(help, '我的').value,
    });
    expect(result.error).toBeUndefined();
    expect(result.toast).toEqual({ type: 'success', content: '已显示您的信息' });
    const updated = h.emu.requireMessage(help.messageId);
    expect(updated.version).toBe(1);
    expect(updated.content).toContain(member.name);
    const audit = await h.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'action:help.run')
      .where('actor', '=', member.openId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.result).toBe('ok');
  });

  it('serves /healthz in webhook mode', async () => {
    h = await startBot({ transport: 'webhook' });
    await seedBranch(h);
    // The bind reply has gone out; wait until the outbox has recorded it.
    await until(async () => ((await h.app.health()).outbox as { sent: number }).sent === 1, 'outbox sent');
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as {
      status: string;
      db: { ok: boolean; dialect: string };
      transport: { mode: string; connected: boolean };
      outbox: { pending: number; sent: number; dead: number };
    };
    expect(body.status).toBe('ok');
    expect(body.db).toMatchObject({ ok: true, dialect: testDialect });
    expect(body.transport).toMatchObject({ mode: 'webhook', connected: true });
    expect(body.outbox).toEqual({ pending: 0, sent: 1, dead: 0 });
    expect(await h.app.health()).toMatchObject({ db: { ok: true }, transport: { mode: 'webhook' } });
  });
});

describe('webhook transport (token only, no encrypt key)', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('echoes a plain url_verification and refuses a wrong token', async () => {
    h = await startBot({ transport: 'webhook', encryptKey: null });
    const ok = await post(
      h,
      JSON.stringify({ type: 'url_verification', challenge: 'x', token: TEST_VERIFICATION_TOKEN }),
    );
    expect(ok).toEqual({ status: 200, body: { challenge: 'x' } });
    const bad = await post(h, JSON.stringify({ type: 'url_verification', challenge: 'x', token: 'nope' }));
    expect(bad.status).toBe(401);
    const none = await post(h, JSON.stringify({ type: 'url_verification', challenge: 'x' }));
    expect(none.status).toBe(401);
  });

  it('processes a plain event with the right token and refuses a wrong one without changing anything', async () => {
    h = await startBot({ transport: 'webhook', encryptKey: null });
    const { chat, members } = await seedBranch(h);
    const from = members[2] as EmuUser;

    const good = await silentMessage(h, chat, from, '/帮助');
    expect(await post(h, JSON.stringify(messageEnvelope(h, good)))).toEqual({ status: 200, body: {} });
    const reply = await h.emu.waitFor(() => repliesTo(h, good)[0], { what: 'reply' });
    expect(messageText(reply)).toContain('可用命令');

    const before = await counts(h);
    const bad = await silentMessage(h, chat, from, '/帮助');
    expect((await post(h, JSON.stringify(messageEnvelope(h, bad, { token: 'forged-token' })))).status).toBe(401);
    const noToken = messageEnvelope(h, bad);
    delete (noToken.header as Record<string, unknown>).token;
    expect((await post(h, JSON.stringify(noToken))).status).toBe(401);
    // An encrypted body cannot be read without a key.
    expect((await post(h, encrypted(messageEnvelope(h, bad)))).status).toBe(400);
    await settled(h);
    expect(await counts(h)).toEqual(before);
    expect(repliesTo(h, bad)).toHaveLength(0);
  });
});

describe('webhook endpoints in websocket mode', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('answers 404 on /webhook/event and serves /healthz', async () => {
    h = await startBot({ transport: 'websocket' });
    const body = encrypted({ type: 'url_verification', challenge: 'x', token: TEST_VERIFICATION_TOKEN });
    expect((await post(h, body)).status).toBe(404);
    expect((await post(h, body, {}, '/webhook/card')).status).toBe(404);
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as { db: { ok: boolean; dialect: string }; transport: { mode: string } };
    expect(health.db).toMatchObject({ ok: true, dialect: testDialect });
    expect(health.transport.mode).toBe('websocket');
  });
});
