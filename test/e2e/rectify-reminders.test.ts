/**
 * The overdue ladder on the work calendar (T−3, T0 with the card, T+1 @ in the group, T+3 加急 and 通报)
 * posted once per step, with the permanent late mark; holidays, 调休 Saturdays and quiet hours; a bot that
 * was down posts only the current step; 请假 owners skipped and sent to the secretary's weekly digest;
 * SMS 加急 only when enabled; review nudges every 2 working days; batch milestones; no double posting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { listMilestones } from '../../src/features/rectification/batch-repository.ts';
import { findRectification } from '../../src/features/rectification/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

/** 09:30 (or another time) Beijing time on a date. */

const REMINDERS = 'rectification-reminders';
const DIGEST = 'rectification-digest';

describe('rectification reminders', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  type World = Awaited<ReturnType<typeof setup>>;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const privateMsgs = (u: EmuUser) => talk.privateMessages(h, u);
  const allBotMessages = () => [...h.emu.store.messages.values()].filter((m) => m.senderType === 'app');
  const lastCard = (chatId: string, title: string) =>
    h.emu.waitFor(
      () =>
        [...h.emu.botMessages(chatId)].reverse().find((m) => m.msgType === 'interactive' && m.content.includes(title)),
      { what: `card ${title}` },
    );

  const drained = () => talk.drained(h);
  const run = (job: string, date: string, time?: string) => talk.runJobAt(h, job, date, time);

  async function ask(chatId: string, from: EmuUser, text: string) {
    const before = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
    return h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what: `answer to ${text}` });
  }

  async function setup(clock: Clock) {
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, owner, other] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    await ask(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await ask(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, inspector, organizer, owner, other };
  }

  /** Creates an item through the /整改 新建 form; returns its id and the owner's private item card. */
  async function createByForm(w: World, owner: EmuUser, deadline: string, problem = '党支部“三会一课”记录不规范') {
    const formCard = await ask(w.chat.chatId, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem,
        measures: '建立会议记录模板，逐月检查，补齐纪要',
        owner: owner.openId,
        leader: '李书记',
        deadline: `${deadline} +0800`,
        kind: 'centralized',
        source: '巡察',
        area: '组织建设',
      },
    });
    expect(created.toast?.content).toMatch(/已创建整改事项 #\d+/);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    const card = await lastCard(p2p(owner), `整改事项 #${id}`);
    await drained();
    return { id, card };
  }

  /** The owner asks 销号 with evidence through the card; returns the card clicked. */
  async function submitForClosing(owner: EmuUser, id: number) {
    const card = await lastCard(p2p(owner), `整改事项 #${id}`);
    await h.emu.click({ messageId: card.messageId, from: owner.openId, value: button(card, '申请销号').value });
    const submitted = await h.emu.click({
      messageId: card.messageId,
      from: owner.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/minutes-2026', note: '已补齐全年纪要' },
    });
    expect(submitted.toast?.content).toBe('已提交销号申请，等待审核');
    expect((await findRectification(h.db.db, id))?.status).toBe('review');
    await drained();
    return card;
  }

  const isText = (m: EmuMessage, needle: string) => m.msgType === 'text' && messageText(m).includes(needle);

  it('walks T−3, T0, T+1 and T+3 once each (the 调休 Saturday counted) and keeps the late mark after 销号', async () => {
    const clock = new OffsetClock();
    clock.set(new Date('2026-09-21T02:00:00Z'));
    const w = await setup(clock);
    const { id } = await createByForm(w, w.owner, '2026-10-12');
    const group = w.chat.chatId;
    const ownerChat = p2p(w.owner);

    // Before T−3 nothing is due.
    expect(await run(REMINDERS, '2026-09-30')).toMatchObject({ due: 0, posted: 0 });

    // T−3 = 10-08: 10-12 Mon ← 10-10 (调休 Saturday) ← 10-09 ← 10-08.
    let ownerBefore = h.emu.botMessages(ownerChat).length;
    let totalBefore = allBotMessages().length;
    expect(await run(REMINDERS, '2026-10-08')).toMatchObject({ posted: 1 });
    const again = await run(REMINDERS, '2026-10-08');
    expect(again.posted).toBe(0);
    expect(again.skipped).toBeGreaterThanOrEqual(1);
    let fresh = h.emu.botMessages(ownerChat).slice(ownerBefore);
    expect(fresh).toHaveLength(1);
    expect(isText(fresh[0] as EmuMessage, '即将到期')).toBe(true);
    expect(messageText(fresh[0] as EmuMessage)).toContain(`#${id}`);
    expect(allBotMessages().length).toBe(totalBefore + 1);
    // The following working days (the 调休 Saturday included) post nothing new before T0.
    expect((await run(REMINDERS, '2026-10-09')).posted).toBe(0);
    expect((await run(REMINDERS, '2026-10-10')).posted).toBe(0);
    expect((await findRectification(h.db.db, id))?.late).toBe(0);

    // T0 = 10-12: a private text and the item card.
    ownerBefore = h.emu.botMessages(ownerChat).length;
    totalBefore = allBotMessages().length;
    expect(await run(REMINDERS, '2026-10-12')).toMatchObject({ posted: 1 });
    expect(await run(REMINDERS, '2026-10-12')).toMatchObject({ posted: 0, skipped: 1 });
    fresh = h.emu.botMessages(ownerChat).slice(ownerBefore);
    expect(fresh).toHaveLength(2);
    expect(fresh.filter((m) => isText(m, '今日到期'))).toHaveLength(1);
    expect(fresh.filter((m) => m.msgType === 'interactive' && m.content.includes(`整改事项 #${id}`))).toHaveLength(1);
    expect(allBotMessages().length).toBe(totalBefore + 2);
    expect((await findRectification(h.db.db, id))?.late).toBe(0);

    // T+1 = 10-13: the owner is @-mentioned in the org's group; the item is marked late.
    const groupBefore = h.emu.botMessages(group).length;
    totalBefore = allBotMessages().length;
    expect(await run(REMINDERS, '2026-10-13')).toMatchObject({ posted: 1 });
    expect(await run(REMINDERS, '2026-10-13')).toMatchObject({ posted: 0, skipped: 1 });
    const inGroup = h.emu.botMessages(group).slice(groupBefore);
    expect(inGroup).toHaveLength(1);
    const mention = messageText(inGroup[0] as EmuMessage);
    expect(mention).toContain(`<at user_id="${w.owner.openId}">`);
    expect(mention).toContain('已逾期');
    expect(mention).toContain(`#${id}`);
    expect(allBotMessages().length).toBe(totalBefore + 1);
    expect((await findRectification(h.db.db, id))?.late).toBe(1);

    // T+2 posts nothing; T+3 = 10-15: 逾期督办 with in-app 加急, 逾期通报 to the secretary and the inspector.
    expect((await run(REMINDERS, '2026-10-14')).posted).toBe(0);
    ownerBefore = h.emu.botMessages(ownerChat).length;
    totalBefore = allBotMessages().length;
    expect(await run(REMINDERS, '2026-10-15')).toMatchObject({ posted: 1 });
    expect(await run(REMINDERS, '2026-10-15')).toMatchObject({ posted: 0, skipped: 1 });
    fresh = h.emu.botMessages(ownerChat).slice(ownerBefore);
    expect(fresh).toHaveLength(1);
    const urgentMsg = fresh[0] as EmuMessage;
    expect(isText(urgentMsg, '逾期督办')).toBe(true);
    expect(messageText(urgentMsg)).toContain('已逾期 3 个工作日');
    await h.emu.waitFor(() => h.emu.store.urgents.length > 0, { what: '加急' });
    expect(h.emu.store.urgents).toEqual([
      expect.objectContaining({ kind: 'app', messageId: urgentMsg.messageId, openIds: [w.owner.openId] }),
    ]);
    for (const boss of [w.secretary, w.inspector]) {
      const notices = privateMsgs(boss).filter((m) => isText(m, '逾期通报'));
      expect(notices).toHaveLength(1);
      expect(messageText(notices[0] as EmuMessage)).toContain(`#${id}`);
      expect(messageText(notices[0] as EmuMessage)).toContain('赵党员');
    }
    for (const bystander of [w.organizer, w.other]) {
      expect(privateMsgs(bystander).filter((m) => isText(m, '逾期通报'))).toHaveLength(0);
    }
    expect(allBotMessages().length).toBe(totalBefore + 3);
    expect(h.emu.botMessages(group).length).toBe(groupBefore + 1);

    // Closed later through the card flow: still late; a closed item gets no more reminders.
    clock.set(bj('2026-10-16', '10:00'));
    await submitForClosing(w.owner, id);
    const review = await lastCard(p2p(w.secretary), '销号审核');
    const approved = await h.emu.click({
      messageId: review.messageId,
      from: w.secretary.openId,
      value: button(review, '通过销号').value,
    });
    expect(approved.toast?.content).toBe('已通过销号');
    expect(await findRectification(h.db.db, id)).toMatchObject({ status: 'closed', late: 1 });
    await drained();
    totalBefore = allBotMessages().length;
    expect(await run(REMINDERS, '2026-10-19')).toMatchObject({ due: 0, posted: 0 });
    expect(allBotMessages().length).toBe(totalBefore);
  });

  it('posts nothing on holidays or in quiet hours, and catches up on the first working day and the 调休 Saturday', async () => {
    const w = await setup(fixedClock('2026-09-21T02:00:00Z'));
    const { id } = await createByForm(w, w.owner, '2026-09-30');
    const group = w.chat.chatId;
    const ownerChat = p2p(w.owner);
    const total = allBotMessages().length;

    // 国庆 (10-01..07): nothing, whatever the step.
    expect(await run(REMINDERS, '2026-10-05')).toMatchObject({ due: 0, posted: 0 });
    // A working day, but 21:00 Beijing is quiet.
    expect(await run(REMINDERS, '2026-10-08', '21:00')).toMatchObject({ due: 0, posted: 0 });
    expect(await run(REMINDERS, '2026-10-08', '07:30')).toMatchObject({ due: 0, posted: 0 });
    expect(allBotMessages().length).toBe(total);

    // 10-08, the first working day after the holiday, is T+1.
    const groupBefore = h.emu.botMessages(group).length;
    expect(await run(REMINDERS, '2026-10-08')).toMatchObject({ due: 1, posted: 1 });
    const inGroup = h.emu.botMessages(group).slice(groupBefore);
    expect(inGroup).toHaveLength(1);
    expect(messageText(inGroup[0] as EmuMessage)).toContain(`<at user_id="${w.owner.openId}">`);
    expect(messageText(inGroup[0] as EmuMessage)).toContain('已逾期 1 个工作日');
    expect((await findRectification(h.db.db, id))?.late).toBe(1);
    expect((await run(REMINDERS, '2026-10-09')).posted).toBe(0);
    // Sunday 10-11 is off.
    expect(await run(REMINDERS, '2026-10-11')).toMatchObject({ due: 0, posted: 0 });

    // 10-10, the 调休 Saturday, is a working day: T+3 (10-08, 10-09, 10-10).
    const ownerBefore = h.emu.botMessages(ownerChat).length;
    expect(await run(REMINDERS, '2026-10-10')).toMatchObject({ due: 1, posted: 1 });
    const fresh = h.emu.botMessages(ownerChat).slice(ownerBefore);
    expect(fresh).toHaveLength(1);
    expect(isText(fresh[0] as EmuMessage, '逾期督办')).toBe(true);
    expect(messageText(fresh[0] as EmuMessage)).toContain('已逾期 3 个工作日');
    await h.emu.waitFor(() => h.emu.store.urgents.find((u) => u.messageId === (fresh[0] as EmuMessage).messageId));
    // Before the holiday nothing was ever posted: T−3 and T0 are not sent late.
    expect(h.emu.botMessages(ownerChat).some((m) => isText(m, '即将到期') || isText(m, '今日到期'))).toBe(false);
  });

  it('a bot that was down posts only the current step (T+3), not the missed ones', async () => {
    const w = await setup(fixedClock('2026-09-21T02:00:00Z'));
    const { id } = await createByForm(w, w.owner, '2026-10-12');
    const group = w.chat.chatId;
    const ownerChat = p2p(w.owner);
    const groupBefore = h.emu.botMessages(group).length;
    const ownerBefore = h.emu.botMessages(ownerChat).length;

    expect(await run(REMINDERS, '2026-10-15')).toMatchObject({ due: 1, posted: 1 });
    const fresh = h.emu.botMessages(ownerChat).slice(ownerBefore);
    expect(fresh).toHaveLength(1);
    expect(isText(fresh[0] as EmuMessage, '逾期督办')).toBe(true);
    expect(h.emu.botMessages(ownerChat).some((m) => isText(m, '即将到期') || isText(m, '今日到期'))).toBe(false);
    expect(h.emu.botMessages(group).length).toBe(groupBefore); // no T+1 @ in the group
    expect((await findRectification(h.db.db, id))?.late).toBe(1);
    await h.emu.waitFor(() => h.emu.store.urgents.length === 1);
    // Later runs do not post the skipped steps either.
    expect((await run(REMINDERS, '2026-10-16')).posted).toBe(0);
    expect(h.emu.botMessages(group).length).toBe(groupBefore);
  });

  it('skips owners on 请假 and lists their items to the secretary in the weekly digest', async () => {
    const w = await setup(fixedClock('2026-09-21T02:00:00Z'));
    const away = w.owner; // 赵党员
    const present = w.other; // 钱党员
    const a = await createByForm(w, away, '2026-10-12', '出差人员负责的整改问题');
    const b = await createByForm(w, present, '2026-10-12', '在岗人员负责的整改问题');
    const group = w.chat.chatId;
    const reply = await ask(group, away, '/请假 2026-10-20 出差');
    expect(messageText(reply)).toContain('已登记请假');
    await drained();
    const awayBefore = privateMsgs(away).length;
    const groupBefore = h.emu.botMessages(group).length;

    for (const day of ['2026-10-08', '2026-10-12', '2026-10-13', '2026-10-15']) {
      expect(await run(REMINDERS, day)).toMatchObject({ due: 1, posted: 1 }); // only the present owner's item
    }
    // Nothing to the away owner, nothing about them in the group or to the secretary and the inspector.
    expect(privateMsgs(away)).toHaveLength(awayBefore);
    const groupNew = h.emu.botMessages(group).slice(groupBefore);
    expect(groupNew.some((m) => m.content.includes(away.openId) || m.content.includes(`#${a.id}「`))).toBe(false);
    expect(groupNew.some((m) => messageText(m).includes(`<at user_id="${present.openId}">`))).toBe(true);
    for (const boss of [w.secretary, w.inspector]) {
      const notices = privateMsgs(boss).filter((m) => isText(m, '逾期通报'));
      expect(notices.map((m) => messageText(m).includes(`#${b.id}「`))).toEqual([true]);
      expect(privateMsgs(boss).some((m) => m.content.includes(`#${a.id}「`) || m.content.includes('赵党员'))).toBe(
        false,
      );
    }
    expect(h.emu.store.urgents.every((u) => !u.openIds.includes(away.openId))).toBe(true);

    // The weekly digest (Monday 10-19): the group card lists the present owner with an @, not the away one.
    const digestGroupBefore = h.emu.botMessages(group).length;
    const secretaryBefore = privateMsgs(w.secretary).length;
    expect(await run(DIGEST, '2026-10-19')).toMatchObject({ due: 1, posted: 1 });
    expect(await run(DIGEST, '2026-10-19')).toMatchObject({ posted: 0, skipped: 1 });
    expect(await run(DIGEST, '2026-10-19', '10:45')).toMatchObject({ posted: 0 });
    const digests = h.emu.botMessages(group).slice(digestGroupBefore);
    expect(digests).toHaveLength(1);
    const digest = (digests[0] as EmuMessage).content;
    expect(digest).toContain('本周逾期整改事项');
    expect(digest).toContain(`<at id=${present.openId}></at>`);
    expect(digest).toContain(`#${b.id} `);
    expect(digest).not.toContain(away.openId);
    expect(digest).not.toContain(`#${a.id} `);
    expect(digest).not.toContain('赵党员');
    // … and the secretary privately gets the away owner's item.
    const privateDigest = privateMsgs(w.secretary)
      .slice(secretaryBefore)
      .filter((m) => m.content.includes('请假人员的逾期整改事项'));
    expect(privateDigest).toHaveLength(1);
    const pd = (privateDigest[0] as EmuMessage).content;
    expect(pd).toContain(`#${a.id} `);
    expect(pd).toContain('赵党员');
    expect(pd).toContain('2026-10-20');
    expect(pd).not.toContain(`#${b.id} `);
    expect(privateMsgs(w.inspector).some((m) => m.content.includes('请假人员的逾期整改事项'))).toBe(false);
    expect(privateMsgs(away)).toHaveLength(awayBefore);
  });

  it('adds SMS 加急 at T+3 only after the org turns it on', async () => {
    const w = await setup(fixedClock('2026-09-21T02:00:00Z'));
    const first = await createByForm(w, w.owner, '2026-10-12', '第一项：未开短信加急时逾期');
    const second = await createByForm(w, w.owner, '2026-10-13', '第二项：开启短信加急后逾期');
    const ownerChat = p2p(w.owner);
    const urgentText = (id: number) =>
      h.emu.waitFor(() =>
        h.emu.botMessages(ownerChat).find((m) => isText(m, '逾期督办') && messageText(m).includes(`#${id}「`)),
      );

    await run(REMINDERS, '2026-10-15'); // T+3 of the first item
    const m1 = await urgentText(first.id);
    await h.emu.waitFor(() => h.emu.store.urgents.some((u) => u.messageId === m1.messageId));
    expect(h.emu.store.urgents.filter((u) => u.messageId === m1.messageId).map((u) => u.kind)).toEqual(['app']);

    const set = await ask(w.chat.chatId, w.secretary, '/设置 短信加急 开');
    expect(messageText(set)).toContain('短信加急：开');
    await run(REMINDERS, '2026-10-16'); // T+3 of the second item
    const m2 = await urgentText(second.id);
    await h.emu.waitFor(() => h.emu.store.urgents.filter((u) => u.messageId === m2.messageId).length >= 2);
    const kinds = h.emu.store.urgents.filter((u) => u.messageId === m2.messageId);
    expect(kinds.map((u) => u.kind).sort()).toEqual(['app', 'sms']);
    expect(kinds.every((u) => u.openIds.length === 1 && u.openIds[0] === w.owner.openId)).toBe(true);
    expect(h.emu.store.urgents.some((u) => u.kind === 'phone')).toBe(false);
    expect(h.emu.store.urgents).toHaveLength(3);
  });

  it('nudges the reviewers (not the owner) about an item waiting for 销号, once per 2 working days', async () => {
    const w = await setup(fixedClock('2026-12-01T02:00:00Z'));
    const { id } = await createByForm(w, w.owner, '2026-12-25');
    await submitForClosing(w.owner, id);
    const nudges = (u: EmuUser) =>
      privateMsgs(u).filter((m) => isText(m, '【待审核】') && messageText(m).includes(`#${id}`));

    expect(await run(REMINDERS, '2026-12-02')).toMatchObject({ due: 0, posted: 0 }); // waited 1 working day
    expect(await run(REMINDERS, '2026-12-03')).toMatchObject({ posted: 1 });
    for (const r of [w.secretary, w.inspector]) expect(nudges(r)).toHaveLength(1);
    expect(messageText(nudges(w.secretary)[0] as EmuMessage)).toContain('2 个工作日');
    for (const u of [w.owner, w.organizer, w.other]) expect(nudges(u)).toHaveLength(0);

    expect(await run(REMINDERS, '2026-12-03')).toMatchObject({ posted: 0 });
    expect((await run(REMINDERS, '2026-12-04')).posted).toBe(0); // 3 working days: same period
    expect(await run(REMINDERS, '2026-12-05')).toMatchObject({ due: 0 }); // Saturday
    for (const r of [w.secretary, w.inspector]) expect(nudges(r)).toHaveLength(1);

    expect(await run(REMINDERS, '2026-12-07')).toMatchObject({ posted: 1 }); // 4 working days
    for (const r of [w.secretary, w.inspector]) expect(nudges(r)).toHaveLength(2);
    expect(messageText(nudges(w.inspector)[1] as EmuMessage)).toContain('4 个工作日');
    for (const u of [w.owner, w.organizer, w.other]) expect(nudges(u)).toHaveLength(0);
    expect(privateMsgs(w.owner).some((m) => isText(m, '即将到期'))).toBe(false);
  });

  it('counts batch milestones down to the secretary and stops once a milestone is done', async () => {
    const w = await setup(fixedClock('2026-11-20T02:00:00Z'));
    const name = '2026年第一轮巡察';
    const created = await ask(w.chat.chatId, w.secretary, `/巡察 反馈 2026-11-20 ${name}`);
    expect(created.content).toContain(name);
    const batch = await h.db.db.selectFrom('inspection_batches').selectAll().executeTakeFirstOrThrow();
    const milestones = await listMilestones(h.db.db, batch.id);
    // D + 1, 2, 3, 6 and 12 months, each on a working day: a weekend date moves to the Friday before
    // (Sunday 2026-12-20, Saturdays 2027-02-20 and 2027-11-20; issue 18 item 8).
    expect(milestones.map((m) => m.due_date)).toEqual([
      '2026-12-18',
      '2027-01-20',
      '2027-02-19',
      '2027-05-20',
      '2027-11-19',
    ]);
    const first = milestones[0] as (typeof milestones)[number];

    const cal = new WorkCalendar();
    const t3 = cal.addWorkdays(first.due_date, -3);
    const dayBefore = cal.addWorkdays(t3, -1);
    const dueSoon = () =>
      privateMsgs(w.secretary).filter((m) => isText(m, '即将到期') && messageText(m).includes(first.title));

    expect(await run(REMINDERS, dayBefore)).toMatchObject({ due: 0, posted: 0 });
    expect(dueSoon()).toHaveLength(0);
    expect(await run(REMINDERS, t3)).toMatchObject({ posted: 1 });
    expect(dueSoon()).toHaveLength(1);
    expect(messageText(dueSoon()[0] as EmuMessage)).toContain(name);
    expect(await run(REMINDERS, t3)).toMatchObject({ posted: 0, skipped: 1 });

    const done = await ask(w.chat.chatId, w.secretary, `/巡察 完成 ${name} 1`);
    expect(done.content).toContain('已完成');
    await drained();
    const total = allBotMessages().length;
    const after = [first.due_date, cal.addWorkdays(first.due_date, 1), cal.addWorkdays(first.due_date, 3)];
    for (const day of after) expect(await run(REMINDERS, day)).toMatchObject({ due: 0, posted: 0 });
    expect(allBotMessages().length).toBe(total);
  });

  it('running the job again at the same instant, or twice at once, posts nothing more', async () => {
    const w = await setup(fixedClock('2026-09-21T02:00:00Z'));
    // As of 10-13 each item sits on a different step: T−3, T0, T+1, T+3.
    const deadlines = ['2026-10-16', '2026-10-13', '2026-10-12', '2026-10-08'];
    for (const [i, d] of deadlines.entries()) await createByForm(w, w.owner, d, `第${i + 1}项整改问题`);
    const total0 = allBotMessages().length;

    expect(await run(REMINDERS, '2026-10-13')).toMatchObject({ due: 4, posted: 4 });
    await h.emu.waitFor(() => h.emu.store.urgents.length === 1);
    const total1 = allBotMessages().length;
    // T−3 text, T0 text + card, T+1 group text, T+3 text + 2 notices.
    expect(total1 - total0).toBe(7);

    expect(await run(REMINDERS, '2026-10-13')).toMatchObject({ due: 4, posted: 0, skipped: 4 });
    await talk.settled(h);
    expect(allBotMessages().length).toBe(total1);
    expect(h.emu.store.urgents).toHaveLength(1);

    // Two runs at once (e.g. two replicas) as of 10-14: the one new step (T+1 of the 10-13 item) posts once.
    const [x, y] = await Promise.all([
      h.app.runJob(REMINDERS, bj('2026-10-14')),
      h.app.runJob(REMINDERS, bj('2026-10-14')),
    ]);
    await drained();
    expect(x.posted + y.posted).toBe(1);
    expect(x.failed + y.failed).toBe(0);
    await talk.settled(h);
    expect(allBotMessages().length).toBe(total1 + 1);
  });

  it('an overdue item of an owner on 请假 still gets the permanent late mark, kept through an extension', async () => {
    const clock = new OffsetClock();
    clock.set(new Date('2026-09-21T02:00:00Z'));
    const w = await setup(clock);
    const { id } = await createByForm(w, w.owner, '2026-10-12');
    expect(messageText(await ask(w.chat.chatId, w.owner, '/请假 2026-10-20 出差'))).toContain('已登记请假');

    // Past the deadline while open: no reminder goes out (the owner is away), yet the item is late.
    expect(await run(REMINDERS, '2026-10-13')).toMatchObject({ posted: 0 });
    expect(await run(REMINDERS, '2026-10-15')).toMatchObject({ posted: 0 });

    // On 10-16 the secretary asks an extension for them and the inspector approves it.
    clock.set(bj('2026-10-16', '10:00'));
    const asked = await ask(w.chat.chatId, w.secretary, `/整改 延期 ${id} 2026-10-30 责任人出差，返岗后完成`);
    expect(messageText(asked)).toContain('已提交延期申请');
    const ext = await lastCard(p2p(w.inspector), '延期申请');
    const ok = await h.emu.click({
      messageId: ext.messageId,
      from: w.inspector.openId,
      value: button(ext, '同意延期').value,
    });
    expect(ok.toast?.content).toBe('已同意延期');
    const item = await findRectification(h.db.db, id);
    expect(item?.deadline).toBe('2026-10-30');
    // It was overdue from 10-13 to 10-16: the late mark is permanent (docs/domain.md, schema: "1 once the
    // deadline passed while open").
    expect(item?.late).toBe(1);
  });

  it('review nudges respect the org’s quiet hours, like the ladder does', async () => {
    const w = await setup(fixedClock('2026-12-01T02:00:00Z'));
    const set = await ask(w.chat.chatId, w.secretary, '/设置 免打扰 18:00-09:00');
    expect(messageText(set)).toContain('免打扰：18:00-09:00');
    const due = await createByForm(w, w.other, '2026-12-03', '今日到期的事项');
    const { id } = await createByForm(w, w.owner, '2026-12-25');
    await submitForClosing(w.owner, id);
    const nudges = (u: EmuUser) => privateMsgs(u).filter((m) => isText(m, '【待审核】'));
    const total = allBotMessages().length;

    // 08:30 is inside the org's quiet hours (18:00–09:00): nothing at all goes out.
    await run(REMINDERS, '2026-12-03', '08:30');
    expect(privateMsgs(w.other).some((m) => isText(m, '今日到期'))).toBe(false); // the ladder waits
    expect(nudges(w.secretary)).toHaveLength(0); // … and so should the review nudge
    expect(nudges(w.inspector)).toHaveLength(0);
    expect(allBotMessages().length).toBe(total);

    // At 09:30 both go out.
    await run(REMINDERS, '2026-12-03');
    expect(
      privateMsgs(w.other).filter((m) => isText(m, '今日到期') && messageText(m).includes(`#${due.id}`)),
    ).toHaveLength(1);
    expect(nudges(w.secretary)).toHaveLength(1);
    expect(nudges(w.inspector)).toHaveLength(1);
  });

  it('T0 for a deadline on a day off goes out on the working day before without calling the deadline today', async () => {
    const w = await setup(fixedClock('2026-12-01T02:00:00Z'));
    const cal = new WorkCalendar();
    const deadline = '2026-12-20'; // a Sunday
    expect(cal.isWorkday(deadline)).toBe(false);
    const { id } = await createByForm(w, w.owner, deadline);
    const t0 = cal.onOrBefore(deadline); // Friday 12-18
    const before = privateMsgs(w.owner).length;
    expect(await run(REMINDERS, t0)).toMatchObject({ posted: 1 });
    const texts = privateMsgs(w.owner)
      .slice(before)
      .filter((m) => m.msgType === 'text')
      .map(messageText);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(`#${id}`);
    expect(texts[0]).toContain('12月20日');
    // Sent on 12-18: the deadline is not "today".
    expect(texts[0]).not.toContain('今天（12月20日）');
  });
});
