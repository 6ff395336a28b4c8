/**
 * The plain-Chinese scan (test/helpers/plain-chinese.ts) that the e2e harness runs on everything the
 * bot shows: it finds the bugs it was written for, and it lets plain Chinese, user text and the
 * allow-list through. The 新建 forms name every field in Chinese, as the client reports a missing one.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { buildTaskNewCard } from '../../src/features/duties/task-card.ts';
import { buildRectNewCard } from '../../src/features/rectification/ledger-cards.ts';
import { fieldTitle } from '../../src/sandbox/emulator/clicks.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import { cardTexts, SaidLog, textProblems } from '../helpers/plain-chinese.ts';

describe('the plain-Chinese scan', () => {
  it('finds the known bugs: fields named by their ids, platform keys, English, JSON and stack traces', () => {
    expect(textProblems('有必填项未填写：问题描述、整改措施、owner、deadline')).toEqual([
      'English word owner',
      'English word deadline',
    ]);
    expect(textProblems('有必填项未填写：责任内容、owners')).toEqual(['English word owners']);
    expect(textProblems('已导出：file_v3_6e4a1fa9c0d1e2f3a4b5c6d7')).toEqual([
      'platform key file_v3_6e4a1fa9c0d1e2f3a4b5c6d7',
    ]);
    expect(textProblems('负责人 ou_0123456789abcdef01234567')).toContain('platform key ou_0123456789abcdef01234567');
    expect(textProblems('类型：long_term')).toEqual(['field id long_term']);
    expect(textProblems('频次：每季度（2026Q4）')).toEqual(['English word 2026Q4']);
    expect(textProblems('出错了 {"code":230002,"msg":"bot not in chat"}')).toContain('JSON');
    expect(textProblems('TypeError: x is undefined\n    at handle (/app/src/router.ts:12:5)')).toContain(
      'a stack trace or error',
    );
    expect(textProblems('发送 /help 查看帮助')).toEqual(['English word help']);
  });

  it('lets through plain Chinese, mentions, links, file types, the allow-list and what people typed', () => {
    expect(textProblems('请于 2026-12-31 前完成，进度 80%。')).toEqual([]);
    expect(textProblems("书记：<at id=ou_0123456789abcdef01234567></at> <font color='grey'>提示</font>")).toEqual([]);
    expect(textProblems('见[会议纪要](https://example.feishu.cn/docx/AbCd) 或 https://pan.example.com/s/x')).toEqual(
      [],
    );
    expect(
      textProblems('文件《整改台账-第一党支部-2026-12-01.xlsx》随后发送；请发送 .xlsx 或 .csv，不超过 5 MB。'),
    ).toEqual([]);
    expect(textProblems('附件 PDF 已收到')).toEqual([]);
    expect(textProblems('没有 /hello 这个命令', new Set(['hello']))).toEqual([]);
    // English aliases only on the full command list.
    expect(textProblems('/帮助（/help）', new Set(), true)).toEqual([]);
  });

  it('reads what a person sees on a card, not its values, names or links', () => {
    const texts = cardTexts({
      schema: '2.0',
      header: { title: { tag: 'plain_text', content: '标题' } },
      body: {
        elements: [
          { tag: 'markdown', content: '正文' },
          {
            tag: 'button',
            name: 'submit_new',
            text: { tag: 'plain_text', content: '创建' },
            behaviors: [{ type: 'callback', value: { a: 'rectify.create', kind: 'long_term' } }],
          },
          { tag: 'select_person', name: 'owner', options: [{ value: 'ou_x' }] },
        ],
      },
    });
    expect(texts).toEqual(['标题', '正文', '创建', 'owner']);
  });
});

describe('every field of the 新建 forms has a Chinese name the client can report', () => {
  const fields = (card: unknown): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.name === 'string' && o.tag !== 'button' && o.tag !== 'form') out.push(o);
        Object.values(o).forEach(walk);
      }
    };
    walk(card);
    return out;
  };
  const cards = {
    '/整改 新建': buildRectNewCard({
      orgId: 1,
      batches: [{ id: 1, name: '第一轮巡察' }],
      memberOpenIds: ['ou_a'],
      sources: ['巡察'],
    }),
    '/任务 新建': buildTaskNewCard({ orgId: 1, memberOpenIds: ['ou_a'], categories: ['其他'] }),
  };
  for (const [what, card] of Object.entries(cards)) {
    it(what, () => {
      const titles = fields(card).map(fieldTitle);
      expect(titles.length).toBeGreaterThan(3);
      for (const t of titles) expect(textProblems(t), t).toEqual([]);
      for (const t of titles) expect(t).toMatch(/\p{Script=Han}/u);
    });
  }
});

describe('what the harness collects (SaidLog)', () => {
  const emu = new Emulator({ appId: 'cli_x', appSecret: 's', clock: systemClock, wallClock: systemClock });
  const said = new SaidLog(emu);
  let n = 0;
  const put = (m: Partial<EmuMessage> & Pick<EmuMessage, 'msgType' | 'content'>) => {
    const msg: EmuMessage = {
      messageId: `om_${++n}`,
      chatId: 'oc_1',
      senderId: emu.bot.openId,
      senderType: 'app',
      mentions: [],
      parentId: undefined,
      createdAt: '',
      updatedAt: '',
      recalled: false,
      version: 0,
      uuid: undefined,
      ...m,
    };
    emu.store.messages.set(msg.messageId, msg);
    emu.emit('change', { kind: 'message', chatId: msg.chatId, messageId: msg.messageId });
  };

  it('fails on a form field named by its id, a file before its announcement, a nameless file; not on what people typed', () => {
    emu.store.files.set('file_v3_abc', {
      key: 'file_v3_abc',
      name: '整改台账-第一党支部-2026-12-02.xlsx',
      type: 'xls',
      bytes: Buffer.from('x'),
      owner: 'bot',
      createdAt: '',
    });
    put({
      msgType: 'text',
      senderType: 'user',
      senderId: 'ou_u',
      content: JSON.stringify({ text: '/整改 新建 hello' }),
    });
    put({ msgType: 'text', content: JSON.stringify({ text: '没有 hello 这个说法' }) });
    put({ msgType: 'file', content: JSON.stringify({ file_key: 'file_v3_abc' }) });
    put({
      msgType: 'text',
      content: JSON.stringify({ text: '文件《整改台账-第一党支部-2026-12-02.xlsx》随后发送。' }),
    });
    put({ msgType: 'file', content: JSON.stringify({ file_key: 'file_v3_gone' }) });
    put({
      msgType: 'interactive',
      content: JSON.stringify({
        schema: '2.0',
        header: { title: { tag: 'plain_text', content: '新建整改事项' } },
        body: { elements: [{ tag: 'form', name: 'form_x', elements: [{ tag: 'date_picker', name: 'deadline' }] }] },
      }),
    });
    const problems = said.problems();
    expect(problems.join('\n')).toContain('English word deadline');
    expect(problems.join('\n')).toContain(
      'file 《整改台账-第一党支部-2026-12-02.xlsx》 arrived before the message announcing it',
    );
    expect(problems.join('\n')).toContain('shown without its name (file_v3_gone)');
    expect(problems.join('\n')).not.toContain('hello');
  });
});
