/**
 * The roll-up's figures for an upper org over all the orgs below it (a 党总支 under a 党委 is looked
 * through: its 支部 are the rows), read with a fixed number of set-based queries whatever the number of
 * 支部 — the owed rules, then each `where org_id in (…)` over chunks of ids, grouped in the database — so
 * 200 支部 and 10,000 members take well under a second (test/bench/rollup.ts). Each kind's sessions are
 * read from the start of the earliest period its rules count (twelve months back: a monthly rule's from
 * that month, a yearly one's from 1 January of that year), not two calendar years of everything. Held
 * means held: each session's attendance is counted in the database and held.ts's `sessionRecordState`
 * decides on the counts; a 下发 copy's status is the duties feature's (issue-rules.ts `currentTasks`,
 * `issueRowStatus`), the one its 下发情况 card shows.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { isUpperLevel } from '../../core/register.ts';
import { listDescendants } from '../../db/repositories/org-tree.ts';
import { orgSettings } from '../../db/repositories/orgs.ts';
import type { SessionKind, SessionsTable } from '../../db/schema/meetings.ts';
import type { Cadence, TaskStatus } from '../../db/schema/tasks.ts';
import type { Database, Org } from '../../db/schema.ts';
import { halfYearOf } from '../../domain/periods.ts';
import { daysBetween, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { currentTasks, isFinished, issueRowStatus, UNASSIGNED } from '../duties/issue-rules.ts';
import { dueDateOf, OPEN_TASK_STATUSES, periodOf } from '../duties/model.ts';
import { ruleAppliesAt } from '../hierarchy/level-rules.ts';
import { type HeldAttendee, sessionRecordState } from '../meetings/held.ts';
import { attendanceWindowsOf, type DefaultRule, type Frequency, rulePeriod } from '../meetings/model.ts';
import { attendanceRate } from '../meetings/study-rules.ts';
import { OPEN_RECT_STATUSES } from '../rectification/model.ts';
import { countsForYear, yearlyLastDay } from '../report/rules.ts';
import {
  type BranchFacts,
  type CycleResult,
  type IssuedCopy,
  lookbackFrom,
  type RollupRule,
  type RulePeriod,
  ruleCycles,
} from './rules.ts';

/** Ids per `in (…)`: far under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/** A rule's period shape, as meetings/model.ts `rulePeriod` reads it. */
type RuleShape = Pick<DefaultRule, 'frequency' | 'window'>;

export interface RollupInput {
  now: Date;
  today: string;
  tz: string;
  calendar: WorkCalendar;
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

async function inChunks<T>(ids: readonly number[], q: (ids: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const c of chunks(ids)) out.push(...(await q(c)));
  return out;
}

/** The orgs an upper org's roll-up shows: every org below it that is not itself an upper level. */
export async function lowerOrgs(db: Kysely<Database>, upper: Pick<Org, 'id'>): Promise<Org[]> {
  const all = await listDescendants(db, upper.id);
  const parents = new Set(all.map((o) => o.parent_id));
  return all.filter((o) => !isUpperLevel(o.level) && !(o.level === null && parents.has(o.id)));
}

/** Attendance counted per session, in the database. */
interface SessionCounts {
  invited: number;
  signed: number;
  voting: number;
  votingSigned: number;
  /** 不计应到 members who signed in anyway: held.ts `hasVote` counts them in 应到 and as voting. */
  exemptSigned: number;
}

/** Attendees in the shape held.ts reads, made from the counts (it only counts them). */
function attendeesOf(c: SessionCounts | undefined): HeldAttendee[] {
  if (!c) return [];
  const out: HeldAttendee[] = [];
  const push = (n: number, a: HeldAttendee) => {
    for (let i = 0; i < n; i++) out.push(a);
  };
  push(c.votingSigned, { status: 'signed', voting: 1 });
  push(c.exemptSigned, { status: 'signed', voting: 0, seat: 'exempt' });
  push(c.signed - c.votingSigned - c.exemptSigned, { status: 'signed', voting: 0 });
  push(c.voting - c.votingSigned, { status: 'invited', voting: 1 });
  push(c.invited - c.signed - (c.voting - c.votingSigned), { status: 'invited', voting: 0 });
  return out;
}

/**
 * Local dates of instants, remembered per quarter of an hour (every timezone's offset is a multiple of
 * 15 minutes, so the local date is the same throughout one): thousands of sessions, few distinct times.
 */
function localDates(tz: string): (iso: string) => string {
  const seen = new Map<number, string>();
  return (iso) => {
    const bucket = Math.floor(Date.parse(iso) / 900_000);
    let d = seen.get(bucket);
    if (d === undefined) {
      d = localDate(new Date(bucket * 900_000), tz);
      seen.set(bucket, d);
    }
    return d;
  };
}

/** Which sessions are read: of these kinds from then (UTC ISO), and study sessions from this half-year. */
interface Reach {
  study: string;
  kinds: { from: string; kinds: SessionKind[] }[];
}

/** Each kind of the owed rules from the start of its earliest period holding a deadline counted. */
function reachOf(rules: readonly { kind: SessionKind; shape: RuleShape }[], from: string, i: RollupInput): Reach {
  const earliest = new Map<SessionKind, string>();
  for (const r of rules) {
    const day = rulePeriod(r.shape, from).start;
    if ((earliest.get(r.kind) ?? day) >= day) earliest.set(r.kind, day);
  }
  const byDay = new Map<string, SessionKind[]>();
  for (const [kind, day] of earliest) byDay.set(day, [...(byDay.get(day) ?? []), kind]);
  const at = (day: string) => zonedInstant(day, '00:00', i.tz).toISOString();
  return {
    study: at(halfYearOf(i.today).start),
    kinds: [...byDay].map(([day, kinds]) => ({ from: at(day), kinds })),
  };
}

/** The sessions `reach` covers, as a condition on the sessions table aliased `s`. */
const within = (reach: Reach) => (eb: ExpressionBuilder<{ s: SessionsTable }, 's'>) =>
  eb.or([
    eb.and([eb('s.category', '=', 'study'), eb('s.start_at', '>=', reach.study)]),
    ...reach.kinds.map((k) => eb.and([eb('s.kind', 'in', k.kinds), eb('s.start_at', '>=', k.from)])),
  ]);

/** The figures of each org in `orgs` (their rows, in the same order), as of `i.now`. */
export async function computeFacts(
  db: Kysely<Database>,
  orgs: readonly Org[],
  i: RollupInput,
): Promise<{ facts: BranchFacts[]; cycles: CycleResult[] }> {
  const ids = orgs.map((o) => o.id);
  const halfStart = halfYearOf(i.today).start;
  const nowIso = i.now.toISOString();
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const from = lookbackFrom(i.today);

  // The rules each org owes at its level first: which sessions are read follows from them.
  const rules = (
    await inChunks(ids, (c) =>
      db
        .selectFrom('calendar_rules')
        .select(['org_id', 'key', 'kind', 'name', 'frequency', 'window'])
        .where('org_id', 'in', c)
        .where('enabled', '=', 1)
        .execute(),
    )
  )
    .filter((r) => byId.has(r.org_id) && ruleAppliesAt(r.key, byId.get(r.org_id)?.level ?? null))
    .map((r) => {
      const shape: RuleShape = {
        frequency: r.frequency as Frequency,
        window: r.window ? (JSON.parse(r.window) as DefaultRule['window']) : null,
      };
      return { ...r, shape };
    });
  const reach = within(reachOf(rules, from, i));

  const [sessions, counts, rects, tasks, copies] = await Promise.all([
    inChunks(ids, (c) =>
      db
        .selectFrom('sessions as s')
        .select([
          's.id',
          's.org_id',
          's.category',
          's.kind',
          's.status',
          's.start_at',
          's.minutes',
          's.minutes_at',
          's.recorded_as',
          's.sign_opens_before',
          's.sign_closes_after',
        ])
        .where('s.org_id', 'in', c)
        .where('s.status', '!=', 'cancelled')
        .where(reach)
        .where('s.start_at', '<=', nowIso)
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('session_attendees as a')
        .innerJoin('sessions as s', 's.id', 'a.session_id')
        .select((eb) => [
          'a.session_id',
          eb.fn.countAll<number>().as('invited'),
          eb.fn.sum<number>(eb.case().when('a.status', '=', 'signed').then(1).else(0).end()).as('signed'),
          eb.fn.sum<number>('a.voting').as('voting'),
          eb.fn
            .sum<number>(eb.case().when('a.status', '=', 'signed').then(eb.ref('a.voting')).else(0).end())
            .as('voting_signed'),
          eb.fn
            .sum<number>(
              eb
                .case()
                .when(eb.and([eb('a.status', '=', 'signed'), eb('a.seat', '=', 'exempt'), eb('a.voting', '=', 0)]))
                .then(1)
                .else(0)
                .end(),
            )
            .as('exempt_signed'),
        ])
        .where('s.org_id', 'in', c)
        .where('s.status', '!=', 'cancelled')
        .where(reach)
        .where('s.start_at', '<=', nowIso)
        .groupBy('a.session_id')
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('rectifications')
        .select((eb) => ['org_id', eb.fn.countAll<number>().as('n'), eb.fn.min('deadline').as('oldest')])
        .where('org_id', 'in', c)
        .where('status', 'in', [...OPEN_RECT_STATUSES])
        .where('deadline', '<', i.today)
        .groupBy('org_id')
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('tasks')
        .select((eb) => ['org_id', eb.fn.countAll<number>().as('n')])
        .where('org_id', 'in', c)
        .where('status', 'in', [...OPEN_TASK_STATUSES])
        .where('due_date', '<', i.today)
        .groupBy('org_id')
        .execute(),
    ),
    // This year's copies 下发 from above, each with its tasks (none: no owner named yet).
    inChunks(ids, (c) =>
      db
        .selectFrom('duty_items as d')
        .innerJoin('duty_lists as l', 'l.id', 'd.list_id')
        .leftJoin('tasks as t', 't.item_id', 'd.id')
        .select([
          'd.id',
          'd.org_id',
          'd.seq',
          'd.content',
          'd.cadence',
          'd.due_date as item_due',
          'd.due_day',
          't.period',
          't.due_date',
          't.status',
        ])
        .where('d.org_id', 'in', c)
        .where('d.source_org_id', 'is not', null)
        .where('d.active', '=', 1)
        .where('l.year', '=', Number(i.today.slice(0, 4)))
        .orderBy('d.seq')
        .orderBy('d.id')
        .execute(),
    ),
  ]);

  const countOf = new Map<number, SessionCounts>(
    counts.map((r) => [
      r.session_id,
      {
        invited: Number(r.invited),
        signed: Number(r.signed ?? 0),
        voting: Number(r.voting ?? 0),
        votingSigned: Number(r.voting_signed ?? 0),
        exemptSigned: Number(r.exempt_signed ?? 0),
      },
    ]),
  );
  const windows = new Map(orgs.map((o) => [o.id, attendanceWindowsOf(orgSettings(o))]));
  // Held dates per org and kind; study attendance per org over this half-year's held sessions.
  const held = new Map<string, string[]>();
  const study = new Map<number, { signed: number; expected: number }>();
  const dateOf = localDates(i.tz);
  for (const s of sessions) {
    const c = countOf.get(s.id);
    const rec = sessionRecordState(s, attendeesOf(c), i.now, i.tz, i.calendar, windows.get(s.org_id));
    if (rec.state !== 'held') continue;
    const date = dateOf(s.start_at);
    const key = `${s.org_id}|${s.kind}`;
    const dates = held.get(key);
    if (dates) dates.push(date);
    else held.set(key, [date]);
    if (s.category === 'study' && date >= halfStart && c) {
      const st = study.get(s.org_id) ?? { signed: 0, expected: 0 };
      st.signed += c.signed;
      st.expected += c.invited;
      study.set(s.org_id, st);
    }
  }

  const cyclesOf = new Map<number, CycleResult[]>();
  for (const r of rules) {
    const org = byId.get(r.org_id);
    if (!org) continue;
    const rule: RollupRule = { key: r.key, name: r.name };
    const since = localDate(new Date(org.created_at), i.tz);
    // A yearly rule's year as the report counts it (a 组织生活会 of January–February counts for the year before).
    const countsFor =
      r.shape.frequency === 'year'
        ? (date: string, p: RulePeriod) => countsForYear({ kind: r.kind, date }, Number(p.key))
        : undefined;
    const list = cyclesOf.get(r.org_id) ?? [];
    list.push(
      ...ruleCycles(
        rule,
        // A yearly rule is due on its last day as the report has it (a 组织生活会 at the end of February after).
        (d) => {
          const p = rulePeriod(r.shape, d);
          return r.shape.frequency === 'year' ? { ...p, windowEnd: yearlyLastDay(r.kind, Number(p.key)) } : p;
        },
        held.get(`${r.org_id}|${r.kind}`) ?? [],
        since,
        i.today,
        countsFor,
      ),
    );
    cyclesOf.set(r.org_id, list);
  }
  const issuedOf = issuedCopies(copies, i.today);
  const rectOf = new Map(rects.map((r) => [r.org_id, r]));
  const taskOf = new Map(tasks.map((t) => [t.org_id, Number(t.n)]));
  const facts = orgs.map((o): BranchFacts => {
    const r = rectOf.get(o.id);
    const oldest = r?.oldest ? String(r.oldest) : undefined;
    return {
      orgId: o.id,
      name: o.name,
      cycles: cyclesOf.get(o.id) ?? [],
      rects: {
        overdue: Number(r?.n ?? 0),
        maxDaysLate: oldest ? daysBetween(oldest, i.today) : 0,
      },
      tasks: { overdue: taskOf.get(o.id) ?? 0 },
      attendance: attendanceRate(study.get(o.id)?.signed ?? 0, study.get(o.id)?.expected ?? 0),
      issued: issuedOf.get(o.id) ?? [],
    };
  });
  return { facts, cycles: [...cyclesOf.values()].flat() };
}

/** One row of the copies query: a copy, and one of its tasks (or none). */
interface CopyTaskRow {
  id: number;
  org_id: number;
  seq: number;
  content: string;
  cadence: Cadence;
  item_due: string | null;
  due_day: number | null;
  period: string | null;
  due_date: string | null;
  status: TaskStatus | null;
}

/**
 * The copies per org, each judged as the 下发情况 card judges it: the tasks of its current period, their
 * common status. A copy without tasks whose due date (this period's, for a recurring item) has passed
 * is 未指定责任人 and late.
 */
function issuedCopies(rows: readonly CopyTaskRow[], today: string): Map<number, IssuedCopy[]> {
  const byItem = new Map<
    number,
    { row: CopyTaskRow; tasks: { period: string; due_date: string; status: TaskStatus }[] }
  >();
  for (const r of rows) {
    const entry = byItem.get(r.id) ?? { row: r, tasks: [] };
    if (r.period !== null && r.due_date !== null && r.status !== null)
      entry.tasks.push({ period: r.period, due_date: r.due_date, status: r.status });
    byItem.set(r.id, entry);
  }
  const out = new Map<number, IssuedCopy[]>();
  for (const { row, tasks } of byItem.values()) {
    const status = issueRowStatus(currentTasks(tasks, row.cadence, today), today);
    const due = row.cadence === 'once' ? row.item_due : dueDateOf(periodOf(row.cadence, today), row.due_day);
    const copy: IssuedCopy = {
      seq: row.seq,
      title: row.content,
      status,
      finished: isFinished(status),
      unassignedLate: status === UNASSIGNED && due !== null && due < today,
    };
    out.set(row.org_id, [...(out.get(row.org_id) ?? []), copy]);
  }
  return out;
}
