// Contract tests: payloads written from the Feishu documentation's examples and field lists (events,
// card callbacks, Open API answers; every id is fake) in `payloads/`. They check both sides:
// - the bot's parsers (src/feishu/events.ts) read the documented events, flattened as the SDK's
//   EventDispatcher hands them over (`{event_type, schema, ...header, ...event}`);
// - the emulator produces events and answers of the documented shape: it invents no key the
//   documentation does not have, and has every documented key except those the documentation marks
//   optional or conditional. Keys the emulator still lacks are listed in KNOWN_GAPS: the test also
//   fails when one of them appears, so the list only shrinks.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { normalizeCardAction, normalizeChatMembers, normalizeMessage } from '../../src/feishu/events.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';

type Obj = Record<string, unknown>;

const payload = (name: string): Obj =>
  JSON.parse(readFileSync(new URL(`./payloads/${name}.json`, import.meta.url), 'utf8')) as Obj;

/** What the SDK's EventDispatcher hands a handler: the header and event fields on one object. */
function flatten(envelope: Obj): Obj {
  const { header, event, ...rest } = envelope as { header: Obj; event: Obj };
  return { event_type: header.event_type, ...rest, ...header, ...event };
}

/** Values whose keys are chosen by the app or the user, not by Feishu: not part of the shape. */
const OPAQUE = new Set(['event.action.value', 'event.action.form_value', 'event.i18n_names']);

/** Every key path of a JSON value (`a.b[].c`); arrays merge their items. */
function keyPaths(v: unknown, at = '', out = new Set<string>()): Set<string> {
  if (OPAQUE.has(at)) return out;
  if (Array.isArray(v)) {
    for (const x of v) keyPaths(x, `${at}[]`, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Obj)) {
      const p = at ? `${at}.${k}` : k;
      out.add(p);
      keyPaths(x, p, out);
    }
  }
  return out;
}

/** Keys the documentation marks optional or present only in some cases. */
const OPTIONAL: Record<string, string[]> = {
  'event.im.message.receive_v1.text': [
    'event.message.root_id',
    'event.message.parent_id',
    'event.message.thread_id',
    'event.message.user_agent',
    'event.message.mentions',
    'event.message.mentions[].key',
    'event.message.mentions[].id',
    'event.message.mentions[].id.union_id',
    'event.message.mentions[].id.user_id',
    'event.message.mentions[].id.open_id',
    'event.message.mentions[].name',
    'event.message.mentions[].tenant_key',
  ],
  'event.card.action.trigger.form': [
    'event.action.name',
    'event.action.form_value',
    'event.action.timezone',
    'event.operator.user_id',
  ],
  'api.im.v1.messages.create': [
    'data.root_id',
    'data.parent_id',
    'data.thread_id',
    'data.upper_message_id',
    'data.mentions',
    'data.mentions[].key',
    'data.mentions[].id',
    'data.mentions[].id_type',
    'data.mentions[].name',
    'data.mentions[].tenant_key',
  ],
};

/** Documented keys the emulator does not produce yet (reported in issue 10). */
const KNOWN_GAPS: Record<string, string[]> = {};

function expectSameShape(name: string, actual: unknown): void {
  const documented = keyPaths(payload(name));
  const got = keyPaths(actual);
  const invented = [...got].filter((p) => !documented.has(p));
  expect(invented, `${name}: keys the documentation does not have`).toEqual([]);
  const optional = new Set(OPTIONAL[name] ?? []);
  const gaps = KNOWN_GAPS[name] ?? [];
  const missing = [...documented].filter((p) => !got.has(p) && !optional.has(p));
  expect(missing.sort(), `${name}: documented keys the emulator lacks`).toEqual([...gaps].sort());
}

// ------------------------------------------------------------------------------------------------
// The bot's parsers

describe('the bot reads the documented events', () => {
  it('im.message.receive_v1, text with the bot mentioned', () => {
    const m = normalizeMessage(flatten(payload('event.im.message.receive_v1.text')));
    expect(m).toEqual({
      eventId: 'fake0event0000000000000000000001',
      messageId: 'om_fake00000000000000000000000001',
      chatId: 'oc_fake00000000000000000000000001',
      chatType: 'group',
      senderOpenId: 'ou_fake00000000000000000000000001',
      senderType: 'user',
      messageType: 'text',
      text: '@_user_1 /帮助',
      file: undefined,
      mentions: [{ key: '@_user_1', openId: 'ou_fake0000000000000000000000b0t0', name: '清风' }],
    });
  });

  it('im.message.receive_v1, a post is parsed with its sender, chat and mentions', () => {
    const m = normalizeMessage(flatten(payload('event.im.message.receive_v1.post')));
    expect(m?.messageType).toBe('post');
    expect(m?.senderOpenId).toBe('ou_fake00000000000000000000000001');
    expect(m?.mentions.map((x) => x.openId)).toEqual(['ou_fake0000000000000000000000b0t0']);
  });

  it('post message with the bot mentioned is read as text', () => {
    const m = normalizeMessage(flatten(payload('event.im.message.receive_v1.post')));
    expect(m?.text?.trim()).toMatch(/^@_user_1\s*\/帮助$/);
  });

  it('card.action.trigger with form_value', () => {
    const a = normalizeCardAction(flatten(payload('event.card.action.trigger.form')));
    expect(a).toEqual({
      eventId: 'fake0event0000000000000000000003',
      operatorOpenId: 'ou_fake00000000000000000000000001',
      value: { a: 'task.progress', id: 1, v: 1 },
      formValue: {
        percent: '50',
        note: '已完成一半',
        people: ['ou_fake00000000000000000000000002', 'ou_fake00000000000000000000000003'],
        due: '2026-12-31 +0800',
      },
      chatId: 'oc_fake00000000000000000000000001',
      messageId: 'om_fake00000000000000000000000003',
    });
  });

  it('im.chat.member.bot.added_v1', () => {
    expect(normalizeChatMembers(flatten(payload('event.im.chat.member.bot.added_v1')))).toEqual({
      eventId: 'fake0event0000000000000000000004',
      chatId: 'oc_fake00000000000000000000000001',
      chatName: '测试支部群',
      operatorOpenId: 'ou_fake00000000000000000000000001',
      users: [],
    });
  });

  for (const kind of ['added', 'deleted'] as const) {
    it(`im.chat.member.user.${kind}_v1`, () => {
      const e = normalizeChatMembers(flatten(payload(`event.im.chat.member.user.${kind}_v1`)));
      expect(e?.chatId).toBe('oc_fake00000000000000000000000001');
      expect(e?.users).toEqual([{ openId: 'ou_fake00000000000000000000000002', name: '测试乙' }]);
    });
  }
});

// ------------------------------------------------------------------------------------------------
// The emulator

const APP_ID = 'cli_fake0000000001';
const APP_SECRET = 'fake-secret';

describe('the emulator speaks the documented shapes', () => {
  let emu: Emulator;
  let hook: Server;
  let token: string;
  const events: Obj[] = [];
  let alice: string;
  let bob: string;
  let carol: string;
  let chatId: string;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        events.push(JSON.parse(body || '{}') as Obj);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    emu = await new Emulator({
      appId: APP_ID,
      appSecret: APP_SECRET,
      clock: systemClock,
      wallClock: systemClock,
      delivery: 'webhook',
      webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}`,
      verificationToken: 'fake-verification-token',
      enforceRateLimits: false,
    }).start();
    const t = await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: APP_ID, app_secret: APP_SECRET }),
    });
    const answer = (await t.json()) as Obj;
    expectSameShape('api.auth.v3.tenant_access_token.internal', answer);
    token = answer.tenant_access_token as string;
    alice = emu.addUser('测试甲').openId;
    bob = emu.addUser('测试乙').openId;
    carol = emu.addUser('测试丙').openId;
    chatId = emu.createGroup({ name: '测试支部群', owner: alice, members: [bob], withBot: false }).chatId;
  });

  afterAll(async () => {
    await emu?.close();
    await new Promise<void>((r) => hook?.close(() => r()));
  });

  async function api(method: string, path: string, body?: unknown): Promise<Obj> {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Obj;
  }

  const lastEvent = (type: string): Obj => {
    const e = events.filter((x) => (x.header as Obj | undefined)?.event_type === type).at(-1);
    if (!e) throw new Error(`no ${type} event`);
    return e;
  };

  it('im.chat.member.bot.added_v1', async () => {
    await emu.addBotToChat(chatId, alice);
    const e = lastEvent('im.chat.member.bot.added_v1');
    expectSameShape('event.im.chat.member.bot.added_v1', e);
    expect(normalizeChatMembers(flatten(e))?.chatId).toBe(chatId);
  });

  it('im.chat.member.user.added_v1', async () => {
    await emu.addUsersToChat(chatId, [carol], alice);
    const e = lastEvent('im.chat.member.user.added_v1');
    expectSameShape('event.im.chat.member.user.added_v1', e);
    expect(normalizeChatMembers(flatten(e))?.users.map((u) => u.openId)).toEqual([carol]);
  });

  it('im.chat.member.user.deleted_v1', async () => {
    await emu.removeUsersFromChat(chatId, [carol], { operator: alice });
    const e = lastEvent('im.chat.member.user.deleted_v1');
    expectSameShape('event.im.chat.member.user.deleted_v1', e);
    expect(normalizeChatMembers(flatten(e))?.users.map((u) => u.openId)).toEqual([carol]);
    await emu.addUsersToChat(chatId, [carol], alice);
  });

  it('im.message.receive_v1 (text, the bot mentioned)', async () => {
    await emu.sendText({ chatId, from: alice, text: '/帮助', mentionBot: true });
    const e = lastEvent('im.message.receive_v1');
    expectSameShape('event.im.message.receive_v1.text', e);
    const m = normalizeMessage(flatten(e));
    expect(m?.text).toMatch(/\/帮助/);
    expect(m?.mentions.length).toBe(1);
  });

  it('im.message.receive_v1 (post, the bot mentioned)', async () => {
    await emu.sendPost({ chatId, from: alice, text: '/帮助', mentionBot: true });
    const e = lastEvent('im.message.receive_v1');
    expectSameShape('event.im.message.receive_v1.post', e);
    const content = JSON.parse(((e.event as Obj).message as Obj).content as string) as Obj;
    expect(Object.keys(content).sort()).toEqual(['content', 'title']);
    expect(normalizeMessage(flatten(e))?.text).toMatch(/\/帮助/);
  });

  it('send message answer, card.action.trigger with form_value', async () => {
    const card = {
      schema: '2.0',
      config: { update_multi: true },
      body: {
        elements: [
          {
            tag: 'form',
            name: 'progress',
            elements: [
              { tag: 'input', name: 'note', required: true },
              {
                tag: 'button',
                text: { tag: 'plain_text', content: '提交' },
                name: 'submit_progress',
                form_action_type: 'submit',
                behaviors: [{ type: 'callback', value: { a: 'task.progress', id: 1, v: 1 } }],
              },
            ],
          },
        ],
      },
    };
    const sent = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', {
      receive_id: chatId,
      msg_type: 'interactive',
      content: JSON.stringify(card),
    });
    expectSameShape('api.im.v1.messages.create', sent);
    const messageId = (sent.data as Obj).message_id as string;
    const r = await emu.click({
      messageId,
      from: bob,
      value: { a: 'task.progress', id: 1, v: 1 },
      name: 'submit_progress',
      formValue: { note: '已完成一半' },
    });
    expect(r.error).toBeUndefined();
    const e = lastEvent('card.action.trigger');
    expectSameShape('event.card.action.trigger.form', e);
    expect(normalizeCardAction(flatten(e))?.formValue).toEqual({ note: '已完成一半' });
  });

  it('chat members, paged with has_more and page_token', async () => {
    const first = await api('GET', `/open-apis/im/v1/chats/${chatId}/members?member_id_type=open_id&page_size=2`);
    expectSameShape('api.im.v1.chats.members', first);
    const data = first.data as { has_more: boolean; page_token: string; items: unknown[] };
    expect([data.has_more, data.items.length]).toEqual([true, 2]);
    const next = await api(
      'GET',
      `/open-apis/im/v1/chats/${chatId}/members?member_id_type=open_id&page_size=2&page_token=${data.page_token}`,
    );
    expect((next.data as { has_more: boolean }).has_more).toBe(false);
  });

  it('urgent_app answers invalid_user_id_list', async () => {
    const sent = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', {
      receive_id: chatId,
      msg_type: 'text',
      content: JSON.stringify({ text: '请尽快处理' }),
    });
    const id = (sent.data as Obj).message_id as string;
    const dead = 'ou_fake0000000000000000000000dead';
    const r = await api('PATCH', `/open-apis/im/v1/messages/${id}/urgent_app?user_id_type=open_id`, {
      user_id_list: [bob, dead],
    });
    expectSameShape('api.im.v1.messages.urgent_app', r);
    expect((r.data as Obj).invalid_user_id_list).toEqual([dead]);
  });

  it('bot/v3/info', async () => {
    expectSameShape('api.bot.v3.info', await api('GET', '/open-apis/bot/v3/info'));
  });
});
