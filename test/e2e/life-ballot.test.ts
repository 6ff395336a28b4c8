import { afterEach, describe, expect, it } from 'vitest';
import { findMember } from '../../src/db/repositories/members.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { PIPELINE_STAGES } from '../../src/db/schema/life.ts';
import { createPipeline, type StageMap, stagesOf } from '../../src/features/life/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText } from '../helpers/cards.ts';
import { postedCard, say, settled } from '../helpers/converse.ts';
import { everyStoredRow } from '../helpers/life-records.ts';

const BALLOT = '2026年度民主评议党员 · 评议票';
const RESULT = '2026年度民主评议党员 · 汇总';
const GRADE_WORDS = /excellent|qualified|basic|unqualified|优秀|合格/;
/** A grade next to an open id, as a submitted ballot's form holds it (`"excellent":["ou_…"]`, JSON in JSON). */
const GRADE_PICKED = /(excellent|qualified|basic|unqualified)(\\*")*:(\\*"|\[)*ou_/;

/** The rows of the tally table of a result card (cells are not among the card's texts). */
const tableRows = (m: EmuMessage): string =>
  JSON.stringify(
    (JSON.parse(m.content) as { body: { elements: { tag: string; rows?: unknown }[] } }).body.elements.find(
      (e) => e.tag === 'table',
    )?.rows ?? null,
  );

describe('民主评议党员', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  /** A 支部 of 李书记 (支委), 赵党员, 钱委员 (支委) and 孙预备 (预备党员), with this year's pipeline. */
  async function setup() {
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
    const pipeline = () =>
      h.db.db.selectFrom('life_pipelines').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
    const ballots = new Map<EmuUser, { card: EmuMessage; value: unknown }>();
    /** 开始, and each voter's ballot card. */
    const open = async () => {
      const opened = await say(h, g, li, '/组织生活会 评议 开始');
      for (const u of [li, zhao, qian]) {
        const card = await postedCard(h, p2p(u), BALLOT);
        ballots.set(u, { card, value: button(card, '提交评议').value });
      }
      return opened;
    };
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
    /** `/… 评议 结果` said by `u` in the group; the card(s) they get privately. */
    const result = async (u: EmuUser) => {
      const before = h.emu.botMessages(p2p(u)).length;
      expect(messageText(await say(h, g, u, '/组织生活会 评议 结果'))).toBe(
        '民主评议汇总已私信发送，请在与清风的单聊中查看。',
      );
      return postedCard(h, p2p(u), RESULT, before);
    };
    return { g, orgId, li, zhao, qian, sun, p2p, pipeline, ballots, open, vote, result };
  }

  it('takes one secret ballot per 正式党员, tallies counts only and shows them to the 支委 after 结束', async () => {
    const { g, li, zhao, qian, sun, p2p, ballots, open, vote, result } = await setup();

    // A plain member may not open it; the admin does: three 正式党员 get a ballot, the 预备党员 none.
    expect(messageText(await say(h, g, zhao, '/组织生活会 评议 开始'))).toBe('开始和结束民主评议须由管理员操作。');
    expect(messageText(await say(h, g, li, '/组织生活会 评议 打开'))).toContain('应为 开始、结果 或 结束');
    expect(messageText(await open())).toBe(
      '民主评议已开始，评议票已私信发送给 3 名正式党员。评议不记名，每人提交一次。',
    );
    expect(h.emu.botMessages(p2p(sun)).some((m) => cardText(m.content).includes('评议票'))).toBe(false);
    // The whole tally is written at 开始: every member graded (the 预备党员 too) under every grade, at 0.
    const atOpen = await h.db.db.selectFrom('ballot_tallies').selectAll().execute();
    expect(atOpen).toHaveLength(4 * 4);
    expect(atOpen.every((t) => Number(t.count) === 0)).toBe(true);

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
    expect(
      tallies.filter((t) => Number(t.count) > 0).map((t) => [t.subject_open_id, t.grade, Number(t.count)]),
    ).toEqual(expected);
    expect(tallies).toHaveLength(4 * 4);

    // No stored row tells who gave which grade: ballot_voters has no grade, ballot_tallies no voter, and
    // no other row of any table holds a grade picked for someone (the finished inbox rows of the clicks
    // keep no form).
    const voters = await h.db.db.selectFrom('ballot_voters').selectAll().orderBy('open_id').execute();
    expect(voters.map((v) => Object.keys(v).sort())).toEqual([
      ['open_id', 'pipeline_id', 'voted_on'],
      ['open_id', 'pipeline_id', 'voted_on'],
      ['open_id', 'pipeline_id', 'voted_on'],
    ]);
    expect(voters.map((v) => v.open_id).sort()).toEqual([li.openId, zhao.openId, qian.openId].sort());
    const tallyRow = await h.db.db.selectFrom('ballot_tallies').selectAll().executeTakeFirstOrThrow();
    expect(Object.keys(tallyRow).sort()).toEqual(['count', 'grade', 'pipeline_id', 'subject_open_id']);
    await settled(h);
    const stored = await everyStoredRow(h.db.db);
    expect(stored.filter((r) => r.table === 'inbox').length).toBeGreaterThan(3);
    expect(stored.filter((r) => r.table !== 'ballot_tallies' && GRADE_PICKED.test(r.json))).toEqual([]);
    const inbox = await h.db.db.selectFrom('inbox').selectAll().execute();
    expect(inbox.filter((r) => r.status !== 'pending' && r.payload !== '{}')).toEqual([]);
    const audit = await h.db.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.filter((a) => /ballot/.test(a.action)).length).toBeGreaterThanOrEqual(6);

    // The result: refused to a plain member; to a 支委 without an admin role, while open, the turnout only.
    expect(messageText(await say(h, g, zhao, '/组织生活会 评议 结果'))).toBe('民主评议结果仅支部委员会成员可以查看。');
    const whileOpen = await result(qian);
    expect(cardText(whileOpen.content)).toContain('参评 3/3（评议进行中）');
    expect(tableRows(whileOpen)).toBe('null');
    expect(whileOpen.content).not.toMatch(/孙预备|赵党员|优秀 \d/);

    // Closed: no more ballots; the 支委 now see the counts per member.
    expect(messageText(await say(h, g, li, '/组织生活会 评议 结束'))).toBe('民主评议已结束，不再接受评议票。');
    expect((await vote(zhao, {}, true)).toast?.content).toBe('民主评议不在进行中，不能提交。');
    expect(messageText(await say(h, g, li, '/组织生活会 评议 开始'))).toBe('本年度民主评议已结束，不能再次开始。');
    const closed = await result(qian);
    expect(cardText(closed.content)).toContain('参评 3/3（评议已结束）');
    const rows = tableRows(closed);
    expect(rows).toContain('{"name":"孙预备","counts":"优秀 0 · 合格 2 · 基本合格 1 · 不合格 0"}');
    expect(rows).toContain('{"name":"李书记","counts":"优秀 2 · 合格 0 · 基本合格 0 · 不合格 0"}');
  });

  it('refuses 结束 while nobody has voted, and leaves the stage open', async () => {
    const { g, li, zhao, open, vote, pipeline } = await setup();
    await open();
    expect(messageText(await say(h, g, li, '/组织生活会 评议 结束'))).toBe(
      '尚无党员提交评议票，暂不能结束民主评议。请提醒正式党员在与清风的单聊中提交评议票后，再结束评议。',
    );
    expect(stagesOf(await pipeline()).appraisal.doneAt).toBeNull();
    expect((await vote(zhao, {})).toast?.content).toBe('评议已提交，谢谢。');
    expect(messageText(await say(h, g, li, '/组织生活会 评议 结束'))).toBe('民主评议已结束，不再接受评议票。');
    expect(stagesOf(await pipeline()).appraisal.doneAt).not.toBeNull();
  });

  it('keeps who votes and who is graded as they were at 开始', async () => {
    const { g, orgId, li, open, vote, p2p } = await setup();
    await open();
    // 周党员 joins the group after 开始: registered (a 正式党员), yet not of this ballot.
    const zhou = h.emu.addUser('周党员');
    await h.emu.addUsersToChat(g, [zhou.openId]);
    await h.emu.waitFor(async () => (await findMember(h.db.db, orgId, zhou.openId)) !== undefined, {
      what: 'zhou registered',
    });
    expect((await vote(li, { excellent: [zhou.openId] })).toast?.content).toBe(
      '所选人员不是本支部参加评议的党员，请重新选择。',
    );
    // 周党员 got no ballot; pressing one's button in his own private chat is refused.
    const own = await say(h, p2p(zhou), zhou, '/组织生活会 评议 结果');
    const liBallot = await postedCard(h, p2p(li), BALLOT);
    const late = await h.emu.click({
      messageId: own.messageId,
      from: zhou.openId,
      value: button(liBallot, '提交评议').value,
      bypassClient: true,
      name: 'submit_ballot',
      formValue: { excellent: [], basic: [], unqualified: [] },
    });
    expect(late.toast?.content).toBe('民主评议由正式党员参加，您不在本次评议的参评人员中。');
    expect(await h.db.db.selectFrom('ballot_voters').selectAll().execute()).toEqual([]);
    expect(
      await h.db.db
        .selectFrom('ballot_tallies')
        .select('subject_open_id')
        .where('subject_open_id', '=', zhou.openId)
        .execute(),
    ).toEqual([]);
  });

  it('counts a ballot over 200 members graded in one go', async () => {
    const { orgId, li, zhao, open, vote } = await setup();
    // 200 预备党员 more: graded, without a vote (so no more ballots go out).
    const many = Array.from({ length: 200 }, (_, i) => ({
      org_id: orgId,
      open_id: `ou_many${String(i).padStart(4, '0')}`,
      name: `党员${i}`,
      role: 'member',
      category: 'probationary' as const,
      committee_post: null,
      away_from: null,
      away_until: null,
      away_reason: null,
      left_at: null,
      party_group: null,
      joined_on: null,
      confirmed_on: null,
      post: null,
      quorum_exempt: null,
      created_at: '2026-12-01T00:00:00.000Z',
      updated_at: '2026-12-01T00:00:00.000Z',
    }));
    await h.db.db.insertInto('members').values(many).execute();
    await open();
    const ids = many.map((m) => m.open_id);
    const r = await vote(li, { excellent: ids.slice(0, 120), basic: ids.slice(120, 150), unqualified: [zhao.openId] });
    expect(r.toast?.content).toBe('评议已提交，谢谢。');
    const counted = await h.db.db.selectFrom('ballot_tallies').selectAll().where('count', '>', 0).execute();
    const by = (g: string) => counted.filter((t) => t.grade === g).length;
    // Everyone but the voter once: 120 优秀, 30 基本合格, 1 不合格, the other 52 合格.
    expect([by('excellent'), by('basic'), by('unqualified'), by('qualified')]).toEqual([120, 30, 1, 52]);
    expect(counted.every((t) => Number(t.count) === 1 && t.subject_open_id !== li.openId)).toBe(true);
  });
});
