/**
 * Records tell the truth (issue 13 item 1), end to end over the emulator with a fake clock: each meeting
 * keeps the 签到 window it was published with (migration 0014). After an admin lengthens the 支委会 window
 * (`/设置 签到窗口`, answered "对此后新建的会议生效"), a meeting whose window had closed stays closed — a
 * late 签到 is refused naming its own window, the reminder job does not reopen its card, its record (已召开
 * 纪要待补 / 未召开, on the card, the list and /日历) does not change; a meeting published before the
 * change and moved (改期) afterwards keeps its window; one published after the change gets the new one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { buttons, cardText, findButton } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

function value(m: EmuMessage, text: string): Record<string, unknown> {
  const b = findButton(m, text);
  if (!b) throw new Error(`no button ${text} in ${m.content.slice(0, 300)}`);
  return b.value;
}

const buttonTexts = (m: EmuMessage) => buttons(m).map((b) => b.text);

/** The header tags of a card. */
function tags(m: EmuMessage): string[] {
  const c = JSON.parse(m.content) as { header?: { text_tag_list?: { text: { content: string } }[] } };
  return (c.header?.text_tag_list ?? []).map((t) => t.text.content);
}

/** The "**状态**：…" line of a session card. */
function statusLine(m: EmuMessage): string | undefined {
  return cardText(m.content)
    .split('\n')
    .find((l) => l.startsWith('**状态**：'))
    ?.replace('**状态**：', '');
}

/** The rows of the (first) table on a card. */
function tableRows(m: EmuMessage): Record<string, string>[] {
  let rows: Record<string, string>[] | undefined;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'table') rows ??= o.rows as Record<string, string>[];
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(m.content));
  if (!rows) throw new Error('no table');
  return rows;
}

describe('a meeting keeps the 签到 window it was published with', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('lengthening the window afterwards reopens no closed meeting and changes no record; only later meetings get it', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-02', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员'] });
    const [inspector, organizer, zhao, qian] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    const group = w.chat.chatId;
    const say = (from: EmuUser, text: string) => talk.say(h, group, from, text);
    const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
    const publish = async (title: string, start: string) => {
      const formCard = await say(w.secretary, '/会议 新建 committee');
      const before = h.emu.botMessages(group).length;
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: value(formCard, '发布通知'),
        name: 'submit_session',
        formValue: { kind: 'committee', title, start, place: '三楼会议室' },
      });
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      expect(id).toBeGreaterThan(0);
      const notice = await talk.postedCard(h, group, `支委会：${title}`, before);
      await talk.drained(h);
      return { id, notice };
    };
    const jobAt = async (date: string, time: string) => {
      clock.set(bj(date, time));
      const r = await h.app.runJob('meeting-reminders', bj(date, time));
      expect(r.failed).toBe(0);
      await talk.drained(h);
    };
    const sign = async (notice: EmuMessage, u: EmuUser, from?: Record<string, unknown>) =>
      (
        await h.emu.click({
          messageId: notice.messageId,
          from: u.openId,
          value: from ?? value(current(notice), '签到'),
          ...(from ? { bypassClient: true } : {}),
        })
      ).toast;
    const status = async (id: number, u: EmuUser) =>
      (
        await h.db.db
          .selectFrom('session_attendees')
          .select('status')
          .where('session_id', '=', id)
          .where('open_id', '=', u.openId)
          .executeTakeFirstOrThrow()
      ).status;
    const kept = async (id: number) =>
      h.db.db
        .selectFrom('sessions')
        .select(['sign_opens_before', 'sign_closes_after'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();

    // Three 支委会 published with the default window (30 minutes before to 3 hours after), kept on each.
    const morning = await publish('12月第一次支委会', '2026-12-10 10:00 +0800');
    const afternoon = await publish('12月第二次支委会', '2026-12-10 15:00 +0800');
    const later = await publish('12月第三次支委会', '2026-12-17 15:00 +0800');
    for (const m of [morning, afternoon, later])
      expect(await kept(m.id)).toEqual({ sign_opens_before: 30, sign_closes_after: 180 });
    expect(statusLine(current(later.notice))).toBe('已安排');
    expect(tags(current(later.notice))).toEqual(['已安排']);

    // The morning one: no one signs in; its window closes at 13:00 — 未召开.
    await jobAt('2026-12-10', '13:00');
    await h.emu.waitFor(() => statusLine(current(morning.notice))?.startsWith('未召开') === true, {
      what: 'the morning card 未召开',
    });
    const morningSign = { ...value(current(morning.notice), '补正'), a: 'meeting.sign' };
    // The afternoon one: four of the six sign in (more than half); its window closes at 18:00 — 已召开, 纪要待补.
    await jobAt('2026-12-10', '14:30');
    await h.emu.waitFor(() => !!findButton(current(afternoon.notice), '签到'), { what: '签到 in the window' });
    const afternoonSign = value(current(afternoon.notice), '签到');
    for (const u of [w.secretary, inspector, organizer, zhao])
      expect(await sign(afternoon.notice, u)).toEqual({ type: 'success', content: '已签到' });
    await jobAt('2026-12-10', '18:00');
    await h.emu.waitFor(() => !findButton(current(afternoon.notice), '签到'), { what: '签到 gone at 18:00' });
    const closedText = '签到已结束（12月10日 14:30 至 18:00）。出勤如需更正，由管理员补正。';
    const before = {
      morning: statusLine(current(morning.notice)),
      afternoon: statusLine(current(afternoon.notice)),
    };
    expect(before).toEqual({
      morning: '未召开（无人签到，没有出勤记录）',
      afternoon: '已召开（纪要待补，2026-12-15 前）',
    });
    expect(tags(current(afternoon.notice))).toEqual(['纪要待补']);
    expect(cardText(current(afternoon.notice).content)).toContain(closedText);

    // At 19:00 the secretary lengthens the 支委会 window: 2 hours before to 24 hours after.
    clock.set(bj('2026-12-10', '19:00'));
    expect(messageText(await say(w.secretary, '/设置 签到窗口 支委会 开始前2小时 开始后24小时'))).toBe(
      '已更新。支委会的签到时间为开始前2小时至开始后24小时，对此后新建的会议生效；已发布的会议仍按原定签到时间。',
    );

    // A late 签到 on either is refused, naming the window it was published with; nothing is stored.
    clock.set(bj('2026-12-10', '19:30'));
    expect(await sign(afternoon.notice, qian, afternoonSign)).toEqual({
      type: 'error',
      content: '签到已结束。签到时间为 12月10日 14:30 至 18:00。',
    });
    expect(await sign(morning.notice, qian, morningSign)).toEqual({
      type: 'error',
      content: '签到已结束。签到时间为 12月10日 09:30 至 13:00。',
    });
    expect([await status(afternoon.id, qian), await status(morning.id, qian)]).toEqual(['invited', 'invited']);
    // The reminder job does not reopen them: no card gets 签到 back; the records are as they were.
    await jobAt('2026-12-10', '19:40');
    await talk.settled(h);
    expect(buttonTexts(current(afternoon.notice))).toEqual(['记录纪要', '补正']);
    expect(buttonTexts(current(morning.notice))).toEqual(['记录纪要', '补正']);
    expect(cardText(current(afternoon.notice).content)).toContain(closedText);
    expect({
      morning: statusLine(current(morning.notice)),
      afternoon: statusLine(current(afternoon.notice)),
    }).toEqual(before);
    // An admin's 补正 is still how attendance changes after the window.
    expect(
      messageText(await say(w.secretary, `/会议 补正 ${afternoon.id} @{${qian.openId}} 签到 现场签到表为证`)),
    ).toBe('已将钱党员在“12月第二次支委会”的出勤补正为签到。');

    // /日历: this month's 支委会 are one held (minutes due) and one not held, the next morning as the night before.
    clock.set(bj('2026-12-11', '09:00'));
    const rows = new Map(tableRows(await say(zhao, '/日历')).map((r) => [r.name, r]));
    expect(rows.get('支部委员会会议')).toMatchObject({
      now: '12月：已召开 1 · 纪要待补 1 · 已安排 1 · 未召开 1',
      last: '2026-12-10',
    });

    // The one published before the change and moved after it keeps its window.
    const moved = await say(w.secretary, `/会议 改期 ${later.id} 2026-12-18 15:00`);
    expect(messageText(moved)).toContain('已改至 2026-12-18 15:00');
    expect(await kept(later.id)).toEqual({ sign_opens_before: 30, sign_closes_after: 180 });
    await h.emu.waitFor(
      () => cardText(current(later.notice).content).includes('签到时间为 12月18日 14:30 至 18:00。'),
      {
        what: 'the moved card with its own window',
      },
    );

    // One published after the change gets the new window.
    const next = await publish('1月支委会', '2027-01-07 15:00 +0800');
    expect(await kept(next.id)).toEqual({ sign_opens_before: 120, sign_closes_after: 1440 });
    expect(cardText(current(next.notice).content)).toContain('签到时间为 1月7日 13:00 至 1月8日 15:00。');
  });
});
