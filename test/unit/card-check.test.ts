// The strict card JSON 2.0 validator (src/sandbox/card-check.ts) and how the emulator applies it over
// HTTP: each rule is refused with Feishu's code and accepted at its boundary (max_length 1000,
// placeholder 100 characters, page_size 10, 5 tables, 200 tagged objects, 30 KB of request body),
// unknown properties are refused, send / reply / PATCH / delayed update answer 230099 (sub-code in the
// message) or 230025, a bad card in a callback answer fails the click with 200673, the client cannot
// press a component that is not on the card nor submit a form missing a required field, and an Open
// API route the emulator does not serve fails the test through the harness.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import {
  allCardProblems,
  allProblems,
  type CardProblem,
  checkCard,
  checkCardObject,
  countElements,
  MAX_CARD_BYTES,
  requestBodyBytes,
} from '../../src/sandbox/card-check.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import { assertServedOnly } from '../helpers/bot.ts';

type El = Record<string, unknown>;

const text = (content: string) => ({ tag: 'plain_text', content });
const cardOf = (elements: El[], extra: El = {}): El => ({
  schema: '2.0',
  config: { update_multi: true },
  body: { elements },
  ...extra,
});
const check = (elements: El[], extra: El = {}): CardProblem | undefined => checkCardObject(cardOf(elements, extra));
const callback = (value: El) => [{ type: 'callback', value }];
const btn = (label: string, value: El, extra: El = {}): El => ({
  tag: 'button',
  text: text(label),
  behaviors: callback(value),
  ...extra,
});
const submit = (name = 'submit_1'): El => ({ tag: 'button', text: text('提交'), name, form_action_type: 'submit' });
const formOf = (elements: El[], name = 'f'): El => ({ tag: 'form', name, elements });
const input = (extra: El = {}): El => ({ tag: 'input', name: 'reason', ...extra });
const table = (extra: El = {}): El => ({
  tag: 'table',
  page_size: 5,
  columns: [{ name: 'a', display_name: 'A', data_type: 'text' }],
  rows: [{ a: 'x' }],
  ...extra,
});
const inColumn = (el: El): El => ({
  tag: 'column_set',
  columns: [{ tag: 'column', width: 'weighted', weight: 1, elements: [el] }],
});

describe('checkCard: accepted shapes', () => {
  it('accepts a card using the documented properties of each component', () => {
    const card = cardOf(
      [
        { tag: 'markdown', content: '**说明**', text_size: 'notation', text_align: 'left', element_id: 'intro' },
        { tag: 'div', text: { tag: 'plain_text', content: '原文', text_color: 'grey', lines: 2 } },
        { tag: 'hr', margin: '4px 0px' },
        { tag: 'person', user_id: 'ou_fake0001', size: 'small', show_name: true, show_avatar: true },
        {
          tag: 'column_set',
          flex_mode: 'flow',
          horizontal_spacing: 'small',
          columns: [
            {
              tag: 'column',
              width: 'auto',
              elements: [btn('完成', { a: 'done' }, { type: 'primary', width: 'fill' })],
            },
            {
              tag: 'column',
              width: 'auto',
              elements: [
                btn(
                  '删除',
                  { a: 'del' },
                  { type: 'danger', confirm: { title: text('确认删除？'), text: text('删除后不可恢复') } },
                ),
              ],
            },
          ],
        },
        {
          tag: 'collapsible_panel',
          expanded: false,
          header: { title: text('历史') },
          elements: [{ tag: 'markdown', content: '- 一条' }],
        },
        table({ row_height: 'low', header_style: { bold: true, background_style: 'grey' } }),
        formOf([
          input({
            label: text('原因'),
            label_position: 'top',
            placeholder: text('请输入'),
            required: true,
            input_type: 'multiline_text',
            rows: 3,
            auto_resize: true,
            max_length: 1000,
          }),
          {
            tag: 'select_static',
            name: 'status',
            placeholder: text('状态'),
            options: [{ text: text('进行中'), value: 'doing' }],
            initial_option: 'doing',
          },
          { tag: 'multi_select_person', name: 'people', placeholder: text('人员'), options: [], required: false },
          { tag: 'date_picker', name: 'due', placeholder: text('日期'), initial_date: '2026-12-01' },
          { tag: 'picker_datetime', name: 'at', placeholder: text('时间'), initial_datetime: '2026-12-01 09:00' },
          submit(),
          { tag: 'button', text: text('重置'), name: 'reset_1', form_action_type: 'reset' },
        ]),
      ],
      {
        header: {
          title: text('标题'),
          subtitle: text('副标题'),
          template: 'blue',
          text_tag_list: [{ tag: 'text_tag', text: text('逾期'), color: 'red' }],
        },
        config: { update_multi: true, summary: { content: '摘要' }, width_mode: 'fill' },
      },
    );
    expect(allCardProblems(card)).toEqual([]);
  });

  it('accepts a blank 2.0 card body', () => {
    expect(check([])).toBeUndefined();
  });
});

describe('checkCard: unknown properties (2.0 validates strictly)', () => {
  const cases: [string, El][] = [
    ['on a button', cardOf([btn('x', { a: 1 }, { colour: 'red' })])],
    ['on a markdown', cardOf([{ tag: 'markdown', content: 'x', href: {} }])],
    ['on the card', { ...cardOf([]), i18n_elements: {} }],
    ['in config', cardOf([], { config: { update_multi: true, wide_screen_mode: true } })],
    ['in the header', cardOf([], { header: { title: text('t'), ud_icon: {} } })],
    ['in a text object', cardOf([btn('x', { a: 1 }, { text: { tag: 'plain_text', content: 'x', bold: true } })])],
    ['on a column', cardOf([{ tag: 'column_set', columns: [{ tag: 'column', elements: [], flex: 1 }] }])],
    ['on a behavior', cardOf([{ tag: 'button', text: text('x'), behaviors: [{ type: 'callback', value: {}, x: 1 }] }])],
    ['in a table column', cardOf([table({ columns: [{ name: 'a', display_name: 'A', sortable: true }] })])],
  ];
  for (const [where, card] of cases) {
    it(`refuses an unknown property ${where} (200621)`, () => {
      const p = checkCardObject(card);
      expect(p?.code).toBe(200621);
      expect(p?.message).toMatch(/unknown property/);
    });
  }

  it('refuses the tags removed in 2.0 and unknown tags', () => {
    for (const tag of ['note', 'action', 'blink']) expect(check([{ tag }])?.code).toBe(200621);
  });
});

describe('checkCard: inputs', () => {
  it('takes max_length 1 and 1000, refuses 0, 1001 and 1.5', () => {
    expect(check([formOf([input({ max_length: 1 }), submit()])])).toBeUndefined();
    expect(check([formOf([input({ max_length: 1000 }), submit()])])).toBeUndefined();
    for (const n of [0, 1001, 1.5, '1000']) {
      const p = check([formOf([input({ max_length: n }), submit()])]);
      expect(p?.code, String(n)).toBe(200621);
      expect(p?.message).toMatch(/max_length/);
    }
  });

  it('takes a placeholder of 100 characters, refuses 101', () => {
    expect(check([formOf([input({ placeholder: text('请'.repeat(100)) }), submit()])])).toBeUndefined();
    const p = check([formOf([input({ placeholder: text('请'.repeat(101)) }), submit()])]);
    expect(p?.code).toBe(200621);
    expect(p?.message).toMatch(/placeholder/);
  });
});

describe('checkCard: tables', () => {
  it('takes page_size 1 and 10, refuses 0, 11 and 2.5', () => {
    expect(check([table({ page_size: 1 })])).toBeUndefined();
    expect(check([table({ page_size: 10 })])).toBeUndefined();
    for (const n of [0, 11, 2.5]) expect(check([table({ page_size: n })])?.code, String(n)).toBe(200621);
  });

  it('takes 5 tables, refuses 6', () => {
    expect(check(Array.from({ length: 5 }, () => table()))).toBeUndefined();
    const p = check(Array.from({ length: 6 }, () => table()));
    expect(p?.code).toBe(200621);
    expect(p?.message).toMatch(/tables/);
  });

  it('refuses a table in a column, in a form, and in a form inside a panel', () => {
    expect(check([inColumn(table())])?.message).toMatch(/table is not allowed in a column/);
    expect(check([formOf([table(), submit()])])?.message).toMatch(/table is not allowed in a form/);
    const deep = { tag: 'collapsible_panel', header: { title: text('x') }, elements: [inColumn(table())] };
    expect(check([deep])?.code).toBe(200621);
  });
});

describe('checkCard: forms', () => {
  it('refuses a button inside a form without a name (200530) or without form_action_type (200621)', () => {
    const cancel = btn('取消', { a: 'cancel' });
    expect(check([formOf([input(), submit(), cancel])])?.code).toBe(200530);
    const named = { ...cancel, name: 'cancel_1' };
    const p = check([formOf([input(), submit(), named])]);
    expect(p?.code).toBe(200621);
    expect(p?.message).toMatch(/form_action_type/);
    expect(check([formOf([input(), submit(), { ...named, form_action_type: 'reset' }])])).toBeUndefined();
    expect(check([formOf([input(), submit()]), cancel])).toBeUndefined();
  });

  it('refuses a button in a column inside a form without form_action_type', () => {
    const cancel = btn('取消', { a: 'cancel' }, { name: 'c' });
    expect(check([formOf([input(), inColumn(submit()), inColumn(cancel)])])?.code).toBe(200621);
  });

  it('refuses a form without a submit button, with an unnamed field, nested or not at the root', () => {
    expect(check([formOf([input()])])?.code).toBe(200621);
    expect(check([formOf([{ tag: 'input' }, submit()])])?.code).toBe(200530);
    expect(check([formOf([formOf([input(), submit()], 'g'), submit('s2')])])?.code).toBe(200621);
    expect(check([inColumn(formOf([input(), submit()]))])?.code).toBe(200621);
  });

  it('refuses multi-selects outside forms and duplicate names', () => {
    expect(check([{ tag: 'multi_select_static', name: 'm', options: [] }])?.code).toBe(200621);
    expect(check([{ tag: 'multi_select_person', name: 'm', options: [] }])?.code).toBe(200621);
    expect(check([formOf([input(), input(), submit()])])?.message).toMatch(/duplicate/);
  });

  it('refuses malformed or repeated element_ids', () => {
    expect(check([{ tag: 'hr', element_id: '1abc' }])?.code).toBe(200621);
    expect(check([{ tag: 'hr', element_id: 'a'.repeat(21) }])?.code).toBe(200621);
    expect(
      check([
        { tag: 'hr', element_id: 'x1' },
        { tag: 'hr', element_id: 'x1' },
      ])?.code,
    ).toBe(200621);
  });
});

describe('checkCard: 200 elements, every tagged object counted', () => {
  // A header title (1) + 99 buttons (button + plain_text = 2 each) + n hr.
  const withHeader = (hrs: number) =>
    cardOf(
      [
        ...Array.from({ length: 99 }, (_, i) => btn(`b${i}`, { a: i })),
        ...Array.from({ length: hrs }, () => ({ tag: 'hr' })),
      ],
      { header: { title: text('清单') } },
    );

  it('counts columns, text objects and text tags', () => {
    expect(countElements(cardOf([inColumn({ tag: 'markdown', content: 'x' })]))).toBe(3);
    expect(countElements(withHeader(0))).toBe(199);
    const tags = cardOf([], { header: { title: text('t'), text_tag_list: [{ tag: 'text_tag', text: text('a') }] } });
    expect(countElements(tags)).toBe(3);
  });

  it('takes 200, refuses 201 with 11310', () => {
    expect(checkCardObject(withHeader(1))).toBeUndefined();
    const p = checkCardObject(withHeader(2));
    expect(p?.code).toBe(11310);
    expect(p?.message).toMatch(/element exceeds the limit/);
  });
});

describe('checkCard: 30 KB of request body', () => {
  /** A card whose send request body is exactly `bytes` long. */
  const cardOfBody = (bytes: number): El => {
    const base = requestBodyBytes(cardOf([{ tag: 'markdown', content: '' }]));
    return cardOf([{ tag: 'markdown', content: 'a'.repeat(bytes - base) }]);
  };

  it('takes a body of exactly 30 KB, refuses one byte more with 230025', () => {
    expect(requestBodyBytes(cardOfBody(MAX_CARD_BYTES))).toBe(MAX_CARD_BYTES);
    expect(checkCardObject(cardOfBody(MAX_CARD_BYTES))).toBeUndefined();
    expect(checkCard(JSON.stringify(cardOfBody(MAX_CARD_BYTES)))).toBeUndefined();
    expect(checkCardObject(cardOfBody(MAX_CARD_BYTES + 1))?.code).toBe(230025);
    expect(checkCard(JSON.stringify(cardOfBody(MAX_CARD_BYTES + 1)))?.code).toBe(230025);
  });

  it('measures the card escaped again inside content, not the card JSON alone', () => {
    // Quotes cost 2 bytes in the card JSON and 4 in the request body.
    const card = cardOf([{ tag: 'markdown', content: '"'.repeat(9000) }]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(MAX_CARD_BYTES);
    expect(requestBodyBytes(card)).toBeGreaterThan(MAX_CARD_BYTES);
    expect(checkCardObject(card)?.code).toBe(230025);
  });
});

describe('allProblems', () => {
  it('lists every problem, the element limit first', () => {
    const many = Array.from({ length: 201 }, () => ({ tag: 'hr' }));
    const problems = allProblems(JSON.stringify(cardOf([...many, table({ page_size: 20 }), { tag: 'note' }])));
    expect(problems.map((p) => p.code)).toEqual([11310, 200621, 200621]);
  });
});

// ------------------------------------------------------------------------------------------------
// The emulator over HTTP

const APP_ID = 'cli_fake0000000000';
const APP_SECRET = 'fake-secret';

describe('the emulator applies the strict rules', () => {
  let emu: Emulator;
  let hook: Server;
  let token: string;
  /** What the fake bot answers to card callbacks, and the callbacks it saw. */
  let cardAnswer: unknown = {};
  const callbacks: El[] = [];
  let chatId: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const env = JSON.parse(body || '{}') as { event?: El };
        if (req.url === '/webhook/card' && env.event) callbacks.push(env.event);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.url === '/webhook/card' ? cardAnswer : {}));
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
      enforceRateLimits: false,
    }).start();
    const t = (await (
      await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: APP_ID, app_secret: APP_SECRET }),
      })
    ).json()) as { tenant_access_token: string };
    token = t.tenant_access_token;
    alice = emu.addUser('测试甲').openId;
    bob = emu.addUser('测试乙').openId;
    chatId = emu.createGroup({ name: '测试群', owner: alice, members: [bob] }).chatId;
  });

  afterAll(async () => {
    await emu?.close();
    await new Promise<void>((r) => hook?.close(() => r()));
  });

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as { code: number; msg: string; data?: El }) };
  }

  const send = (card: El) =>
    api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', {
      receive_id: chatId,
      msg_type: 'interactive',
      content: JSON.stringify(card),
    });

  async function sent(card: El): Promise<string> {
    const r = await send(card);
    expect(r.code, r.msg).toBe(0);
    return r.data?.message_id as string;
  }

  const good = cardOf([btn('好', { a: 'ok' })]);

  it('send: 230099 with the sub-code in the message for structure, 11310 for elements, 230025 for size', async () => {
    const unknown = await send(cardOf([btn('x', { a: 1 }, { colour: 'red' })]));
    expect([unknown.status, unknown.code]).toEqual([400, 230099]);
    expect(unknown.msg).toMatch(/ErrCode: 200621/);
    const many = await send(cardOf(Array.from({ length: 201 }, () => ({ tag: 'hr' }))));
    expect([many.status, many.code]).toEqual([400, 230099]);
    expect(many.msg).toMatch(/ErrCode: 11310/);
    const big = await send(cardOf([{ tag: 'markdown', content: '"'.repeat(9000) }]));
    expect([big.status, big.code]).toEqual([400, 230025]);
  });

  it('send: measures the real request body at the 30 KB boundary', async () => {
    const bodyOf = (n: number) =>
      JSON.stringify({
        receive_id: chatId,
        msg_type: 'interactive',
        content: JSON.stringify(cardOf([{ tag: 'markdown', content: 'a'.repeat(n) }])),
      });
    const n = MAX_CARD_BYTES - Buffer.byteLength(bodyOf(0));
    expect(Buffer.byteLength(bodyOf(n))).toBe(MAX_CARD_BYTES);
    expect((await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', bodyOf(n))).code).toBe(0);
    const over = await api('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', bodyOf(n + 1));
    expect(over.code).toBe(230025);
  });

  it('reply and PATCH refuse a bad card the same way', async () => {
    const id = await sent(good);
    const bad = JSON.stringify(cardOf([formOf([input({ max_length: 3000 }), submit()])]));
    const reply = await api('POST', `/open-apis/im/v1/messages/${id}/reply`, { msg_type: 'interactive', content: bad });
    expect([reply.code, reply.msg.includes('ErrCode: 200621')]).toEqual([230099, true]);
    const patch = await api('PATCH', `/open-apis/im/v1/messages/${id}`, { content: bad });
    expect([patch.status, patch.code]).toEqual([400, 230099]);
    const huge = JSON.stringify(cardOf([{ tag: 'markdown', content: '清'.repeat(11_000) }]));
    expect((await api('PATCH', `/open-apis/im/v1/messages/${id}`, { content: huge })).code).toBe(230025);
    expect((await api('PATCH', `/open-apis/im/v1/messages/${id}`, { content: JSON.stringify(good) })).code).toBe(0);
  });

  it('a bad card in a callback answer fails the click with 200673 and leaves the card as it was', async () => {
    const id = await sent(good);
    cardAnswer = { card: { type: 'raw', data: cardOf([table({ page_size: 20 })]) } };
    const r = await emu.click({ messageId: id, from: alice, value: { a: 'ok' } });
    expect(r.error).toMatch(/^200673/);
    expect(emu.requireMessage(id).version).toBe(0);
    cardAnswer = { toast: { type: 'success', content: '好' }, card: { type: 'raw', data: good } };
    const ok = await emu.click({ messageId: id, from: alice, value: { a: 'ok' } });
    expect(ok.error).toBeUndefined();
    expect(emu.requireMessage(id).version).toBe(1);
    cardAnswer = {};
  });

  it('the delayed update refuses a bad card with 230099 / 230025', async () => {
    const id = await sent(good);
    await emu.click({ messageId: id, from: alice, value: { a: 'ok' } });
    const t = callbacks.at(-1)?.token as string;
    const bad = await api('POST', '/open-apis/interactive/v1/card/update', {
      token: t,
      card: cardOf([{ tag: 'hr', bogus: 1 }]),
    });
    expect([bad.code, bad.msg.includes('ErrCode: 200621')]).toEqual([230099, true]);
    const big = await api('POST', '/open-apis/interactive/v1/card/update', {
      token: t,
      card: cardOf([{ tag: 'markdown', content: '清'.repeat(11_000) }]),
    });
    expect(big.code).toBe(230025);
  });

  it('a click on a component that is not on the card, or disabled, is refused', async () => {
    const id = await sent(cardOf([btn('好', { a: 'ok', id: 1 }), btn('灰', { a: 'grey' }, { disabled: true })]));
    const before = callbacks.length;
    await expect(emu.click({ messageId: id, from: alice, value: { a: 'ok', id: 2 } })).rejects.toThrow(/cannot press/);
    await expect(emu.click({ messageId: id, from: alice, value: { a: 'grey' } })).rejects.toThrow(/disabled/);
    await expect(
      emu.click({ messageId: id, from: alice, value: { id: 1, a: 'ok' }, tag: 'select_static' }),
    ).rejects.toThrow(/cannot press/);
    expect(callbacks.length).toBe(before);
    // Object key order does not matter.
    expect((await emu.click({ messageId: id, from: alice, value: { id: 1, a: 'ok' } })).error).toBeUndefined();
  });

  it('a button that the card no longer shows cannot be pressed', async () => {
    const id = await sent(cardOf([btn('旧', { a: 'old' })]));
    await api('PATCH', `/open-apis/im/v1/messages/${id}`, { content: JSON.stringify(good) });
    await expect(emu.click({ messageId: id, from: alice, value: { a: 'old' } })).rejects.toThrow(/cannot press/);
  });

  it('a form submit missing a required field is refused; multi-selects are required unless required: false', async () => {
    const form = cardOf([
      formOf([
        input({ required: true }),
        { tag: 'multi_select_person', name: 'people', options: [] },
        { tag: 'multi_select_static', name: 'tags', options: [], required: false },
        { tag: 'select_static', name: 'level', options: [], initial_option: 'low' },
        { tag: 'date_picker', name: 'due', required: true, initial_date: '2026-12-01' },
        { ...submit('go'), behaviors: callback({ a: 'submit' }) },
      ]),
    ]);
    const id = await sent(form);
    const click = (formValue?: El) =>
      emu.click({ messageId: id, from: bob, value: { a: 'submit' }, name: 'go', formValue });
    await expect(click({ people: ['ou_x'] })).rejects.toThrow(/有必填项未填写：[^、]*\(reason\):/);
    await expect(click({ reason: '', people: ['ou_x'] })).rejects.toThrow(/reason/);
    await expect(click({ reason: '原因' })).rejects.toThrow(/people/);
    await expect(click({ reason: '原因', people: [] })).rejects.toThrow(/people/);
    await expect(click(undefined)).rejects.toThrow(/\(reason\)、people \(people\)/);
    // The client does not trim: spaces are sent, and the bot's own check must refuse them.
    expect((await click({ reason: '  ', people: ['ou_x'] })).error).toBeUndefined();
    const ok = await click({ reason: '原因', people: ['ou_x'] });
    expect(ok.error).toBeUndefined();
    expect((callbacks.at(-1)?.action as El | undefined)?.form_value).toEqual({ reason: '原因', people: ['ou_x'] });
  });

  it('bypassClient delivers a forged callback the client would never send', async () => {
    const id = await sent(good);
    const before = callbacks.length;
    const forged = { a: 'ok', id: 99 };
    await expect(emu.click({ messageId: id, from: alice, value: forged })).rejects.toThrow(/cannot press/);
    expect((await emu.click({ messageId: id, from: alice, value: forged, bypassClient: true })).error).toBeUndefined();
    expect(callbacks.length).toBe(before + 1);
    expect((callbacks.at(-1)?.action as El | undefined)?.value).toEqual(forged);
  });

  it('form_value comes only with a submit button', async () => {
    const id = await sent(good);
    await expect(emu.click({ messageId: id, from: alice, value: { a: 'ok' }, formValue: { x: 1 } })).rejects.toThrow(
      /form_value/,
    );
  });

  it('an Open API route the emulator does not serve is answered 404 and fails the harness at stop', async () => {
    const r = await api('GET', '/open-apis/im/v1/pins');
    expect([r.status, r.code]).toEqual([404, 404]);
    expect(() => assertServedOnly(emu)).toThrow(/GET \/open-apis\/im\/v1\/pins/);
    emu.store.unexpected.length = 0;
    expect(() => assertServedOnly(emu)).not.toThrow();
  });
});
