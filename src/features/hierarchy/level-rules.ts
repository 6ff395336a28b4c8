/**
 * Which compliance rules an org's level owes (docs/domain.md "Levels"). The half-year 专题会议 and the
 * 理论学习中心组学习 are duties of a 党委（党组）'s 班子; 三会一课, 主题党日 and 组织生活会 are the 支部's
 * (《中国共产党支部工作条例（试行）》（2018年）); the rest (警示教育 …) every level's. An org whose level
 * was never set owes every rule, as before levels existed.
 */
import type { OrgLevel } from '../../db/schema/org.ts';

/** Rule keys owed by a 党委（党组）only. A 民主生活会 rule, when one exists, is the 班子's too. */
const UPPER_ONLY: ReadonlySet<string> = new Set(['special_meeting', 'central_group', 'democratic_life']);

/** Rule keys owed by a 支部 only: 三会一课, 主题党日, 组织生活会. */
const BRANCH_ONLY: ReadonlySet<string> = new Set([
  'general_meeting',
  'committee_meeting',
  'group_meeting',
  'party_lecture',
  'theme_day',
  'life_meeting',
]);

/**
 * 党总支: it stands over 支部 and carries the 主体责任 for them, so it holds the 专题会议 and passes
 * duties down; 三会一课 are its 支部's, where the members are. It has no 理论学习中心组 of its own
 * (the 2017 规则 sets one up in a 党委（党组）), so 中心组学习 is not asked of it either.
 */
const GENERAL_BRANCH_SKIPS: ReadonlySet<string> = new Set(['central_group']);

export function ruleAppliesAt(ruleKey: string, level: OrgLevel | null | undefined): boolean {
  if (level == null) return true;
  if (level === 'branch') return !UPPER_ONLY.has(ruleKey);
  if (BRANCH_ONLY.has(ruleKey)) return false;
  if (level === 'general_branch') return !GENERAL_BRANCH_SKIPS.has(ruleKey);
  return true;
}

/** The rules of `rules` that an org at `level` owes, in their order. */
export function rulesForLevel<R extends { key: string }>(rules: readonly R[], level: OrgLevel | null | undefined): R[] {
  return rules.filter((r) => ruleAppliesAt(r.key, level));
}
