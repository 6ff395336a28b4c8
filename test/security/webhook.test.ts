/**
 * Webhook attacks beyond test/e2e/webhook.test.ts: a captured message and click replayed after a restart (nonces
 * forgotten) or after the 5-minute window; a legacy v1 card callback body in encrypted and token-only modes;
 * spoofed headers (forwarding headers, a duplicated signature, an unsigned url_verification carrying an event,
 * Content-Length with Transfer-Encoding). Each is refused or handled once, and changes nothing.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSignature, encryptPayload } from '../../src/feishu/crypto.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import {
  type BotHarness,
  OffsetClock,
  seedBranch,
  startBot,
  TEST_APP_ID,
  TEST_ENCRYPT_KEY,
  TEST_VERIFICATION_TOKEN,
} from '../helpers/bot.ts';
import { settled } from '../helpers/converse.ts';
import { buttonOf, domainSnapshot, settle } from '../helpers/security-world.ts';

const ids = (openId: string) => ({ open_id: openId, union_id: `on_${openId.slice(3)}`, user_id: openId.slice(3, 11) });

/** A user message that exists in the emulator (so the bot can reply) but was not delivered to the bot. */
async function silentMessage(h: BotHarness, chat: EmuChat, from: EmuUser, text: string): Promise<EmuMessage> {
  const msg = await h.emu.sendText({ chatId: chat.chatId, from: from.openId, text });
  msg.mentions = [{ key: '@_user_1', openId: h.emu.bot.openId, name: h.emu.bot.name }];
  msg.content = JSON.stringify({ text: `@_user_1 ${text}` });
  return msg;
}

function header(h: BotHarness, type: string, createTime: string) {
  return {
    event_id: randomUUID().replace(/-/g, ''),
    event_type: type,
    create_time: createTime,
    token: TEST_VERIFICATION_TOKEN,
    app_id: TEST_APP_ID,
    tenant_key: h.emu.tenantKey,
  };
}

function messageEnvelope(h: BotHarness, msg: EmuMessage): Record<string, unknown> {
  return {
    schema: '2.0',
    header: header(h, 'im.message.receive_v1', String(Date.now())),
    event: {
      sender: { sender_id: ids(msg.senderId), sender_type: 'user', tenant_key: h.emu.tenantKey },
      message: {
        message_id: msg.messageId,
        chat_id: msg.chatId,
        chat_type: 'group',
        message_type: 'text',
        content: msg.content,
        create_time: String(Date.parse(msg.createdAt)),
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

function clickEnvelope(
  h: BotHarness,
  card: EmuMessage,
  from: EmuUser,
  value: Record<string, unknown>,
  formValue?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    schema: '2.0',
    header: header(h, 'card.action.trigger', `${Date.now()}000`),
    event: {
      operator: { tenant_key: h.emu.tenantKey, open_id: from.openId, union_id: `on_${from.openId.slice(3)}` },
      token: `c-${randomBytes(16).toString('hex')}`,
      action: { value, tag: 'button', ...(formValue ? { name: 'submit_new', form_value: formValue } : {}) },
      host: 'im_message',
      context: { open_message_id: card.messageId, open_chat_id: card.chatId },
    },
  };
}

/** A request as Feishu would send it: encrypted, then signed over the raw body. */
function signed(plain: unknown, timestamp = String(Math.floor(Date.now() / 1000))) {
  const body = JSON.stringify({ encrypt: encryptPayload(TEST_ENCRYPT_KEY, JSON.stringify(plain)) });
  const nonce = randomBytes(8).toString('hex');
  return {
    body,
    headers: {
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': computeSignature(timestamp, nonce, TEST_ENCRYPT_KEY, Buffer.from(body)),
    } as Record<string, string>,
  };
}

async function post(h: BotHarness, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body: parsed };
}

/** Sends raw bytes over a socket and returns the status code of the answer (0: closed without one). */
function rawRequest(h: BotHarness, head: string, body: string): Promise<number> {
  const url = new URL(h.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = '';
    socket.on('data', (d) => {
      data += String(d);
    });
    const done = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0));
    socket.on('data', () => {
      // One whole answer head is all we read: then we hang up (the server may close first).
      if (/^HTTP\/1\.1 \d{3}[\s\S]*?\r\n\r\n/.test(data)) socket.end();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', () => resolve(0));
    socket.write(`${head}\r\n\r\n${body}`);
  });
}

/** Everything a processed event would change. */
async function state(h: BotHarness) {
  const count = async (t: 'processed_events' | 'outbox' | 'audit_log') =>
    (
      await h.db.db
        .selectFrom(t)
        .select('id' as never)
        .execute()
    ).length;
  return {
    processed: (await h.db.db.selectFrom('processed_events').select('key').execute()).length,
    outbox: await count('outbox'),
    audit: await count('audit_log'),
    botMessages: [...h.emu.store.messages.values()].filter((m) => m.senderType === 'app').length,
    domain: await domainSnapshot(h.db.db),
  };
}

describe('webhook attacks beyond the transport suite', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('a captured message and card click replayed after a restart (nonces forgotten) are handled once', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, secretary, members } = await seedBranch(h);
    const owner = members[0] as EmuUser;
    // A /整改 新建 form, submitted by a captured, signed request.
    const ask = await silentMessage(h, chat, secretary, '/整改 新建');
    const askReq = signed(messageEnvelope(h, ask));
    expect((await post(h, '/webhook/event', askReq.body, askReq.headers)).status).toBe(200);
    const form = await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === ask.messageId));
    const submit = signed(
      clickEnvelope(h, form, secretary, buttonOf(form, '创建').value, {
        problem: '党费收缴台账不全',
        measures: '逐月核对',
        owner: owner.openId,
        leader: '李书记',
        deadline: '2030-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '',
      }),
    );
    const first = await post(h, '/webhook/card', submit.body, submit.headers);
    expect(first.status).toBe(200);
    expect(JSON.stringify(first.body)).toMatch(/已创建整改事项 #\d+/);
    await settle(h);
    expect((await h.db.db.selectFrom('rectifications').select('id').execute()).length).toBe(1);

    await h.restart();
    const before = await state(h);
    const again = await post(h, '/webhook/event', askReq.body, askReq.headers);
    const click = await post(h, '/webhook/card', submit.body, submit.headers);
    // Refused (401), or accepted and recognised as already handled: either way nothing happens twice.
    expect([200, 401]).toContain(again.status);
    expect([200, 401]).toContain(click.status);
    expect(JSON.stringify(click.body)).not.toContain('已创建');
    await settled(h);
    expect(await state(h)).toEqual(before);
    expect(h.emu.botMessages(chat.chatId).filter((m) => m.parentId === ask.messageId)).toHaveLength(1);
  });

  it('a captured request replayed after its timestamp left the 5-minute window is refused, restart or not', async () => {
    const wall = new OffsetClock();
    h = await startBot({ transport: 'webhook', wallClock: wall });
    const { chat, members } = await seedBranch(h);
    const from = members[1] as EmuUser;
    const msg = await silentMessage(h, chat, from, '/帮助');
    // Signed 298 s ago: still inside the window when first sent.
    const req = signed(messageEnvelope(h, msg), String(Math.floor(Date.now() / 1000) - 298));
    expect((await post(h, '/webhook/event', req.body, req.headers)).status).toBe(200);
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === msg.messageId));
    await settle(h);
    await h.restart();
    // Three seconds pass (on the bot's wall clock): the request is now 301 s old.
    wall.advance(3000);
    const before = await state(h);
    const replay = await post(h, '/webhook/event', req.body, req.headers);
    expect(replay.status).toBe(401);
    expect(h.logs.lines.some((l) => l.includes('stale timestamp'))).toBe(true);
    await settled(h);
    expect(await state(h)).toEqual(before);
  });

  /** A legacy (v1) card callback: a flat body, signed with sha1 over the verification token. */
  function legacyCard(h: BotHarness, card: EmuMessage, from: EmuUser, value: Record<string, unknown>, token: string) {
    const body = JSON.stringify({
      open_id: from.openId,
      user_id: from.openId.slice(3, 11),
      open_message_id: card.messageId,
      open_chat_id: card.chatId,
      tenant_key: h.emu.tenantKey,
      token,
      action: { value, tag: 'button' },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const signature = createHash('sha1')
      .update(timestamp + nonce + TEST_VERIFICATION_TOKEN + body)
      .digest('hex');
    return {
      body,
      headers: { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature },
    };
  }

  for (const mode of ['encrypted', 'token-only'] as const) {
    it(`a legacy v1 card callback body is never run as a click (${mode})`, async () => {
      h = await startBot({ transport: 'webhook', encryptKey: mode === 'encrypted' ? undefined : null });
      const { chat, secretary } = await seedBranch(h);
      await settle(h);
      const bindCard = h.emu.botMessages(chat.chatId)[0] as EmuMessage;
      const org = (await h.db.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const value = { a: 'help.run', cmd: 'me', o: org };
      const before = await state(h);
      // As Feishu's legacy callback sends it: the card token in `token`.
      const legacy = legacyCard(h, bindCard, secretary, value, `c-${randomBytes(16).toString('hex')}`);
      const r = await post(h, '/webhook/card', legacy.body, legacy.headers);
      expect(r.status).toBe(mode === 'encrypted' ? 400 : 401);
      // Even carrying the verification token (as a v1 *event* would), the flat body is not a click.
      const withToken = legacyCard(h, bindCard, secretary, value, TEST_VERIFICATION_TOKEN);
      const r2 = await post(h, '/webhook/card', withToken.body, withToken.headers);
      expect(JSON.stringify(r2.body)).not.toContain('已显示您的信息');
      if (mode === 'encrypted') expect(r2.status).toBe(400);
      await settled(h);
      expect(await state(h)).toEqual(before);
      expect(h.emu.requireMessage(bindCard.messageId).version).toBe(0);
    });
  }

  it('spoofed headers do not stand in for a signature', async () => {
    h = await startBot({ transport: 'webhook' });
    const { chat, members } = await seedBranch(h);
    const from = members[2] as EmuUser;
    await settle(h);
    const before = await state(h);
    const fresh = async () => signed(messageEnvelope(h, await silentMessage(h, chat, from, '/帮助')));

    // Forwarding headers claiming Feishu's or a local address, with no signature.
    const a = await fresh();
    const spoof = {
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      forwarded: 'for=127.0.0.1;proto=https',
      'x-forwarded-host': 'open.feishu.cn',
      'user-agent': 'Feishu-Webhook/1.0',
    };
    expect((await post(h, '/webhook/event', a.body, spoof)).status).toBe(401);
    // The signature header twice (a forged one first, then the right one), and the other way round.
    const b = await fresh();
    const forged = '0'.repeat(64);
    const lines = (sigs: string[]) =>
      [
        'POST /webhook/event HTTP/1.1',
        `Host: 127.0.0.1`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(b.body)}`,
        `X-Lark-Request-Timestamp: ${b.headers['x-lark-request-timestamp']}`,
        `X-Lark-Request-Nonce: ${b.headers['x-lark-request-nonce']}`,
        ...sigs.map((s) => `X-Lark-Signature: ${s}`),
        'Connection: close',
      ].join('\r\n');
    expect(await rawRequest(h, lines([forged, b.headers['x-lark-signature'] as string]), b.body)).toBe(401);
    expect(await rawRequest(h, lines([b.headers['x-lark-signature'] as string, forged]), b.body)).toBe(401);
    // An unsigned body calling itself url_verification but carrying an event: only the challenge comes back.
    const c = await silentMessage(h, chat, from, '/帮助');
    const env = {
      ...messageEnvelope(h, c),
      type: 'url_verification',
      challenge: 'ch-1',
      token: TEST_VERIFICATION_TOKEN,
    };
    const unsigned = JSON.stringify({ encrypt: encryptPayload(TEST_ENCRYPT_KEY, JSON.stringify(env)) });
    const verify = await post(h, '/webhook/event', unsigned);
    expect(verify).toEqual({ status: 200, body: { challenge: 'ch-1' } });
    // Content-Length together with Transfer-Encoding (request smuggling): refused by the HTTP layer.
    const d = await fresh();
    const smuggle = [
      'POST /webhook/event HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(d.body)}`,
      'Transfer-Encoding: chunked',
      ...Object.entries(d.headers).map(([k, v]) => `${k}: ${v}`),
      'Connection: close',
    ].join('\r\n');
    const chunked = `${Buffer.byteLength(d.body).toString(16)}\r\n${d.body}\r\n0\r\n\r\n`;
    expect(await rawRequest(h, smuggle, chunked)).toBe(400);

    await settled(h);
    const after = await state(h);
    expect(after).toEqual(before);
    // The bot still answers a proper request.
    const ok = await silentMessage(h, chat, from, '/帮助');
    const good = signed(messageEnvelope(h, ok));
    expect((await post(h, '/webhook/event', good.body, good.headers)).status).toBe(200);
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === ok.messageId));
  });
});
