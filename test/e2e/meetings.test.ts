/**
 * Meetings end to end: the 专题会议 form (agenda pre-filled) → one notice in the group, the 参会回执 (参加 / 请假, reason
 * required) before the start and 签到 once its window opens (the `meeting-reminders` job redraws the cards
 * then), live counts patched in the group (also under simultaneous clicks), the 党员大会 quorum; reminders
 * to non-responders only (T−3, T−1, 1 hour), once; minutes on the card, a file attached, 转为任务, the
 * 纪要提醒; move and cancel; the missed-cycle detector, 主题党日, 节前廉政提醒, a missing holiday table; the
 * 三会一课记录簿 export; /日历.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { field, tableRows } from '../helpers/card-parts.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { publishSession, showMeeting } from '../helpers/meeting-steps.ts';

/**
 * The live counts line of a session card, without markup: "应到 6 人 参加 2 人 请假 1 人 未回复 3 人" before
 * the start (with 已签到 once the 签到 window is open), "应到 6 人 已签到 4 人 请假 1 人 未签到 1 人" after it.
 */
function countsLine(m: EmuMessage): string {
  const line = cardText(m.content)
    .split('\n')
    .find((l) => l.startsWith('**应到**'));
  if (!line) throw new Error(`no counts in ${m.content.slice(0, 300)}`);
  return line.replaceAll('**', '').replaceAll('　', ' ');
}

/** An instant given as Beijing date and time. */
const wc = new WorkCalendar();

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number, width: number) =>
  Array.from({ length: width }, (_x, i) => ws.getRow(n).getCell(i + 1).value);

describe('meetings', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  type World = Awaited<ReturnType<typeof setup>>;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const privateMsgs = (u: EmuUser) => talk.privateMessages(h, u);
  /** How many private messages each person has now; `since` gives what came after. */
  const mark = (people: EmuUser[]) => {
    const at = new Map(people.map((u) => [u.openId, privateMsgs(u).length]));
    return { since: (u: EmuUser) => privateMsgs(u).slice(at.get(u.openId) ?? 0) };
  };
  const texts = (ms: EmuMessage[]) => ms.filter((m) => m.msgType === 'text').map(messageText);

  const drained = () => talk.drained(h);
  const run = (job: string, date: string, time?: string) => talk.runJobAt(h, job, date, time);
  /**
   * The `meeting-reminders` job as of a Beijing time, the clock moved there too: its upkeep redraws the
   * session cards when 签到 opens (30 minutes before the start), at the start and when the window closes.
   */
  const jobAt = (date: string, time: string) => {
    clock.set(bj(date, time));
    return run('meeting-reminders', date, time);
  };
  const answerTo = (m: EmuMessage) => talk.answerTo(h, m);
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);
  const postedCard = (chatId: string, title: string, before = 0) => talk.postedCard(h, chatId, title, before);

  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);

  async function setup(at: Date, members = ['王纪检', '张组织', '赵党员', '钱党员', '孙党员']) {
    clock = new OffsetClock();
    clock.set(at);
    h = await startBot({ clock });
    const w = await seedBranch(h, { members });
    const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    await say(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await say(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, group: w.chat.chatId, inspector, organizer, zhao, qian, sun, everyone: [w.secretary, ...w.members] };
  }

  const LABELS: Record<string, string> = {
    special: '专题会议',
    general: '党员大会',
    committee: '支委会',
    lecture: '党课',
  };

  /** Publishes a meeting through `/会议 新建` and its form; returns its id, the form card and the notice. */
  async function createMeeting(
    w: World,
    by: EmuUser,
    o: { kind: string; title: string; start: string; attendees?: string[]; place?: string; host?: EmuUser },
  ) {
    const label = LABELS[o.kind] ?? o.kind;
    const formCard = await say(w.group, by, `/会议 新建 ${label}`);
    expect(cardTitle(formCard)).toBe('新建会议');
    const before = h.emu.botMessages(w.group).length;
    const created = await publishSession(h, formCard, by, {
      kind: o.kind,
      title: o.title,
      start: `${o.start} +0800`,
      place: o.place ?? '三楼会议室',
      agenda: (field(formCard, 'agenda').default_value as string | undefined) ?? '',
      attendees: o.attendees ?? [],
      ...(o.host ? { host: o.host.openId } : {}),
    });
    expect(created.toast).toMatchObject({ type: 'success', content: expect.stringMatching(/^已发布.+通知（#\d+）$/) });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    const notice = await postedCard(w.group, `${label}：${o.title}`, before);
    await drained();
    return { id, formCard, notice };
  }

  async function sign(card: EmuMessage, u: EmuUser) {
    return h.emu.click({ messageId: card.messageId, from: u.openId, value: button(current(card), '签到').value });
  }

  /** 请假 on a card: opens the form (privately, from a group card), submits the reason. */
  async function askLeave(card: EmuMessage, u: EmuUser, reason: string) {
    const form = await talk.openForm(h, card, u, '请假');
    expect(cardText(form.content)).toContain('请假理由');
    return h.emu.click({
      messageId: form.messageId,
      from: u.openId,
      value: button(current(form), '提交请假').value,
      name: 'submit_leave',
      formValue: { reason },
    });
  }

  const attendees = (id: number) =>
    h.db.db.selectFrom('session_attendees').selectAll().where('session_id', '=', id).orderBy('name').execute();
  const session = (id: number) =>
    h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('publishes a 专题会议 from the form with its agenda, takes 参加 and 请假 (reason required) before the start and 签到 once its window opens, with live counts; a 党员大会 shows the quorum', async () => {
    const w = await setup(bj('2026-12-08', '10:00'), ['王纪检', '张组织', '赵党员', '钱党员', '孙党员', '刘观察']);
    // An observer from the level above is not an attendee.
    const observer = w.members[5] as EmuUser;
    expect(messageText(await say(w.group, w.secretary, `/角色 @{${observer.openId}} 上级观察员`))).toContain('观察员');
    const formCard = await say(w.group, w.secretary, '/会议 新建 专题会议');
    expect(cardTitle(formCard)).toBe('新建会议');
    expect(field(formCard, 'kind').initial_option).toBe('special');
    const agenda = field(formCard, 'agenda').default_value as string;
    expect(agenda).toContain('形势分析');
    expect(agenda).toContain('问题清单');
    expect(agenda).toContain('下阶段部署');

    const title = '2026年下半年全面从严治党专题会议';
    const before = h.emu.botMessages(w.group).length;
    const created = await publishSession(h, formCard, w.secretary, {
      kind: 'special',
      title,
      start: '2026-12-10 15:00 +0800',
      place: '三楼会议室',
      agenda,
      attendees: [],
    });
    expect(created.toast?.content).toMatch(/^已发布专题会议通知（#\d+）$/);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    // The form says the notice was published, with nothing to press: it is not a second copy of the notice …
    const confirmed = current(formCard);
    expect(cardTitle(confirmed)).toBe('已发布专题会议通知');
    expect(buttons(confirmed)).toEqual([]);
    // … which was posted in the group, once.
    const notice = await postedCard(w.group, `专题会议：${title}`, before);
    expect(notice.messageId).not.toBe(formCard.messageId);
    await drained();
    expect(
      h.emu
        .botMessages(w.group)
        .map(current)
        .filter((m) => cardTitle(m) === `专题会议：${title}`),
    ).toHaveLength(1);
    const shown = cardText(notice.content);
    expect(shown).toContain('形势分析');
    expect(shown).toContain('2026-12-10 15:00');
    expect(shown).toContain('三楼会议室');
    expect(shown).toContain('下阶段部署');
    // Before 签到 opens members answer the 参会回执: 参加 or 请假; the card says when 签到 opens.
    expect(countsLine(notice)).toBe('应到 6 人 参加 0 人 请假 0 人 未回复 6 人');
    expect(buttons(notice).map((b) => b.text)).toEqual(['参加', '请假']);
    expect(shown).toContain('签到时间为 12月10日 14:30 至 18:00。开始前请回复参加或请假。');
    expect(await session(id)).toMatchObject({
      category: 'meeting',
      kind: 'special',
      title,
      start_at: bj('2026-12-10', '15:00').toISOString(),
      status: 'scheduled',
      organiser_open_id: w.secretary.openId,
      organiser_name: '李书记',
    });
    expect((await attendees(id)).map((a) => [a.name, a.status])).toEqual(
      w.everyone
        .filter((u) => u !== observer)
        .map((u) => [u.name, 'invited'])
        .sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );

    // 请假 needs a reason; the form opens in 赵's private chat and the group notice stays as it is.
    const shownBefore = current(notice).content;
    const empty = await askLeave(notice, w.zhao, '  ');
    expect(empty.toast).toEqual({ type: 'error', content: '请假需要填写理由。' });
    expect((await attendees(id)).find((a) => a.open_id === w.zhao.openId)?.status).toBe('invited');
    expect(current(notice).content).toBe(shownBefore);
    const leaveForm = h.emu.botMessages(p2p(w.zhao)).findLast((m) => m.content.includes('提交请假')) as EmuMessage;
    const left = await h.emu.click({
      messageId: leaveForm.messageId,
      from: w.zhao.openId,
      value: button(current(leaveForm), '提交请假').value,
      name: 'submit_leave',
      formValue: { reason: '参加上级党委集中培训' },
    });
    expect(left.toast).toEqual({ type: 'success', content: '已请假' });
    await h.emu.waitFor(() => countsLine(current(notice)) === '应到 6 人 参加 0 人 请假 1 人 未回复 5 人', {
      what: 'notice counts the leave',
    });
    expect((await attendees(id)).find((a) => a.open_id === w.zhao.openId)).toMatchObject({
      status: 'leave',
      reason: '参加上级党委集中培训',
    });

    // A second copy of the card (`/会议 查看`), kept up to date with the notice.
    const replaced = await showMeeting(h, w, id, `专题会议：${title}`);
    // 签到 opens 30 minutes before the start: the job redraws both copies with 签到 (参加 and 请假 stay).
    await jobAt('2026-12-10', '14:30');
    await h.emu.waitFor(() => buttons(current(replaced)).some((b) => b.text === '签到'), {
      what: '签到 on the first copy',
    });
    expect(buttons(current(notice)).map((b) => b.text)).toEqual(['签到', '参加', '请假']);
    // Two members sign on the second copy; the notice is patched in place through the outbox.
    const patchedBefore = h.emu.store.apiLog.length;
    clock.set(bj('2026-12-10', '14:45'));
    expect((await sign(replaced, w.qian)).toast).toEqual({ type: 'success', content: '已签到' });
    await drained();
    expect((await sign(replaced, w.sun)).toast).toEqual({ type: 'success', content: '已签到' });
    const signedTwo = '应到 6 人 参加 2 人 请假 1 人 未回复 3 人 已签到 2 人';
    const patched = await h.emu.waitFor(
      () => {
        const m = current(notice);
        return countsLine(m) === signedTwo && m;
      },
      { what: 'notice patched' },
    );
    await drained();
    expect(countsLine(current(notice))).toBe(signedTwo);
    expect(cardText(patched.content)).toContain('赵党员：参加上级党委集中培训');
    expect(
      h.emu.store.apiLog
        .slice(patchedBefore)
        .some((c) => c.method === 'PATCH' && c.path === `/open-apis/im/v1/messages/${notice.messageId}`),
    ).toBe(true);
    expect((await sign(notice, w.qian)).toast).toEqual({ type: 'error', content: '您已经签到了。' });
    expect((await attendees(id)).filter((a) => a.status === 'signed').map((a) => a.name)).toEqual(['孙党员', '钱党员']);

    // A 党员大会 votes: the card tells whether more than half of the voting members are present.
    const general = await createMeeting(w, w.secretary, {
      kind: 'general',
      title: '选举支部委员会委员',
      start: '2026-12-10 15:30',
    });
    expect(cardText(general.notice.content)).toContain('有表决权的党员 6 人，已到 0 人，尚未过半。');
    // Its 签到 opens at 15:00 (the job redraws its card then).
    await jobAt('2026-12-10', '15:00');
    await h.emu.waitFor(() => buttons(current(general.notice)).some((b) => b.text === '签到'), {
      what: '签到 on the 党员大会 notice',
    });
    clock.set(bj('2026-12-10', '15:05'));
    for (const u of [w.secretary, w.inspector, w.organizer]) await sign(general.notice, u);
    expect(cardText(current(general.notice).content)).toContain('有表决权的党员 6 人，已到 3 人，尚未过半。');
    const fourth = await sign(general.notice, w.zhao);
    expect(cardText(fourth.card)).toContain('有表决权的党员 6 人，已到 4 人，超过半数。');
    await drained();
    expect(cardText(current(general.notice).content)).toContain('超过半数');
    expect(countsLine(current(general.notice))).toBe('应到 6 人 参加 4 人 请假 0 人 未回复 2 人 已签到 4 人');
  });

  it('reminds only attendees who have not answered at T−3, T−1 and 1 hour before, once each; 请假 members get nothing', async () => {
    const w = await setup(bj('2026-12-03', '10:00'));
    const day = '2026-12-10'; // a Thursday
    const title = '12月全面从严治党专题会议';
    const { notice } = await createMeeting(w, w.secretary, { kind: 'special', title, start: `${day} 15:00` });
    // 赵 asks leave on the card; 钱 is away (请假/出差) until after the meeting.
    expect((await askLeave(notice, w.zhao, '外出公务')).toast?.content).toBe('已请假');
    expect(messageText(await say(w.group, w.qian, '/请假 2026-12-11 到外地出差'))).toContain('已登记请假');
    await drained();

    const t3 = wc.addWorkdays(day, -3);
    const t1 = wc.addWorkdays(day, -1);
    expect([t3, t1]).toEqual(['2026-12-07', '2026-12-09']);

    // Before T−3 nothing is due.
    expect(await run('meeting-reminders', wc.addWorkdays(t3, -1))).toMatchObject({ due: 0, posted: 0 });

    // T−3: a private text (and the card) to each of the four who have not answered.
    let seen = mark(w.everyone);
    expect(await run('meeting-reminders', t3)).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.inspector, w.organizer, w.sun]) {
      const got = seen.since(u);
      expect(texts(got)).toEqual([expect.stringContaining('您还没有回复')]);
      expect(texts(got)[0]).toContain(`【近期会议】将于 2026-12-10 15:00 召开专题会议“${title}”`);
      expect(got.filter((m) => cardTitle(m) === `专题会议：${title}`)).toHaveLength(1);
    }
    expect(seen.since(w.zhao)).toEqual([]);
    expect(seen.since(w.qian)).toEqual([]);
    // Running again, or the next day, posts nothing more.
    seen = mark(w.everyone);
    expect(await run('meeting-reminders', t3)).toMatchObject({ posted: 0 });
    expect(await run('meeting-reminders', wc.addWorkdays(t3, 1))).toMatchObject({ posted: 0 });
    for (const u of w.everyone) expect(seen.since(u)).toEqual([]);

    // 孙 asks leave in between; at T−1 only the three still silent are reminded.
    expect((await askLeave(notice, w.sun, '家中有事')).toast?.content).toBe('已请假');
    await drained();
    seen = mark(w.everyone);
    expect(await run('meeting-reminders', t1)).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.inspector, w.organizer]) {
      expect(texts(seen.since(u))).toEqual([expect.stringMatching(/^【明日会议】.*您还没有回复/)]);
    }
    for (const u of [w.zhao, w.qian, w.sun]) expect(seen.since(u)).toEqual([]);
    expect(await run('meeting-reminders', t1, '16:00')).toMatchObject({ posted: 0 });
    // The morning of the meeting: nothing (the 1-hour reminder comes later).
    expect(await run('meeting-reminders', day, '09:30')).toMatchObject({ posted: 0 });

    // 张 asks leave too (签到 is not open yet); 1 hour before only the secretary and 王 are reminded, once.
    expect((await askLeave(notice, w.organizer, '临时出差')).toast?.content).toBe('已请假');
    await drained();
    seen = mark(w.everyone);
    expect(await run('meeting-reminders', day, '14:00')).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.inspector]) {
      const got = seen.since(u);
      expect(got).toHaveLength(1);
      expect(texts(got)).toEqual([
        expect.stringMatching(/^【1小时后开始】专题会议“12月全面从严治党专题会议”将于 2026-12-10 15:00 开始/),
      ]);
    }
    for (const u of [w.organizer, w.zhao, w.qian, w.sun]) expect(seen.since(u)).toEqual([]);
    expect(await run('meeting-reminders', day, '14:30')).toMatchObject({ posted: 0 });
    for (const u of [w.secretary, w.inspector]) expect(seen.since(u)).toHaveLength(1);
  });

  it('takes minutes after the start on the card, attaches a file sent privately, turns a decision into a task; 纪要提醒 once', async () => {
    const w = await setup(bj('2026-12-08', '10:00'));
    const day = '2026-12-10';
    const title = '2026年下半年全面从严治党专题会议';
    const special = await createMeeting(w, w.secretary, { kind: 'special', title, start: `${day} 15:00` });
    // The 组织委员 calls a 支委会 the same day and never records its minutes.
    const committee = await createMeeting(w, w.organizer, {
      kind: 'committee',
      title: '12月支委会',
      start: `${day} 16:00`,
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    expect((await attendees(committee.id)).map((a) => a.name)).toEqual(['张组织', '李书记', '王纪检']);

    const MINUTES = [
      '会议传达学习了上级文件精神，分析了本支部党风廉政建设形势。',
      '决定：由张组织负责，12月底前完成党费收缴情况专项自查。',
      '与会同志结合分工作了发言。',
    ].join('\n');
    expect(messageText(await say(w.group, w.secretary, `/会议 纪要 ${special.id} ${MINUTES}`))).toBe(
      '活动开始后才能记录纪要。',
    );

    clock.set(bj(day, '17:00'));
    // Two of the three sign in to the 支委会 (more than half: held).
    const beforeCommittee = h.emu.botMessages(w.group).length;
    await h.emu.sendText({
      chatId: w.group,
      from: w.secretary.openId,
      text: `/会议 查看 ${committee.id}`,
      mentionBot: true,
    });
    const committeeCard = await postedCard(w.group, '支委会：12月支委会', beforeCommittee);
    for (const u of [w.secretary, w.organizer]) expect((await sign(committeeCard, u)).toast?.content).toBe('已签到');
    await drained();
    const before = h.emu.botMessages(w.group).length;
    await h.emu.sendText({
      chatId: w.group,
      from: w.secretary.openId,
      text: `/会议 查看 ${special.id}`,
      mentionBot: true,
    });
    const card = await postedCard(w.group, `专题会议：${title}`, before);
    // After the start 参加 and 请假 are gone; 签到 stays until its window closes (18:00).
    expect(buttons(card).map((b) => b.text)).toEqual(['签到', '记录纪要']);
    for (const u of [w.secretary, w.inspector, w.zhao]) expect((await sign(card, u)).toast?.content).toBe('已签到');

    // Only the organiser or an admin records minutes.
    const notAllowed = await h.emu.click({
      messageId: card.messageId,
      from: w.zhao.openId,
      value: button(card, '记录纪要').value,
    });
    expect(notAllowed.toast).toEqual({ type: 'error', content: '只有组织人（李书记）或组织管理员可以记录纪要。' });

    const minutesForm = await talk.openForm(h, card, w.secretary, '记录纪要');
    expect(cardText(minutesForm.content)).toContain('会议纪要');
    const saved = await h.emu.click({
      messageId: minutesForm.messageId,
      from: w.secretary.openId,
      value: button(current(minutesForm), '保存').value,
      name: 'submit_minutes',
      formValue: { minutes: MINUTES, link: 'https://example.feishu.cn/docx/special-1210' },
    });
    expect(saved.toast).toEqual({ type: 'success', content: '纪要已保存' });
    expect(cardText(saved.card)).toContain('决定：由张组织负责');
    expect(buttons(current(minutesForm)).map((b) => b.text)).toContain('转为任务');
    await h.emu.waitFor(() => buttons(current(card)).some((b) => b.text === '转为任务'), {
      what: 'group card with 转为任务',
    });
    const stored = await session(special.id);
    expect(stored.minutes).toBe(MINUTES);
    expect(stored.minutes_at?.slice(0, 13)).toBe('2026-12-10T09'); // 17:00 in Beijing
    const files = () =>
      h.db.db.selectFrom('session_files').selectAll().where('session_id', '=', special.id).orderBy('id').execute();
    expect(await files()).toMatchObject([
      { kind: 'minutes', value: 'https://example.feishu.cn/docx/special-1210', added_by: w.secretary.openId },
    ]);
    // The notice in the group shows the minutes too.
    await h.emu.waitFor(() => cardText(current(special.notice).content).includes('决定：由张组织负责'), {
      what: 'notice with minutes',
    });

    // A photo sent privately by the organiser is attached to the meeting from the 收到文件 card.
    const photo = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '专题会议签到表.jpg',
      bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]),
    });
    const received = await answerTo(photo);
    expect(cardTitle(received)).toBe('收到文件');
    const options = (field(received, 'item').options as { text: { content: string }; value: string }[]).map((o) => [
      o.text.content,
      o.value,
    ]);
    expect(options).toContainEqual([expect.stringContaining(`专题会议 #${special.id}`), `s:${special.id}`]);
    const attached = await h.emu.click({
      messageId: received.messageId,
      from: w.secretary.openId,
      value: button(received, '作为佐证材料').value,
      name: 'submit_attach',
      formValue: { item: `s:${special.id}` },
    });
    expect(attached.toast).toEqual({ type: 'success', content: `已附到 #${special.id}` });
    expect((await files()).map((f) => [f.kind, f.name, f.added_by])).toEqual([
      ['minutes', 'https://example.feishu.cn/docx/special-1210', w.secretary.openId],
      ['file', '专题会议签到表.jpg', w.secretary.openId],
    ]);
    await h.emu.waitFor(() => cardText(current(special.notice).content).includes('专题会议签到表.jpg'), {
      what: 'notice with the file',
    });
    expect(cardText(current(special.notice).content)).toContain('**材料**（2）');

    // 转为任务 is for admins; it sends the organiser a task form pre-filled with the decision.
    const member = await h.emu.click({
      messageId: card.messageId,
      from: w.zhao.openId,
      value: button(current(card), '转为任务').value,
    });
    expect(member.toast?.type).toBe('error');
    expect(member.toast?.content).toContain('权限');
    const toTask = await h.emu.click({
      messageId: card.messageId,
      from: w.secretary.openId,
      value: button(current(card), '转为任务').value,
    });
    expect(toTask.toast).toEqual({
      type: 'success',
      content: '已把预填好的任务表单私信发给您，确认责任人和时限后创建。',
    });
    const taskForm = await postedCard(p2p(w.secretary), '新增主体责任任务');
    const content = field(taskForm, 'content').default_value as string;
    expect(content).toBe(`${title}：决定：由张组织负责，12月底前完成党费收缴情况专项自查。`);
    const createdTask = await h.emu.click({
      messageId: taskForm.messageId,
      from: w.secretary.openId,
      value: button(taskForm, '创建').value,
      name: 'submit_task_new',
      formValue: {
        content,
        owners: [w.organizer.openId],
        leader: '李书记',
        cadence: 'once',
        due: '2026-12-31 +0800',
        category: '组织建设',
        evidence: '自查报告',
      },
    });
    expect(createdTask.toast).toEqual({ type: 'success', content: '已创建，1 位责任人已收到任务卡片' });
    const tasks = await h.db.db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .select(['tasks.owner_open_id', 'tasks.due_date', 'duty_items.content', 'duty_items.cadence'])
      .execute();
    expect(tasks).toEqual([{ owner_open_id: w.organizer.openId, due_date: '2026-12-31', content, cadence: 'once' }]);
    await h.emu.waitFor(() => privateMsgs(w.organizer).some((m) => cardTitle(m)?.startsWith('责任任务 #')), {
      what: 'task card to the owner',
    });

    // The 支委会 has no minutes: its organiser (not the secretary) is nudged on the day they are due (3
    // working days after), once; after it the 纪要待补 (compliance-check) once, and no third nudge.
    const seen = mark(w.everyone);
    expect(await run('meeting-reminders', wc.addWorkdays(day, 2))).toMatchObject({ posted: 0 });
    expect(await run('meeting-reminders', wc.addWorkdays(day, 3))).toMatchObject({ posted: 1 });
    expect(await run('meeting-reminders', wc.addWorkdays(day, 3), '15:00')).toMatchObject({ posted: 0 });
    for (const n of [4, 5, 6]) {
      expect(await run('meeting-reminders', wc.addWorkdays(day, n))).toMatchObject({ posted: 0 });
      await run('compliance-check', wc.addWorkdays(day, n));
    }
    const due = wc.addWorkdays(day, 3);
    const aboutMinutes = (u: EmuUser) => texts(seen.since(u)).filter((t) => t.includes('纪要应'));
    expect(aboutMinutes(w.organizer)).toEqual([
      `【纪要提醒】2026-12-10 召开的支委会“12月支委会”，纪要应在会后 3 个工作日内完成，今天（${due}）到期。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${committee.id} 纪要内容，并把照片、签到表发给清风。`,
      `【纪要待补】2026-12-10 召开的支委会“12月支委会”，纪要应于 ${due} 前完成，现仍未记录。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${committee.id} 纪要内容。`,
    ]);
    for (const u of [w.secretary, w.inspector, w.zhao, w.qian, w.sun]) expect(aboutMinutes(u)).toEqual([]);
  });

  it('moves and cancels: only the organiser or an admin; everyone who answered 参加, signed or asked leave is told privately, nobody else', async () => {
    const w = await setup(bj('2026-12-08', '10:00'));
    const title = '12月全面从严治党专题会议';
    const { id, notice } = await createMeeting(w, w.secretary, {
      kind: 'special',
      title,
      start: '2026-12-10 15:00',
    });
    const copy = await showMeeting(h, w, id, `专题会议：${title}`);
    expect((await askLeave(notice, w.zhao, '外出公务')).toast?.content).toBe('已请假');
    const attend = await h.emu.click({
      messageId: notice.messageId,
      from: w.sun.openId,
      value: button(current(notice), '参加').value,
    });
    expect(attend.toast?.content).toBe('已回复参加');
    await jobAt('2026-12-10', '14:30'); // 签到 opens 30 minutes before the start: the card gets 签到
    clock.set(bj('2026-12-10', '14:45'));
    expect((await sign(notice, w.qian)).toast?.content).toBe('已签到');
    await drained();

    // 孙, a plain member, is refused; nothing changes.
    expect(messageText(await say(w.group, w.sun, `/会议 改期 ${id} 2026-12-17 15:00`))).toBe(
      '只有组织人（李书记）或组织管理员可以改期。',
    );
    expect(messageText(await say(w.group, w.sun, `/会议 取消 ${id} 不想开了`))).toBe(
      '只有组织人（李书记）或组织管理员可以取消。',
    );
    expect(await session(id)).toMatchObject({ start_at: bj('2026-12-10', '15:00').toISOString(), status: 'scheduled' });

    // Moved: 参加 and 请假 are kept, 钱's 签到 in the old window is set back to 参加; each who answered is
    // told what it means for them.
    let seen = mark(w.everyone);
    const moved = await say(w.group, w.secretary, `/会议 改期 ${id} 2026-12-17 15:00`);
    expect(messageText(moved)).toBe(
      `“${title}”已改至 2026-12-17 15:00。原定时间的 1 人签到已作废，需在新的时间重新签到；已私信通知已回复参加、签到和请假的人员，未回复的人员将按新的时间收到提醒。`,
    );
    await drained();
    expect(await session(id)).toMatchObject({ start_at: bj('2026-12-17', '15:00').toISOString() });
    expect(Object.fromEntries((await attendees(id)).map((a) => [a.name, a.status]))).toMatchObject({
      赵党员: 'leave',
      钱党员: 'attending',
      孙党员: 'attending',
    });
    const head = `【改期通知】专题会议“${title}”由 2026-12-10 15:00 改至 2026-12-17 15:00。`;
    const window = '签到时间为 12月17日 14:30 至 18:00';
    expect(texts(seen.since(w.zhao))).toEqual([
      `${head}您已请假（外出公务），如新的时间可以参加，请在通知卡片上点“参加”。`,
    ]);
    expect(texts(seen.since(w.qian))).toEqual([
      `${head}您在原定时间的签到已作废，现记为“参加”，请在新的时间签到（${window}），如不能参加，请在开始前请假。`,
    ]);
    expect(texts(seen.since(w.sun))).toEqual([
      `${head}您已回复参加，请在新的时间签到（${window}），如不能参加，请在开始前请假。`,
    ]);
    for (const u of [w.secretary, w.inspector, w.organizer]) expect(seen.since(u)).toEqual([]);
    // The notice shows the new time, before its window again: 参加 and 请假, no 签到.
    await h.emu.waitFor(() => cardText(current(notice).content).includes('2026-12-17 15:00'), {
      what: 'notice moved',
    });
    await h.emu.waitFor(
      () =>
        buttons(current(notice))
          .map((b) => b.text)
          .join() === '参加,请假',
      {
        what: 'notice back to the 参会回执',
      },
    );

    seen = mark(w.everyone);
    const cancelled = await say(w.group, w.secretary, `/会议 取消 ${id} 与上级党委会议时间冲突`);
    expect(messageText(cancelled)).toBe(`已取消“${title}”，已私信通知已回复参加、签到和请假的人员。`);
    await drained();
    expect((await session(id)).status).toBe('cancelled');
    for (const u of [w.zhao, w.qian, w.sun]) {
      expect(texts(seen.since(u))).toEqual([
        `【取消通知】专题会议“${title}”（原定 2026-12-17 15:00）已取消。原因：与上级党委会议时间冲突`,
      ]);
    }
    for (const u of [w.secretary, w.inspector, w.organizer]) expect(seen.since(u)).toEqual([]);
    const shown = await h.emu.waitFor(
      () => {
        const m = current(notice);
        return m.content.includes('已取消') && m;
      },
      { what: 'notice cancelled' },
    );
    expect(JSON.parse(shown.content).header.text_tag_list).toEqual([
      expect.objectContaining({ text: expect.objectContaining({ content: '已取消' }) }),
    ]);
    expect(cardText(shown.content)).toContain('本次活动已取消。');
    expect(buttons(shown)).toEqual([]);
    // Another copy of the card is updated too; a click that was already on its way is refused.
    await h.emu.waitFor(() => current(copy).content.includes('已取消'), { what: 'copy cancelled' });
    const late = await h.emu.click({
      messageId: copy.messageId,
      from: w.sun.openId,
      value: { a: 'meeting.sign', id, o: 1 },
      bypassClient: true, // the card no longer has 签到: a stale click, sent before the update reached the client
    });
    expect(late.toast).toEqual({ type: 'error', content: '本次活动已取消。' });
    // A cancelled meeting is not reminded.
    expect(await run('meeting-reminders', '2026-12-16')).toMatchObject({ due: 0 });
  });

  it('tells the secretary and the organiser once when no 专题会议 is held or scheduled 10 working days before its half-year window closes; 支委会 near the month end', async () => {
    const w = await setup(bj('2026-09-01', '10:00'));
    // A second org that has its special meeting scheduled in the H2 window (Jul–Sep).
    const boss = h.emu.addUser('周书记');
    const member2 = h.emu.addUser('吴党员');
    const chat2 = h.emu.createGroup({ name: '第二党支部', owner: boss.openId, members: [member2.openId] });
    expect(messageText(await say(chat2.chatId, boss, '/绑定 第二党支部'))).toContain('第二党支部');
    const w2 = { ...w, group: chat2.chatId };
    await createMeeting(w2, boss, { kind: 'special', title: '下半年全面从严治党专题会议', start: '2026-09-24 15:00' });

    const SPECIAL =
      '本半年尚未召开全面从严治党专题会议（依据：《党委（党组）落实全面从严治党主体责任规定》（2020年））';
    const COMMITTEE = '本月尚未召开支部委员会会议（依据：《中国共产党支部工作条例（试行）》（2018年））';
    const people = [...w.everyone, boss, member2];
    const got = (u: EmuUser, needle: string) => texts(privateMsgs(u)).filter((t) => t.includes(needle));

    const warn = wc.addWorkdays(wc.onOrBefore('2026-09-30'), -10);
    expect(warn).toBe('2026-09-16');
    await run('compliance-check', wc.addWorkdays(warn, -1));
    for (const u of people) expect(got(u, SPECIAL)).toEqual([]);

    await run('compliance-check', warn);
    for (const u of [w.secretary, w.organizer]) {
      expect(got(u, SPECIAL)).toEqual([
        `【合规提醒】${SPECIAL}。规定时间为 2026-07-01 至 2026-09-30，将于 2026-09-30 结束，请尽快安排：/会议 新建 专题会议`,
      ]);
    }
    for (const u of [w.inspector, w.zhao, w.qian, w.sun, boss, member2]) expect(got(u, SPECIAL)).toEqual([]);
    // Once: the same day again and the following days add nothing.
    await run('compliance-check', warn, '14:00');
    await run('compliance-check', wc.addWorkdays(warn, 1));
    for (const u of [w.secretary, w.organizer]) expect(got(u, SPECIAL)).toHaveLength(1);

    // 支委会 (monthly, 5 working days ahead): nothing the day before the lead time, then a notice.
    const committeeWarn = wc.addWorkdays(wc.onOrBefore('2026-09-30'), -5);
    await run('compliance-check', wc.addWorkdays(committeeWarn, -1));
    for (const u of people) expect(got(u, COMMITTEE)).toEqual([]);
    await run('compliance-check', committeeWarn);
    for (const u of [w.secretary, w.organizer, boss]) expect(got(u, COMMITTEE)).toHaveLength(1);
    for (const u of [w.inspector, w.zhao, member2]) expect(got(u, COMMITTEE)).toEqual([]);
    expect(got(w.secretary, COMMITTEE)[0]).toContain('本月将于 2026-09-30 结束，请尽快安排：/会议 新建 支委会');
    // The org with a special meeting scheduled in the window was never warned about it.
    expect(got(boss, SPECIAL)).toEqual([]);
  });

  it('posts 主题党日 in the group on its day, moved to the last working day before a holiday, once', async () => {
    const w = await setup(bj('2026-09-01', '10:00'));
    const set = await say(w.group, w.secretary, '/日历 设置 主题党日 1');
    expect(cardTitle(set)).toBe('合规日历 · 第一党支部');
    expect(tableRows(set).find((r) => r.name === '主题党日')?.freq).toBe('每月（每月1日）');
    const themeCards = () => h.emu.botMessages(w.group).filter((m) => cardTitle(m)?.startsWith('今天是主题党日'));

    // An ordinary month: 1 December 2026 is a Tuesday.
    await run('compliance-check', '2026-12-01');
    expect(themeCards().map(cardTitle)).toEqual(['今天是主题党日（2026-12-01）']);

    // October's 1st is 国庆: the theme day moves to 30 September, the last working day before it.
    expect(wc.onOrBefore('2026-10-01')).toBe('2026-09-30');
    await run('compliance-check', '2026-09-30');
    expect(themeCards().map(cardTitle)).toEqual(['今天是主题党日（2026-12-01）', '今天是主题党日（2026-09-30）']);
    await run('compliance-check', '2026-09-30', '15:00');
    await run('compliance-check', '2026-10-01');
    expect(themeCards()).toHaveLength(2);
  });

  it('posts one 节前廉政提醒 for 中秋节 and 国庆节 (a week apart) from the org’s template on the window’s first working day, with a task for the inspector, once', async () => {
    const w = await setup(bj('2026-09-01', '10:00'));
    expect(messageText(await say(w.group, w.secretary, '/日历 模板 {节日}期间请严守纪律'))).toBe(
      '已更新节前廉政提醒的内容。',
    );
    // 中秋节 (25 September) and 国庆节 (1 October) are one notice, timed by the first of them.
    const from = wc.addWorkdays('2026-09-25', -5);
    const to = wc.addWorkdays('2026-09-25', -3);
    expect([from, to]).toEqual(['2026-09-20', '2026-09-22']);
    const national = () => h.emu.botMessages(w.group).filter((m) => cardTitle(m) === '节前廉政提醒 · 中秋节、国庆节');
    const separate = () =>
      h.emu
        .botMessages(w.group)
        .filter((m) => cardTitle(m) === '节前廉政提醒 · 国庆节' || cardTitle(m) === '节前廉政提醒 · 中秋节');
    const inspectorTasks = () =>
      privateMsgs(w.inspector).filter((m) => cardTitle(m)?.startsWith('责任任务 #') && m.content.includes('国庆节'));

    // The working day before the window: nothing for 国庆.
    await run('holiday-reminder', wc.addWorkdays(from, -1), '09:00');
    expect(national()).toEqual([]);
    expect(inspectorTasks()).toEqual([]);

    const r = await run('holiday-reminder', from, '09:00');
    expect(r.posted).toBe(1);
    expect(national()).toHaveLength(1);
    const shown = cardText((national()[0] as EmuMessage).content);
    expect(shown).toContain('中秋节、国庆节期间请严守纪律');
    expect(shown).toContain('2026-09-25 至 2026-10-07 放假');
    // The talk register's 节前廉政谈话 is offered with it (issue 16 item 2).
    expect(shown).toContain('/谈话 记录 节前廉政谈话');
    expect(separate()).toEqual([]);
    expect(inspectorTasks()).toHaveLength(1);
    const duty = await h.db.db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .select(['tasks.owner_open_id', 'tasks.due_date', 'duty_items.content'])
      .where('duty_items.content', 'like', '%国庆节%')
      .execute();
    expect(duty).toEqual([
      {
        owner_open_id: w.inspector.openId,
        due_date: '2026-09-24',
        content: '中秋节、国庆节节前廉政提醒：督促落实中央八项规定精神，节日期间做好监督检查',
      },
    ]);
    for (const u of [w.secretary, w.organizer, w.zhao]) {
      expect(privateMsgs(u).filter((m) => m.content.includes('国庆节'))).toEqual([]);
    }

    // Once: later runs in the window post nothing more.
    await run('holiday-reminder', from, '14:00');
    await run('holiday-reminder', to, '09:00');
    expect(national()).toHaveLength(1);
    expect(inspectorTasks()).toHaveLength(1);
  });

  it('tells the admins once when the 2027 holiday table is missing, and counts 2027 working days with the estimated holidays (no nudge on 1 January)', async () => {
    const w = await setup(bj('2026-11-30', '10:00'));
    const missing = (u: EmuUser) => privateMsgs(u).filter((m) => cardTitle(m) === '缺少 2027 年节假日安排');
    expect(wc.hasTable(2027)).toBe(false);
    await run('holiday-check', '2026-11-30', '09:05');
    for (const u of w.everyone) expect(missing(u)).toEqual([]);

    await run('holiday-check', '2026-12-01', '09:05');
    for (const u of [w.secretary, w.inspector, w.organizer]) {
      expect(missing(u)).toHaveLength(1);
      expect(cardText((missing(u)[0] as EmuMessage).content)).toContain('按周一至周五计算工作日');
    }
    for (const u of [w.zhao, w.qian, w.sun]) expect(missing(u)).toEqual([]);
    await run('holiday-check', '2026-12-01', '15:00');
    await run('holiday-check', '2026-12-02', '09:05');
    for (const u of [w.secretary, w.inspector, w.organizer]) expect(missing(u)).toHaveLength(1);

    // A meeting on Monday 4 January 2027: 元旦 (Friday 1 January) is estimated as a day off, so T−1 is
    // Thursday 31 December; nothing goes out on 1 January.
    expect(wc.addWorkdays('2027-01-04', -1)).toBe('2026-12-31');
    const title = '2027年第一次支委会';
    await createMeeting(w, w.secretary, {
      kind: 'committee',
      title,
      start: '2027-01-04 15:00',
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    const seen = mark(w.everyone);
    expect(await run('meeting-reminders', '2026-12-31')).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.inspector, w.organizer]) {
      expect(texts(seen.since(u))).toEqual([
        `【明日会议】将于 2027-01-04 15:00 召开支委会“${title}”，您还没有回复，请在通知卡片上回复参加或请假。`,
      ]);
    }
    for (const u of [w.zhao, w.qian, w.sun]) expect(seen.since(u)).toEqual([]);
    const later = mark(w.everyone);
    await run('meeting-reminders', '2027-01-01');
    for (const u of w.everyone) expect(later.since(u)).toEqual([]);
  });

  it('exports the 三会一课记录簿 for 2026 with attendance, minutes and evidence, a member away counted as 请假', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const special = await createMeeting(w, w.secretary, {
      kind: 'special',
      title: '2026年下半年全面从严治党专题会议',
      start: '2026-12-03 15:00',
      host: w.secretary,
    });
    const committee = await createMeeting(w, w.secretary, {
      kind: 'committee',
      title: '12月支委会',
      start: '2026-12-03 16:30',
      attendees: [w.secretary.openId, w.inspector.openId, w.organizer.openId],
    });
    const future = await createMeeting(w, w.secretary, {
      kind: 'lecture',
      title: '书记讲党课',
      start: '2026-12-20 15:00',
    });
    const dropped = await createMeeting(w, w.secretary, {
      kind: 'general',
      title: '取消的党员大会',
      start: '2026-12-02 15:00',
    });
    expect(messageText(await say(w.group, w.secretary, `/会议 取消 ${dropped.id} 改为下月召开`))).toContain('已取消');
    expect(future.id).toBeGreaterThan(0);

    // 专题会议: 3 signed (签到 opens 30 minutes before the start; the job redraws the card with it), 赵
    // asked leave, 钱 away (/请假) without answering, 孙 absent.
    await askLeave(special.notice, w.zhao, '外出公务');
    expect(messageText(await say(w.group, w.qian, '/请假 2026-12-04 出差'))).toContain('已登记请假');
    await jobAt('2026-12-03', '14:45');
    for (const u of [w.secretary, w.inspector, w.organizer])
      expect((await sign(special.notice, u)).toast?.content).toBe('已签到');
    // 支委会: 2 of 3 signed.
    await jobAt('2026-12-03', '16:05');
    for (const u of [w.secretary, w.organizer]) expect((await sign(committee.notice, u)).toast?.content).toBe('已签到');
    await drained();

    clock.set(bj('2026-12-03', '17:30'));
    const MINUTES = '会议分析了本支部党风廉政建设形势。\n决定：12月底前完成党费专项自查。';
    expect(messageText(await say(w.group, w.secretary, `/会议 纪要 ${special.id} ${MINUTES}`))).toBe(
      '已记录“2026年下半年全面从严治党专题会议”的纪要。',
    );
    const photo = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '专题会议照片.jpg',
      bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    });
    const received = await answerTo(photo);
    const attached = await h.emu.click({
      messageId: received.messageId,
      from: w.secretary.openId,
      value: button(received, '作为佐证材料').value,
      name: 'submit_attach',
      formValue: { item: `s:${special.id}` },
    });
    expect(attached.toast?.content).toBe(`已附到 #${special.id}`);

    clock.set(bj('2026-12-08', '10:00'));
    const before = h.emu.botMessages(w.group).length;
    const reply = await say(w.group, w.secretary, '/会议 导出 2026');
    expect(messageText(reply)).toBe('已导出 2 次会议，文件《三会一课记录簿-第一党支部-2026.xlsx》随后发送。');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.group)
          .slice(before)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const stored = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key);
    expect(stored?.name).toBe('三会一课记录簿-第一党支部-2026.xlsx');
    const ws = await readXlsx(stored?.bytes ?? Buffer.alloc(0));
    expect(ws.name).toBe('三会一课记录簿');
    expect(String(ws.getRow(1).getCell(1).value)).toContain('第一党支部 2026年三会一课记录簿');
    expect(rowValues(ws, 2, 10)).toEqual([
      '日期',
      '类型',
      '主题',
      '主持人',
      '应到',
      '实到',
      '请假',
      '缺席',
      '纪要',
      '佐证',
    ]);
    expect(rowValues(ws, 3, 10)).toEqual([
      new Date('2026-12-03T00:00:00Z'),
      '专题会议',
      '2026年下半年全面从严治党专题会议',
      '李书记',
      6,
      3,
      2,
      1,
      MINUTES,
      '专题会议照片.jpg',
    ]);
    expect(rowValues(ws, 4, 10)).toEqual([
      new Date('2026-12-03T00:00:00Z'),
      '支委会',
      '12月支委会',
      '李书记',
      3,
      2,
      0,
      1,
      null,
      null,
    ]);
    expect(ws.actualRowCount).toBe(4);
  });

  it('shows the rules with last met and next due on /日历; a plain member may not change them', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    await createMeeting(w, w.secretary, { kind: 'special', title: '下半年专题会议', start: '2026-12-03 15:00' });
    clock.set(bj('2026-12-08', '10:00'));
    const shown = await say(w.group, w.zhao, '/日历');
    expect(cardTitle(shown)).toBe('合规日历 · 第一党支部');
    const rows = new Map(tableRows(shown).map((r) => [r.name, r]));
    // No one signed in to the 专题会议: it is 未召开, not 最近一次 (held.ts).
    expect(rows.get('全面从严治党专题会议')).toMatchObject({
      freq: '每半年，上半年 01-01至03-31，下半年 07-01至09-30',
      now: '下半年：未召开 1',
      last: '无记录',
      next: '2026-12-31 前（本期尚未安排）',
    });
    expect(rows.get('支部委员会会议')).toMatchObject({
      freq: '每月',
      last: '无记录',
      next: '2026-12-31 前（本期尚未安排）',
    });
    expect(rows.get('主题党日')).toMatchObject({ freq: '每月（每月15日）', last: '无记录', next: '2026-12-15' });
    expect(rows.get('党小组会（已停用）')).toMatchObject({ next: '—' });
    expect(cardText(shown.content)).toContain(
      '全面从严治党专题会议：《党委（党组）落实全面从严治党主体责任规定》（2020年）',
    );

    const refused = await say(w.group, w.zhao, '/日历 设置 主题党日 10');
    expect(messageText(refused)).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    const rule = await h.db.db
      .selectFrom('calendar_rules')
      .select(['fixed_day'])
      .where('key', '=', 'theme_day')
      .executeTakeFirstOrThrow();
    expect(rule.fixed_day).toBe(15);
    // The organizer may.
    const changed = await say(w.group, w.organizer, '/日历 设置 主题党日 10');
    expect(tableRows(changed).find((r) => r.name === '主题党日')).toMatchObject({ freq: '每月（每月10日）' });
  });

  it('keeps the group’s notice current when two members sign at the same moment on different copies', async () => {
    const w = await setup(bj('2026-12-08', '10:00'));
    const { id, notice } = await createMeeting(w, w.secretary, {
      kind: 'special',
      title: '12月全面从严治党专题会议',
      start: '2026-12-10 15:00',
    });
    const copy = await showMeeting(h, w, id, '专题会议：12月全面从严治党专题会议');
    // 签到 is open (the job redrew both copies with it): 钱 signs on the copy (the notice is patched
    // through the outbox); right after, 孙 signs on the notice.
    await jobAt('2026-12-10', '14:45');
    expect((await sign(copy, w.qian)).toast?.content).toBe('已签到');
    expect((await sign(notice, w.sun)).toast?.content).toBe('已签到');
    await talk.settled(h);
    expect(countsLine(current(notice))).toBe('应到 6 人 参加 2 人 请假 0 人 未回复 4 人 已签到 2 人');
    expect(countsLine(current(copy))).toBe('应到 6 人 参加 2 人 请假 0 人 未回复 4 人 已签到 2 人');
  });

  it('offers 记录纪要 on the group’s notice card by the time the 纪要提醒 sends the organiser there', async () => {
    const w = await setup(bj('2026-12-08', '10:00'));
    const { notice } = await createMeeting(w, w.organizer, {
      kind: 'committee',
      title: '12月支委会',
      start: '2026-12-10 15:00',
    });
    await jobAt('2026-12-10', '14:45'); // 签到 is open: the job redrew the card with it
    // Four of the six sign in (more than half): held, so its minutes are due.
    for (const u of [w.secretary, w.organizer, w.zhao, w.qian])
      expect((await sign(notice, u)).toast?.content).toBe('已签到');
    await drained();
    clock.set(bj(wc.addWorkdays('2026-12-10', 3), '09:30'));
    const seen = mark(w.everyone);
    expect(await run('meeting-reminders', wc.addWorkdays('2026-12-10', 3))).toMatchObject({ posted: 1 });
    expect(texts(seen.since(w.organizer))).toEqual([expect.stringContaining('请在会议卡片上“记录纪要”')]);
    // The card the reminder points to lets the organiser do it.
    const opened = await talk.openForm(h, notice, w.organizer, '记录纪要');
    expect(cardText(opened.content)).toContain('会议纪要');
  });
});
