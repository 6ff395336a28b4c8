/**
 * Importing the members register (党员名册) as a ledger-kit definition: 姓名, 类别 (正式党员 / 预备党员),
 * 党小组, 是否组长 (or 党小组长), 支委职务, 入党日期, 转正日期, 职务. Rows are matched by name to the org's
 * current members; a name not in the org, or borne by two members, is listed with the reason and
 * nothing is created for it (people join by entering the group chat). A blank cell leaves that field
 * as it is, “无” clears it. The preview is decided on each member's row as read then: confirming
 * writes every row in the one transaction of 确认导入, compare-and-set on that version, so a member
 * changed in between (by /党员, say) stops the whole import instead of being overwritten.
 */

import { UserError } from '../../core/errors.ts';
import { POST_LABELS, parseCategory, parsePost } from '../../core/register.ts';
import { findMemberRecord, listMembers } from '../../db/repositories/members.ts';
import { updateRegister } from '../../db/repositories/register.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Member } from '../../db/schema.ts';
import { type Cell, cellDate } from '../../ledger/cells.ts';
import { defineImporter, type RowParser } from '../../ledger/import-kit.ts';
import { reseatMember } from '../meetings/reseat.ts';
import {
  changedFields,
  checkEntry,
  describeEntry,
  entryOf,
  GROUP_MAX,
  POST_MAX,
  type RegisterPatch,
} from './register-rules.ts';
import { lockRegister, postTaken } from './register-service.ts';

export interface RosterRow {
  line: number;
  openId: string;
  name: string;
  /** The member row's version the preview was decided on. */
  version: number;
  patch: RegisterPatch;
}

export const ROSTER_HEADERS = {
  seq: ['序号'],
  name: ['姓名', '党员姓名'],
  category: ['类别', '党员类别', '人员类别', '党员身份'],
  group: ['党小组', '所在党小组', '所属党小组'],
  leader: ['是否组长', '党小组长', '是否党小组长', '组长'],
  committee: ['支委职务', '支部委员会职务', '支委'],
  joined: ['入党日期', '入党时间'],
  confirmed: ['转正日期', '转正时间'],
  post: ['职务', '行政职务', '现任职务'],
} as const;

type RosterField = keyof typeof ROSTER_HEADERS;

/** What each row is checked against: the org's current members by name. */
interface RosterEnv {
  byName: Map<string, Member[]>;
  members: Member[];
}

const NONE = new Set(['无', '-', '—', '/']);
const YES = new Set(['是', '√', '✓', '组长', '党小组长', '1', 'Y', 'y']);
const NO = new Set(['否', '×', '0', 'N', 'n', ...NONE]);

/** A date cell: undefined when blank, null for “无”, the date, or the reason it is no date. */
function dateCell(c: Cell, what: string, today: string): string | null | undefined | { error: string } {
  if (c.text === '' && !c.date && c.number === undefined) return undefined;
  if (NONE.has(c.text)) return null;
  const d = cellDate(c, today);
  if (!d || !/^\d{4}/.test(d)) return { error: `${what}“${c.text}”不是有效日期` };
  if (d > today) return { error: `${what} ${d} 还没有到` };
  return d;
}

/** One data row → the register fields it sets for one member, or why it cannot be imported. */
const parseRosterRow: RowParser<RosterField, RosterRow, RosterEnv> = (get, env, line) => {
  const name = get('name').text;
  if (!name) return '姓名为空';
  const found = env.byName.get(name) ?? [];
  if (found.length === 0) return `“${name}”不在本组织（不在组织的群聊中），已跳过；成员入群后再导入`;
  if (found.length > 1)
    return `本组织有 ${found.length} 位“${name}”，无法确定是哪一位，已跳过；请用 /党员 @某人 逐一设置`;
  const member = found[0] as Member;
  if (member.role === 'observer') return `“${name}”是观察员，不在党员名册中，已跳过`;
  const patch: RegisterPatch = {};
  const categoryText = get('category').text;
  if (categoryText) {
    const category = parseCategory(categoryText);
    if (!category) return `类别“${categoryText}”无法识别（正式党员、预备党员）`;
    patch.category = category;
    if (category === 'probationary') patch.confirmed_on = null;
  }
  const group = get('group').text;
  if (group) {
    if (Array.from(group).length > GROUP_MAX) return `党小组名称太长（最多 ${GROUP_MAX} 个字）`;
    patch.party_group = NONE.has(group) ? null : group;
    if (patch.party_group === null) patch.group_leader = 0;
  }
  const leader = get('leader').text;
  if (leader) {
    if (YES.has(leader) || leader === name) patch.group_leader = 1;
    else if (NO.has(leader)) patch.group_leader = 0;
    else return `是否组长“${leader}”无法识别（是、否）`;
  }
  const committee = get('committee').text;
  if (committee) {
    const post = NONE.has(committee) ? null : parsePost(committee);
    if (post === undefined) return `支委职务“${committee}”无法识别（${Object.values(POST_LABELS).join('、')}、无）`;
    patch.committee_post = post;
  }
  for (const [field, key, what] of [
    ['joined', 'joined_on', '入党日期'],
    ['confirmed', 'confirmed_on', '转正日期'],
  ] as const) {
    const d = dateCell(get(field), what, env.today);
    if (d !== null && typeof d === 'object') return d.error;
    if (d !== undefined) patch[key] = d;
  }
  const post = get('post').text;
  if (post) {
    if (Array.from(post).length > POST_MAX) return `职务太长（最多 ${POST_MAX} 个字）`;
    patch.post = NONE.has(post) ? null : post;
  }
  const problem =
    checkEntry({ ...entryOf(member), ...patch }) ?? postTaken(env.members, member.open_id, patch.committee_post);
  if (problem) return problem.replace(/。$/, '');
  return { key: member.open_id, row: { line, openId: member.open_id, name, version: member.version, patch } };
};

export const rosterImporter = defineImporter<RosterField, RosterRow, RosterEnv>({
  kind: 'roster',
  label: '党员名册',
  headers: ROSTER_HEADERS,
  required: ['name', 'category'],
  load: async (ctx, org) => {
    const members = await listMembers(ctx.db, org.id);
    const byName = new Map<string, Member[]>();
    for (const m of members) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
    return { byName, members };
  },
  parse: parseRosterRow,
  duplicate: (line) => `与第${line}行是同一人`,
  compare: async (_ctx, _org, { row }, env) => {
    const stored = env.byName.get(row.name)?.[0];
    return stored && Object.keys(changedFields(entryOf(stored), row.patch)).length > 0 ? 'updated' : 'unchanged';
  },
  keepUnchanged: false,
  sample: (r, env) => {
    const stored = env.byName.get(r.name)?.[0] as Member;
    return `${r.name}：${describeEntry({ ...entryOf(stored), ...r.patch })}`;
  },
  applyRow: async (ctx, org, r) => {
    // The org's register first (held to the end of 确认导入's transaction): a /党员 giving a post at
    // the same moment waits, so the post checks below see it.
    await lockRegister(ctx, org.id);
    const record = await findMemberRecord(ctx.db, org.id, r.openId);
    const row = record && (await lockRow(ctx.db, 'members', record.id));
    // Left the org since the preview: nothing to write for them.
    if (!row || row.left_at !== null) return 'unchanged';
    if (row.version !== r.version) {
      throw new UserError(
        'stale',
        `预览之后，${row.name}的名册已有更改，本次导入没有写入任何数据。请重新发送名册文件，按新的预览确认。`,
      );
    }
    const before = entryOf(row);
    const diff = changedFields(before, r.patch);
    if (Object.keys(diff).length === 0) return 'unchanged';
    // Two rows of the file giving one post (书记, 组织委员 …): the second stops the import.
    const taken = postTaken(await listMembers(ctx.db, org.id), row.open_id, diff.committee_post);
    if (taken) throw new UserError('conflict', `第${r.line}行：${taken}本次导入没有写入任何数据。`);
    const after = await updateRegister(ctx.db, row, { ...diff, updated_at: ctx.now.toISOString() });
    await ctx.audit({ action: 'member:register', subject: row.open_id, before, after: entryOf(after) });
    await reseatMember(ctx, org.id, row.open_id); // sessions not yet open seat them anew (meetings/reseat.ts)
    return 'updated';
  },
  summary: (c) => `已更新 ${c.updated} 位党员的名册，${c.unchanged} 位无变化。`,
});
