/**
 * 补录 (issue 13, "Held means held"): an admin enters the record of a meeting held before the bot was
 * used — kind, title, a time in the past, place, who attended, who was on leave or absent, and the
 * minutes. It is stored with `recorded_as = 'backfill'`, its attendance settled (the minutes are
 * recorded, so held.ts treats 签到 as closed), audited, and shown everywhere as 补录; held.ts judges it
 * by the same rule as any other meeting.
 */
import { clip } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isAdminRole } from '../../core/roles.ts';
import { listMembers } from '../../db/repositories/members.ts';
import type { Session } from '../../db/schema.ts';
import { parseDateTimeText } from '../../domain/dates.ts';
import { formatLocal, zonedInstant } from '../../domain/time.ts';
import { planAttendees } from './attendance-rules.ts';
import { buildBackfillCard, buildBackfillDoneCard } from './backfill-card.ts';
import { recordOf } from './calendar.ts';
import { recordStateText } from './held.ts';
import {
  MEETING_KIND_LABELS,
  parseSessionKind,
  sessionHeading,
  sessionKindOf,
  windowColumns,
  windowOf,
} from './model.ts';
import { orgWindows } from './refresh.ts';
import { addAttendees, answerAttendance, createSession } from './repository.ts';

/** The form as submitted (contracts.ts `meetingBackfill`). */
export interface BackfillForm {
  kind: string;
  title: string;
  start: string;
  place: string;
  present: string[];
  leave: string[];
  absent: string[];
  minutes: string;
}

/** The reason stored for a 请假 entered by 补录. */
const LEAVE_REASON = '补录登记';

function requireAdmin(ctx: ActingContext): void {
  if (!isAdminRole(ctx.actor.role)) throw new UserError('forbidden', '只有组织管理员可以补录会议记录。');
}

/** `/会议 补录 [类型]`: the form, with the org's members to pick from. */
export async function backfillFormCard(ctx: ActingContext, kindWord: string | undefined): Promise<Card> {
  requireAdmin(ctx);
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const kind = kindWord ? parseSessionKind(kindWord) : undefined;
  if (kindWord && (!kind || !(kind in MEETING_KIND_LABELS)))
    throw new UserError(
      'bad_args',
      `不认识的会议类型“${kindWord}”。可用：${Object.values(MEETING_KIND_LABELS).join('、')}。`,
    );
  return buildBackfillCard({
    orgId: org.id,
    kinds: Object.entries(MEETING_KIND_LABELS).map(([value, text]) => ({ value, text })),
    initialKind: kind ?? 'committee',
    memberOpenIds: (await listMembers(ctx.db, org.id)).map((m) => m.open_id),
  });
}

/** What is wrong with the form, in the sentence the admin reads; undefined when nothing is. */
function problemOf(ctx: ActingContext, f: BackfillForm, at: Date | undefined): string | undefined {
  if (!sessionKindOf('meeting', f.kind)) return '请选择会议类型。';
  if (!f.title) return '请填写会议主题。';
  if (!at) return '请选择召开时间。';
  if (at.getTime() >= ctx.now.getTime()) return '召开时间应早于现在；以后的会议请发送 /会议 新建 发布通知。';
  if (f.present.length === 0) return '请选择实到人员（至少一人）。';
  if (!f.minutes) return '请填写会议纪要。';
  const all = [...f.present, ...f.leave, ...f.absent];
  if (new Set(all).size !== all.length) return '同一人只能列为实到、请假或缺席中的一种，请重新选择。';
  return undefined;
}

/** Stores the 补录 and answers with what was stored. */
export async function backfillSession(ctx: ActingContext, f: BackfillForm): Promise<{ session: Session; card: Card }> {
  requireAdmin(ctx);
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const tz = ctx.settings.timezone;
  const at = parseDateTimeText(f.start, ctx.today, tz, zonedInstant);
  const problem = problemOf(ctx, f, at);
  const kind = sessionKindOf('meeting', f.kind);
  if (problem || !at || !kind) throw new UserError('bad_args', problem ?? '请选择召开时间。');
  const members = new Map((await listMembers(ctx.db, org.id)).map((m) => [m.open_id, m]));
  const strangers = [...f.present, ...f.leave, ...f.absent].filter((id) => !members.has(id));
  if (strangers.length > 0)
    throw new UserError('bad_args', `所选人员中有 ${strangers.length} 人不是本组织成员，请重新选择。`);
  const title = clip(f.title, 100);
  const startAt = at.toISOString();
  const same = await ctx.db
    .selectFrom('sessions')
    .select('id')
    .where('org_id', '=', org.id)
    .where('kind', '=', kind)
    .where('start_at', '=', startAt)
    .where('title', '=', title)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
  if (same) throw new UserError('conflict', `这次会议已有记录（#${same.id}），无需重复补录。`);
  const now = ctx.now.toISOString();
  const minutes = f.minutes.slice(0, 5000);
  const session = await createSession(ctx.db, {
    org_id: org.id,
    category: 'meeting',
    kind,
    title,
    start_at: startAt,
    place: clip(f.place, 200),
    agenda: '',
    status: 'scheduled',
    organiser_open_id: ctx.actor.openId,
    organiser_name: ctx.actor.name ?? ctx.actor.openId,
    minutes,
    minutes_at: now,
    reflection_days: 5,
    recorded_as: 'backfill',
    // Settled by its minutes anyway; the window is kept as for any session (model.ts `sessionWindow`).
    ...windowColumns(windowOf(kind, await orgWindows(ctx.db, org.id))),
    created_at: now,
    updated_at: now,
  });
  const person = (id: string) => members.get(id);
  // The same seats as a meeting published now (attendance-rules.ts): for a 党员大会 or 支委会 the whole
  // body is in 应到, so one of them not listed is recorded 缺席; others listed sit as 列席.
  const listed = [...f.present, ...f.leave, ...f.absent];
  const plan = planAttendees(kind, [...members.values()], { picked: listed });
  await addAttendees(ctx.db, session.id, plan.attendees);
  const absent = [...f.absent, ...plan.attendees.map((a) => a.openId).filter((id) => !listed.includes(id))];
  for (const id of f.present)
    await answerAttendance(ctx.db, session.id, id, { status: 'signed', reason: null, at: now });
  for (const id of f.leave)
    await answerAttendance(ctx.db, session.id, id, { status: 'leave', reason: LEAVE_REASON, at: now });
  await ctx.audit({
    action: 'meeting:backfill',
    subject: `session:${session.id}`,
    after: {
      kind,
      title,
      start: startAt,
      present: f.present.length,
      leave: f.leave.length,
      absent: absent.length,
      minutes: minutes.length,
    },
  });
  const record = await recordOf(ctx.db, session, ctx.now, tz, ctx.calendar);
  return {
    session,
    card: buildBackfillDoneCard({
      id: session.id,
      kind,
      heading: sessionHeading(kind, title),
      when: formatLocal(at, tz),
      place: session.place,
      state: recordStateText(record, kind),
      // Everyone as seated: the card counts 应到 over the seats, as the meeting card and the 记录簿 do.
      people: plan.attendees.map((a) => ({
        name: a.name,
        status: f.present.includes(a.openId) ? 'signed' : f.leave.includes(a.openId) ? 'leave' : 'absent',
        seat: a.seat,
        exemptReason: person(a.openId)?.quorum_exempt ?? null,
      })),
    }),
  };
}
