/**
 * The world of the 下发 specs (issue 15 items 4 and 5): a 机关党委 over three 支部, each a group bound by
 * its owner (its 书记) with one 党员, linked under the 党委 directly; items made with the new-task form;
 * the owner of a 支部's copy of an item 下发 completing it with a link, and its 书记 accepting it.
 */
import { expect } from 'vitest';
import { setOrgLevel, setParent } from '../../src/db/repositories/org-tree.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import type { EmuChat, EmuUser } from '../../src/sandbox/store.ts';
import type { BotHarness } from './bot.ts';
import { button, cardTitle } from './cards.ts';
import * as talk from './converse.ts';

/** An org of the world: its group, its 书记 and its one 党员. */
export interface Unit {
  name: string;
  chat: EmuChat;
  secretary: EmuUser;
  member: EmuUser;
  org: Org;
}

const p2p = (h: BotHarness, u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

/** A group bound to a new org by its owner (its 书记); the other person is a 党员. */
export async function bindOrg(h: BotHarness, name: string, secretary: string, member: string): Promise<Unit> {
  const s = h.emu.addUser(secretary);
  const m = h.emu.addUser(member);
  const chat = h.emu.createGroup({ name, owner: s.openId, members: [m.openId] });
  const sent = await h.emu.sendText({ chatId: chat.chatId, from: s.openId, text: `/绑定 ${name}`, mentionBot: true });
  await talk.answerTo(h, sent);
  return { name, chat, secretary: s, member: m, org: (await findOrgByName(h.db.db, name)) as Org };
}

/** 机关党委 (周书记, 钱委员) over 第一 (吴书记, 郑党员), 第二 (王书记, 冯党员) and 第三党支部 (陈书记, 褚党员). */
export async function bindIssueWorld(h: BotHarness): Promise<{ upper: Unit; units: [Unit, Unit, Unit] }> {
  const upper = await bindOrg(h, '机关党委', '周书记', '钱委员');
  const units: [Unit, Unit, Unit] = [
    await bindOrg(h, '第一党支部', '吴书记', '郑党员'),
    await bindOrg(h, '第二党支部', '王书记', '冯党员'),
    await bindOrg(h, '第三党支部', '陈书记', '褚党员'),
  ];
  // The link itself is the hierarchy's (/组织 下级); here it is made directly.
  await setOrgLevel(h.db.db, upper.org.id, 'organ_committee');
  for (const u of units) {
    await setOrgLevel(h.db.db, u.org.id, 'branch');
    expect(await setParent(h.db.db, u.org.id, upper.org.id)).toBe(true);
  }
  return { upper, units };
}

/** An item on the org's list, made by its 书记 with the new-task form, its 党员 the owner, due once. */
export async function newItem(
  h: BotHarness,
  u: Unit,
  o: { content: string; due?: string; evidence?: string },
): Promise<void> {
  const form = await talk.say(h, u.chat.chatId, u.secretary, '/任务 新建');
  const created = await h.emu.click({
    messageId: form.messageId,
    from: u.secretary.openId,
    value: button(form, '创建').value,
    name: 'submit_task_new',
    formValue: {
      content: o.content,
      owners: [u.member.openId],
      leader: u.secretary.name,
      cadence: 'once',
      due: `${o.due ?? '2026-12-20'} +0800`,
      category: '纪律建设',
      evidence: o.evidence ?? '',
    },
  });
  expect(created.toast?.content).toContain('已创建');
}

/** The task of the 支部's (first) copy of an item 下发, and the owner's private card for it once it arrives. */
export async function ownerCard(h: BotHarness, u: Unit) {
  const t = await h.emu.waitFor(
    () =>
      h.db.db
        .selectFrom('tasks')
        .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
        .selectAll('tasks')
        .where('tasks.org_id', '=', u.org.id)
        .where('duty_items.source_item_id', 'is not', null)
        .orderBy('tasks.id')
        .executeTakeFirst(),
    { what: `the task of ${u.name}` },
  );
  const card = await h.emu.waitFor(
    () => h.emu.botMessages(p2p(h, u.member)).findLast((m) => cardTitle(m) === `责任任务 #${t.id}`),
    { what: `task card #${t.id}` },
  );
  return { t, card };
}

/** The owner reports 已完成 with `link` (待验收); the 支部's 书记 accepts it on the card sent to him. */
export async function completeAndAccept(h: BotHarness, u: Unit, link: string): Promise<void> {
  const { t, card } = await ownerCard(h, u);
  await h.emu.click({ messageId: card.messageId, from: u.member.openId, value: button(card, '更新进度').value });
  const submitted = await h.emu.click({
    messageId: card.messageId,
    from: u.member.openId,
    value: button(h.emu.requireMessage(card.messageId), '提交').value,
    name: 'submit_task',
    formValue: { status: 'done', percent: '100', done: '已完成排查', link },
  });
  expect(submitted.toast?.content).toBe('已提交，待书记或纪检委员验收');
  const review = await h.emu.waitFor(
    () => h.emu.botMessages(p2p(h, u.secretary)).findLast((m) => cardTitle(m) === `责任任务 #${t.id}`),
    { what: 'the review card' },
  );
  const accepted = await h.emu.click({
    messageId: review.messageId,
    from: u.secretary.openId,
    value: button(review, '验收通过').value,
    name: 'submit_accept',
    formValue: { reason: '' },
  });
  expect(accepted.toast?.content).toBe('已验收通过');
}
