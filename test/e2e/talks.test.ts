/**
 * The talk register over the emulator (issue 16 item 1):
 * - `/谈话 记录` sends the form privately; saved with two parties, each gets a card to 确认 (a double click
 *   confirms once, another person's click is refused) and the recorder's card turns to 双方确认;
 * - the notes: shown to the recorder, the 书记 and the 纪检委员; not to the other party, another admin or a
 *   plain member (refused the talk altogether), nor to another org (not found); always privately;
 * - a non-member picked is refused by name and nothing is saved; a plain member is refused a 廉政谈话;
 * - `/谈话 列表` in the group answers privately (a member sees only their talks); bad input gives the usage;
 * - `/谈话 撤销` by the recorder or the 书记 only (audited with its reason, kept, not counted); the refusal
 *   names who may by role, never the recorder;
 * - a plain member is refused a talk and its notes: the refusal text, and no note in any chat they see;
 * - `/谈话 导出` sends the admin the 谈心谈话记录 .xlsx privately, without the notes.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { listYearTalks } from '../../src/features/talks/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import { postedCard, say, settled } from '../helpers/converse.ts';

const NOTES = '谈了近期思想状况，提醒注意八小时以外的交往';
const HIDDEN = '谈话要点仅记录人、书记和纪检委员可见。';

describe('the talk register', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-02T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, zhao, qian] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const s = w.secretary;
    expect(messageText(await say(h, g, s, `/角色 @{${inspector.openId}} 纪检委员`))).toContain('纪检委员');
    expect(messageText(await say(h, g, s, `/角色 @{${organizer.openId}} 组织委员`))).toContain('组织委员');
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    /** Says `line` privately where the bot answers with a card it sends (not a reply): that card. */
    const privateCard = async (u: EmuUser, line: string, title: string) => {
      const before = h.emu.botMessages(p2p(u)).length;
      await h.emu.sendText({ chatId: p2p(u), from: u.openId, text: line, mentionBot: true });
      return postedCard(h, p2p(u), title, before);
    };
    /** The form, filled in and saved by `by`; the click's answer. */
    const submit = async (by: EmuUser, form: EmuMessage, values: Record<string, unknown>) =>
      h.emu.click({
        messageId: form.messageId,
        from: by.openId,
        value: button(form, '保存').value,
        name: 'submit_talk',
        formValue: { kind: 'heart', date: '2026-12-01 +0800', place: '党建活动室', notes: NOTES, ...values },
      });
    const talks = () => h.db.db.selectFrom('talks').selectAll().orderBy('id').execute();
    return { ...w, g, orgId, s, inspector, organizer, zhao, qian, p2p, privateCard, submit, talks };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** The 书记 records a 谈心谈话 with 赵党员 and 钱党员 from the group; returns the form (now the talk's card). */
  async function recordTwo(w: World) {
    const before = h.emu.botMessages(w.p2p(w.s)).length;
    expect(messageText(await say(h, w.g, w.s, '/谈话 记录'))).toBe('谈话记录表单已私信发送，请在与清风的单聊中填写。');
    const form = await postedCard(h, w.p2p(w.s), '记录谈话', before);
    const saved = await w.submit(w.s, form, { parties: [w.zhao.openId, w.qian.openId] });
    expect(saved.toast).toEqual({ type: 'success', content: '已记录谈话 #1，已请谈话对象确认。' });
    const shown = cardText(h.emu.requireMessage(form.messageId).content);
    expect(shown).toContain(NOTES);
    expect(shown).toContain('赵党员（待确认）、钱党员（待确认）');
    expect(shown).toContain('待确认（0/2）');
    return form;
  }

  it('records a talk with two parties who each confirm once: 双方确认 on the recorder card', async () => {
    const w = await setup();
    const form = await recordTwo(w);
    const [talk] = await w.talks();
    expect(talk).toMatchObject({ kind: 'heart', held_on: '2026-12-01', place: '党建活动室', notes: NOTES });
    const audit = await listAudit(h.db.db, { action: 'talk:record' });
    expect(audit.map((a) => a.subject)).toEqual(['talk:1']);
    expect(audit[0]?.after).not.toContain(NOTES);

    // Each party is asked privately, without the notes.
    const title = '谈话记录 #1 · 谈心谈话';
    const zhaoCard = await postedCard(h, w.p2p(w.zhao), title);
    const qianCard = await postedCard(h, w.p2p(w.qian), title);
    const asked = cardText(zhaoCard.content);
    expect(asked).toContain('李书记 于 2026年12月1日 与您进行了谈心谈话（党建活动室）。如属实，请点击确认。');
    expect(asked).not.toContain(NOTES);
    expect(asked).toContain(HIDDEN);

    // Two clicks at once: one confirms, the other is told it already has.
    const confirm = button(zhaoCard, '确认').value;
    const results = await Promise.all([
      h.emu.click({ messageId: zhaoCard.messageId, from: w.zhao.openId, value: confirm }),
      h.emu.click({ messageId: zhaoCard.messageId, from: w.zhao.openId, value: confirm }),
    ]);
    expect(results.map((r) => r.toast?.content).sort()).toEqual(['已确认，谢谢。', '您已确认过这次谈话。']);
    expect((await listAudit(h.db.db, { action: 'talk:confirm' })).length).toBe(1);
    expect(cardText(h.emu.requireMessage(zhaoCard.messageId).content)).not.toContain('如属实');
    await h.emu.waitFor(() => cardText(h.emu.requireMessage(form.messageId).content).includes('待确认（1/2）'), {
      what: 'the recorder card at 1/2',
    });

    const second = await h.emu.click({
      messageId: qianCard.messageId,
      from: w.qian.openId,
      value: button(qianCard, '确认').value,
    });
    expect(second.toast?.content).toBe('已确认，谢谢。');
    await h.emu.waitFor(
      () => {
        const shown = cardText(h.emu.requireMessage(form.messageId).content);
        return shown.includes('**确认情况**：双方确认') && shown.includes(NOTES) ? shown : undefined;
      },
      { what: 'the recorder card at 双方确认, notes kept' },
    );
    const year = await listYearTalks(h.db.db, w.orgId, 2026);
    expect(year).toHaveLength(1);
    expect(year[0]?.parties.every((p) => p.confirmedAt !== null)).toBe(true);
    expect(year[0]?.recorder).toEqual({ openId: w.s.openId, name: '李书记' });
  });

  it("a click confirms only the clicker's own part; someone who is no party is refused", async () => {
    const w = await setup();
    await recordTwo(w);
    const title = '谈话记录 #1 · 谈心谈话';
    const zhaoCard = await postedCard(h, w.p2p(w.zhao), title);
    const qianCard = await postedCard(h, w.p2p(w.qian), title);
    // 钱党员 sends the callback of 赵党员's 确认 from their own card: it confirms 钱党员's part, not 赵党员's.
    const r = await h.emu.click({
      messageId: qianCard.messageId,
      from: w.qian.openId,
      value: button(zhaoCard, '确认').value,
      bypassClient: true,
    });
    expect(r.toast?.content).toBe('已确认，谢谢。');
    const parties = await h.db.db.selectFrom('talk_parties').selectAll().orderBy('name').execute();
    expect(Object.fromEntries(parties.map((p) => [p.name, p.confirmed_at !== null]))).toEqual({
      赵党员: false,
      钱党员: true,
    });
    // The 组织委员 (an admin, no party) sees the talk, without 确认; a forged 确认 is refused.
    const seen = await w.privateCard(w.organizer, '/谈话 查看 1', title);
    expect(seen.content).not.toContain('"content":"确认"');
    const other = await h.emu.click({
      messageId: seen.messageId,
      from: w.organizer.openId,
      value: button(zhaoCard, '确认').value,
      bypassClient: true,
    });
    expect(other.toast).toEqual({ type: 'error', content: '只有谈话对象本人可以确认这次谈话。' });
    expect((await listAudit(h.db.db, { action: 'talk:confirm' })).length).toBe(1);
  });

  it('shows the notes to the recorder, the 书记 and the 纪检委员 only, always privately', async () => {
    const w = await setup();
    // 赵党员 records a 谈心谈话 with 钱党员, privately.
    const form = await w.privateCard(w.zhao, '/谈话', '记录谈话');
    expect((await w.submit(w.zhao, form, { parties: [w.qian.openId] })).toast?.type).toBe('success');
    const title = '谈话记录 #1 · 谈心谈话';
    expect(cardText(h.emu.requireMessage(form.messageId).content)).toContain(NOTES);

    for (const viewer of [w.s, w.inspector]) {
      const card = await w.privateCard(viewer, '/谈话 查看 1', title);
      expect(cardText(card.content)).toContain(NOTES);
    }
    for (const viewer of [w.qian, w.organizer]) {
      const card = await w.privateCard(viewer, '/谈话 查看 #1', title);
      expect(cardText(card.content)).not.toContain(NOTES);
      expect(cardText(card.content)).toContain(HIDDEN);
    }
    // Asked in the group: the card goes privately, the group hears only that.
    const groupBefore = h.emu.botMessages(w.g).length;
    const before = h.emu.botMessages(w.p2p(w.s)).length;
    expect(messageText(await say(h, w.g, w.s, '/谈话 查看 1'))).toBe(
      '谈话记录 #1 已私信发送，请在与清风的单聊中查看。',
    );
    expect(cardText((await postedCard(h, w.p2p(w.s), title, before)).content)).toContain(NOTES);
    expect(
      h.emu
        .botMessages(w.g)
        .slice(groupBefore)
        .some((m) => m.content.includes(NOTES)),
    ).toBe(false);

    // A plain member who took no part is refused the talk; another org does not find it.
    expect(messageText(await say(h, w.p2p(w.s), w.s, '/谈话 查看 2'))).toBe('没有找到谈话记录 #2。');
    const other = await seedBranch(h, { orgName: '第二党支部', members: ['周党员'] });
    expect(messageText(await say(h, other.chat.chatId, other.secretary, '/谈话 查看 1'))).toBe('没有找到谈话记录 #1。');
    const plain = h.emu.addUser('吴党员');
    await h.emu.addUsersToChat(w.g, [plain.openId], w.s.openId);
    await settled(h);
    expect(messageText(await say(h, w.g, plain, '/谈话 查看 1'))).toBe(
      '只有谈话双方和组织管理员（书记、副书记、纪检委员、组织委员）可以查看这次谈话。',
    );
  });

  it('talk notes refused to a plain member', async () => {
    const w = await setup();
    // The 书记 records a 谈心谈话 with 赵党员 (a plain member, the party), with notes.
    const form = await w.privateCard(w.s, '/谈话 记录', '记录谈话');
    expect((await w.submit(w.s, form, { parties: [w.zhao.openId] })).toast?.type).toBe('success');
    const title = '谈话记录 #1 · 谈心谈话';
    const refusal = '只有谈话双方和组织管理员（书记、副书记、纪检委员、组织委员）可以查看这次谈话。';
    // A plain member who took no part: refused, in the group and privately, with the refusal text only.
    const plain = h.emu.addUser('吴党员');
    await h.emu.addUsersToChat(w.g, [plain.openId], w.s.openId);
    await settled(h);
    expect(messageText(await say(h, w.g, plain, '/谈话 查看 1'))).toBe(refusal);
    expect(messageText(await say(h, w.p2p(plain), plain, '/谈话 查看 1'))).toBe(refusal);
    const list = await say(h, w.p2p(plain), plain, '/谈话 列表');
    expect(cardText(list.content)).toContain('您参加的谈话，共 0 条');
    // The party, a plain member too, sees the talk without its notes.
    const theirs = await w.privateCard(w.zhao, '/谈话 查看 1', title);
    expect(cardText(theirs.content)).toContain(HIDDEN);
    expect(cardText(theirs.content)).not.toContain(NOTES);
    await settled(h);
    // No chat either of them can see holds the notes: not the group, not their private chats (the
    // recorder's own private chat does, so the scan would find a leak).
    const seenBy = (u: EmuUser) => {
      const chats = [...h.emu.store.chats.values()].filter((c) => c.members.includes(u.openId));
      expect(chats.map((c) => c.chatId)).toEqual(expect.arrayContaining([w.g, w.p2p(u)]));
      return chats.flatMap((c) => h.emu.store.messagesIn(c.chatId)).map((m) => m.content);
    };
    expect(seenBy(w.s).some((c) => c.includes(NOTES))).toBe(true);
    for (const u of [plain, w.zhao]) {
      const seen = seenBy(u);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((c) => c.includes(NOTES))).toEqual([]);
    }
  });

  it('refuses a non-member picked (by name) and a 廉政谈话 recorded by a plain member; nothing is saved', async () => {
    const w = await setup();
    const other = await seedBranch(h, { orgName: '第二党支部', members: ['周党员'] });
    const stranger = other.members[0] as EmuUser;
    const form = await w.privateCard(w.s, '/谈话 记录 廉政谈话', '记录谈话');
    const r = await w.submit(w.s, form, { kind: 'integrity', parties: [w.zhao.openId, stranger.openId] });
    expect(r.toast).toEqual({
      type: 'error',
      content: '周党员不是「第一党支部」的党员，不能作为谈话对象。请重新选择。',
    });
    const future = await w.submit(w.s, form, { parties: [w.zhao.openId], date: '2026-12-03 +0800' });
    expect(future.toast?.content).toBe('谈话日期 2026-12-03 还没有到，只能记录已进行的谈话。');
    expect(await w.talks()).toEqual([]);

    // A plain member: 廉政谈话 refused at once, and on a forged form too; a 谈心谈话 is theirs to record.
    const refusal = '廉政谈话由书记、纪检委员或其他支委进行并记录；党员可以记录谈心谈话。';
    expect(messageText(await say(h, w.p2p(w.zhao), w.zhao, '/谈话 记录 廉政谈话'))).toBe(refusal);
    const mine = await w.privateCard(w.zhao, '/谈心谈话 记录', '记录谈话');
    expect(mine.content).not.toContain('廉政谈话');
    const forged = await w.submit(w.zhao, mine, { kind: 'integrity', parties: [w.qian.openId] });
    expect(forged.toast).toEqual({ type: 'error', content: refusal });
    expect(await w.talks()).toEqual([]);
    // Saved once: two 保存 of the same form at once (a double click) save one talk.
    const both = await Promise.all([
      w.submit(w.zhao, mine, { parties: [w.qian.openId] }),
      w.submit(w.zhao, mine, { parties: [w.qian.openId] }),
    ]);
    expect(both.map((b) => b.toast?.content).sort()).toEqual([
      '已记录谈话 #1，已请谈话对象确认。',
      '该表单已保存为谈话记录 #1。',
    ]);
    expect((await w.talks()).length).toBe(1);

    // Bad input: the usage.
    const bad = messageText(await say(h, w.g, w.zhao, '/谈话 列表 明年'));
    expect(bad).toContain('“明年”不是年份');
    expect(bad).toContain('/谈话 列表 2026');
    expect(messageText(await say(h, w.g, w.zhao, '/谈话 聊天'))).toContain('不认识的子命令“聊天”');
  });

  it('lists privately in a group (a member sees their own talks), withdraws, and exports without notes', async () => {
    const w = await setup();
    await recordTwo(w);
    const form = await w.privateCard(w.inspector, '/谈话 记录 提醒谈话', '记录谈话');
    expect((await w.submit(w.inspector, form, { kind: 'reminder', parties: [w.organizer.openId] })).toast?.type).toBe(
      'success',
    );

    const listTitle = '第一党支部 2026年谈话记录';
    const groupBefore = h.emu.botMessages(w.g).length;
    const before = h.emu.botMessages(w.p2p(w.zhao)).length;
    expect(messageText(await say(h, w.g, w.zhao, '/谈话 列表'))).toBe('谈话记录已私信发送，请在与清风的单聊中查看。');
    const mine = cardText((await postedCard(h, w.p2p(w.zhao), listTitle, before)).content);
    expect(mine).toContain('您参加的谈话，共 1 条');
    expect(h.emu.botMessages(w.g).slice(groupBefore).map(messageText)).toEqual([
      '谈话记录已私信发送，请在与清风的单聊中查看。',
    ]);
    const all = await say(h, w.p2p(w.s), w.s, '/谈话 列表 2026');
    expect(cardTitle(all)).toBe(listTitle);
    expect(all.content).toContain('本组织全部谈话，共 2 条');
    expect(all.content).toContain('"kind":"提醒谈话","recorder":"王纪检","parties":"张组织","state":"待确认（0/1）"');
    expect(all.content).not.toContain(NOTES);

    // Withdraw: not by a party, by the 书记 with a reason; kept, not counted.
    // The refusal says who may by role: it does not name the recorder to someone else (nor in the group).
    const refused = messageText(await say(h, w.g, w.zhao, '/谈话 撤销 2 记错了'));
    expect(refused).toBe('只有记录人本人或书记可以撤销谈话记录 #2。');
    expect(refused).not.toContain('王纪检');
    expect(messageText(await say(h, w.g, w.s, '/谈话 撤销 2'))).toContain('缺少撤销理由');
    expect(messageText(await say(h, w.g, w.s, '/谈话 撤销 2 对象记错'))).toBe('谈话记录 #2 已撤销，不再计入谈话情况。');
    expect(messageText(await say(h, w.g, w.inspector, '/谈话 撤销 2 对象记错'))).toBe('谈话记录 #2 已撤销。');
    const withdrawn = await listAudit(h.db.db, { action: 'talk:withdraw' });
    expect(withdrawn.map((a) => [a.subject, JSON.parse(a.after ?? '{}').reason])).toEqual([['talk:2', '对象记错']]);
    expect((await w.talks()).map((t) => t.status)).toEqual(['recorded', 'withdrawn']);
    expect((await listYearTalks(h.db.db, w.orgId, 2026)).map((t) => t.id)).toEqual([1]);
    await h.emu.waitFor(() => cardText(h.emu.requireMessage(form.messageId).content).includes('已撤销'), {
      what: 'the withdrawn talk card',
    });

    // Export: admins only, privately, no notes, withdrawn talks left out.
    expect(messageText(await say(h, w.g, w.zhao, '/谈话 导出'))).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    const sent = h.emu.botMessages(w.p2p(w.s)).length;
    expect(messageText(await say(h, w.g, w.s, '/谈话 导出 2026'))).toBe(
      '已导出 2026 年 1 条谈话记录，文件《谈心谈话记录-第一党支部-2026.xlsx》已私信发送给您。',
    );
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.p2p(w.s))
          .slice(sent)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    expect(h.emu.botMessages(w.g).some((m) => m.msgType === 'file')).toBe(false);
    const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const row = (n: number) => Array.from({ length: 7 }, (_x, i) => ws.getRow(n).getCell(i + 1).value);
    expect(row(2)).toEqual(['序号', '日期', '类型', '谈话人', '谈话对象', '地点', '确认情况']);
    const first = row(3);
    expect(first.slice(2)).toEqual([
      '谈心谈话',
      '李书记',
      '赵党员、钱党员',
      '党建活动室',
      '待确认（0/2）：赵党员未确认、钱党员未确认',
    ]);
    expect(ws.getRow(4).getCell(1).value).toBeNull();
    const everything: string[] = [];
    ws.eachRow((r) => r.eachCell((c) => everything.push(String(c.value))));
    expect(everything.join('|')).not.toContain(NOTES);
  });
});
