// Safe user text (src/cards/text.ts): @all, links, emphasis, tags, list/heading markers, invisible
// characters and huge strings never survive md/plain, lengths are capped, mentions only for real
// open_ids. Card builders (parts.ts, help/me/welcome cards) pass the emulator's checkCard, contain no
// `undefined` and stay under 30 KB, also with 60 long commands; checkCard refuses each broken shape.
import { describe, expect, it } from 'vitest';
import { buildFullHelpCard, buildHelpCard, type HelpView } from '../../src/cards/help-card.ts';
import { buildMeCard, meElements } from '../../src/cards/me-card.ts';
import {
  button,
  buttonRow,
  card,
  collapsible,
  columns,
  datePicker,
  dateTimePicker,
  divider,
  form,
  input,
  markdown,
  person,
  personPicker,
  plainText,
  selectStatic,
  table,
} from '../../src/cards/parts.ts';
import { clean, isOpenId, md, mdMention, plain, safeText, textMention, textMessage } from '../../src/cards/text.ts';
import { buildWelcomeCard } from '../../src/cards/welcome-card.ts';
import type { Card, CardElement } from '../../src/core/card.ts';
import { checkCard, MAX_CARD_BYTES } from '../../src/sandbox/card-check.ts';

const HOSTILE: string[] = [
  '<at id=all></at>',
  '<at user_id="all">所有人</at>',
  '请大家注意<at id=all></at>开会',
  '[x](http://evil)',
  '点击[领取补贴](https://evil.example/领取)',
  '**bold**',
  '<font color=red>紧急</font>',
  '<link url=http://evil>链接</link>',
  '- 第一条',
  '# 大标题',
  '1. 第一',
  'a\u200bb\u200c\u200dc\u202ed\ufeffe\u2060f',
  '</at><at id=all>',
];

describe('md(): user text inside card markdown', () => {
  for (const s of HOSTILE) {
    it(`neutralises ${JSON.stringify(s)}`, () => {
      const out = md(s);
      expect(out).not.toMatch(/<at/i);
      expect(out).not.toContain('](');
      expect(out).not.toContain('<');
      expect(out).not.toContain('**');
      expect(out).not.toMatch(/^\s*([-+#]|\d+\.)(\s|$)/m);
      expect(out).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/);
    });
  }

  it('keeps ordinary Chinese text as it is', () => {
    expect(md('第一党支部：整改台账已更新，请于周五前反馈。')).toBe('第一党支部：整改台账已更新，请于周五前反馈。');
  });

  it('neutralises markers on every line', () => {
    const out = md('说明\n- 一\n  # 二\n3. 三');
    expect(out.split('\n').filter((l) => /^\s*([-+#]|\d+\.)\s/.test(l))).toEqual([]);
  });

  it('does not let a line of dashes become a divider', () => {
    expect(md('上文\n---\n下文').split('\n')).not.toContain('---');
  });

  it('caps length in characters before escaping', () => {
    expect(Array.from(md('学'.repeat(100_000))).length).toBeLessThanOrEqual(2000);
    expect(md('x'.repeat(100_000))).toMatch(/…$/);
    expect(Array.from(md('x'.repeat(100_000), 50)).length).toBe(50);
    expect(md('<'.repeat(100_000)).length).toBeLessThanOrEqual(2000 * '&lt;'.length);
  });
});

describe('plain(): user text inside a text message', () => {
  for (const s of HOSTILE) {
    it(`neutralises ${JSON.stringify(s)}`, () => {
      const out = plain(s);
      expect(out).not.toMatch(/<at/i);
      expect(out).not.toContain('<');
      expect(out).not.toContain('](');
      expect(out).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/);
    });
  }

  it('caps a 100k-character string', () => {
    const out = plain('<at id=all>'.repeat(10_000));
    expect(Array.from(out).length).toBeLessThanOrEqual(2000);
    expect(out).not.toContain('<');
  });
});

describe('clean() and mentions', () => {
  it('removes controls and invisible characters but keeps tabs and newlines', () => {
    expect(clean('整\u0000改\u0007\t台账\r\n完成\u200b\u202e\u2064\ufeff')).toBe('整改\t台账\n完成');
  });

  it('cuts to max characters with an ellipsis, counting code points', () => {
    expect(clean('😀'.repeat(10), 5)).toBe('😀😀😀😀…');
    expect(clean('清风', 2)).toBe('清风');
    expect(Array.from(clean('a'.repeat(100_000))).length).toBe(2000);
  });

  it('mentions only real open_ids', () => {
    expect(mdMention('ou_7d8a6e6df7621556ce0d21922b676706')).toBe('<at id=ou_7d8a6e6df7621556ce0d21922b676706></at>');
    for (const id of ['all', '', 'ou_a></at><at id=all', 'ou_a b', 'on_union', 'oc_chat']) {
      expect(mdMention(id), id).toBe('');
      expect(isOpenId(id), id).toBe(false);
    }
    expect(textMention('ou_abc', '王纪检').markup).toBe('<at user_id="ou_abc">王纪检</at>');
    expect(textMention('all', '所有人').markup).toBe('所有人');
    expect(textMention('ou_abc', '</at><at user_id="all">').markup).not.toMatch(/<at user_id="all"/);
    expect(textMention('ou_abc', '名'.repeat(100)).markup.length).toBeLessThan(100);
  });

  it('builds text messages whose every interpolated text is shown literally', () => {
    const stored = [
      '<at user_id="all">所有人</at>',
      '<at id=all></at>',
      '<at user_id="ou_x"></at>',
      '[链接](http://x)',
    ];
    for (const s of stored) {
      const { type, text } = textMessage`批次：${s}（共 ${3} 项）`;
      expect(type).toBe('text');
      expect(text, s).not.toMatch(/<at|\[[^\]]*\]\(/);
      expect(safeText`${s}`, s).toBe(plain(s, Number.POSITIVE_INFINITY));
    }
    // Only the bot's own mention stays markup; the name inside it is escaped too.
    const m = textMessage`${textMention('ou_abc', '王<b>')} 请处理${'<at user_id="all"></at>'}`;
    expect(m.text).toBe('<at user_id="ou_abc">王＜b＞</at> 请处理＜at user_id="all"＞＜/at＞');
    // Values are not cut (callers cut with clip or plain(s, n) where a limit matters); lines are kept.
    expect(safeText`${'学'.repeat(3000)}\n${'a\nb'}`).toBe(`${'学'.repeat(3000)}\na\nb`);
  });
});

function expectGoodCard(c: Card): void {
  const json = JSON.stringify(c);
  expect(checkCard(json)).toBeUndefined();
  expect(json).not.toContain('undefined');
  expect(JSON.stringify(JSON.parse(json))).toBe(json);
  expect(Buffer.byteLength(json, 'utf8')).toBeLessThan(MAX_CARD_BYTES);
  expect(c.schema).toBe('2.0');
  expect(c.config.update_multi).toBe(true);
}

const AREAS: HelpView['areas'] = [
  {
    title: '群与设置',
    commands: [
      { name: 'bind', spelled: '绑定', summary: '把本群绑定到党组织（群主或系统管理员）', example: '/绑定 第一党支部' },
      { name: 'role', spelled: '角色', summary: '设置成员角色', example: '/角色 @成员 纪检委员' },
    ],
  },
];
const QUICK: HelpView['quick'] = [{ key: 'calendar', label: '合规日历', command: '/日历' }];
const HELP = { chatType: 'group' as const, quick: QUICK, areas: AREAS };

describe('card builders', () => {
  const cards: Record<string, Card> = {
    'help, bound group': buildHelpCard({ ...HELP, orgName: '第一党支部', orgId: 1 }),
    'help, unbound, no commands': buildHelpCard({
      orgName: undefined,
      orgId: undefined,
      chatType: 'group',
      quick: [],
      areas: [],
    }),
    'help with the 我的 panel': buildHelpCard({
      ...HELP,
      orgName: '<at id=all></at>机关党委',
      orgId: 7,
      panel: { title: '我的 · 王纪检', elements: meElements({ name: '王纪检', memberships: [], open: [] }) },
    }),
    'me, two orgs': buildMeCard({
      name: '王纪检',
      memberships: [
        { orgName: '第一党支部', role: 'inspector', awayUntil: null },
        { orgName: '**机关**[党委](http://x)', role: 'secretary', awayUntil: '2026-12-10' },
      ],
      open: [
        {
          kind: '整改',
          id: 3,
          title: '<at id=all></at> 问题',
          deadline: '2026-12-01',
          status: '整改中',
          overdue: true,
        },
      ],
    }),
    'me, no name, no orgs': buildMeCard({ name: undefined, memberships: [], open: [] }),
    'welcome, unbound': buildWelcomeCard({ orgName: undefined }),
    'welcome, bound': buildWelcomeCard({ orgName: '第一党支部' }),
  };
  for (const [name, c] of Object.entries(cards)) {
    it(`${name} passes checkCard`, () => expectGoodCard(c));
  }

  it('escapes user text that lands in markdown', () => {
    const markdownOf = (c: Card) => {
      const out: string[] = [];
      const visit = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (o.tag === 'markdown' && typeof o.content === 'string') out.push(o.content);
          Object.values(o).forEach(visit);
        }
      };
      visit(c);
      return out.join('\n');
    };
    const help = cards['help with the 我的 panel'] as Card;
    expect(help.header?.subtitle?.content).toBe('当前组织：<at id=all></at>机关党委');
    expect(markdownOf(help)).not.toMatch(/<at id=all/);
    expect(markdownOf(cards['me, two orgs'] as Card)).not.toContain('](http');
    expect(markdownOf(cards['me, two orgs'] as Card)).not.toContain('**机关**');
  });

  it('gives the help buttons their action, command and org', () => {
    const json = JSON.stringify(cards['help, bound group']);
    expect(json).toContain('"a":"help.run","cmd":"me","o":1');
    expect(JSON.stringify(cards['help, unbound, no commands'])).not.toContain('"o":');
  });

  const manyCommands = (repeat: number) =>
    Array.from({ length: 60 }, (_, i) => ({
      name: `command-number-${i}`,
      spelled: `整改督办命令${i}`,
      summary: `对第${i}项整改任务进行督办提醒，逾期后自动升级到上级党组织和纪检委员，并记录在主体责任清单中`.repeat(
        repeat,
      ),
      example: `/整改督办命令${i} @责任人 “第一党支部 2026 年第二季度专项整改” 2026-10-31 备注`.repeat(repeat),
    }));
  const manyAreas = (repeat: number) => [
    { title: '整改', commands: manyCommands(repeat).slice(0, 30) },
    { title: '任务与清单', commands: manyCommands(repeat).slice(30) },
  ];

  it('builds a help card and the full list for 60 commands', () => {
    const c = buildHelpCard({
      ...HELP,
      orgName: '中共某某市某某区机关工作委员会第一党支部',
      orgId: 12,
      areas: manyAreas(1),
    });
    expectGoodCard(c);
    expect(JSON.stringify(c)).toContain('整改督办命令59');
    const all = buildFullHelpCard({ orgName: '第一党支部', orgId: 12, areas: manyAreas(1) });
    expectGoodCard(all);
    expect(JSON.stringify(all)).toContain('（/command-number-59）');
  });

  it('builds a valid help card for 60 commands with long summaries and usages', () => {
    // ~95-character summaries and ~125-character examples: the cards must still be sendable.
    expectGoodCard(buildHelpCard({ ...HELP, orgName: '第一党支部', orgId: 12, areas: manyAreas(2) }));
    expectGoodCard(buildFullHelpCard({ orgName: '第一党支部', orgId: 12, areas: manyAreas(2) }));
  });

  it('every part builder fits in a valid card', () => {
    const c = card({
      title: '整改台账\u200b',
      subtitle: '第一党支部',
      template: 'orange',
      summary: '整改台账',
      tags: [
        { text: '逾期', color: 'red' },
        { text: '督办', color: 'orange' },
        { text: '三', color: 'blue' },
        { text: '四', color: 'grey' },
      ],
      elements: [
        markdown('**整改事项**'),
        plainText('<at id=all></at> 用户原文', { grey: true }),
        divider(),
        person('ou_abc'),
        columns([[markdown('左')], [markdown('右')]]),
        collapsible('明细', [
          markdown('内容'),
          table({ columns: [{ name: 'n', title: '事项' }], rows: [{ n: '整改' }] }),
        ]),
        buttonRow([
          button({ text: '完成', type: 'primary', value: { a: 'rectify.done', id: 1 } }),
          button({
            text: '删除',
            type: 'danger',
            value: { a: 'rectify.delete', id: 1 },
            confirm: { title: '确认', text: '删除？' },
          }),
        ]),
        form('rectify_form', [
          input({ name: 'title', label: '事项', required: true, maxLength: 100, defaultValue: '原有内容' }),
          input({ name: 'detail', label: '说明', multiline: true, placeholder: '请填写' }),
          selectStatic({
            name: 'role',
            placeholder: '角色',
            options: [{ text: '书记', value: 'secretary' }],
            initial: 'secretary',
          }),
          selectStatic({
            name: 'tags',
            placeholder: '标签',
            options: [{ text: '紧急', value: 'urgent' }],
            multi: true,
          }),
          datePicker({ name: 'due', placeholder: '截止日期', initial: '2026-10-31', required: true }),
          dateTimePicker({ name: 'at', placeholder: '提醒时间' }),
          personPicker({ name: 'owner', placeholder: '责任人', openIds: ['ou_abc'] }),
          personPicker({ name: 'helpers', placeholder: '协办人', multi: true }),
          button({ text: '提交', type: 'primary', value: { a: 'rectify.submit' }, submit: { name: 'submit' } }),
        ]),
      ],
    });
    expectGoodCard(c);
    expect(c.header?.text_tag_list).toHaveLength(3);
    expect(c.header?.title.content).toBe('整改台账');
  });
});

describe('checkCard refuses', () => {
  const base = (elements: CardElement[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ schema: '2.0', config: { update_multi: true }, body: { elements }, ...extra });
  const submit = { tag: 'button', text: { tag: 'plain_text', content: '提交' }, name: 's', form_action_type: 'submit' };
  const field = { tag: 'input', name: 'title' };

  const bad: { why: string; content: string; code: number }[] = [
    { why: 'a form without a name', content: base([{ tag: 'form', elements: [field, submit] }]), code: 200530 },
    {
      why: 'a form without a submit button',
      content: base([{ tag: 'form', name: 'f', elements: [field] }]),
      code: 200621,
    },
    {
      why: 'a form field without a name',
      content: base([{ tag: 'form', name: 'f', elements: [{ tag: 'input' }, submit] }]),
      code: 200530,
    },
    { why: 'an unknown tag', content: base([{ tag: 'note', elements: [] }]), code: 200621 },
    { why: 'the 1.0 action module', content: base([{ tag: 'action', actions: [] }]), code: 200621 },
    {
      why: 'more than 200 elements',
      content: base(Array.from({ length: 201 }, () => ({ tag: 'hr' }))),
      code: 11310,
    },
    { why: 'more than 30 KB', content: base([{ tag: 'markdown', content: '清'.repeat(11_000) }]), code: 230025 },
    {
      why: 'multi_select_static outside a form',
      content: base([{ tag: 'multi_select_static', name: 'm', options: [] }]),
      code: 200621,
    },
    {
      why: 'multi_select_person outside a form',
      content: base([{ tag: 'multi_select_person', name: 'm', options: [] }]),
      code: 200621,
    },
    { why: 'schema 1.0', content: JSON.stringify({ config: { update_multi: true }, elements: [] }), code: 200621 },
    { why: 'schema "1.0"', content: base([], { schema: '1.0' }), code: 200621 },
    { why: 'update_multi false', content: base([], { config: { update_multi: false } }), code: 200621 },
    {
      why: 'a form nested in a column',
      content: base([
        {
          tag: 'column_set',
          columns: [{ tag: 'column', elements: [{ tag: 'form', name: 'f', elements: [field, submit] }] }],
        },
      ]),
      code: 200621,
    },
    {
      why: 'a form in a collapsible panel',
      content: base([{ tag: 'collapsible_panel', elements: [{ tag: 'form', name: 'f', elements: [field, submit] }] }]),
      code: 200621,
    },
    {
      why: 'a table in a form',
      content: base([{ tag: 'form', name: 'f', elements: [{ tag: 'table' }, submit] }]),
      code: 200621,
    },
    { why: 'not JSON', content: '{"schema":"2.0",', code: 200621 },
    { why: 'no body', content: JSON.stringify({ schema: '2.0', config: {} }), code: 200621 },
  ];
  for (const b of bad) {
    it(b.why, () => {
      const problem = checkCard(b.content);
      expect(problem).toBeDefined();
      expect(problem?.code).toBe(b.code);
      expect(problem?.message.length).toBeGreaterThan(0);
    });
  }

  it('accepts exactly 200 elements and a proper form', () => {
    expect(checkCard(base(Array.from({ length: 200 }, () => ({ tag: 'hr' }))))).toBeUndefined();
    expect(checkCard(base([{ tag: 'form', name: 'f', elements: [field, submit] }]))).toBeUndefined();
  });
});
