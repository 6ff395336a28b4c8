/**
 * The words of the members register and the org levels (docs/domain.md "Voting and quorum", "Levels"):
 * the labels shown and the words accepted for each stored value (src/db/schema/org.ts).
 */
import type { CommitteePost, MemberCategory, OrgLevel } from '../db/schema/org.ts';

export const CATEGORY_LABELS: Record<MemberCategory, string> = { full: '正式党员', probationary: '预备党员' };

export const POST_LABELS: Record<CommitteePost, string> = {
  secretary: '书记',
  deputy: '副书记',
  organizer: '组织委员',
  inspector: '纪检委员',
  publicity: '宣传委员',
  member: '委员',
};

export const LEVEL_LABELS: Record<OrgLevel, string> = {
  committee: '党委',
  leading_group: '党组',
  organ_committee: '机关党委',
  general_branch: '党总支',
  branch: '党支部',
};

/** Levels over 支部: they hold the 党委（党组）'s duties and may have lower orgs. */
export const UPPER_LEVELS: readonly OrgLevel[] = ['committee', 'leading_group', 'organ_committee', 'general_branch'];

export function isUpperLevel(level: OrgLevel | null | undefined): boolean {
  return level != null && UPPER_LEVELS.includes(level);
}

function lookup<K extends string>(labels: Record<K, string>, extra: Record<string, K>) {
  const map = new Map<string, K>();
  for (const [k, v] of Object.entries(labels) as [K, string][]) map.set(v, k);
  for (const [k, v] of Object.entries(extra)) map.set(k, v);
  return (text: string): K | undefined => map.get(text.trim());
}

/** 正式党员 / 正式 / 预备党员 / 预备. */
export const parseCategory = lookup<MemberCategory>(CATEGORY_LABELS, { 正式: 'full', 预备: 'probationary' });

/** 书记, 副书记, 组织委员, 纪检委员, 宣传委员, 委员 (and 支委 for a 委员 without a named post). */
export const parsePost = lookup<CommitteePost>(POST_LABELS, { 支委: 'member', 支部委员: 'member' });

/** 党委, 党组, 机关党委, 党总支, 党支部 (or 支部). */
export const parseLevel = lookup<OrgLevel>(LEVEL_LABELS, { 支部: 'branch', 总支: 'general_branch' });
