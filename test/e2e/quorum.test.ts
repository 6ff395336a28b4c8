/**
 * Quorum and attendees by the rules, end to end (issue 15 item 2): in a 10-member 支部 with 2 预备党员 and
 * one 正式党员 excluded (长期病假), a 党员大会's card says 应到 7 and lists 列席 and 不计应到 apart; 3 正式 +
 * 2 预备 signed in is not more than half (未召开 after the window, with the reason), 4 正式 is (已召开);
 * a 支委会 invites the 支委 only; a 党小组会 needs its 党小组 (refused without one, nothing stored) and
 * invites that 小组. The group's card gives 不计应到 as a count (the reason is personal); the excluded
 * member who does attend is counted and votes. Until 签到 opens the seats follow the register (转正,
 * 不计应到, 支委, 党小组) and who leaves the group is taken off; a session in its window keeps its seats.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RegisterPatch } from '../../src/features/membership/register-rules.ts';
import { type BotHarness, messageText, OffsetClock, startBot } from '../helpers/bot.ts';
import { options } from '../helpers/card-parts.ts';
import { cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { publishSession, saveBackfill, showMeeting, signInAll } from '../helpers/meeting-steps.ts';
import { seedQuorumBranch, writeRegister } from '../helpers/quorum-branch.ts';

describe('quorum and attendees by the rules', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  async function setup(o: { register?: boolean } = {}) {
    clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedQuorumBranch(h);
    if (o.register === false) return w;
    // The register, set in the database as the register's own commands would.
    const register: Record<string, RegisterPatch> = {
      李书记: { committee_post: 'secretary', party_group: '第一党小组', group_leader: 1 },
      王纪检: { committee_post: 'inspector', party_group: '第一党小组' },
      张组织: { committee_post: 'organizer', party_group: '第一党小组' },
      赵党员: { party_group: '第一党小组' },
      钱党员: { party_group: '第二党小组' },
      孙党员: { party_group: '第二党小组' },
      周党员: { party_group: '第二党小组' },
      吴预备: { category: 'probationary', party_group: '第二党小组' },
      郑预备: { category: 'probationary', party_group: '第二党小组' },
      冯病休: { quorum_exempt: '长期病假', party_group: '第二党小组' },
    };
    const rows = await writeRegister(h, register);
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(register).sort());
    return w;
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const LABELS: Record<string, string> = { general: '党员大会', committee: '支委会', group: '党小组会' };

  /** `/会议 新建` and its form as the secretary; the click's answer, and the id when published. */
  async function createMeeting(w: World, o: { kind: string; title: string; start: string; group?: string }) {
    const formCard = await talk.say(h, w.group, w.secretary, `/会议 新建 ${LABELS[o.kind]}`);
    expect(cardTitle(formCard)).toBe('新建会议');
    const created = await publishSession(h, formCard, w.secretary, {
      kind: o.kind,
      title: o.title,
      start: `${o.start} +0800`,
      place: '三楼会议室',
      attendees: [],
      ...(o.group !== undefined ? { group: o.group } : {}),
    });
    await talk.drained(h);
    return {
      toast: created.toast,
      id: Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]),
      groups: options(formCard, 'group'),
    };
  }

  const show = (w: World, id: number, title: string) => showMeeting(h, w, id, title);
  const signAll = (w: World, id: number, title: string, names: string[]) => signInAll(h, w, id, title, names);

  const attendees = (id: number) =>
    h.db.db
      .selectFrom('session_attendees')
      .select(['name', 'voting', 'seat'])
      .where('session_id', '=', id)
      .orderBy('name')
      .execute();

  it('a 党员大会 counts 应到 over the 正式党员: 3 正式 + 2 预备 is not more than half, 4 正式 is', async () => {
    const w = await setup();
    const a = await createMeeting(w, { kind: 'general', title: '第四季度党员大会', start: '2026-12-04 15:00' });
    const b = await createMeeting(w, { kind: 'general', title: '接收预备党员大会', start: '2026-12-08 15:00' });
    expect(a.toast).toMatchObject({ type: 'success' });
    // Everyone is invited: 7 with a vote, 2 预备党员 列席, the excluded member apart.
    const seats = Object.fromEntries((await attendees(a.id)).map((x) => [x.name, `${x.voting}/${x.seat ?? '-'}`]));
    expect(seats).toEqual({
      李书记: '1/-',
      王纪检: '1/-',
      张组织: '1/-',
      赵党员: '1/-',
      钱党员: '1/-',
      孙党员: '1/-',
      周党员: '1/-',
      吴预备: '0/probationary',
      郑预备: '0/probationary',
      冯病休: '0/exempt',
    });
    const notice = cardText((await show(w, a.id, '党员大会：第四季度党员大会')).content);
    expect(notice).toContain('**应到** 7 人　**参加** 0 人　**请假** 0 人　**未回复** 7 人');
    expect(notice).toContain('有表决权的党员 7 人，已到 0 人，尚未过半。');
    expect(notice).toContain(
      '**列席**（无表决权）：预备党员 2 人（吴预备（预备党员）、郑预备（预备党员）），已签到 0 人',
    );
    expect(notice).toContain('**不计应到**：1 人\n');
    expect(notice).not.toContain('长期病假');
    // Drawn for one person (the secretary's private chat), the card names them with the 支部's reason.
    const p2p = h.emu.p2pChat(w.secretary.openId).chatId;
    const sent = h.emu.botMessages(p2p).length;
    await h.emu.sendText({ chatId: p2p, from: w.secretary.openId, text: `/会议 查看 ${a.id}` });
    const mine = cardText((await talk.postedCard(h, p2p, '党员大会：第四季度党员大会', sent)).content);
    expect(mine).toContain('**不计应到**：1 人（冯病休：长期病假）');

    // In the window 3 正式 and both 预备党员 sign in: 5 people present, 3 of 7 with a vote.
    clock.set(bj('2026-12-04', '14:45'));
    await signAll(w, a.id, '党员大会：第四季度党员大会', ['李书记', '王纪检', '赵党员', '吴预备', '郑预备']);
    const during = cardText((await show(w, a.id, '党员大会：第四季度党员大会')).content);
    expect(during).toContain('有表决权的党员 7 人，已到 3 人，尚未过半。');
    expect(during).toContain('预备党员 2 人（吴预备（预备党员）、郑预备（预备党员）），已签到 2 人');
    clock.set(bj('2026-12-04', '18:30'));
    expect(cardText((await show(w, a.id, '党员大会：第四季度党员大会')).content)).toContain(
      '**状态**：未召开（有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权）',
    );

    // The second: 4 正式 sign in (and no 预备党员), and the one on 长期病假 comes all the same: counted in
    // 应到 and present, with a vote — 5 of 8, held.
    clock.set(bj('2026-12-08', '14:50'));
    await signAll(w, b.id, '党员大会：接收预备党员大会', ['李书记', '张组织', '钱党员', '孙党员', '冯病休']);
    clock.set(bj('2026-12-08', '18:30'));
    const held = cardText((await show(w, b.id, '党员大会：接收预备党员大会')).content);
    expect(held).toContain('**应到** 8 人　**已签到** 5 人　**请假** 0 人　**缺席** 3 人');
    expect(held).toContain('有表决权的党员 8 人，已到 5 人，超过半数。');
    expect(held).not.toContain('不计应到');
    expect(held).toContain('**状态**：已召开（纪要待补');
  });

  it('a 支委会 invites the 支委 only; a 党小组会 needs its 党小组 and invites that 小组', async () => {
    const w = await setup();
    const c = await createMeeting(w, { kind: 'committee', title: '12月支委会', start: '2026-12-09 15:00' });
    expect((await attendees(c.id)).map((x) => [x.name, x.voting])).toEqual([
      ['张组织', 1],
      ['李书记', 1],
      ['王纪检', 1],
    ]);
    const card = cardText((await show(w, c.id, '支委会：12月支委会')).content);
    expect(card).toContain('有表决权的党员 3 人，已到 0 人，尚未过半。');
    expect(card).not.toContain('尚未登记支委');

    // A 党小组会 without a 党小组, or with one the register does not have, is refused; nothing is stored.
    const none = await createMeeting(w, { kind: 'group', title: '12月党小组会', start: '2026-12-10 15:00' });
    expect(none.groups).toEqual(['第二党小组', '第一党小组']);
    expect(none.toast).toEqual({ type: 'error', content: '请选择党小组（本支部的党小组：第二党小组、第一党小组）。' });
    const odd = await createMeeting(w, {
      kind: 'group',
      title: '12月党小组会',
      start: '2026-12-10 15:00',
      group: '第九党小组',
    });
    expect(odd.toast?.content).toContain('本支部没有党小组“第九党小组”');
    expect(await h.db.db.selectFrom('sessions').select('id').where('kind', '=', 'group').execute()).toEqual([]);

    const g = await createMeeting(w, {
      kind: 'group',
      title: '12月党小组会',
      start: '2026-12-10 15:00',
      group: '第一党小组',
    });
    expect(g.toast).toMatchObject({ type: 'success' });
    const s = await h.db.db.selectFrom('sessions').selectAll().where('id', '=', g.id).executeTakeFirstOrThrow();
    expect(s.party_group).toBe('第一党小组');
    expect((await attendees(g.id)).map((x) => x.name)).toEqual(['张组织', '李书记', '王纪检', '赵党员']);
    const groupCard = cardText((await show(w, g.id, '党小组会：12月党小组会')).content);
    expect(groupCard).toContain('**应到** 4 人');
    expect(groupCard).not.toContain('有表决权');
  });

  it('补录 gives the same seats: a 正式党员 not listed is 缺席, 预备党员 listed present do not make the quorum', async () => {
    const w = await setup();
    const card = await talk.say(h, w.group, w.secretary, '/会议 补录 党员大会');
    expect(cardTitle(card)).toBe('补录会议记录');
    const ids = (names: string[]) => names.map((n) => w.by(n).openId);
    const answer = await saveBackfill(h, card, w.secretary, {
      kind: 'general',
      title: '第三季度党员大会',
      start: '2026-09-25 15:00 +0800',
      place: '三楼会议室',
      present: ids(['李书记', '王纪检', '赵党员', '吴预备', '郑预备']),
      leave: ids(['钱党员']),
      absent: [],
      minutes: '会议讨论了发展党员工作。',
    });
    expect(answer.toast).toMatchObject({ type: 'success', content: expect.stringMatching(/^已补录（#\d+）$/) });
    const id = Number(/#(\d+)/.exec(answer.toast?.content ?? '')?.[1]);
    const rows = await h.db.db
      .selectFrom('session_attendees')
      .select(['name', 'status', 'voting', 'seat'])
      .where('session_id', '=', id)
      .execute();
    expect(rows.filter((r) => r.voting === 1)).toHaveLength(7);
    // 张组织, 孙党员 and 周党员 were not listed: in 应到 all the same, recorded absent.
    expect(
      rows
        .filter((r) => r.status === 'invited')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['冯病休', '周党员', '孙党员', '张组织'].sort());
    const shown = cardText(h.emu.requireMessage(card.messageId).content);
    expect(shown).toContain(
      '未召开（有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权）（补录）',
    );
  });

  it('until 签到 opens the seats follow the register and who leaves is taken off; a session in its window keeps its seats', async () => {
    const w = await setup();
    const general = await createMeeting(w, { kind: 'general', title: '第四季度党员大会', start: '2026-12-04 15:00' });
    const committee = await createMeeting(w, { kind: 'committee', title: '12月支委会', start: '2026-12-09 15:00' });
    const group = await createMeeting(w, {
      kind: 'group',
      title: '12月党小组会',
      start: '2026-12-10 15:00',
      group: '第二党小组',
    });
    // 签到 of this one is open already (from 30 minutes before the start): its seats are a record now.
    const open = await createMeeting(w, { kind: 'general', title: '临时党员大会', start: '2026-12-01 10:20' });
    const seatsOf = async (id: number) =>
      Object.fromEntries((await attendees(id)).map((x) => [x.name, `${x.voting}/${x.seat ?? '-'}`]));
    const openBefore = await seatsOf(open.id);

    const at = (name: string) => `@{${w.by(name).openId}}`;
    for (const change of [
      `/党员 ${at('吴预备')} 正式党员 转正 2026-11-30`,
      `/党员 ${at('赵党员')} 支委 宣传委员`,
      `/党员 ${at('钱党员')} 不计应到 外派学习`,
      `/党员 ${at('周党员')} 党小组 第一党小组`,
    ])
      expect(messageText(await talk.say(h, w.group, w.secretary, change)), change).toContain('已更新');
    await h.emu.removeUsersFromChat(w.group, [w.by('孙党员').openId], { operator: w.secretary.openId });
    await h.emu.waitFor(async () => (await attendees(general.id)).every((x) => x.name !== '孙党员'), {
      what: 'the one who left taken off',
    });
    await talk.drained(h);

    expect(await seatsOf(general.id)).toEqual({
      李书记: '1/-',
      王纪检: '1/-',
      张组织: '1/-',
      赵党员: '1/-',
      钱党员: '0/exempt',
      周党员: '1/-',
      吴预备: '1/-',
      郑预备: '0/probationary',
      冯病休: '0/exempt',
    });
    expect(Object.keys(await seatsOf(committee.id)).sort()).toEqual(['张组织', '李书记', '王纪检', '赵党员'].sort());
    expect(await seatsOf(group.id)).toEqual({
      钱党员: '1/-',
      吴预备: '1/-',
      郑预备: '0/probationary',
      冯病休: '1/-',
    });
    // In its window: as it was noticed, 孙党员 and the 预备党员 as they were.
    expect(await seatsOf(open.id)).toEqual(openBefore);
    expect(openBefore).toMatchObject({ 孙党员: '1/-', 吴预备: '0/probationary' });

    // The notice card in the group was redrawn: 应到 6, two apart as 不计应到.
    const notice = cardText(
      h.emu.botMessages(w.group).find((m) => cardTitle(m) === '党员大会：第四季度党员大会')?.content ?? '',
    );
    expect(notice).toContain('**应到** 6 人');
    expect(notice).toContain('有表决权的党员 6 人，已到 0 人，尚未过半。');
    expect(notice).toContain('**不计应到**：2 人\n');
    const reseated = await h.db.db
      .selectFrom('audit_log')
      .select(['subject'])
      .where('action', '=', 'session:reseat')
      .execute();
    expect(new Set(reseated.map((r) => r.subject))).toEqual(
      new Set([general, committee, group].map((x) => `session:${x.id}`)),
    );
  });

  it('a 支委会 in a 支部 with no 支委 registered invites as before, and its card asks for the register', async () => {
    const w = await setup({ register: false });
    const c = await createMeeting(w, { kind: 'committee', title: '12月支委会', start: '2026-12-09 15:00' });
    expect(c.groups).toEqual([]);
    expect(await attendees(c.id)).toHaveLength(10);
    const card = cardText((await show(w, c.id, '支委会：12月支委会')).content);
    expect(card).toContain('本支部尚未登记支委，本次支委会的应到按通知所列人员计。');
    expect(card).toContain('有表决权的党员 10 人，已到 0 人，尚未过半。');
  });
});
