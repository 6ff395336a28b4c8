/**
 * The `/会议 新建` and `/学习 新建` forms, as a secretary fills them in (issue 18 items 1, 2 and 7): the
 * agenda follows the kind chosen (a typed agenda is kept) and publishing leaves one notice in the group;
 * the 主持人 and 记录人 are chosen on the form (the 书记 hosts a 党员大会 when no one is picked; whoever
 * records the minutes is the 记录人 when no one is picked) and the 三会一课记录簿 reads every column from
 * the record — 主持人, 记录人, 时间, 地点, 缺席原因; a 心得 deadline that is not a whole number of working
 * days from 1 to 30 is refused with the form kept, an empty one means 5.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SPECIAL_AGENDA } from '../../src/features/meetings/model.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, startBot } from '../helpers/bot.ts';
import { field } from '../helpers/card-parts.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { exportLedger, meetingBranch, publishSession, showMeeting, signInAll } from '../helpers/meeting-steps.ts';

describe('the new meeting and study forms', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  async function setup(at: Date) {
    clock = new OffsetClock();
    clock.set(at);
    h = await startBot({ clock });
    const w = await meetingBranch(h);
    const by = (name: string) => w.everyone.find((u) => u.name === name) as EmuUser;
    return { ...w, by };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
  const say = (w: World, from: EmuUser, text: string) => talk.say(h, w.group, from, text);
  const session = (id: number) =>
    h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const sessionCount = async () =>
    Number(
      (
        await h.db.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const idOf = (toast: { content?: string } | undefined) => Number(/#(\d+)/.exec(toast?.content ?? '')?.[1]);
  /** The cards in the group that show the session titled `heading` now (a card turned into it counts too). */
  const noticesOf = (w: World, heading: string) =>
    h.emu
      .botMessages(w.group)
      .map(current)
      .filter((m) => cardTitle(m) === heading);

  it('publishing from the form in the group leaves one notice there; the form says where it went', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const form = await say(w, w.secretary, '/会议 新建 支委会');
    const title = '12月支委会';
    const created = await publishSession(h, form, w.secretary, {
      kind: 'committee',
      title,
      start: '2026-12-10 15:00 +0800',
      place: '三楼会议室',
      agenda: '',
      attendees: [],
    });
    expect(created.toast).toMatchObject({
      type: 'success',
      content: expect.stringMatching(/^已发布支委会通知（#\d+）$/),
    });
    const notice = await talk.postedCard(h, w.group, `支委会：${title}`);
    await talk.settled(h);
    expect(noticesOf(w, `支委会：${title}`).map((m) => m.messageId)).toEqual([notice.messageId]);
    expect(buttons(current(notice)).map((b) => b.text)).toEqual(['参加', '请假']);
    // The form is not a second copy of the notice: it says the notice was published, with nothing to press.
    const confirmed = current(form);
    expect(cardTitle(confirmed)).toBe('已发布支委会通知');
    expect(buttons(confirmed)).toEqual([]);
    expect(cardText(confirmed.content)).toContain('通知已发到本组织的群聊');
  });

  it('the agenda follows the kind chosen on the form; an agenda typed in is kept', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    // Drawn without a kind: a 专题会议 with its agenda.
    const form = await say(w, w.secretary, '/会议 新建');
    expect(field(form, 'kind').initial_option).toBe('special');
    const drawn = field(form, 'agenda').default_value as string;
    expect(drawn).toContain('形势分析');
    // The secretary chooses 支委会 and leaves the agenda as it was drawn: the 支委会 has no set agenda.
    const created = await publishSession(h, form, w.secretary, {
      kind: 'committee',
      title: '12月支委会',
      start: '2026-12-10 15:00 +0800',
      place: '三楼会议室',
      agenda: drawn,
      attendees: [],
    });
    expect(created.toast?.content).toMatch(/^已发布支委会通知（#\d+）$/);
    expect((await session(idOf(created.toast))).agenda).toBe('');
    const notice = await talk.postedCard(h, w.group, '支委会：12月支委会');
    expect(cardText(notice.content)).not.toContain('形势分析');

    // A form drawn for a 支委会, changed to a 专题会议 with the (empty) agenda untouched: the 专题会议's agenda.
    const second = await say(w, w.secretary, '/会议 新建 支委会');
    expect(field(second, 'agenda').default_value ?? '').toBe('');
    const special = await publishSession(h, second, w.secretary, {
      kind: 'special',
      title: '下半年全面从严治党专题会议',
      start: '2026-12-11 15:00 +0800',
      place: '三楼会议室',
      agenda: '',
      attendees: [],
    });
    expect((await session(idOf(special.toast))).agenda).toBe(SPECIAL_AGENDA);

    // An agenda the secretary typed is kept, whatever the kind.
    const third = await say(w, w.secretary, '/会议 新建');
    const typed = '一、传达上级党委会议精神\n二、研究确定发展对象';
    const own = await publishSession(h, third, w.secretary, {
      kind: 'committee',
      title: '12月第二次支委会',
      start: '2026-12-12 15:00 +0800',
      place: '三楼会议室',
      agenda: typed,
      attendees: [],
    });
    expect((await session(idOf(own.toast))).agenda).toBe(typed);
  });

  it('the 记录簿 reads 主持人, 记录人, 时间, 地点 and 缺席原因 from the record: the 书记 hosts a 党员大会 the 组织委员 published', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    // The 组织委员 publishes a 党员大会 without choosing a 主持人 or a 记录人.
    const form = await say(w, w.organizer, '/会议 新建 党员大会');
    expect(field(form, 'host').tag).toBe('select_person');
    expect(field(form, 'recorder').tag).toBe('select_person');
    const general = await publishSession(h, form, w.organizer, {
      kind: 'general',
      title: '第四季度党员大会',
      start: '2026-12-03 15:00 +0800',
      place: '党员活动室',
      attendees: [],
    });
    const generalId = idOf(general.toast);
    expect(generalId).toBeGreaterThan(0);
    // The secretary publishes a 专题会议 with the 纪检委员 chairing and 赵 keeping the record.
    const form2 = await say(w, w.secretary, '/会议 新建 专题会议');
    const special = await publishSession(h, form2, w.secretary, {
      kind: 'special',
      title: '全面从严治党专题会议',
      start: '2026-12-04 09:30 +0800',
      place: '二楼会议室',
      agenda: field(form2, 'agenda').default_value as string,
      attendees: [],
      host: w.inspector.openId,
      recorder: w.zhao.openId,
    });
    const specialId = idOf(special.toast);
    expect(specialId).toBeGreaterThan(0);
    await talk.drained(h);

    // 党员大会: 赵 asks leave on the card, 钱 is away (/请假), 孙 neither signs in nor asks leave.
    const card = await showMeeting(h, w, generalId, '党员大会：第四季度党员大会');
    const leaveForm = await talk.openForm(h, card, w.zhao, '请假');
    const left = await h.emu.click({
      messageId: leaveForm.messageId,
      from: w.zhao.openId,
      value: button(current(leaveForm), '提交请假').value,
      name: 'submit_leave',
      formValue: { reason: '外出公务' },
    });
    expect(left.toast?.content).toBe('已请假');
    expect(messageText(await say(w, w.qian, '/请假 2026-12-04 出差'))).toContain('已登记请假');
    clock.set(bj('2026-12-03', '14:45'));
    await signInAll(h, w, generalId, '党员大会：第四季度党员大会', ['李书记', '王纪检', '张组织']);
    // The 组织委员 records the minutes: no 记录人 was chosen, so the one who records them is.
    clock.set(bj('2026-12-03', '17:00'));
    expect(messageText(await say(w, w.organizer, `/会议 纪要 ${generalId} 会议通报了第四季度党建工作。`))).toBe(
      '已记录“第四季度党员大会”的纪要。',
    );
    // The secretary records the 专题会议's minutes; 赵 stays its 记录人 as chosen.
    clock.set(bj('2026-12-04', '11:00'));
    expect(messageText(await say(w, w.secretary, `/会议 纪要 ${specialId} 会议分析了形势。`))).toContain('已记录');

    clock.set(bj('2026-12-08', '10:00'));
    const rows = await exportLedger(h, w);
    const byTitle = new Map(rows.map((r) => [r.主题, r]));
    const g = byTitle.get('第四季度党员大会');
    expect(g).toMatchObject({
      主持人: '李书记',
      记录人: '张组织',
      时间: '2026-12-03 15:00',
      地点: '党员活动室',
      应到: 6,
      实到: 3,
      请假: 2,
      缺席: 1,
    });
    expect(
      String(g?.缺席原因 ?? '')
        .split('\n')
        .sort(),
    ).toEqual(['孙党员：缺席，未请假', '赵党员：请假，外出公务', '钱党员：请假，出差'].sort());
    expect(byTitle.get('全面从严治党专题会议')).toMatchObject({
      主持人: '王纪检',
      记录人: '赵党员',
      时间: '2026-12-04 09:30',
      地点: '二楼会议室',
    });
  });

  it('a 心得 deadline that is not 1 to 30 working days is refused with the form kept; empty means 5', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const form = await say(w, w.secretary, '/学习 新建 警示教育');
    expect(cardTitle(form)).toBe('新建学习');
    const fill = (days: string) =>
      publishSession(h, current(form), w.secretary, {
        kind: 'warning',
        title: '观看警示教育片',
        start: '2026-12-03 15:00 +0800',
        place: '党员活动室',
        agenda: '警示教育片《围猎》',
        attendees: [],
        days,
      });
    const shownBefore = current(form).content;
    const groupBefore = h.emu.botMessages(w.group).length;
    for (const days of ['abc', '0', '31', '2.5', '-3']) {
      const refused = await fill(days);
      expect(refused.toast, days).toEqual({
        type: 'error',
        content: `心得提交期限请填写 1 至 30 之间的整数（工作日），您填写的是“${days}”；不填则为 5 个工作日。`,
      });
    }
    await talk.settled(h);
    // Nothing was created; the form is as it was, to correct and submit again.
    expect(await sessionCount()).toBe(0);
    expect(current(form).content).toBe(shownBefore);
    expect(h.emu.botMessages(w.group)).toHaveLength(groupBefore);

    const created = await fill('');
    expect(created.toast?.content).toMatch(/^已发布警示教育通知（#\d+）$/);
    expect(await session(idOf(created.toast))).toMatchObject({ reflection_days: 5 });
    const again = await say(w, w.secretary, '/学习 新建 警示教育');
    const seven = await publishSession(h, again, w.secretary, {
      kind: 'warning',
      title: '学习典型案例通报',
      start: '2026-12-04 15:00 +0800',
      place: '党员活动室',
      agenda: '',
      attendees: [],
      days: ' 7 ',
    });
    expect(await session(idOf(seven.toast))).toMatchObject({ reflection_days: 7 });
  });
});
