/**
 * Access follows the organisation (issue 11, findings 6 and 7):
 * - a 纪检委员 removed from the group (Feishu's member-deleted event) can no longer export the ledger,
 *   list it or approve 销号 from the private chat: each answer says why, nothing changes; the
 *   secretary is told; joining again makes them a 党员, not a 纪检委员;
 * - someone whose deletion event never arrived loses the membership at the next reconciliation
 *   (member-reconcile, which reads every page of the chat's members, and revokes nobody while the
 *   list cannot be read), and the secretary is told of their open items, which stay as they were;
 * - only the chat's owner (or BOT_ADMINS) binds a group: another org's 书记 cannot pull a group they
 *   do not own into their org;
 * - a 组织委员 can neither make themself 书记 nor demote the 书记; the 书记 grants 副书记.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findMember, findMemberRecord } from '../../src/db/repositories/members.ts';
import { findOrgByChat, findOrgByName } from '../../src/db/repositories/orgs.ts';
import { findRectification } from '../../src/features/rectification/repository.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { drained } from '../helpers/converse.ts';
import { cardTitle, domainSnapshot, say } from '../helpers/security-world.ts';

const LEFT = (org: string) =>
  `您已不在「${org}」的群聊中，在该组织的成员身份和权限已随之结束。如需恢复，请联系书记把您拉回群聊。`;

describe('membership follows the group', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const lastCard = (chatId: string, text: string) =>
    h.emu.waitFor(
      () =>
        [...h.emu.botMessages(chatId)].reverse().find((m) => m.msgType === 'interactive' && m.content.includes(text)),
      { what: `card with ${text}` },
    );

  async function setup(o: { botAdmins?: string[] } = {}) {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z'), ...o });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, zhao, qian] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    expect((await say(h, g, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`)).texts.join('')).toContain(
      '纪检委员',
    );
    expect((await say(h, g, w.secretary, `/角色 @{${organizer.openId}} 组织委员`)).texts.join('')).toContain(
      '组织委员',
    );
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    return { ...w, g, orgId, inspector, organizer, zhao, qian };
  }

  /** An item owned by `owner`, created through the form and sent for 销号: it waits for review. */
  async function itemInReview(w: Awaited<ReturnType<typeof setup>>, owner: EmuUser) {
    const form = (await say(h, w.g, w.secretary, '/整改 新建')).replies[0];
    if (!form) throw new Error('no form');
    const created = await h.emu.click({
      messageId: form.messageId,
      from: w.secretary.openId,
      value: button(form, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '党费收缴台账不全',
        measures: '逐月核对',
        owner: owner.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '组织建设',
      },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    const card = await lastCard(p2p(owner), `整改事项 #${id}`);
    await h.emu.click({
      messageId: card.messageId,
      from: owner.openId,
      value: button(h.emu.requireMessage(card.messageId), '申请销号').value,
    });
    const submitted = await h.emu.click({
      messageId: card.messageId,
      from: owner.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/evidence', note: '已补齐' },
    });
    expect(submitted.toast?.content).toBe('已提交销号申请，等待审核');
    await drained(h);
    return id;
  }

  it('a removed 纪检委员 can no longer export, list or approve 销号 privately; the secretary is told; re-joining gives 党员', async () => {
    const w = await setup();
    const id = await itemInReview(w, w.zhao);
    const review = await lastCard(p2p(w.inspector), '销号审核');
    // Before: the inspector may list the ledger privately.
    const listed = await say(h, p2p(w.inspector), w.inspector, '/整改 列表');
    expect(listed.replies[0]?.msgType).toBe('interactive');

    await h.emu.removeUsersFromChat(w.g, [w.inspector.openId], { operator: w.secretary.openId });
    await h.emu.waitFor(async () => (await findMember(h.db.db, w.orgId, w.inspector.openId)) === undefined, {
      what: 'membership ended',
    });
    await drained(h);
    const record = await findMemberRecord(h.db.db, w.orgId, w.inspector.openId);
    expect(record?.left_at).toBeTruthy();
    expect(record?.role).toBe('inspector'); // kept for history; it grants nothing
    const leave = await listAudit(h.db.db, { action: 'member:leave' });
    expect(leave.map((a) => [a.subject, a.actor])).toEqual([[w.inspector.openId, w.secretary.openId]]);
    expect(JSON.parse(leave[0]?.before ?? '{}')).toMatchObject({ role: 'inspector' });
    // The secretary hears of it privately.
    const told = await lastCard(p2p(w.secretary), '成员已离开组织');
    expect(told.content).toContain('王纪检');

    const before = await domainSnapshot(h.db.db, w.orgId);
    for (const text of ['/整改 导出', '/整改 列表']) {
      const r = await say(h, p2p(w.inspector), w.inspector, text);
      expect(r.texts, text).toEqual([LEFT('第一党支部')]);
    }
    const approve = await h.emu.click({
      messageId: review.messageId,
      from: w.inspector.openId,
      value: button(review, '通过销号').value,
    });
    expect(approve.toast).toEqual({ type: 'error', content: LEFT('第一党支部') });
    await drained(h);
    expect((await findRectification(h.db.db, id))?.status).toBe('review');
    expect(await domainSnapshot(h.db.db, w.orgId)).toEqual(before);
    expect(h.emu.store.files.size).toBe(0); // no ledger left the bot
    const refusals = (await listAudit(h.db.db)).filter(
      (a) => a.actor === w.inspector.openId && a.result === 'refused:forbidden',
    );
    expect(refusals.map((a) => a.action)).toEqual([
      'command:rectify.export',
      'command:rectify.list',
      'action:rectify.approve',
    ]);

    // Back in the group: a 党员 again, not a 纪检委员.
    await h.emu.addUsersToChat(w.g, [w.inspector.openId]);
    const back = await h.emu.waitFor(() => findMember(h.db.db, w.orgId, w.inspector.openId), { what: 'rejoined' });
    expect(back.role).toBe('member');
    const exportAgain = await say(h, p2p(w.inspector), w.inspector, '/整改 导出');
    expect(exportAgain.texts).toEqual(['需要书记、副书记、纪检委员、组织委员或观察员权限。']);
  });

  it('reconciliation revokes someone whose deletion event was missed, and tells the secretary of their open items', async () => {
    const w = await setup();
    const id = await itemInReview(w, w.zhao);
    // More people than one page of the member list (100), so the job must read every page.
    const crowd = Array.from({ length: 120 }, (_, i) => h.emu.addUser(`群成员${i + 1}`));
    await h.emu.addUsersToChat(
      w.g,
      crowd.map((u) => u.openId),
    );
    await h.emu.waitFor(async () => (await findMember(h.db.db, w.orgId, crowd[119]?.openId ?? '')) !== undefined, {
      what: 'crowd joined',
    });
    await h.emu.removeUsersFromChat(w.g, [w.zhao.openId], { missed: true });
    expect(await findMember(h.db.db, w.orgId, w.zhao.openId)).toBeDefined(); // the bot never heard

    // While the member list cannot be read, nobody is revoked on partial knowledge.
    h.emu.failNext({ path: '/members', times: Number.POSITIVE_INFINITY, status: 500, code: 1500, msg: 'internal' });
    const blind = await h.app.runJob('member-reconcile', new Date('2026-12-01T02:23:00Z'));
    h.emu.clearFaults();
    expect(blind).toMatchObject({ due: 0, failed: 0 });
    expect(await findMember(h.db.db, w.orgId, w.zhao.openId)).toBeDefined();

    const r = await h.app.runJob('member-reconcile', new Date('2026-12-01T03:23:00Z'));
    expect(r).toMatchObject({ due: 1, posted: 1, failed: 0 });
    await drained(h);
    expect(await findMember(h.db.db, w.orgId, w.zhao.openId)).toBeUndefined();
    // Everyone still in the group (the last page included) stays.
    expect(await findMember(h.db.db, w.orgId, crowd[119]?.openId ?? '')).toBeDefined();
    expect(await findMember(h.db.db, w.orgId, w.inspector.openId)).toBeDefined();
    const leave = await listAudit(h.db.db, { action: 'member:leave' });
    expect(leave.map((a) => [a.subject, a.actor])).toEqual([[w.zhao.openId, 'system']]);
    expect(JSON.parse(leave[0]?.after ?? '{}')).toMatchObject({ via: 'reconcile', openRectifications: [id] });
    // The item stays as it was; the secretary is told of it.
    expect((await findRectification(h.db.db, id))?.status).toBe('review');
    const told = await lastCard(p2p(w.secretary), '成员已离开组织');
    expect(cardTitle(told)).toBe('成员已离开组织');
    expect(told.content).toContain('赵党员');
    expect(told.content).toContain(`整改 #${id}`);
    expect(told.content).toContain('党费收缴台账不全');
    // The member is told why when they try.
    const tried = await say(h, p2p(w.zhao), w.zhao, '/整改 列表');
    expect(tried.texts).toEqual([LEFT('第一党支部')]);

    // Running again changes nothing and tells nobody twice.
    const again = await h.app.runJob('member-reconcile', new Date('2026-12-01T04:23:00Z'));
    expect(again).toMatchObject({ due: 0, posted: 0 });
    expect(h.emu.botMessages(p2p(w.secretary)).filter((m) => cardTitle(m) === '成员已离开组织')).toHaveLength(1);
  });

  it('another org’s 书记 cannot bind a group they do not own; the owner and BOT_ADMINS can', async () => {
    const itAdmin = 'ou_itadmin000000000000009';
    const w = await setup({ botAdmins: [itAdmin] });
    const it = h.emu.addUser('信息中心', { openId: itAdmin });
    const owner = h.emu.addUser('乙群主');
    const outsider = h.emu.addUser('乙群成员');
    const other = h.emu.createGroup({
      name: '别人的群',
      owner: owner.openId,
      members: [w.secretary.openId, outsider.openId, it.openId],
    });
    const refused = await say(h, other.chatId, w.secretary, '/绑定 第一党支部');
    expect(refused.texts).toEqual(['只有群主或系统管理员可以绑定群聊。']);
    expect(await findOrgByChat(h.db.db, other.chatId)).toBeUndefined();
    expect(await findMember(h.db.db, w.orgId, outsider.openId)).toBeUndefined();
    // The owner of that group is no admin of 第一党支部: binding into it is refused too.
    const ownerTry = await say(h, other.chatId, owner, '/绑定 第一党支部');
    expect(ownerTry.texts.join('')).toContain('组织「第一党支部」已存在');
    expect(await findOrgByChat(h.db.db, other.chatId)).toBeUndefined();
    // Re-binding the org's own group by a member who is not its owner: refused.
    const rebind = await say(h, w.g, w.organizer, '/绑定 别的组织');
    expect(rebind.texts).toEqual(['只有群主或系统管理员可以绑定群聊。']);
    expect((await findOrgByChat(h.db.db, w.g))?.name).toBe('第一党支部');
    expect(await findOrgByName(h.db.db, '别的组织')).toBeUndefined();
    // BOT_ADMINS may.
    const byAdmin = await say(h, other.chatId, it, '/绑定 第一党支部');
    expect(byAdmin.texts.join('')).toContain('已绑定');
    expect(await findMember(h.db.db, w.orgId, outsider.openId)).toBeDefined();
    // BOT_ADMINS also appoint (e.g. a 书记 when the org has none left), though only a 党员 here.
    const appoint = await say(h, other.chatId, it, `/角色 @{${outsider.openId}} 副书记`);
    expect(appoint.texts.join('')).toContain('角色设为副书记');
    expect((await findMember(h.db.db, w.orgId, outsider.openId))?.role).toBe('deputy');
  });

  it('a 组织委员 cannot make themself 书记 nor demote the 书记; the 书记 grants 副书记; nobody raises their own role', async () => {
    const w = await setup();
    const role = async (u: EmuUser, text: string) => (await say(h, w.g, u, text)).texts.join('');
    const roleOf = async (u: EmuUser) => (await findMember(h.db.db, w.orgId, u.openId))?.role;
    const before = await domainSnapshot(h.db.db, w.orgId);
    const LEADERS = '只有书记或系统管理员可以任免书记、副书记。';
    expect(await role(w.organizer, `/角色 @{${w.organizer.openId}} 书记`)).toBe(LEADERS);
    expect(await role(w.organizer, `/角色 @{${w.secretary.openId}} 党员`)).toBe(LEADERS);
    expect(await role(w.organizer, `/角色 @{${w.zhao.openId}} 副书记`)).toBe(LEADERS);
    expect(await role(w.organizer, `/角色 @{${w.organizer.openId}} 纪检委员`)).toBe(
      '不能提升自己的角色（也不能改为同级角色）。请由书记设置。',
    );
    expect(await domainSnapshot(h.db.db, w.orgId)).toEqual(before);
    expect(await roleOf(w.secretary)).toBe('secretary');
    expect(await roleOf(w.organizer)).toBe('organizer');

    // The 书记 grants 副书记; the 副书记 cannot remove the 书记 either, nor make themself 书记.
    expect(await role(w.secretary, `/角色 @{${w.qian.openId}} 副书记`)).toContain('角色设为副书记');
    expect(await roleOf(w.qian)).toBe('deputy');
    expect(await role(w.qian, `/角色 @{${w.qian.openId}} 书记`)).toBe(LEADERS);
    expect(await role(w.qian, `/角色 @{${w.secretary.openId}} 纪检委员`)).toBe(LEADERS);
    // Stepping down is allowed; someone outside the group gets no role.
    expect(await role(w.organizer, `/角色 @{${w.organizer.openId}} 党员`)).toContain('角色设为党员');
    const stranger = h.emu.addUser('群外人员');
    expect(await role(w.secretary, `/角色 @{${stranger.openId}} 纪检委员`)).toContain('不在组织的群聊中');
    expect(await findMember(h.db.db, w.orgId, stranger.openId)).toBeUndefined();
  });
});
