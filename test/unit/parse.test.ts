// Command parsing (src/router/parse.ts) and argument schemas (src/core/args.ts): the bot's own mention,
// full-width slash and spaces, Chinese separators, quoted phrases, mentions glued to words, unknown
// mention keys and @_all, `tail` text, unclosed quotes, empty and over-long input, name normalisation
// and edit distance; a property test that the parser is total; ArgReader's mention/rest/done messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgReader, argSchema } from '../../src/core/args.ts';
import type { ArgToken } from '../../src/core/contracts.ts';
import { editDistance, type MentionRef, normalizeWord, parseCommandText } from '../../src/router/parse.ts';

const BOT = 'ou_bot';
const mentions: MentionRef[] = [
  { key: '@_user_1', openId: BOT, name: '清风' },
  { key: '@_user_2', openId: 'ou_wang', name: '王纪检' },
  { key: '@_user_3', openId: 'ou_li', name: '李书记' },
];

const word = (text: string, tail: string): ArgToken => ({ kind: 'word', text, tail });
const mention = (openId: string, name: string, tail: string): ArgToken => ({ kind: 'mention', openId, name, tail });

function command(text: string) {
  const r = parseCommandText(text, mentions, BOT);
  if (r.kind !== 'command') throw new Error(`expected a command for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r;
}

describe('parseCommandText: real inputs', () => {
  const table: { text: string; word: string; tokens: ArgToken[] }[] = [
    { text: '@_user_1 /帮助', word: '帮助', tokens: [] },
    { text: '／帮助', word: '帮助', tokens: [] },
    { text: '@_user_1　／帮助　', word: '帮助', tokens: [] },
    {
      text: '/角色　@_user_2　纪检委员',
      word: '角色',
      tokens: [mention('ou_wang', '王纪检', '@王纪检　纪检委员'), word('纪检委员', '纪检委员')],
    },
    { text: '/绑定：第一党支部', word: '绑定', tokens: [word('第一党支部', '第一党支部')] },
    {
      text: '/角色 @_user_2，书记',
      word: '角色',
      tokens: [mention('ou_wang', '王纪检', '@王纪检，书记'), word('书记', '书记')],
    },
    { text: '/绑定 "第一 党支部"', word: '绑定', tokens: [word('第一 党支部', '"第一 党支部"')] },
    { text: '/绑定 “第一 党支部”', word: '绑定', tokens: [word('第一 党支部', '“第一 党支部”')] },
    { text: '/绑定 「第一 党支部」', word: '绑定', tokens: [word('第一 党支部', '「第一 党支部」')] },
    {
      text: '/角色 @_user_2书记',
      word: '角色',
      tokens: [mention('ou_wang', '王纪检', '@王纪检书记'), word('书记', '书记')],
    },
    {
      text: '/角色 @_user_9 书记',
      word: '角色',
      tokens: [word('@_user_9', '@_user_9 书记'), word('书记', '书记')],
    },
    { text: '/提醒 @_all 开会', word: '提醒', tokens: [word('@_all', '@_all 开会'), word('开会', '开会')] },
    { text: '/HELP', word: 'help', tokens: [] },
    { text: '/ＨＥＬＰ', word: 'help', tokens: [] },
    {
      // The bot's key is @_user_1, not a prefix of @_user_12.
      text: '/角色 @_user_12 党员',
      word: '角色',
      tokens: [word('@_user_12', '@_user_12 党员'), word('党员', '党员')],
    },
  ];

  for (const row of table) {
    it(`${row.text} → ${row.word}`, () => {
      const r = command(row.text);
      expect(r.word).toBe(row.word);
      expect(r.explicit).toBe(true);
      expect(r.tokens).toEqual(row.tokens);
    });
  }

  it('takes a leading mention as the bot when the bot id is unknown', () => {
    expect(parseCommandText('@_user_1 /帮助', mentions)).toEqual({
      kind: 'command',
      word: '帮助',
      explicit: true,
      tokens: [],
    });
  });

  it('keeps the bot mention out of the arguments wherever it appears', () => {
    const r = command('/角色 @_user_2 @_user_1 书记');
    expect(r.tokens.map((t) => (t.kind === 'word' ? t.text : `@${t.name}`))).toEqual(['@王纪检', '书记']);
  });

  it('splits the command word from a mention typed right after it', () => {
    // Typing "/角色" and then picking a person in the @ menu gives "/角色@_user_2".
    const r = command('/角色@_user_2 纪检委员');
    expect(r.word).toBe('角色');
    expect(r.tokens).toEqual([mention('ou_wang', '王纪检', '@王纪检 纪检委员'), word('纪检委员', '纪检委员')]);
  });

  it('shows a mention without an open_id (an outside user) by name, as a word', () => {
    const r = parseCommandText('/角色 @_user_4 党员', [{ key: '@_user_4', openId: undefined, name: '外部用户' }], BOT);
    expect(r).toMatchObject({ kind: 'command', tokens: [{ kind: 'word', text: '@外部用户' }, { text: '党员' }] });
  });

  it('keeps the raw remaining text in `tail`, Chinese commas included, mentions as @name', () => {
    const r = command('/请假 @_user_2 因公出差，下周一返回，请知悉　');
    expect(r.tokens[0]).toEqual(mention('ou_wang', '王纪检', '@王纪检 因公出差，下周一返回，请知悉'));
    expect(r.tokens[1]).toEqual(word('因公出差', '因公出差，下周一返回，请知悉'));
    expect(r.tokens.at(-1)).toEqual(word('请知悉', '请知悉'));
    const quoted = command('/整改 @_user_3 “问题 一” 已整改，见 @_user_2');
    expect(quoted.tokens[1]?.tail).toBe('“问题 一” 已整改，见 @王纪检');
  });

  it('marks a message without a slash as not explicit', () => {
    expect(parseCommandText('@_user_1 帮助', mentions, BOT)).toEqual({
      kind: 'command',
      word: '帮助',
      explicit: false,
      tokens: [],
    });
    expect(command('/帮助').explicit).toBe(true);
  });

  const nothing = ['', '   ', '　', '@_user_1', '  @_user_1　 ', '@_user_1 @_user_1'];
  for (const text of nothing) {
    it(`${JSON.stringify(text)} is not a command`, () => {
      expect(parseCommandText(text, mentions, BOT)).toEqual({ kind: 'none' });
    });
  }

  const errors: { text: string; includes: string }[] = [
    { text: '/绑定 “第一党支部', includes: '引号' },
    { text: '/绑定 "第一党支部', includes: '引号' },
    { text: '/绑定 「第一党支部', includes: '」' },
    { text: '/', includes: '命令名' },
    { text: '／　', includes: '命令名' },
    { text: `/提醒 ${'学'.repeat(10_001)}`, includes: '太长' },
  ];
  for (const row of errors) {
    it(`${JSON.stringify(row.text.slice(0, 20))} is an error in Chinese`, () => {
      const r = parseCommandText(row.text, mentions, BOT);
      expect(r.kind).toBe('error');
      if (r.kind !== 'error') return;
      expect(r.message).toContain(row.includes);
      expect(r.message).toMatch(/[\u4e00-\u9fff]/);
    });
  }

  it('accepts exactly 10,000 characters and refuses one more', () => {
    const ok = `/提醒 ${'a'.repeat(10_000 - 4)}`;
    expect(ok.length).toBe(10_000);
    expect(parseCommandText(ok, mentions, BOT).kind).toBe('command');
    expect(parseCommandText(`${ok}b`, mentions, BOT).kind).toBe('error');
  });

  it('never yields an empty word for an empty quoted phrase', () => {
    for (const text of ['/绑定 “”', '/绑定 ""', '/绑定 「」 第一党支部']) {
      const r = parseCommandText(text, mentions, BOT);
      if (r.kind === 'command') {
        expect(
          r.tokens.filter((t) => t.kind === 'word' && t.text === ''),
          text,
        ).toEqual([]);
      } else {
        expect(r.kind, text).toBe('error');
      }
    }
  });
});

describe('normalizeWord and editDistance', () => {
  const table: [string, string][] = [
    ['/HELP', 'help'],
    ['／帮助', '帮助'],
    ['Ｈｅｌｐ', 'help'],
    ['帮助', '帮助'],
    ['/Role', 'role'],
  ];
  for (const [input, out] of table) {
    it(`${input} → ${out}`, () => expect(normalizeWord(input)).toBe(out));
  }

  it('counts edits in characters, not UTF-16 units', () => {
    expect(editDistance('帮助', '帮助')).toBe(0);
    expect(editDistance('帮助', '帮主')).toBe(1);
    expect(editDistance('绑定', '绑定组织')).toBe(2);
    expect(editDistance('', '角色')).toBe(2);
    expect(editDistance('help', 'hlep')).toBe(2);
    expect(editDistance('remind', 'remid')).toBe(1);
    expect(editDistance('😀a', '😀b')).toBe(1);
  });

  it('is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCommandText: any input', () => {
  const pieces = [
    '/',
    '／',
    ' ',
    '　',
    '，',
    '：',
    '"',
    '“',
    '”',
    '「',
    '」',
    '『',
    '』',
    "'",
    '‘',
    '’',
    '""',
    '「」',
    '@_user_1',
    '@_user_2',
    '@_user_9',
    '@_all',
    '@',
    '_',
    '帮助',
    '角色',
    '书记',
    '第一党支部',
    '整改',
    '\n',
    '\t',
    'a',
    '1',
  ];
  const chineseish = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((p) => p.join(''));
  const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), chineseish);

  it('never throws and returns none, a command of non-empty words and mentions, or an error', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, knowsBot) => {
        const r = parseCommandText(text, mentions, knowsBot ? BOT : undefined);
        expect(['none', 'command', 'error']).toContain(r.kind);
        if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(0);
        if (r.kind !== 'command') return;
        expect(r.word.length).toBeGreaterThan(0);
        for (const t of r.tokens) {
          if (t.kind === 'mention') {
            expect(t.openId).toMatch(/^ou_/);
            if (knowsBot) expect(t.openId).not.toBe(BOT);
          } else {
            expect(t.text.length).toBeGreaterThan(0);
          }
          expect(t.tail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('argSchema and ArgReader', () => {
  const roleArgs = argSchema((r) => ({ who: r.mention('成员'), role: r.word('角色') }));
  const reasonArgs = argSchema((r) => ({
    who: r.mention('成员'),
    reason: r.rest('原因', { required: true, max: 20 }),
  }));
  const tokensOf = (text: string) => command(text).tokens;

  it('reads a mention and a word', () => {
    const r = roleArgs.safeParse(tokensOf('/角色 @_user_2 纪检委员'));
    expect(r.success && r.data).toEqual({ who: { openId: 'ou_wang', name: '王纪检' }, role: '纪检委员' });
  });

  it('asks for an @ when the mention is missing', () => {
    const r = roleArgs.safeParse(tokensOf('/角色 王纪检 纪检委员'));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('@');
  });

  it('names the missing word', () => {
    const r = roleArgs.safeParse(tokensOf('/角色 @_user_2'));
    expect(r.error?.issues[0]?.message).toBe('缺少角色。');
  });

  it('refuses leftover tokens', () => {
    const r = roleArgs.safeParse(tokensOf('/角色 @_user_2 纪检委员 组织委员'));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('多余的参数');
    expect(r.error?.issues[0]?.message).toContain('组织委员');
  });

  it('rest() returns the whole raw tail of several tokens', () => {
    const r = reasonArgs.safeParse(tokensOf('/请假 @_user_2 因公出差，“下周一” 返回'));
    expect(r.success && r.data.reason).toBe('因公出差，“下周一” 返回');
  });

  it('rest() strips the quotes of a single quoted phrase', () => {
    const r = reasonArgs.safeParse(tokensOf('/请假 @_user_2 「因公 出差」'));
    expect(r.success && r.data.reason).toBe('因公 出差');
  });

  it('rest() enforces its maximum length in characters', () => {
    const ok = reasonArgs.safeParse(tokensOf(`/请假 @_user_2 ${'差'.repeat(20)}`));
    expect(ok.success).toBe(true);
    const long = reasonArgs.safeParse(tokensOf(`/请假 @_user_2 ${'差'.repeat(21)}`));
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.message).toContain('太长');
  });

  it('rest() with required reports what is missing', () => {
    const r = reasonArgs.safeParse(tokensOf('/请假 @_user_2'));
    expect(r.error?.issues[0]?.message).toBe('缺少原因。');
  });

  it('ArgReader reports what remains and peeks without consuming', () => {
    const reader = new ArgReader(tokensOf('/绑定 第一党支部 @_user_2'));
    expect(reader.remaining).toBe(2);
    expect(reader.peek()).toMatchObject({ kind: 'word', text: '第一党支部' });
    expect(reader.optionalWord()).toBe('第一党支部');
    expect(reader.optionalWord()).toBeUndefined();
    expect(reader.remaining).toBe(1);
    expect(() => reader.word('组织名')).toThrow('组织名应为文字');
  });
});
