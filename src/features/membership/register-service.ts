/**
 * The members register (issue 15 item 1): showing it and changing one member's entry. A change is
 * decided on the member row read under its lock and written as a compare-and-set on its version
 * (src/db/repositories/register.ts), with an audit row holding the entry before and after. Roles
 * stay the permissions; the register says who votes (正式党员), who sits on the 支委 and in which 党小组.
 */
import { pagePosition } from '../../cards/paging.ts';
import type { Card } from '../../core/card.ts';
import type { BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { POST_LABELS } from '../../core/register.ts';
import { findMember, listMembers } from '../../db/repositories/members.ts';
import { updateRegister } from '../../db/repositories/register.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Member, Org } from '../../db/schema.ts';
import { reseatMember } from '../meetings/reseat.ts';
import { promptForPost } from '../talks/coverage.ts';
import { buildRegisterCard, REGISTER_PAGE_ROWS } from './register-card.ts';
import {
  changedFields,
  checkEntry,
  entryOf,
  type RegisterEntry,
  type RegisterPatch,
  registerCounts,
  registerRow,
  sortRegister,
} from './register-rules.ts';

/** The org's 党员 as the register lists them: current members, observers (from above) left out. */
export async function registerMembers(ctx: Pick<BaseContext, 'db'>, org: Org): Promise<Member[]> {
  return sortRegister((await listMembers(ctx.db, org.id)).filter((m) => m.role !== 'observer'));
}

export async function registerCard(ctx: Pick<BaseContext, 'db'>, org: Org, page: number): Promise<Card> {
  const members = await registerMembers(ctx, org);
  const at = pagePosition(page, members.length, REGISTER_PAGE_ROWS);
  const rows = members.slice((at.page - 1) * REGISTER_PAGE_ROWS, at.page * REGISTER_PAGE_ROWS).map(registerRow);
  return buildRegisterCard({ orgId: org.id, orgName: org.name, counts: registerCounts(members), rows, ...at });
}

/** Posts of the 支委 one person holds (a 支部 has one 书记, one 组织委员 …; 委员 may be several). */
const SINGLE_POSTS = new Set(['secretary', 'deputy', 'organizer', 'inspector', 'publicity']);

/** Why this post cannot be given to `openId` (someone else holds it), or undefined. */
export function postTaken(
  members: readonly Pick<Member, 'open_id' | 'name' | 'committee_post'>[],
  openId: string,
  post: Member['committee_post'] | undefined,
): string | undefined {
  if (!post || !SINGLE_POSTS.has(post)) return undefined;
  const holder = members.find((m) => m.open_id !== openId && m.committee_post === post);
  return holder
    ? `${POST_LABELS[post]}已由${holder.name}担任。请先把${holder.name}的支委职务改为其他职务或“无”，再设置。`
    : undefined;
}

/** Serialises the register changes of one org (/党员, /角色 预备党员, 确认导入) for the transaction. */
export async function lockRegister(ctx: Pick<BaseContext, 'db'>, orgId: number): Promise<void> {
  await lockRow(ctx.db, 'orgs', orgId);
}

export interface RegisterChange {
  member: Member;
  before: RegisterEntry;
  after: RegisterEntry;
  /** False when the entry already said so (nothing written). */
  changed: boolean;
}

/**
 * Applies `patch` to the current member `openId` of `org`: locked, checked as a whole, written once.
 * Refused (UserError) when they are no member, an observer, or the entry would not stand. The org's row
 * is locked first: a named 支委 post is checked against the other members, so two changes giving it
 * to two people at once run one after the other and the second sees the first.
 */
export async function changeRegister(
  ctx: BaseContext,
  org: Org,
  who: { openId: string; name: string },
  patch: RegisterPatch,
): Promise<RegisterChange> {
  await lockRegister(ctx, org.id);
  const found = await findMember(ctx.db, org.id, who.openId);
  const row = found && (await lockRow(ctx.db, 'members', found.id));
  if (!row || row.left_at !== null) {
    throw new UserError('not_found', `${who.name || '此人'}不是「${org.name}」的成员（不在组织的群聊中）。`);
  }
  if (row.role === 'observer') throw new UserError('conflict', `${row.name}是观察员，不在本组织的党员名册中。`);
  const before = entryOf(row);
  const diff = changedFields(before, patch);
  if (Object.keys(diff).length === 0) return { member: row, before, after: before, changed: false };
  const after = { ...before, ...diff };
  const problem = checkEntry(after) ?? postTaken(await listMembers(ctx.db, org.id), row.open_id, diff.committee_post);
  if (problem) throw new UserError('conflict', problem);
  const member = await updateRegister(ctx.db, row, { ...diff, updated_at: ctx.now.toISOString() });
  await ctx.audit({ action: 'member:register', subject: row.open_id, before, after: entryOf(member) });
  await reseatMember(ctx, org.id, row.open_id); // sessions not yet open seat them anew (meetings/reseat.ts)
  await promptForPost(ctx, org, { openId: row.open_id, name: member.name }, diff.committee_post); // 任前廉政谈话
  return { member, before, after: entryOf(member), changed: true };
}
