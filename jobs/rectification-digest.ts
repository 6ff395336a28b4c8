/**
 * The weekly overdue digest, on the first working day of each week: a card in each org's group
 * listing overdue rectifications by owner (owners @-mentioned), and, for owners on leave, a private
 * digest to the secretary instead.
 */
import { card, markdown } from '../src/cards/parts.ts';
import { md, mdMention } from '../src/cards/text.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import { listOrgChats } from '../src/db/repositories/orgs.ts';
import { listOverdueOpen } from '../src/db/repositories/rectifications.ts';
import type { Rectification } from '../src/db/schema.ts';
import { mayNudge } from '../src/domain/nudge-window.ts';
import { firstWorkdayOfWeek, isoWeek } from '../src/domain/periods.ts';
import { daysBetween, localDate, localParts } from '../src/domain/time.ts';
import { nudgeGate } from '../src/services/ladder.ts';

/** Items listed on one digest card (about 30 KB allows some 100); the rest is /整改 列表 逾期. */
const ITEMS_SHOWN = 60;
/** Owners named on one digest card. */
const OWNERS_SHOWN = 30;

function byOwner(items: Rectification[], today: string): string {
  const groups = new Map<string, Rectification[]>();
  for (const i of items) groups.set(i.owner_open_id, [...(groups.get(i.owner_open_id) ?? []), i]);
  let budget = ITEMS_SHOWN;
  let listed = 0;
  const blocks: string[] = [];
  for (const [openId, list] of [...groups.entries()].slice(0, OWNERS_SHOWN)) {
    const shown = list.slice(0, Math.max(0, budget));
    budget -= shown.length;
    listed += shown.length;
    blocks.push(
      `${mdMention(openId)} **${md(list[0]?.owner_name ?? '', 20)}**（${list.length} 项）${shown
        .map(
          (i) => `\n- #${i.id} ${md(i.problem, 40)}，时限 ${i.deadline}，已逾期 ${daysBetween(i.deadline, today)} 天`,
        )
        .join('')}`,
    );
  }
  if (listed < items.length)
    blocks.push(
      `<font color='grey'>共 ${items.length} 项，这里列出 ${listed} 项；全部逾期事项请发送 /整改 列表 逾期 查看。</font>`,
    );
  return blocks.join('\n\n');
}

export default defineJob({
  name: 'rectification-digest',
  summary: '每周第一个工作日上午：在群内通报逾期整改事项（按责任人），请假人员的事项私信书记',
  schedule: '0 9-11 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = localDate(now, tz);
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
              {
                type: 'card',
                card: card({
                  title: `本周逾期整改事项（${present.length} 项）`,
                  template: 'red',
                  elements: [
                    markdown(byOwner(present, today)),
                    markdown("<font color='grey'>请责任人在事项卡片中报告进展、申请销号或申请延期。</font>", {
                      size: 'notation',
                    }),
                  ],
                }),
              },
              { orgId },
            );
          }
          if (away.length === 0) return;
          for (const m of members.values()) {
            if (m.role !== 'secretary') continue;
            const lines = away.slice(0, ITEMS_SHOWN).map((i) => {
              const o = members.get(i.owner_open_id);
              return `- #${i.id} ${md(i.problem, 40)}（${md(i.owner_name, 20)}，请假至 ${o?.away_until ?? ''}），时限 ${i.deadline}`;
            });
            if (away.length > lines.length)
              lines.push(
                `<font color='grey'>共 ${away.length} 项，这里列出 ${lines.length} 项；其余请发送 /整改 列表 逾期 查看。</font>`,
              );
            await c.outbox.send(
              { openId: m.open_id },
              {
                type: 'card',
                card: card({
                  title: '请假人员的逾期整改事项',
                  template: 'orange',
                  elements: [markdown(lines.join('\n'))],
                }),
              },
              { orgId },
            );
          }
        },
      });
    }
    return out;
  },
});
