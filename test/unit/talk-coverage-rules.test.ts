// The yearly talk coverage, pure (issue 16 item 2): the pairs owed by the register (书记 with everyone,
// 支委 with each other, each 支委 with their 党小组), the 书记 by role when no register, each switch of the
// matrix, members who left not owed (the caller passes current members) and 预备党员 owed, which talks
// cover a pair (谈心谈话 and 廉政谈话, recorder with each party), the counts and the settings words; the
// last day counted for a year (31 December, or a later meeting date); the counted talks' 确认 state.
import { describe, expect, it } from 'vitest';
import {
  type CoveragePerson,
  type CoverageTalk,
  computeCoverage,
  parseMatrixWords,
  rateText,
  requiredPairs,
  type TalkMatrix,
  talkMatrixOf,
  talkMatrixText,
  yearEnd,
} from '../../src/features/talks/coverage-rules.ts';

const ALL: TalkMatrix = { secretaryAll: true, committeeEachOther: true, committeeGroup: true };

const person = (
  name: string,
  o: Partial<Pick<CoveragePerson, 'role' | 'committeePost' | 'partyGroup'>> = {},
): CoveragePerson => ({
  openId: `ou_${name}`,
  name,
  role: o.role ?? 'member',
  committeePost: o.committeePost ?? null,
  partyGroup: o.partyGroup ?? null,
});

// 书记; 组织委员 in 一组; 纪检委员 in 二组; members 甲 乙 (一组, 乙 a 预备党员 — the category plays no part), 丙 (二组).
const sec = person('书记', { role: 'secretary', committeePost: 'secretary' });
const org = person('组织', { role: 'organizer', committeePost: 'organizer', partyGroup: '一组' });
const insp = person('纪检', { role: 'inspector', committeePost: 'inspector', partyGroup: '二组' });
const jia = person('甲', { partyGroup: '一组' });
const yi = person('乙', { partyGroup: '一组' });
const bing = person('丙', { partyGroup: '二组' });
const branch = [sec, org, insp, jia, yi, bing];

/** Pairs as "甲-书记" words, each pair's names and the list in one order, so expectations read in any order. */
const norm = (pairs: readonly string[]) => pairs.map((p) => p.split('-').sort().join('-')).sort();
const pairNames = (people: CoveragePerson[], m: TalkMatrix) =>
  norm([...requiredPairs(people, m).values()].map(([a, b]) => `${a.slice(3)}-${b.slice(3)}`));

const talk = (kind: CoverageTalk['kind'], recorder: CoveragePerson, ...parties: CoveragePerson[]): CoverageTalk => ({
  kind,
  recorder: { openId: recorder.openId },
  parties: parties.map((p) => ({ openId: p.openId })),
});

describe('the pairs owed', () => {
  it('书记 with everyone, 支委 with each other, each 支委 with their own 党小组 — each pair once', () => {
    expect(pairNames(branch, ALL)).toEqual(
      norm(['书记-组织', '书记-纪检', '书记-甲', '书记-乙', '书记-丙', '组织-纪检', '甲-组织', '乙-组织', '丙-纪检']),
    );
  });

  it.each([
    // The 书记 is a 支委 too: 支委互谈 still has them talk with the other 支委.
    ['secretaryAll', ['书记-组织', '书记-纪检', '组织-纪检', '甲-组织', '乙-组织', '丙-纪检']],
    [
      'committeeEachOther',
      ['书记-组织', '书记-纪检', '书记-甲', '书记-乙', '书记-丙', '甲-组织', '乙-组织', '丙-纪检'],
    ],
    ['committeeGroup', ['书记-组织', '书记-纪检', '书记-甲', '书记-乙', '书记-丙', '组织-纪检']],
  ] as const)('with %s off', (key, expected) => {
    expect(pairNames(branch, { ...ALL, [key]: false })).toEqual(norm(expected));
  });

  it('everything off owes nothing', () => {
    expect(pairNames(branch, { secretaryAll: false, committeeEachOther: false, committeeGroup: false })).toEqual([]);
  });

  it('without a register the 书记 is the one with the role, and owes every member', () => {
    const bare = [person('书记', { role: 'secretary' }), person('甲'), person('乙')];
    expect(pairNames(bare, ALL)).toEqual(norm(['书记-乙', '书记-甲']));
    const cov = computeCoverage(bare, ALL, []);
    expect(cov.committee.map((r) => [r.person.name, r.due])).toEqual([['书记', 2]]);
  });

  it('a 支委 outside any 党小组 owes no group; someone who left (not passed in) is owed by nobody', () => {
    const noGroup = { ...org, partyGroup: null };
    expect(pairNames([sec, noGroup, jia], ALL)).toEqual(norm(['书记-甲', '书记-组织']));
    expect(pairNames([sec, org, yi], ALL)).toEqual(norm(['书记-乙', '书记-组织', '乙-组织']));
  });
});

describe('the coverage of a year', () => {
  it('counts a pair covered by a 谈心谈话 or 廉政谈话 between the recorder and each party, in either direction', () => {
    const cov = computeCoverage(branch, ALL, [
      talk('heart', sec, org, insp), // two pairs: 书记-组织, 书记-纪检 (not 组织-纪检)
      talk('integrity', jia, org), // 甲 recorded it: 甲-组织 counts all the same
      talk('pre_appointment', sec, jia), // 任前廉政谈话: not the yearly talk
      talk('reminder', sec, yi),
      talk('holiday', insp, bing),
      talk('heart', yi, yi), // oneself: nothing
    ]);
    expect([cov.due, cov.done]).toEqual([9, 3]);
    expect(rateText(cov.done, cov.due)).toBe('33.3%');
    const rows = Object.fromEntries(cov.committee.map((r) => [r.person.name, [r.due, r.missing.map((p) => p.name)]]));
    expect(rows).toEqual({
      书记: [5, ['甲', '乙', '丙']],
      组织: [4, ['纪检', '乙']],
      纪检: [3, ['组织', '丙']],
    });
    // 支委 in post order: 书记, 组织委员, 纪检委员.
    expect(cov.committee.map((r) => r.person.name)).toEqual(['书记', '组织', '纪检']);
    // A plain member sees their own: 乙 (a 预备党员) is owed by the 书记 and their group's 组织委员.
    expect(cov.of(yi.openId)?.missing.map((p) => p.name)).toEqual(['书记', '组织']);
    expect(cov.of(jia.openId)).toMatchObject({ due: 2 });
    expect(cov.of(jia.openId)?.missing.map((p) => p.name)).toEqual(['书记']);
    expect(cov.of('ou_nobody')).toBeUndefined();
  });

  it('a talk with someone off the register covers nothing owed; all pairs covered reads 100%', () => {
    const stranger = person('外人');
    const small = [sec, jia];
    expect(computeCoverage(small, ALL, [talk('heart', sec, stranger)]).done).toBe(0);
    const full = computeCoverage(small, ALL, [talk('heart', sec, jia)]);
    expect([full.done, rateText(full.done, full.due)]).toEqual([1, '100%']);
    expect(rateText(0, 0)).toBe('—');
    expect(rateText(2, 3)).toBe('66.6%');
  });
});

describe('the last day counted for a year', () => {
  it.each([
    [undefined, '2026-12-31'],
    ['2027-01-15', '2027-01-15'], // the 2026 组织生活会 held in January: its talks up to that day
    ['2027-02-26', '2027-02-26'],
    ['2026-12-31', '2026-12-31'],
    ['2026-06-30', '2026-12-31'], // an earlier date never shortens the year
    ['2027-1-5', '2026-12-31'], // not a date: ignored
  ])('through %s is %s', (through, expected) => {
    expect(yearEnd(2026, through)).toBe(expected);
  });
});

describe('the counted talks and their 确认', () => {
  const at = '2026-05-01T02:00:00.000Z';
  const confirmed = (t: CoverageTalk, ...who: CoveragePerson[]): CoverageTalk => ({
    ...t,
    parties: t.parties.map((p) => ({ ...p, confirmedAt: who.some((w) => w.openId === p.openId) ? at : null })),
  });

  it('counts the talks that cover an owed pair: 双方确认 once every party confirmed; who still has to', () => {
    const cov = computeCoverage(branch, ALL, [
      confirmed(talk('heart', sec, org, insp), org, insp), // 双方确认
      confirmed(talk('heart', sec, jia, yi), jia), // 乙 has not confirmed
      talk('integrity', org, yi), // nobody yet
      talk('pre_appointment', sec, bing), // not counted
      talk('heart', jia, yi), // no owed pair: not counted
    ]);
    expect(cov.confirmations).toEqual({ counted: 3, confirmed: 1, pending: 2 });
    expect(cov.awaiting).toEqual(['乙']);
    // Each person's view: as a party their own 确认; as the recorder every owed party's.
    expect(cov.of(sec.openId)?.confirmations).toEqual({ counted: 2, confirmed: 1, awaitingMe: 0, awaitingOthers: 1 });
    expect(cov.of(yi.openId)?.confirmations).toEqual({ counted: 2, confirmed: 0, awaitingMe: 2, awaitingOthers: 0 });
    expect(cov.of(jia.openId)?.confirmations).toEqual({ counted: 1, confirmed: 1, awaitingMe: 0, awaitingOthers: 0 });
    expect(cov.of(org.openId)?.confirmations).toEqual({ counted: 2, confirmed: 1, awaitingMe: 0, awaitingOthers: 1 });
    expect(cov.of(bing.openId)?.confirmations).toEqual({ counted: 0, confirmed: 0, awaitingMe: 0, awaitingOthers: 0 });
    // Confirmation never changes what is covered: the register counts.
    expect(cov.done).toBe(
      computeCoverage(branch, ALL, [
        talk('heart', sec, org, insp),
        talk('heart', sec, jia, yi),
        talk('integrity', org, yi),
      ]).done,
    );
  });
});

describe('the matrix settings', () => {
  it('defaults every switch on; only an explicit false turns one off', () => {
    expect(talkMatrixOf({})).toEqual(ALL);
    expect(talkMatrixOf({ talkMatrix: { committeeGroup: false, secretaryAll: 'x' } })).toEqual({
      ...ALL,
      committeeGroup: false,
    });
    expect(talkMatrixText({ ...ALL, committeeEachOther: false })).toBe('书记全员 开；支委互谈 关；支委联系小组 开');
  });

  it('reads word pairs over the current matrix and refuses anything else', () => {
    expect(parseMatrixWords(ALL, ['支委联系小组', '关'])).toEqual({ ...ALL, committeeGroup: false });
    expect(parseMatrixWords({ ...ALL, secretaryAll: false }, ['书记全员', '开', '支委互谈', '关闭'])).toEqual({
      ...ALL,
      committeeEachOther: false,
    });
    expect(parseMatrixWords(ALL, ['书记全员'])).toEqual({ problem: '请成对写明项目和“开”或“关”。' });
    expect(parseMatrixWords(ALL, ['全员', '开'])).toMatchObject({
      problem: expect.stringContaining('不认识的谈话覆盖项“全员”'),
    });
    expect(parseMatrixWords(ALL, ['支委互谈', '是'])).toEqual({ problem: '支委互谈应设置为“开”或“关”。' });
  });
});
