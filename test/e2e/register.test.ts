/**
 * The members register over the emulator (issue 15 item 1):
 * - `/党员 @某人 …` edits one entry (预备党员, 正式党员 with its 转正 date, 支委 post, 党小组 and 组长, 入党,
 *   职务, 不计应到 / 计入应到), each audited with the entry before and after; an entry that cannot stand
 *   (a 预备党员 on the 支委, 转正 before 入党, a post someone else holds) and bad input change nothing and
 *   answer the reason (with the usage for bad input); a plain member is refused;
 * - `/党员` asked in the group comes privately (the register holds dates and posts), 预备党员 shown as such;
 * - `/角色 @某人 预备党员` sets the category in the register and leaves the role as it was;
 * - a roster .xlsx sent privately: preview (names not in the org, or borne by two members, listed with
 *   the reason), 确认导入 writes every row; a member changed after the preview stops the import whole.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findMember } from '../../src/db/repositories/members.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import { answerTo, postedCard, say, settled } from '../helpers/converse.ts';

const ADMIN_REFUSAL = '需要书记、副书记、纪检委员或组织委员权限。';

describe('the members register', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙预备'] });
    const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    /** The answer; asked in the group and sent privately, the private answer (the group's note is checked apart). */
    const text = async (from: EmuUser, line: string, chat = g) => {
      const before = h.emu.botMessages(p2p(from)).length;
      const reply = messageText(await say(h, chat, from, line));
      if (chat !== g || !reply.includes('已私信发送')) return reply;
      // The answer, not the 任前廉政谈话 prompt a new 支委 post sends the 书记 in the same transaction.
      const sent = await h.emu.waitFor(
        () =>
          h.emu
            .botMessages(p2p(from))
            .slice(before)
            .find((m) => !messageText(m).includes('任前廉政谈话')),
        { what: 'the private answer' },
      );
      return messageText(sent);
    };
    const entry = async (u: EmuUser) => {
      const m = await findMember(h.db.db, orgId, u.openId);
      return {
        category: m?.category,
        committee_post: m?.committee_post,
        party_group: m?.party_group,
        group_leader: m?.group_leader,
        joined_on: m?.joined_on,
        confirmed_on: m?.confirmed_on,
        post: m?.post,
        quorum_exempt: m?.quorum_exempt,
        role: m?.role,
      };
    };
    return { ...w, g, orgId, inspector, organizer, zhao, qian, sun, text, entry, p2p };
  }

  const at = (u: EmuUser) => `@{${u.openId}}`;

  it('edits one entry at a time, audited, and refuses what cannot stand, bad input and plain members', async () => {
    const w = await setup();
    const { secretary: s, zhao, qian, organizer } = w;

    expect(await w.text(s, `/党员 ${at(zhao)} 预备党员`)).toContain('已更新 ');
    expect(await w.entry(zhao)).toMatchObject({ category: 'probationary', role: 'member' });
    const audit = await listAudit(h.db.db, { action: 'member:register' });
    expect(audit.map((a) => a.subject)).toEqual([zhao.openId]);
    expect(JSON.parse(audit[0]?.before ?? '{}')).toMatchObject({ category: 'full' });
    expect(JSON.parse(audit[0]?.after ?? '{}')).toMatchObject({ category: 'probationary' });

    // A 预备党员 has no vote: no 支委 post.
    expect(await w.text(s, `/党员 ${at(zhao)} 支委 组织委员`)).toContain(
      '预备党员没有表决权、选举权和被选举权，不能担任支委',
    );
    expect((await w.entry(zhao)).committee_post).toBeNull();

    expect(await w.text(s, `/党员 ${at(organizer)} 支委 组织委员`)).toContain('支委：组织委员');
    expect(await w.text(s, `/党员 ${at(qian)} 支委 组织委员`)).toContain('组织委员已由张组织担任');
    expect((await w.entry(qian)).committee_post).toBeNull();

    // 入党, then 转正: not before 入党, then on a real date.
    expect(await w.text(s, `/党员 ${at(zhao)} 入党 2025年11月30日`)).toContain('入党：2025-11-30');
    expect(await w.text(s, `/党员 ${at(zhao)} 正式党员 转正 2025-11-29`)).toContain(
      '转正日期 2025-11-29 早于入党日期 2025-11-30',
    );
    expect((await w.entry(zhao)).category).toBe('probationary');
    expect(await w.text(s, `/党员 ${at(zhao)} 正式党员 转正 2026-11-30`)).toContain('正式党员（2026-11-30 转正）');

    // Bad input: the reason and the usage; nothing changes.
    const before = await w.entry(qian);
    const bad = await w.text(s, `/党员 ${at(qian)} 入党 2026-13-45`);
    expect(bad).toContain('“2026-13-45”不是有效日期');
    expect(bad).toContain('用法：/党员 @张三 入党 2020-07-01');
    expect(await w.text(s, `/党员 ${at(qian)} 生日 1990-01-01`)).toContain('不认识的名册项“生日”');
    expect(await w.entry(qian)).toEqual(before);

    // Any admin edits (a 纪检委员 here).
    expect(await w.text(s, `/角色 ${at(w.inspector)} 纪检委员`)).toContain('角色设为纪检委员');
    expect(await w.text(w.inspector, `/党员 ${at(qian)} 党小组 第一党小组 组长`)).toContain(
      '党小组：第一党小组（组长）',
    );
    expect(await w.text(s, `/名册 ${at(qian)} 职务 办公室主任`)).toContain('职务：办公室主任');
    // In the group an edit's answer and an entry go to the admin privately: the group hears no date,
    // post or reason.
    const groupBefore = h.emu.botMessages(w.g).length;
    expect(await w.text(s, `/党员 ${at(qian)} 不计应到 长期病假`)).toContain('不计应到：长期病假');
    const entryShown = await w.text(s, `/党员 ${at(qian)}`);
    expect(entryShown).toContain('钱党员：');
    expect(entryShown).toContain('职务：办公室主任');
    expect(h.emu.botMessages(w.g).slice(groupBefore).map(messageText)).toEqual([
      '已更新 钱党员 的名册，详情已私信发送，请在与清风的单聊中查看。',
      '钱党员的名册信息已私信发送，请在与清风的单聊中查看。',
    ]);
    // Asked privately, the answer itself.
    expect(await w.text(s, `/党员 ${at(qian)}`, w.p2p(s))).toContain('不计应到：长期病假');
    expect(await w.entry(qian)).toMatchObject({
      party_group: '第一党小组',
      group_leader: 1,
      post: '办公室主任',
      quorum_exempt: '长期病假',
    });
    expect(await w.text(s, `/党员 ${at(qian)} 计入应到`)).toContain('已更新');
    expect((await w.entry(qian)).quorum_exempt).toBeNull();
    expect(await w.text(s, `/党员 ${at(qian)} 计入应到`)).toContain('无需更改');

    // A plain member may neither edit nor see the register.
    const count = (await listAudit(h.db.db, { action: 'member:register' })).length;
    expect(await w.text(zhao, `/党员 ${at(qian)} 预备党员`)).toBe(ADMIN_REFUSAL);
    expect(await w.text(zhao, '/党员')).toBe(ADMIN_REFUSAL);
    expect((await w.entry(qian)).category).toBe('full');
    expect(await listAudit(h.db.db, { action: 'member:register' })).toHaveLength(count);
  });

  it('shows the register privately, 预备党员 as such; /角色 @某人 预备党员 sets the category, not the role', async () => {
    const w = await setup();
    const { secretary: s, sun } = w;

    const answer = await w.text(s, `/角色 ${at(sun)} 预备党员`);
    expect(answer).toContain('登记为预备党员');
    expect(answer).toContain('角色是权限，仍为党员');
    expect(await w.entry(sun)).toMatchObject({ category: 'probationary', role: 'member' });
    expect(await w.text(s, `/角色 ${at(sun)} 预备党员`)).toContain('已是预备党员，无需更改');
    // The role command still sets roles.
    expect(await w.text(s, `/角色 ${at(w.inspector)} 纪检委员`)).toContain('角色设为纪检委员');
    expect(await w.text(s, `/角色 ${at(sun)} 支委`)).toContain('不认识的角色“支委”');

    const before = h.emu.botMessages(w.p2p(s)).length;
    expect(messageText(await say(h, w.g, s, '/党员'))).toBe('党员名册已私信发送，请在与清风的单聊中查看。');
    const card = await postedCard(h, w.p2p(s), '党员名册 · 第一党支部', before);
    const shown = cardText(JSON.parse(card.content));
    expect(shown).toContain('正式党员 **5** · 预备党员 **1** · 支委 **0**');
    expect(card.content).toContain('"name":"孙预备","category":"预备党员"');
    // Nothing of the register in the group.
    expect(h.emu.botMessages(w.g).some((m) => cardTitle(m)?.startsWith('党员名册'))).toBe(false);
    // In the private chat, the card is the answer.
    const direct = await say(h, w.p2p(s), s, '/党员名册');
    expect(cardTitle(direct)).toBe('党员名册 · 第一党支部');
  });

  it('a named 支委 post given to two people at once goes to one of them', async () => {
    const w = await setup();
    const { secretary: s, inspector, zhao, qian } = w;
    expect(await w.text(s, `/角色 ${at(inspector)} 纪检委员`)).toContain('角色设为纪检委员');
    // Two admins, two chats (nothing orders them): the org's register is locked before the post is
    // checked, so the second sees the first.
    const answers = await Promise.all([
      say(h, w.g, s, `/党员 ${at(zhao)} 支委 组织委员`),
      say(h, w.p2p(inspector), inspector, `/党员 ${at(qian)} 支委 组织委员`),
    ]);
    const holders = await h.db.db
      .selectFrom('members')
      .select('name')
      .where('org_id', '=', w.orgId)
      .where('committee_post', '=', 'organizer')
      .execute();
    expect(holders).toHaveLength(1);
    const holder = holders[0]?.name as string;
    const texts = answers.map(messageText);
    expect(texts.filter((t) => t.includes(`组织委员已由${holder}担任`))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('已更新 '))).toHaveLength(1);
    expect(await listAudit(h.db.db, { action: 'member:register' })).toHaveLength(1);
  });

  it('pages through a register of more than 50 members', async () => {
    const w = await setup();
    const more = Array.from({ length: 50 }, (_, i) => h.emu.addUser(`党员${String(i + 1).padStart(2, '0')}`));
    await h.emu.addUsersToChat(
      w.g,
      more.map((u) => u.openId),
      w.secretary.openId,
    );
    await h.emu.waitFor(async () => (await findMember(h.db.db, w.orgId, (more[49] as EmuUser).openId)) !== undefined, {
      what: 'fifty more members',
    });
    await settled(h);
    const first = await say(h, w.p2p(w.secretary), w.secretary, '/党员');
    expect(first.content).toContain('共 56 人，第 1/2 页');
    const next = await h.emu.click({
      messageId: first.messageId,
      from: w.secretary.openId,
      value: button(first, '下一页').value,
    });
    expect(JSON.stringify(next.card)).toContain('共 56 人，第 2/2 页');
    expect(JSON.stringify(next.card)).toContain('党员50');
    expect(JSON.stringify(next.card)).not.toContain('李书记');
    expect(cardText(await say(h, w.p2p(w.secretary), w.secretary, '/党员 2'))).toContain('第 2/2 页');
  });

  async function rosterXlsx(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('党员名册');
    ws.addRow(['第一党支部党员名册']);
    ws.addRow(['序号', '姓名', '类别', '党小组', '是否组长', '支委职务', '入党日期', '转正日期', '职务']);
    for (const r of rows) ws.addRow(r);
    return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  }

  async function sendRoster(w: Awaited<ReturnType<typeof setup>>, bytes: Buffer): Promise<EmuMessage> {
    const sent = await h.emu.sendFile({
      chatId: w.p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '党员名册.xlsx',
      bytes,
    });
    return answerTo(h, sent);
  }

  it('imports a roster: preview with the names it skips and why, 确认导入 writes it; a change after the preview stops it', async () => {
    const w = await setup();
    const namesakes = [h.emu.addUser('周同名'), h.emu.addUser('周同名')];
    await h.emu.addUsersToChat(
      w.g,
      namesakes.map((u) => u.openId),
      w.secretary.openId,
    );
    await h.emu.waitFor(
      async () => (await findMember(h.db.db, w.orgId, (namesakes[1] as EmuUser).openId)) !== undefined,
      {
        what: 'namesakes joined',
      },
    );
    await settled(h);

    const file = await rosterXlsx([
      [
        1,
        '张组织',
        '正式党员',
        '第一党小组',
        '是',
        '组织委员',
        new Date(Date.UTC(2010, 6, 1)),
        '2011年7月1日',
        '办公室主任',
      ],
      [2, '赵党员', '预备党员', '第二党小组', '否', '', '2026-06-30', '', '科员'],
      [3, '王五', '正式党员', '第一党小组', '', '', '', '', ''],
      [4, '周同名', '正式党员', '第二党小组', '', '', '', '', ''],
      [5, '钱党员', '预备党员', '', '', '纪检委员', '', '', ''],
    ]);
    const preview = await sendRoster(w, file);
    expect(cardTitle(preview)).toBe('导入预览 · 党员名册');
    const shown = cardText(JSON.parse(preview.content));
    expect(shown).toContain('**2** 行可导入（新增 0，更新 2，无变化 0）；**3** 行有错误，不会导入。');
    expect(shown).toContain('第5行：“王五”不在本组织（不在组织的群聊中），已跳过');
    expect(shown).toContain('第6行：本组织有 2 位“周同名”，无法确定是哪一位，已跳过');
    expect(shown).toContain('第7行：预备党员没有表决权、选举权和被选举权，不能担任支委');
    expect(await w.entry(w.organizer)).toMatchObject({ committee_post: null, party_group: null });

    const confirmed = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 2 行').value,
    });
    expect(confirmed.toast).toEqual({ type: 'success', content: '导入完成' });
    expect(cardText(confirmed.card)).toContain('党员名册.xlsx：已更新 2 位党员的名册，0 位无变化。');
    expect(await w.entry(w.organizer)).toMatchObject({
      category: 'full',
      committee_post: 'organizer',
      party_group: '第一党小组',
      group_leader: 1,
      joined_on: '2010-07-01',
      confirmed_on: '2011-07-01',
      post: '办公室主任',
    });
    expect(await w.entry(w.zhao)).toMatchObject({
      category: 'probationary',
      party_group: '第二党小组',
      group_leader: 0,
      joined_on: '2026-06-30',
      post: '科员',
    });
    expect((await listAudit(h.db.db, { action: 'member:register' })).map((a) => a.subject).sort()).toEqual(
      [w.organizer.openId, w.zhao.openId].sort(),
    );
    for (const u of [...namesakes, w.qian]) expect((await w.entry(u)).party_group).toBeNull();

    // The same file again changes nothing.
    const again = await sendRoster(w, file);
    expect(cardText(JSON.parse(again.content))).toContain('**0** 行可导入（新增 0，更新 0，无变化 2）');

    // Previewed, then 赵党员 changed by /党员 before 确认导入: the import stops whole.
    const next = await sendRoster(
      w,
      await rosterXlsx([
        [1, '张组织', '正式党员', '第二党小组', '', '', '', '', ''],
        [2, '赵党员', '预备党员', '第一党小组', '', '', '', '', ''],
      ]),
    );
    expect(await w.text(w.secretary, `/党员 ${at(w.zhao)} 职务 副科长`)).toContain('职务：副科长');
    const stale = await h.emu.click({
      messageId: next.messageId,
      from: w.secretary.openId,
      value: button(next, '确认导入 2 行').value,
    });
    expect(stale.toast).toEqual({
      type: 'error',
      content: '预览之后，赵党员的名册已有更改，本次导入没有写入任何数据。请重新发送名册文件，按新的预览确认。',
    });
    expect((await w.entry(w.organizer)).party_group).toBe('第一党小组');
    expect(await w.entry(w.zhao)).toMatchObject({ party_group: '第二党小组', post: '副科长' });

    // A post someone else holds is refused on the preview.
    const taken = await sendRoster(w, await rosterXlsx([[1, '钱党员', '正式党员', '', '', '组织委员', '', '', '']]));
    expect(cardText(JSON.parse(taken.content))).toContain('第3行：组织委员已由张组织担任');

    // A plain member's spreadsheet is no import.
    const fromMember = await h.emu.sendFile({
      chatId: w.p2p(w.qian),
      from: w.qian.openId,
      fileName: '党员名册.xlsx',
      bytes: file,
    });
    expect(cardTitle(await answerTo(h, fromMember))).not.toBe('导入预览 · 党员名册');
  });

  it('确认导入 giving a post while /党员 gives it to someone else: one holder', async () => {
    const w = await setup();
    const { secretary: s, inspector, zhao, qian } = w;
    expect(await w.text(s, `/角色 ${at(inspector)} 纪检委员`)).toContain('角色设为纪检委员');
    const preview = await sendRoster(w, await rosterXlsx([[1, '钱党员', '正式党员', '', '', '组织委员', '', '', '']]));
    expect(cardText(JSON.parse(preview.content))).toContain('**1** 行可导入');
    // The import's confirm and a /党员 on another member, at once: the org's register is locked first
    // by each, so the later one sees the earlier holder and is refused.
    const [confirmed, answer] = await Promise.all([
      h.emu.click({ messageId: preview.messageId, from: s.openId, value: button(preview, '确认导入 1 行').value }),
      say(h, w.g, inspector, `/党员 ${at(zhao)} 支委 组织委员`),
    ]);
    const holders = await h.db.db
      .selectFrom('members')
      .select('open_id')
      .where('org_id', '=', w.orgId)
      .where('committee_post', '=', 'organizer')
      .execute();
    expect(holders).toHaveLength(1);
    if (holders[0]?.open_id === qian.openId) {
      expect(confirmed.toast).toEqual({ type: 'success', content: '导入完成' });
      expect(messageText(answer)).toContain('组织委员已由钱党员担任');
    } else {
      expect(holders[0]?.open_id).toBe(zhao.openId);
      expect(confirmed.toast?.type).toBe('error');
      expect(confirmed.toast?.content).toContain('组织委员已由赵党员担任');
      expect((await w.entry(qian)).committee_post).toBeNull();
    }
  });
});
