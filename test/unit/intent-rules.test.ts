// The conversation's pure rules (src/features/intent/rules.ts): greetings, thanks and emoji; the five
// natural requests of issue 14 and their dates read with chrono-node's Chinese parser against an
// explicit reference in Asia/Shanghai (plus 月底, 年底, 后天); dates shown in Chinese with 星期. And the
// router's side: commands written without a space are split into command and verb, typos suggested.
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { chineseDate, MEETING_WORDS, parseWhen, smallTalk, understand } from '../../src/features/intent/rules.ts';
import { MEETING_KIND_LABELS } from '../../src/features/meetings/model.ts';
import { CommandRegistry } from '../../src/router/registry.ts';

/** Wednesday 2 December 2026, 10:00 in Beijing (02:00 UTC). */
const when = { now: new Date('2026-12-02T10:00:00+08:00'), today: '2026-12-02', timezone: 'Asia/Shanghai' };

describe('small talk', () => {
  it('knows greetings, thanks and emoji-only messages', () => {
    for (const s of ['你好', '您好！', '清风你好', '大家下午好', 'hello', '在吗？', '早上好呀'])
      expect(smallTalk(s), s).toBe('greeting');
    for (const s of ['谢谢', '谢谢清风！', '辛苦了', '好的谢谢', '感谢']) expect(smallTalk(s), s).toBe('thanks');
    for (const s of ['👍', '😀😀', '[微笑]', '🙏🏻', '[赞] [OK]']) expect(smallTalk(s), s).toBe('emoji');
    for (const s of ['12', '你好，帮我请假', '今天开会吗', '']) expect(smallTalk(s), s).toBeUndefined();
  });
});

describe('dates', () => {
  it('reads Chinese dates and times against the reference, in Beijing time', () => {
    expect(parseWhen('下周三下午三点', when)).toEqual({ date: '2026-12-09', time: '15:00' });
    expect(parseWhen('12月20日', when)).toEqual({ date: '2026-12-20' });
    expect(parseWhen('明天上午九点半', when)).toEqual({ date: '2026-12-03', time: '09:30' });
    expect(parseWhen('2027年1月5日', when)).toEqual({ date: '2027-01-05' });
    expect(parseWhen('十二月二十日', when)).toEqual({ date: '2026-12-20' });
  });

  it('adds the small rules chrono lacks: 月底, 下月底, 年底, 后天, 大后天, 下个月N号', () => {
    expect(parseWhen('月底', when)).toEqual({ date: '2026-12-31' });
    expect(parseWhen('本月底', { ...when, today: '2027-02-10', now: new Date('2027-02-10T10:00:00+08:00') })).toEqual({
      date: '2027-02-28',
    });
    expect(parseWhen('下月底', when)).toEqual({ date: '2027-01-31' });
    expect(parseWhen('年底', when)).toEqual({ date: '2026-12-31' });
    expect(parseWhen('后天', when)).toEqual({ date: '2026-12-04' });
    expect(parseWhen('大后天', when)).toEqual({ date: '2026-12-05' });
    expect(parseWhen('下个月5号', when)).toEqual({ date: '2027-01-05' });
  });

  it('reads the date in Beijing whatever the hour in UTC (23:30 in Beijing is still that day)', () => {
    const late = { now: new Date('2026-12-02T23:30:00+08:00'), today: '2026-12-02', timezone: 'Asia/Shanghai' };
    expect(parseWhen('明天下午三点', late)).toEqual({ date: '2026-12-03', time: '15:00' });
    const early = { now: new Date('2026-12-03T00:30:00+08:00'), today: '2026-12-03', timezone: 'Asia/Shanghai' };
    expect(parseWhen('明天下午三点', early)).toEqual({ date: '2026-12-04', time: '15:00' });
  });

  it('shows dates in Chinese with 星期, the year only when it is not this year', () => {
    expect(chineseDate('2026-12-20', '2026-12-02')).toBe('12月20日（星期日）');
    expect(chineseDate('2026-12-09', '2026-12-02')).toBe('12月9日（星期三）');
    expect(chineseDate('2027-01-05', '2026-12-02')).toBe('2027年1月5日（星期二）');
  });
});

describe('natural requests', () => {
  it('understands the five sentences of issue 14', () => {
    expect(understand('我想报告整改进展', when)).toEqual({ kind: 'rect_progress' });
    expect(understand('帮我请假到12月20日', when)).toEqual({ kind: 'away', until: '2026-12-20', reason: '' });
    expect(understand('下周三下午三点开支委会', when)).toEqual({
      kind: 'meeting_new',
      meeting: '支委会',
      start: { date: '2026-12-09', time: '15:00' },
    });
    expect(understand('把12号整改延期到月底', when)).toEqual({
      kind: 'rect_extend',
      id: 12,
      date: '2026-12-31',
      reason: '',
    });
    expect(understand('这个月有哪些逾期任务', when)).toEqual({ kind: 'overdue', what: 'task' });
  });

  it('reads variants: reasons, item numbers written otherwise, a meeting without a time', () => {
    expect(understand('把整改#7延期到2027年1月15日，因为需等待上级批复', when)).toEqual({
      kind: 'rect_extend',
      id: 7,
      date: '2027-01-15',
      reason: '需等待上级批复',
    });
    expect(understand('出差到下周一', when)).toEqual({ kind: 'away', until: '2026-12-07', reason: '出差' });
    expect(understand('我想请假', when)).toEqual({ kind: 'away', until: undefined, reason: '' });
    expect(understand('明天开党员大会', when)).toEqual({
      kind: 'meeting_new',
      meeting: '党员大会',
      start: { date: '2026-12-03' },
    });
    expect(understand('有哪些逾期整改', when)).toEqual({ kind: 'overdue', what: 'rect' });
    expect(understand('我的任务', when)).toEqual({ kind: 'mine', what: 'task' });
    expect(understand('你好，帮我请假到12月20日', when)).toMatchObject({ kind: 'away', until: '2026-12-20' });
    expect(understand('今天天气不错', when)).toBeUndefined();
    expect(understand('支委会很重要', when)).toBeUndefined();
  });

  it('names only meeting kinds the meetings feature knows', () => {
    const labels = Object.values(MEETING_KIND_LABELS);
    for (const w of MEETING_WORDS) expect(labels).toContain(w);
    expect([...MEETING_WORDS].sort()).toEqual([...labels].sort());
  });
});

describe('commands written without a space, and typos (the router registry)', () => {
  const registry = new CommandRegistry(commands);
  const split = (w: string) => {
    const r = registry.splitJoined(w);
    return r && [r.command.name, ...r.tokens.map((t) => (t.kind === 'word' ? t.text : t.name))];
  };

  it('splits a known command word from a known verb (and a number after it)', () => {
    expect(split('整改列表')).toEqual(['rectify', '列表']);
    expect(split('任务看板')).toEqual(['task', '看板']);
    expect(split('会议列表')).toEqual(['meeting', '列表']);
    expect(split('整改查看12')).toEqual(['rectify', '查看', '12']);
    expect(split('整改查看#12')).toEqual(['rectify', '查看', '12']);
    expect(split('请假2026-12-20')).toEqual(['away', '2026-12-20']);
    expect(split('整改你好')).toBeUndefined();
    expect(split('我的任务')).toBeUndefined();
  });

  it('keeps the rest of the message after the joined words', () => {
    const r = registry.splitJoined('整改列表', [
      { kind: 'word', text: '逾期', tail: '逾期 2' },
      { kind: 'word', text: '2', tail: '2' },
    ]);
    expect(r?.tokens).toEqual([
      { kind: 'word', text: '列表', tail: '列表 逾期 2' },
      { kind: 'word', text: '逾期', tail: '逾期 2' },
      { kind: 'word', text: '2', tail: '2' },
    ]);
  });

  it('suggests the nearest command, joined with its verb or with two characters swapped', () => {
    expect(registry.closest('帮主')?.spelled).toBe('帮助');
    expect(registry.closest('整改列彪')?.spelled).toBe('整改 列表');
    expect(registry.closest('任务看版')?.spelled).toBe('任务 看板');
    expect(registry.closest('改整')?.spelled).toBe('整改');
    expect(registry.closest('zzzzzz')).toBeUndefined();
  });
});
