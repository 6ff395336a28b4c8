/**
 * The study card already in the group follows time (issue 18 item 6): once the session has started it
 * offers 学习记录 and 提交心得 — the card people were sent to, not only a card asked for afresh. The
 * reminder job redraws it (a PATCH through the outbox), once per phase even when two replicas run the
 * job at the same moment, and also when the start passed while the bot was not running: a session
 * whose start the bot did not see come (down over a weekend) gets its buttons when the job next runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { publishSession } from '../helpers/meeting-steps.ts';

describe('the group’s study card once the study has started', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
  const buttonTexts = (m: EmuMessage) => buttons(current(m)).map((b) => b.text);
  /** How many times the bot updated this message in place. */
  const patches = (m: EmuMessage) =>
    h.emu.store.apiLog.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${m.messageId}`)).length;

  async function setup() {
    clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h);
    return { ...w, group: w.chat.chatId };
  }

  /** A 警示教育 published from the form; its notice card in the group. */
  async function publish(w: Awaited<ReturnType<typeof setup>>, title: string, start: string) {
    const formCard = await talk.say(h, w.group, w.secretary, '/学习 新建 警示教育');
    const before = h.emu.botMessages(w.group).length;
    const created = await publishSession(h, formCard, w.secretary, {
      kind: 'warning',
      title,
      start: `${start} +0800`,
      place: '党员活动室',
      agenda: '观看警示教育片',
      attendees: [],
      days: '3',
    });
    const notice = await talk.postedCard(h, w.group, `警示教育：${title}`, before);
    await talk.drained(h);
    return { notice, id: Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]) };
  }

  async function signIn(notice: EmuMessage, people: EmuUser[]) {
    for (const u of people) {
      const r = await h.emu.click({
        messageId: notice.messageId,
        from: u.openId,
        value: button(current(notice), '签到').value,
      });
      expect(r.toast?.content).toBe('已签到');
    }
    await talk.drained(h);
  }

  it('gains 学习记录 and 提交心得 when the start passed while the bot was down over the weekend', async () => {
    const w = await setup();
    const { notice } = await publish(w, '观看警示教育片《零容忍》', '2026-12-04 15:00');
    expect(buttonTexts(notice)).toEqual(['参加', '请假']);

    // Friday: 签到 opens at 14:30; people sign in on the group's card before the start.
    clock.set(bj('2026-12-04', '14:40'));
    await talk.runJobAt(h, 'meeting-reminders', '2026-12-04', '14:40');
    expect(buttonTexts(notice)).toEqual(['签到', '参加', '请假']);
    clock.set(bj('2026-12-04', '14:45'));
    await signIn(notice, [w.secretary, ...w.members]);
    expect(buttonTexts(notice)).not.toContain('提交心得');

    // The bot is back on Monday afternoon (the start was three days ago): its first run redraws the card.
    clock.set(bj('2026-12-07', '16:00'));
    const patched = patches(notice);
    const [first, second] = await Promise.all([
      h.app.runJob('meeting-reminders', clock.now()),
      h.app.runJob('meeting-reminders', clock.now()),
    ]);
    await talk.settled(h);
    expect(buttonTexts(notice)).toEqual(['学习记录', '提交心得', '补正']);
    expect([first?.summary, second?.summary].sort()).toEqual([
      expect.stringContaining('按签到时间刷新会议卡片 0 次'),
      expect.stringContaining('按签到时间刷新会议卡片 1 次'),
    ]);
    expect(cardText(current(notice).content)).toContain('**学习心得**：已提交 0/4，截止 2026-12-09');
    expect(patches(notice)).toBe(patched + 1);
    // Once: later runs leave it.
    await talk.runJobAt(h, 'meeting-reminders', '2026-12-07', '16:02');
    await talk.settled(h);
    expect(patches(notice)).toBe(patched + 1);

    // The button works from the group's card: the form goes privately to whoever pressed it.
    const form = await talk.openForm(h, notice, w.members[0] as EmuUser, '提交心得');
    expect(cardText(form.content)).toContain('学习心得');
  });

  it('gains them at the start itself, the same card for everyone, redrawn once by two replicas', async () => {
    const w = await setup();
    const title = '学习违纪违法典型案例通报';
    const { notice, id } = await publish(w, title, '2026-12-03 15:00');
    clock.set(bj('2026-12-03', '14:50'));
    await talk.runJobAt(h, 'meeting-reminders', '2026-12-03', '14:50');
    await signIn(notice, [w.secretary]);
    expect(buttonTexts(notice)).toEqual(['签到', '参加', '请假']);

    clock.set(bj('2026-12-03', '15:00'));
    const patched = patches(notice);
    await Promise.all([h.app.runJob('meeting-reminders', clock.now()), h.app.runJob('meeting-reminders', clock.now())]);
    await talk.settled(h);
    expect(buttonTexts(notice)).toEqual(['签到', '学习记录', '提交心得']);
    expect(patches(notice)).toBe(patched + 1);
    // A card asked for afresh in the group shows the same as the one already there.
    const before = h.emu.botMessages(w.group).length;
    await h.emu.sendText({ chatId: w.group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
    const fresh = await talk.postedCard(h, w.group, `警示教育：${title}`, before);
    expect(buttons(fresh)).toEqual(buttons(current(notice)));
  });
});
