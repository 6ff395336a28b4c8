/**
 * 征求意见 (issue 16 item 3): the admins post the asking card in the group; a member's click gets the
 * form privately; an opinion is saved signed or anonymous. An anonymous one stores no author at all,
 * only the local date (an instant could be matched to the click), and its click is audited without an
 * actor, at the start of the day (the action is declared `anonymous`; src/router/card-actions.ts). The
 * list is for the admins and the 支委, privately.
 *
 * A double submit (two clicks racing on one form) must not store an opinion twice, yet nothing may
 * record who sent an anonymous one: an opinion identical in text, author (none when anonymous) and
 * date to one already in the pipeline is taken as that one. The pipeline's lock, taken first,
 * serialises the two clicks. Saving brings the pipeline's stages up to date (征求意见 done once there is
 * an opinion).
 */
import type { Card } from '../../core/card.ts';
import type { ActionContext, BaseContext, CommandContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isAdminRole, type Role } from '../../core/roles.ts';
import { findMember, listMembers } from '../../db/repositories/members.ts';
import type { LifePipeline, Org } from '../../db/schema.ts';
import { buildOpinionFormCard, buildOpinionListCard, buildOpinionsAskCard, OPINION_MAX } from './opinions-card.ts';
import { lockPipeline } from './repository.ts';
import { currentPipeline, syncStages, wordOf } from './service.ts';

/** The pipeline a button names, in the clicker's org, still open; locked for the transaction. */
export async function pipelineOfButton(ctx: ActionContext<'required'>, id: number): Promise<LifePipeline> {
  const p = await lockPipeline(ctx.db, id);
  if (!p || p.org_id !== ctx.org.id) throw new UserError('not_found', '这张卡片已失效，请重新发送命令。');
  if (p.status !== 'open') throw new UserError('conflict', `本次${wordOf(ctx.org)}已结束，不再征求意见。`);
  return p;
}

/** The 支委 (members holding a committee post), or the admins when none is registered. */
export async function mayReadAsCommittee(ctx: BaseContext, org: Org, openId: string, role: Role | undefined) {
  const members = await listMembers(ctx.db, org.id);
  const committee = members.filter((m) => m.committee_post !== null);
  if (committee.length) return committee.some((m) => m.open_id === openId);
  return isAdminRole(role);
}

/** The asking card, the reply in the group (the same card for everyone). */
export async function opinionsAskCard(ctx: CommandContext<'required'>): Promise<Card> {
  const p = await currentPipeline(ctx, ctx.org);
  const word = wordOf(ctx.org);
  if (p.status !== 'open') throw new UserError('conflict', `本年度${word}已结束，不再征求意见。`);
  await ctx.audit({ action: 'life:opinions-ask', subject: `life:${p.id}` });
  return buildOpinionsAskCard({ orgId: ctx.org.id, orgName: ctx.org.name, pipelineId: p.id, year: p.year, word });
}

/** 提出意见: the form goes to the clicker privately (the group card stays as it is). */
export async function sendOpinionForm(ctx: ActionContext<'required'>, pipelineId: number): Promise<void> {
  const p = await pipelineOfButton(ctx, pipelineId);
  const card = buildOpinionFormCard({ orgId: ctx.org.id, orgName: ctx.org.name, pipelineId: p.id });
  await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
}

/** Saves one opinion (once: see the header); anonymous: neither the author nor an instant is stored. */
export async function saveOpinion(
  ctx: ActionContext<'required'>,
  pipelineId: number,
  text: string,
  anonymous: boolean,
): Promise<void> {
  if (ctx.chat?.type === 'group') throw new UserError('wrong_chat', '请在与清风的单聊中填写意见。');
  const body = text.trim();
  if (!body) throw new UserError('bad_args', '请填写意见建议后再提交。');
  if (body.length > OPINION_MAX) throw new UserError('bad_args', `意见建议不超过 ${OPINION_MAX} 字，请删减后再提交。`);
  const p = await pipelineOfButton(ctx, pipelineId);
  const author = anonymous ? null : await findMember(ctx.db, ctx.org.id, ctx.actor.openId);
  const authorId = author ? author.open_id : null;
  const same = await ctx.db
    .selectFrom('pipeline_opinions')
    .select('id')
    .where('pipeline_id', '=', p.id)
    .where('text', '=', body)
    .where('created_on', '=', ctx.today)
    .where('author_open_id', authorId === null ? 'is' : '=', authorId)
    .executeTakeFirst();
  if (same) return;
  await ctx.db
    .insertInto('pipeline_opinions')
    .values({
      pipeline_id: p.id,
      author_open_id: authorId,
      author_name: author ? author.name : null,
      text: body,
      created_on: ctx.today,
    })
    .execute();
  await syncStages(ctx, ctx.org, p);
}

const dateText = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** `/… 意见`: the admins and the 支委 only; newest first; anonymous ones as 匿名. */
export async function opinionListCard(ctx: CommandContext<'required'>) {
  const allowed =
    isAdminRole(ctx.actor.role) || (await mayReadAsCommittee(ctx, ctx.org, ctx.actor.openId, ctx.actor.role));
  if (!allowed) throw new UserError('forbidden', '征求到的意见仅管理员和支部委员会成员可以查看。');
  const p = await currentPipeline(ctx, ctx.org);
  const rows = await ctx.db
    .selectFrom('pipeline_opinions')
    .selectAll()
    .where('pipeline_id', '=', p.id)
    .orderBy('id', 'desc')
    .execute();
  return buildOpinionListCard({
    orgName: ctx.org.name,
    year: p.year,
    word: wordOf(ctx.org),
    opinions: rows.map((r) => ({ author: r.author_name, text: r.text, onText: dateText(r.created_on) })),
  });
}
