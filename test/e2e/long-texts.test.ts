/**
 * Texts longer than one card input allows (Feishu: 1000 characters per input) reach the bot whole:
 * the agenda in 2 parts, 学习记录/纪要 in 3, 心得 in 5, each part ≤ 1000 characters; the handler joins
 * the filled parts with a line break and stores the joined text. The 100-character minimum for 心得
 * counts the joined text. A stored text longer than one input comes back spread over the parts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, findButton } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

describe('long texts in several inputs', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
  /** A form field (not the form or a button) of a card, by name. */
  function field(m: EmuMessage, name: string): Record<string, unknown> | undefined {
    let found: Record<string, unknown> | undefined;
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.name === name && o.tag === 'input') found ??= o;
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(m.content));
    return found;
  }
  const part = (label: string, n: number) => `${label}：${'认真学习党章党规，严守纪律规矩。'.repeat(80)}`.slice(0, n);

  it('joins the agenda, the 学习记录 and a 心得 from their parts; the 心得 minimum counts the joined text', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-03', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['赵党员'] });
    const zhao = w.members[0] as EmuUser;
    const group = w.chat.chatId;

    // The agenda: 1000 + 600 characters in two inputs.
    const formCard = await talk.say(h, group, w.secretary, '/学习 新建 警示教育');
    expect(field(formCard, 'agenda')?.max_length).toBe(1000);
    expect(field(formCard, 'agenda_2')?.max_length).toBe(1000);
    const agenda = [part('议程一', 1000), part('议程二', 600)];
    const before = h.emu.botMessages(group).length;
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '发布通知').value,
      name: 'submit_session',
      formValue: {
        kind: 'warning',
        title: '观看警示教育片',
        start: '2026-12-03 15:00 +0800',
        place: '党员活动室',
        agenda: agenda[0],
        agenda_2: agenda[1],
        attendees: [],
        days: '',
      },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const session = () => h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect((await session()).agenda).toBe(agenda.join('\n'));
    const notice = await talk.postedCard(h, group, '警示教育：观看警示教育片', before);
    await talk.drained(h);

    // In the 签到 window the reminder job's upkeep has redrawn the notice with 签到.
    clock.set(bj('2026-12-03', '15:10'));
    await talk.runJobAt(h, 'meeting-reminders', '2026-12-03', '15:10');
    await h.emu.waitFor(() => !!findButton(current(notice), '签到'), { what: '签到 on the notice' });
    const signed = await h.emu.click({
      messageId: notice.messageId,
      from: zhao.openId,
      value: button(current(notice), '签到').value,
    });
    expect(signed.toast?.content).toBe('已签到');

    // 学习记录: three parts of 1000 characters, stored joined.
    const minutes = [part('一', 1000), part('二', 1000), part('三', 1000)];
    const minutesForm = await talk.openForm(h, notice, w.secretary, '学习记录');
    expect(['minutes', 'minutes_2', 'minutes_3'].map((n) => field(current(minutesForm), n)?.max_length)).toEqual([
      1000, 1000, 1000,
    ]);
    const saved = await h.emu.click({
      messageId: minutesForm.messageId,
      from: w.secretary.openId,
      value: button(current(minutesForm), '保存').value,
      name: 'submit_minutes',
      formValue: { minutes: minutes[0], minutes_2: minutes[1], minutes_3: minutes[2], link: '' },
    });
    expect(saved.toast?.content).toBe('纪要已保存');
    expect((await session()).minutes).toBe(minutes.join('\n'));
    // Opened again, the stored 3002 characters are spread over the three inputs.
    const again = await talk.openForm(h, notice, w.secretary, '学习记录');
    const shown = ['minutes', 'minutes_2', 'minutes_3'].map((n) => field(current(again), n)?.default_value as string);
    for (const s of shown) expect(Array.from(s).length).toBeLessThanOrEqual(1000);
    expect(shown.join('\n')).toBe(minutes.join('\n'));

    // 心得: 50 + 40 characters in two parts is 91 with the line break: too short.
    const reflections = () =>
      h.db.db.selectFrom('reflections').selectAll().where('session_id', '=', id).where('open_id', '=', zhao.openId);
    const tooShort = await talk.openForm(h, notice, zhao, '提交心得');
    expect(field(current(tooShort), 'text_5')?.max_length).toBe(1000);
    const refused = await h.emu.click({
      messageId: tooShort.messageId,
      from: zhao.openId,
      value: button(current(tooShort), '提交心得').value,
      name: 'submit_reflection',
      formValue: { text: part('甲', 50), text_2: part('乙', 40), link: '' },
    });
    expect(refused.toast).toEqual({ type: 'error', content: '学习心得不少于 100 字（现在 91 字）。' });
    expect(await reflections().execute()).toEqual([]);

    // 心得 of 4500 characters in five parts (the last one empty is skipped).
    const text = [part('一', 1000), part('二', 1000), part('三', 1000), '', part('五', 1000)];
    const form = await talk.openForm(h, notice, zhao, '提交心得');
    const ok = await h.emu.click({
      messageId: form.messageId,
      from: zhao.openId,
      value: button(current(form), '提交心得').value,
      name: 'submit_reflection',
      formValue: { text: text[0], text_2: text[1], text_3: text[2], text_4: text[3], text_5: text[4], link: '' },
    });
    expect(ok.toast?.content).toBe('心得已提交');
    expect((await reflections().executeTakeFirstOrThrow()).text).toBe(text.filter(Boolean).join('\n'));
  });
});
