/**
 * Meeting and study reminders, as of now, each claimed once (a move restarts them): to attendees who
 * have not answered (参加 or 请假), 3 working days and 1 working day before, and 1 hour before; after a
 * meeting, what its record says (held.ts) decides what its organiser hears: a held one without minutes
 * gets a 纪要提醒 on the day they are due (after it, compliance-check's 纪要待补, once); one settled as
 * not held gets no minutes nudge — it was not held — but is told once what the record says and how an
 * admin corrects it (compliance.ts). 学习心得 nudges go to those who signed in and have not handed one
 * in, the day before it is due, on the day and 2 working days late. Members on 请假/出差 are not nudged.
 *
 * Its upkeep part keeps the session cards' buttons in step with time (refresh.ts `redrawPhaseCards`):
 * when the 签到 window opens (签到 appears), at the start (参加 and 请假 go; 学习记录 / 记录纪要 and
 * 提交心得 come) and when it closes (缺席 counted, 补正 offered) every card of the session — the group's
 * shared one included — is redrawn, once per phase and start time, also when the phase came while the
 * bot was not running (as long as Feishu lets the card be updated). Nobody is notified by a redraw,
 * so it runs all day, every two minutes.
 */
import { plain, textMessage } from '../src/cards/text.ts';
import { type BaseContext, type Delivery, defineJob, type JobContext } from '../src/core/contracts.ts';
import type { Outgoing } from '../src/core/message.ts';
import { listCards } from '../src/db/repositories/cards.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import type { Session } from '../src/db/schema.ts';
import { formatLocal, localDate } from '../src/domain/time.ts';
import { recordOf } from '../src/features/meetings/calendar.ts';
import { minutesDueNotice, notHeldNotice } from '../src/features/meetings/compliance.ts';
import { sessionName, verbFor } from '../src/features/meetings/model.ts';
import { redrawPhaseCards } from '../src/features/meetings/refresh.ts';
import { listAttendees, listReflections, listScheduledBetween } from '../src/features/meetings/repository.ts';
import { signInWindowText } from '../src/features/meetings/rules.ts';
import {
  orgWindows,
  postNotice,
  postSessionCards,
  reflectionDue,
  refreshSessionCards,
  timingOf,
} from '../src/features/meetings/service.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const HOUR = 3600_000;

function label(s: Session): string {
  return sessionName(s.kind, plain(s.title, 50));
}

/**
 * A meeting's record is looked at for this many working days after its day: the 纪要提醒 is due on the
 * 3rd, and a meeting not held is reported in that time (a few days' catch-up when the bot was down),
 * never a month later.
 */
const AFTER_WORKDAYS = 5;

/** "召开支委会“12月支委会”", "讲党课“…”", "开展警示教育“…”": the verb follows the kind. */
function held(s: Session): string {
  return `${verbFor(s.kind)}${label(s)}`;
}

/** One step of a session's ladder: claimed once per start time, so a move restarts the ladder. */
function stepOf(s: Session, step: string, deliver: Delivery['deliver']): Delivery {
  return { subject: `session:${s.id}`, occurrence: `${step}@${s.start_at}`, orgId: s.org_id, deliver };
}

/** A nudge after the session: its cards redrawn first (the one drawn before lacks the buttons now due). */
function nudgeAfter(s: Session, step: string, openIds: string[], message: Outgoing): Delivery {
  return stepOf(s, step, async (c) => {
    await refreshSessionCards(c, s);
    for (const openId of openIds) await c.outbox.send({ openId }, message, { orgId: s.org_id });
  });
}

/** A session imported from the year's plan gets its notice card a week before. */
async function noticeStep(ctx: JobContext, now: Date, s: Session): Promise<Delivery[]> {
  if (Date.parse(s.start_at) - now.getTime() > 7 * 24 * HOUR || (await listCards(ctx.db, 'session', s.id)).length > 0)
    return [];
  if (!(await nudgeGate(ctx, now)(s.org_id))) return [];
  return [stepOf(s, 'notice', (c) => postNotice(c, s))];
}

async function beforeSteps(ctx: JobContext, now: Date, s: Session, today: string): Promise<Delivery[]> {
  const tz = ctx.settings.timezone;
  const startMs = Date.parse(s.start_at);
  if (now.getTime() >= startMs) return [];
  const day = localDate(new Date(s.start_at), tz);
  let step: string | undefined;
  if (now.getTime() >= startMs - HOUR) step = 'h-1';
  else if (today >= ctx.calendar.addWorkdays(day, -1) && today < day) step = 't-1';
  else if (today >= ctx.calendar.addWorkdays(day, -3) && today < day) step = 't-3';
  if (!step) return [];
  if (step !== 'h-1' && !(await nudgeGate(ctx, now)(s.org_id))) return [];
  const members = await membersByOpenId(ctx.db, s.org_id);
  const pending = (await listAttendees(ctx.db, s.id)).filter(
    (a) => a.status === 'invited' && !isAway(members.get(a.open_id), today),
  );
  if (pending.length === 0) return [];
  const when = formatLocal(new Date(s.start_at), tz);
  const windows = await orgWindows(ctx.db, s.org_id);
  const signing = signInWindowText(timingOf(s, windows), tz);
  return [
    stepOf(s, step, async (c) => {
      const message =
        step === 'h-1'
          ? textMessage`【1小时后开始】${label(s)}将于 ${when} 开始，地点：${plain(s.place || '见通知', 60)}。您还没有回复，请在通知卡片上回复参加或请假。${signing}`
          : textMessage`【${step === 't-1' ? '明日' : '近期'}${s.category === 'study' ? '学习' : '会议'}】将于 ${when} ${held(s)}，您还没有回复，请在通知卡片上回复参加或请假。`;
      for (const a of pending) {
        await c.outbox.send({ openId: a.open_id }, message, { orgId: s.org_id });
      }
      if (step !== 'h-1') {
        await postSessionCards(
          c,
          s,
          pending.map((a) => ({ openId: a.open_id })),
        );
      }
    }),
  ];
}

async function afterSteps(ctx: JobContext, now: Date, s: Session, today: string): Promise<Delivery[]> {
  const tz = ctx.settings.timezone;
  if (now.getTime() < Date.parse(s.start_at) || !(await nudgeGate(ctx, now)(s.org_id))) return [];
  const day = localDate(new Date(s.start_at), tz);
  const out: Delivery[] = [];
  if (s.category === 'meeting' && today <= ctx.calendar.addWorkdays(day, AFTER_WORKDAYS)) {
    // Held or not (held.ts): a meeting not held is never nudged for minutes as if it had been.
    const record = await recordOf(ctx.db, s, now, tz, ctx.calendar, await orgWindows(ctx.db, s.org_id));
    const due = minutesDueNotice(s, record, today, tz);
    // The card drawn before the meeting lacks 记录纪要 and 补正: it is redrawn before sending people to it.
    // 'minutes+3' is the due day's step (its name kept, so a reminder claimed before is not sent again).
    if (due) out.push(nudgeAfter(s, 'minutes+3', [s.organiser_open_id], due));
    const notHeld = notHeldNotice(s, record, tz);
    if (notHeld) out.push(nudgeAfter(s, 'not-held', [s.organiser_open_id], notHeld));
  }
  if (s.category === 'study') {
    const due = reflectionDue(s, ctx.calendar, tz);
    const step =
      today >= ctx.calendar.addWorkdays(due, 2)
        ? 'reflection+2'
        : today >= due
          ? 'reflection0'
          : today >= ctx.calendar.addWorkdays(due, -1)
            ? 'reflection-1'
            : undefined;
    if (step && today <= ctx.calendar.addWorkdays(due, 10)) {
      const members = await membersByOpenId(ctx.db, s.org_id);
      const done = new Set((await listReflections(ctx.db, s.id)).map((r) => r.open_id));
      const owing = (await listAttendees(ctx.db, s.id)).filter(
        (a) => a.status === 'signed' && !done.has(a.open_id) && !isAway(members.get(a.open_id), today),
      );
      if (owing.length > 0) {
        out.push(
          nudgeAfter(
            s,
            step,
            owing.map((a) => a.open_id),
            textMessage`【学习心得】${label(s)}的学习心得${today > due ? '已过' : ''}截止日期 ${due}，您还没有提交，请在学习卡片上“提交心得”。`,
          ),
        );
      }
    }
  }
  return out;
}

/** Redraws the session cards whose attendance phase has come (refresh.ts `redrawPhaseCards`). */
async function refreshPhases(ctx: BaseContext): Promise<string> {
  return `按签到时间刷新会议卡片 ${await redrawPhaseCards(ctx, 'meeting-reminders')} 次`;
}

export default defineJob({
  name: 'meeting-reminders',
  summary:
    '会议和学习提醒：会前 3 个工作日、1 个工作日、1 小时提醒未回复的人；已召开的会议纪要到期当天提醒组织人，未召开的告知组织人一次；学习心得提醒；签到开始、活动开始和签到结束时刷新通知卡片',
  schedule: '*/2 * * * *',
  async collect(ctx, now) {
    const today = ctx.today;
    const sessions = await listScheduledBetween(
      ctx.db,
      new Date(now.getTime() - 40 * 24 * HOUR).toISOString(),
      new Date(now.getTime() + 20 * 24 * HOUR).toISOString(),
    );
    const out: Delivery[] = [];
    for (const s of sessions) {
      out.push(
        ...(await noticeStep(ctx, now, s)),
        ...(await beforeSteps(ctx, now, s, today)),
        ...(await afterSteps(ctx, now, s, today)),
      );
    }
    return out;
  },
  run: refreshPhases,
});
