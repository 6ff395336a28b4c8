/**
 * 谈心谈话 coverage prompts (issue 16 item 2): each 支委 who still owes talks this year gets their own
 * missing pairs privately — at the start of Q4 (from 09:30 on the first working day of October, caught
 * up during the next four) and again once a 组织生活会 is scheduled within the next 10 working days (the
 * 支部工作条例 has the talks held before it). Claimed once per person per occasion (`q4:2026`, the
 * meeting's id), outside quiet hours and on working days only; people on 请假/出差 are skipped.
 */
import { type Delivery, defineJob, type JobContext } from '../src/core/contracts.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import { findOrgById, listOrgs } from '../src/db/repositories/orgs.ts';
import type { Org } from '../src/db/schema.ts';
import { formatLocal, localDate, localParts, zonedInstant } from '../src/domain/time.ts';
import { listScheduledBetween } from '../src/features/meetings/repository.ts';
import { ownCard, yearCoverage } from '../src/features/talks/coverage.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const JOB = 'talk-coverage';
/** A 组织生活会 this many working days ahead (or nearer) brings the second prompt. */
const BEFORE_LIFE_MEETING = 10;

interface Occasion {
  orgId: number;
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

async function occasions(ctx: JobContext, now: Date, orgs: readonly Org[]): Promise<Occasion[]> {
  const year = ctx.today.slice(0, 4);
  const out: Occasion[] = [];
  if (inQ4Window(ctx, now))
    for (const org of orgs)
      out.push({
        orgId: org.id,
        occurrence: `q4:${year}`,
        lead: '第四季度已开始。按照《中国共产党支部工作条例（试行）》（2018年），支委之间、支委与党员每年至少谈心谈话一次，请在组织生活会前完成：',
      });
  const tz = ctx.settings.timezone;
  const until = zonedInstant(ctx.calendar.addWorkdays(ctx.today, BEFORE_LIFE_MEETING + 1), '00:00', tz);
  const soon = await listScheduledBetween(ctx.db, now.toISOString(), until.toISOString());
  for (const s of soon) {
    if (s.kind !== 'life_meeting') continue;
    const day = localDate(new Date(s.start_at), tz);
    if (ctx.calendar.addWorkdays(day, -BEFORE_LIFE_MEETING) > ctx.today) continue;
    out.push({
      orgId: s.org_id,
      occurrence: `life:${s.id}`,
      lead: `组织生活会将于 ${formatLocal(new Date(s.start_at), tz)} 召开，会前应开展谈心谈话：`,
    });
  }
  return out;
}

export default defineJob({
  name: JOB,
  summary: '谈心谈话提醒：第四季度初和组织生活会前，私信提醒每位支委本年度尚未谈话的对象',
  schedule: '30 9-11,14-16 * * *',
  async collect(ctx, now) {
    const year = Number(ctx.today.slice(0, 4));
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const o of await occasions(ctx, now, await listOrgs(ctx.db))) {
      const org = await findOrgById(ctx.db, o.orgId);
      if (!org || !(await mayPost(org.id))) continue;
      const cov = await yearCoverage(ctx.db, org, year);
      const members = await membersByOpenId(ctx.db, org.id);
      for (const row of cov.committee) {
        const openId = row.person.openId;
        if (row.missing.length === 0 || isAway(members.get(openId), ctx.today)) continue;
        out.push({
          subject: `person:${org.id}:${openId}`,
          occurrence: o.occurrence,
          orgId: org.id,
          async deliver(c) {
            await c.outbox.send({ openId }, { type: 'card', card: ownCard(org, year, row, o.lead) }, { orgId: org.id });
          },
        });
      }
    }
    return out;
  },
});
