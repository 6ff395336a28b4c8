/**
 * The full life of a rectification item through cards, over the long connection:
 * created by form → the owner reports progress → asks 销号 (evidence required) → the owner's own
 * approval refused → an inspector returns it with a reason → the owner resubmits → approved → the
 * card shows 已销号 with the reviewer and time; every change audited with before/after.
 * Also: a stale card answers with the current state; extension asked and approved; another
 * member, a member without the role, and an admin of another org are refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findRectification } from '../../src/features/rectification/repository.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, findButton } from '../helpers/cards.ts';

describe('rectification life', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const lastCard = (chatId: string, title: string) =>
    h.emu.waitFor(
      () =>
        [...h.emu.botMessages(chatId)].reverse().find((m) => m.msgType === 'interactive' && m.content.includes(title)),
      {
        what: `card ${title}`,
      },
    );

  async function ask(chatId: string, from: EmuUser, text: string) {
    const before = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
    return h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what: `answer to ${text}` });
  }

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, owner, other] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    await ask(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await ask(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, inspector, organizer, owner, other };
  }

  /** Creates an item through the /整改 新建 form; returns the owner's private item card. */
  async function createByForm(w: Awaited<ReturnType<typeof setup>>, owner: EmuUser, deadline = '2026-12-20') {
    const formCard = await ask(w.chat.chatId, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '党支部“三会一课”记录不规范，部分会议无纪要',
        measures: '建立会议记录模板，逐月检查，补齐 2026 年纪要',
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
    return { id, card, groupCard: h.emu.requireMessage(formCard.messageId) };
  }

  it('goes from the form to 已销号 with progress, a refused self-approval, a return and a resubmission', async () => {
    const w = await setup();
    const { id, card, groupCard } = await createByForm(w, w.inspector);
    expect(groupCard.content).toContain(`整改事项 #${id}`); // the form card became the item card

    // The owner (here a 纪检委员) reports progress through the form on their private card.
    const form = await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(card, '报告进展').value,
    });
    expect(JSON.stringify(form.card)).toContain('本次完成了什么');
    const submitProgress = button(h.emu.requireMessage(card.messageId), '提交进展');
    const progressed = await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: submitProgress.value,
      name: 'submit_progress',
      formValue: { percent: '60', done: '已制定会议记录模板并下发', link: '' },
    });
    expect(progressed.toast?.content).toBe('进展已记录');
    expect(JSON.stringify(progressed.card)).toContain('60%');
    // The group copy (the form that created it) was updated in place through the outbox.
    await h.emu.waitFor(() => h.emu.requireMessage(groupCard.messageId).content.includes('60%'), {
      what: 'group card update',
    });

    // 销号 needs evidence.
    await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(h.emu.requireMessage(card.messageId), '申请销号').value,
    });
    const noEvidence = await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: '', note: '' },
    });
    expect(noEvidence.toast).toMatchObject({ type: 'error', content: expect.stringContaining('需要佐证材料') });
    const submitted = await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/minutes-2026', note: '已补齐全年纪要' },
    });
    expect(submitted.toast?.content).toBe('已提交销号申请，等待审核');
    expect((await findRectification(h.db.db, id))?.status).toBe('review');

    // Reviewers other than the owner get the review card; the owner does not.
    const review = await lastCard(p2p(w.secretary), '销号审核');
    expect(h.emu.botMessages(p2p(w.inspector)).some((m) => m.content.includes('销号审核'))).toBe(false);

    // The owner cannot approve their own item, even as a 纪检委员 holding the (forwarded) card.
    const self = await h.emu.deliverEvent(
      'card.action.trigger',
      {
        operator: { open_id: w.inspector.openId },
        token: 'c-forwarded',
        action: { value: button(review, '通过销号').value, tag: 'button' },
        context: { open_message_id: review.messageId, open_chat_id: review.chatId },
      },
      { card: true },
    );
    expect(JSON.stringify(self?.body)).toContain('责任人不能审核自己的整改事项');
    expect((await findRectification(h.db.db, id))?.status).toBe('review');

    // The secretary returns it with a reason (required).
    await h.emu.click({ messageId: review.messageId, from: w.secretary.openId, value: button(review, '退回').value });
    const returned = await h.emu.click({
      messageId: review.messageId,
      from: w.secretary.openId,
      value: button(h.emu.requireMessage(review.messageId), '确认退回').value,
      name: 'submit_return',
      formValue: { reason: '缺少 10 月、11 月支委会纪要' },
    });
    expect(returned.toast?.content).toBe('已退回，已通知责任人');
    expect((await findRectification(h.db.db, id))?.status).toBe('returned');
    await h.emu.waitFor(() =>
      h.emu.botMessages(p2p(w.inspector)).some((m) => messageText(m).includes('缺少 10 月、11 月支委会纪要')),
    );

    // The owner resubmits with more evidence.
    await h.emu.waitFor(() => findButton(h.emu.requireMessage(card.messageId), '申请销号'));
    await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(h.emu.requireMessage(card.messageId), '申请销号').value,
    });
    await h.emu.click({
      messageId: card.messageId,
      from: w.inspector.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/minutes-oct-nov', note: '已补齐' },
    });
    const review2 = await h.emu.waitFor(() =>
      h.emu
        .botMessages(p2p(w.secretary))
        .filter((m) => m.content.includes('销号审核'))
        .at(1),
    );
    const approved = await h.emu.click({
      messageId: review2.messageId,
      from: w.secretary.openId,
      value: button(review2, '通过销号').value,
    });
    expect(approved.toast?.content).toBe('已通过销号');
    const item = await findRectification(h.db.db, id);
    expect(item).toMatchObject({ status: 'closed', reviewer_name: '李书记', late: 0 });
    const final = await h.emu.waitFor(() => {
      const c = h.emu.requireMessage(card.messageId).content;
      return c.includes('已销号') && c.includes('销号审核') && c;
    });
    expect(final).toContain('李书记，2026-12-01 10:00');

    const audit = await listAudit(h.db.db);
    const changes = audit
      .filter((a) => a.action.startsWith('rectification:'))
      .map((a) => [a.action, JSON.parse(a.after ?? '{}').status]);
    expect(changes).toEqual([
      ['rectification:created', 'pending'],
      ['rectification:progress', 'in_progress'],
      ['rectification:submit', 'review'],
      ['rectification:returned', 'returned'],
      ['rectification:submit', 'review'],
      ['rectification:closed', 'closed'],
    ]);
    const refusal = audit.find((a) => a.action === 'action:rectify.approve' && a.result.startsWith('refused'));
    expect(refusal?.actor).toBe(w.inspector.openId);
  });

  it('answers a stale card with the current state and lets an admin approve an extension', async () => {
    const w = await setup();
    const { id, card } = await createByForm(w, w.owner, '2026-12-05');
    const oldProgress = await h.emu.click({
      messageId: card.messageId,
      from: w.owner.openId,
      value: button(card, '报告进展').value,
    });
    const staleValue = button(h.emu.requireMessage(card.messageId), '提交进展').value;
    // Meanwhile the item changes (an extension request through the command).
    const ext = await ask(w.chat.chatId, w.owner, `/整改 延期 ${id} 2026-12-31 需等待上级批复后实施`);
    expect(messageText(ext)).toContain('已提交延期申请');
    expect(oldProgress.card).toBeDefined();
    // The change PATCHed the card, so the form is no longer on it: a submit from the old view is stale,
    // which only a client that missed the update (or a replay) sends.
    const stale = await h.emu.click({
      messageId: card.messageId,
      from: w.owner.openId,
      value: staleValue,
      name: 'submit_progress',
      formValue: { percent: '30', done: '旧卡片上的提交', link: '' },
      bypassClient: true,
    });
    expect(stale.toast).toMatchObject({ type: 'warning', content: expect.stringContaining('已有更新') });
    expect(JSON.stringify(stale.card)).toContain('延期申请待批');
    expect((await findRectification(h.db.db, id))?.progress).toBe(0);

    const extCard = await lastCard(p2p(w.inspector), '延期申请');
    const approved = await h.emu.click({
      messageId: extCard.messageId,
      from: w.inspector.openId,
      value: button(extCard, '同意延期').value,
    });
    expect(approved.toast?.content).toBe('已同意延期');
    expect(JSON.stringify(approved.card)).toContain('已同意');
    expect((await findRectification(h.db.db, id))?.deadline).toBe('2026-12-31');
    // The other admin's copy of the request cannot be decided twice.
    const second = await lastCard(p2p(w.organizer), '延期申请');
    const again = await h.emu.click({
      messageId: second.messageId,
      from: w.organizer.openId,
      value: button(second, '拒绝').value,
    });
    expect(again.toast?.content).toBe('这个延期申请已经处理过了。');
  });

  it('refuses a member acting on another member’s item, a member creating items, and another org’s admin', async () => {
    const w = await setup();
    const { id } = await createByForm(w, w.owner);
    const shown = await ask(w.chat.chatId, w.other, `/整改 查看 ${id}`);
    const notMine = await h.emu.click({
      messageId: shown.messageId,
      from: w.other.openId,
      value: button(shown, '报告进展').value,
    });
    expect(notMine.toast).toMatchObject({ type: 'error', content: '只有责任人（赵党员）可以报告进展。' });
    // No client sends this (the form never opened for him): a forged submit, refused by the bot itself.
    const forged = await h.emu.click({
      messageId: shown.messageId,
      from: w.other.openId,
      value: { a: 'rectify.progress', id, ver: 1, o: 1 },
      name: 'submit_progress',
      formValue: { percent: '100', done: '冒名提交', link: '' },
      bypassClient: true,
    });
    expect(forged.toast?.content).toBe('只有责任人（赵党员）可以报告此事项的进展。');
    const create = await ask(w.chat.chatId, w.other, '/整改 新建');
    expect(messageText(create)).toBe('需要书记、副书记、纪检委员或组织委员权限。');

    // The secretary of another org sees nothing of this one.
    const boss = h.emu.addUser('外单位书记');
    const chat2 = h.emu.createGroup({ name: '第二党支部', owner: boss.openId, members: [] });
    await ask(chat2.chatId, boss, '/绑定 第二党支部');
    const foreign = await ask(chat2.chatId, boss, `/整改 查看 ${id}`);
    expect(messageText(foreign)).toBe(`没有找到整改事项 #${id}。`);
    // Forged callbacks on his own text answer (it has no buttons), naming this org and then his own.
    const foreignClick = await h.emu.click({
      messageId: foreign.messageId,
      from: boss.openId,
      value: { a: 'rectify.form', id, form: 'extend', o: 1 },
      bypassClient: true,
    });
    expect(foreignClick.toast?.content).toContain('需要本组织成员身份');
    const viaOwnOrg = await h.emu.click({
      messageId: foreign.messageId,
      from: boss.openId,
      value: { a: 'rectify.form', id, form: 'view', o: 2 },
      bypassClient: true,
    });
    expect(viaOwnOrg.toast?.content).toBe(`没有找到整改事项 #${id}。`);
    expect((await findRectification(h.db.db, id))?.version).toBe(1);
  });
});
