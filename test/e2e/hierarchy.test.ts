/**
 * A 党委 over its 支部 (issue 15 item 3), end to end over the emulator with three group chats — a
 * 机关党委 and two 支部, each bound in its own group: the level is set by an org's admins; the 党委's
 * admin asks a 支部 to come under it and the 支部's admin agrees on the card in the 支部's group (a
 * plain member's click is refused with a toast and the shared card stays as it was; two admins pressing
 * at once act once; two 党委's requests agreed at once link one); 拒绝 and 移除 tell both groups; a
 * 支部 under a 党委 neither changes its own level nor leaves (the 党委 removes it; BOT_ADMINS may); a
 * cycle is refused, and so is a 支部 admin adding a lower org; /组织 in a 支部 names its 党委 but never
 * its sibling; /日历 shows each level its own rules, and an org without a level all of them, as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, startBot } from '../helpers/bot.ts';
import { button, buttons, cardTitle } from '../helpers/cards.ts';
import { runJobAt, settled } from '../helpers/converse.ts';
import { say, textOf } from '../helpers/security-world.ts';

const UPPER_RULES = ['全面从严治党专题会议', '理论学习中心组学习'];
const BRANCH_RULES = ['支部党员大会', '支部委员会会议', '主题党日', '组织生活会'];

describe('a 党委 over its 支部', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function group(name: string, secretary: string, members: string[]) {
    const sec = h.emu.addUser(secretary);
    const others = members.map((m) => h.emu.addUser(m));
    const chat = h.emu.createGroup({ name, owner: sec.openId, members: others.map((m) => m.openId) });
    expect((await say(h, chat.chatId, sec, `/绑定 ${name}`)).replies).toHaveLength(1);
    return { g: chat.chatId, sec, others };
  }

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-02T02:00:00Z'), botAdmins: ['ou_it_staff'] });
    const wei = await group('机关党委', '周书记', ['吴委员']);
    const one = await group('第一党支部', '李书记', ['张组织', '赵党员']);
    const two = await group('第二党支部', '王书记', ['陈组织', '钱党员']);
    for (const [w, m] of [
      [one, one.others[0]],
      [two, two.others[0]],
    ] as const) {
      const set = await say(h, w.g, w.sec, `/角色 @{${(m as EmuUser).openId}} 组织委员`);
      expect(set.texts.join('')).toContain('组织委员');
    }
    return { wei, one, two };
  }

  const org = async (name: string) => {
    const o = await findOrgByName(h.db.db, name);
    if (!o) throw new Error(`no org ${name}`);
    return o;
  };
  const lastText = (chatId: string) =>
    textOf(h.emu.botMessages(chatId).at(-1) ?? { msgType: 'text', content: '{"text":""}' });
  /** The rule names on the /日历 card's table (its notes name rules as examples whatever the level). */
  const calendarRules = async (chatId: string, from: EmuUser) => {
    const reply = (await say(h, chatId, from, '/日历')).replies[0];
    if (!reply) throw new Error('no calendar');
    const body = JSON.parse(reply.content) as { body: { elements: { tag: string; rows?: { name: string }[] }[] } };
    return (body.body.elements.find((e) => e.tag === 'table')?.rows ?? []).map((r) => r.name);
  };
  const requestCard = (chatId: string) => {
    const m = [...h.emu.botMessages(chatId)].reverse().find((x) => cardTitle(x) === '下级组织请求');
    if (!m) throw new Error('no request card');
    return m;
  };

  it('levels, a request agreed by the 支部 admin (not by a member), concurrent 同意 once, views and calendars by level', async () => {
    const { wei, one, two } = await setup();
    const [weiMember] = wei.others as [EmuUser];
    const [oneAdmin, oneMember] = one.others as [EmuUser, EmuUser];
    const [twoAdmin] = two.others as [EmuUser];

    // Levels: admins only, a bad word answered with the usage.
    expect((await say(h, wei.g, weiMember, '/组织 级别 机关党委')).texts[0]).toMatch(/^需要.+权限。$/);
    const bad = (await say(h, wei.g, wei.sec, '/组织 级别 省委')).texts.join('');
    expect(bad).toContain('级别应为党委、党组、机关党委、党总支或党支部。');
    expect(bad).toContain('/组织 级别 党委');
    expect((await org('机关党委')).level).toBeNull();
    expect((await say(h, wei.g, wei.sec, '/组织 级别 机关党委')).texts[0]).toContain(
      '已将「机关党委」的级别设为机关党委',
    );
    expect((await org('机关党委')).level).toBe('organ_committee');

    // A 支部 admin cannot take another 支部 under it; a 党委 member cannot either; an unknown org gets the how-to.
    const refused = (await say(h, one.g, one.sec, '/组织 下级 添加 第二党支部')).texts.join('');
    expect(refused).toContain('不是党委、党组、机关党委或党总支，没有下级组织');
    expect(refused).toContain('/组织 级别 党委');
    expect((await say(h, wei.g, weiMember, '/组织 下级 添加 第一党支部')).texts.join('')).toContain(
      '需要「机关党委」的书记、副书记、纪检委员或组织委员权限。',
    );
    const unknown = (await say(h, wei.g, wei.sec, '/组织 下级 添加 第三党支部')).texts.join('');
    expect(unknown).toContain('没有找到组织「第三党支部」');
    expect(unknown).toContain('/绑定 第三党支部');
    expect(await h.db.db.selectFrom('org_links').selectAll().execute()).toEqual([]);

    // The request: a card in the 支部's group.
    expect((await say(h, wei.g, wei.sec, '/组织 下级 添加 第一党支部')).texts[0]).toContain(
      '已向「第一党支部」的群聊发送请求',
    );
    await settled(h);
    const card = requestCard(one.g);
    expect(card.content).toContain('「机关党委」（机关党委）请求将本组织「第一党支部」设为其下级组织');

    // A plain member's click: a toast, the shared card unchanged, nothing linked.
    const before = h.emu.requireMessage(card.messageId).content;
    const byMember = await h.emu.click({
      messageId: card.messageId,
      from: oneMember.openId,
      value: button(card, '同意').value,
    });
    expect(byMember.toast?.type).toBe('error');
    expect(byMember.toast?.content).toMatch(/^需要.+权限。$/);
    expect(byMember.card).toBeUndefined();
    await settled(h);
    expect(h.emu.requireMessage(card.messageId).content).toBe(before);
    expect((await org('第一党支部')).parent_id).toBeNull();

    // The 支部's 组织委员 agrees: linked, level 党支部, both groups told.
    const agreed = await h.emu.click({
      messageId: card.messageId,
      from: oneAdmin.openId,
      value: button(card, '同意').value,
    });
    expect(agreed.toast).toEqual({ type: 'success', content: '已同意' });
    await settled(h);
    expect(cardTitle(h.emu.requireMessage(card.messageId))).toBe('下级组织请求：已同意');
    expect((await org('第一党支部')).parent_id).toBe((await org('机关党委')).id);
    expect((await org('第一党支部')).level).toBe('branch');
    expect(lastText(wei.g)).toBe('「第一党支部」已同意成为本组织的下级组织。');
    expect(lastText(one.g)).toBe('本组织已成为「机关党委」的下级组织。');

    // Under the 党委, the 支部's own 书记 cannot make it a 党委 (and so drop out of the 党委's view).
    expect((await say(h, one.g, one.sec, '/组织 级别 党委')).texts[0]).toBe(
      '本组织隶属「机关党委」，级别由上级组织调整：请「机关党委」的书记、副书记、纪检委员或组织委员先将本组织移除（/组织 下级 移除 第一党支部），再设置级别；或请系统管理员调整。',
    );
    expect((await org('第一党支部')).level).toBe('branch');

    // The second 支部: its 书记 and 组织委员 press 同意 at once — one link, one audit row, one message.
    await say(h, wei.g, wei.sec, '/组织 下级 添加 第二党支部');
    await settled(h);
    const card2 = requestCard(two.g);
    const weiBefore = h.emu.botMessages(wei.g).length;
    const value = button(card2, '同意').value;
    const both = await Promise.all([
      h.emu.click({ messageId: card2.messageId, from: two.sec.openId, value }),
      h.emu.click({ messageId: card2.messageId, from: twoAdmin.openId, value }),
    ]);
    await settled(h);
    expect(both.map((r) => r.toast?.type).sort()).toEqual(['success', 'warning']);
    expect(await listAudit(h.db.db, { action: 'org:link-accept' })).toHaveLength(2); // one per 支部
    expect(h.emu.botMessages(wei.g).slice(weiBefore).map(textOf)).toEqual([
      '「第二党支部」已同意成为本组织的下级组织。',
    ]);
    expect((await org('第二党支部')).parent_id).toBe((await org('机关党委')).id);

    // /组织: the 党委 sees both 支部; a 支部 sees its 党委's name and never its sibling.
    const upperView = (await say(h, wei.g, weiMember, '/组织')).replies[0]?.content ?? '';
    expect(upperView).toContain('第一党支部');
    expect(upperView).toContain('第二党支部');
    for (const [w, sibling] of [
      [one, '第二党支部'],
      [two, '第一党支部'],
    ] as const) {
      const view = (await say(h, w.g, w.others[1] as EmuUser, '/组织')).replies[0]?.content ?? '';
      expect(view).toContain('机关党委');
      expect(view).toContain('党支部');
      expect(view).not.toContain(sibling);
    }
    const list = (await say(h, wei.g, wei.sec, '/组织 下级')).replies[0]?.content ?? '';
    expect(list).toContain('第一党支部');
    expect(list).toContain('第二党支部');
    expect((await say(h, one.g, one.sec, '/组织 下级')).texts.join('')).toContain('没有下级组织');

    // /日历: each level its own rules.
    const upperCal = await calendarRules(wei.g, wei.sec);
    for (const r of UPPER_RULES) expect(upperCal).toContain(r);
    for (const r of BRANCH_RULES) expect(upperCal).not.toContain(r);
    const branchCal = await calendarRules(one.g, one.sec);
    for (const r of BRANCH_RULES) expect(branchCal).toContain(r);
    for (const r of UPPER_RULES) expect(branchCal).not.toContain(r);
    expect(upperCal).toContain('警示教育');
    expect(branchCal).toContain('警示教育');

    // The compliance check near the month's end: the 党委 is reminded of its 中心组学习, never of a
    // 支委会; the 支部 of its 支委会, never of the 中心组.
    await runJobAt(h, 'compliance-check', '2026-12-24');
    const told = (u: EmuUser) => h.emu.botMessages(h.emu.p2pChat(u.openId).chatId).map(textOf).join('\n');
    expect(told(wei.sec)).toContain('理论学习中心组学习');
    expect(told(wei.sec)).not.toContain('支部委员会会议');
    expect(told(one.sec)).toContain('支部委员会会议');
    expect(told(one.sec)).not.toContain('理论学习中心组学习');
  });

  it('拒绝, 移除 and (by BOT_ADMINS) 上级 退出 tell both groups; a 支部 under a 党委 neither sets its level nor leaves; a cycle is refused; BOT_ADMINS link directly; no level shows every rule', async () => {
    const { wei, one, two } = await setup();
    const [oneAdmin] = one.others as [EmuUser];

    // No level set: the calendar is as before, every rule.
    const plainCal = await calendarRules(two.g, two.sec);
    for (const r of [...UPPER_RULES, ...BRANCH_RULES]) expect(plainCal).toContain(r);

    await say(h, wei.g, wei.sec, '/组织 级别 党委');
    await say(h, wei.g, wei.sec, '/组织 下级 添加 第一党支部');
    await settled(h);
    const card = requestCard(one.g);
    const declined = await h.emu.click({
      messageId: card.messageId,
      from: one.sec.openId,
      value: button(card, '拒绝').value,
    });
    expect(declined.toast).toEqual({ type: 'success', content: '已拒绝' });
    await settled(h);
    expect(cardTitle(h.emu.requireMessage(card.messageId))).toBe('下级组织请求：已拒绝');
    expect(lastText(wei.g)).toBe('「第一党支部」拒绝了成为本组织下级组织的请求。');
    expect((await org('第一党支部')).parent_id).toBeNull();
    expect(buttons(h.emu.requireMessage(card.messageId))).toEqual([]); // nothing left to press

    // Asked again and agreed; then the 党委 removes it: both groups told.
    await say(h, wei.g, wei.sec, '/组织 下级 添加 第一党支部');
    await settled(h);
    const again = requestCard(one.g);
    await h.emu.click({ messageId: again.messageId, from: one.sec.openId, value: button(again, '同意').value });
    await settled(h);
    expect((await org('第一党支部')).parent_id).toBe((await org('机关党委')).id);
    expect((await say(h, wei.g, wei.sec, '/组织 下级 移除 第一党支部')).texts[0]).toBe(
      '已移除下级组织「第一党支部」。',
    );
    await settled(h);
    expect((await org('第一党支部')).parent_id).toBeNull();
    expect(lastText(one.g)).toBe('本组织已不再是「机关党委」的下级组织。');
    expect(
      h.emu
        .botMessages(wei.g)
        .map(textOf)
        .filter((t) => t === '「第一党支部」已不再是本组织的下级组织。'),
    ).toHaveLength(1);
    const statuses = await h.db.db.selectFrom('org_links').select('status').orderBy('id').execute();
    expect(statuses.map((s) => s.status)).toEqual(['declined', 'removed']);

    // BOT_ADMINS link directly, without a card.
    const staff = h.emu.addUser('运维', { openId: 'ou_it_staff' });
    await h.emu.addUsersToChat(wei.g, [staff.openId]);
    await settled(h);
    const direct = await say(h, wei.g, staff, '/组织 下级 添加 第一党支部');
    expect(direct.texts[0]).toBe('已将「第一党支部」设为「机关党委」的下级组织。');
    expect((await org('第一党支部')).parent_id).toBe((await org('机关党委')).id);

    // A 党委 with a lower org cannot become a 党支部.
    const toBranch = (await say(h, wei.g, wei.sec, '/组织 级别 党支部')).texts.join('');
    expect(toBranch).toContain('还有下级组织，党支部不能有下级组织');
    expect((await org('机关党委')).level).toBe('committee');

    // A cycle: 第一党支部 made a 党总支 (by BOT_ADMINS: under a 党委 its 书记 may not) cannot take its
    // own 党委 under it.
    await h.emu.addUsersToChat(one.g, [staff.openId]);
    await settled(h);
    expect((await say(h, one.g, one.sec, '/组织 级别 党总支')).texts[0]).toContain('级别由上级组织调整');
    expect((await org('第一党支部')).level).toBe('branch');
    expect((await say(h, one.g, staff, '/组织 级别 党总支')).texts[0]).toContain('已将「第一党支部」的级别设为党总支');
    const cycle = (await say(h, one.g, one.sec, '/组织 下级 添加 机关党委')).texts.join('');
    expect(cycle).toContain('会形成循环');
    expect((await org('机关党委')).parent_id).toBeNull();

    // Leaving is the 党委's decision: the 支部's admins are told so and nothing changes; BOT_ADMINS may.
    const leave =
      '本组织隶属「机关党委」，是否退出由上级组织决定：请「机关党委」的书记、副书记、纪检委员或组织委员在其群聊中发送 /组织 下级 移除 第一党支部。';
    expect((await say(h, one.g, one.sec, '/组织 上级 退出')).texts[0]).toBe(leave);
    expect((await say(h, one.g, oneAdmin, '/组织 上级 退出')).texts[0]).toBe(leave);
    expect((await say(h, one.g, one.others[1] as EmuUser, '/组织 上级 退出')).texts[0]).toMatch(/^需要.+权限。$/);
    expect((await org('第一党支部')).parent_id).toBe((await org('机关党委')).id);
    expect((await say(h, one.g, staff, '/组织 上级 退出')).texts[0]).toBe('本组织已退出「机关党委」。');
    await settled(h);
    expect((await org('第一党支部')).parent_id).toBeNull();
    expect(lastText(wei.g)).toBe('「第一党支部」已不再是本组织的下级组织。');

    const actions = (await listAudit(h.db.db)).map((a) => a.action).filter((a) => a.startsWith('org:'));
    expect(actions).toEqual(
      expect.arrayContaining([
        'org:level',
        'org:link-request',
        'org:link-decline',
        'org:link-accept',
        'org:unlink',
        'org:link',
      ]),
    );
  });

  it('two 党委 asking one 支部, agreed at once by two of its admins: one link, the other told nothing changed', async () => {
    const { wei, one, two } = await setup();
    const [oneAdmin] = one.others as [EmuUser];
    await say(h, wei.g, wei.sec, '/组织 级别 机关党委');
    await say(h, two.g, two.sec, '/组织 级别 党委'); // 第二党支部's group stands for a second 党委 here
    await say(h, wei.g, wei.sec, '/组织 下级 添加 第一党支部');
    await settled(h);
    const fromWei = requestCard(one.g);
    await say(h, two.g, two.sec, '/组织 下级 添加 第一党支部');
    await settled(h);
    const fromTwo = requestCard(one.g);
    expect(fromTwo.messageId).not.toBe(fromWei.messageId);
    const told = { wei: h.emu.botMessages(wei.g).length, two: h.emu.botMessages(two.g).length };

    const answers = await Promise.all([
      h.emu.click({ messageId: fromWei.messageId, from: one.sec.openId, value: button(fromWei, '同意').value }),
      h.emu.click({ messageId: fromTwo.messageId, from: oneAdmin.openId, value: button(fromTwo, '同意').value }),
    ]);
    await settled(h);
    const won = answers.findIndex((a) => a.toast?.type === 'success');
    expect(won).toBeGreaterThanOrEqual(0);
    const [winner, loser] = won === 0 ? (['机关党委', '第二党支部'] as const) : (['第二党支部', '机关党委'] as const);
    expect(answers[1 - won]?.toast).toEqual({
      type: 'error',
      content: `「第一党支部」已是「${winner}」的下级组织，本次没有更改；如需改隶，须先由「${winner}」移除。`,
    });
    expect((await org('第一党支部')).parent_id).toBe((await org(winner)).id);
    const links = await h.db.db.selectFrom('org_links').select(['parent_id', 'status']).orderBy('id').execute();
    expect(links.map((l) => l.status).sort()).toEqual(['accepted', 'pending']);
    expect(links.find((l) => l.status === 'accepted')?.parent_id).toBe((await org(winner)).id);
    expect(await listAudit(h.db.db, { action: 'org:link-accept' })).toHaveLength(1);
    // Only the winner's group hears of it; the loser's request card still waits.
    const heard = (g: string, from: number) => h.emu.botMessages(g).slice(from).map(textOf);
    expect(heard(winner === '机关党委' ? wei.g : two.g, winner === '机关党委' ? told.wei : told.two)).toEqual([
      '「第一党支部」已同意成为本组织的下级组织。',
    ]);
    expect(heard(loser === '机关党委' ? wei.g : two.g, loser === '机关党委' ? told.wei : told.two)).toEqual([]);
  });
});
