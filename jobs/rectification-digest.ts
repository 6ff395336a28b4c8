/**
 * The weekly overdue digest, on the first working day of each week: a card in each org's group
 * listing overdue rectifications by owner (owners @-mentioned), and, for owners on leave, a private
 * digest to the secretary instead.
 */
import { buildAwayOverdueCard, buildOverdueDigestCard, type OverdueItem } from '../src/cards/notice-cards.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import { listOrgChats } from '../src/db/repositories/orgs.ts';
import type { Rectification } from '../src/db/schema.ts';
import { mayNudge } from '../src/domain/nudge-window.ts';
import { firstWorkdayOfWeek, isoWeek } from '../src/domain/periods.ts';
import { daysBetween, localParts } from '../src/domain/time.ts';
import { listOverdueOpen } from '../src/features/rectification/repository.ts';
import { nudgeGate } from '../src/services/ladder.ts';

function overdue(i: Rectification, today: string): OverdueItem {
  return {
    id: i.id,
    problem: i.problem,
    deadline: i.deadline,
    ownerOpenId: i.owner_open_id,
    ownerName: i.owner_name,
    daysOver: daysBetween(i.deadline, today),
  };
}

export default defineJob({
  name: 'rectification-digest',
  summary: '每周第一个工作日上午：在群内通报逾期整改事项（按责任人），请假人员的事项私信书记',
  schedule: '0 9-11 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    if (!mayNudge(now, tz, ctx.calendar) || localParts(now, tz).hour < 9) return [];
    if (firstWorkdayOfWeek(today, ctx.calendar) !== today) return [];
    const week = isoWeek(today).key;
    const byOrg = new Map<number, Rectification[]>();
    for (const i of await listOverdueOpen(ctx.db, today)) byOrg.set(i.org_id, [...(byOrg.get(i.org_id) ?? []), i]);
    const out: Delivery[] = [];
    const mayPost = nudgeGate(ctx, now);
    for (const [orgId, items] of byOrg) {
      if (!(await mayPost(orgId))) continue;
      const members = await membersByOpenId(ctx.db, orgId);
      const present = items.filter((i) => !isAway(members.get(i.owner_open_id), today));
      const away = items.filter((i) => isAway(members.get(i.owner_open_id), today));
      out.push({
        subject: `org:${orgId}`,
        occurrence: week,
        orgId,
        async deliver(c) {
          const chat = (await listOrgChats(c.db, orgId))[0];
          if (present.length > 0 && chat) {
            await c.outbox.send(
              { chatId: chat.chatId },
              { type: 'card', card: buildOverdueDigestCard(present.map((i) => overdue(i, today))) },
              { orgId },
            );
          }
          if (away.length === 0) return;
          for (const m of members.values()) {
            if (m.role !== 'secretary') continue;
            const view = away.map((i) => ({
              ...overdue(i, today),
              awayUntil: members.get(i.owner_open_id)?.away_until ?? '',
            }));
            await c.outbox.send({ openId: m.open_id }, { type: 'card', card: buildAwayOverdueCard(view) }, { orgId });
          }
        },
      });
    }
    return out;
  },
});
