import { describe, expect, it } from 'vitest';
import {
  ballotSubjects,
  ballotVoters,
  countsLine,
  emptyTally,
  isVoter,
  readBallot,
  tallyRows,
} from '../../src/features/life/ballot-rules.ts';

const m = (openId: string, category = 'full', role = 'member') => ({ openId, name: `名${openId}`, role, category });
const members = [m('a', 'full', 'secretary'), m('b'), m('c', 'probationary'), m('d', 'full', 'observer')];
const none = { excellent: [], basic: [], unqualified: [] };

describe('who votes and who is graded', () => {
  it('grades the 正式 and 预备党员 of the 支部; only the 正式党员 vote; observers neither', () => {
    expect(ballotSubjects(members).map((x) => x.openId)).toEqual(['a', 'b', 'c']);
    expect(ballotVoters(members).map((x) => x.openId)).toEqual(['a', 'b']);
    expect(isVoter(members, 'c')).toBe(false);
    expect(isVoter(members, 'd')).toBe(false);
    expect(isVoter(members, 'b')).toBe(true);
  });
});

describe('reading a ballot', () => {
  const subjects = ballotSubjects(members);
  it('grades everyone but the voter: the picked as picked, the rest 合格', () => {
    const r = readBallot({ ...none, excellent: ['b'], unqualified: ['c'] }, subjects, 'a');
    expect('grades' in r && [...r.grades]).toEqual([
      ['b', 'excellent'],
      ['c', 'unqualified'],
    ]);
    const plain = readBallot(none, subjects, 'a');
    expect('grades' in plain && [...plain.grades]).toEqual([
      ['b', 'qualified'],
      ['c', 'qualified'],
    ]);
  });
  it('refuses the voter themself, a non-member, an observer and one person under two grades', () => {
    expect(readBallot({ ...none, excellent: ['a'] }, subjects, 'a')).toEqual({ error: '请不要评议自己。' });
    expect(readBallot({ ...none, basic: ['zz'] }, subjects, 'a')).toHaveProperty('error');
    expect(readBallot({ ...none, basic: ['d'] }, subjects, 'a')).toHaveProperty('error');
    expect(readBallot({ ...none, excellent: ['b'], basic: ['b'] }, subjects, 'a')).toEqual({
      error: '同一名党员只能选择一个等次，请重新选择。',
    });
  });
  it('counts a person picked twice under one grade once', () => {
    const r = readBallot({ ...none, excellent: ['b', 'b'] }, subjects, 'a');
    expect('grades' in r && r.grades.get('b')).toBe('excellent');
  });
});

describe('the tally', () => {
  it('has a row per member graded with every grade counted, 0 when none', () => {
    const rows = tallyRows(ballotSubjects(members), [
      { subject_open_id: 'b', grade: 'excellent', count: 2 },
      { subject_open_id: 'b', grade: 'qualified', count: 1 },
      { subject_open_id: 'x', grade: 'basic', count: 9 },
    ]);
    expect(rows.map((r) => r.openId)).toEqual(['a', 'b', 'c']);
    expect(rows[1]?.counts).toEqual({ excellent: 2, qualified: 1, basic: 0, unqualified: 0 });
    expect(rows[0]?.counts).toEqual({ excellent: 0, qualified: 0, basic: 0, unqualified: 0 });
    const [, b] = rows;
    if (!b) throw new Error('no row b');
    expect(countsLine(b.counts)).toBe('优秀 2 · 合格 1 · 基本合格 0 · 不合格 0');
  });
});

describe('the tally written at 开始', () => {
  it('has every member under every grade', () => {
    expect(emptyTally(['a', 'b'])).toEqual([
      { subject_open_id: 'a', grade: 'excellent' },
      { subject_open_id: 'a', grade: 'qualified' },
      { subject_open_id: 'a', grade: 'basic' },
      { subject_open_id: 'a', grade: 'unqualified' },
      { subject_open_id: 'b', grade: 'excellent' },
      { subject_open_id: 'b', grade: 'qualified' },
      { subject_open_id: 'b', grade: 'basic' },
      { subject_open_id: 'b', grade: 'unqualified' },
    ]);
  });
  it('reads a ballot against the subjects fixed at 开始 (open ids only)', () => {
    const r = readBallot({ ...none, basic: ['b'] }, [{ openId: 'a' }, { openId: 'b' }, { openId: 'c' }], 'a');
    expect('grades' in r && [...r.grades]).toEqual([
      ['b', 'basic'],
      ['c', 'qualified'],
    ]);
    expect(readBallot({ ...none, basic: ['z'] }, [{ openId: 'a' }, { openId: 'b' }], 'a')).toEqual({
      error: '所选人员不是本支部参加评议的党员，请重新选择。',
    });
  });
});
