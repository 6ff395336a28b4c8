/**
 * 民主评议党员 (issue 16 item 3): the admins open the ballot (each 正式党员 gets a private ballot),
 * a voter submits once, the admins close it, and only then the 支委 read the tally. Whether the ballot
 * is open lives in the pipeline's `appraisal` stage (`ballot: open | closed`; closing marks the stage
 * done), changed by compare-and-set on the version read, under the pipeline's lock.
 *
 * Who takes part is fixed at 开始, in the same transaction that opens the ballot: the voters (the
 * 正式党员 then on the register) are kept in the stage as `voters`, and the subjects (the 党员 then on
 * the register) are the ballot's tally rows, one per subject and grade, all counted 0. A member
 * registered later neither votes nor is graded in this ballot; one who left can no longer press the
 * button (the router refuses a non-member) but stays a subject.
 *
 * A ballot writes two things in one transaction: that its voter has voted (ballot_voters, whose key
 * refuses a second ballot) and +1 on each subject's grade in ONE update of rows that already exist, so
 * neither the statements run nor rows appearing tell what the ballot said. The grades go nowhere
 * else: not the audit row, the outbox, a log, nor the inbox (a finished row keeps no payload). While
 * the ballot is open the 结果 shows only how many have voted; the counts per member come after 结束,
 * to the 支委 only.
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
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
import { APPRAISAL_GRADES, type AppraisalGrade } from '../../db/schema/life.ts';
import type { Database, LifePipeline, Member } from '../../db/schema.ts';
import { buildBallotDoneCard, buildBallotFormCard, buildBallotResultCards, lifeBallotVote } from './ballot-card.ts';
import { type BallotPicks, ballotSubjects, ballotVoters, emptyTally, readBallot, tallyRows } from './ballot-rules.ts';
import { mayReadAsCommittee, opinionListCard, opinionsAskCard, saveOpinion, sendOpinionForm } from './opinions.ts';
import { buildOpinionDoneCard, lifeOpinionAnonymous, lifeOpinionAsk, lifeOpinionSigned } from './opinions-card.ts';
import { lockPipeline, type StageMap, stagesOf, updatePipeline } from './repository.ts';
import { currentPipeline, wordOf } from './service.ts';

type BallotState = 'open' | 'closed' | undefined;
type Appraisal = StageMap['appraisal'] & { ballot?: BallotState; voters?: string[] };
type Stages = StageMap & { appraisal: Appraisal };

const appraisalOf = (p: LifePipeline): Appraisal => (stagesOf(p) as Stages).appraisal ?? {};
const ballotState = (p: LifePipeline): BallotState => appraisalOf(p).ballot;

const asBallot = (m: Member) => ({ openId: m.open_id, name: m.name, role: m.role, category: m.category });

/** Tally rows per insert: 4 values each, well under SQLite's and PostgreSQL's parameter limits. */
const TALLY_CHUNK = 1000;

async function setBallot(ctx: CommandContext<'required'>, p: LifePipeline, patch: Partial<Appraisal>) {
  const stages = stagesOf(p) as Stages;
  const appraisal = { ...stages.appraisal, ...patch };
  return updatePipeline(ctx.db, p, { stages: { ...stages, appraisal } }, ctx.now.toISOString());
}

/** The voters fixed at 开始 (a ballot opened before they were kept: the current 正式党员). */
async function votersOf(ctx: CommandContext<'required'> | ActionContext<'required'>, p: LifePipeline) {
  const kept = appraisalOf(p).voters;
  if (kept) return kept;
  return ballotVoters((await listMembers(ctx.db, p.org_id)).map(asBallot)).map((m) => m.openId);
}

async function votedCount(ctx: CommandContext<'required'>, p: LifePipeline): Promise<number> {
  const voted = await ctx.db
    .selectFrom('ballot_voters')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('pipeline_id', '=', p.id)
    .executeTakeFirstOrThrow();
  return Number(voted.n);
}

/** 开始: opens the ballot, fixes who takes part and sends each voter theirs privately; how many were sent. */
export async function openBallot(ctx: CommandContext<'required'>): Promise<number> {
  const p = await currentPipeline(ctx, ctx.org);
  if (p.status !== 'open') throw new UserError('conflict', `本年度${wordOf(ctx.org)}已结束，不能再开始评议。`);
  const state = ballotState(p);
  if (state === 'open') throw new UserError('conflict', '民主评议已在进行中。');
  if (state === 'closed') throw new UserError('conflict', '本年度民主评议已结束，不能再次开始。');
  const members = (await listMembers(ctx.db, ctx.org.id)).map(asBallot);
  const voters = ballotVoters(members);
  const subjects = ballotSubjects(members);
  if (voters.length === 0 || subjects.length < 2) {
    throw new UserError('conflict', '本支部登记的正式党员不足，无法开展民主评议。请先用 /名册 登记党员。');
  }
  const opened = await setBallot(ctx, p, { ballot: 'open', voters: voters.map((v) => v.openId) });
  const rows = emptyTally(subjects.map((m) => m.openId)).map((r) => ({ pipeline_id: p.id, ...r, count: 0 }));
  for (let i = 0; i < rows.length; i += TALLY_CHUNK) {
    await ctx.db
      .insertInto('ballot_tallies')
      .values(rows.slice(i, i + TALLY_CHUNK))
      .execute();
  }
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

/** 结束: no more ballots; refused while nobody has voted (the stage is then not done). */
export async function closeBallot(ctx: CommandContext<'required'>): Promise<void> {
  const p = await currentPipeline(ctx, ctx.org);
  if (ballotState(p) !== 'open') throw new UserError('conflict', '民主评议没有在进行中。');
  if ((await votedCount(ctx, p)) === 0) {
    throw new UserError(
      'conflict',
      '尚无党员提交评议票，暂不能结束民主评议。请提醒正式党员在与清风的单聊中提交评议票后，再结束评议。',
    );
  }
  await setBallot(ctx, p, { ballot: 'closed', doneAt: ctx.now.toISOString() });
  await ctx.audit({ action: 'life:ballot-close', subject: `life:${p.id}` });
}

/**
 * The rows one ballot adds to: per grade, its subjects (one branch per grade, so the statement stays
 * shallow however large the 支部).
 */
function ballotRows(grades: ReadonlyMap<string, AppraisalGrade>) {
  return (eb: ExpressionBuilder<Database, 'ballot_tallies'>): Expression<SqlBool> => {
    const branches = APPRAISAL_GRADES.flatMap((g) => {
      const ids = [...grades].filter(([, grade]) => grade === g).map(([id]) => id);
      return ids.length ? [eb.and([eb('grade', '=', g), eb('subject_open_id', 'in', ids)])] : [];
    });
    return eb.or(branches);
  };
}

/** One voter's ballot, once. The pipeline's lock serialises two clicks of the same voter. */
export async function submitBallot(ctx: ActionContext<'required'>, pipelineId: number, picks: BallotPicks) {
  if (ctx.chat?.type === 'group') throw new UserError('wrong_chat', '请在与清风的单聊中提交评议。');
  const p = await lockPipeline(ctx.db, pipelineId);
  if (!p || p.org_id !== ctx.org.id) throw new UserError('not_found', '这张卡片已失效，请重新发送命令。');
  if (ballotState(p) !== 'open') throw new UserError('conflict', '民主评议不在进行中，不能提交。');
  if (!(await votersOf(ctx, p)).includes(ctx.actor.openId)) {
    throw new UserError('forbidden', '民主评议由正式党员参加，您不在本次评议的参评人员中。');
  }
  const voted = await ctx.db
    .selectFrom('ballot_voters')
    .select('open_id')
    .where('pipeline_id', '=', p.id)
    .where('open_id', '=', ctx.actor.openId)
    .executeTakeFirst();
  if (voted) throw new UserError('conflict', '您已提交评议，每人只能提交一次。');
  const subjects = await ctx.db
    .selectFrom('ballot_tallies')
    .select('subject_open_id as openId')
    .distinct()
    .where('pipeline_id', '=', p.id)
    .execute();
  const read = readBallot(picks, subjects, ctx.actor.openId);
  if ('error' in read) throw new UserError('bad_args', read.error);
  await ctx.db
    .insertInto('ballot_voters')
    .values({ pipeline_id: p.id, open_id: ctx.actor.openId, voted_on: ctx.today })
    .execute();
  if (read.grades.size > 0) {
    const res = await ctx.db
      .updateTable('ballot_tallies')
      .set((eb) => ({ count: eb('count', '+', 1) }))
      .where('pipeline_id', '=', p.id)
      .where(ballotRows(read.grades))
      .executeTakeFirst();
    // Every row was written at 开始: a ballot that does not find all of its rows is not counted at all.
    if (Number(res.numUpdatedRows) !== read.grades.size) throw new Error('the ballot tally lacks rows for this ballot');
  }
  return p;
}

/**
 * 结果, for the 支委 (or the admins when none is registered): while the ballot is open, how many have
 * voted of how many; after 结束, the counts per member too.
 */
export async function ballotResultCards(ctx: CommandContext<'required'>) {
  if (!(await mayReadAsCommittee(ctx, ctx.org, ctx.actor.openId, ctx.actor.role))) {
    throw new UserError('forbidden', '民主评议结果仅支部委员会成员可以查看。');
  }
  const p = await currentPipeline(ctx, ctx.org);
  const state = ballotState(p);
  if (state === undefined) throw new UserError('not_found', '本年度尚未开始民主评议。');
  const view = { orgName: ctx.org.name, year: p.year, voted: await votedCount(ctx, p) };
  const voters = (await votersOf(ctx, p)).length;
  if (state === 'open') return buildBallotResultCards({ ...view, voters, open: true, rows: [] });
  const tallies = await ctx.db.selectFrom('ballot_tallies').selectAll().where('pipeline_id', '=', p.id).execute();
  // Names from the register, those who left since included; in the register's order.
  const register = await ctx.db
    .selectFrom('members')
    .select(['open_id', 'name'])
    .where('org_id', '=', ctx.org.id)
    .orderBy('id')
    .execute();
  const graded = new Set(tallies.map((t) => t.subject_open_id));
  const subjects = register.filter((m) => graded.has(m.open_id)).map((m) => ({ openId: m.open_id, name: m.name }));
  return buildBallotResultCards({ ...view, voters, open: false, rows: tallyRows(subjects, tallies) });
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
