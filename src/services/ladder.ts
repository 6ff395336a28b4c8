/**
 * The overdue ladder as one mechanism for every kind of deadline (rectifications, tasks, meeting
 * minutes …): which step is due for each target as of a day, and what each step posts —
 * T−3 a due-soon note to the owner; T0 a private reminder with the item's card; T+1 the owner
 * @-mentioned in the org's group; T+3 a private reminder with Feishu 加急 (in-app; SMS and phone only
 * when the org enabled them) and a notice to the secretary and the inspector. Owners on leave are
 * skipped (they appear in the secretary's digest instead).
 */
import type { Kysely } from 'kysely';
import { plain, textMention, textMessage } from '../cards/text.ts';
import type { Card } from '../core/card.ts';
import type { BaseContext, Delivery } from '../core/contracts.ts';
import { isAway, listMembers, membersByOpenId } from '../db/repositories/members.ts';
import { findOrgById, listOrgChats, orgSettings } from '../db/repositories/orgs.ts';
import type { Database } from '../db/schema.ts';
import { shortDate } from '../domain/dates.ts';
import { dueStep, type LadderStep, OVERDUE_LADDER } from '../domain/ladder.ts';
import { mayNudge, quietHoursOf } from '../domain/nudge-window.ts';
import type { WorkCalendar } from '../domain/workdays.ts';

export interface LadderTarget {
  /** Claim subject, e.g. `rect:12`. */
  subject: string;
  orgId: number;
  deadline: string;
  /**
   * The local day the target came into being (an item's creation): ladder steps due on or before it
   * are never posted (domain/ladder.ts). Absent: every step counts.
   */
  since?: string;
  ownerOpenId: string;
  ownerName: string;
  /** How the item is named in messages: 整改事项 #12「…」. */
  label: string;
  /** The card sent privately at T0 (and after T−3); registered by `sendCard`. */
  sendCard?: (ctx: BaseContext) => Promise<number>;
  /** Called once the item is overdue (T+1), e.g. to set a permanent late mark. */
  onOverdue?: (ctx: BaseContext) => Promise<void>;
}

export interface UrgentSettings {
  sms: boolean;
  phone: boolean;
}

export function urgentSettingsOf(settings: Record<string, unknown>): UrgentSettings {
  const u = (settings.urgent ?? {}) as Partial<UrgentSettings>;
  return { sms: u.sms === true, phone: u.phone === true };
}

/**
 * Whether reminders may go out for an org now: a working day, outside the org's own quiet hours.
 * Cached per org for one job run.
 */
export function nudgeGate(
  ctx: { db: Kysely<Database>; calendar: WorkCalendar; settings: { timezone: string } },
  now: Date,
) {
  const cache = new Map<number, boolean>();
  return async (orgId: number): Promise<boolean> => {
    let ok = cache.get(orgId);
    if (ok === undefined) {
      const org = await findOrgById(ctx.db, orgId);
      ok = org ? mayNudge(now, ctx.settings.timezone, ctx.calendar, quietHoursOf(orgSettings(org))) : false;
      cache.set(orgId, ok);
    }
    return ok;
  };
}

/** Deliveries for every target whose current step is due and whose owner is not on leave. */
export async function ladderDeliveries(
  ctx: { db: Kysely<Database>; calendar: WorkCalendar; settings: { timezone: string } },
  now: Date,
  today: string,
  targets: readonly LadderTarget[],
  ladder: readonly LadderStep[] = OVERDUE_LADDER,
): Promise<Delivery[]> {
  const members = new Map<number, Awaited<ReturnType<typeof membersByOpenId>>>();
  const quietOk = new Map<number, boolean>();
  const out: Delivery[] = [];
  for (const t of targets) {
    const due = dueStep(ladder, t.deadline, today, ctx.calendar, t.since);
    if (!due) continue;
    if (!quietOk.has(t.orgId)) {
      const org = await findOrgById(ctx.db, t.orgId);
      quietOk.set(
        t.orgId,
        org ? mayNudge(now, ctx.settings.timezone, ctx.calendar, quietHoursOf(orgSettings(org))) : false,
      );
    }
    if (!quietOk.get(t.orgId)) continue;
    if (!members.has(t.orgId)) members.set(t.orgId, await membersByOpenId(ctx.db, t.orgId));
    if (isAway(members.get(t.orgId)?.get(t.ownerOpenId), today)) continue;
    out.push({
      subject: t.subject,
      // The deadline is part of the occurrence: an extension starts the ladder again.
      occurrence: `${due.step.id}@${t.deadline}`,
      orgId: t.orgId,
      deliver: (c) => deliverStep(c, t, due.step, today),
    });
  }
  return out;
}

async function deliverStep(ctx: BaseContext, t: LadderTarget, step: LadderStep, today: string): Promise<void> {
  const late = ctx.calendar.workdaysBetween(t.deadline, today);
  const when = shortDate(t.deadline, today);
  const label = plain(t.label, 120);
  const owner = { openId: t.ownerOpenId };
  const opts = { orgId: t.orgId };
  switch (step.id) {
    case 't-3': {
      const left = ctx.calendar.workdaysBetween(today, t.deadline);
      await ctx.outbox.send(
        owner,
        textMessage`【即将到期】${label}将于 ${when} 到期（还有 ${left} 个工作日），请抓紧推进并及时报告进展。`,
        opts,
      );
      break;
    }
    case 't0': {
      // A deadline on a day off is reminded on the last working day before it.
      const message =
        t.deadline === today
          ? textMessage`【今日到期】${label}今天（${when}）到期，请报告进展或申请销号；确需延期请申请延期。`
          : textMessage`【即将到期】${label}将于 ${when}（非工作日）到期，今天是到期前最后一个工作日，请报告进展或申请销号。`;
      await ctx.outbox.send(owner, message, opts);
      await t.sendCard?.(ctx);
      break;
    }
    case 't+1': {
      await t.onOverdue?.(ctx);
      const chat = (await listOrgChats(ctx.db, t.orgId))[0];
      const message = textMessage`${textMention(t.ownerOpenId, t.ownerName)} ${label}已逾期 ${Math.max(1, late)} 个工作日（时限 ${when}），请尽快报告进展或申请延期。`;
      await ctx.outbox.send(chat ? { chatId: chat.chatId } : owner, message, opts);
      break;
    }
    case 't+3': {
      await t.onOverdue?.(ctx);
      const id = await ctx.outbox.send(
        owner,
        textMessage`【逾期督办】${label}已逾期 ${late} 个工作日（时限 ${when}）。请立即处理，并在卡片中报告进展或申请延期。`,
        opts,
      );
      await ctx.outbox.urgent({ outboxId: id }, 'app', [t.ownerOpenId], opts);
      const org = await findOrgById(ctx.db, t.orgId);
      const urgent = urgentSettingsOf(org ? orgSettings(org) : {});
      if (urgent.sms) await ctx.outbox.urgent({ outboxId: id }, 'sms', [t.ownerOpenId], opts);
      if (urgent.phone) await ctx.outbox.urgent({ outboxId: id }, 'phone', [t.ownerOpenId], opts);
      for (const m of await listMembers(ctx.db, t.orgId)) {
        if ((m.role !== 'secretary' && m.role !== 'inspector') || m.open_id === t.ownerOpenId) continue;
        await ctx.outbox.send(
          { openId: m.open_id },
          textMessage`【逾期通报】${label}（责任人：${plain(t.ownerName, 20)}）已逾期 ${late} 个工作日，已向责任人发送加急提醒。`,
          opts,
        );
      }
      break;
    }
  }
}

/** Sends a card privately and returns its outbox id (for ladder targets' `sendCard`). */
export async function sendPrivateCard(ctx: BaseContext, openId: string, card: Card, orgId: number): Promise<number> {
  return ctx.outbox.send({ openId }, { type: 'card', card }, { orgId });
}
