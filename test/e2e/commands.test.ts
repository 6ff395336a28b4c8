/**
 * The foundation's commands through the real router, over the long connection:
 * /help (aliases, p2p, usage lines), /bind (owner, non-owner refused, BOT_ADMINS, re-binding needs
 * an admin, members synced), /role (admins only, the needed role named, nothing changed on refusal,
 * Chinese role names, bad input answered with usage, the last secretary kept), /me, unknown
 * commands with a suggestion, chatter ignored, an event delivered three times answered once,
 * the welcome card and member sync on chat events, and the audit row of every command and click.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findMember, listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByChat, findOrgByName } from '../../src/db/repositories/orgs.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { settled } from '../helpers/converse.ts';

describe('foundation commands', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  /** Sends a command and returns the bot's next message in that chat. */
  async function ask(chatId: string, from: string, text: string, o: { mentionBot?: boolean } = {}) {
    const before = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from, text, mentionBot: o.mentionBot ?? true });
    const m = await h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what: `answer to ${text}` });
    return { msg: m, text: messageText(m) };
  }

  /** How many messages the bot sent into a chat since it had `before`, once it has nothing left to do. */
  async function quiet(chatId: string, before: number) {
    await settled(h);
    return h.emu.botMessages(chatId).length - before;
  }

  it('/help lists the commands this person may run here, with usage lines, under every alias', async () => {
    h = await startBot();
    const { chat, secretary, members } = await seedBranch(h);
    const admin = await ask(chat.chatId, secretary.openId, '/帮助');
    expect(admin.msg.msgType).toBe('interactive');
    expect(admin.text).toContain('/角色');
    expect(admin.text).toContain('/角色 @张三 纪检委员');
    const member = await ask(chat.chatId, (members[2] as { openId: string }).openId, '/help');
    expect(member.text).toContain('/我的');
    expect(member.text).not.toContain('/角色 @张三'); // members may not set roles, so it is not offered
    const fullWidth = await ask(chat.chatId, secretary.openId, '／帮助');
    expect(fullWidth.text).toContain('可用命令');
    // In a private chat no @mention is needed.
    const p2p = h.emu.p2pChat(secretary.openId);
    const inP2p = await ask(p2p.chatId, secretary.openId, '帮助', { mentionBot: false });
    expect(inP2p.text).toContain('可用命令');
  });

  it('/bind: the owner binds and becomes secretary, members are synced, and the audit has it', async () => {
    h = await startBot();
    const { chat, secretary, members } = await seedBranch(h);
    const org = await findOrgByChat(h.db.db, chat.chatId);
    expect(org?.name).toBe('第一党支部');
    const people = await listMembers(h.db.db, org?.id ?? 0);
    expect(people.map((p) => [p.name, p.role]).sort()).toEqual(
      [['李书记', 'secretary'], ...members.map((m) => [m.name, 'member'])].sort(),
    );
    const bindReply = messageText(h.emu.botMessages(chat.chatId)[0] as { msgType: string; content: string });
    expect(bindReply).toContain(`<at id=${secretary.openId}></at>`);
    const audit = await listAudit(h.db.db, { action: 'org:bind' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.after ?? '{}')).toMatchObject({ org: '第一党支部', created: true });
  });

  it('/bind is refused for a non-owner, allowed for BOT_ADMINS, and re-binding needs an org admin', async () => {
    const itAdmin = 'ou_itadmin000000000000001';
    h = await startBot({ botAdmins: [itAdmin] });
    const owner = h.emu.addUser('群主');
    const member = h.emu.addUser('普通成员');
    const it = h.emu.addUser('信息中心', { openId: itAdmin });
    const chat = h.emu.createGroup({ name: '机关党委', owner: owner.openId, members: [member.openId, it.openId] });

    const refused = await ask(chat.chatId, member.openId, '/绑定 机关党委');
    expect(refused.text).toContain('只有群主或系统管理员');
    expect(await findOrgByName(h.db.db, '机关党委')).toBeUndefined();

    const ok = await ask(chat.chatId, it.openId, '/绑定 机关党委');
    expect(ok.text).toContain('已绑定');
    const org = await findOrgByName(h.db.db, '机关党委');
    expect((await findMember(h.db.db, org?.id ?? 0, owner.openId))?.role).toBe('secretary');

    const rebindByMember = await ask(chat.chatId, member.openId, '/绑定 别的组织');
    expect(rebindByMember.text).toContain('重新绑定需要该组织的书记、副书记、纪检委员或组织委员权限');
    expect((await findOrgByChat(h.db.db, chat.chatId))?.name).toBe('机关党委');

    const same = await ask(chat.chatId, owner.openId, '/绑定 机关党委');
    expect(same.text).toContain('无需重复绑定');
    const rebind = await ask(chat.chatId, owner.openId, '/绑定 “机关 第二党委”');
    expect(rebind.text).toContain('机关 第二党委');
    expect((await findOrgByChat(h.db.db, chat.chatId))?.name).toBe('机关 第二党委');
  });

  it('/role: a member is refused with the role named and nothing changes; an admin sets roles', async () => {
    h = await startBot();
    const { chat, secretary, members } = await seedBranch(h);
    const a = members[0] as { openId: string };
    const b = members[1] as { openId: string };
    const org = await findOrgByChat(h.db.db, chat.chatId);
    const refused = await ask(chat.chatId, b.openId, `/角色 @{${a.openId}} 书记`);
    expect(refused.text).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    expect((await findMember(h.db.db, org?.id ?? 0, a.openId))?.role).toBe('member');

    const ok = await ask(chat.chatId, secretary.openId, `/角色 @{${a.openId}} 纪检委员`);
    expect(ok.text).toContain('纪检委员');
    expect(ok.text).toContain(`<at user_id="${a.openId}">`);
    expect((await findMember(h.db.db, org?.id ?? 0, a.openId))?.role).toBe('inspector');
    // Now an admin, the inspector may set roles too, in English.
    await ask(chat.chatId, a.openId, `/role @{${b.openId}} organizer`);
    expect((await findMember(h.db.db, org?.id ?? 0, b.openId))?.role).toBe('organizer');

    const badRole = await ask(chat.chatId, secretary.openId, `/角色 @{${b.openId}} 司令`);
    expect(badRole.text).toContain('不认识的角色“司令”');
    expect(badRole.text).toContain('用法：/角色 @张三 纪检委员');
    const noMention = await ask(chat.chatId, secretary.openId, '/角色 张三 书记');
    expect(noMention.text).toContain('请 @ 要设置的成员');
    const lastSecretary = await ask(chat.chatId, secretary.openId, `/角色 @{${secretary.openId}} 党员`);
    expect(lastSecretary.text).toContain('组织至少需要一位书记');
    expect((await findMember(h.db.db, org?.id ?? 0, secretary.openId))?.role).toBe('secretary');

    const audit = await listAudit(h.db.db, { action: 'command:role' });
    expect(audit.map((r) => r.result)).toEqual([
      'refused:forbidden',
      'ok',
      'ok',
      'refused:bad_args',
      'refused:bad_args',
      'refused:conflict',
    ]);
    const changes = await listAudit(h.db.db, { action: 'member:role' });
    expect(changes.map((r) => [JSON.parse(r.before ?? '{}').role, JSON.parse(r.after ?? '{}').role])).toEqual([
      ['member', 'inspector'],
      ['member', 'organizer'],
    ]);
  });

  it('/me shows orgs and roles; unknown commands get a suggestion; chatter is ignored', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    const me = await ask(chat.chatId, secretary.openId, '/我的');
    expect(me.text).toContain('第一党支部');
    expect(me.text).toContain('书记');
    const typo = await ask(chat.chatId, secretary.openId, '/帮主');
    expect(typo.text).toBe('没有 /帮主 这个命令。您是不是要找 /帮助？发送 /帮助 查看可用命令。');
    const unknown = await ask(chat.chatId, secretary.openId, '/zzzzzz');
    expect(unknown.text).toBe('没有 /zzzzzz 这个命令。发送 /帮助 查看可用命令。');
    // Said to the bot, a greeting is answered (natural.test.ts); chatter not said to it is not heard.
    const beforeChatter = h.emu.botMessages(chat.chatId).length;
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '大家下午好', mentionBot: false });
    expect(await quiet(chat.chatId, beforeChatter)).toBe(0);
    const p2p = h.emu.p2pChat(secretary.openId);
    const hello = await ask(p2p.chatId, secretary.openId, '你好', { mentionBot: false });
    expect(hello.text).toContain('发送 /帮助');
  });

  it('answers an event delivered three times exactly once', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    h.emu.duplicateNextEvents = 2;
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
    expect(h.emu.deliveries.at(-1)?.attempts).toBe(3);
    await settled(h);
    expect(h.emu.botMessages(chat.chatId).filter((m) => messageText(m).includes('可用命令'))).toHaveLength(1);
    // The ack does not wait for the work: a redelivery during it is shown to the router once it is done.
    const handled = () => h.logs.records().filter((r) => r.event === 'message' && r.command === 'help');
    await h.emu.waitFor(() => handled().length >= 3, { what: 'the redeliveries seen by the router' });
    expect(
      handled()
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['duplicate', 'duplicate', 'ok']);
  });

  it('posts a welcome card when added to a group, once, and enrols people who join a bound group', async () => {
    h = await startBot();
    const owner = h.emu.addUser('群主');
    const chat = h.emu.createGroup({ name: '新群', owner: owner.openId, members: [], withBot: false });
    h.emu.duplicateNextEvents = 1;
    await h.emu.addBotToChat(chat.chatId, owner.openId);
    const welcome = await h.emu.waitFor(() => h.emu.botMessages(chat.chatId)[0]);
    expect(messageText(welcome)).toContain('/绑定');
    await settled(h);
    expect(h.emu.botMessages(chat.chatId)).toHaveLength(1);

    await ask(chat.chatId, owner.openId, '/绑定 新支部');
    const newcomer = h.emu.addUser('新同志');
    await h.emu.addUsersToChat(chat.chatId, [newcomer.openId]);
    const org = await findOrgByChat(h.db.db, chat.chatId);
    const m = await h.emu.waitFor(() => findMember(h.db.db, org?.id ?? 0, newcomer.openId));
    expect(m.role).toBe('member');
    expect((await listAudit(h.db.db, { action: 'member:join' })).map((r) => r.subject)).toEqual([newcomer.openId]);
  });

  it('audits card actions, refusals included', async () => {
    h = await startBot();
    const { chat, members } = await seedBranch(h);
    const member = members[0] as { openId: string };
    const help = await ask(chat.chatId, member.openId, '/帮助');
    const clicked = await h.emu.click({
      messageId: help.msg.messageId,
      from: member.openId,
      value: button(h.emu.requireMessage(help.msg.messageId), '我的').value,
    });
    // In the group, 我的 goes to the member privately.
    expect(clicked.toast?.type).toBe('info');
    // Forged values (no such button on the card): the bot refuses them itself, and audits the refusal.
    const stale = await h.emu.click({
      messageId: help.msg.messageId,
      from: member.openId,
      value: { a: 'help.run', cmd: 'rm -rf' },
      bypassClient: true,
    });
    expect(stale.toast).toEqual({ type: 'error', content: '卡片数据无法识别，请重新发送命令。' });
    const unknown = await h.emu.click({
      messageId: help.msg.messageId,
      from: member.openId,
      value: { a: 'nope.x' },
      bypassClient: true,
    });
    expect(unknown.toast?.content).toContain('已失效');
    const audit = await listAudit(h.db.db, { action: 'action:help.run' });
    expect(audit.map((a) => a.result)).toEqual(['ok', 'refused:bad_args']);
    expect(audit[0]).toMatchObject({ actor: member.openId, chat_id: chat.chatId, result: 'ok' });
  });
});
