/**
 * The hierarchy (issue 15 item 3): an org's level, and the links by which an upper org (党委, 党组,
 * 机关党委, 党总支) takes an org under it. The upper org's admins ask; the lower org's admins agree on
 * the card in their own group (BOT_ADMINS link directly); only the upper org ends the link, and only it
 * changes a lower org's level (else a 支部 could make itself a 党委 and leave its 党委's oversight). Every
 * decision is a compare-and-set on the org_links row, so two admins pressing 同意 at once act once, and
 * the link is written only on an org without a parent, so two 党委 accepted at once link one. Every
 * change is audited and both groups are told. Nothing here shows one lower org to another.
 */
import type { Kysely } from 'kysely';
import { plain, textMessage } from '../../cards/text.ts';
import type { ActionAnswer } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Outgoing } from '../../core/message.ts';
import { isUpperLevel, LEVEL_LABELS } from '../../core/register.ts';
import { findMemberRecord } from '../../db/repositories/members.ts';
import { listAncestors, listChildren, setOrgLevel, setParent } from '../../db/repositories/org-tree.ts';
import { findOrgById, findOrgByName, listOrgChats } from '../../db/repositories/orgs.ts';
import { lockRow, updateVersioned } from '../../db/repositories/versioned.ts';
import type { OrgLevel } from '../../db/schema/org.ts';
import type { Database, Org } from '../../db/schema.ts';
import { formatLocal } from '../../domain/time.ts';
import { isUpperOrg, requireUpperAdmin } from './access.ts';
import { buildChildrenCard, buildLinkRequestCard, buildOrgCard, type ChildRow } from './link-card.ts';

const levelLabel = (l: OrgLevel | null) => (l ? LEVEL_LABELS[l] : '未设置');
const name = (o: Pick<Org, 'name'>) => plain(o.name, 50);

/** Tells an org's main group (its first bound chat); an org without a group hears nothing. */
async function tell(ctx: ActingContext, orgId: number, message: Outgoing): Promise<void> {
  const chat = (await listOrgChats(ctx.db, orgId))[0];
  if (chat) await ctx.outbox.send({ chatId: chat.chatId }, message, { orgId });
}

async function childRows(db: Kysely<Database>, children: readonly Org[]): Promise<ChildRow[]> {
  if (children.length === 0) return [];
  const ids = children.map((c) => c.id);
  const counts = await db
    .selectFrom('members')
    .select(['org_id', db.fn.countAll<number>().as('n')])
    .where('org_id', 'in', ids)
    .where('left_at', 'is', null)
    .groupBy('org_id')
    .execute();
  const byOrg = new Map(counts.map((c) => [c.org_id, Number(c.n)]));
  const chats = await db
    .selectFrom('chat_bindings')
    .select(['org_id', 'chat_name'])
    .where('org_id', 'in', ids)
    .orderBy('bound_at')
    .execute();
  return children.map((c) => ({
    name: c.name,
    level: levelLabel(c.level),
    chats: chats.filter((x) => x.org_id === c.id).map((x) => x.chat_name ?? '（未命名群聊）'),
    members: byOrg.get(c.id) ?? 0,
  }));
}

/** /组织: this org, its parent's name, and — for an org over others — its lower orgs. Never a sibling. */
export async function orgView(db: Kysely<Database>, org: Org): Promise<Outgoing> {
  const parent = org.parent_id !== null ? await findOrgById(db, org.parent_id) : undefined;
  const upper = await isUpperOrg(db, org);
  return {
    type: 'card',
    card: buildOrgCard({
      name: org.name,
      level: levelLabel(org.level),
      parentName: parent?.name,
      ...(upper ? { children: await childRows(db, await listChildren(db, org.id)) } : {}),
    }),
  };
}

/** /组织 下级: the lower orgs, for the upper org's admins. */
export async function childrenView(ctx: ActingContext): Promise<Outgoing> {
  const upper = await requireUpperAdmin(ctx);
  const rows = await childRows(ctx.db, await listChildren(ctx.db, upper.id));
  return { type: 'card', card: buildChildrenCard({ name: upper.name, children: rows }) };
}

/** Why an org under another may not act on its own place in the hierarchy: the upper org decides. */
async function underUpper(db: Kysely<Database>, org: Org, what: '级别' | '退出'): Promise<UserError | undefined> {
  const upper = org.parent_id !== null ? await findOrgById(db, org.parent_id) : undefined;
  if (!upper) return undefined;
  const remove = `/组织 下级 移除 ${name(org)}`;
  return new UserError(
    'forbidden',
    what === '级别'
      ? `本组织隶属「${name(upper)}」，级别由上级组织调整：请「${name(upper)}」的书记、副书记、纪检委员或组织委员先将本组织移除（${remove}），再设置级别；或请系统管理员调整。`
      : `本组织隶属「${name(upper)}」，是否退出由上级组织决定：请「${name(upper)}」的书记、副书记、纪检委员或组织委员在其群聊中发送 ${remove}。`,
  );
}

/**
 * /组织 级别 党委: a 支部 with lower orgs must let them go first (a 支部 has none); an org under another
 * keeps the level its upper org knows it by (only BOT_ADMINS change it there).
 */
export async function setLevel(ctx: ActingContext, org: Org, level: OrgLevel): Promise<Outgoing> {
  if (org.level === level) return textMessage`「${name(org)}」的级别已是${LEVEL_LABELS[level]}。`;
  if (!ctx.actor.isBotAdmin) {
    const refusal = await underUpper(ctx.db, org, '级别');
    if (refusal) throw refusal;
  }
  if (!isUpperLevel(level) && (await listChildren(ctx.db, org.id)).length > 0) {
    throw new UserError(
      'conflict',
      `「${name(org)}」还有下级组织，党支部不能有下级组织。请先用 /组织 下级 移除 组织名称 移除下级组织。`,
    );
  }
  await setOrgLevel(ctx.db, org.id, level);
  await ctx.audit({ action: 'org:level', subject: String(org.id), before: { level: org.level }, after: { level } });
  const owes = isUpperLevel(level)
    ? '合规日历按党委（党组）的职责提醒：全面从严治党专题会议等；三会一课、主题党日由下级党支部开展。'
    : '合规日历按党支部的职责提醒：三会一课、主题党日、组织生活会等。';
  return textMessage`已将「${name(org)}」的级别设为${LEVEL_LABELS[level]}。${owes}`;
}

/** The lower org named `childName`, checked to be linkable under `upper`. */
async function linkable(db: Kysely<Database>, upper: Org, childName: string): Promise<Org> {
  const usage = `请在该组织的群聊中由群主发送 /绑定 ${plain(childName, 50)}，再回到本群发送 /组织 下级 添加 ${plain(childName, 50)}。`;
  const child = await findOrgByName(db, childName);
  if (!child) throw new UserError('not_found', `没有找到组织「${plain(childName, 50)}」。`, usage);
  if ((await listOrgChats(db, child.id)).length === 0) {
    throw new UserError('not_found', `组织「${name(child)}」尚未绑定群聊。`, usage);
  }
  if (child.id === upper.id) throw new UserError('bad_args', '不能把本组织设为自己的下级组织。');
  if (child.parent_id === upper.id) throw new UserError('conflict', `「${name(child)}」已是本组织的下级组织。`);
  if (child.parent_id !== null) {
    throw new UserError(
      'conflict',
      `「${name(child)}」已有上级组织，须先由其上级组织用 /组织 下级 移除 ${name(child)} 移除，然后才能添加。`,
    );
  }
  if ((await listAncestors(db, upper)).some((a) => a.id === child.id)) {
    throw new UserError('conflict', `「${name(child)}」是本组织的上级组织，不能再设为下级组织（会形成循环）。`);
  }
  return child;
}

/**
 * Makes the link: parent_id set only while the child has none (cycles refused), a 支部 level for a lower
 * org without one. Throwing rolls the handler's transaction back: nothing changes.
 */
async function link(ctx: ActingContext, upper: Org, child: Org): Promise<void> {
  if (!(await setParent(ctx.db, child.id, upper.id))) {
    const now = await findOrgById(ctx.db, child.id);
    const other = now?.parent_id != null ? await findOrgById(ctx.db, now.parent_id) : undefined;
    if (other) {
      throw new UserError(
        'conflict',
        `「${name(child)}」已是「${name(other)}」的下级组织，本次没有更改；如需改隶，须先由「${name(other)}」移除。`,
      );
    }
    throw new UserError('conflict', `不能把「${name(child)}」设为「${name(upper)}」的下级组织（会形成循环）。`);
  }
  if (child.level === null) await setOrgLevel(ctx.db, child.id, 'branch');
}

/** /组织 下级 添加 第一党支部: a request to the lower org's group, or (BOT_ADMINS) the link itself. */
export async function requestLink(ctx: ActingContext, childName: string): Promise<Outgoing> {
  const upper = await requireUpperAdmin(ctx);
  if (!isUpperLevel(upper.level)) {
    throw new UserError(
      'forbidden',
      `「${name(upper)}」的级别${upper.level ? '是党支部' : '尚未设置'}，党支部不能有下级组织。`,
      '请先设置本组织的级别：/组织 级别 党委（或 党组、机关党委、党总支）',
    );
  }
  const child = await linkable(ctx.db, upper, childName);
  const at = ctx.now.toISOString();
  if (ctx.actor.isBotAdmin) {
    await link(ctx, upper, child);
    const row = await ctx.db
      .insertInto('org_links')
      .values({
        parent_id: upper.id,
        child_id: child.id,
        status: 'accepted',
        requested_by: ctx.actor.openId,
        requested_at: at,
        answered_by: ctx.actor.openId,
        answered_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.audit({ action: 'org:link', subject: String(row.id), after: { parent: upper.id, child: child.id } });
    await tell(ctx, child.id, textMessage`系统管理员已将本组织设为「${name(upper)}」的下级组织。`);
    return textMessage`已将「${name(child)}」设为「${name(upper)}」的下级组织。`;
  }
  const pending = await ctx.db
    .selectFrom('org_links')
    .select('id')
    .where('parent_id', '=', upper.id)
    .where('child_id', '=', child.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (pending) throw new UserError('conflict', `已向「${name(child)}」发送过请求，请等待其管理员处理。`);
  const row = await ctx.db
    .insertInto('org_links')
    .values({
      parent_id: upper.id,
      child_id: child.id,
      status: 'pending',
      requested_by: ctx.actor.openId,
      requested_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await ctx.audit({
    action: 'org:link-request',
    subject: String(row.id),
    after: { parent: upper.id, child: child.id },
  });
  await tell(ctx, child.id, {
    type: 'card',
    card: buildLinkRequestCard({
      linkId: row.id,
      version: row.version,
      childId: child.id,
      childName: child.name,
      upperName: upper.name,
      upperLevel: levelLabel(upper.level),
      requestedAt: formatLocal(ctx.now, ctx.settings.timezone),
    }),
  });
  return textMessage`已向「${name(child)}」的群聊发送请求，待其书记、副书记、纪检委员或组织委员同意后生效。`;
}

/** 同意 / 拒绝 on the request card, by an admin of the lower org (the router checked the role in it). */
export async function answerLink(
  ctx: ActingContext & { org: Org },
  v: { l: number; k: 'ok' | 'no'; ver: number },
): Promise<ActionAnswer> {
  const row = await lockRow(ctx.db, 'org_links', v.l);
  if (!row || row.child_id !== ctx.org.id) throw new UserError('not_found', '没有找到这条下级组织请求。');
  const upper = await findOrgById(ctx.db, row.parent_id);
  if (!upper) throw new UserError('not_found', '提出请求的组织已不存在。');
  const tz = ctx.settings.timezone;
  const draw = (r: typeof row, by: string) =>
    buildLinkRequestCard({
      linkId: r.id,
      version: r.version,
      childId: ctx.org.id,
      childName: ctx.org.name,
      upperName: upper.name,
      upperLevel: levelLabel(upper.level),
      requestedAt: formatLocal(new Date(r.requested_at), tz),
      // Once answered the card shows the answer, whatever came after (a later 移除 keeps 已同意).
      ...(r.status !== 'pending'
        ? {
            answer: {
              accepted: r.status === 'accepted' || r.status === 'removed',
              by,
              at: formatLocal(new Date(r.answered_at ?? r.requested_at), tz),
            },
          }
        : {}),
    });
  if (row.status !== 'pending' || row.version !== v.ver) {
    const by = row.answered_by ? (await findMemberRecord(ctx.db, ctx.org.id, row.answered_by))?.name : undefined;
    return {
      toast: { type: 'warning', content: '该请求已处理，卡片已刷新为最新状态。' },
      card: draw(row, by || '管理员'),
    };
  }
  const accepted = v.k === 'ok';
  if (accepted) {
    // Already under this upper org (a BOT_ADMIN linked it meanwhile): the answer is recorded, nothing
    // else; under another, link() refuses — the write itself decides when two 同意 race.
    const child = (await findOrgById(ctx.db, ctx.org.id)) as Org;
    if (child.parent_id !== upper.id) await link(ctx, upper, child);
  }
  const at = ctx.now.toISOString();
  const after = await updateVersioned(ctx.db, 'org_links', row, {
    status: accepted ? 'accepted' : 'declined',
    answered_by: ctx.actor.openId,
    answered_at: at,
  });
  await ctx.audit({
    action: accepted ? 'org:link-accept' : 'org:link-decline',
    subject: String(row.id),
    before: { status: row.status },
    after: { status: after.status, parent: upper.id, child: ctx.org.id },
  });
  const who = ctx.actor.name || '管理员';
  await tell(
    ctx,
    upper.id,
    accepted
      ? textMessage`「${name(ctx.org)}」已同意成为本组织的下级组织。`
      : textMessage`「${name(ctx.org)}」拒绝了成为本组织下级组织的请求。`,
  );
  if (accepted) await tell(ctx, ctx.org.id, textMessage`本组织已成为「${name(upper)}」的下级组织。`);
  return {
    toast: { type: 'success', content: accepted ? '已同意' : '已拒绝' },
    card: draw(after, who),
  };
}

/** Ends the link of `child` to its parent `upper`: parent cleared, the link row 'removed', both told. */
async function unlink(ctx: ActingContext, upper: Org, child: Org, by: 'upper' | 'lower'): Promise<void> {
  const accepted = await ctx.db
    .selectFrom('org_links')
    .select('id')
    .where('parent_id', '=', upper.id)
    .where('child_id', '=', child.id)
    .where('status', '=', 'accepted')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const row = accepted ? await lockRow(ctx.db, 'org_links', accepted.id) : undefined;
  if (row && row.status === 'accepted') {
    // Who agreed and when stay on the row; who removed it is in the audit log.
    await updateVersioned(ctx.db, 'org_links', row, { status: 'removed' });
  }
  await setParent(ctx.db, child.id, null);
  await ctx.audit({
    action: 'org:unlink',
    subject: row ? String(row.id) : String(child.id),
    before: { parent: upper.id, child: child.id },
    after: { parent: null, by },
  });
  await tell(ctx, upper.id, textMessage`「${name(child)}」已不再是本组织的下级组织。`);
  await tell(ctx, child.id, textMessage`本组织已不再是「${name(upper)}」的下级组织。`);
}

/** /组织 下级 移除 第一党支部, by the upper org's admins. */
export async function removeChild(ctx: ActingContext, childName: string): Promise<Outgoing> {
  const upper = await requireUpperAdmin(ctx);
  const child = (await listChildren(ctx.db, upper.id)).find((c) => c.name === childName.trim());
  if (!child) {
    throw new UserError('not_found', `「${plain(childName, 50)}」不是本组织的下级组织。`, '查看下级组织：/组织 下级');
  }
  await unlink(ctx, upper, child, 'upper');
  return textMessage`已移除下级组织「${name(child)}」。`;
}

/**
 * /组织 上级 退出: leaving is the upper org's decision (/组织 下级 移除), so a lower org's own admins are
 * told who decides and nothing changes; BOT_ADMINS (IT staff) may still undo a wrong link from here.
 */
export async function leaveParent(ctx: ActingContext & { org: Org }): Promise<Outgoing> {
  const upper = ctx.org.parent_id !== null ? await findOrgById(ctx.db, ctx.org.parent_id) : undefined;
  if (!upper) throw new UserError('not_found', '本组织没有上级组织。');
  if (!ctx.actor.isBotAdmin) throw (await underUpper(ctx.db, ctx.org, '退出')) as UserError;
  await unlink(ctx, upper, ctx.org, 'lower');
  return textMessage`本组织已退出「${name(upper)}」。`;
}
