/**
 * 谈心谈话 coverage prompts (issue 16 item 2): each 支委 who still owes talks gets their own missing
 * pairs privately — at the start of Q4 for the current year (from 09:30 on the first working day of
 * October, caught up during the next four) and again within the 10 working days before the planned
 * meeting of the org's open 组织生活会 (民主生活会) pipeline, for the pipeline's year and counting the
 * talks held up to the meeting date (a 2026 meeting held in January 2027 counts the January talks; the
 * 支部工作条例 has the talks held before it). Claimed once per person per occasion (`q4:2026`,
 * `life-pipeline:<id>`), outside quiet hours and on working days only; people on 请假/出差 are skipped.
 */
import { type Delivery, defineJob, type JobContext } from '../src/core/contracts.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import { listOrgs } from '../src/db/repositories/orgs.ts';
import type { LifePipeline, Org } from '../src/db/schema.ts';
import { localParts } from '../src/domain/time.ts';
import { openPipelines, stagesOf } from '../src/features/life/repository.ts';
import { kindOf, wordOf } from '../src/features/life/service.ts';
import { type CountedUntil, ownCard, yearCoverage } from '../src/features/talks/coverage.ts';
import { dateText } from '../src/features/talks/rules.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const JOB = 'talk-coverage';
/** The pipeline's meeting this many working days ahead (or nearer) brings the second prompt. */
const BEFORE_LIFE_MEETING = 10;

interface Occasion {
  org: Org;
  /** The year whose coverage is shown, and the last day whose talks count for it (yearCoverage). */
  year: number;
  until?: CountedUntil;
  occurrence: string;
  lead: string;
}

/** From 09:30 on the first working day of October to four working days later. */
function inQ4Window(ctx: JobContext, now: Date): boolean {
  const year = ctx.today.slice(0, 4);
  let first = `${year}-10-01`;
  while (!ctx.calendar.isWorkday(first)) first = ctx.calendar.addWorkdays(first, 1);
  const t = localParts(now, ctx.settings.timezone);
  const started = ctx.today > first || (ctx.today === first && t.hour * 60 + t.minute >= 9 * 60 + 30);
  return started && ctx.today <= ctx.calendar.addWorkdays(first, 4);
}

/**
 * Before the meeting of the org's latest open pipeline of its kind whose meeting, not yet held, is at
 * most 10 working days ahead (an older pipeline still open, its meeting past, does not hide it).
 */
function beforeMeeting(ctx: JobContext, org: Org, open: readonly LifePipeline[]): Occasion | undefined {
  const kind = kindOf(org);
  const upcoming = open
    .filter((p) => p.org_id === org.id && p.kind === kind)
    .map((p) => ({ p, meeting: stagesOf(p).meeting }))
    .filter(({ meeting }) => !meeting.doneAt && ctx.today < meeting.due)
    .sort((a, b) => b.p.year - a.p.year)[0];
  if (!upcoming) return undefined;
  const { p, meeting } = upcoming;
  if (ctx.calendar.addWorkdays(meeting.due, -BEFORE_LIFE_MEETING) > ctx.today) return undefined;
  return {
    org,
    year: p.year,
    until: { on: meeting.due, word: wordOf(org) },
    // Not `life:<id>`: that key named a scheduled meeting session before, and ids of the two overlap.
    occurrence: `life-pipeline:${p.id}`,
    lead: `${p.year}年度${wordOf(org)}计划于 ${dateText(meeting.due)} 召开，会前应开展谈心谈话：`,
  };
}

async function occasions(ctx: JobContext, now: Date, orgs: readonly Org[]): Promise<Occasion[]> {
  const year = Number(ctx.today.slice(0, 4));
  const out: Occasion[] = [];
  const q4 = inQ4Window(ctx, now);
  const open = await openPipelines(ctx.db);
  for (const org of orgs) {
    if (q4)
      out.push({
        org,
        year,
        occurrence: `q4:${year}`,
        lead: '第四季度已开始。按照《中国共产党支部工作条例（试行）》（2018年），支委之间、支委与党员每年至少谈心谈话一次，请在组织生活会前完成：',
      });
    const life = beforeMeeting(ctx, org, open);
    if (life) out.push(life);
  }
  return out;
}

export default defineJob({
  name: JOB,
  summary: '谈心谈话提醒：第四季度初和组织生活会前，私信提醒每位支委本年度尚未谈话的对象',
  schedule: '30 9-11,14-16 * * *',
  async collect(ctx, now) {
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const o of await occasions(ctx, now, await listOrgs(ctx.db))) {
      const org = o.org;
      if (!(await mayPost(org.id))) continue;
      const cov = await yearCoverage(ctx.db, org, o.year, o.until?.on);
      const members = await membersByOpenId(ctx.db, org.id);
      for (const row of cov.committee) {
        const openId = row.person.openId;
        if (row.missing.length === 0 || isAway(members.get(openId), ctx.today)) continue;
        const card = ownCard(org, o.year, row, { lead: o.lead, ...(o.until ? { until: o.until } : {}) });
        out.push({
          subject: `person:${org.id}:${openId}`,
          occurrence: o.occurrence,
          orgId: org.id,
          async deliver(c) {
            await c.outbox.send({ openId }, { type: 'card', card }, { orgId: org.id });
          },
        });
      }
    }
    return out;
  },
});
