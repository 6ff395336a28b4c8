/**
 * Attendance in its window end to end (issue 13 item 1), over the emulator with a fake clock:
 * - the 参会回执: before the start members answer 参加 or 请假 on the group card (参加 is not 签到); the card
 *   counts 参加 / 请假 / 未回复 before the start and 已签到 / 请假 / 缺席 after;
 * - the buttons follow the window: 参加 and 请假 until the start, 签到 only while the window is open, 补正
 *   once it has closed; the reminder job redraws the cards when the window opens, at the start and when
 *   it closes; a click outside the window (from a card drawn earlier) is refused naming the window;
 * - an admin's 补正 from the card: the form goes privately to the admin (a member is politely refused),
 *   is stored with its reason, kept in the history and shown as 补正 on the card and in the 记录簿; the
 *   `/会议 补正` command does the same;
 * - each org sets its own windows (`/设置 签到窗口`); a wrong one changes nothing and shows the usage;
 * - 改期: 参加 and 请假 are kept, 签到 given in the old window are set back to 参加, those who answered are
 *   told privately what it means for them, the change is in the history; after the old window no 改期.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { buttons, cardText, findButton } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

/** The callback value of the button `text` on a card (throws when it has none). */
function value(m: EmuMessage, text: string): Record<string, unknown> {
  const b = findButton(m, text);
  if (!b) throw new Error(`no button ${text} in ${m.content.slice(0, 300)}`);
  return b.value;
}

/** The texts of a card's buttons. */
const buttonTexts = (m: EmuMessage) => buttons(m).map((b) => b.text);

/** The live counts line of a session card, without markup. */
function countsLine(m: EmuMessage): string {
  const line = cardText(m.content)
    .split('\n')
    .find((l) => l.startsWith('**应到**'));
  if (!line) throw new Error(`no counts in ${m.content.slice(0, 300)}`);
  return line.replaceAll('**', '').replaceAll('　', ' ');
}

interface World {
  h: BotHarness;
  clock: OffsetClock;
  group: string;
  secretary: EmuUser;
  inspector: EmuUser;
  organizer: EmuUser;
  zhao: EmuUser;
  qian: EmuUser;
  sun: EmuUser;
  say(from: EmuUser, text: string): Promise<EmuMessage>;
  /** Publishes a meeting through the form as the secretary; its id and its notice card in the group. */
  publish(kind: string, title: string, start: string): Promise<{ id: number; notice: EmuMessage }>;
  current(m: EmuMessage): EmuMessage;
  /** Runs the reminder job as of a Beijing time (the clock moved there too) and lets it deliver. */
  jobAt(date: string, time: string): Promise<string>;
  status(id: number, u: EmuUser): Promise<string>;
  privateTexts(u: EmuUser): string[];
}

async function setup(h: BotHarness, clock: OffsetClock): Promise<World> {
  const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员'] });
  const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
  const group = w.chat.chatId;
  // The secretary (who bound the group) is the org's admin; the others are members.
  const say = (from: EmuUser, text: string) => talk.say(h, group, from, text);
  return {
    h,
    clock,
    group,
    secretary: w.secretary,
    inspector,
    organizer,
    zhao,
    qian,
    sun,
    say,
    async publish(kind, title, start) {
      const formCard = await say(w.secretary, `/会议 新建 ${kind}`);
      const before = h.emu.botMessages(group).length;
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: value(formCard, '发布通知'),
        name: 'submit_session',
        formValue: { kind, title, start, place: '三楼会议室' },
      });
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      expect(id).toBeGreaterThan(0);
      const heading = `${kind === 'committee' ? '支委会' : kind === 'theme_day' ? '主题党日' : kind}：${title}`;
      const notice = await talk.postedCard(h, group, heading, before);
      await talk.drained(h);
      return { id, notice };
    },
    current: (m) => h.emu.requireMessage(m.messageId),
    async jobAt(date, time) {
      clock.set(bj(date, time));
      const r = await h.app.runJob('meeting-reminders', bj(date, time));
      expect(r.failed).toBe(0);
      await talk.drained(h);
      return r.summary;
    },
    async status(id, u) {
      return (
        await h.db.db
          .selectFrom('session_attendees')
          .select('status')
          .where('session_id', '=', id)
          .where('open_id', '=', u.openId)
          .executeTakeFirstOrThrow()
      ).status;
    },
    privateTexts: (u) =>
      h.emu
        .botMessages(h.emu.p2pChat(u.openId).chatId)
        .filter((m) => m.msgType === 'text')
        .map(messageText),
  };
}

describe('attendance in its window', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('参会回执 before the start, 签到 only in the window, the buttons redrawn as it opens and closes, 补正 from the card', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-02', '10:00')); // eight days before the 支委会
    h = await startBot({ clock });
    const w = await setup(h, clock);
    const { id, notice } = await w.publish('committee', '12月支委会', '2026-12-10 15:00 +0800');
    const card = () => w.current(notice);
    const click = async (u: EmuUser, text: string, o: { from?: Record<string, unknown> } = {}) =>
      (
        await h.emu.click({
          messageId: notice.messageId,
          from: u.openId,
          value: o.from ?? value(card(), text),
          // A click on a button the card no longer shows: a card drawn earlier, not yet redrawn.
          ...(o.from ? { bypassClient: true } : {}),
        })
      ).toast;
    const askLeave = async (u: EmuUser, reason: string) => {
      const form = await talk.openForm(h, card(), u, '请假');
      return (
        await h.emu.click({
          messageId: form.messageId,
          from: u.openId,
          value: value(w.current(form), '提交请假'),
          name: 'submit_leave',
          formValue: { reason },
        })
      ).toast;
    };

    // Before the window: 参加 and 请假 only; the card says when 签到 opens.
    expect(buttonTexts(card())).toEqual(['参加', '请假']);
    expect(cardText(card().content)).toContain('签到时间为 12月10日 14:30 至 18:00。开始前请回复参加或请假。');
    expect(countsLine(card())).toBe('应到 6 人 参加 0 人 请假 0 人 未回复 6 人');
    // A 签到 eight days early (a forged or replayed click) is refused naming the window; nothing stored.
    const signValue = { ...value(card(), '参加'), a: 'meeting.sign' };
    expect(await click(w.zhao, '签到', { from: signValue })).toEqual({
      type: 'error',
      content: '签到尚未开始。签到时间为 12月10日 14:30 至 18:00。',
    });
    expect(await w.status(id, w.zhao)).toBe('invited');

    // The 参会回执: 赵 and 孙 will come, 钱 asks leave; 参加 twice acts once.
    expect(await click(w.zhao, '参加')).toEqual({ type: 'success', content: '已回复参加' });
    expect(await click(w.zhao, '参加')).toEqual({ type: 'error', content: '您已回复参加，请在签到时间内签到。' });
    expect(await click(w.sun, '参加')).toEqual({ type: 'success', content: '已回复参加' });
    expect(await askLeave(w.qian, '参加上级党委集中培训')).toEqual({ type: 'success', content: '已请假' });
    expect(await w.status(id, w.zhao)).toBe('attending');
    await h.emu.waitFor(() => countsLine(card()) === '应到 6 人 参加 2 人 请假 1 人 未回复 3 人', {
      what: 'the group card counting the answers',
    });
    // The group card is shared: answering never turns it into one person's view.
    expect(cardText(card().content)).not.toContain('您');

    // The window opens at 14:30: the job redraws the card with 签到 (参加 and 请假 still there).
    await w.jobAt('2026-12-10', '14:29');
    expect(buttonTexts(card())).toEqual(['参加', '请假']);
    await w.jobAt('2026-12-10', '14:30');
    await h.emu.waitFor(() => buttonTexts(card()).join() === '签到,参加,请假', { what: '签到 on the card' });
    expect(cardText(card().content)).toContain('签到已开始。签到时间为 12月10日 14:30 至 18:00。');
    expect(await click(w.secretary, '签到')).toEqual({ type: 'success', content: '已签到' });
    clock.set(bj('2026-12-10', '14:45'));
    expect(await click(w.inspector, '签到')).toEqual({ type: 'success', content: '已签到' });
    await h.emu.waitFor(() => countsLine(card()) === '应到 6 人 参加 4 人 请假 1 人 未回复 1 人 已签到 2 人', {
      what: 'counts in the window before the start',
    });
    const signNow = value(card(), '签到');
    const attendNow = value(card(), '参加');
    const leaveNow = value(card(), '请假');

    // At the start 参加 and 请假 go; a late 参加 (from the card drawn before) is refused.
    await w.jobAt('2026-12-10', '15:00');
    await h.emu.waitFor(() => !findButton(card(), '参加'), { what: '参加 gone at the start' });
    expect(buttonTexts(card())).toEqual(['签到', '记录纪要']);
    expect(countsLine(card())).toBe('应到 6 人 已签到 2 人 请假 1 人 未签到 3 人');
    clock.set(bj('2026-12-10', '15:10'));
    expect(await click(w.organizer, '参加', { from: attendNow })).toEqual({
      type: 'error',
      content: '活动已开始，参会回执已截止。签到时间为 12月10日 14:30 至 18:00。',
    });
    expect(await click(w.organizer, '请假', { from: leaveNow })).toEqual({
      type: 'error',
      content: '活动已开始，不能再请假（请假须在 2026-12-10 15:00 开始前提出）。',
    });
    // 参加 is not 签到: 孙 signs in; 赵 never does.
    clock.set(bj('2026-12-10', '17:59'));
    expect(await click(w.sun, '签到')).toEqual({ type: 'success', content: '已签到' });
    expect(await click(w.organizer, '签到')).toEqual({ type: 'success', content: '已签到' });

    // The window closes at 18:00: 签到 goes, 缺席 is counted, 补正 is offered; a late 签到 is refused.
    await w.jobAt('2026-12-10', '18:00');
    await h.emu.waitFor(() => !findButton(card(), '签到'), { what: '签到 gone after the window' });
    expect(buttonTexts(card())).toEqual(['记录纪要', '补正']);
    expect(countsLine(card())).toBe('应到 6 人 已签到 4 人 请假 1 人 缺席 1 人');
    expect(cardText(card().content)).toContain('签到已结束（12月10日 14:30 至 18:00）。出勤如需更正，由管理员补正。');
    const late = { type: 'error', content: '签到已结束。签到时间为 12月10日 14:30 至 18:00。' };
    expect(await click(w.zhao, '签到', { from: signNow })).toEqual(late);
    clock.set(bj('2027-01-28', '15:00'));
    expect(await click(w.zhao, '签到', { from: signNow })).toEqual(late);
    expect(await w.status(id, w.zhao)).toBe('attending');
    // Running the job again redraws nothing more (once per phase).
    const drawn = card().version;
    expect(await w.jobAt('2026-12-10', '18:10')).toContain('刷新会议卡片 0 次');
    await talk.settled(h);
    expect(card().version).toBe(drawn);

    // 补正 from the card: a member is politely refused; the admin gets the form privately.
    clock.set(bj('2026-12-11', '10:00'));
    const refused = await h.emu.click({
      messageId: notice.messageId,
      from: w.zhao.openId,
      value: value(card(), '补正'),
    });
    expect(refused.toast).toEqual({
      type: 'error',
      content: '补正出勤由组织管理员（书记、副书记、纪检委员、组织委员）办理。如您的出勤记录有误，请联系他们。',
    });
    const groupCardBefore = card().content;
    const form = await talk.openForm(h, card(), w.secretary, '补正');
    expect(card().content).toBe(groupCardBefore); // the group card is not the admin's form
    const formText = cardText(form.content);
    for (const label of ['补正人员', '补正为', '补正理由']) expect(formText).toContain(label);
    const submit = buttons(form).find((b) => b.text === '提交补正');
    expect(submit?.name).toBe('submit_correct');
    const corrected = await h.emu.click({
      messageId: form.messageId,
      from: w.secretary.openId,
      value: submit?.value,
      name: 'submit_correct',
      formValue: { person: w.zhao.openId, to: 'signed', reason: '现场签到表为证' },
    });
    expect(corrected.toast).toEqual({ type: 'success', content: '已将赵党员补正为签到' });
    expect(await w.status(id, w.zhao)).toBe('signed');
    await h.emu.waitFor(() => countsLine(card()).startsWith('应到 6 人 已签到 5 人 请假 1 人 缺席 0 人'), {
      what: 'the group card with the 补正',
    });
    expect(cardText(card().content)).toContain('赵党员 补正为签到（现场签到表为证）');
    const history = await h.db.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('action', '=', 'session:correct')
      .execute();
    expect(history).toHaveLength(1);

    // The command does the same (and a member may not use it).
    expect(messageText(await w.say(w.zhao, `/会议 补正 ${id} @{${w.sun.openId}} 缺席 提前离会`))).toContain('需要');
    expect(messageText(await w.say(w.secretary, `/会议 补正 ${id} @{${w.sun.openId}} 缺席 提前离会未返回`))).toBe(
      '已将孙党员在“12月支委会”的出勤补正为缺席。',
    );

    // The 三会一课记录簿 shows the counts and both 补正.
    const sent = h.emu.botMessages(w.group).length;
    expect(messageText(await w.say(w.secretary, '/会议 导出 2026'))).toContain('已导出 1 次会议');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.group)
          .slice(sent)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const header = Array.from({ length: ws.columnCount }, (_x, i) => ws.getRow(2).getCell(i + 1).value);
    const row = Array.from({ length: ws.columnCount }, (_x, i) => ws.getRow(3).getCell(i + 1).value);
    const col = (name: string) => row[header.indexOf(name)];
    expect([col('应到'), col('实到'), col('请假'), col('缺席')]).toEqual([6, 4, 1, 1]);
    expect(String(col('补正'))).toContain('赵党员 补正为签到（现场签到表为证）');
    expect(String(col('补正'))).toContain('孙党员 补正为缺席（提前离会未返回）');
  });

  it('each org sets its own 签到 window; a wrong one changes nothing and shows how to write it', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-02', '10:00'));
    h = await startBot({ clock });
    const w = await setup(h, clock);
    const settings = async () =>
      (await h.db.db.selectFrom('orgs').select('settings').executeTakeFirstOrThrow()).settings;

    expect(messageText(await w.say(w.secretary, '/设置 签到窗口'))).toContain(
      '支委会：开始前30分钟至开始后3小时（默认）',
    );
    const before = await settings();
    for (const [text, problem] of [
      ['/设置 签到窗口 支委会 开始前60', '请同时写明签到开始（开始前多少分钟）和结束（开始后多少分钟）。'],
      ['/设置 签到窗口 支委会 开始前60 结束后120', '“结束后120”看不懂，应写成“开始前30”或“开始后180”（分钟）。'],
      [
        '/设置 签到窗口 支委会 开始前60 开始后10',
        '签到最早在开始前 12小时 开放，结束时间应在开始后 30分钟 至 24小时 之间。',
      ],
      ['/设置 签到窗口 会客 开始前60 开始后120', '不认识的活动类型“会客”。'],
    ] as const) {
      const answer = messageText(await w.say(w.secretary, text));
      expect(answer).toContain(problem);
      expect(answer).toContain('/设置 签到窗口 支委会 开始前30 开始后180');
    }
    expect(messageText(await w.say(w.zhao, '/设置 签到窗口 支委会 开始前60 开始后120'))).toContain('需要');
    expect(await settings()).toBe(before);

    expect(messageText(await w.say(w.secretary, '/设置 签到窗口 支委会 开始前60 开始后2小时'))).toBe(
      '已更新。支委会的签到时间为开始前1小时至开始后2小时，对此后新建的会议生效；已发布的会议仍按原定签到时间。',
    );
    expect(messageText(await w.say(w.secretary, '/设置 签到窗口'))).toContain(
      '支委会：开始前1小时至开始后2小时（本组织设置）',
    );
    const history = await h.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'org:settings')
      .execute();
    expect(history).toHaveLength(1);

    // The rules use the org's window: 签到 from 14:00, closed at 17:00.
    const { id, notice } = await w.publish('committee', '12月支委会', '2026-12-10 15:00 +0800');
    expect(cardText(w.current(notice).content)).toContain('签到时间为 12月10日 14:00 至 17:00。');
    await w.jobAt('2026-12-10', '14:05');
    await h.emu.waitFor(() => !!findButton(w.current(notice), '签到'), { what: '签到 at 14:05' });
    const sign = value(w.current(notice), '签到');
    const signAs = async (u: EmuUser) =>
      (await h.emu.click({ messageId: notice.messageId, from: u.openId, value: sign, bypassClient: true })).toast;
    expect(await signAs(w.zhao)).toEqual({ type: 'success', content: '已签到' });
    clock.set(bj('2026-12-10', '17:00'));
    expect(await signAs(w.qian)).toEqual({
      type: 'error',
      content: '签到已结束。签到时间为 12月10日 14:00 至 17:00。',
    });
    expect(await w.status(id, w.qian)).toBe('invited');

    // Back to the default.
    expect(messageText(await w.say(w.secretary, '/设置 签到窗口 支委会 默认'))).toBe(
      '已更新。支委会的签到时间为开始前30分钟至开始后3小时，对此后新建的会议生效；已发布的会议仍按原定签到时间。',
    );
  });

  it('改期 keeps 参加 and 请假, sets back 签到 given in the old window, tells those who answered, and is refused after the window', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-08', '10:00'));
    h = await startBot({ clock });
    const w = await setup(h, clock);
    const { id, notice } = await w.publish('committee', '12月支委会', '2026-12-10 15:00 +0800');
    const press = async (u: EmuUser, text: string) =>
      (await h.emu.click({ messageId: notice.messageId, from: u.openId, value: value(w.current(notice), text) })).toast;
    expect(await press(w.zhao, '参加')).toEqual({ type: 'success', content: '已回复参加' });
    const leaveForm = await talk.openForm(h, w.current(notice), w.qian, '请假');
    await h.emu.click({
      messageId: leaveForm.messageId,
      from: w.qian.openId,
      value: value(w.current(leaveForm), '提交请假'),
      name: 'submit_leave',
      formValue: { reason: '外出公务' },
    });

    // In the window 孙 signs in; at 14:50 the quorum is short and the secretary moves the meeting.
    await w.jobAt('2026-12-10', '14:40');
    await h.emu.waitFor(() => !!findButton(w.current(notice), '签到'), { what: '签到 in the window' });
    expect(await press(w.sun, '签到')).toEqual({ type: 'success', content: '已签到' });
    await talk.drained(h);
    clock.set(bj('2026-12-10', '14:50'));
    const moved = await w.say(w.secretary, `/会议 改期 ${id} 2026-12-17 15:00`);
    expect(messageText(moved)).toBe(
      '“12月支委会”已改至 2026-12-17 15:00。原定时间的 1 人签到已作废，需在新的时间重新签到；已私信通知已回复参加、签到和请假的人员，未回复的人员将按新的时间收到提醒。',
    );
    await talk.drained(h);
    expect([await w.status(id, w.zhao), await w.status(id, w.qian), await w.status(id, w.sun)]).toEqual([
      'attending',
      'leave',
      'attending',
    ]);
    const head = '【改期通知】支委会“12月支委会”由 2026-12-10 15:00 改至 2026-12-17 15:00。';
    const window = '签到时间为 12月17日 14:30 至 18:00';
    expect(w.privateTexts(w.sun)).toContain(
      `${head}您在原定时间的签到已作废，现记为“参加”，请在新的时间签到（${window}），如不能参加，请在开始前请假。`,
    );
    expect(w.privateTexts(w.zhao)).toContain(
      `${head}您已回复参加，请在新的时间签到（${window}），如不能参加，请在开始前请假。`,
    );
    expect(w.privateTexts(w.qian)).toContain(
      `${head}您已请假（外出公务），如新的时间可以参加，请在通知卡片上点“参加”。`,
    );
    for (const u of [w.inspector, w.organizer])
      expect(w.privateTexts(u).filter((t) => t.startsWith('【改期通知】'))).toEqual([]);
    const audit = await h.db.db
      .selectFrom('audit_log')
      .select(['before', 'after'])
      .where('action', '=', 'session:move')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.after as string)).toMatchObject({ signInsReset: [w.sun.openId] });
    // The group card is back before the window: 参加 and 请假 again, 签到 gone, the new window named.
    await h.emu.waitFor(() => buttonTexts(w.current(notice)).join() === '参加,请假', { what: 'card moved' });
    expect(cardText(w.current(notice).content)).toContain(`${window}。`);
    expect(countsLine(w.current(notice))).toBe('应到 6 人 参加 2 人 请假 1 人 未回复 3 人');

    // After the new window has closed the meeting took place: no 改期.
    clock.set(bj('2026-12-17', '18:00'));
    expect(messageText(await w.say(w.secretary, `/会议 改期 ${id} 2026-12-24 15:00`))).toBe(
      '原定时间的签到已于 12月17日 18:00 结束，不能再改期。如活动实际未召开，请取消后重新发布通知。',
    );
  });
});
