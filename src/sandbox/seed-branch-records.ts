/**
 * The records behind the 机关党委's roll-up in the sandbox (rollup/rules.ts decides the colours), all
 * relative to the sandbox's clock and made through the services, as the bot makes them:
 *
 * - 第一党支部 began with 清风 when its 巡察 feedback came (seed-rectifications.ts: 45 days ago) and has
 *   held no 支委会 or 主题党日 in a month that ended since — 红 (and its two late rectifications and an
 *   overdue task would be 黄 on their own);
 * - 第二党支部 has used 清风 since the year began and held every cycle that ended: each month a 支委会 and
 *   a 主题党日, each quarter a 党员大会 and a 党课, a study session each month — 签到 within the window, a
 *   quorum where one votes, minutes the next working day, 学习心得 — with 参学率 90 % — 绿;
 * - 第三党支部 held them all too, but its study sessions saw 70 % and one of its tasks is overdue — 黄.
 *
 * Then one item of the 机关党委's 清单 is 下发 to all three (seedIssued): 第二党支部's 书记 names the
 * owner, who completes it with evidence and has it accepted; 第三党支部's is in progress; 第一党支部's 书记
 * has named nobody yet.
 */
import { sql } from 'kysely';
import type { Org, Session } from '../db/schema.ts';
import { addDays, localDate, zonedInstant } from '../domain/time.ts';
import * as tasks from '../features/duties/service.ts';
import { themeDayOf } from '../features/meetings/calendar.ts';
import type { SessionCategory, SessionKind } from '../features/meetings/model.ts';
import { listAttendees } from '../features/meetings/repository.ts';
import * as meetings from '../features/meetings/service.ts';
import { type SeedDeps, type SeedScope, seedInTransaction } from './seed-scope.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The item the 机关党委 下发 to its three 支部. */
export const DEMO_ISSUED = '开展廉政风险点排查，建立本支部廉政风险防控台账';
/** 第三党支部's overdue task. */
export const DEMO_OVERDUE = '开展党员廉洁谈话全覆盖，形成谈话记录';
/** How many of ten miss each study session: 第二党支部 one (参学率 90 %), 第三党支部 three (70 %). */
const STUDY_MISSING: Record<string, number> = { 第二党支部: 1, 第三党支部: 3 };

const COMMITTEE = ['研究年度党建和党风廉政建设工作要点', '研究党员教育管理和发展党员工作', '研究主体责任清单推进情况'];
const THEME_DAY = ['重温入党誓词', '参观廉政教育基地', '开展志愿服务活动', '学习党章和党内法规'];
const LECTURE = ['坚持全面从严治党', '以案为鉴，筑牢廉洁防线', '锤炼党性，严守纪律规矩', '发扬斗争精神'];
const STUDY = ['学习《中国共产党纪律处分条例》', '学习《中国共产党廉洁自律准则》', '学习违纪违法典型案例通报'];
const LEAVE = ['参加上级业务培训', '因病就医', '外出公干'];

interface Planned {
  category: SessionCategory;
  kind: SessionKind;
  title: string;
  day: string;
  time: string;
  by: 'secretary' | 'organizer';
  /** How many attendees do not sign in (the first asks leave the day before). */
  missing: number;
}

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T;
const pad = (n: number) => String(n).padStart(2, '0');

/** Every cycle of a 支部 that ended this year before `today` (and last year's 组织生活会, held in January), and a study session each month. */
function yearPlan(d: SeedDeps, today: string, studyMissing: number): Planned[] {
  const y = today.slice(0, 4);
  const month = Number(today.slice(5, 7));
  const out: Planned[] = [];
  for (let m = 1; m < month; m++) {
    const ym = `${y}-${pad(m)}`;
    const at = (day: number) => d.calendar.onOrAfter(`${ym}-${pad(day)}`);
    out.push(
      meeting('committee', `${m}月支委会：${pick(COMMITTEE, m)}`, at(8), '15:00', 'secretary', 0),
      meeting(
        'theme_day',
        `${m}月主题党日：${pick(THEME_DAY, m)}`,
        themeDayOf(`${ym}-01`, 15, d.calendar),
        '14:30',
        'organizer',
        1,
      ),
      {
        category: 'study',
        kind: m % 2 ? 'integrity' : 'topic',
        title: pick(STUDY, m),
        day: at(22),
        time: '09:30',
        by: 'organizer',
        missing: studyMissing,
      },
    );
    if (m % 3 === 2)
      out.push(meeting('lecture', `第${(m + 1) / 3}季度党课：${pick(LECTURE, m)}`, at(25), '14:30', 'secretary', 0));
    if (m % 3 === 0)
      out.push(
        meeting('general', `第${m / 3}季度支部党员大会：通报支部工作和党费收缴情况`, at(18), '15:00', 'secretary', 1),
      );
    // Last year's 组织生活会, held in January as is common (it counts for the year before: docs/domain.md).
    if (m === 1)
      out.push(
        meeting('life_meeting', `${Number(y) - 1}年度组织生活会和民主评议党员`, at(26), '14:30', 'secretary', 0),
      );
  }
  return out;
}

function meeting(kind: SessionKind, title: string, day: string, time: string, by: Planned['by'], missing: number) {
  return { category: 'meeting' as const, kind, title, day, time, by, missing };
}

/** A held session: published three days before, 签到 within its window, minutes the next working day. */
async function hold(d: SeedDeps, s: SeedScope, p: Planned, index: number): Promise<void> {
  const organiser = s.withRole(p.by);
  const start = zonedInstant(p.day, p.time, d.timezone);
  const shift = (ms: number) => new Date(start.getTime() + ms);
  let session: Session = await meetings.publishSession(s.as(organiser, shift(-3 * DAY)), {
    category: p.category,
    kind: p.kind,
    title: p.title,
    startAt: start,
    place: p.category === 'study' ? '线上会议' : '二楼党员活动室',
    agenda: p.title,
    attendees: [],
    reflectionDays: 5,
    notice: false,
  });
  const invited = await listAttendees(s.trx, session.id);
  // The ones who miss it rotate among those neither organising nor on the 支委 (a 支委会 misses nobody).
  const pool = invited.filter((a) => a.open_id !== organiser.open_id && s.by(a.name).committee_post === null);
  const away = new Set(
    Array.from({ length: Math.min(p.missing, pool.length) }, (_, k) => pool[(index * 3 + k) % pool.length]?.open_id),
  );
  const present = invited.filter((a) => !away.has(a.open_id));
  const leave = pool.find((a) => away.has(a.open_id));
  if (leave) session = await meetings.askLeave(s.as(s.by(leave.name), shift(-DAY)), session, pick(LEAVE, index));
  for (const [i, a] of present.entries())
    session = await meetings.signIn(s.as(s.by(a.name), shift((i - 15) * MINUTE)), session);
  const minutesAt = zonedInstant(d.calendar.addWorkdays(p.day, 1), '10:00', d.timezone);
  if (minutesAt.getTime() < d.now.getTime())
    session = await meetings.recordMinutes(
      s.as(organiser, minutesAt),
      session,
      `${p.title}。应到 ${invited.length} 人，实到 ${present.length} 人。会议按议程进行，形成工作安排并明确责任人和完成时限。`,
    );
  if (p.category !== 'study') return;
  const text = `参加“${p.title}”后，我对照岗位职责认真反思：一是把纪律和规矩挺在前面，时刻绷紧廉洁自律这根弦；二是严格执行各项制度，主动接受组织和群众监督；三是结合本职工作查找廉政风险点，做到防患于未然。今后我将把学习成果转化为推动工作的实际成效。`;
  for (const a of present) await meetings.submitReflection(s.as(s.by(a.name), shift(DAY)), session, text, '');
}

/**
 * The records of the three 支部 (`orgs`: 第一, 第二, 第三): when each began with 清风 (orgs.created_at,
 * which the roll-up and the compliance calendar count cycles from), the year's meetings of the second
 * and third, and the third's overdue task.
 */
export async function seedBranchRecords(d: Omit<SeedDeps, 'org'>, orgs: readonly Org[]): Promise<void> {
  const today = localDate(d.now, d.timezone);
  const [first, ...others] = orgs as [Org, ...Org[]];
  const since = (org: Org, day: string) =>
    d.db
      .updateTable('orgs')
      .set({ created_at: zonedInstant(day, '09:00', d.timezone).toISOString() })
      .where('id', '=', org.id)
      .execute();
  await since(first, addDays(today, -45));
  for (const org of others) {
    await since(org, `${today.slice(0, 4)}-01-01`);
    const dd = { ...d, org };
    await seedInTransaction(dd, async (s) => {
      for (const [i, p] of yearPlan(dd, today, STUDY_MISSING[org.name] ?? 1).entries()) await hold(dd, s, p, i);
    });
  }
  const third = others[1];
  if (!third) return;
  await seedInTransaction({ ...d, org: third }, async ({ by, withRole, as }) => {
    const secretary = withRole('secretary');
    const organizer = withRole('organizer');
    const { tasks: made } = await tasks.createDuty(as(secretary, new Date(d.now.getTime() - 30 * DAY)), {
      content: DEMO_OVERDUE,
      category: '纪律建设',
      leader: secretary.name,
      cadence: 'once',
      dueDate: addDays(today, -5),
      dueDay: null,
      evidence: '谈话记录表',
      owners: [{ openId: organizer.open_id, name: organizer.name }],
    });
    const task = made[0];
    if (!task) return;
    const ctx = as(by(organizer.name), new Date(d.now.getTime() - 10 * DAY));
    await tasks.refreshTaskCards(
      ctx,
      await tasks.reportTask(ctx, task, {
        status: 'in_progress',
        percent: 60,
        text: '已完成 6 名党员的谈话，其余待安排',
      }),
    );
  });
}

/** Talking in the demo's chats (seed-hierarchy.ts): as the person named, in the org's group. */
export interface DemoChats {
  say: (org: string, person: string, text: string) => Promise<void>;
  mention: (person: string) => string;
  /** 第一, 第二, 第三党支部. */
  orgs: readonly Org[];
  now: () => Date;
}

/** The 机关党委's (`d.org`) item, 下发 to all three by its 书记; named, done and accepted, or not yet. */
export async function seedIssued(d: SeedDeps, chats: DemoChats): Promise<void> {
  const today = localDate(d.now, d.timezone);
  const yearEnd = `${today.slice(0, 4)}-12-31`;
  const due = addDays(today, 20) < yearEnd ? addDays(today, 20) : yearEnd;
  let seq = 0;
  let secretary = '';
  await seedInTransaction(d, async ({ withRole, as }) => {
    const s = withRole('secretary');
    secretary = s.name;
    const { item } = await tasks.createDuty(as(s), {
      content: DEMO_ISSUED,
      category: '制度建设',
      leader: s.name,
      cadence: 'once',
      dueDate: due,
      dueDay: null,
      evidence: '廉政风险点排查表、廉政风险防控台账',
      owners: [],
    });
    seq = item.seq;
  });
  await chats.say(d.org.name, secretary, `/清单 下发 ${seq} 全部`);
  const [, second, third] = chats.orgs as [Org, Org, Org];
  const copyOf = async (org: Org) =>
    d.db
      .selectFrom('duty_items')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('source_org_id', '=', d.org.id)
      .orderBy(sql`id desc`)
      .executeTakeFirstOrThrow();
  const owners: [Org, string][] = [
    [second, '何建平'],
    [third, '韩冬'],
  ];
  for (const [org, owner] of owners) {
    const copy = await copyOf(org);
    const sec = (
      await d.db
        .selectFrom('members')
        .select('name')
        .where('org_id', '=', org.id)
        .where('role', '=', 'secretary')
        .executeTakeFirstOrThrow()
    ).name;
    await chats.say(org.name, sec, `/清单 指派 ${copy.seq} ${chats.mention(owner)}`);
  }
  for (const [org, owner] of owners) {
    const copy = await copyOf(org);
    await seedInTransaction({ ...d, org, now: chats.now() }, async ({ trx, by, withRole, as }) => {
      const task = await trx.selectFrom('tasks').selectAll().where('item_id', '=', copy.id).executeTakeFirstOrThrow();
      const ctx = as(by(owner));
      if (org.id === third.id) {
        const after = await tasks.reportTask(ctx, task, {
          status: 'in_progress',
          percent: 50,
          text: '已排查 4 个重点岗位，台账正在汇总',
        });
        return tasks.refreshTaskCards(ctx, after);
      }
      const done = await tasks.reportTask(ctx, task, {
        status: 'done',
        percent: 100,
        text: '已完成本支部 8 个岗位的廉政风险点排查，建立防控台账',
        link: 'https://example.feishu.cn/sheets/lianzheng-fengxian-taizhang',
      });
      await tasks.refreshTaskCards(ctx, done);
      const review = as(withRole('secretary'));
      await tasks.refreshTaskCards(review, await tasks.reviewTask(review, done, { decision: 'accept' }));
    });
  }
}
