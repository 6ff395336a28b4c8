/**
 * Items entered late and items late before (issue 18, items 3, 4 and 12):
 * - an item created with its deadline already past (or its ladder under way) is not escalated for the
 *   days before it existed: no group @, 加急 or 逾期通报 within minutes of `/整改 新建`, nor ever for
 *   those steps; the steps after the day of creation follow, each once; the same for the milestones
 *   of a batch entered with a past feedback date;
 * - after an approved extension the owner's card counts down in the ordinary colour, with the
 *   permanent mark apart as a 曾逾期 tag, the header no longer red;
 * - overdue words on item cards (open past the deadline, closed late) are in the colour 逾期 has in
 *   the rest of the product (the list's counts), never grey or uncoloured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findRectification } from '../../src/features/rectification/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

const REMINDERS = 'rectification-reminders';

describe('rectification items entered late, and late before', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  type World = Awaited<ReturnType<typeof setup>>;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const privateMsgs = (u: EmuUser) => talk.privateMessages(h, u);
  const isText = (m: EmuMessage, needle: string) => m.msgType === 'text' && messageText(m).includes(needle);
  const run = (date: string, time?: string) => talk.runJobAt(h, REMINDERS, date, time);
  const say = (w: World, from: EmuUser, text: string) => talk.say(h, w.chat.chatId, from, text, 15_000);
  /** The latest card titled `整改事项 #id` in a chat, once `ready` holds for it. */
  const itemCard = (chatId: string, id: number, ready: (content: string) => boolean = () => true) =>
    h.emu.waitFor(
      () =>
        [...h.emu.botMessages(chatId)]
          .reverse()
          .find((m) => m.msgType === 'interactive' && m.content.includes(`"整改事项 #${id}"`) && ready(m.content)),
      { what: `card of item #${id}` },
    );
  /** Everything the bot sent anyone about item `id` after `since` messages (texts by their label). */
  const aboutItem = (id: number, since: number) =>
    [...h.emu.store.messages.values()]
      .filter((m) => m.senderType === 'app')
      .slice(since)
      .filter((m) => m.msgType === 'text' && messageText(m).includes(`#${id}「`));
  const botCount = () => [...h.emu.store.messages.values()].filter((m) => m.senderType === 'app').length;

  async function setup(clock: OffsetClock) {
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '赵党员'] });
    const [inspector, owner] = w.members as [EmuUser, EmuUser];
    await talk.say(h, w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    return { ...w, inspector, owner };
  }

  /** `/整改 新建` through the form; a past deadline is confirmed with 确认创建. Returns the item's id. */
  async function createByForm(w: World, deadline: string, problem: string): Promise<number> {
    const form = await say(w, w.secretary, '/整改 新建');
    const formValue = {
      problem,
      measures: '建立会议记录模板，逐月检查，补齐纪要',
      owner: w.owner.openId,
      leader: '李书记',
      deadline: `${deadline} +0800`,
      kind: 'centralized',
      source: '巡察',
      area: '组织建设',
    };
    const click = (text: string, name: string) =>
      h.emu.click({
        messageId: form.messageId,
        from: w.secretary.openId,
        value: button(h.emu.requireMessage(form.messageId), text).value,
        name,
        formValue,
      });
    let created = await click('创建', 'submit_new');
    if (created.toast?.content === '整改时限已过，请确认。') created = await click('确认创建', 'submit_confirm');
    expect(created.toast?.content).toMatch(/^已创建整改事项 #\d+/);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    await itemCard(p2p(w.owner), id); // the owner is told at once, with the item's card
    await talk.drained(h);
    return id;
  }

  it('3: an item created late gets no backlog of steps: no 加急 or 逾期通报 on creation, later steps once each', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-11-20', '10:00')); // a Friday
    const w = await setup(clock);
    const start = botCount();

    // Long past (T+3 was 11-10), past T+1 (11-19; T+3 is Monday 11-23), and at its T−3 today (T0 11-25).
    const longPast = await createByForm(w, '2026-11-05', '早已超过时限的问题');
    const justPast = await createByForm(w, '2026-11-18', '刚超过时限的问题');
    const dueSoon = await createByForm(w, '2026-11-25', '即将到期的问题');
    expect(await findRectification(h.db.db, longPast)).toMatchObject({ late: 1 });
    const created = botCount();

    // Within minutes of creation, and all that day: nothing — no @ in the group, no 加急, no 通报.
    for (const time of ['10:00', '10:15', '10:30', '16:45']) {
      expect(await run('2026-11-20', time)).toMatchObject({ due: 0, posted: 0 });
    }
    expect(botCount()).toBe(created);
    expect(h.emu.store.urgents).toEqual([]);
    for (const boss of [w.secretary, w.inspector]) {
      expect(privateMsgs(boss).some((m) => isText(m, '逾期通报'))).toBe(false);
    }
    // (Before the fix the long-past item got 逾期督办 with 加急 and 逾期通报 at the first run.)
    for (const id of [longPast, justPast, dueSoon]) expect(aboutItem(id, start)).toEqual([]);

    // Monday 11-23: the just-past item's T+3, its next step after creation, once.
    expect(await run('2026-11-23')).toMatchObject({ due: 1, posted: 1 });
    expect(await run('2026-11-23', '11:00')).toMatchObject({ posted: 0, skipped: 1 });
    const urgent = aboutItem(justPast, created);
    expect(urgent.map((m) => messageText(m).slice(0, 6)).sort()).toEqual([
      '【逾期督办】',
      '【逾期通报】',
      '【逾期通报】',
    ]);
    await h.emu.waitFor(() => h.emu.store.urgents.length === 1, { what: '加急 of the just-past item' });
    expect(h.emu.store.urgents[0]).toMatchObject({ kind: 'app', openIds: [w.owner.openId] });

    // 11-25: the due-soon item's T0 (its T−3 fell on the day it was created and was not sent).
    expect(await run('2026-11-24')).toMatchObject({ posted: 0 });
    expect(await run('2026-11-25')).toMatchObject({ posted: 1 });
    expect(aboutItem(dueSoon, start).map((m) => messageText(m).slice(0, 6))).toEqual(['【今日到期】']);

    // The long-past item is never escalated for the days before it existed, later runs included.
    for (const day of ['2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01']) await run(day);
    expect(aboutItem(longPast, start)).toEqual([]);
    // (The due-soon item, known since before its deadline, walks on: its T+3 on 11-30 has 加急.)
    const urgentTexts = h.emu.store.urgents.map((u) => messageText(h.emu.requireMessage(u.messageId)));
    expect(urgentTexts.map((t) => t.includes(`#${justPast}「`) || t.includes(`#${dueSoon}「`))).toEqual([true, true]);
  });

  it('3: a batch entered with a past feedback date does not escalate its past milestones', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-11-20', '10:00'));
    const w = await setup(clock);
    const answer = await say(w, w.secretary, '/巡察 反馈 2026-09-15 2026年第二轮巡察');
    expect(messageText(answer)).toContain('2026年第二轮巡察');
    await talk.drained(h);
    const before = privateMsgs(w.secretary).length;

    // 报送整改方案 (10-15) and 整改情况报告 (11-13) are past: nothing about them, today or later.
    for (const day of ['2026-11-20', '2026-11-23', '2026-11-24']) {
      expect(await run(day)).toMatchObject({ due: 0, posted: 0 });
    }
    expect(
      privateMsgs(w.secretary)
        .slice(before)
        .filter((m) => isText(m, '巡察整改节点')),
    ).toEqual([]);
    expect(h.emu.store.urgents).toEqual([]);
  });

  /** The colour the list's counts give 逾期 (`共 n 项：… · <font color='X'>逾期 n</font>`). */
  async function lateColourOfList(w: World): Promise<string> {
    const list = await say(w, w.secretary, '/整改 列表 全部');
    const colour = /<font color='(\w+)'>逾期 \d+<\/font>/.exec(list.content)?.[1];
    expect(colour).toBeDefined();
    return colour as string;
  }

  /** The markdown line of an item card that shows its deadline. */
  const deadlineLine = (m: EmuMessage) =>
    cardText(m.content)
      .split('\n')
      .find((l) => l.startsWith('**整改时限**')) ?? '';
  const header = (m: EmuMessage) =>
    (
      JSON.parse(m.content) as {
        header: { template: string; text_tag_list: { text: { content: string }; color: string }[] };
      }
    ).header;
  /** `<text_tag color='c'>text</text_tag>` (quoted or not), as a pattern. */
  const tag = (colour: string, text: string) => new RegExp(`<text_tag color='?${colour}'?>${text}</text_tag>`);
  /** `/整改 查看 id` in the group: the item's card, posted there. */
  async function show(w: World, id: number): Promise<EmuMessage> {
    const before = h.emu.botMessages(w.chat.chatId).length;
    await h.emu.sendText({ chatId: w.chat.chatId, from: w.owner.openId, text: `/整改 查看 ${id}`, mentionBot: true });
    return talk.postedCard(h, w.chat.chatId, `整改事项 #${id}`, before);
  }

  it('4: after an approved extension the countdown is in the ordinary colour beside a 曾逾期 tag, the header no longer red', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-11-09', '10:00')); // (the owner's card stays updatable: 14 days)
    const w = await setup(clock);
    const id = await createByForm(w, '2026-11-16', '会议记录不规范');
    const ownerChat = p2p(w.owner);

    // T+1 (11-17): the item is late; its card says so in the colour the list gives 逾期.
    clock.set(bj('2026-11-17', '09:00'));
    await run('2026-11-17');
    expect(await findRectification(h.db.db, id)).toMatchObject({ late: 1 });
    const colour = await lateColourOfList(w);
    const overdueCard = await show(w, id);
    const overdueLine = deadlineLine(overdueCard);
    expect(overdueLine).toContain(`<font color='${colour}'>已逾期 1 天</font>`);
    expect(overdueLine).toMatch(tag(colour, '逾期'));
    expect(header(overdueCard).template).toBe(colour);

    // The owner asks for more time; the secretary agrees (11-18, deadline 12-17: 29 days left).
    clock.set(bj('2026-11-18', '10:00'));
    const asked = await say(w, w.owner, `/整改 延期 ${id} 2026-12-17 需等待上级批复`);
    expect(messageText(asked)).toContain('已提交延期申请');
    const request = await h.emu.waitFor(
      () =>
        [...privateMsgs(w.secretary)]
          .reverse()
          .find((m) => m.msgType === 'interactive' && m.content.includes(`延期申请 · 整改事项 #${id}`)),
      { what: 'the extension card' },
    );
    const approved = await h.emu.click({
      messageId: request.messageId,
      from: w.secretary.openId,
      value: button(request, '同意延期').value,
    });
    expect(approved.toast?.content).toBe('已同意延期');
    await talk.drained(h);

    // The owner's own card, updated in place: "还剩 29 天" in the ordinary colour, 曾逾期 apart.
    const card = await itemCard(ownerChat, id, (c) => c.includes('**整改时限**：2026-12-17'));
    const line = deadlineLine(card);
    expect(line).toContain('**整改时限**：2026-12-17　还剩 29 天');
    expect(line).not.toMatch(/<font color='\w+'>还剩/);
    expect(line).toMatch(tag(colour, '曾逾期'));
    expect(line).not.toContain('>逾期</text_tag>');
    expect(header(card).template).not.toBe(colour);
    expect(header(card).text_tag_list.map((t) => [t.text.content, t.color])).toEqual([['待整改', 'blue']]);
    expect(await findRectification(h.db.db, id)).toMatchObject({ late: 1, deadline: '2026-12-17' });

    // The list: the row carries 曾逾期 in the late colour, not a red countdown; the counts no 逾期.
    const list = await say(w, w.secretary, '/整改 列表 全部');
    expect(list.content).toContain(`<font color='${colour}'>曾逾期</font>`);
    expect(list.content).not.toMatch(/<font color='\w+'>还剩/);
  });

  it('12: a card of an item closed late shows 逾期 N 天后销号 in the late colour', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-11-05', '10:00'));
    const w = await setup(clock);
    const id = await createByForm(w, '2026-11-10', '党费收缴台账不全');
    const other = await createByForm(w, '2026-11-12', '另一项逾期问题');
    clock.set(bj('2026-11-16', '10:00'));
    const colour = await lateColourOfList(w); // the other item is overdue: the counts show 逾期 1

    // Closed on 11-16, six days after its deadline, through the card flow.
    const owned = await itemCard(p2p(w.owner), id);
    await h.emu.click({ messageId: owned.messageId, from: w.owner.openId, value: button(owned, '申请销号').value });
    const submitted = await h.emu.click({
      messageId: owned.messageId,
      from: w.owner.openId,
      value: button(h.emu.requireMessage(owned.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/ledger-2026', note: '已补齐台账' },
    });
    expect(submitted.toast?.content).toBe('已提交销号申请，等待审核');
    await talk.drained(h);
    const review = await h.emu.waitFor(
      () =>
        [...privateMsgs(w.secretary)]
          .reverse()
          .find((m) => m.msgType === 'interactive' && m.content.includes(`销号审核 · 整改事项 #${id}`)),
      { what: 'the review card' },
    );
    const closed = await h.emu.click({
      messageId: review.messageId,
      from: w.secretary.openId,
      value: button(review, '通过销号').value,
    });
    expect(closed.toast?.content).toBe('已通过销号');
    await talk.drained(h);

    const card = await show(w, id);
    const line = deadlineLine(card);
    expect(line).toContain(`<font color='${colour}'>逾期 6 天后销号</font>`);
    expect(line).toMatch(tag(colour, '曾逾期'));
    expect(header(card).template).toBe('green');
    // Still overdue, the other item's card: its words in the same colour, never grey.
    const open = await show(w, other);
    expect(deadlineLine(open)).toContain(`<font color='${colour}'>已逾期 4 天</font>`);
    expect(`${line}${deadlineLine(open)}`).not.toContain("color='grey'");
  });
});
