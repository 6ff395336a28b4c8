/**
 * 民主评议党员 (issue 16 item 3): the admins open the ballot (each 正式党员 gets a private ballot),
 * a voter submits once, the 支委 read the tally, the admins close it. Whether the ballot is open lives
 * in the pipeline's `appraisal` stage (`ballot: open | closed`; closing marks the stage done), changed
 * by compare-and-set on the version read. A ballot writes two things in one transaction: that its
 * voter has voted (ballot_voters, whose key refuses a second ballot) and +1 on each member's grade
 * count (ballot_tallies). The grades themselves go nowhere else: not the audit row, the outbox or a log.
 */
import { sql } from 'kysely';
import type { DefinedAction } from '../../cards/contract.ts';
import { textMessage } from '../../cards/text.ts';
import { argSchema, noArgs } from '../../core/args.ts';
import type { Card } from '../../core/card.ts';
import {
  type ActionContext,
  type CommandContext,
  defineSubcommand,
  type SubcommandModule,
} from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Outgoing } from '../../core/message.ts';
import { isAdminRole } from '../../core/roles.ts';
import { listMembers } from '../../db/repositories/members.ts';
import type { LifePipeline, Member } from '../../db/schema.ts';
import { buildBallotDoneCard, buildBallotFormCard, buildBallotResultCards, lifeBallotVote } from './ballot-card.ts';
import { type BallotPicks, ballotSubjects, ballotVoters, readBallot, tallyRows } from './ballot-rules.ts';
import {
  currentPipeline,
  mayReadAsCommittee,
  opinionListCard,
  opinionsAskCard,
  saveOpinion,
  sendOpinionForm,
} from './opinions.ts';
import { buildOpinionDoneCard, lifeOpinionAnonymous, lifeOpinionAsk, lifeOpinionSigned } from './opinions-card.ts';
import { lockPipeline, type StageMap, stagesOf, updatePipeline } from './repository.ts';

type BallotState = 'open' | 'closed' | undefined;
type Stages = StageMap & { appraisal: StageMap['appraisal'] & { ballot?: BallotState } };

const ballotState = (p: LifePipeline): BallotState => (stagesOf(p) as Stages).appraisal?.ballot;

const asBallot = (m: Member) => ({ openId: m.open_id, name: m.name, role: m.role, category: m.category });

async function setBallot(ctx: CommandContext<'required'>, p: LifePipeline, state: 'open' | 'closed') {
  const stages = stagesOf(p) as Stages;
  const appraisal = {
    ...stages.appraisal,
    ballot: state,
    ...(state === 'closed' ? { doneAt: ctx.now.toISOString() } : {}),
  };
  return updatePipeline(ctx.db, p, { stages: { ...stages, appraisal } }, ctx.now.toISOString());
}

/** 开始: opens the ballot and sends each voter theirs privately; how many were sent. */
export async function openBallot(ctx: CommandContext<'required'>): Promise<number> {
  const found = await currentPipeline(ctx, ctx.org);
  const p = (await lockPipeline(ctx.db, found.id)) as LifePipeline;
  if (p.status !== 'open') throw new UserError('conflict', '本年度组织生活会已结束，不能再开始评议。');
  const state = ballotState(p);
  if (state === 'open') throw new UserError('conflict', '民主评议已在进行中。');
  if (state === 'closed') throw new UserError('conflict', '本年度民主评议已结束，不能再次开始。');
  const members = (await listMembers(ctx.db, ctx.org.id)).map(asBallot);
  const voters = ballotVoters(members);
  const subjects = ballotSubjects(members);
  if (voters.length === 0 || subjects.length < 2) {
    throw new UserError('conflict', '本支部登记的正式党员不足，无法开展民主评议。请先用 /名册 登记党员。');
  }
  const opened = await setBallot(ctx, p, 'open');
  for (const v of voters) {
    const card = buildBallotFormCard({
      orgId: ctx.org.id,
      orgName: ctx.org.name,
      pipelineId: opened.id,
      year: opened.year,
      subjectOpenIds: subjects.filter((s) => s.openId !== v.openId).map((s) => s.openId),
    });
    await ctx.outbox.send({ openId: v.openId }, { type: 'card', card }, { orgId: ctx.org.id });
  }
  await ctx.audit({ action: 'life:ballot-open', subject: `life:${p.id}`, after: { voters: voters.length } });
  return voters.length;
}

/** 结束: no more ballots. */
export async function closeBallot(ctx: CommandContext<'required'>): Promise<void> {
  const found = await currentPipeline(ctx, ctx.org);
  const p = (await lockPipeline(ctx.db, found.id)) as LifePipeline;
  if (ballotState(p) !== 'open') throw new UserError('conflict', '民主评议没有在进行中。');
  await setBallot(ctx, p, 'closed');
  await ctx.audit({ action: 'life:ballot-close', subject: `life:${p.id}` });
}

/** One voter's ballot, once. The pipeline's lock serialises two clicks of the same voter. */
export async function submitBallot(ctx: ActionContext<'required'>, pipelineId: number, picks: BallotPicks) {
  if (ctx.chat?.type === 'group') throw new UserError('wrong_chat', '请在与清风的单聊中提交评议。');
  const p = await lockPipeline(ctx.db, pipelineId);
  if (!p || p.org_id !== ctx.org.id) throw new UserError('not_found', '这张卡片已失效，请重新发送命令。');
  if (ballotState(p) !== 'open') throw new UserError('conflict', '民主评议不在进行中，不能提交。');
  const members = (await listMembers(ctx.db, ctx.org.id)).map(asBallot);
  if (!ballotVoters(members).some((m) => m.openId === ctx.actor.openId)) {
    throw new UserError('forbidden', '民主评议由正式党员参加，您不在本次评议的参评人员中。');
  }
  const voted = await ctx.db
    .selectFrom('ballot_voters')
    .select('open_id')
    .where('pipeline_id', '=', p.id)
    .where('open_id', '=', ctx.actor.openId)
    .executeTakeFirst();
  if (voted) throw new UserError('conflict', '您已提交评议，每人只能提交一次。');
  const read = readBallot(picks, ballotSubjects(members), ctx.actor.openId);
  if ('error' in read) throw new UserError('bad_args', read.error);
  await ctx.db
    .insertInto('ballot_voters')
    .values({ pipeline_id: p.id, open_id: ctx.actor.openId, voted_on: ctx.today })
    .execute();
  for (const [subject, grade] of read.grades) {
    await ctx.db
      .insertInto('ballot_tallies')
      .values({ pipeline_id: p.id, subject_open_id: subject, grade, count: 1 })
      .onConflict((oc) =>
        oc.columns(['pipeline_id', 'subject_open_id', 'grade']).doUpdateSet({ count: sql`ballot_tallies.count + 1` }),
      )
      .execute();
  }
  return p;
}

/** 结果: the tally per member, for the 支委 (or the admins when none is registered). */
export async function ballotResultCards(ctx: CommandContext<'required'>) {
  if (!(await mayReadAsCommittee(ctx, ctx.org, ctx.actor.openId, ctx.actor.role))) {
    throw new UserError('forbidden', '民主评议结果仅支部委员会成员可以查看。');
  }
  const p = await currentPipeline(ctx, ctx.org);
  const state = ballotState(p);
  if (state === undefined) throw new UserError('not_found', '本年度尚未开始民主评议。');
  const members = (await listMembers(ctx.db, ctx.org.id)).map(asBallot);
  const tallies = await ctx.db.selectFrom('ballot_tallies').selectAll().where('pipeline_id', '=', p.id).execute();
  const voted = await ctx.db
    .selectFrom('ballot_voters')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('pipeline_id', '=', p.id)
    .executeTakeFirstOrThrow();
  return buildBallotResultCards({
    orgName: ctx.org.name,
    year: p.year,
    voted: Number(voted.n),
    voters: ballotVoters(members).length,
    open: state === 'open',
    rows: tallyRows(ballotSubjects(members), tallies),
  });
}

// ---- The subcommands and buttons of /组织生活会 for 征求意见 and 民主评议 (commands/life.ts spreads them in).

/** A card in a private chat; in a group it goes to the asker privately and the group hears `note`. */
async function privately(ctx: CommandContext<'required'>, card: Card, note: Outgoing): Promise<Outgoing | undefined> {
  if (ctx.chat.type === 'p2p') return { type: 'card', card };
  await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
  return note;
}

const APPRAISAL_VERBS = { 开始: 'open', 结果: 'result', 汇总: 'result', 结束: 'close' } as const;

export const lifeVoteSubcommands: SubcommandModule[] = [
  defineSubcommand({
    name: 'opinions-ask',
    aliases: ['征求意见'],
    summary: '在群里征求对支部班子和支委的意见建议（管理员；可匿名提交）',
    usage: ['/组织生活会 征求意见'],
    args: noArgs,
    access: { roles: 'admin', chat: 'group', org: 'required' },
    handle: async (ctx) => ({ type: 'card', card: await opinionsAskCard(ctx) }),
  }),
  defineSubcommand({
    name: 'opinions',
    aliases: ['意见'],
    summary: '查看征求到的意见（管理员和支委，私信发送）',
    usage: ['/组织生活会 意见'],
    args: noArgs,
    access: { roles: 'member', chat: 'any', org: 'required' },
    async handle(ctx) {
      const card = await opinionListCard(ctx);
      return privately(ctx, card, textMessage`征求到的意见已私信发送，请在与清风的单聊中查看。`);
    },
  }),
  defineSubcommand({
    name: 'appraisal',
    aliases: ['评议', '民主评议'],
    summary: '民主评议党员：开始（管理员）、结果（支委，私信发送）、结束（管理员）',
    usage: ['/组织生活会 评议 开始', '/组织生活会 评议 结果', '/组织生活会 评议 结束'],
    args: argSchema((r) => {
      const w = r.word('开始、结果或结束');
      return APPRAISAL_VERBS[w as keyof typeof APPRAISAL_VERBS] ?? r.fail(`“${w}”应为 开始、结果 或 结束。`);
    }),
    access: { roles: 'member', chat: 'any', org: 'required' },
    async handle(ctx, verb) {
      if (verb === 'result') {
        // Sent, not replied: a large 支部's tally is several cards.
        for (const card of await ballotResultCards(ctx)) {
          await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
        }
        return ctx.chat.type === 'p2p' ? undefined : textMessage`民主评议汇总已私信发送，请在与清风的单聊中查看。`;
      }
      if (!isAdminRole(ctx.actor.role)) throw new UserError('forbidden', '开始和结束民主评议须由管理员操作。');
      if (verb === 'close') {
        await closeBallot(ctx);
        return textMessage`民主评议已结束，不再接受评议票。`;
      }
      const n = await openBallot(ctx);
      return textMessage`民主评议已开始，评议票已私信发送给 ${n} 名正式党员。评议不记名，每人提交一次。`;
    },
  }),
];

export const lifeVoteActions: DefinedAction[] = [
  lifeOpinionAsk.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v) {
      await sendOpinionForm(ctx, v.p);
      return { toast: { type: 'success', content: '意见表已私信发送，请在与清风的单聊中填写。' } };
    },
  }),
  lifeOpinionSigned.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v, form) {
      await saveOpinion(ctx, v.p, form.text, false);
      return { toast: { type: 'success', content: '意见已署名提交，谢谢。' }, card: buildOpinionDoneCard(false) };
    },
  }),
  lifeOpinionAnonymous.define({
    roles: 'member',
    org: 'required',
    anonymous: true,
    async handle(ctx, v, form) {
      await saveOpinion(ctx, v.p, form.text, true);
      return { toast: { type: 'success', content: '意见已匿名提交，谢谢。' }, card: buildOpinionDoneCard(true) };
    },
  }),
  lifeBallotVote.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v, form) {
      const p = await submitBallot(ctx, v.p, form);
      return { toast: { type: 'success', content: '评议已提交，谢谢。' }, card: buildBallotDoneCard(p.year) };
    },
  }),
];
