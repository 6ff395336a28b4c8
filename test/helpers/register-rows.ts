/**
 * Register rows for the meeting rules' unit tests (src/features/meetings/attendance-rules.ts): one row
 * (`ou_7`, 党员7, a 正式党员 with no post unless told), and the 10-member 支部 those tests count over —
 * 1 李书记, 8 on 长期病假 (不计应到), 9 and 10 预备党员, 11 an 上级观察员 — with each spec's 支委 posts and
 * 党小组 laid over it.
 */
import type { RegisterRow } from '../../src/features/meetings/attendance-rules.ts';

/** Member `i`: open id `ou_i`, named 党员i, a 正式党员 and plain member unless `o` says otherwise. */
export const registerRow = (i: number, o: Partial<RegisterRow> = {}): RegisterRow => ({
  open_id: `ou_${i}`,
  name: `党员${i}`,
  role: 'member',
  category: 'full',
  committee_post: null,
  party_group: null,
  quorum_exempt: null,
  ...o,
});

/** Who 1 and 8–11 are in every spec's 支部. */
const BASE: Record<number, Partial<RegisterRow>> = {
  1: { role: 'secretary', committee_post: 'secretary', name: '李书记' },
  8: { quorum_exempt: '长期病假' },
  9: { category: 'probationary' },
  10: { category: 'probationary' },
  11: { role: 'observer', name: '上级观察员' },
};

/** Members 1–11 in order, the spec's changes (by member number) laid over the common ones. */
export function tenMemberBranch(over: Record<number, Partial<RegisterRow>> = {}): RegisterRow[] {
  return Array.from({ length: 11 }, (_x, k) => registerRow(k + 1, { ...BASE[k + 1], ...over[k + 1] }));
}
