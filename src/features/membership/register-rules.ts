/**
 * The members register's rules (issue 15 item 1), pure: reading an edit typed after `/党员 @某人`,
 * the dates it takes, what an edit changes and whether the entry it leaves is consistent — a
 * 预备党员 has no vote and so holds no 支委 post and no 转正 date (docs/domain.md "Voting and quorum"),
 * 转正 comes after 入党, neither lies in the future. Also the register's counts and rows as shown.
 */
import { CATEGORY_LABELS, POST_LABELS, parseCategory, parsePost } from '../../core/register.ts';
import type { CommitteePost, MemberCategory } from '../../db/schema/org.ts';
import type { Member } from '../../db/schema.ts';

export interface RegisterCounts {
  full: number;
  probationary: number;
  committee: number;
  /** The 党小组 by name, with their members and 组长. */
  groups: { name: string; size: number; leader: string | undefined }[];
  exempt: number;
}

/** One row of the register table, every cell text. */
export interface RegisterRow {
  name: string;
  category: string;
  committee: string;
  group: string;
  joined: string;
  confirmed: string;
  post: string;
  exempt: string;
}

/** The register fields of a member row: what src/db/repositories/register.ts is given to write. */
export type RegisterEntry = Pick<
  Member,
  | 'category'
  | 'committee_post'
  | 'party_group'
  | 'group_leader'
  | 'joined_on'
  | 'confirmed_on'
  | 'post'
  | 'quorum_exempt'
>;

export type RegisterPatch = Partial<RegisterEntry>;

/** Longest stored texts: a 党小组's name, a post at work, a reason for not counting in 应到. */
export const GROUP_MAX = 20;
export const POST_MAX = 30;
export const REASON_MAX = 50;

/** The words that clear a field: `/党员 @张三 支委 无`. */
const NONE = new Set(['无', '没有', '取消', '清除', '-', '—']);

export const REGISTER_USAGE = [
  '/党员',
  '/党员 @张三 预备党员',
  '/党员 @张三 正式党员 转正 2026-11-30',
  '/党员 @张三 支委 组织委员（书记、副书记、纪检委员、宣传委员、委员；“支委 无”为不在支委）',
  '/党员 @张三 党小组 第一党小组 组长（“党小组 无”为不在党小组）',
  '/党员 @张三 入党 2020-07-01',
  '/党员 @张三 职务 办公室主任',
  '/党员 @张三 不计应到 长期病假（“计入应到”为恢复）',
] as const;

/**
 * A date of the register: 2020-07-01, 2020/7/1 or 2020年7月1日, with its year (a 入党 date is never
 * "this year" by default), not after today. Undefined with the reason otherwise.
 */
export function parseRegisterDate(text: string, today: string): { date: string } | { error: string } {
  const t = text.normalize('NFKC').trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t);
  const date = m ? `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}` : '';
  if (!m || !isRealDate(date)) return { error: `“${t}”不是有效日期，请写成 2020-07-01 或 2020年7月1日。` };
  if (date > today) return { error: `${date} 还没有到，名册只记已发生的日期。` };
  return { date };
}

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

/** What `/党员 @某人 <项> <内容>` asks for, as the patch it would make on its own. */
export type RegisterEdit = { field: string; patch: RegisterPatch };

/**
 * Reads `<项> <内容>` (the words after the mention). Returns the patch or the reason it cannot be
 * read; the whole entry is checked afterwards (`checkEntry`) against what is stored.
 */
export function parseRegisterEdit(field: string, rest: string, today: string): RegisterEdit | { error: string } {
  const words = rest.split(/\s+/).filter(Boolean);
  const f = field.normalize('NFKC').trim();
  const category = parseCategory(f);
  if (category) return categoryEdit(category, words, today);
  switch (f) {
    case '转正':
      return categoryEdit('full', ['转正', ...words], today);
    case '支委':
    case '支委职务': {
      if (words.length !== 1)
        return { error: '请写明支委职务：书记、副书记、组织委员、纪检委员、宣传委员或委员（不在支委写“无”）。' };
      const word = words[0] as string;
      if (NONE.has(word)) return { field: '支委职务', patch: { committee_post: null } };
      const post = parsePost(word);
      if (!post) return { error: `不认识的支委职务“${word}”。可用：${Object.values(POST_LABELS).join('、')}。` };
      return { field: '支委职务', patch: { committee_post: post } };
    }
    case '党小组': {
      const leader = words.length > 1 && words[words.length - 1] === '组长';
      const name = (leader ? words.slice(0, -1) : words).join(' ');
      if (!name) return { error: '请写明党小组名称（不在党小组写“无”）。' };
      if (NONE.has(name)) return { field: '党小组', patch: { party_group: null, group_leader: 0 } };
      if (Array.from(name).length > GROUP_MAX) return { error: `党小组名称太长（最多 ${GROUP_MAX} 个字）。` };
      return { field: '党小组', patch: { party_group: name, group_leader: leader ? 1 : 0 } };
    }
    case '入党':
    case '入党日期': {
      const d = parseRegisterDate(words.join(''), today);
      return 'error' in d ? d : { field: '入党日期', patch: { joined_on: d.date } };
    }
    case '职务': {
      const post = words.join(' ');
      if (!post) return { error: '请写明职务（清除写“无”）。' };
      if (Array.from(post).length > POST_MAX) return { error: `职务太长（最多 ${POST_MAX} 个字）。` };
      return { field: '职务', patch: { post: NONE.has(post) ? null : post } };
    }
    case '不计应到': {
      const reason = words.join(' ');
      if (!reason) return { error: '请写明不计入党员大会应到人数的理由（经支部同意的，如长期病假、出国）。' };
      if (Array.from(reason).length > REASON_MAX) return { error: `理由太长（最多 ${REASON_MAX} 个字）。` };
      return { field: '不计应到', patch: { quorum_exempt: reason } };
    }
    case '计入应到':
      if (words.length > 0) return { error: '“计入应到”后不需要其他内容。' };
      return { field: '不计应到', patch: { quorum_exempt: null } };
    default:
      return { error: `不认识的名册项“${f}”。` };
  }
}

/** 正式党员 / 预备党员, and for 正式党员 an optional `转正 <日期>`. A 预备党员 has no 转正 date yet. */
function categoryEdit(category: MemberCategory, words: string[], today: string): RegisterEdit | { error: string } {
  if (category === 'probationary') {
    if (words.length > 0) return { error: '“预备党员”后不需要其他内容。' };
    return { field: '类别', patch: { category, confirmed_on: null } };
  }
  if (words.length === 0) return { field: '类别', patch: { category } };
  if (words[0] !== '转正' || words.length < 2) return { error: '转正日期请写成：正式党员 转正 2026-11-30。' };
  const d = parseRegisterDate(words.slice(1).join(''), today);
  return 'error' in d ? d : { field: '类别', patch: { category, confirmed_on: d.date } };
}

/** Why an entry cannot stand, or undefined when it is consistent. */
export function checkEntry(e: RegisterEntry): string | undefined {
  if (e.category === 'probationary' && e.committee_post) {
    return '预备党员没有表决权、选举权和被选举权，不能担任支委。请先登记为正式党员，或先把支委职务设为“无”。';
  }
  if (e.category === 'probationary' && e.confirmed_on) return '预备党员还没有转正，不能有转正日期。';
  if (e.joined_on && e.confirmed_on && e.confirmed_on < e.joined_on) {
    return `转正日期 ${e.confirmed_on} 早于入党日期 ${e.joined_on}。`;
  }
  if (e.group_leader && !e.party_group) return '党小组组长需要先有党小组。';
  return undefined;
}

/** The fields a patch really changes (nothing when the entry already says so). */
export function changedFields(before: RegisterEntry, patch: RegisterPatch): RegisterPatch {
  const out: RegisterPatch = {};
  for (const [k, v] of Object.entries(patch) as [keyof RegisterEntry, unknown][]) {
    if (before[k] !== v) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The register fields of a row, for audit rows and comparisons. */
export function entryOf(m: RegisterEntry): RegisterEntry {
  return {
    category: m.category,
    committee_post: m.committee_post,
    party_group: m.party_group,
    group_leader: m.group_leader,
    joined_on: m.joined_on,
    confirmed_on: m.confirmed_on,
    post: m.post,
    quorum_exempt: m.quorum_exempt,
  };
}

/** "预备党员", "正式党员（2026-11-30 转正）", "支委：组织委员" … — one entry in words, for replies. */
export function describeEntry(e: RegisterEntry): string {
  const parts = [CATEGORY_LABELS[e.category] + (e.confirmed_on ? `（${e.confirmed_on} 转正）` : '')];
  if (e.committee_post) parts.push(`支委：${POST_LABELS[e.committee_post]}`);
  if (e.party_group) parts.push(`党小组：${e.party_group}${e.group_leader ? '（组长）' : ''}`);
  if (e.joined_on) parts.push(`入党：${e.joined_on}`);
  if (e.post) parts.push(`职务：${e.post}`);
  if (e.quorum_exempt) parts.push(`不计应到：${e.quorum_exempt}`);
  return parts.join('；');
}

// ---------------------------------------------------------------------------------------------
// The register as shown

/** The 支委 first (书记, 副书记 … 委员), then by 党小组 (组长 first), then in the order they joined the org. */
const POST_ORDER: readonly CommitteePost[] = ['secretary', 'deputy', 'organizer', 'inspector', 'publicity', 'member'];

const DIGITS = '一二三四五六七八九';

/** 第一 … 第二十三 as numbers, so that 党小组 sort 第一, 第二 … 第十 (not by 拼音 or code point). */
function numeralOf(cn: string): string {
  const digit = (c: string | undefined) => (c ? DIGITS.indexOf(c) + 1 : 0);
  const at = cn.indexOf('十');
  const n = at < 0 ? digit(cn) : (at === 0 ? 1 : digit(cn[at - 1])) * 10 + digit(cn[at + 1]);
  return String(n).padStart(3, '0');
}

/** How 党小组 names compare: numbers (Chinese or not) by value, the rest as Chinese text. */
export function compareGroups(a: string, b: string): number {
  const key = (s: string) =>
    s.replace(/[一二三四五六七八九十]+/g, numeralOf).replace(/\d+/g, (d) => d.padStart(3, '0'));
  return key(a).localeCompare(key(b), 'zh');
}

export function sortRegister<M extends RegisterEntry & { id: number }>(members: readonly M[]): M[] {
  const post = (m: M) => (m.committee_post ? POST_ORDER.indexOf(m.committee_post) : POST_ORDER.length);
  return [...members].sort(
    (a, b) =>
      post(a) - post(b) ||
      (a.party_group === b.party_group
        ? 0
        : !a.party_group
          ? 1
          : !b.party_group
            ? -1
            : compareGroups(a.party_group, b.party_group)) ||
      b.group_leader - a.group_leader ||
      a.id - b.id,
  );
}

export function registerCounts(members: readonly (RegisterEntry & { name: string })[]): RegisterCounts {
  const groups = new Map<string, { name: string; size: number; leader: string | undefined }>();
  for (const m of members) {
    if (!m.party_group) continue;
    const g = groups.get(m.party_group) ?? { name: m.party_group, size: 0, leader: undefined };
    g.size++;
    if (m.group_leader) g.leader = m.name;
    groups.set(m.party_group, g);
  }
  return {
    full: members.filter((m) => m.category === 'full').length,
    probationary: members.filter((m) => m.category === 'probationary').length,
    committee: members.filter((m) => m.committee_post).length,
    groups: [...groups.values()].sort((a, b) => compareGroups(a.name, b.name)),
    exempt: members.filter((m) => m.quorum_exempt).length,
  };
}

export function registerRow(m: RegisterEntry & { name: string }): RegisterRow {
  return {
    name: m.name,
    category: CATEGORY_LABELS[m.category],
    committee: m.committee_post ? POST_LABELS[m.committee_post] : '',
    group: m.party_group ? `${m.party_group}${m.group_leader ? '（组长）' : ''}` : '',
    joined: m.joined_on ?? '',
    confirmed: m.confirmed_on ?? '',
    post: m.post ?? '',
    exempt: m.quorum_exempt ?? '',
  };
}
