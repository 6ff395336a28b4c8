/**
 * The foundation commands on the fast layer (the real router and repositories, no transport; the same
 * behaviours end to end are in test/e2e/commands.test.ts): /help per role and alias, /bind by the
 * chat's owner with the members synced and audited, unknown commands and chatter, and a message
 * delivered twice answered once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { type Outgoing, type RouterHarness, startRouter } from '../helpers/router.ts';

/** The text of a reply: a text message's text, or a card as JSON text. */
const textOf = (m: Outgoing | undefined) => (m?.text !== undefined ? m.text : JSON.stringify(m?.card ?? null));

describe('foundation commands (router, no transport)', () => {
  let r: RouterHarness;
  afterEach(async () => r?.stop());

  async function branch() {
    r = await startRouter();
    const secretary = r.addUser('李书记');
    const members = ['王纪检', '张组织', '赵党员'].map((n) => r.addUser(n));
    const chat = r.createGroup({ name: '第一党支部', owner: secretary, members });
    const bound = await r.say(chat, secretary, '/绑定 第一党支部');
    return { chat, secretary, members, bound };
  }

  it('/help lists the commands this person may run here, under every alias', async () => {
    const { chat, secretary, members } = await branch();
    const admin = await r.say(chat, secretary, '/帮助');
    expect(admin.reply?.msgType).toBe('interactive');
    expect(textOf(admin.reply)).toContain('/角色 @张三 纪检委员');
    const member = await r.say(chat, members[2] as (typeof members)[number], '/help');
    expect(textOf(member.reply)).toContain('/我的');
    expect(textOf(member.reply)).not.toContain('/角色 @张三');
    expect(textOf((await r.say(chat, secretary, '／帮助')).reply)).toContain('可用命令');
    // In a private chat no @mention is needed.
    expect(textOf((await r.say(r.p2p(secretary), secretary, '帮助')).reply)).toContain('可用命令');
  });

  it('/bind: the owner binds and becomes secretary, members are synced, and the audit has it', async () => {
    const { chat, secretary, members, bound } = await branch();
    const org = await findOrgByChat(r.db.db, chat.chatId);
    expect(org?.name).toBe('第一党支部');
    const people = await listMembers(r.db.db, org?.id ?? 0);
    expect(people.map((p) => [p.name, p.role]).sort()).toEqual(
      [['李书记', 'secretary'], ...members.map((m) => [m.name, 'member'])].sort(),
    );
    expect(textOf(bound.reply)).toContain(`<at id=${secretary.openId}></at>`);
    const audit = await listAudit(r.db.db, { action: 'org:bind' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.after ?? '{}')).toMatchObject({ org: '第一党支部', created: true });
  });

  it('answers unknown commands with a suggestion and ignores chatter', async () => {
    const { chat, secretary } = await branch();
    expect(textOf((await r.say(chat, secretary, '/帮主')).reply)).toBe(
      '没有 /帮主 这个命令。您是不是要找 /帮助？发送 /帮助 查看可用命令。',
    );
    expect(textOf((await r.say(chat, secretary, '/zzzzzz')).reply)).toBe(
      '没有 /zzzzzz 这个命令。发送 /帮助 查看可用命令。',
    );
    // Said to the bot, a greeting is answered (test/e2e/natural.test.ts); chatter not said to it is not.
    expect((await r.say(chat, secretary, '大家下午好', { mention: false })).out).toEqual([]);
    expect(textOf((await r.say(chat, secretary, '大家下午好')).reply)).toContain('清风 · 您好');
    expect(textOf((await r.say(r.p2p(secretary), secretary, '你好')).reply)).toContain('发送 /帮助');
  });

  it('answers a message delivered twice once', async () => {
    const { chat, secretary } = await branch();
    const first = await r.say(chat, secretary, '/帮助');
    expect(textOf(first.reply)).toContain('可用命令');
    expect(await r.redeliver(first)).toEqual([]);
    const handled = r.logs.records().filter((x) => x.event === 'message' && x.command === 'help');
    expect(handled.map((x) => x.outcome)).toEqual(['ok', 'duplicate']);
  });
});
