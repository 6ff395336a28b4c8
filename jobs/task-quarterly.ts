/**
 * 季季报: in the last 5 working days of each quarter every owner is asked, privately, for the
 * quarterly 履责 report on the items they own (a form; leading cadres also on 一岗双责); on the
 * quarter's last working day from 15:00 (caught up during the next five working days) each secretary
 * gets the roll-up card — per owner and per item, each task in one column: 已完成（已验收）, 已完成, 待验收,
 * 进行中, 未开始, 遇到困难, 逾期, 未完成; who has not reported, who is on leave — and the quarter's .xlsx ledger.
 */

import { periodText } from '../src/cards/period-text.ts';
import { type Delivery, defineJob, type JobContext } from '../src/core/contracts.ts';
import { isAway, listMembers, membersByOpenId } from '../src/db/repositories/members.ts';
import { findOrgById } from '../src/db/repositories/orgs.ts';
import { type QuarterWindow, quarterWindow } from '../src/domain/periods.ts';
import { addDays, localParts } from '../src/domain/time.ts';
import { exportDuties } from '../src/features/duties/export.ts';
import { isLeadingCadre } from '../src/features/duties/model.ts';
import { findQuarterlyReport, listOrgsWithDuties, listTasksDueIn } from '../src/features/duties/repository.ts';
import { rollupView } from '../src/features/duties/rollup.ts';
import { buildQuarterlyAskCard, buildRollupCard } from '../src/features/duties/task-card.ts';
import { nudgeGate } from '../src/services/ladder.ts';

async function asks(ctx: JobContext, now: Date, q: QuarterWindow, today: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  const mayPost = nudgeGate(ctx, now);
  for (const orgId of await listOrgsWithDuties(ctx.db)) {
    if (!(await mayPost(orgId))) continue;
    const tasks = await listTasksDueIn(ctx.db, orgId, q.start, q.end);
    const members = await membersByOpenId(ctx.db, orgId);
    const leaders = tasks.map((t) => t.leader);
    for (const openId of new Set(tasks.map((t) => t.owner_open_id))) {
      if (isAway(members.get(openId), today) || (await findQuarterlyReport(ctx.db, orgId, openId, q.key))) continue;
      // Owners report on their items; only leading cadres are asked about 一岗双责.
      const items = [...new Set(tasks.filter((t) => t.owner_open_id === openId).map((t) => t.content))];
      const leader = isLeadingCadre(members.get(openId), leaders);
      out.push({
        subject: `owner:${orgId}:${openId}`,
        occurrence: `ask:${q.key}`,
        orgId,
        deliver: async (c) => {
          await c.outbox.send(
            { openId },
            { type: 'card', card: buildQuarterlyAskCard({ orgId, quarter: q.key, end: q.end, items, leader }) },
            { orgId },
          );
        },
      });
    }
  }
  return out;
}

async function rollups(ctx: JobContext, now: Date, q: QuarterWindow, today: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (const orgId of await listOrgsWithDuties(ctx.db)) {
    out.push({
      subject: `org:${orgId}`,
      occurrence: `rollup:${q.key}`,
      orgId,
      async deliver(c) {
        const org = await findOrgById(c.db, orgId);
        if (!org) return;
        const view = await rollupView(c, orgId, q, today);
        const file = await exportDuties(c.db, {
          org,
          from: q.start,
          to: q.end,
          now,
          timezone: c.settings.timezone,
          title: `${org.name} ${periodText(q)} 主体责任落实台账`,
        });
        for (const m of await listMembers(c.db, orgId)) {
          if (m.role !== 'secretary') continue;
          await c.outbox.send({ openId: m.open_id }, { type: 'card', card: buildRollupCard(view) }, { orgId });
          await c.outbox.sendFile(
            { openId: m.open_id },
            { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
            { orgId },
          );
        }
      },
    });
  }
  return out;
}

export default defineJob({
  name: 'task-quarterly',
  summary: '季季报：季度最后 5 个工作日请责任人提交履责报告；季度最后一个工作日 15 点后向书记发送汇总和台账',
  schedule: '0 9-17 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    const hour = localParts(now, tz).hour;
    // Just after a quarter ends, the roll-up of the quarter that ended is still owed.
    const current = quarterWindow(today, ctx.calendar);
    const previous = quarterWindow(addDays(current.start, -1), ctx.calendar);
    const out: Delivery[] = [];
    if (today >= current.lastWorkdaysStart && today <= current.end && hour >= 9 && ctx.calendar.isWorkday(today)) {
      out.push(...(await asks(ctx, now, current, today)));
    }
    if ((today === current.lastWorkday && hour >= 15) || (today > current.lastWorkday && today <= current.end)) {
      out.push(...(await rollups(ctx, now, current, today)));
    } else if (today <= ctx.calendar.addWorkdays(previous.lastWorkday, 5)) {
      out.push(...(await rollups(ctx, now, previous, today)));
    }
    return out;
  },
});
