/**
 * 民主评议党员 (issue 16 item 3), pure: who votes, whom each votes on, a ballot read from its form and
 * the tally as shown. A ballot names the members graded 优秀, 基本合格 or 不合格; everyone else it
 * covers counts as 合格, so one small form serves a 支部 of any size.
 */
import { APPRAISAL_GRADES, type AppraisalGrade } from '../../db/schema/life.ts';

export const GRADE_LABELS: Record<AppraisalGrade, string> = {
  excellent: '优秀',
  qualified: '合格',
  basic: '基本合格',
  unqualified: '不合格',
};

/** The grades a ballot picks people for; the rest are 合格. */
export const PICKED_GRADES = ['excellent', 'basic', 'unqualified'] as const;

export interface BallotMember {
  openId: string;
  name: string;
  role: string;
  category: string;
}

/** Those graded: the current 党员, 正式 and 预备 (observers from above are not of this 支部). */
export const ballotSubjects = <M extends BallotMember>(members: readonly M[]): M[] =>
  members.filter((m) => m.role !== 'observer');

/** Those who vote: the 正式党员 (预备党员 have no vote, 《中国共产党章程》第七条). */
export const ballotVoters = <M extends BallotMember>(members: readonly M[]): M[] =>
  ballotSubjects(members).filter((m) => m.category === 'full');

export const isVoter = (members: readonly BallotMember[], openId: string): boolean =>
  ballotVoters(members).some((m) => m.openId === openId);

/** A ballot as submitted: the open ids picked per grade (the form's three pickers). */
export type BallotPicks = Record<(typeof PICKED_GRADES)[number], readonly string[]>;

/**
 * The grade of every member the voter grades (everyone but the voter), or why the ballot is refused:
 * a pick who is not a member being graded, or one person picked for two grades.
 */
export function readBallot(
  picks: BallotPicks,
  subjects: readonly Pick<BallotMember, 'openId'>[],
  voter: string,
): { grades: Map<string, AppraisalGrade> } | { error: string } {
  const graded = subjects.filter((m) => m.openId !== voter);
  const known = new Set(graded.map((m) => m.openId));
  const grades = new Map<string, AppraisalGrade>();
  for (const grade of PICKED_GRADES) {
    for (const id of new Set(picks[grade])) {
      if (id === voter) return { error: '请不要评议自己。' };
      if (!known.has(id)) return { error: '所选人员不是本支部参加评议的党员，请重新选择。' };
      if (grades.has(id)) return { error: '同一名党员只能选择一个等次，请重新选择。' };
      grades.set(id, grade);
    }
  }
  for (const m of graded) if (!grades.has(m.openId)) grades.set(m.openId, 'qualified');
  return { grades };
}

export interface TallyRow {
  openId: string;
  name: string;
  counts: Record<AppraisalGrade, number>;
}

/** One row per member graded, in the register's order, with a count for every grade (0 when none). */
export function tallyRows(
  subjects: readonly Pick<BallotMember, 'openId' | 'name'>[],
  tallies: readonly { subject_open_id: string; grade: AppraisalGrade; count: number }[],
): TallyRow[] {
  return subjects.map((m) => {
    const counts = Object.fromEntries(APPRAISAL_GRADES.map((g) => [g, 0])) as Record<AppraisalGrade, number>;
    for (const t of tallies) if (t.subject_open_id === m.openId) counts[t.grade] += t.count;
    return { openId: m.openId, name: m.name, counts };
  });
}

/** Every (member, grade) pair of a ballot's tally, each counted 0: the rows written when it opens. */
export const emptyTally = (subjectOpenIds: readonly string[]): { subject_open_id: string; grade: AppraisalGrade }[] =>
  subjectOpenIds.flatMap((id) => APPRAISAL_GRADES.map((grade) => ({ subject_open_id: id, grade })));

/** 优秀 3 · 合格 5 · 基本合格 0 · 不合格 0 */
export const countsLine = (counts: Record<AppraisalGrade, number>): string =>
  APPRAISAL_GRADES.map((g) => `${GRADE_LABELS[g]} ${counts[g]}`).join(' · ');
