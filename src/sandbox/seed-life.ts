/**
 * The sandbox's 组织生活会 year (issue 16 item 4), in 第一党支部 — the 支部 a visitor meets first, whose
 * two 党小组 make the talk coverage use all three rules of the matrix — relative to the sandbox's clock:
 *
 * - the 书记 started the year's pipeline about five weeks ago (its stages planned back from the meeting
 *   over the working calendar), a 会前集中学习 was held, six opinions were collected (three anonymous,
 *   stored without author), five members handed in their 对照检查材料 (of twelve: not yet all);
 * - eleven of the year's twenty-one owed 谈心谈话 pairs are covered (a 提醒谈话 besides, which does not
 *   count), most confirmed by both sides, some with notes; the 书记 went on past 谈心谈话 with a reason;
 * - the 组织生活会 was held six working days ago (签到 in its window, one on leave, minutes the next
 *   working day), and its three problems went into the 整改台账 (source 组织生活会, an owner, a deadline)
 *   through the rectification service the next day; 民主评议 and the 情况报告 are still ahead.
 *
 * Rows of the talk register and the pipeline's own tables are written directly (in the shape their
 * repositories write); sessions and rectifications go through their services, as the bot makes them.
 */
import { listOrgChats } from '../db/repositories/orgs.ts';
import type { TalkKind } from '../db/schema/talks.ts';
import type { LifePipeline, Member, Session } from '../db/schema.ts';
import { addDays, zonedInstant } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { planStages, type StageMap } from '../features/life/pipeline-rules.ts';
import { pipelineCard } from '../features/life/service.ts';
import * as meetings from '../features/meetings/service.ts';
import * as rect from '../features/rectification/service.ts';
import { FIRST } from './seed-hierarchy.ts';
import { type SeedDeps, type SeedScope, seedInTransaction } from './seed-scope.ts';

const MINUTE = 60_000;

/** The year's dates, counted back from today: the meeting six working days ago and everything before it. */
function lifeDates(calendar: WorkCalendar, today: string) {
  const meetingOn = calendar.addWorkdays(today, -6);
  // A 组织生活会 held in January or February reviews the year before (docs/domain.md).
  const month = Number(meetingOn.slice(5, 7));
  const year = Number(meetingOn.slice(0, 4)) - (month <= 2 ? 1 : 0);
  const stages = planStages(meetingOn, calendar);
  const studyOn = stages.study.due;
  return { year, meetingOn, stages, studyOn, startedOn: calendar.addWorkdays(studyOn, -3) };
}

/** The problems the meeting found, into the 整改台账: owner, measures, area and weeks to the deadline. */
export const LIFE_PROBLEMS = [
  {
    problem: '谈心谈话未做到全覆盖，支委与党员之间谈心谈话不够经常',
    measures: '限期完成支委之间、支委与党员谈心谈话全覆盖，建立谈心谈话台账并逐人确认',
    owner: '李明华',
    area: '组织建设',
    weeks: 4,
  },
  {
    problem: '理论学习不够深入系统，集中学习以读文件为主，研讨交流不足',
    measures: '制定年度学习计划，每次集中学习安排党员交流发言，按时提交学习心得',
    owner: '张晓燕',
    area: '思想建设',
    weeks: 9,
  },
  {
    problem: '党员先锋模范作用发挥不够，志愿服务活动参与率不高',
    measures: '开展党员示范岗创建，每季度组织一次志愿服务活动并通报参与情况',
    owner: '陈志强',
    area: '作风建设',
    weeks: 13,
  },
] as const;

/** The opinions collected (author null: anonymous, no author stored at all). */
export const LIFE_OPINIONS: readonly { author: string | null; text: string }[] = [
  { author: '刘洋', text: '建议支部班子多深入一线了解党员思想动态，谈心谈话要经常开展，不要集中到年底突击完成。' },
  { author: null, text: '个别支委与普通党员交流较少，建议建立支委联系党员制度，定期听取意见。' },
  { author: '周婷', text: '希望支委会研究的事项及时向全体党员通报，增强党内事务的透明度。' },
  { author: null, text: '支部集中学习有时以读文件为主，研讨不够深入，建议每次学习安排党员交流发言。' },
  { author: '孙磊', text: '建议丰富主题党日形式，多结合业务工作开展实践活动，避免形式单一。' },
  { author: null, text: '党费收缴和使用情况应定期公开，接受党员监督。' },
];

/** The talks: who recorded it, with whom, working days before the meeting, and who has confirmed. */
const TALKS: readonly {
  by: string;
  with: readonly string[];
  kind: TalkKind;
  before: number;
  place: string;
  confirmed: readonly string[];
  notes?: string;
}[] = [
  {
    by: '李明华',
    with: ['王建国'],
    kind: 'integrity',
    before: 17,
    place: '书记办公室',
    confirmed: ['王建国'],
    notes: '围绕落实监督责任交换意见，提醒其加强对重点岗位廉政风险的日常监督。',
  },
  { by: '李明华', with: ['张晓燕'], kind: 'heart', before: 16, place: '书记办公室', confirmed: ['张晓燕'] },
  { by: '王建国', with: ['张晓燕'], kind: 'heart', before: 15, place: '支部会议室', confirmed: ['张晓燕'] },
  { by: '李明华', with: ['刘洋'], kind: 'heart', before: 14, place: '三楼党员活动室', confirmed: ['刘洋'] },
  {
    by: '王建国',
    with: ['刘洋', '赵敏'],
    kind: 'integrity',
    before: 13,
    place: '支部会议室',
    confirmed: ['刘洋'],
    notes: '结合第一党小组分管工作开展廉政谈话，重申公务接待和财务报销的纪律要求。',
  },
  {
    by: '李明华',
    with: ['周婷'],
    kind: 'integrity',
    before: 12,
    place: '书记办公室',
    confirmed: ['周婷'],
    notes: '就公务接待超标准问题的整改进行谈话，要求严格执行公务接待清单制度。',
  },
  { by: '张晓燕', with: ['吴刚'], kind: 'heart', before: 11, place: '三楼党员活动室', confirmed: ['吴刚'] },
  {
    by: '李明华',
    with: ['吴刚'],
    kind: 'reminder',
    before: 11,
    place: '书记办公室',
    confirmed: ['吴刚'],
    notes: '近期多次请假未参加组织生活，提醒其合理安排工作，按时参加支部活动。',
  },
  { by: '张晓燕', with: ['陈志强'], kind: 'heart', before: 10, place: '线上视频会议', confirmed: ['陈志强'] },
  { by: '李明华', with: ['孙磊'], kind: 'heart', before: 9, place: '书记办公室', confirmed: [] },
  { by: '张晓燕', with: ['郑丽'], kind: 'heart', before: 9, place: '三楼党员活动室', confirmed: [] },
];

/** Who handed in their 对照检查材料 (the others have not yet). */
const MATERIALS = ['李明华', '王建国', '张晓燕', '刘洋', '周婷'] as const;

/** Why the 书记 went on past 谈心谈话 before the coverage was complete (recorded as `继续` records it). */
export const LIFE_PROCEED_REASON = '部分党员外出培训，谈心谈话会后继续开展，限期完成全覆盖';

export const LIFE_MEETING_LEAVE = { name: '孙磊', reason: '赴外地参加业务培训' };

interface Scene {
  d: SeedDeps;
  s: SeedScope;
  at: (day: string, time: string) => Date;
  /** The members who were in the 支部 before the two 预备党员 transferred in today. */
  before: Member[];
}

/** A held session: published three working days before, 签到 in its window, minutes the next working day. */
async function hold(
  c: Scene,
  o: { by: Member; kind: 'topic' | 'life_meeting'; title: string; day: string; time: string },
  agenda: string,
  minutes: string,
  away: { name: string; reason: string },
): Promise<Session> {
  const { s } = c;
  const start = c.at(o.day, o.time);
  let session = await meetings.publishSession(s.as(o.by, c.at(c.d.calendar.addWorkdays(o.day, -3), '10:00')), {
    category: o.kind === 'topic' ? 'study' : 'meeting',
    kind: o.kind,
    title: o.title,
    startAt: start,
    place: o.kind === 'topic' ? '三楼党员活动室' : '三楼会议室',
    agenda,
    attendees: c.before.map((m) => m.open_id),
    reflectionDays: 5,
    notice: false,
  });
  const shift = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
  session = await meetings.askLeave(s.as(s.by(away.name), shift(-20 * 60)), session, away.reason);
  const present = c.before.filter((m) => m.name !== away.name);
  for (const [i, m] of present.entries()) session = await meetings.signIn(s.as(m, shift(i - 15)), session);
  const minutesAt = c.at(c.d.calendar.addWorkdays(o.day, 1), '10:00');
  return meetings.recordMinutes(s.as(o.by, minutesAt), session, minutes);
}

/** The pipeline row as `/组织生活会 启动` inserts it (repository.ts createPipeline), and its audit row. */
async function startPipeline(c: Scene, year: number, meetingOn: string, stages: StageMap, startedAt: Date) {
  const { s } = c;
  const secretary = s.withRole('secretary');
  const p = await s.trx
    .insertInto('life_pipelines')
    .values({
      org_id: c.d.org.id,
      year,
      kind: 'life_meeting',
      session_id: null,
      stages: JSON.stringify(stages),
      status: 'open',
      created_by: secretary.open_id,
      version: 1,
      created_at: startedAt.toISOString(),
      updated_at: startedAt.toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await s.as(secretary, startedAt).audit({
    action: 'life:start',
    subject: `life_pipeline:${p.id}`,
    after: { year, kind: 'life_meeting', meetingOn },
  });
  return p;
}

/** The talks as the register stores them (repository.ts createTalk), each 确认 the next morning. */
async function recordTalks(c: Scene, year: number, meetingOn: string): Promise<void> {
  const { s, d } = c;
  for (const t of TALKS) {
    // Within the year reviewed (a meeting in January has its talks by 31 December).
    const day = d.calendar.addWorkdays(meetingOn, -t.before);
    const heldOn = day > `${year}-12-31` ? `${year}-12-31` : day;
    const at = c.at(heldOn, '17:30');
    const recorder = s.by(t.by);
    const talk = await s.trx
      .insertInto('talks')
      .values({
        org_id: d.org.id,
        kind: t.kind,
        held_on: heldOn,
        place: t.place,
        notes: t.notes ?? null,
        recorder_open_id: recorder.open_id,
        recorder_name: recorder.name,
        status: 'recorded',
        version: 1,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const confirmedAt = c.at(addDays(heldOn, 1), '09:10').toISOString();
    await s.trx
      .insertInto('talk_parties')
      .values(
        t.with.map((name) => ({
          talk_id: talk.id,
          open_id: s.by(name).open_id,
          name,
          confirmed_at: t.confirmed.includes(name) ? confirmedAt : null,
        })),
      )
      .execute();
    await s.as(recorder, at).audit({
      action: 'talk:record',
      subject: `talk:${talk.id}`,
      after: { kind: t.kind, heldOn, place: t.place, parties: [...t.with], notes: t.notes !== undefined },
    });
  }
}

/** Opinions on the three working days after the study (two a day); materials after the talks' due date. */
async function collect(c: Scene, pipelineId: number, stages: StageMap, studyOn: string): Promise<void> {
  const { s, d } = c;
  await s.trx
    .insertInto('pipeline_opinions')
    .values(
      LIFE_OPINIONS.map((o, i) => {
        const author = o.author === null ? null : s.by(o.author);
        return {
          pipeline_id: pipelineId,
          author_open_id: author ? author.open_id : null,
          author_name: author ? author.name : null,
          text: o.text,
          created_on: d.calendar.addWorkdays(studyOn, 1 + Math.floor(i / 2)),
        };
      }),
    )
    .execute();
  for (const [i, name] of MATERIALS.entries()) {
    const m = s.by(name);
    const at = c.at(d.calendar.addWorkdays(stages.talks.due, 1 + (i % 3)), `${10 + i}:20`);
    await s.trx
      .insertInto('pipeline_materials')
      .values({
        pipeline_id: pipelineId,
        open_id: m.open_id,
        name,
        kind: 'link',
        value: `https://example.feishu.cn/docx/duizhao-jiancha-${i + 1}`,
        file_name: null,
        at: at.toISOString(),
      })
      .execute();
    await s
      .as(m, at)
      .audit({ action: 'life:material', subject: `life_pipeline:${pipelineId}`, after: { kind: 'link' } });
  }
}

/** The 会前集中学习 on the study stage's due date, and the 学习心得 of those who came. */
async function holdStudy(c: Scene, year: number, day: string): Promise<Session> {
  const away = { name: '郑丽', reason: '因病就医' };
  const study = await hold(
    c,
    { by: c.s.withRole('organizer'), kind: 'topic', title: `${year}年度组织生活会会前集中学习`, day, time: '09:30' },
    '学习《中国共产党章程》和《中国共产党支部工作条例（试行）》，围绕组织生活会主题开展交流研讨',
    '集中学习党章和支部工作条例，6 名党员交流发言，围绕会议主题查找差距。',
    away,
  );
  const text = `参加“${study.title}”后，我对照党章和支部工作条例查找差距：一是理论学习还不够系统，二是联系群众还不够紧密，三是履行党员义务的标准还不够高。我将在组织生活会上认真开展批评和自我批评，把查找的问题逐项整改到位。`;
  for (const m of c.before.filter((x) => x.name !== away.name))
    await meetings.submitReflection(c.s.as(m, c.at(addDays(day, 1), '20:00')), study, text, '');
  return study;
}

/** The 组织生活会 itself, on the planned date. */
function holdMeeting(c: Scene, year: number, day: string): Promise<Session> {
  const n = c.before.length;
  return hold(
    c,
    {
      by: c.s.withRole('secretary'),
      kind: 'life_meeting',
      title: `${year}年度组织生活会和民主评议党员`,
      day,
      time: '14:30',
    },
    '一、支部书记代表支部委员会作对照检查\n二、党员逐一对照检查，开展批评和自我批评\n三、查摆问题，明确整改措施',
    `应到 ${n} 人，实到 ${n - 1} 人（${LIFE_MEETING_LEAVE.name}请假）。书记代表支部委员会作对照检查，党员逐一发言，开展批评和自我批评。会议查摆问题 ${LIFE_PROBLEMS.length} 项，列入整改台账，明确责任人和整改时限。`,
    LIFE_MEETING_LEAVE,
  );
}

/** The problems into the 整改台账 through its service, as `/组织生活会 问题` does (life/service.ts addProblem). */
async function listProblems(c: Scene, at: Date): Promise<void> {
  const secretary = c.s.withRole('secretary');
  const admin = c.s.as(secretary, at);
  for (const p of LIFE_PROBLEMS) {
    const owner = c.s.by(p.owner);
    await rect.createItem(admin, {
      org_id: c.d.org.id,
      batch_id: null,
      source: '组织生活会',
      problem: p.problem,
      measures: p.measures,
      leader: secretary.name,
      owner_open_id: owner.open_id,
      owner_name: owner.name,
      deadline: c.d.calendar.onOrBefore(addDays(c.s.today, p.weeks * 7)),
      kind: 'centralized',
      area: p.area,
      status: 'pending',
      import_key: null,
    });
  }
}

/** The stages done as the records made them (service.ts syncStages) and the meeting linked; the card posted. */
async function settle(c: Scene, pipeline: LifePipeline, stages: StageMap, meeting: Session, at: Date): Promise<void> {
  const p = await c.s.trx
    .updateTable('life_pipelines')
    .set({ stages: JSON.stringify(stages), session_id: meeting.id, version: 2, updated_at: at.toISOString() })
    .where('id', '=', pipeline.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // The progress card in the group as `/组织生活会 查看` would post it today (who has not handed in
  // their material is on the admins' private copy only).
  const chat = (await listOrgChats(c.s.trx, c.d.org.id))[0];
  if (!chat) return;
  const ctx = c.s.as(c.s.withRole('secretary'));
  const card = await pipelineCard(ctx, c.d.org, p);
  await ctx.outbox.send({ chatId: chat.chatId }, { type: 'card', card }, { orgId: c.d.org.id });
}

export async function seedLife(d: SeedDeps): Promise<void> {
  await seedInTransaction(d, async (s) => {
    const { year, meetingOn, stages, studyOn, startedOn } = lifeDates(d.calendar, s.today);
    const at = (day: string, time: string) => zonedInstant(day, time, d.timezone);
    const probationary: readonly string[] = FIRST.probationary;
    const c: Scene = { d, s, at, before: s.members.filter((m) => !probationary.includes(m.name)) };
    const pipeline = await startPipeline(c, year, meetingOn, stages, at(startedOn, '10:00'));
    const study = await holdStudy(c, year, studyOn);
    await collect(c, pipeline.id, stages, studyOn);
    await recordTalks(c, year, meetingOn);
    const proceededAt = at(stages.talks.due, '17:00');
    await s.as(s.withRole('secretary'), proceededAt).audit({
      action: 'life:proceed',
      subject: `life_pipeline:${pipeline.id}`,
      after: { stage: 'talks', reason: LIFE_PROCEED_REASON },
    });
    const meeting = await holdMeeting(c, year, meetingOn);
    const listedAt = at(d.calendar.addWorkdays(meetingOn, 1), '15:00');
    await listProblems(c, listedAt);

    const done = (stage: keyof StageMap, when: Date) => {
      stages[stage].doneAt = when.toISOString();
    };
    // Done once 签到 had settled: its window closes three or four hours after the start (meetings/model.ts).
    done('study', new Date(Date.parse(study.start_at) + 4 * 60 * MINUTE));
    done('opinions', at(d.calendar.addWorkdays(studyOn, 1), '18:00'));
    done('talks', proceededAt);
    done('meeting', new Date(Date.parse(meeting.start_at) + 4 * 60 * MINUTE));
    done('problems', listedAt);
    await settle(c, pipeline, stages, meeting, listedAt);
  });
}
