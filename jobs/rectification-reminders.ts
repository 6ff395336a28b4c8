/**
 * Rectification reminders, as of now, each claimed once: the overdue ladder for every open item
 * (T−3, T0, T+1, T+3, shared with tasks), its steps from the day after the item was created (one
 * entered late is not escalated for the days before it existed); pending reviews older than 2 working
 * days nudged to the reviewers (again every 2 working days); long-term items asked for progress once a
 * quarter (in the last 5 working days); batch milestones counted down like items, from the day after
 * their batch was entered.
 */
import { plain, textMessage } from '../src/cards/text.ts';
import { type Delivery, defineJob, type JobContext } from '../src/core/contracts.ts';
import { isAway, listMembers } from '../src/db/repositories/members.ts';
import { lockRow } from '../src/db/repositories/versioned.ts';
import type { Rectification } from '../src/db/schema.ts';
import { mayNudge } from '../src/domain/nudge-window.ts';
import { quarterWindow } from '../src/domain/periods.ts';
import { addDays, localDate } from '../src/domain/time.ts';
import { findBatch, listOpenMilestones } from '../src/features/rectification/batch-repository.ts';
import { isUnfinished, REVIEWER_ROLES } from '../src/features/rectification/model.ts';
import {
  listInReview,
  listOpenByDeadline,
  listOpenLongTerm,
  markLate,
  updateRectification,
} from '../src/features/rectification/repository.ts';
import { refreshItemCards, sendItemCard } from '../src/features/rectification/service.ts';
import { type LadderTarget, ladderDeliveries, nudgeGate } from '../src/services/ladder.ts';

const label = (i: Rectification) => `整改事项 #${i.id}「${i.problem.slice(0, 30)}」`;

/** The local day a row was created: the ladder skips the steps due up to then (domain/ladder.ts). */
const createdOn = (ctx: JobContext, createdAt: string) => localDate(new Date(createdAt), ctx.settings.timezone);

function itemTarget(ctx: JobContext, i: Rectification): LadderTarget {
  return {
    subject: `rect:${i.id}`,
    orgId: i.org_id,
    deadline: i.deadline,
    since: createdOn(ctx, i.created_at),
    ownerOpenId: i.owner_open_id,
    ownerName: i.owner_name,
    label: label(i),
    sendCard: (ctx) => sendItemCard(ctx, i, { openId: i.owner_open_id }),
    onOverdue: async (ctx) => {
      if (i.late === 1) return;
      // Decided on the row as it is now, locked: an owner's click meanwhile is not undone.
      const current = await lockRow(ctx.db, 'rectifications', i.id);
      if (!current || current.late === 1) return;
      await refreshItemCards(ctx, await updateRectification(ctx.db, current, { late: 1 }));
    },
  };
}

async function reviewNudges(ctx: JobContext, now: Date, today: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  const mayPost = nudgeGate(ctx, now);
  for (const i of await listInReview(ctx.db)) {
    if (!i.submitted_at || !(await mayPost(i.org_id))) continue;
    const waited = ctx.calendar.workdaysBetween(localDate(new Date(i.submitted_at), ctx.settings.timezone), today);
    if (waited < 2) continue;
    out.push({
      subject: `rect:${i.id}`,
      occurrence: `review@${i.submitted_at}#${Math.floor(waited / 2)}`,
      orgId: i.org_id,
      async deliver(c) {
        for (const m of await listMembers(c.db, i.org_id)) {
          if (!(REVIEWER_ROLES as readonly string[]).includes(m.role) || m.open_id === i.owner_open_id) continue;
          await c.outbox.send(
            { openId: m.open_id },
            textMessage`【待审核】${plain(label(i), 80)}已提交销号申请 ${waited} 个工作日，请尽快审核（/整改 列表 待审核）。`,
            { orgId: i.org_id },
          );
        }
      },
    });
  }
  return out;
}

async function quarterlyAsks(ctx: JobContext, now: Date, today: string): Promise<Delivery[]> {
  const q = quarterWindow(today, ctx.calendar);
  if (today < q.lastWorkdaysStart || today > q.end) return [];
  const out: Delivery[] = [];
  const away = new Map<number, Set<string>>();
  const mayPost = nudgeGate(ctx, now);
  for (const i of await listOpenLongTerm(ctx.db)) {
    if (!(await mayPost(i.org_id))) continue;
    if (!away.has(i.org_id)) {
      away.set(
        i.org_id,
        new Set((await listMembers(ctx.db, i.org_id)).filter((m) => isAway(m, today)).map((m) => m.open_id)),
      );
    }
    if (away.get(i.org_id)?.has(i.owner_open_id)) continue;
    out.push({
      subject: `rect:${i.id}`,
      occurrence: `quarter:${q.key}`,
      orgId: i.org_id,
      async deliver(c) {
        await c.outbox.send(
          { openId: i.owner_open_id },
          textMessage`【季度进展】长期整改事项 #${i.id} 需要每季度报告一次进展，请在本季度结束（${q.end}）前通过卡片报告。`,
          { orgId: i.org_id },
        );
        await sendItemCard(c, i, { openId: i.owner_open_id });
      },
    });
  }
  return out;
}

async function milestoneTargets(ctx: JobContext, today: string): Promise<LadderTarget[]> {
  const out: LadderTarget[] = [];
  for (const m of await listOpenMilestones(ctx.db, addDays(today, -40), addDays(today, 25))) {
    const batch = await findBatch(ctx.db, m.batch_id);
    const secretary = (await listMembers(ctx.db, m.org_id)).find((x) => x.role === 'secretary');
    if (!batch || !secretary) continue;
    out.push({
      subject: `milestone:${m.id}`,
      orgId: m.org_id,
      deadline: m.due_date,
      since: createdOn(ctx, batch.created_at),
      ownerOpenId: secretary.open_id,
      ownerName: secretary.name,
      label: `巡察整改节点「${batch.name}：${m.title}」`,
    });
  }
  return out;
}

export default defineJob({
  name: 'rectification-reminders',
  summary:
    '整改提醒：到期前 3 个工作日、到期当天、逾期 1 个工作日（群内 @）、逾期 3 个工作日（加急并通报）；待审核催办；长期整改季度进展；巡察节点倒计时',
  schedule: '*/15 8-19 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    if (!mayNudge(now, tz, ctx.calendar)) return [];
    const today = ctx.today;
    // Ladder steps reach from T−3 (≤ ~3 weeks ahead across long holidays) to T+3 (≤ ~4 weeks back).
    const items = (await listOpenByDeadline(ctx.db, addDays(today, -40), addDays(today, 25))).filter((i) =>
      isUnfinished(i.status),
    );
    return [
      ...(await ladderDeliveries(
        ctx,
        now,
        today,
        items.map((i) => itemTarget(ctx, i)),
      )),
      ...(await ladderDeliveries(ctx, now, today, await milestoneTargets(ctx, today))),
      ...(await reviewNudges(ctx, now, today)),
      ...(await quarterlyAsks(ctx, now, today)),
    ];
  },
  async run(ctx) {
    // The permanent late mark, also for items no reminder reached (owner on leave, bot down).
    const marked = await markLate(ctx.db, ctx.today);
    return `标记逾期 ${marked} 项`;
  },
});
