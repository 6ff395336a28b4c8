/**
 * Issue 18, items 5, 8 and 10, end to end through the emulator:
 * - 5: a task created with two owners names both as 责任人 on the group card (the form it was created
 *   from) and on each owner's card, and says whose task the card is;
 * - 8: the milestones of /巡察 反馈 never fall on a day off (2027-04-18 and 2027-07-18 are Sundays: they
 *   move to the Friday before, and the answer says so), nor does one moved by hand with /巡察 节点;
 * - 10: the 节前廉政提醒's task for the 纪检委员 stays outside the formal 主体责任清单 — /清单, its 序号,
 *   the 台账 export and the board show only the items the 党委 put in — while the inspector still gets
 *   the task, sees it in /任务 and reports on it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

describe('issue 18: task owners, batch milestones on working days, generated tasks outside the 清单', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);

  async function setup(at: Date) {
    const clock = new ManualClock(at);
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员'] });
    const [wang, zhang, zhao] = w.members as [EmuUser, EmuUser, EmuUser];
    await say(w.chat.chatId, w.secretary, `/角色 @{${wang.openId}} 纪检委员`);
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    return { ...w, org, wang, zhang, zhao, clock };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** Creates an item through the /任务 新建 form in the group; the form turns into the first task's card. */
  async function createByForm(w: World, form: Record<string, unknown>) {
    const formCard = await say(w.chat.chatId, w.secretary, '/任务 新建');
    expect(cardTitle(formCard)).toBe('新增主体责任任务');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_task_new',
      formValue: { leader: '李书记', category: '组织建设', evidence: '', cadence: 'once', ...form },
    });
    expect(created.error).toBeUndefined();
    return { created, formCard };
  }

  /** The 责任人 named on a card's owner line, in the order shown. */
  const ownersOn = (content: unknown) => {
    const line = /\*\*责任人\*\*：([^　\n]*)/.exec(cardText(content))?.[1] ?? '';
    return line.split('、');
  };

  const taskCards = (u: EmuUser) => h.emu.botMessages(p2p(u)).filter((m) => cardTitle(m)?.startsWith('责任任务 #'));

  it('5: a task created with two owners names both as 责任人 on the group card and on each owner’s card', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const { created, formCard } = await createByForm(w, {
      content: '组织党员参加警示教育，观看警示教育片并撰写心得体会',
      owners: [w.wang.openId, w.zhang.openId],
      due: '2026-12-20 +0800',
    });
    expect(created.toast?.content).toBe('已创建，2 位责任人已收到任务卡片');

    // The group card (the form turned into the first task's card) names both owners, that task's first,
    // and says whose task the card is: each owner has their own.
    const groupCard = h.emu.requireMessage(formCard.messageId);
    const shown = ownersOn(groupCard.content);
    expect([...shown].sort()).toEqual(['张组织', '王纪检'].sort());
    const first = shown[0] as string;
    expect(cardText(groupCard.content)).toContain(`本卡片是${first}的任务；每位责任人各有一张任务卡片，分别报告进展。`);
    expect(ownersOn(created.card)).toEqual(shown);

    // Each owner's private card names both too, their own name first.
    for (const u of [w.wang, w.zhang]) {
      const card = await h.emu.waitFor(() => taskCards(u)[0], { what: `task card for ${u.name}` });
      const names = ownersOn(card.content);
      expect(names[0]).toBe(u.name);
      expect([...names].sort()).toEqual(['张组织', '王纪检'].sort());
      expect(buttons(card).map((b) => b.text)).toEqual(['更新进度', '已完成', '遇到困难']);
    }

    // A task with one owner keeps the plain line.
    const single = await createByForm(w, {
      content: '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖',
      owners: [w.zhao.openId],
      due: '2026-12-25 +0800',
    });
    expect(ownersOn(single.created.card)).toEqual(['赵党员']);
    expect(cardText(single.created.card)).not.toContain('每位责任人各有一张任务卡片');
  });

  it('8: /巡察 反馈 puts milestones that fall on a day off on the working day before, and so does /巡察 节点', async () => {
    const w = await setup(bj('2027-01-18', '10:00'));
    const name = '2027年第一轮巡察';
    const answer = await say(w.chat.chatId, w.secretary, `/巡察 反馈 2027-01-18 ${name}`);
    const milestones = () =>
      h.db.db
        .selectFrom('batch_milestones')
        .select(['kind', 'due_date'])
        .orderBy('id')
        .execute()
        .then((rows) => Object.fromEntries(rows.map((r) => [r.kind, r.due_date])));
    // D + 3 months is Sunday 2027-04-18 and D + 6 months Sunday 2027-07-18: each moves to the Friday before.
    expect(await milestones()).toEqual({
      plan: '2027-02-18',
      report: '2027-03-18',
      assessment: '2027-04-16',
      review6: '2027-07-16',
      review12: '2028-01-18',
    });
    const text = cardText(answer.content);
    expect(text).toContain(
      '「集中整改结束并评估」原定 2027-04-18（星期日）为休息日，已提前到前一个工作日 2027-04-16。',
    );
    expect(text).toContain('「第一次“回头看”」原定 2027-07-18（星期日）为休息日，已提前到前一个工作日 2027-07-16。');
    expect(text).toContain('2027-04-16');
    expect(text).not.toContain('2027-04-18　');
    expect(text).not.toContain('2027-07-18　');

    // Moved by hand onto 劳动节 (Saturday 1 May): it goes to the working day before, and the answer says so.
    const moved = await say(w.chat.chatId, w.secretary, `/巡察 节点 ${name} 2 2027-05-01`);
    expect((await milestones()).report).toBe('2027-04-30');
    expect(cardText(moved.content)).toContain(
      '「报送整改情况报告」原定 2027-05-01（劳动节）为休息日，已提前到前一个工作日 2027-04-30。',
    );
    // A working day is kept as typed, with nothing to explain.
    const kept = await say(w.chat.chatId, w.secretary, `/巡察 节点 ${name} 1 2027-02-19`);
    expect((await milestones()).plan).toBe('2027-02-19');
    expect(cardText(kept.content)).not.toContain('休息日');
    // Viewing the batch later shows the dates without the notes of the answers.
    const view = cardText((await say(w.chat.chatId, w.zhao, `/巡察 查看 ${name}`)).content);
    expect(view).not.toContain('休息日');
    for (const d of ['2027-02-19', '2027-04-16', '2027-04-30', '2027-07-16', '2028-01-18']) expect(view).toContain(d);
  });

  it('10: the 节前廉政提醒’s task for the 纪检委员 stays outside the formal 主体责任清单, and is still the inspector’s to report on', async () => {
    const w = await setup(bj('2026-12-24', '10:00'));
    // The 党委's list: two items.
    await createByForm(w, {
      content: '每月召开支委会研究党风廉政建设工作',
      owners: [w.zhang.openId],
      due: '2026-12-30',
    });
    await createByForm(w, { content: '开展廉政教育专题党课', owners: [w.zhao.openId], due: '2026-12-30' });
    await talk.drained(h);

    // 元旦 2027: the window opens on Friday 25 December; the inspector gets the follow-up task.
    w.clock.set(bj('2026-12-25', '09:00'));
    const r = await talk.runJobAt(h, 'holiday-reminder', '2026-12-25', '09:00');
    expect(r.posted).toBe(1);
    const reminderCard = await h.emu.waitFor(
      () => taskCards(w.wang).find((m) => cardText(m.content).includes('元旦节前廉政提醒')),
      { what: 'the inspector’s task card' },
    );
    // /清单: the two approved items, numbered 1 and 2; the reminder's task is not among them.
    const list = cardText((await say(w.chat.chatId, w.zhao, '/清单')).content);
    expect(list).not.toContain('节前廉政提醒');
    expect(list).toContain('共 2 项');
    expect(list).toContain('**1.** 【组织建设】每月召开支委会研究党风廉政建设工作');
    expect(list).toContain('**2.** 【组织建设】开展廉政教育专题党课');
    const generated = await h.db.db
      .selectFrom('duty_items')
      .selectAll()
      .where('content', 'like', '%节前廉政提醒%')
      .executeTakeFirstOrThrow();
    expect(generated).toMatchObject({ generated_by: 'holiday-reminder', seq: 0 });
    expect(cardText(reminderCard.content)).toContain('节前廉政提醒生成的工作任务，不列入主体责任清单');

    // The next item the 党委 adds is number 3, not 4.
    await createByForm(w, { content: '开展警示教育', owners: [w.zhang.openId], due: '2026-12-30' });
    const items = await h.db.db
      .selectFrom('duty_items')
      .select(['seq', 'content'])
      .where('content', 'not like', '%节前廉政提醒%')
      .orderBy('seq')
      .execute();
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3]);
    expect(cardText((await say(w.chat.chatId, w.zhao, '/清单')).content)).toContain('**3.** 【组织建设】开展警示教育');

    // The 台账 and the board count the list's three tasks, not the inspector's generated one.
    const exported = await say(w.chat.chatId, w.secretary, '/任务 导出');
    expect(messageText(exported)).toMatch(/^已导出 3 条任务记录/);
    const before = h.emu.botMessages(w.chat.chatId).length;
    await h.emu.sendText({ chatId: w.chat.chatId, from: w.secretary.openId, text: '/任务 看板', mentionBot: true });
    const board = await talk.postedCard(h, w.chat.chatId, '主体责任落实看板 · 第一党支部', before);
    const boardText = cardText(board.content);
    expect(boardText).toContain('合计：未开始 3，');
    expect(boardText).not.toContain('王纪检');

    // The inspector still has the task: in /任务 (their open tasks), and they report on it.
    const mine = cardText((await say(p2p(w.wang), w.wang, '/任务')).content);
    expect(mine).toContain('元旦节前廉政提醒');
    const form = await talk.openForm(h, reminderCard, w.wang, '更新进度');
    const done = await h.emu.click({
      messageId: form.messageId,
      from: w.wang.openId,
      value: button(form, '提交').value,
      name: 'submit_task',
      formValue: {
        status: 'done',
        percent: '100',
        done: '已在群内发布提醒，节前检查了公务用车和公务接待',
        link: '提醒记录已存档',
      },
    });
    expect(done.toast?.content).toBe('已提交，待书记或纪检委员验收');
    const task = await h.db.db
      .selectFrom('tasks')
      .select(['status'])
      .where('item_id', '=', generated.id)
      .executeTakeFirstOrThrow();
    expect(task.status).toBe('submitted');
  });
});
