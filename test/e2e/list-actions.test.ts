/**
 * Lists you can act on (issue 14 item 4): every row of /整改 列表 and /任务 列表 has a 查看 button that
 * sends the item's card to the chat the list is in (as /整改 查看 and /任务 查看 do) and leaves the list
 * card as it was; a person who may not see the item is refused, as the typed command refuses them;
 * the list opens with its counts by status and completion rate, overdue items first and 已销号 last.
 * /会议 列表 rows have their 查看 too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findMember } from '../../src/db/repositories/members.ts';
import { createOrg, findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org, Rectification } from '../../src/db/schema.ts';
import type { TaskStatus } from '../../src/features/duties/model.ts';
import {
  addOwner,
  createDutyItem,
  ensureDutyList,
  ensureTask,
  updateTask,
} from '../../src/features/duties/repository.ts';
import { createSession } from '../../src/features/meetings/repository.ts';
import { createRectification } from '../../src/features/rectification/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, seedBranch, startBot } from '../helpers/bot.ts';
import { buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';

const NOW = '2026-12-02T02:00:00Z'; // 10:00 in Beijing: today is 2026-12-02

describe('list rows with 查看, counts and order', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text, 15_000);

  async function setup() {
    h = await startBot({ clock: fixedClock(NOW) });
    const w = await seedBranch(h, { members: ['王纪检', '赵党员', '钱党员', '孙党员'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const [, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    return { ...w, org, zhao, qian, sun, g: w.chat.chatId };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** Rectification items straight into the ledger (their cards are drawn only when asked for). */
  async function seedItems(w: World) {
    const item = (problem: string, owner: EmuUser, deadline: string, status: Rectification['status']) =>
      createRectification(h.db.db, {
        org_id: w.org.id,
        batch_id: null,
        source: '巡察',
        problem,
        measures: '逐项整改',
        leader: '李书记',
        owner_open_id: owner.openId,
        owner_name: owner.name,
        deadline,
        kind: 'centralized',
        area: '',
        status,
        import_key: null,
        created_by: w.secretary.openId,
        created_at: NOW,
        updated_at: NOW,
      });
    return {
      closedEarly: await item('三会一课记录不全', w.zhao, '2026-10-01', 'closed'),
      late: await item('党费收缴台账不全', w.zhao, '2026-11-20', 'in_progress'),
      open: await item('主题党日活动形式单一', w.qian, '2026-12-20', 'pending'),
      lateInReview: await item('谈心谈话记录缺失', w.qian, '2026-11-25', 'review'),
      closed: await item('发展党员材料不规范', w.qian, '2026-11-01', 'closed'),
      later: await item('组织生活会整改清单未公开', w.zhao, '2027-01-10', 'in_progress'),
    };
  }

  /** One task per item, each with its own status and due date. */
  async function seedTasks(w: World) {
    const list = await ensureDutyList(h.db.db, w.org.id, 2026, NOW);
    const task = async (content: string, owner: EmuUser, due: string, status: TaskStatus) => {
      const item = await createDutyItem(h.db.db, {
        list_id: list.id,
        org_id: w.org.id,
        category: '组织建设',
        content,
        leader: '李书记',
        cadence: 'once',
        due_date: due,
        due_day: null,
        evidence: '',
        import_key: null,
        created_by: w.secretary.openId,
        created_at: NOW,
        updated_at: NOW,
      });
      await addOwner(h.db.db, item.id, { openId: owner.openId, name: owner.name });
      const { task: t } = await ensureTask(h.db.db, {
        orgId: w.org.id,
        itemId: item.id,
        ownerOpenId: owner.openId,
        ownerName: owner.name,
        period: 'once',
        dueDate: due,
        at: NOW,
      });
      return status === 'not_started' ? t : updateTask(h.db.db, t, { status });
    };
    return {
      late: await task('按月召开支委会', w.zhao, '2026-11-30', 'not_started'),
      done: await task('上半年党课', w.qian, '2026-06-30', 'done'),
      accepted: await task('组织生活会', w.qian, '2026-03-31', 'accepted'),
      open: await task('年度民主评议党员', w.zhao, '2026-12-31', 'in_progress'),
    };
  }

  /** The ids of the list's rows, in order, read from their 查看 buttons. */
  const rowIds = (m: EmuMessage, action: string) =>
    buttons(m)
      .filter((b) => b.text === '查看' && b.value.a === action)
      .map((b) => b.value.id);

  const openButton = (m: EmuMessage, action: string, id: number) => {
    const b = buttons(m).find((x) => x.text === '查看' && x.value.a === action && x.value.id === id);
    if (!b) throw new Error(`no 查看 for #${id}`);
    return b;
  };

  it('/整改 列表 全部: counts and rate on top, overdue first and 已销号 last; 查看 sends the item card to the group and leaves the list as it was', async () => {
    const w = await setup();
    const r = await seedItems(w);
    const list = await say(w.g, w.qian, '/整改 列表 全部');
    const shown = cardText(list.content);
    expect(shown).toContain("全部整改事项共 6 项：已销号 2 · 待整改 1 · 整改中 1 · <font color='red'>逾期 2</font>");
    expect(shown).toContain('**完成率 33%**');
    expect(list.content).toContain('"tag":"chart"');
    expect(rowIds(list, 'rectify.open')).toEqual([
      r.late.id,
      r.lateInReview.id,
      r.open.id,
      r.later.id,
      r.closedEarly.id,
      r.closed.id,
    ]);

    // 钱党员 (not its owner) clicks 查看 on 赵党员's overdue item: its card arrives in the group as a new message.
    const before = h.emu.botMessages(w.g).length;
    const clicked = await h.emu.click({
      messageId: list.messageId,
      from: w.qian.openId,
      value: openButton(list, 'rectify.open', r.late.id).value,
    });
    expect(clicked.toast).toEqual({ type: 'info', content: `已发送整改事项 #${r.late.id} 的卡片` });
    expect(clicked.card).toBeUndefined();
    const itemCard = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.g)
          .slice(before)
          .find((m) => cardTitle(m) === `整改事项 #${r.late.id}`),
      { what: 'the item card in the group', timeoutMs: 15_000 },
    );
    expect(cardText(itemCard.content)).toContain('党费收缴台账不全');
    // The list card is still the list, for everyone.
    expect(h.emu.requireMessage(list.messageId).content).toBe(list.content);
    await talk.drained(h);
    expect(h.emu.botMessages(p2p(w.qian)).some((m) => cardTitle(m) === `整改事项 #${r.late.id}`)).toBe(false);
  });

  it('我的 整改 list counts one’s own ledger (closed ones too) while it lists the open ones', async () => {
    const w = await setup();
    await seedItems(w);
    const mine = await say(p2p(w.zhao), w.zhao, '/整改 列表');
    // 赵党员 owns 3: one closed, one late, one open; the list shows the 2 open ones.
    expect(cardText(mine.content)).toContain(
      "我的整改事项共 3 项：已销号 1 · 整改中 1 · <font color='red'>逾期 1</font> · **完成率 33%**",
    );
    expect(rowIds(mine, 'rectify.open')).toHaveLength(2);
  });

  it('/任务 列表 全部: the year’s counts and rate; 查看 in the group sends the shared card there, in the private chat one’s own', async () => {
    const w = await setup();
    const t = await seedTasks(w);
    const list = await say(w.g, w.qian, '/任务 列表 全部');
    expect(cardText(list.content)).toContain(
      "本年度全部任务共 4 项：已完成（已验收） 1 · 已完成 1 · 进行中 1 · <font color='red'>逾期 1</font> · **完成率 50%**",
    );
    expect(rowIds(list, 'task.open')).toEqual([t.late.id, t.open.id]);

    const before = h.emu.botMessages(w.g).length;
    const clicked = await h.emu.click({
      messageId: list.messageId,
      from: w.qian.openId,
      value: openButton(list, 'task.open', t.late.id).value,
    });
    expect(clicked.toast).toEqual({ type: 'info', content: `已发送任务 #${t.late.id} 的卡片` });
    const shared = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.g)
          .slice(before)
          .find((m) => cardTitle(m) === `责任任务 #${t.late.id}`),
      { what: 'the task card in the group', timeoutMs: 15_000 },
    );
    expect(cardText(shared.content)).toContain('按月召开支委会');
    expect(h.emu.requireMessage(list.messageId).content).toBe(list.content);

    // In the private chat: the owner's own list and their own card.
    const mine = await say(p2p(w.zhao), w.zhao, '/任务 列表');
    expect(cardText(mine.content)).toContain('我本年度的任务共 2 项：进行中 1 · ');
    const ownBefore = h.emu.botMessages(p2p(w.zhao)).length;
    const own = await h.emu.click({
      messageId: mine.messageId,
      from: w.zhao.openId,
      value: openButton(mine, 'task.open', t.open.id).value,
    });
    expect(own.toast?.content).toBe(`已发送任务 #${t.open.id} 的卡片`);
    const card = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(w.zhao))
          .slice(ownBefore)
          .find((m) => cardTitle(m) === `责任任务 #${t.open.id}`),
      { what: 'the owner’s task card', timeoutMs: 15_000 },
    );
    expect(buttons(card).map((b) => b.text)).toContain('更新进度');
  });

  it('someone no longer in the org is refused on 查看, as on /整改 查看; nothing is sent', async () => {
    const w = await setup();
    const r = await seedItems(w);
    const t = await seedTasks(w);
    const rects = await say(p2p(w.sun), w.sun, '/整改 列表 全部');
    const tasks = await say(p2p(w.sun), w.sun, '/任务 列表 全部');

    await h.emu.removeUsersFromChat(w.g, [w.sun.openId], { operator: w.secretary.openId });
    await h.emu.waitFor(async () => (await findMember(h.db.db, w.org.id, w.sun.openId)) === undefined, {
      what: 'membership ended',
    });
    await talk.drained(h);
    const typed = await say(p2p(w.sun), w.sun, `/整改 查看 ${r.late.id}`);
    const before = h.emu.botMessages(p2p(w.sun)).length;

    const refusedRect = await h.emu.click({
      messageId: rects.messageId,
      from: w.sun.openId,
      value: openButton(rects, 'rectify.open', r.late.id).value,
    });
    const refusedTask = await h.emu.click({
      messageId: tasks.messageId,
      from: w.sun.openId,
      value: openButton(tasks, 'task.open', t.late.id).value,
    });
    for (const refused of [refusedRect, refusedTask]) {
      expect(refused.toast?.type).toBe('error');
      expect(refused.toast?.content).toContain('您已不在「第一党支部」的群聊中');
      expect(refused.card).toBeUndefined();
    }
    expect(cardText(typed.content) || typed.content).toContain('您已不在「第一党支部」的群聊中');
    await talk.drained(h);
    expect(h.emu.botMessages(p2p(w.sun)).slice(before)).toEqual([]);
  });

  it('a click naming an item of another org finds nothing, as /整改 查看 does', async () => {
    const w = await setup();
    const r = await seedItems(w);
    const other = await createOrg(h.db.db, '第二党支部', NOW);
    const {
      id: _id,
      version: _v,
      progress: _p,
      late: _l,
      submitted_at,
      closed_at,
      reviewer_open_id,
      reviewer_name,
      ...fields
    } = r.late;
    const foreign = await createRectification(h.db.db, { ...fields, org_id: other.id });
    const list = await say(w.g, w.qian, '/整改 列表 全部');
    const forged = { ...openButton(list, 'rectify.open', r.late.id).value, id: foreign.id };
    const before = h.emu.botMessages(w.g).length;
    const refused = await h.emu.click({
      messageId: list.messageId,
      from: w.qian.openId,
      value: forged,
      bypassClient: true,
    });
    expect(refused.toast).toEqual({ type: 'error', content: `没有找到整改事项 #${foreign.id}。` });
    const typed = await say(w.g, w.qian, `/整改 查看 ${foreign.id}`);
    expect(typed.content).toContain(`没有找到整改事项 #${foreign.id}。`);
    await talk.drained(h);
    expect(
      h.emu
        .botMessages(w.g)
        .slice(before)
        .filter((m) => cardTitle(m)?.startsWith('整改事项 #')),
    ).toEqual([]);
  });

  it('/会议 列表: each row’s 查看 posts the session’s card to the group; the list stays', async () => {
    const w = await setup();
    const s = await createSession(h.db.db, {
      org_id: w.org.id,
      category: 'meeting',
      kind: 'committee',
      title: '研究第四季度发展党员工作',
      start_at: '2026-12-10T07:00:00.000Z',
      place: '三楼会议室',
      agenda: '',
      status: 'scheduled',
      organiser_open_id: w.secretary.openId,
      organiser_name: w.secretary.name,
      minutes: null,
      minutes_at: null,
      reflection_days: 5,
      created_at: NOW,
      updated_at: NOW,
    });
    const list = await say(w.g, w.qian, '/会议 列表');
    expect(rowIds(list, 'meeting.open')).toEqual([s.id]);
    const before = h.emu.botMessages(w.g).length;
    const clicked = await h.emu.click({
      messageId: list.messageId,
      from: w.qian.openId,
      value: openButton(list, 'meeting.open', s.id).value,
    });
    expect(clicked.toast).toEqual({ type: 'info', content: '已发送“研究第四季度发展党员工作”的卡片' });
    await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.g)
          .slice(before)
          .find((m) => m.msgType === 'interactive' && m.content.includes('三楼会议室')),
      { what: 'the session card in the group', timeoutMs: 15_000 },
    );
    expect(h.emu.requireMessage(list.messageId).content).toBe(list.content);
  });
});
