import { afterEach, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, startBot } from '../helpers/bot.ts';
import { tableRows } from '../helpers/card-parts.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { exportLedger, meetingBranch, publishSession, saveBackfill, showMeeting } from '../helpers/meeting-steps.ts';

/** "#3 主题党日：…" → "2026-12-03 15:00 · 未开展", from the session list card. */
function listStatuses(m: EmuMessage): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of cardText(m.content).matchAll(/\*\*#(\d+)\*\* [^\n]*\n<font color='grey'>[^·<]+ · ([^<]+)<\/font>/g))
    out.set(Number(r[1]), r[2] as string);
  return out;
}

const wc = new WorkCalendar();

describe('held means held', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  async function setup(at: Date) {
    clock = new OffsetClock();
    clock.set(at);
    h = await startBot({ clock });
    return meetingBranch(h);
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const say = (w: World, from: EmuUser, text: string) => talk.say(h, w.group, from, text);
  const privateTexts = (u: EmuUser) => {
    const c = h.emu.store.p2pChatOf(u.openId);
    return (c ? h.emu.botMessages(c.chatId) : []).filter((m) => m.msgType === 'text').map(messageText);
  };
  const got = (u: EmuUser, needle: string) => privateTexts(u).filter((t) => t.includes(needle));

  /** Publishes a meeting through `/会议 新建` and its form; returns its id and notice. */
  async function createMeeting(
    w: World,
    o: { kind: string; label: string; title: string; start: string; attendees?: string[] },
  ) {
    const formCard = await say(w, w.secretary, `/会议 新建 ${o.label}`);
    const before = h.emu.botMessages(w.group).length;
    const created = await publishSession(h, formCard, w.secretary, {
      kind: o.kind,
      title: o.title,
      start: `${o.start} +0800`,
      place: '三楼会议室',
      attendees: o.attendees ?? [],
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const notice = await talk.postedCard(h, w.group, `${o.label}：${o.title}`, before);
    await talk.drained(h);
    return { id, notice };
  }

  /** 签到 as `u` on the meeting's card drawn now (`/会议 查看`: 签到 shows while its window is open). */
  async function sign(w: World, id: number, title: string, u: EmuUser) {
    const card = await showMeeting(h, w, id, title);
    return (await h.emu.click({ messageId: card.messageId, from: u.openId, value: button(card, '签到').value })).toast;
  }

  /** Opens the 补录 form as `by` and submits `form`; returns the click's answer and the form message. */
  async function backfill(w: World, by: EmuUser, form: Record<string, unknown>, word = '') {
    const card = await say(w, by, `/会议 补录${word ? ` ${word}` : ''}`);
    expect(cardTitle(card)).toBe('补录会议记录');
    const answer = await saveBackfill(h, card, by, form);
    return { answer, card };
  }

  const ledger = (w: World) => exportLedger(h, w);

  it('shows 已安排 / 已召开 / 未开展 / 纪要待补 per rule on /日历, the list and the 记录簿; 最近一次 is the last held; overdue minutes reminded once', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const theme = await createMeeting(w, {
      kind: 'theme_day',
      label: '主题党日',
      title: '12月主题党日',
      start: '2026-12-03 09:00',
    });
    const committee = await createMeeting(w, {
      kind: 'committee',
      label: '支委会',
      title: '12月支委会',
      start: '2026-12-03 15:00',
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    const general = await createMeeting(w, {
      kind: 'general',
      label: '党员大会',
      title: '第四季度党员大会',
      start: '2026-12-04 15:00',
    });
    const lecture = await createMeeting(w, {
      kind: 'lecture',
      label: '党课',
      title: '书记讲党课',
      start: '2026-12-20 15:00',
    });

    // No one signs in to the 主题党日; 2 of 3 to the 支委会 (held); 2 of 6 to the 党员大会 (no quorum).
    clock.set(bj('2026-12-03', '14:45'));
    for (const u of [w.secretary, w.organizer])
      expect(await sign(w, committee.id, '支委会：12月支委会', u)).toMatchObject({ type: 'success' });
    clock.set(bj('2026-12-04', '14:50'));
    for (const u of [w.secretary, w.zhao])
      expect(await sign(w, general.id, '党员大会：第四季度党员大会', u)).toMatchObject({ type: 'success' });
    await talk.drained(h);

    clock.set(bj('2026-12-08', '10:00'));
    const shown = await say(w, w.zhao, '/日历');
    expect(cardTitle(shown)).toBe('合规日历 · 第一党支部');
    const rows = new Map(tableRows(shown).map((r) => [r.name, r]));
    expect(rows.get('主题党日')).toMatchObject({ now: '12月：未开展 1', last: '无记录', next: '2026-12-15' });
    expect(rows.get('支部委员会会议')).toMatchObject({
      now: '12月：已召开 1 · 纪要待补 1',
      last: '2026-12-03',
      next: '2027-01-31 前',
    });
    expect(rows.get('支部党员大会')).toMatchObject({
      now: '第四季度：未召开 1',
      last: '无记录',
      next: '2026-12-31 前（本期尚未安排）',
    });
    expect(rows.get('党课')).toMatchObject({
      now: '第四季度：已安排 1',
      last: '无记录',
      next: '已安排 2026-12-20 15:00',
    });
    expect(rows.get('全面从严治党专题会议')).toMatchObject({ now: '下半年：尚未安排', last: '无记录' });

    // The session list says the same.
    const list = listStatuses(await say(w, w.zhao, '/会议'));
    expect([theme.id, committee.id, general.id, lecture.id].map((id) => list.get(id))).toEqual([
      '未开展',
      '纪要待补',
      '未召开',
      '已安排',
    ]);

    // … and so does the 三会一课记录簿 (meetings whose time has come), with the reason for 未召开.
    const book = await ledger(w);
    expect(book.map((r) => [r.类型, r.实到, r.状态])).toEqual([
      ['主题党日', 0, '未开展（无人签到，没有出勤记录）'],
      ['支委会', 2, '已召开（纪要待补，2026-12-08 前）'],
      ['党员大会', 2, '未召开（有表决权的党员 6 人，到会 2 人，未超过半数）'],
    ]);

    // The minutes are due 3 working days after the 支委会 (Thursday 12-03 → Tuesday 2026-12-08): the
    // organiser is reminded once after.
    const OVERDUE = '【纪要待补】2026-12-03 召开的支委会“12月支委会”，纪要应于 2026-12-08 前完成，现仍未记录。';
    await talk.runJobAt(h, 'compliance-check', '2026-12-08');
    expect(got(w.secretary, '【纪要待补】')).toEqual([]);
    await talk.runJobAt(h, 'compliance-check', '2026-12-09');
    await talk.runJobAt(h, 'compliance-check', '2026-12-09', '15:00');
    await talk.runJobAt(h, 'compliance-check', '2026-12-10');
    expect(got(w.secretary, '【纪要待补】')).toEqual([
      `${OVERDUE}请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${committee.id} 纪要内容。`,
    ]);
    for (const u of [w.inspector, w.organizer, w.zhao]) expect(got(u, '【纪要待补】')).toEqual([]);

    // Recorded: the row reads 已召开 and 最近一次 stays the 支委会's date.
    clock.set(bj('2026-12-14', '10:00'));
    expect(messageText(await say(w, w.secretary, `/会议 纪要 ${committee.id} 会议研究了党费收缴工作。`))).toContain(
      '已记录',
    );
    const again = new Map(tableRows(await say(w, w.zhao, '/日历')).map((r) => [r.name, r]));
    expect(again.get('支部委员会会议')).toMatchObject({ now: '12月：已召开 1', last: '2026-12-03' });
  });

  it('nudges minutes only for a held meeting (on the due day, then 纪要待补 once after); tells the organiser once of a meeting not held', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const theme = await createMeeting(w, {
      kind: 'theme_day',
      label: '主题党日',
      title: '12月主题党日',
      start: '2026-12-03 09:00',
    });
    const committee = await createMeeting(w, {
      kind: 'committee',
      label: '支委会',
      title: '12月支委会',
      start: '2026-12-03 15:00',
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    const general = await createMeeting(w, {
      kind: 'general',
      label: '党员大会',
      title: '第四季度党员大会',
      start: '2026-12-04 15:00',
    });
    // No one signs in to the 主题党日; 2 of 3 to the 支委会 (held); 2 of 6 to the 党员大会 (no quorum).
    clock.set(bj('2026-12-03', '14:45'));
    for (const u of [w.secretary, w.organizer])
      expect(await sign(w, committee.id, '支委会：12月支委会', u)).toMatchObject({ type: 'success' });
    clock.set(bj('2026-12-04', '14:50'));
    for (const u of [w.secretary, w.zhao])
      expect(await sign(w, general.id, '党员大会：第四季度党员大会', u)).toMatchObject({ type: 'success' });
    await talk.drained(h);

    // The 支委会's minutes are due on Tuesday 2026-12-08 (3 working days after Thursday 12-03). Every
    // working day up to two after the old +5 step, twice a day, both jobs.
    for (const day of ['2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11']) {
      for (const time of ['09:30', '15:00']) {
        clock.set(bj(day, time));
        await talk.runJobAt(h, 'meeting-reminders', day, time);
        await talk.runJobAt(h, 'compliance-check', day, time);
      }
    }
    const organiser = w.secretary;
    // The held 支委会: one 纪要提醒 on the due day, one 纪要待补 after it; nothing else about its minutes.
    expect(got(organiser, '纪要')).toEqual([
      `【纪要提醒】2026-12-03 召开的支委会“12月支委会”，纪要应在会后 3 个工作日内完成，今天（2026-12-08）到期。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${committee.id} 纪要内容，并把照片、签到表发给清风。`,
      `【纪要待补】2026-12-03 召开的支委会“12月支委会”，纪要应于 2026-12-08 前完成，现仍未记录。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${committee.id} 纪要内容。`,
    ]);
    // The two not held are never said to have been held: the organiser is told once what the record says.
    expect(got(organiser, '已于')).toEqual([]);
    expect(got(organiser, '【出勤记录】')).toEqual([
      `【出勤记录】原定于 2026-12-03 开展的主题党日“12月主题党日”无人签到，记录为未开展，本期不计为已开展。如实际已开展，请管理员按现场签到表补正出勤：/会议 补正 ${theme.id} @姓名 签到 补正理由`,
      `【出勤记录】原定于 2026-12-04 召开的党员大会“第四季度党员大会”有表决权的党员 6 人，到会 2 人，未超过半数，记录为未召开，本期不计为已召开。如到会人数实际已超过半数，请管理员按现场签到表补正出勤：/会议 补正 ${general.id} @姓名 签到 补正理由`,
    ]);
    for (const u of [w.inspector, w.organizer, w.zhao, w.qian, w.sun]) {
      expect(got(u, '纪要')).toEqual([]);
      expect(got(u, '【出勤记录】')).toEqual([]);
    }
  });

  it('counts only held meetings: a scheduled one softens the warning into a reminder; the 专题会议 window is reminded, warned and escalated; a month without a held 主题党日 is flagged', async () => {
    const w = await setup(bj('2026-06-01', '10:00'));
    const BASIS_DUTY = '（依据：《党委（党组）落实全面从严治党主体责任规定》（2020年））';
    const BASIS_BRANCH = '（依据：《中国共产党支部工作条例（试行）》（2018年））';
    const officers = [w.secretary, w.organizer];
    const others = [w.inspector, w.zhao, w.qian, w.sun];

    // 支委会: one is scheduled for 26 June; 5 working days before the month ends, a due-date reminder.
    await createMeeting(w, {
      kind: 'committee',
      label: '支委会',
      title: '6月支委会',
      start: '2026-06-26 15:00',
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    const committeeWarn = wc.addWorkdays(wc.onOrBefore('2026-06-30'), -5);
    await talk.runJobAt(h, 'compliance-check', committeeWarn);
    const DUE =
      '【合规提醒】本月的支部委员会会议已安排于 2026-06-26 15:00（支委会“6月支委会”），请按时召开支委会并做好签到和纪要';
    for (const u of officers) {
      expect(got(u, '支部委员会会议')).toEqual([`${DUE}${BASIS_BRANCH}。`]);
    }
    for (const u of others) expect(got(u, '支部委员会会议')).toEqual([]);
    // It is held with no one signed in: 未召开, so the warning comes after all, once.
    await talk.runJobAt(h, 'compliance-check', '2026-06-29');
    await talk.runJobAt(h, 'compliance-check', '2026-06-30');
    const MISSED = `【合规提醒】本月尚未召开支部委员会会议${BASIS_BRANCH}。本月将于 2026-06-30 结束，请尽快安排：/会议 新建 支委会`;
    for (const u of officers) expect(got(u, '支部委员会会议')).toEqual([`${DUE}${BASIS_BRANCH}。`, MISSED]);

    // The 主题党日 of June (the 15th) was not held: flagged on the first working day of July, once.
    const THEME = '【合规提醒】2026年6月没有已开展的主题党日记录';
    expect(officers.flatMap((u) => got(u, THEME))).toEqual([]);
    await talk.runJobAt(h, 'compliance-check', '2026-07-01');
    await talk.runJobAt(h, 'compliance-check', '2026-07-02');
    for (const u of officers)
      expect(got(u, THEME)).toEqual([
        `${THEME}${BASIS_BRANCH}。请本月按时开展；如上月已开展而未在清风登记，请管理员补录：/会议 补录 主题党日`,
      ]);
    for (const u of others) expect(got(u, THEME)).toEqual([]);

    // The H2 window of the 专题会议 opens on 1 July: a reminder, once.
    const OPEN = `【合规提醒】下半年全面从严治党专题会议的规定时间为 2026-07-01 至 2026-09-30${BASIS_DUTY}，现已开始，请及早安排召开：/会议 新建 专题会议`;
    for (const u of officers) expect(got(u, '规定时间为 2026-07-01')).toEqual([OPEN]);
    for (const u of others) expect(got(u, '规定时间为 2026-07-01')).toEqual([]);
    // H1's window closed before the org began using the bot (1 June): not escalated.
    for (const u of w.everyone) expect(got(u, '【合规督办】')).toEqual([]);

    // Scheduled for 29 September; the warning 10 working days before the window closes is a reminder instead.
    clock.set(bj('2026-09-01', '10:00'));
    await createMeeting(w, { kind: 'special', label: '专题会议', title: '下半年专题会议', start: '2026-09-29 15:00' });
    const warn = wc.addWorkdays(wc.onOrBefore('2026-09-30'), -10);
    await talk.runJobAt(h, 'compliance-check', wc.addWorkdays(warn, -1));
    for (const u of officers) expect(got(u, '已安排于 2026-09-29')).toEqual([]);
    await talk.runJobAt(h, 'compliance-check', warn);
    for (const u of officers)
      expect(got(u, '全面从严治党专题会议已安排于')).toEqual([
        `【合规提醒】本半年的全面从严治党专题会议已安排于 2026-09-29 15:00（专题会议“下半年专题会议”），请按时召开专题会议并做好签到和纪要${BASIS_DUTY}。`,
      ]);
    for (const u of officers) expect(got(u, '本半年尚未召开全面从严治党专题会议')).toEqual([]);

    // No one signs in: after the window closed, an escalation to the 书记, 纪检委员 and 组织委员, once.
    const ESCALATE = `【合规督办】2026年下半年全面从严治党专题会议未在规定时间 2026-07-01 至 2026-09-30 内召开${BASIS_DUTY}。`;
    await talk.runJobAt(h, 'compliance-check', '2026-09-30');
    for (const u of w.everyone) expect(got(u, '【合规督办】2026年下半年')).toEqual([]);
    await talk.runJobAt(h, 'compliance-check', '2026-10-09');
    await talk.runJobAt(h, 'compliance-check', '2026-10-12');
    for (const u of [w.secretary, w.inspector, w.organizer])
      expect(got(u, '【合规督办】2026年下半年')).toEqual([
        `${ESCALATE}请尽快召开并做好签到和纪要；如已召开而未在清风登记，请管理员补录：/会议 补录 专题会议`,
      ]);
    for (const u of [w.zhao, w.qian, w.sun]) expect(got(u, '【合规督办】')).toEqual([]);
  });

  it('lets an admin 补录 a meeting held before the bot was used: stored settled and audited, shown as 补录 everywhere', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    // A plain member may not.
    expect(messageText(await say(w, w.zhao, '/会议 补录'))).toBe('需要书记、副书记、纪检委员或组织委员权限。');

    const good = {
      kind: 'theme_day',
      title: '11月主题党日：参观廉政教育基地',
      start: '2026-11-13 09:00 +0800',
      place: '市廉政教育基地',
      present: [w.secretary.openId, w.inspector.openId, w.organizer.openId, w.zhao.openId],
      leave: [w.qian.openId],
      absent: [w.sun.openId],
      minutes: '参观廉政教育基地，重温入党誓词。',
    };
    // Refused: a time not in the past, no one present, a person listed twice.
    const refused = async (form: Record<string, unknown>) => (await backfill(w, w.secretary, form)).answer.toast;
    expect(await refused({ ...good, start: '2026-12-05 09:00 +0800' })).toEqual({
      type: 'error',
      content: '召开时间应早于现在；以后的会议请发送 /会议 新建 发布通知。',
    });
    expect(await refused({ ...good, leave: [w.zhao.openId] })).toEqual({
      type: 'error',
      content: '同一人只能列为实到、请假或缺席中的一种，请重新选择。',
    });
    expect(await h.db.db.selectFrom('sessions').selectAll().execute()).toEqual([]);

    // Stored by the organiser (an admin).
    const { answer, card } = await backfill(w, w.organizer, good, '主题党日');
    expect(answer.toast).toMatchObject({ type: 'success', content: expect.stringMatching(/^已补录（#\d+）$/) });
    const id = Number(/#(\d+)/.exec(answer.toast?.content ?? '')?.[1]);
    const stored = h.emu.requireMessage(card.messageId);
    expect(cardTitle(stored)).toBe('主题党日：11月主题党日：参观廉政教育基地');
    expect(cardText(stored.content)).toContain('**状态**：已开展（补录）');
    expect(cardText(stored.content)).toContain('**应到** 6 人　**实到** 4 人　**请假** 1 人　**缺席** 1 人');
    const s = await h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(s).toMatchObject({
      recorded_as: 'backfill',
      kind: 'theme_day',
      start_at: '2026-11-13T01:00:00.000Z',
      minutes: good.minutes,
      minutes_at: expect.stringMatching(/^2026-12-01T02:/),
      organiser_open_id: w.organizer.openId,
    });
    const att = await h.db.db
      .selectFrom('session_attendees')
      .select(['name', 'status'])
      .where('session_id', '=', id)
      .orderBy('name')
      .execute();
    expect(Object.fromEntries(att.map((a) => [a.name, a.status]))).toEqual({
      张组织: 'signed',
      李书记: 'signed',
      王纪检: 'signed',
      赵党员: 'signed',
      钱党员: 'leave',
      孙党员: 'invited',
    });
    const audit = await h.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'meeting:backfill').execute();
    expect(audit).toHaveLength(1);

    // The same record twice is refused.
    expect((await backfill(w, w.secretary, good)).answer.toast).toEqual({
      type: 'error',
      content: `这次会议已有记录（#${id}），无需重复补录。`,
    });

    // Shown as 补录 in the list, on /日历 (最近一次) and in the 记录簿.
    expect(listStatuses(await say(w, w.zhao, '/会议')).get(id)).toBe('已开展（补录）');
    const rows = new Map(tableRows(await say(w, w.zhao, '/日历')).map((r) => [r.name, r]));
    expect(rows.get('主题党日')).toMatchObject({ last: '2026-11-13（补录）' });
    const book = await ledger(w);
    expect(book.map((r) => [r.主题, r.应到, r.实到, r.请假, r.缺席, r.状态])).toEqual([
      [good.title, 6, 4, 1, 1, '已开展（补录）'],
    ]);
  });
});
