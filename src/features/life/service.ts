/**
 * The pipeline's operations: start it, bring each stage up to what the records say (a study session
 * held, the year's talk coverage complete or an admin's recorded 继续, every 对照检查材料 handed in, the
 * meeting held, a 问题清单 item made), hand in a material, list a problem into the 整改台账 (through the
 * rectification feature's own createItem, so it gets its reminders and ladder), and report upward.
 * Every change is a compare-and-set on the pipeline locked in the handler's transaction.
 */
import type { ActingContext, BaseContext, ReadContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isUpperLevel } from '../../core/register.ts';
import { isAdminRole } from '../../core/roles.ts';
import { findMember, listMembers, roleOf } from '../../db/repositories/members.ts';
import { findOrgById } from '../../db/repositories/orgs.ts';
import { PIPELINE_STAGES, type PipelineKind } from '../../db/schema/life.ts';
import type { LifePipeline, Org } from '../../db/schema.ts';
import { addDays, localDate, zonedInstant } from '../../domain/time.ts';
import { sessionRecordState } from '../meetings/held.ts';
import { orgWindows } from '../meetings/refresh.ts';
import { listAttendees, listSessions } from '../meetings/repository.ts';
import { RECT_STATUS_LABELS } from '../rectification/model.ts';
import * as rect from '../rectification/service.ts';
import { yearCoverage } from '../talks/coverage.ts';
import { buildLifeReportCard, buildPipelineCard, type ProblemView } from './pipeline-card.ts';
import { KIND_LABELS, nextStage, planStages, type StageMap, stageState } from './pipeline-rules.ts';
import {
  createPipeline,
  findPipeline,
  latestPipeline,
  listMaterials,
  lockPipeline,
  type Material,
  opinionAndBallotCounts,
  pipelineProblems,
  putMaterial,
  stagesOf,
  updatePipeline,
} from './repository.ts';

/** A 民主生活会 is held by an upper level (党委, 党组); a 支部 holds a 组织生活会. */
export const kindOf = (org: Org): PipelineKind => (isUpperLevel(org.level) ? 'democratic_life' : 'life_meeting');
export const wordOf = (org: Org): string => KIND_LABELS[kindOf(org)];

const tzOf = (ctx: ReadContext) => ctx.settings.timezone;

export async function startPipeline(ctx: ActingContext, org: Org, year: number, meetingOn: string) {
  const kind = kindOf(org);
  const existing = await findPipeline(ctx.db, org.id, year, kind);
  if (existing) return { pipeline: existing, created: false };
  const pipeline = await createPipeline(ctx.db, {
    orgId: org.id,
    year,
    kind,
    stages: planStages(meetingOn, ctx.calendar),
    createdBy: ctx.actor.openId,
    now: ctx.now.toISOString(),
  });
  if (!pipeline) return { pipeline: (await findPipeline(ctx.db, org.id, year, kind)) as LifePipeline, created: false };
  await ctx.audit({ action: 'life:start', subject: `life_pipeline:${pipeline.id}`, after: { year, kind, meetingOn } });
  return { pipeline, created: true };
}

/** The org's current pipeline (the latest), locked for the transaction. */
export async function currentPipeline(ctx: BaseContext, org: Org): Promise<LifePipeline> {
  const word = wordOf(org);
  const p = await latestPipeline(ctx.db, org.id, kindOf(org));
  const locked = p && (await lockPipeline(ctx.db, p.id));
  if (!locked || locked.org_id !== org.id)
    throw new UserError('not_found', `本组织还没有启动${word}流程。管理员可发送：/${word} 启动 2026 2027-01-15。`);
  return locked;
}

/** The members who hand in 对照检查材料: everyone on the register but observers. */
async function requiredPeople(ctx: Pick<ReadContext, 'db'>, orgId: number) {
  return (await listMembers(ctx.db, orgId)).filter((m) => roleOf(m) !== 'observer');
}

/** The first session of `kinds` held between two local dates (inclusive), with its attendance. */
async function heldSession(
  ctx: ReadContext,
  orgId: number,
  o: { category?: 'study'; kinds?: string[] },
  from: string,
  to?: string,
) {
  const tz = tzOf(ctx);
  const sessions = await listSessions(ctx.db, orgId, {
    ...(o.category ? { category: o.category } : {}),
    ...(o.kinds ? { kinds: o.kinds as never } : {}),
    from: zonedInstant(from, '00:00', tz).toISOString(),
    ...(to ? { to: zonedInstant(addDays(to, 1), '00:00', tz).toISOString() } : {}),
  });
  const windows = sessions.length > 0 ? await orgWindows(ctx.db, orgId) : {};
  for (const s of sessions) {
    const r = sessionRecordState(s, await listAttendees(ctx.db, s.id), ctx.now, tz, ctx.calendar, windows);
    if (r.state === 'held')
      return { session: s, present: r.present, invited: r.invited, on: localDate(new Date(s.start_at), tz) };
  }
  return undefined;
}

/** What the records say of the stages (read-only: the reminder job's `collect` uses it as it is). */
export async function recordedStages(
  ctx: ReadContext,
  org: Org,
  p: LifePipeline,
): Promise<{ stages: StageMap; sessionId: number | null }> {
  const stages = stagesOf(p);
  const at = ctx.now.toISOString();
  // From the day the pipeline was started: what was held before belongs to no pipeline (an admin may
  // still link an earlier meeting with 关联). A study held late still completes its stage (the card
  // shows it done; the done date tells it was late), so there is no upper bound.
  const started = localDate(new Date(p.created_at), tzOf(ctx));
  let sessionId = p.session_id;
  if (!stages.study.doneAt && (await heldSession(ctx, org.id, { category: 'study' }, started)))
    stages.study.doneAt = at;
  if (!stages.opinions.doneAt && (await opinionAndBallotCounts(ctx.db, p.id)).opinions > 0) stages.opinions.doneAt = at;
  if (!stages.talks.doneAt) {
    // Talks held after the year's end but before the meeting count for this year's meeting.
    const c = await yearCoverage(ctx.db, org, p.year, stages.meeting.due);
    if (c.due > 0 && c.done >= c.due) stages.talks.doneAt = at;
  }
  if (!stages.materials.doneAt) {
    const people = await requiredPeople(ctx, org.id);
    const handed = new Set((await listMaterials(ctx.db, p.id)).map((m) => m.openId));
    if (people.length > 0 && people.every((m) => handed.has(m.open_id))) stages.materials.doneAt = at;
  }
  if (!stages.meeting.doneAt) {
    const held = await heldSession(ctx, org.id, { kinds: [p.kind] }, started);
    if (held) {
      stages.meeting.doneAt = at;
      sessionId = held.session.id;
    }
  }
  if (!stages.problems.doneAt && (await pipelineProblems(ctx.db, p)).length > 0) stages.problems.doneAt = at;
  return { stages, sessionId };
}

/**
 * Brings the stages up to the records (never marks a stage done without its evidence) and writes the
 * change as a compare-and-set. `p` must be locked.
 */
export async function syncStages(ctx: BaseContext, org: Org, p: LifePipeline): Promise<LifePipeline> {
  const { stages, sessionId } = await recordedStages(ctx, org, p);
  const changed = PIPELINE_STAGES.some((s) => stages[s].doneAt !== stagesOf(p)[s].doneAt);
  if (!changed) return p;
  return updatePipeline(ctx.db, p, { stages, session_id: sessionId }, ctx.now.toISOString());
}

const problemViews = async (ctx: BaseContext, p: LifePipeline): Promise<ProblemView[]> =>
  (await pipelineProblems(ctx.db, p)).map((r) => ({
    id: r.id,
    problem: r.problem,
    owner: r.owner_name,
    deadline: r.deadline,
    status: RECT_STATUS_LABELS[r.status as keyof typeof RECT_STATUS_LABELS] ?? '',
  }));

/** Who has not handed in their 对照检查材料 (names), and the counts. */
export async function materialsState(ctx: Pick<BaseContext, 'db'>, p: LifePipeline) {
  const people = await requiredPeople(ctx, p.org_id);
  const handed = new Set((await listMaterials(ctx.db, p.id)).map((m) => m.openId));
  const missing = people.filter((m) => !handed.has(m.open_id));
  return { handed: people.length - missing.length, required: people.length, missing };
}

/** The pipeline card; `forAdmin` adds who has not handed in (only ever sent privately). */
export async function pipelineCard(ctx: BaseContext, org: Org, p: LifePipeline, forAdmin = false) {
  const stages = stagesOf(p);
  const m = await materialsState(ctx, p);
  const meeting = p.session_id ? await sessionDate(ctx, p.session_id) : null;
  return buildPipelineCard({
    orgName: org.name,
    year: p.year,
    kind: p.kind,
    stages: PIPELINE_STAGES.map((s) => {
      const done = stages[s].doneAt;
      const late = done !== null && localDate(new Date(done), tzOf(ctx)) > stages[s].due;
      return { stage: s, due: stages[s].due, state: stageState(stages, s, ctx.today), late };
    }),
    next: nextStage(stages),
    materials: { handed: m.handed, required: m.required },
    problems: await problemViews(ctx, p),
    meetingOn: meeting,
    reported: p.status !== 'open',
    ...(forAdmin ? { missing: m.missing.map((x) => x.name) } : {}),
  });
}

async function sessionDate(ctx: BaseContext, id: number): Promise<string | null> {
  const s = await ctx.db.selectFrom('sessions').select(['start_at']).where('id', '=', id).executeTakeFirst();
  return s ? localDate(new Date(s.start_at), tzOf(ctx)) : null;
}

/** A member hands in (or replaces) their 对照检查材料: a link or a short text note (a file: attachMaterialFile). */
export async function handInMaterial(ctx: ActingContext, org: Org, value: string) {
  const p = await currentPipeline(ctx, org);
  if (p.status !== 'open') throw new UserError('conflict', `${wordOf(org)}情况报告已报送，不再接收材料。`);
  const kind = /^https?:\/\//i.test(value) ? 'link' : 'text';
  const me = await findMember(ctx.db, org.id, ctx.actor.openId);
  return recordMaterial(ctx, org, p, {
    openId: ctx.actor.openId,
    name: me?.name ?? ctx.actor.name ?? '',
    kind,
    value,
    at: ctx.now.toISOString(),
  });
}

/** Stores (or replaces) one member's material, audits its kind, and brings the locked pipeline's stages up to date. */
async function recordMaterial(ctx: ActingContext, org: Org, p: LifePipeline, m: Material): Promise<LifePipeline> {
  await putMaterial(ctx.db, p.id, m);
  await ctx.audit({ action: 'life:material', subject: `life_pipeline:${p.id}`, after: { kind: m.kind } });
  return syncStages(ctx, org, p);
}

/** An admin proceeds past 谈心谈话 before the coverage is complete; the reason is recorded. */
export async function proceedTalks(ctx: ActingContext, org: Org, reason: string) {
  const p = await currentPipeline(ctx, org);
  const stages = stagesOf(p);
  if (stages.talks.doneAt) return { pipeline: p, already: true };
  stages.talks.doneAt = ctx.now.toISOString();
  const after = await updatePipeline(ctx.db, p, { stages }, ctx.now.toISOString());
  await ctx.audit({ action: 'life:proceed', subject: `life_pipeline:${p.id}`, after: { stage: 'talks', reason } });
  return { pipeline: after, already: false };
}

/** Links a held meeting of the pipeline's kind by its number. */
export async function linkMeeting(ctx: ActingContext, org: Org, sessionId: number) {
  const p = await currentPipeline(ctx, org);
  const word = wordOf(org);
  const s = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  if (!s || s.org_id !== org.id || s.kind !== p.kind)
    throw new UserError('not_found', `没有找到本组织的${word}会议 #${sessionId}。`);
  const r = sessionRecordState(
    s,
    await listAttendees(ctx.db, s.id),
    ctx.now,
    tzOf(ctx),
    ctx.calendar,
    await orgWindows(ctx.db, org.id),
  );
  if (r.state !== 'held')
    throw new UserError('conflict', `会议 #${sessionId} 尚未召开（须会后完成签到），暂不能关联。`);
  const stages = stagesOf(p);
  stages.meeting.doneAt = stages.meeting.doneAt ?? ctx.now.toISOString();
  const after = await updatePipeline(ctx.db, p, { stages, session_id: s.id }, ctx.now.toISOString());
  await ctx.audit({ action: 'life:link', subject: `life_pipeline:${p.id}`, after: { sessionId } });
  return after;
}

/** A problem from the meeting becomes a 整改台账 item of source 组织生活会 with its owner. */
export async function addProblem(
  ctx: ActingContext,
  org: Org,
  v: { owner: { open_id: string; name: string }; problem: string; deadline: string },
) {
  const p = await syncStages(ctx, org, await currentPipeline(ctx, org));
  const word = wordOf(org);
  if (p.status !== 'open')
    throw new UserError(
      'conflict',
      `${word}情况报告已报送，问题清单不再增加。新发现的问题请用 /整改 新建 列入整改台账。`,
    );
  if (!stagesOf(p).meeting.doneAt)
    throw new UserError(
      'conflict',
      `${word}尚未召开，问题清单须在会上查摆后列入。会后完成签到即自动关联会议，也可发送 /${word} 关联 <会议编号>。`,
    );
  const item = await rect.createItem(ctx, {
    org_id: org.id,
    batch_id: null,
    source: '组织生活会',
    problem: v.problem,
    measures: '',
    leader: '',
    owner_open_id: v.owner.open_id,
    owner_name: v.owner.name,
    deadline: v.deadline,
    kind: 'centralized',
    area: '',
    status: 'pending',
    import_key: null,
  });
  return { item, pipeline: await syncStages(ctx, org, p) };
}

/** The org's admins (书记, 副书记, 纪检委员 …) on the register. */
const adminsOf = async (ctx: BaseContext, orgId: number) =>
  (await listMembers(ctx.db, orgId)).filter((x) => isAdminRole(roleOf(x)));

/**
 * Sends the 情况报告 privately to the upper org's admins (the report names owners and problems, so not
 * to a group everyone reads), or — with no upper org, or none of its admins registered — to the org's
 * own admins, and marks the pipeline reported. Only once the meeting is held (a held meeting linked):
 * the report is of a meeting; the stages not completed are named on it.
 */
export async function sendReport(ctx: ActingContext, org: Org) {
  const p = await syncStages(ctx, org, await currentPipeline(ctx, org));
  const word = wordOf(org);
  if (p.status !== 'open') throw new UserError('conflict', `${word}情况报告已于此前报送。`);
  const stages: StageMap = stagesOf(p);
  if (!stages.meeting.doneAt || !p.session_id)
    throw new UserError(
      'conflict',
      `${word}尚未召开，暂不能报送情况报告。会后完成签到即自动关联会议，也可发送 /${word} 关联 <会议编号>。`,
    );
  const tz = tzOf(ctx);
  const at = ctx.now.toISOString();
  stages.report.doneAt = at;
  const held = await ctx.db.selectFrom('sessions').selectAll().where('id', '=', p.session_id).executeTakeFirst();
  const r =
    held &&
    sessionRecordState(
      held,
      await listAttendees(ctx.db, held.id),
      ctx.now,
      tz,
      ctx.calendar,
      await orgWindows(ctx.db, org.id),
    );
  const m = await materialsState(ctx, p);
  const counts = await opinionAndBallotCounts(ctx.db, p.id);
  const card = buildLifeReportCard({
    orgName: org.name,
    year: p.year,
    kind: p.kind,
    stages: PIPELINE_STAGES.map((s) => ({
      stage: s,
      due: stages[s].due,
      doneOn: stages[s].doneAt && localDate(new Date(stages[s].doneAt as string), tz),
    })),
    meetingOn: held ? localDate(new Date(held.start_at), tz) : null,
    attendance: r ? { present: r.present, invited: r.invited } : null,
    materials: { handed: m.handed, required: m.required },
    problems: await problemViews(ctx, p),
    opinions: counts.opinions,
    appraisal: { voted: counts.voted, done: Boolean(stages.appraisal.doneAt) },
  });
  const parent = org.parent_id ? await findOrgById(ctx.db, org.parent_id) : undefined;
  const upper = parent ? await adminsOf(ctx, parent.id) : [];
  const to = upper.length > 0 && parent ? parent : org;
  const admins = upper.length > 0 ? upper : await adminsOf(ctx, org.id);
  for (const a of admins) await ctx.outbox.send({ openId: a.open_id }, { type: 'card', card }, { orgId: to.id });
  const after = await updatePipeline(ctx.db, p, { stages, status: 'reported' }, at);
  await ctx.audit({
    action: 'life:report',
    subject: `life_pipeline:${p.id}`,
    after: { to: `org:${to.id}`, admins: admins.length },
  });
  return { pipeline: after, to: to.name, upper: to.id !== org.id, parent: parent?.name };
}

/**
 * A file sent to the bot privately, handed in as the sender's 对照检查材料 (the attach form's `l:`
 * choice, src/features/life/attach.ts): the pipeline named must be open and of an org the sender is a
 * member of (not an observer). Replaces their earlier material, like `/… 材料`.
 */
export async function attachMaterialFile(
  ctx: ActingContext,
  pipelineId: number,
  file: { value: string; name: string },
): Promise<{ org: Org; pipeline: LifePipeline }> {
  const locked = await lockPipeline(ctx.db, pipelineId);
  const org = locked && (await findOrgById(ctx.db, locked.org_id));
  const me = org && (await findMember(ctx.db, org.id, ctx.actor.openId));
  if (!locked || !org || !me || roleOf(me) === 'observer')
    throw new UserError('not_found', '没有找到您需要提交对照检查材料的组织生活会，请重新发送文件。');
  if (locked.status !== 'open') throw new UserError('conflict', `${wordOf(org)}情况报告已报送，不再接收材料。`);
  const pipeline = await recordMaterial(ctx, org, locked, {
    openId: me.open_id,
    name: me.name,
    kind: 'file',
    value: file.value,
    fileName: file.name,
    at: ctx.now.toISOString(),
  });
  return { org, pipeline };
}
