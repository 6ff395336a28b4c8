/**
 * 民主评议党员 over the emulator (issue 16 item 3):
 * - `/组织生活会 评议 开始` (an admin) sends each 正式党员 a private ballot (a 预备党员 gets none);
 * - three members vote; a second ballot (two clicks at once included) is refused; the tallies are right;
 * - no table holds a voter next to a grade: ballot_voters has no grade, ballot_tallies no voter, and the
 *   audit rows and the outbox rows written since the ballot opened hold no grade;
 * - `/组织生活会 评议 结果` is refused to a plain member and shown, privately, to a 支委;
 * - after `/组织生活会 评议 结束` a ballot is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { PIPELINE_STAGES } from '../../src/db/schema/life.ts';
import { createPipeline, type StageMap } from '../../src/features/life/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText } from '../helpers/cards.ts';
import { postedCard, say } from '../helpers/converse.ts';

const BALLOT = '2026年度民主评议党员 · 评议票';
const GRADE_WORDS = /excellent|qualified|basic|unqualified|优秀|合格/;

describe('民主评议党员', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('takes one secret ballot per 正式党员, tallies counts only and shows them to the 支委', async () => {
    h = await startBot({ clock: fixedClock('2026-12-02T02:00:00Z') });
    const w = await seedBranch(h, { members: ['赵党员', '钱委员', '孙预备'] });
    const [zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser];
    const li = w.secretary;
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const member = (u: EmuUser) =>
      h.db.db.updateTable('members').where('org_id', '=', orgId).where('open_id', '=', u.openId);
    await member(sun).set({ category: 'probationary' }).execute();
    await member(li).set({ committee_post: 'secretary' }).execute();
    await member(qian).set({ committee_post: 'member' }).execute();
    const stages = Object.fromEntries(PIPELINE_STAGES.map((s) => [s, { due: '2027-01-15', doneAt: null }])) as StageMap;
    await createPipeline(h.db.db, {
      orgId,
      year: 2026,
      kind: 'life_meeting',
      stages,
      createdBy: li.openId,
      now: '2026-12-02T02:00:00.000Z',
    });
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

    // A plain member may not open it; the admin does: three 正式党员 get a ballot, the 预备党员 none.
    expect(messageText(await say(h, g, zhao, '/组织生活会 评议 开始'))).toBe('开始和结束民主评议须由管理员操作。');
    expect(messageText(await say(h, g, li, '/组织生活会 评议 打开'))).toContain('应为 开始、结果 或 结束');
    const opened = await say(h, g, li, '/组织生活会 评议 开始');
    expect(messageText(opened)).toBe('民主评议已开始，评议票已私信发送给 3 名正式党员。评议不记名，每人提交一次。');
    const outboxAtOpen = (
      await h.db.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('id').as('m'))
        .executeTakeFirst()
    )?.m as number;
    const ballots = new Map<EmuUser, { card: EmuMessage; value: unknown }>();
    for (const u of [li, zhao, qian]) {
      const card = await postedCard(h, p2p(u), BALLOT);
      ballots.set(u, { card, value: button(card, '提交评议').value });
    }
    expect(h.emu.botMessages(p2p(sun)).some((m) => cardText(m.content).includes('评议票'))).toBe(false);

    /** A ballot pressed; `stale`: from a copy of the form shown before it was answered (another device). */
    const vote = (
      u: EmuUser,
      picks: { excellent?: string[]; basic?: string[]; unqualified?: string[] },
      stale = false,
    ) => {
      const b = ballots.get(u);
      if (!b) throw new Error(`no ballot for ${u.name}`);
      return h.emu.click({
        messageId: b.card.messageId,
        from: u.openId,
        value: b.value,
        bypassClient: stale,
        name: 'submit_ballot',
        formValue: { excellent: [], basic: [], unqualified: [], ...picks },
      });
    };
    // A bad ballot (one person under two grades) changes nothing.
    expect((await vote(li, { excellent: [zhao.openId], basic: [zhao.openId] })).toast?.content).toBe(
      '同一名党员只能选择一个等次，请重新选择。',
    );
    // 李书记 clicks twice at once: one ballot counts.
    const twice = await Promise.all([vote(li, { excellent: [zhao.openId] }), vote(li, { excellent: [zhao.openId] })]);
    expect(twice.map((r) => r.toast?.content).sort()).toEqual([
      '您已提交评议，每人只能提交一次。',
      '评议已提交，谢谢。',
    ]);
    expect((await vote(zhao, { excellent: [li.openId], basic: [sun.openId] })).toast?.content).toBe(
      '评议已提交，谢谢。',
    );
    expect((await vote(qian, { excellent: [zhao.openId, li.openId] })).toast?.content).toBe('评议已提交，谢谢。');
    expect((await vote(qian, {}, true)).toast?.content).toBe('您已提交评议，每人只能提交一次。');
    // The ballot's answer never echoes what was chosen.
    expect(cardText(h.emu.requireMessage(ballots.get(qian)?.card.messageId ?? '').content)).not.toMatch(GRADE_WORDS);

    const tallies = await h.db.db
      .selectFrom('ballot_tallies')
      .select(['subject_open_id', 'grade', 'count'])
      .orderBy('subject_open_id')
      .orderBy('grade')
      .execute();
    const expected = [
      [li.openId, 'excellent', 2],
      [zhao.openId, 'excellent', 2],
      [qian.openId, 'qualified', 2],
      [sun.openId, 'basic', 1],
      [sun.openId, 'qualified', 2],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
    expect(tallies.map((t) => [t.subject_open_id, t.grade, Number(t.count)])).toEqual(expected);

    // No table holds a voter next to a grade.
    const voters = await h.db.db.selectFrom('ballot_voters').selectAll().orderBy('open_id').execute();
    expect(voters.map((v) => Object.keys(v).sort())).toEqual([
      ['open_id', 'pipeline_id', 'voted_on'],
      ['open_id', 'pipeline_id', 'voted_on'],
      ['open_id', 'pipeline_id', 'voted_on'],
    ]);
    expect(voters.map((v) => v.open_id).sort()).toEqual([li.openId, zhao.openId, qian.openId].sort());
    const tallyRow = await h.db.db.selectFrom('ballot_tallies').selectAll().executeTakeFirstOrThrow();
    expect(Object.keys(tallyRow).sort()).toEqual(['count', 'grade', 'pipeline_id', 'subject_open_id']);
    const audit = await h.db.db.selectFrom('audit_log').selectAll().execute();
    const ballotAudit = audit.filter((a) => /ballot/.test(a.action));
    expect(ballotAudit.length).toBeGreaterThanOrEqual(6);
    for (const a of ballotAudit) expect(`${a.args} ${a.before} ${a.after}`).not.toMatch(GRADE_WORDS);
    const since = await h.db.db.selectFrom('outbox').selectAll().where('id', '>', outboxAtOpen).execute();
    for (const o of since) expect(o.payload).not.toMatch(GRADE_WORDS);

    // The result: refused to a plain member, shown privately to a 支委 without an admin role.
    expect(messageText(await say(h, g, zhao, '/组织生活会 评议 结果'))).toBe('民主评议结果仅支部委员会成员可以查看。');
    const before = h.emu.botMessages(p2p(qian)).length;
    expect(messageText(await say(h, g, qian, '/组织生活会 评议 结果'))).toBe(
      '民主评议汇总已私信发送，请在与清风的单聊中查看。',
    );
    const resultCard = await postedCard(h, p2p(qian), '2026年度民主评议党员 · 汇总', before);
    const result = cardText(resultCard.content);
    expect(result).toContain('参评 3/3（评议进行中）');
    // The table's rows (cells are not among the card's texts): 孙预备 with 2 合格 and 1 基本合格.
    const rows = JSON.stringify(
      JSON.parse(resultCard.content).body.elements.find((e: { tag: string }) => e.tag === 'table').rows,
    );
    expect(rows).toContain('{"name":"孙预备","counts":"优秀 0 · 合格 2 · 基本合格 1 · 不合格 0"}');
    expect(rows).toContain('{"name":"李书记","counts":"优秀 2 · 合格 0 · 基本合格 0 · 不合格 0"}');

    // Closed: no more ballots.
    expect(messageText(await say(h, g, li, '/组织生活会 评议 结束'))).toBe('民主评议已结束，不再接受评议票。');
    expect((await vote(zhao, {}, true)).toast?.content).toBe('民主评议不在进行中，不能提交。');
    expect(messageText(await say(h, g, li, '/组织生活会 评议 开始'))).toBe('本年度民主评议已结束，不能再次开始。');
  });
});
