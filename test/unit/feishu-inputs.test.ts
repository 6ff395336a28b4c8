/**
 * The pure parts of reading what Feishu sends: a rich-text (post) message's text, the bot's mention
 * while its id is unknown, a 加急 refused through `invalid_user_id_list`, and the retries that read
 * the bot's identity.
 */
import { describe, expect, it } from 'vitest';
import { BotIdentity } from '../../src/feishu/bot-identity.ts';
import { classifyFailure, UrgentRefusedError } from '../../src/feishu/errors.ts';
import { normalizeMessage, postText } from '../../src/feishu/events.ts';
import { parseCommandText } from '../../src/router/parse.ts';
import { captureLogs } from '../helpers/logs.ts';
import { until } from '../helpers/wait.ts';

/** A post as the receive event carries it (接收消息内容结构): no language key, `at` with the mention key. */
const postEvent = (content: unknown, mentions: { key: string; open_id: string; name: string }[]) => ({
  event_id: 'ev_1',
  sender: { sender_id: { open_id: 'ou_sender' }, sender_type: 'user' },
  message: {
    message_id: 'om_1',
    chat_id: 'oc_1',
    chat_type: 'group',
    message_type: 'post',
    content: JSON.stringify(content),
    mentions: mentions.map((m) => ({ key: m.key, id: { open_id: m.open_id }, name: m.name })),
  },
});

describe('postText', () => {
  it('reads paragraphs as lines, mentions as their keys, and drops images and emoji', () => {
    expect(
      postText({
        title: '通知',
        content: [
          [
            { tag: 'at', user_id: '@_user_1', user_name: '清风', style: [] },
            { tag: 'text', text: ' /角色', style: ['bold'] },
            { tag: 'at', user_id: '@_user_2', user_name: '王纪检' },
          ],
          [
            { tag: 'img', image_key: 'img_1' },
            { tag: 'text', text: '纪检委员' },
            { tag: 'emotion', emoji_type: 'SMILE' },
          ],
          [{ tag: 'a', text: '链接', href: 'https://example.com' }],
        ],
      }),
    ).toBe(' @_user_1  /角色 @_user_2 \n纪检委员\n链接');
  });

  it('reads the language-keyed shape too, and nothing from a content that is no post', () => {
    expect(postText({ zh_cn: { title: '', content: [[{ tag: 'text', text: '/帮助' }]] } })).toBe('/帮助');
    expect(postText({ text: '/帮助' })).toBeUndefined();
    expect(postText({ content: 'x' })).toBeUndefined();
  });

  it('keeps only the name of an `at` that carries a raw id instead of a mention key', () => {
    expect(
      postText({
        content: [
          [
            { tag: 'at', user_id: 'ou_x', user_name: '张三' },
            { tag: 'text', text: '你好' },
          ],
        ],
      }),
    ).toBe(' @张三 你好');
  });
});

describe('a post command, normalised and parsed', () => {
  const mentions = [
    { key: '@_user_1', open_id: 'ou_bot', name: '清风' },
    { key: '@_user_2', open_id: 'ou_wang', name: '王纪检' },
  ];
  const msg = normalizeMessage(
    postEvent(
      {
        title: '',
        content: [
          [
            { tag: 'at', user_id: '@_user_1', user_name: '清风' },
            { tag: 'text', text: ' /角色 ' },
            { tag: 'at', user_id: '@_user_2', user_name: '王纪检' },
            { tag: 'text', text: ' 纪检委员' },
          ],
        ],
      },
      mentions,
    ),
  );

  it('has the text of the post and its mentions', () => {
    expect(msg?.messageType).toBe('post');
    expect(msg?.mentions.map((m) => m.openId)).toEqual(['ou_bot', 'ou_wang']);
  });

  it('parses like the same command typed as text', () => {
    const asPost = parseCommandText(msg?.text ?? '', msg?.mentions ?? [], 'ou_bot');
    const asText = parseCommandText('@_user_1 /角色 @_user_2 纪检委员', msg?.mentions ?? [], 'ou_bot');
    expect(asPost).toMatchObject({ kind: 'command', word: '角色', explicit: true });
    expect(asPost.kind === 'command' && asPost.tokens.map((t) => (t.kind === 'mention' ? t.openId : t.text))).toEqual([
      'ou_wang',
      '纪检委员',
    ]);
    expect(asText.kind === 'command' && asText.tokens.map((t) => t.kind)).toEqual(
      asPost.kind === 'command' && asPost.tokens.map((t) => t.kind),
    );
  });
});

describe('the bot mention while the bot id is unknown', () => {
  const mentions = [
    { key: '@_user_1', openId: 'ou_zhang', name: '张三' },
    { key: '@_user_2', openId: 'ou_bot', name: '清风' },
    { key: '@_user_3', openId: 'ou_wang', name: '王纪检' },
  ];

  it('takes every mention in front of the command as addressing the bot', () => {
    expect(parseCommandText('@_user_1 @_user_2 /帮助', mentions)).toEqual({
      kind: 'command',
      word: '帮助',
      explicit: true,
      tokens: [],
    });
  });

  it('keeps a mention after the command word as an argument', () => {
    const r = parseCommandText('@_user_2 /角色 @_user_3 纪检委员', mentions);
    expect(r.kind === 'command' && r.tokens.map((t) => (t.kind === 'mention' ? t.openId : t.text))).toEqual([
      'ou_wang',
      '纪检委员',
    ]);
  });
});

describe('a 加急 answered with invalid_user_id_list', () => {
  it('is a permanent failure naming the people it did not reach', () => {
    const f = classifyFailure(new UrgentRefusedError(['ou_x']));
    expect(f).toMatchObject({ cls: 'permanent', refusedUsers: ['ou_x'] });
    expect(f.summary).toMatch(/invalid_user_id_list/);
  });
});

describe('BotIdentity', () => {
  const quiet = () => captureLogs('warn').logger;

  it('tries again, with growing waits, until an open_id comes back', async () => {
    const answers: (string | undefined | Error)[] = [new Error('HTTP 500'), undefined, new Error('timeout'), 'ou_bot'];
    let calls = 0;
    const identity = new BotIdentity({
      fetch: async () => {
        const a = answers[calls++];
        if (a instanceof Error) throw a;
        return a;
      },
      logger: quiet(),
      firstDelayMs: 1,
    });
    identity.start();
    expect(identity.openId).toBeUndefined();
    expect(await identity.known).toBe('ou_bot');
    expect(identity.openId).toBe('ou_bot');
    expect(calls).toBe(4);
  });

  it('stops trying when stopped', async () => {
    let calls = 0;
    const identity = new BotIdentity({
      fetch: async () => {
        calls++;
        throw new Error('down');
      },
      logger: quiet(),
      firstDelayMs: 1,
      maxDelayMs: 2,
    });
    // A second identity that keeps trying on the same schedule is the metronome: while it tries five more
    // times, the stopped one would have tried again too.
    let beats = 0;
    const metronome = new BotIdentity({
      fetch: async () => {
        beats++;
        throw new Error('down');
      },
      logger: quiet(),
      firstDelayMs: 1,
      maxDelayMs: 2,
    });
    identity.start();
    await until(() => calls >= 3, { what: 'a few tries' });
    identity.stop();
    const after = calls;
    metronome.start();
    await until(() => beats >= 5, { what: 'five tries of the metronome' });
    metronome.stop();
    expect(calls).toBe(after);
    expect(identity.openId).toBeUndefined();
  });
});
