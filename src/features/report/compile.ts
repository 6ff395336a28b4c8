/**
 * Gathers one org's records of a year for the 主体责任落实情况报告 (issue 13 item 8) and shapes them
 * with `rules.ts`: the enabled calendar rules, every session of the year (and the 组织生活会 of January
 * and February after it, which counts for the year) with the state the held rule gives it
 * (features/meetings/held.ts `sessionRecordState` — the only judge of "held"), the 清单 tasks due in
 * the year with their evidence (and what their items require), the rectification items of the year or
 * still open with their evidence, and the 节前廉政提醒 the holiday-reminder job delivered: its reminder
 * claims (one per holiday per org), each with the card's outbox row — keyed by the claim's own key and
 * written in the same transaction (a card posted before the key was kept is found by its title) — whose
 * status says whether the group chat received it. A claim with no card (the org had no group chat bound)
 * is no reminder sent. Read-only but for `ensureRules` (an org
 * without its default rules gets them, as /日历 does).
 */
import type { Kysely } from 'kysely';
import type { AttendeeSeat, Database, Org } from '../../db/schema.ts';
import { localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { TASK_STATUS_LABELS, type TaskStatus } from '../duties/model.ts';
import { ruleAppliesAt } from '../hierarchy/level-rules.ts';
import { seatGroups } from '../meetings/attendance-rules.ts';
import { recordStateText, sessionRecordState } from '../meetings/held.ts';
import { citationOf, type Frequency, kindLabel, verbFor } from '../meetings/model.ts';
import { orgWindows } from '../meetings/refresh.ts';
import { ensureRules, listRules, listSessions } from '../meetings/repository.ts';
import { RECT_STATUS_LABELS, type RectStatus } from '../rectification/model.ts';
import type { ReportCardView } from './report-card.ts';
import {
  compileReport,
  type ReminderState,
  type Report,
  type ReportReminder,
  type ReportRule,
  type ReportSession,
  type ReportTask,
} from './rules.ts';

export interface CompileOptions {
  org: Org;
  year: number;
  now: Date;
  timezone: string;
  calendar: WorkCalendar;
}

/** The job whose reminder claims record the 节前廉政提醒 delivered (jobs/holiday-reminder.ts). */
const HOLIDAY_JOB = 'holiday-reminder';

/** What the outbox row of a reminder's card says became of it. */
export function reminderState(row: { status: string } | undefined): ReminderState {
  if (!row) return 'not_posted';
  if (row.status === 'sent') return 'sent';
  if (row.status === 'pending') return 'queued';
  return 'failed';
}

/** The title of the 节前廉政提醒 card (src/cards/notice-cards.ts), before the holiday's name. */
const REMINDER_CARD_TITLE = '节前廉政提醒 · ';

interface ReminderCardRow {
  status: string;
  sent_at: string | null;
  created_at: string;
  payload: string;
}

/**
 * The reminder cards posted before the job keyed them with the claim's key: the org's unkeyed cards
 * to a group chat whose title is the reminder's, around the year.
 */
async function unkeyedReminderCards(
  db: Kysely<Database>,
  orgId: number,
  yearStart: string,
  yearEnd: string,
): Promise<ReminderCardRow[]> {
  const margin = 31 * 86_400_000;
  return db
    .selectFrom('outbox')
    .select(['status', 'sent_at', 'created_at', 'payload'])
    .where('org_id', '=', orgId)
    .where('kind', '=', 'send')
    .where('target_type', '=', 'chat_id')
    .where('dedupe_key', 'is', null)
    .where('payload', 'like', `%${REMINDER_CARD_TITLE}%`)
    .where('created_at', '>=', new Date(Date.parse(yearStart) - margin).toISOString())
    .where('created_at', '<', new Date(Date.parse(yearEnd) + margin).toISOString())
    .orderBy('id')
    .execute();
}

/** The title of a card's outbox payload (`{ content: JSON of the card }`), if it holds one. */
function cardTitle(payload: string): string | undefined {
  try {
    const card = JSON.parse((JSON.parse(payload) as { content: string }).content) as {
      header?: { title?: { content?: string } };
    };
    return card.header?.title?.content;
  } catch {
    return undefined;
  }
}

/** The unkeyed card of `holiday` written from the claim's instant (a day's leeway) to a month after. */
function legacyCardOf(rows: readonly ReminderCardRow[], holiday: string, claimedAt: string) {
  const at = Date.parse(claimedAt);
  return rows.find((r) => {
    const t = Date.parse(r.created_at);
    return (
      t >= at - 86_400_000 && t <= at + 31 * 86_400_000 && cardTitle(r.payload) === `${REMINDER_CARD_TITLE}${holiday}`
    );
  });
}

/** `in (…)` lists are read in slices of this many ids. */
const CHUNK = 500;

async function inChunks<T>(ids: readonly number[], read: (part: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
  return out;
}

/** The year's records of `org`, compiled into the report. */
export async function compileYear(db: Kysely<Database>, o: CompileOptions): Promise<Report> {
  const { org, year, now, timezone: tz } = o;
  const today = localDate(now, tz);
  const yearStart = zonedInstant(`${year}-01-01`, '00:00', tz).toISOString();
  const yearEnd = zonedInstant(`${year + 1}-01-01`, '00:00', tz).toISOString();

  await ensureRules(db, org.id, now.toISOString());
  const rules: ReportRule[] = (await listRules(db, org.id))
    // The rules this org owes at its level (hierarchy/level-rules.ts); without a level, all.
    .filter((r) => r.enabled === 1 && ruleAppliesAt(r.key, org.level))
    .map((r) => ({
      key: r.key,
      kind: r.kind,
      label: kindLabel(r.kind),
      // 开展主题党日活动 (docs/domain.md "Words and citations").
      name: r.kind === 'theme_day' && !r.name.endsWith('活动') ? `${r.name}活动` : r.name,
      verb: verbFor(r.kind),
      frequency: r.frequency as Frequency,
      source: citationOf(r.source),
    }));

  // The year, and January–February after it (a 组织生活会 held then counts for the year).
  const rows = await listSessions(db, org.id, {
    from: yearStart,
    to: zonedInstant(`${year + 1}-03-01`, '00:00', tz).toISOString(),
  });
  const attendees = await inChunks(
    rows.map((s) => s.id),
    (ids) =>
      db
        .selectFrom('session_attendees')
        .select(['session_id', 'status', 'voting', 'seat'])
        .where('session_id', 'in', ids)
        .execute(),
  );
  const bySession = new Map<number, { status: string; voting: number; seat: AttendeeSeat | null }[]>();
  for (const a of attendees) {
    const list = bySession.get(a.session_id) ?? [];
    list.push(a);
    bySession.set(a.session_id, list);
  }
  // Each session's own 签到 window decides; the org's applies to rows from before it was kept.
  const windows = await orgWindows(db, org.id);
  const sessions: ReportSession[] = rows
    .filter((s) => s.start_at < yearEnd || s.kind === 'life_meeting')
    .map((s) => {
      const people = bySession.get(s.id) ?? [];
      const st = sessionRecordState(s, people, now, tz, o.calendar, windows);
      // 实到/应到 over those the meeting counts (the card's and the 记录簿's 应到): 列席 and 不计应到 apart.
      const counted = seatGroups(s.kind, people).counted;
      return {
        id: s.id,
        category: s.category,
        kind: s.kind,
        label: kindLabel(s.kind),
        verb: verbFor(s.kind),
        title: s.title,
        date: localDate(new Date(s.start_at), tz),
        state: st.state,
        stateText: recordStateText(st, s.kind),
        present: counted.filter((a) => a.status === 'signed').length,
        invited: counted.length,
        leave: counted.filter((a) => a.status === 'leave').length,
        minutesPending: st.state === 'held' && (st.minutes === 'pending' || st.minutes === 'overdue'),
      };
    });

  const taskRows = await db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .select([
      'tasks.id',
      'tasks.owner_name',
      'tasks.period',
      'tasks.due_date',
      'tasks.status',
      'duty_items.content',
      'duty_items.evidence as required',
      'duty_items.seq',
    ])
    .where('tasks.org_id', '=', org.id)
    .where('tasks.due_date', '>=', `${year}-01-01`)
    .where('tasks.due_date', '<=', `${year}-12-31`)
    .orderBy('duty_items.seq')
    .orderBy('tasks.due_date')
    .orderBy('tasks.id')
    .execute();
  const evidence = await inChunks(
    taskRows.map((t) => t.id),
    (ids) =>
      db
        .selectFrom('task_evidence')
        .select(['task_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('task_id', 'in', ids)
        .groupBy('task_id')
        .execute(),
  );
  const evidenceOf = new Map(evidence.map((e) => [e.task_id, Number(e.n)]));
  const tasks: ReportTask[] = taskRows.map((t) => ({
    id: t.id,
    content: t.content,
    owner: t.owner_name,
    period: t.period === 'once' ? '一次性' : t.period,
    dueDate: t.due_date,
    status: t.status,
    statusLabel: TASK_STATUS_LABELS[t.status as TaskStatus] ?? t.status,
    required: t.required,
    evidence: evidenceOf.get(t.id) ?? 0,
  }));

  // Items opened or closed in the year, and those still open that were opened by its end.
  const rectRows = await db
    .selectFrom('rectifications')
    .selectAll()
    .where('org_id', '=', org.id)
    .where('created_at', '<', yearEnd)
    .where((eb) =>
      eb.or([eb('created_at', '>=', yearStart), eb('status', '!=', 'closed'), eb('closed_at', '>=', yearStart)]),
    )
    .orderBy('id')
    .execute();
  const rectEvidence = await inChunks(
    rectRows.map((x) => x.id),
    (ids) =>
      db
        .selectFrom('rectification_evidence')
        .select(['item_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('item_id', 'in', ids)
        .groupBy('item_id')
        .execute(),
  );
  const rectEvidenceOf = new Map(rectEvidence.map((e) => [e.item_id, Number(e.n)]));
  const rects = rectRows.map((x) => ({
    id: x.id,
    problem: x.problem,
    owner: x.owner_name,
    deadline: x.deadline,
    status: x.status,
    statusLabel: RECT_STATUS_LABELS[x.status as RectStatus] ?? x.status,
    late: x.late === 1,
    createdOn: localDate(new Date(x.created_at), tz),
    closedOn: x.closed_at ? localDate(new Date(x.closed_at), tz) : null,
    evidence: rectEvidenceOf.get(x.id) ?? 0,
  }));

  // Each claim with its card's outbox row (the job keys the card with the claim's key), if any.
  const claims = await db
    .selectFrom('reminder_claims')
    .leftJoin('outbox', (j) =>
      j.onRef('outbox.dedupe_key', '=', 'reminder_claims.key').on('outbox.org_id', '=', org.id),
    )
    .select([
      'reminder_claims.key',
      'reminder_claims.occurrence',
      'reminder_claims.claimed_at',
      'outbox.status',
      'outbox.sent_at',
    ])
    .where('reminder_claims.job', '=', HOLIDAY_JOB)
    .where('reminder_claims.org_id', '=', org.id)
    .where('reminder_claims.claimed_at', '>=', yearStart)
    .where('reminder_claims.claimed_at', '<', yearEnd)
    .orderBy('reminder_claims.claimed_at')
    .orderBy('reminder_claims.key')
    .execute();
  const legacy = claims.some((c) => c.status === null)
    ? await unkeyedReminderCards(db, org.id, yearStart, yearEnd)
    : [];
  const reminders: ReportReminder[] = claims.map((c) => {
    const holiday = c.occurrence.replace(/@\d{4}$/, '');
    const row = c.status === null ? legacyCardOf(legacy, holiday, c.claimed_at) : { ...c, status: c.status };
    const state = reminderState(row);
    return {
      key: c.key,
      holiday,
      claimedOn: localDate(new Date(c.claimed_at), tz),
      state,
      sentOn: state === 'sent' && row?.sent_at ? localDate(new Date(row.sent_at), tz) : null,
    };
  });

  return compileReport({ orgName: org.name, year, today, rules, sessions, tasks, rects, reminders });
}

/** The summary card's figures, from the report. */
export function cardViewOf(r: Report): ReportCardView {
  return {
    orgName: r.orgName,
    year: r.year,
    today: r.today,
    title: r.title,
    rules: r.meetings.rules.map((f) => ({
      label: f.label,
      verb: f.verb,
      required: f.required,
      held: f.held,
      missed: f.periods.filter((p) => p.state === 'missed').map((p) => p.label),
    })),
    notHeld: r.meetings.notHeldIds.length,
    scheduled: r.meetings.scheduledIds.length,
    minutesPending: r.meetings.minutesPendingIds.length,
    study: {
      sessions: r.study.heldIds.length,
      notHeld: r.study.notHeldIds.length,
      invited: r.study.invited,
      present: r.study.present,
      rate: r.study.rate,
    },
    tasks: {
      total: r.tasks.total,
      accepted: r.tasks.accepted.length,
      done: r.tasks.done.length,
      unaccepted: r.tasks.unaccepted.length,
      submitted: r.tasks.submitted.length,
      open: r.tasks.open.length,
      overdue: r.tasks.overdue.length,
      missed: r.tasks.missed.length,
    },
    rects: {
      opened: r.rects.opened.length,
      closed: r.rects.closed.length,
      closedLate: r.rects.closedLate.length,
      closedNoEvidence: r.rects.closedNoEvidence.length,
      open: r.rects.open.length,
      overdue: r.rects.overdue.length,
      lateMarked: r.rects.lateMarked.length,
    },
    reminders: r.reminders.sent.map((h) => h.holiday),
    undelivered: {
      queued: r.reminders.queued.map((h) => h.holiday),
      failed: r.reminders.failed.map((h) => h.holiday),
      notPosted: r.reminders.notPosted.map((h) => h.holiday),
    },
  };
}
