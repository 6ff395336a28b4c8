/**
 * Pressure passed down (issue 15 item 4) end to end over the emulator: a 机关党委 over three 支部, each
 * in its own group chat. The 党委 下发 an item of its 清单 to all three (each 支部's copy appended after
 * its own items, a notice in its group); each 支部's secretary names the owner (/清单 指派); two 支部
 * complete it with evidence and accept it (待验收 → 验收通过), the third reports 遇到困难; the 党委's
 * 下发情况 reads 已完成 2/3 with the evidence and never the 支部's reason. Refused: a 支部 admin asking
 * for the 下发情况, a plain 党委 member, a name that is not a lower org; 下发 twice creates nothing new.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, startBot } from '../helpers/bot.ts';
import { tableRows } from '../helpers/card-parts.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import * as issue from '../helpers/issue-world.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const CONTENT = '开展岗位廉政风险点排查，形成自查报告';
const LINK = (n: number) => `https://example.feishu.cn/docx/zicha-${n}`;

describe('下发: a 党委 hands an item of its 清单 down to its 支部 and sees how each stands', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const say = (chat: EmuChat, u: EmuUser, text: string) => talk.say(h, chat.chatId, u, text);
  const copies = () =>
    h.db.db.selectFrom('duty_items').selectAll().where('source_item_id', 'is not', null).orderBy('org_id').execute();
  /** The bot's messages in a chat that are not replies (cards it posted there itself). */
  const posted = (chat: EmuChat, title: string) =>
    h.emu.botMessages(chat.chatId).filter((m) => m.parentId === undefined && cardTitle(m) === title);

  /** A 机关党委 (its item 1 to hand down) over three 支部; the first has an item of its own already. */
  async function world() {
    h = await startBot({ clock: new ManualClock(bj('2026-12-01', '10:00')) });
    const { upper, units } = await issue.bindIssueWorld(h);
    await issue.newItem(h, upper, { content: CONTENT, evidence: '自查报告' });
    await issue.newItem(h, units[0], { content: '每季度开展一次廉政谈话' });
    await talk.settled(h);
    return { upper, units };
  }

  const ownerCard = (u: issue.Unit) => issue.ownerCard(h, u);
  const completeAndAccept = (u: issue.Unit, n: number) => issue.completeAndAccept(h, u, LINK(n));

  it('下发 to all, owners named by each 支部, completed in two: the 党委 reads 已完成 2/3 with the evidence', async () => {
    const { upper, units } = await world();
    const [one, two, three] = units;

    const answer = await say(upper.chat, upper.secretary, '/清单 下发 1 全部');
    expect(cardTitle(answer)).toBe('任务已下发');
    expect(cardText(answer.content)).toContain(
      '已下发给 3 个下级组织：「第一党支部」、「第二党支部」、「第三党支部」，各组织群已收到通知，请其书记指定责任人。',
    );
    const made = await copies();
    // Each copy in its 支部's list of the year, after its own items; no owners; marked by its source.
    expect(made.map((c) => [c.org_id, c.seq, c.content, c.evidence, c.due_date, c.source_org_id])).toEqual([
      [one.org.id, 2, CONTENT, '自查报告', '2026-12-20', upper.org.id],
      [two.org.id, 1, CONTENT, '自查报告', '2026-12-20', upper.org.id],
      [three.org.id, 1, CONTENT, '自查报告', '2026-12-20', upper.org.id],
    ]);
    const owners = await h.db.db
      .selectFrom('duty_owners')
      .selectAll()
      .where(
        'item_id',
        'in',
        made.map((c) => c.id),
      )
      .execute();
    expect(owners).toEqual([]);
    const audits = await h.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'duty:issue').execute();
    expect(audits.map((a) => a.subject).sort()).toEqual(made.map((c) => `duty:${c.id}`).sort());

    // Each 支部's group has the notice: what, by when, and how its 书记 names the owners.
    for (const [u, seq] of [
      [one, 2],
      [two, 1],
      [three, 1],
    ] as const) {
      const notice = await h.emu.waitFor(() => posted(u.chat, '上级下发任务')[0], { what: `notice in ${u.name}` });
      const text = cardText(notice.content);
      expect(text).toContain(`「机关党委」下发任务：${CONTENT}，截止2026-12-20；请书记指定责任人。`);
      expect(text).toContain(`“@清风 /清单 指派 ${seq} @责任人”`);
    }
    // The 支部's list shows where the item came from.
    expect(cardText((await say(one.chat, one.member, '/清单')).content)).toMatch(/\*\*2\.\*\*.*上级下发：机关党委/s);

    // Each 支部's 书记 names the owner: the notice shows it, the owner gets the task, marked as from above.
    for (const [u, seq] of [
      [one, 2],
      [two, 1],
      [three, 1],
    ] as const) {
      const named = await say(u.chat, u.secretary, `/清单 指派 ${seq} @{${u.member.openId}}`);
      expect(messageText(named)).toBe(`已为第 ${seq} 项“${CONTENT}”指定责任人：${u.member.name}，任务卡片已私信发送。`);
      const { card } = await ownerCard(u);
      expect(cardText(card.content)).toContain('上级下发：机关党委');
      const notice = posted(u.chat, '上级下发任务')[0] as EmuMessage;
      await h.emu.waitFor(
        () => cardText(h.emu.requireMessage(notice.messageId).content).includes(`**责任人**：${u.member.name}`),
        { what: `the notice in ${u.name} naming the owner` },
      );
    }

    await completeAndAccept(one, 1);
    await completeAndAccept(two, 2);
    // The third reports a difficulty: its reason is for its own 书记, never for the 党委.
    const { card } = await ownerCard(three);
    const blockedForm = await talk.openForm(h, card, three.member, '遇到困难');
    const blocked = await h.emu.click({
      messageId: blockedForm.messageId,
      from: three.member.openId,
      value: button(blockedForm, '提交并通知书记').value,
      name: 'submit_blocked',
      formValue: { reason: '本支部人员调整，排查暂缓' },
    });
    expect(blocked.toast?.content).toBe('已记录，已通知书记');
    await talk.settled(h);

    // Asked in the 党委's group, the 下发情况 (each 支部's owners and evidence) goes to the admin
    // privately; the group hears only that.
    const privateBefore = h.emu.botMessages(p2p(upper.secretary)).length;
    const note = await say(upper.chat, upper.secretary, '/清单 下发情况 1');
    expect(messageText(note)).toBe('下发情况已私信发送，请在与清风的单聊中查看。');
    const status = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(upper.secretary))
          .slice(privateBefore)
          .find((m) => cardTitle(m) === '下发情况 · 第 1 项'),
      { what: 'the private 下发情况' },
    );
    expect(posted(upper.chat, '下发情况 · 第 1 项')).toEqual([]);
    // In the private chat the card is the answer.
    expect(cardTitle(await say(h.emu.p2pChat(upper.secretary.openId), upper.secretary, '/清单 下发情况 1'))).toBe(
      '下发情况 · 第 1 项',
    );
    const text = cardText(status.content);
    expect(text).toContain('**已完成 2/3**');
    expect(text).not.toContain('人员调整');
    expect(text).not.toContain('已完成排查');
    const rows = tableRows(status).map(({ updated, ...r }) => r);
    expect(rows).toEqual([
      { org: '第三党支部', owners: '褚党员', status: '遇到困难', evidence: '无' },
      { org: '第一党支部', owners: '郑党员', status: '已完成（已验收）', evidence: `1 份：${LINK(1)}` },
      { org: '第二党支部', owners: '冯党员', status: '已完成（已验收）', evidence: `1 份：${LINK(2)}` },
    ]);

    // The 党委's list and its own task card say how far the 下发 went.
    expect(cardText((await say(upper.chat, upper.secretary, '/清单')).content)).toContain('已下发 3 个支部 · 已完成 2');
    const own = await h.db.db
      .selectFrom('tasks')
      .selectAll()
      .where('org_id', '=', upper.org.id)
      .executeTakeFirstOrThrow();
    await h.emu.sendText({
      chatId: upper.chat.chatId,
      from: upper.secretary.openId,
      text: `/任务 查看 ${own.id}`,
      mentionBot: true,
    });
    const ownCard = await h.emu.waitFor(() => posted(upper.chat, `责任任务 #${own.id}`)[0], {
      what: 'the 党委 item’s task card',
    });
    expect(cardText(ownCard.content)).toContain('已下发 3 个支部 · 已完成 2');

    // 查看下发情况 on the 下发 answer in the group: the card goes to the admin privately, the shared
    // answer stays as it was and nothing is posted in the group.
    const answerBefore = h.emu.requireMessage(answer.messageId).content;
    const privately = h.emu.botMessages(p2p(upper.secretary)).length;
    const clicked = await h.emu.click({
      messageId: answer.messageId,
      from: upper.secretary.openId,
      value: button(answer, '查看下发情况').value,
    });
    expect(clicked.toast?.content).toBe(talk.SENT_PRIVATELY.view);
    expect(clicked.card).toBeUndefined();
    const sent = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(upper.secretary))
          .slice(privately)
          .find((m) => cardTitle(m) === '下发情况 · 第 1 项'),
      { what: 'the private status card' },
    );
    expect(cardText(sent.content)).toContain('**已完成 2/3**');
    await talk.settled(h);
    expect(posted(upper.chat, '下发情况 · 第 1 项')).toEqual([]);
    expect(h.emu.requireMessage(answer.messageId).content).toBe(answerBefore);
    // 刷新 on the private card redraws it in place.
    const refreshed = await h.emu.click({
      messageId: sent.messageId,
      from: upper.secretary.openId,
      value: button(sent, '刷新').value,
    });
    expect(refreshed.toast?.content).toBe('已刷新');
    expect(refreshed.card).toBeDefined();
  });

  it('refuses a 支部 admin and a plain 党委 member; an unknown name creates nothing; 下发 twice creates nothing new', async () => {
    const { upper, units } = await world();
    const [one] = units;
    const words = (m: EmuMessage) => (m.msgType === 'text' ? messageText(m) : cardText(m.content));

    // Bad input: nothing to, or not a lower org. Nothing is created.
    expect(words(await say(upper.chat, upper.secretary, '/清单 下发 1'))).toContain(
      '请写明下发给哪些下级组织：全部，或下级组织的名称（「第一党支部」、「第二党支部」、「第三党支部」）。',
    );
    expect(words(await say(upper.chat, upper.secretary, '/清单 下发 1 第一党支部 财务处党支部'))).toContain(
      '「财务处党支部」不是「机关党委」的下级组织。',
    );
    expect(words(await say(upper.chat, upper.secretary, '/清单 下发 9 全部'))).toContain(
      '2026年主体责任清单中没有第 9 项',
    );
    expect(await copies()).toEqual([]);

    // The same 下发 sent twice at once: one copy, one notice.
    const both = await Promise.all([
      say(upper.chat, upper.secretary, '/清单 下发 1 第一党支部'),
      say(upper.chat, upper.secretary, '/清单 下发 1 第一党支部'),
    ]);
    expect(both.map(cardTitle).sort()).toEqual(['任务已下发', '没有新的下发']);
    // Then to all: the two missing ones only, and it says so.
    const second = await say(upper.chat, upper.secretary, '/清单 下发 1 全部');
    expect(cardText(second.content)).toContain('已下发给 2 个下级组织：「第二党支部」、「第三党支部」');
    expect(cardText(second.content)).toContain('此前已下发，未重复创建：「第一党支部」。');
    const third = await say(upper.chat, upper.secretary, '/清单 下发 1 全部');
    expect(cardTitle(third)).toBe('没有新的下发');
    await talk.settled(h);
    expect(await copies()).toHaveLength(3);
    expect(posted(one.chat, '上级下发任务')).toHaveLength(1);

    // A plain member of the 党委 may not read the 下发情况, nor 下发.
    for (const asked of ['/清单 下发情况 1', '/清单 下发 1 全部'])
      expect(words(await say(upper.chat, upper.member, asked))).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    // The 支部's admin, asking about the copy it received: the view is the 党委's.
    expect(words(await say(one.chat, one.secretary, '/清单 下发情况 2'))).toBe(
      '第 2 项是「机关党委」下发的任务，下发情况由「机关党委」的管理员查看；本组织的落实情况请发送 /任务 列表 全部 查看。',
    );
    // … nor 下发 anything: a 支部 has no lower orgs.
    expect(words(await say(one.chat, one.secretary, '/清单 下发 1 全部'))).toContain('「第一党支部」不是党委');
    expect(await copies()).toHaveLength(3);
    // 指派 someone outside the 支部 changes nothing.
    expect(words(await say(one.chat, one.secretary, `/清单 指派 2 @{${upper.member.openId}}`))).toContain(
      '钱委员不是本组织成员',
    );
    const copy = (await copies()).find((c) => c.org_id === one.org.id);
    expect(
      await h.db.db
        .selectFrom('duty_owners')
        .selectAll()
        .where('item_id', '=', copy?.id ?? 0)
        .execute(),
    ).toEqual([]);
  });
});
