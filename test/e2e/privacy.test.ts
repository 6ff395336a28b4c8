/**
 * Shared cards are shared (docs/feishu-platform.md §6): a click on a group card never turns it into one person's view
 * or form. For each group card with buttons — /帮助, the task card, the rectification item card, the
 * meeting and study notices — a personal button pressed in the group leaves the group card as it was,
 * sends the view or form to the clicker's private chat with a toast saying so; the form submitted there
 * changes the item, and the group card follows with the shared state only. The 遇到困难 reason, meant
 * for the secretary, never appears in any group message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle, findButton } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { ledgerCsv } from '../helpers/ledger-files.ts';

const TO_FILL = '已私信发送，请在与清风的单聊中填写';
const TO_READ = '已私信发送，请在与清风的单聊中查看';

describe('private answers in groups', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const privateCards = (u: EmuUser) => {
    const c = h.emu.store.p2pChatOf(u.openId);
    return c ? h.emu.botMessages(c.chatId).filter((m) => m.msgType === 'interactive') : [];
  };
  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
  const drained = () => talk.drained(h);
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);

  async function setup() {
    clock = new OffsetClock();
    clock.set(bj('2026-12-08', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, zhao, qian] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    await say(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await say(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, group: w.chat.chatId, inspector, organizer, zhao, qian };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /**
   * `u` presses `text` on a group card: the group card's content stays exactly as it was, the toast
   * says where to look, and a new card arrives in `u`'s private chat (returned).
   */
  async function pressPersonal(card: EmuMessage, u: EmuUser, text: string, toast: string) {
    await drained();
    const before = current(card).content;
    const privateBefore = privateCards(u).length;
    const r = await h.emu.click({
      messageId: card.messageId,
      from: u.openId,
      value: button(current(card), text).value,
    });
    expect(r.error).toBeUndefined();
    expect(r.toast).toEqual({ type: 'info', content: toast });
    const sent = await h.emu.waitFor(() => privateCards(u)[privateBefore], { what: `private card after ${text}` });
    await drained();
    expect(current(card).content).toBe(before);
    return sent;
  }

  /** Every text the bot has shown in the group (messages and cards as they are now). */
  const groupText = (w: World) =>
    h.emu
      .botMessages(w.group)
      .map((m) => (m.msgType === 'interactive' ? cardText(m.content) : m.content))
      .join('\n');

  it('/帮助 in a group: 刷新 by a member keeps the secretary’s card; 我的 goes privately', async () => {
    const w = await setup();
    const help = await say(w.group, w.secretary, '/帮助');
    expect(cardText(help.content)).toContain('/整改 新建');
    await drained();
    const shown = current(help).content;

    // A plain member refreshes: the group card is redrawn as it was, not as the member's view.
    const refreshed = await h.emu.click({
      messageId: help.messageId,
      from: w.zhao.openId,
      value: button(help, '刷新').value,
    });
    expect(refreshed.toast?.content).toBe('已刷新');
    expect(cardText(current(help).content)).toBe(cardText(shown));
    expect(cardText(current(help).content)).toContain('/整改 新建');

    // 我的 by a member: their roles and open items go to them privately.
    const mine = await pressPersonal(help, w.zhao, '我的', TO_READ);
    expect(cardText(mine.content)).toContain('我的 · 赵党员');
    expect(cardText(mine.content)).toContain('第一党支部：**党员**');
    expect(groupText(w)).not.toContain('我的 · ');

    // The private card works on its own: 刷新 there shows the member's own commands.
    const own = await h.emu.click({
      messageId: mine.messageId,
      from: w.zhao.openId,
      value: button(mine, '刷新').value,
    });
    expect(own.toast?.content).toBe('已刷新');
    expect(cardText(current(mine).content)).not.toContain('我的 · ');
    expect(cardText(current(mine).content)).not.toContain('/整改 新建');
  });

  it('/帮助 in a group not yet bound: 我的 still goes privately and the group card stays as it was', async () => {
    const w = await setup();
    const other = h.emu.createGroup({
      name: '尚未绑定的群',
      owner: w.zhao.openId,
      members: [w.zhao.openId, w.qian.openId],
    }).chatId;
    const help = await say(other, w.qian, '/帮助');
    const mine = await pressPersonal(help, w.qian, '我的', TO_READ);
    expect(cardText(mine.content)).toContain('我的 · 钱党员');
    expect(cardText(current(help).content)).not.toContain('我的 · ');
  });

  it('task card in a group: 更新进度 and 遇到困难 open privately; the submitted report updates the group card without the reason', async () => {
    const w = await setup();
    const formCard = await say(w.group, w.secretary, '/任务 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_task_new',
      formValue: {
        content: '组织党员参加警示教育，观看警示教育片并撰写心得体会',
        owners: [w.zhao.openId],
        cadence: 'once',
        due: '2026-12-20 +0800',
        category: '思想建设',
        leader: '李书记',
        evidence: '',
      },
    });
    expect(created.toast?.content).toMatch(/^已创建/);
    const groupCard = current(formCard);
    const id = Number(/责任任务 #(\d+)/.exec(cardTitle(groupCard) ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    // The owner's own card, sent privately at creation.
    const ownCard = await h.emu.waitFor(() => privateCards(w.zhao).find((m) => cardTitle(m) === `责任任务 #${id}`), {
      what: 'owner card',
    });

    // Someone else's task: refused, nothing sent, the group card unchanged.
    await drained();
    const before = current(groupCard).content;
    const refused = await h.emu.click({
      messageId: groupCard.messageId,
      from: w.qian.openId,
      value: button(groupCard, '更新进度').value,
    });
    expect(refused.toast?.type).toBe('error');
    expect(current(groupCard).content).toBe(before);
    expect(privateCards(w.qian)).toHaveLength(0);

    // The owner's progress form arrives privately; 取消 there shows the task again.
    const form = await pressPersonal(groupCard, w.zhao, '更新进度', TO_FILL);
    expect(cardTitle(form)).toBe(`责任任务 #${id}`);
    expect(findButton(form, '提交')).toBeDefined();
    await h.emu.click({ messageId: form.messageId, from: w.zhao.openId, value: button(form, '取消').value });
    expect(findButton(current(form), '提交')).toBeUndefined();
    expect(findButton(current(form), '更新进度')).toBeDefined();

    // Submitted from the private chat: the item changes and the group card shows the new state.
    const form2 = await pressPersonal(groupCard, w.zhao, '更新进度', TO_FILL);
    const reported = await h.emu.click({
      messageId: form2.messageId,
      from: w.zhao.openId,
      value: button(form2, '提交').value,
      name: 'submit_task',
      formValue: { status: 'in_progress', percent: '60', done: '已组织观看警示教育片', link: '' },
    });
    expect(reported.toast?.content).toBe('进度已更新');
    expect(cardText(current(form2).content)).toContain('**进度**：60%');
    await h.emu.waitFor(() => cardText(current(groupCard).content).includes('**进度**：60%'), {
      what: 'group task card shows the progress',
    });

    // 遇到困难: the reason goes to the owner's private card and to the secretary, never to the group.
    const reason = '警示教育片需由上级纪委统一调配，12 月中旬前无法到位，请书记协调';
    const blockedForm = await pressPersonal(groupCard, w.zhao, '遇到困难', TO_FILL);
    const blocked = await h.emu.click({
      messageId: blockedForm.messageId,
      from: w.zhao.openId,
      value: button(blockedForm, '提交并通知书记').value,
      name: 'submit_blocked',
      formValue: { reason },
    });
    expect(blocked.toast?.content).toBe('已记录，已通知书记');
    expect(cardText(current(blockedForm).content)).toContain(reason);
    await h.emu.waitFor(() => cardText(current(groupCard).content).includes('**状态**：遇到困难'), {
      what: 'group task card shows the status',
    });
    await drained();
    expect(cardText(current(groupCard).content)).toContain('遇到困难，已报告书记');
    expect(groupText(w)).not.toContain(reason);
    expect(
      h.emu
        .botMessages(p2p(w.secretary))
        .some((m) => m.msgType === 'text' && m.content.includes(reason) && m.content.includes('【遇到困难】')),
    ).toBe(true);

    // The owner's own private card shows the reason; the shared one never does.
    await h.emu.waitFor(() => cardText(current(ownCard).content).includes(reason), {
      what: 'reason on the owner card',
    });
  });

  it('rectification item card in a group: 报告进展, 申请销号 and 申请延期 open privately; progress reaches the group card', async () => {
    const w = await setup();
    const formCard = await say(w.group, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '党支部“三会一课”记录不规范，部分会议无纪要',
        measures: '建立会议记录模板，逐月检查，补齐 2026 年纪要',
        owner: w.zhao.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '组织建设',
      },
    });
    expect(created.toast?.content).toMatch(/已创建整改事项 #\d+/);
    const groupCard = current(formCard);

    const close = await pressPersonal(groupCard, w.zhao, '申请销号', TO_FILL);
    expect(findButton(close, '提交销号申请')).toBeDefined();
    // 取消 on the private form shows the item again, privately.
    await h.emu.click({ messageId: close.messageId, from: w.zhao.openId, value: button(close, '取消').value });
    expect(findButton(current(close), '提交销号申请')).toBeUndefined();
    expect(findButton(current(close), '报告进展')).toBeDefined();
    const extend = await pressPersonal(groupCard, w.secretary, '申请延期', TO_FILL);
    expect(findButton(extend, '提交延期申请') ?? findButton(extend, /延期/)).toBeDefined();

    const form = await pressPersonal(groupCard, w.zhao, '报告进展', TO_FILL);
    const progressed = await h.emu.click({
      messageId: form.messageId,
      from: w.zhao.openId,
      value: button(form, '提交进展').value,
      name: 'submit_progress',
      formValue: { percent: '60', done: '已制定会议记录模板并下发', link: '' },
    });
    expect(progressed.toast?.content).toBe('进展已记录');
    expect(cardText(current(form).content)).toContain('60%');
    await h.emu.waitFor(() => cardText(current(groupCard).content).includes('60%'), {
      what: 'group item card shows the progress',
    });
    // The private form is no longer a form: it shows the result.
    expect(findButton(current(form), '提交进展')).toBeUndefined();
  });

  it('meeting and study notices in a group: 请假, 记录纪要 and 提交心得 open privately; the leave reaches the counts', async () => {
    const w = await setup();
    const publish = async (command: string, title: string, kind: string) => {
      const formCard = await say(w.group, w.secretary, command);
      const before = h.emu.botMessages(w.group).length;
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: button(formCard, '发布通知').value,
        name: 'submit_session',
        formValue: { kind, title, start: '2026-12-10 15:00 +0800', place: '三楼会议室', attendees: [] },
      });
      expect(created.toast?.content).toMatch(/^已发布/);
      // The title already names the kind, so the card's title is the title alone (never 专题会议：全面从严治党专题会议).
      const notice = await talk.postedCard(h, w.group, title, before);
      await drained();
      return notice;
    };
    const meeting = await publish('/会议 新建 专题会议', '全面从严治党专题会议', 'special');
    const study = await publish('/学习 新建 警示教育', '警示教育专题学习', 'warning');
    const counts = (m: EmuMessage) => /\*\*请假\*\* (\d+) 人/.exec(cardText(current(m).content))?.[1];
    expect(counts(meeting)).toBe('0');

    const leave = await pressPersonal(meeting, w.zhao, '请假', TO_FILL);
    const left = await h.emu.click({
      messageId: leave.messageId,
      from: w.zhao.openId,
      value: button(leave, '提交请假').value,
      name: 'submit_leave',
      formValue: { reason: '外出公务' },
    });
    expect(left.toast?.content).toBe('已请假');
    await h.emu.waitFor(() => counts(meeting) === '1', { what: 'group notice counts the leave' });
    expect(findButton(current(leave), '提交请假')).toBeUndefined();

    // 取消 on a private form shows the notice again, privately.
    const studyLeave = await pressPersonal(study, w.qian, '请假', TO_FILL);
    await h.emu.click({
      messageId: studyLeave.messageId,
      from: w.qian.openId,
      value: button(studyLeave, '取消').value,
    });
    expect(findButton(current(studyLeave), '提交请假')).toBeUndefined();
    // … with its buttons as the group's notice has them before 签到 opens: 参加 and 请假.
    expect(buttons(current(studyLeave)).map((b) => b.text)).toEqual(['参加', '请假']);

    // After the start: 记录纪要 (organiser) and 提交心得 (a member) go privately too.
    clock.set(bj('2026-12-10', '16:00'));
    const freshCard = async (id: string, title: string) => {
      const before = h.emu.botMessages(w.group).length;
      await h.emu.sendText({ chatId: w.group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
      const card = await talk.postedCard(h, w.group, title, before);
      await drained();
      return card;
    };
    const meetingId = String(button(meeting, '参加').value.id);
    const studyId = String(button(study, '参加').value.id);
    const meetingNow = await freshCard(meetingId, '全面从严治党专题会议');
    const minutes = await pressPersonal(meetingNow, w.secretary, '记录纪要', TO_FILL);
    expect(findButton(minutes, '保存')).toBeDefined();
    const studyNow = await freshCard(studyId, '警示教育专题学习');
    const record = await pressPersonal(studyNow, w.secretary, '学习记录', TO_FILL);
    expect(cardTitle(record)).toBe('警示教育专题学习');
    const reflection = await pressPersonal(studyNow, w.zhao, '提交心得', TO_FILL);
    expect(findButton(reflection, '提交心得')).toBeDefined();
    // No form was ever drawn into the group (the two creation forms became the notices).
    expect(h.emu.botMessages(w.group).filter((m) => m.content.includes('"tag":"form"'))).toEqual([]);
  });

  it('a 我的 list in a group: its pages go to whoever turns them, privately', async () => {
    const w = await setup();
    // Twelve items for 赵, imported from a ledger the secretary sends privately.
    const rows = Array.from({ length: 12 }, (_x, i) => [
      `第 ${i + 1} 项：党费收缴不及时`,
      '赵党员',
      '2026-12-31',
      '建立按月提醒制度',
      '巡察',
      '集中整改',
    ]);
    const csv = ledgerCsv({ headers: ['存在问题', '责任人', '完成时限', '整改措施', '问题来源', '整改类型'], rows });
    const sent = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '整改台账.csv',
      bytes: csv,
    });
    const preview = await talk.answerTo(h, sent);
    const imported = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 12 行').value,
    });
    expect(imported.toast?.content).toBe('导入完成');

    const list = await say(w.group, w.zhao, '/整改 列表');
    expect(cardText(list.content)).toContain('共 12 项');
    const page2 = await pressPersonal(list, w.zhao, '下一页', TO_READ);
    expect(cardText(page2.content)).toContain('第 2/2 页');
    // Someone else turning the page gets their own list, privately; 赵's list stays in the group.
    const other = await pressPersonal(list, w.qian, '下一页', TO_READ);
    expect(cardText(other.content)).not.toContain('第 1 项');
  });
});
