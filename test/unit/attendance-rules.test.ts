// Attendees and votes by the rules (src/features/meetings/attendance-rules.ts, issue 15 item 2): a 党员大会's
// 应到 is the 支部's 正式党员 whoever was picked (不计应到 listed apart, 预备党员 and picked 观察员 as 列席);
// a 支委会 is the 支委 (a 预备党员 among them without a vote; as picked, said on the card, when none is
// registered); a 党小组会 is its 小组; an upper org's 中心组学习 its 班子; other kinds as picked. The quorum
// (held.ts, the one rule) over the 10-member 支部 — the excluded member who attends counts and votes; the
// 党小组 a 党小组会 needs (none when the org has none, whatever the form sent); the seats replanned over
// the register until 签到 opens; the card's counts and 列席 lines (不计应到 named only privately), and the
// card at its largest data within Feishu's rules; a 支部's study plan defaults to 专题学习.
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import {
  checkPartyGroup,
  partyGroupsOf,
  planAttendees,
  type RegisterRow,
  replanSeats,
  seatGroups,
} from '../../src/features/meetings/attendance-rules.ts';
import { type HeldAttendee, recordStateText, sessionRecordState } from '../../src/features/meetings/held.ts';
import { buildSessionCard, type SessionView } from '../../src/features/meetings/session-card.ts';
import { buildSessionNewCard } from '../../src/features/meetings/session-new-card.ts';
import { defaultStudyKind } from '../../src/features/meetings/study-import.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { cardStrings } from '../helpers/card-parts.ts';
import { registerRow, tenMemberBranch } from '../helpers/register-rows.ts';

/**
 * The 10-member 支部: 1 书记 (支委), 2 and 3 支委, 8 正式 and 2 预备 (9, 10), one 正式 on 长期病假 (8);
 * 第一党小组 = 1–5, 第二党小组 = 6–10; and an 上级观察员 (11).
 */
const BRANCH: RegisterRow[] = tenMemberBranch({
  1: { party_group: '第一党小组' },
  2: { role: 'organizer', committee_post: 'organizer', party_group: '第一党小组' },
  3: { committee_post: 'publicity', party_group: '第一党小组' },
  4: { party_group: '第一党小组' },
  5: { party_group: '第一党小组' },
  6: { party_group: '第二党小组' },
  7: { party_group: '第二党小组' },
  8: { party_group: '第二党小组' },
  9: { party_group: '第二党小组' },
  10: { party_group: '第二党小组' },
});

const ids = (xs: { openId: string }[]) => xs.map((a) => Number(a.openId.slice(3)));
const seats = (xs: { openId: string; voting: boolean; seat: string | null }[]) =>
  Object.fromEntries(xs.map((a) => [Number(a.openId.slice(3)), `${a.voting ? 'vote' : 'no-vote'}/${a.seat ?? '-'}`]));

describe('planAttendees', () => {
  it('党员大会: 应到 the 正式党员 but the excluded one; 预备党员 列席; the observer only when picked', () => {
    const plan = planAttendees('general', BRANCH);
    expect(ids(plan.attendees)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(plan.attendees.filter((a) => a.voting)).toHaveLength(7);
    expect(seats(plan.attendees)).toMatchObject({
      1: 'vote/-',
      7: 'vote/-',
      8: 'no-vote/exempt',
      9: 'no-vote/probationary',
    });
    // Picking fewer never shrinks 应到; a picked observer is added as 列席.
    const picked = planAttendees('general', BRANCH, { picked: ['ou_1', 'ou_2', 'ou_11'] });
    expect(picked.attendees.filter((a) => a.voting)).toHaveLength(7);
    expect(seats(picked.attendees)[11]).toBe('no-vote/observer');
    expect(ids(picked.attendees)).toHaveLength(11);
  });

  it('支委会: the 支委 vote, a 预备党员 支委 does not, others picked are 列席', () => {
    const plan = planAttendees('committee', BRANCH, { picked: ['ou_4', 'ou_2'] });
    expect(seats(plan.attendees)).toEqual({ 1: 'vote/-', 2: 'vote/-', 3: 'vote/-', 4: 'no-vote/observer' });
    expect(plan.noCommittee).toBe(false);
    const withProbationary = planAttendees('committee', [
      ...BRANCH.slice(0, 9),
      registerRow(10, { category: 'probationary', committee_post: 'member' }),
    ]);
    expect(seats(withProbationary.attendees)[10]).toBe('no-vote/probationary');
    expect(withProbationary.attendees.filter((a) => a.voting)).toHaveLength(3);
  });

  it('支委会 with no 支委 registered: as picked (or everyone but the observer), and the plan says so', () => {
    const bare: RegisterRow[] = BRANCH.map((m) => ({ ...m, committee_post: null }));
    const picked = planAttendees('committee', bare, { picked: ['ou_1', 'ou_2', 'ou_5'] });
    expect(seats(picked.attendees)).toEqual({ 1: 'vote/-', 2: 'vote/-', 5: 'vote/-' });
    expect(picked.noCommittee).toBe(true);
    expect(ids(planAttendees('committee', bare).attendees)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('党小组会: that 小组 (预备党员 marked), others picked as 列席; without a 小组 as picked', () => {
    const plan = planAttendees('group', BRANCH, { partyGroup: '第二党小组', picked: ['ou_1'] });
    expect(seats(plan.attendees)).toEqual({
      6: 'vote/-',
      7: 'vote/-',
      8: 'vote/-',
      9: 'no-vote/probationary',
      10: 'no-vote/probationary',
      1: 'no-vote/observer',
    });
    expect(ids(planAttendees('group', BRANCH, { picked: ['ou_3'] }).attendees)).toEqual([3]);
  });

  it('中心组学习 in an org over 支部: its 班子 by default, others only when picked; with none registered everyone, said so', () => {
    for (const level of ['committee', 'organ_committee', 'leading_group', 'general_branch'] as const) {
      const plan = planAttendees('central_group', BRANCH, { level });
      expect(ids(plan.attendees), level).toEqual([1, 2, 3]);
      expect(plan.noCommittee).toBe(false);
    }
    expect(
      ids(planAttendees('central_group', BRANCH, { level: 'committee', picked: ['ou_4', 'ou_5'] }).attendees),
    ).toEqual([4, 5]);
    const bare = planAttendees(
      'central_group',
      BRANCH.map((m) => ({ ...m, committee_post: null })),
      { level: 'committee' },
    );
    expect(ids(bare.attendees)).toHaveLength(10);
    expect(bare.noCommittee).toBe(true);
    // A 支部 (or an org whose level is not set) has no 中心组 of 班子: everyone, as any study.
    for (const level of ['branch', null] as const) {
      const plan = planAttendees('central_group', BRANCH, { level });
      expect(ids(plan.attendees), String(level)).toHaveLength(10);
      expect(plan.noCommittee).toBe(false);
    }
  });

  it('other kinds: everyone but the observer, or the picked; 预备党员 marked', () => {
    expect(ids(planAttendees('lecture', BRANCH).attendees)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seats(planAttendees('theme_day', BRANCH).attendees)[9]).toBe('no-vote/probationary');
    expect(ids(planAttendees('special', BRANCH, { picked: ['ou_2', 'ou_11'] }).attendees)).toEqual([2, 11]);
  });
});

describe('the 党小组 of a 党小组会', () => {
  const groups = partyGroupsOf(BRANCH);
  it('lists the register’s 小组 once each', () =>
    expect(groups).toEqual(['第二党小组', '第一党小组'].sort((a, b) => a.localeCompare(b, 'zh-CN'))));
  it.each([
    ['group', '', { problem: '请选择党小组（本支部的党小组：' }],
    ['group', '第三党小组', { problem: '本支部没有党小组“第三党小组”' }],
    ['group', ' 第一党小组 ', { group: '第一党小组' }],
    ['general', '第一党小组', { group: null }],
  ] as const)('%s with “%s”', (kind, chosen, want) => {
    const got = checkPartyGroup(kind, chosen, groups);
    if ('problem' in want) expect('problem' in got && got.problem).toContain(want.problem);
    else expect(got).toEqual(want);
  });
  it('an org with no 小组 registered holds a 党小组会 without one, whatever the form sent', () => {
    expect(checkPartyGroup('group', '', [])).toEqual({ group: null });
    // A forged value names no 小组 of the register: the 党小组会 invites as picked (or everyone), not nobody.
    const forged = checkPartyGroup('group', '不存在的小组', []);
    expect(forged).toEqual({ group: null });
    const bare = BRANCH.map((m) => ({ ...m, party_group: null }));
    const group = 'group' in forged ? forged.group : undefined;
    expect(ids(planAttendees('group', bare, { partyGroup: group }).attendees)).toHaveLength(10);
  });
});

describe('the quorum over the 支部 (held.ts)', () => {
  const cal = new WorkCalendar();
  const after = new Date('2026-12-10T12:00:00.000Z');
  const session = {
    status: 'scheduled' as const,
    kind: 'general',
    start_at: '2026-12-10T07:00:00.000Z',
    minutes: null,
    minutes_at: null,
    sign_opens_before: 30,
    sign_closes_after: 180,
  };
  const judge = (signedIds: number[]) => {
    const people: HeldAttendee[] = planAttendees('general', BRANCH).attendees.map((a) => ({
      status: signedIds.includes(Number(a.openId.slice(3))) ? 'signed' : 'invited',
      voting: a.voting ? 1 : 0,
      seat: a.seat,
    }));
    return sessionRecordState(session, people, after, 'Asia/Shanghai', cal);
  };

  it('10-member 支部, 8 正式 + 2 预备, 1 exempt: 应到 7, 4 of them signed → quorum', () => {
    const r = judge([1, 2, 3, 4]);
    expect(r.voting).toEqual({ total: 7, present: 4, quorum: true });
    expect(r.state).toBe('held');
  });

  it('3 正式 signed + 2 预备 signed → no quorum, and the record says why', () => {
    const r = judge([1, 2, 3, 9, 10]);
    expect(r.voting).toEqual({ total: 7, present: 3, quorum: false });
    expect(r.present).toBe(5);
    expect(recordStateText(r, 'general')).toBe(
      '未召开（有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权）',
    );
  });

  it('the excluded member who attends is counted in 应到 and 实到 and votes: 5 of 8 → quorum', () => {
    // Absent, the excluded member is outside 应到 (7); signed in, inside it (8) with a vote.
    expect(judge([1, 2, 3, 4]).voting).toEqual({ total: 7, present: 4, quorum: true });
    const r = judge([1, 2, 3, 4, 8]);
    expect(r.voting).toEqual({ total: 8, present: 5, quorum: true });
    expect(r.state).toBe('held');
    expect(judge([1, 2, 3, 8]).voting).toEqual({ total: 8, present: 4, quorum: false });
    // The card, the 记录簿 and the 补录 record read the same 应到 from the seats.
    const rows = planAttendees('general', BRANCH).attendees.map((a) => ({
      seat: a.seat,
      status: [1, 2, 3, 4, 8].includes(Number(a.openId.slice(3))) ? 'signed' : 'invited',
    }));
    const g = seatGroups('general', rows);
    expect([g.counted.length, g.counted.filter((a) => a.status === 'signed').length, g.exempt.length]).toEqual([
      8, 5, 0,
    ]);
  });
});

const view = (attendees: SessionView['attendees'], o: Partial<SessionView> = {}): SessionView => ({
  id: 7,
  orgId: 1,
  version: 1,
  category: 'meeting',
  kind: 'general',
  kindLabel: '党员大会',
  title: '第四季度党员大会',
  startText: '2026-12-10 15:00',
  started: true,
  phase: 'closed',
  cancelled: false,
  place: '三楼会议室',
  agenda: '',
  organiserName: '李书记',
  attendees,
  voting: { total: 7, present: 4, quorum: true },
  minutes: undefined,
  files: [],
  reflections: undefined,
  ...o,
});

describe('the card', () => {
  const people = planAttendees('general', BRANCH).attendees.map((a) => ({
    openId: a.openId,
    name: BRANCH.find((m) => m.open_id === a.openId)?.name ?? '',
    status: ['ou_1', 'ou_2', 'ou_3', 'ou_4', 'ou_9', 'ou_10'].includes(a.openId) ? 'signed' : 'invited',
    reason: null,
    away: false,
    seat: a.seat,
    exemptReason: a.seat === 'exempt' ? '长期病假' : null,
  }));

  it('counts 应到 over those with a vote and lists 列席 and 不计应到 apart (named only on a private card)', () => {
    const shown = cardStrings(buildSessionCard(view(people, { audience: 'private' }))).join('\n');
    expect(shown).toContain('**应到** 7 人　**已签到** 4 人　**请假** 0 人　**缺席** 3 人');
    expect(shown).toContain('有表决权的党员 7 人，已到 4 人，超过半数。');
    expect(shown).toContain(
      '**列席**（无表决权）：预备党员 2 人（党员9（预备党员）、党员10（预备党员）），已签到 2 人',
    );
    expect(shown).toContain('**不计应到**：1 人（党员8：长期病假）');
    // The group's card (shared by everyone in the chat) and a form give the count alone: no name, no reason.
    const group = cardStrings(buildSessionCard(view(people))).join('\n');
    expect(group).toContain('**不计应到**：1 人\n');
    expect(group).not.toContain('长期病假');
    const form = cardStrings(buildSessionCard(view(people, { audience: 'private' }), 'correct')).join('\n');
    expect(form).toContain('**列席**（无表决权）：预备党员 2 人，已签到 2 人');
    expect(form).toContain('**不计应到**：1 人\n');
    expect(form).not.toContain('长期病假');
  });

  it('at a 党课 a 预备党员 is in 应到, marked as such; a 支委会 without 支委 registered says so', () => {
    const lecture = cardStrings(
      buildSessionCard(
        view(
          people.slice(0, 9).map((p) => ({ ...p, seat: p.seat === 'exempt' ? null : p.seat })),
          { kind: 'lecture', voting: undefined },
        ),
      ),
    ).join('\n');
    expect(lecture).toContain('**应到** 9 人');
    expect(lecture).toContain('党员9（预备党员）');
    expect(lecture).not.toContain('列席');
    const committee = cardStrings(
      buildSessionCard(view(people.slice(0, 3), { kind: 'committee', noCommittee: true })),
    ).join('\n');
    expect(committee).toContain(
      '本支部尚未登记支委，本次支委会的应到按通知所列人员计。管理员登记支委后（/党员 @姓名 支委 组织委员），新建的支委会只请支委参加。',
    );
  });

  it('stays within the card rules at its largest data: 500 attendees, half 列席, 200 不计应到 with long reasons', () => {
    const big = Array.from({ length: 500 }, (_, i) => ({
      openId: `ou_${i}`,
      name: '欧阳'.repeat(10),
      status: i % 3 === 0 ? 'signed' : i % 3 === 1 ? 'leave' : 'invited',
      reason: i % 3 === 1 ? '外出'.repeat(100) : null,
      away: false,
      correction: i % 50 === 0 ? '补正'.repeat(100) : null,
      seat: (i % 5 === 0 ? 'probationary' : i % 5 === 1 ? 'observer' : i % 5 === 2 ? 'exempt' : null) as
        | 'probationary'
        | 'observer'
        | 'exempt'
        | null,
      exemptReason: i % 5 === 2 ? '*&"\\'.repeat(50) : null,
    }));
    for (const mode of ['view', 'correct'] as const)
      for (const audience of ['group', 'private'] as const) {
        const card = buildSessionCard(
          view(big, { noCommittee: true, audience, voting: { total: 200, present: 60, quorum: false } }),
          mode,
        );
        expect(checkCard(JSON.stringify(card)), `${mode} ${audience}`).toBeUndefined();
        expect(JSON.stringify(card)).not.toContain('undefined');
      }
    const form = buildSessionNewCard({
      orgId: 1,
      category: 'meeting',
      kinds: [{ value: 'group', text: '党小组会' }],
      initialKind: 'group',
      memberOpenIds: Array.from({ length: 1000 }, (_, i) => `ou_${i}`),
      agenda: '',
      groups: Array.from({ length: 80 }, (_, i) => `${'第'.repeat(40)}${i}党小组`),
    });
    expect(checkCard(JSON.stringify(form))).toBeUndefined();
    expect(cardStrings(form).filter((t) => t.endsWith('党小组'))).toHaveLength(30);
  });
});

describe('the seats follow the register until 签到 opens (replanSeats)', () => {
  const stored = (kind: string, members: RegisterRow[], o: Parameters<typeof planAttendees>[2] = {}) =>
    planAttendees(kind, members, o).attendees.map((a) => ({ openId: a.openId, voting: a.voting, seat: a.seat }));
  const change = (i: number, o: Partial<RegisterRow>) =>
    BRANCH.map((m) => (m.open_id === `ou_${i}` ? { ...m, ...o } : m));

  it('a 党员大会: 转正 gives a vote, 不计应到 takes it, who left is taken out; the picked 列席 stays', () => {
    const before = stored('general', BRANCH, { picked: ['ou_11'] });
    expect(replanSeats('general', BRANCH, before)).toEqual({ add: [], remove: [], change: [] });
    const confirmed = replanSeats('general', change(9, { category: 'full' }), before);
    expect(confirmed.change).toEqual([{ openId: 'ou_9', name: '党员9', voting: true, seat: null }]);
    const excluded = replanSeats('general', change(7, { quorum_exempt: '外派援疆' }), before);
    expect(seats(excluded.change)).toEqual({ 7: 'no-vote/exempt' });
    const left = replanSeats(
      'general',
      BRANCH.filter((m) => m.open_id !== 'ou_4'),
      before,
    );
    expect(left).toEqual({ add: [], remove: ['ou_4'], change: [] });
  });

  it('a 支委会 follows the 支委 and a 党小组会 its 小组; a kind by choice keeps its people, seated as now', () => {
    const committee = stored('committee', BRANCH, { picked: ['ou_5'] });
    const joined = replanSeats('committee', change(4, { committee_post: 'member' }), committee);
    expect(joined).toEqual({
      add: [{ openId: 'ou_4', name: '党员4', voting: true, seat: null }],
      remove: [],
      change: [],
    });
    expect(replanSeats('committee', change(3, { committee_post: null }), committee)).toEqual({
      add: [],
      remove: ['ou_3'],
      change: [],
    });
    // The 列席 picked stays 列席 when they join the 支委: now in the body, with a vote.
    expect(seats(replanSeats('committee', change(5, { committee_post: 'member' }), committee).change)).toEqual({
      5: 'vote/-',
    });
    const group = stored('group', BRANCH, { partyGroup: '第一党小组' });
    const moved = replanSeats('group', change(5, { party_group: '第二党小组' }), group, { partyGroup: '第一党小组' });
    expect(moved).toEqual({ add: [], remove: ['ou_5'], change: [] });
    const lecture = stored('lecture', BRANCH, { picked: ['ou_9', 'ou_2'] });
    const byChoice = replanSeats('lecture', change(9, { category: 'full' }), lecture);
    expect(byChoice).toEqual({
      add: [],
      remove: [],
      change: [{ openId: 'ou_9', name: '党员9', voting: true, seat: null }],
    });
    expect(replanSeats('lecture', BRANCH, [])).toEqual({ add: [], remove: [], change: [] });
  });
});

describe('the 中心组学习 by level', () => {
  it('a study plan row without 学习形式 is 中心组学习 only where the level owes it', () => {
    expect(defaultStudyKind('branch')).toBe('topic');
    expect(defaultStudyKind('general_branch')).toBe('topic');
    expect(defaultStudyKind('committee')).toBe('central_group');
    expect(defaultStudyKind('organ_committee')).toBe('central_group');
    expect(defaultStudyKind(null)).toBe('central_group');
  });

  it('its card asks for the 班子 when none is registered', () => {
    const card = cardStrings(
      buildSessionCard(view([], { kind: 'central_group', category: 'study', voting: undefined, noCommittee: true })),
    ).join('\n');
    expect(card).toContain('本组织尚未登记班子成员，本次中心组学习按通知所列人员参加。');
    expect(card).not.toContain('支委会');
  });
});
