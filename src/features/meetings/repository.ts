/** The compliance calendar's rules, meetings and study sessions, attendance, files and 心得. */
import type { Kysely } from 'kysely';
import { updateVersioned } from '../../db/repositories/versioned.ts';
import type {
  AttendeeSeat,
  CalendarRule,
  CalendarRulesTable,
  Database,
  Session,
  SessionAttendee,
  SessionKeepersColumns,
  SessionsTable,
} from '../../db/schema.ts';
import { DEFAULT_RULES, type SessionCategory, type SessionFileKind, type SessionKind } from './model.ts';

/** Gives an org the default rules it does not have yet (never overwrites its own edits). */
export async function ensureRules(db: Kysely<Database>, orgId: number, at: string): Promise<void> {
  await db
    .insertInto('calendar_rules')
    .values(
      DEFAULT_RULES.map((r) => ({
        org_id: orgId,
        key: r.key,
        kind: r.kind,
        name: r.name,
        frequency: r.frequency,
        window: r.window ? JSON.stringify(r.window) : null,
        fixed_day: r.fixedDay,
        lead_days: r.leadDays,
        source: r.source,
        confidence: r.confidence,
        enabled: r.enabled ? 1 : 0,
        updated_at: at,
      })),
    )
    .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
    .execute();
}

export async function listRules(db: Kysely<Database>, orgId: number): Promise<CalendarRule[]> {
  return db.selectFrom('calendar_rules').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export async function listEnabledRules(db: Kysely<Database>): Promise<CalendarRule[]> {
  return db.selectFrom('calendar_rules').selectAll().where('enabled', '=', 1).orderBy('org_id').orderBy('id').execute();
}

export async function updateRule(
  db: Kysely<Database>,
  id: number,
  patch: Partial<Omit<CalendarRulesTable, 'id'>>,
): Promise<CalendarRule> {
  return db.updateTable('calendar_rules').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * A new session row. Its 签到 window (`sign_opens_before`, `sign_closes_after`) is kept as given: the
 * callers take it from the org's windows at creation (model.ts `sessionWindow`); left out it is null
 * and the org's current window applies, as on rows from before. The 主持人 and 记录人 left out are null.
 */
export async function createSession(
  db: Kysely<Database>,
  v: Omit<SessionsTable, 'id' | 'version' | 'recorded_as' | 'sign_opens_before' | 'sign_closes_after' | 'party_group'> &
    Partial<SessionKeepersColumns> & {
      recorded_as?: string;
      party_group?: string | null;
      sign_opens_before?: number | null;
      sign_closes_after?: number | null;
    },
): Promise<Session> {
  return db
    .insertInto('sessions')
    .values({
      ...v,
      recorded_as: v.recorded_as ?? 'live',
      party_group: v.party_group ?? null,
      sign_opens_before: v.sign_opens_before ?? null,
      sign_closes_after: v.sign_closes_after ?? null,
      host_open_id: v.host_open_id ?? null,
      host_name: v.host_name ?? null,
      recorder_open_id: v.recorder_open_id ?? null,
      recorder_name: v.recorder_name ?? null,
      version: 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSession(db: Kysely<Database>, id: number): Promise<Session | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Changes the session as it was read (`before`); throws `StaleError` when it changed since (versioned.ts). */
export async function updateSession(
  db: Kysely<Database>,
  before: Pick<Session, 'id' | 'version'>,
  patch: Partial<Omit<SessionsTable & SessionKeepersColumns, 'id' | 'version'>>,
): Promise<Session> {
  return updateVersioned(db, 'sessions', before, patch);
}

/** Sessions of an org starting in [from, to) (instants), cancelled ones excluded unless asked. */
export async function listSessions(
  db: Kysely<Database>,
  orgId: number,
  o: {
    category?: SessionCategory;
    kinds?: readonly SessionKind[];
    from?: string;
    to?: string;
    withCancelled?: boolean;
  } = {},
): Promise<Session[]> {
  let q = db.selectFrom('sessions').selectAll().where('org_id', '=', orgId);
  if (o.category) q = q.where('category', '=', o.category);
  if (o.kinds) q = q.where('kind', 'in', [...o.kinds]);
  if (o.from) q = q.where('start_at', '>=', o.from);
  if (o.to) q = q.where('start_at', '<', o.to);
  if (!o.withCancelled) q = q.where('status', '!=', 'cancelled');
  return q.orderBy('start_at').execute();
}

/** Scheduled sessions (all orgs) starting in [from, to): the reminders' candidates. */
export async function listScheduledBetween(db: Kysely<Database>, from: string, to: string): Promise<Session[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('status', '=', 'scheduled')
    .where('start_at', '>=', from)
    .where('start_at', '<', to)
    .orderBy('start_at')
    .execute();
}

export async function addAttendees(
  db: Kysely<Database>,
  sessionId: number,
  people: { openId: string; name: string; voting: boolean; seat?: AttendeeSeat | null }[],
) {
  if (people.length === 0) return;
  await db
    .insertInto('session_attendees')
    .values(
      people.map((p) => ({
        session_id: sessionId,
        open_id: p.openId,
        name: p.name,
        status: 'invited',
        reason: null,
        answered_at: null,
        voting: p.voting ? 1 : 0,
        seat: p.seat ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(['session_id', 'open_id']).doNothing())
    .execute();
}

/** Takes people out of a session's attendees (a session not yet open: attendance-rules.ts `replanSeats`). */
export async function removeAttendees(db: Kysely<Database>, sessionId: number, openIds: readonly string[]) {
  if (openIds.length === 0) return;
  await db
    .deleteFrom('session_attendees')
    .where('session_id', '=', sessionId)
    .where('open_id', 'in', [...openIds])
    .execute();
}

/** Seats an attendee anew: their vote and seat (their answer stays). */
export async function setAttendeeSeat(
  db: Kysely<Database>,
  sessionId: number,
  openId: string,
  to: { voting: boolean; seat: AttendeeSeat | null },
) {
  await db
    .updateTable('session_attendees')
    .set({ voting: to.voting ? 1 : 0, seat: to.seat })
    .where('session_id', '=', sessionId)
    .where('open_id', '=', openId)
    .execute();
}

export async function listAttendees(db: Kysely<Database>, sessionId: number): Promise<SessionAttendee[]> {
  return db.selectFrom('session_attendees').selectAll().where('session_id', '=', sessionId).orderBy('name').execute();
}

export async function findAttendee(
  db: Kysely<Database>,
  sessionId: number,
  openId: string,
): Promise<SessionAttendee | undefined> {
  return db
    .selectFrom('session_attendees')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('open_id', '=', openId)
    .executeTakeFirst();
}

export async function answerAttendance(
  db: Kysely<Database>,
  sessionId: number,
  openId: string,
  a: { status: 'attending' | 'signed' | 'leave'; reason: string | null; at: string },
): Promise<void> {
  await db
    .updateTable('session_attendees')
    .set({ status: a.status, reason: a.reason, answered_at: a.at })
    .where('session_id', '=', sessionId)
    .where('open_id', '=', openId)
    .execute();
}

/** An admin's 补正: the new status (and leave reason) with when, by whom and why. */
export async function correctAttendance(
  db: Kysely<Database>,
  sessionId: number,
  openId: string,
  c: { status: 'invited' | 'signed' | 'leave'; reason: string | null; at: string; by: string; why: string },
): Promise<void> {
  await db
    .updateTable('session_attendees')
    .set({ status: c.status, reason: c.reason, corrected_at: c.at, corrected_by: c.by, correction_reason: c.why })
    .where('session_id', '=', sessionId)
    .where('open_id', '=', openId)
    .execute();
}

export async function addSessionFile(
  db: Kysely<Database>,
  f: { session_id: number; kind: SessionFileKind; value: string; name: string; added_by: string; at: string },
) {
  await db.insertInto('session_files').values(f).execute();
}

export async function listSessionFiles(db: Kysely<Database>, sessionId: number) {
  return db.selectFrom('session_files').selectAll().where('session_id', '=', sessionId).orderBy('id').execute();
}

export async function saveReflection(
  db: Kysely<Database>,
  r: { sessionId: number; openId: string; text: string; link: string; at: string; makeup?: boolean },
): Promise<boolean> {
  const res = await db
    .insertInto('reflections')
    .values({
      session_id: r.sessionId,
      open_id: r.openId,
      text: r.text,
      link: r.link,
      submitted_at: r.at,
      makeup: r.makeup ? 1 : 0,
    })
    .onConflict((oc) => oc.columns(['session_id', 'open_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function listReflections(db: Kysely<Database>, sessionId: number) {
  return db.selectFrom('reflections').selectAll().where('session_id', '=', sessionId).execute();
}

/** One person's 心得 (or 补学 心得) for a session. */
export async function findReflection(db: Kysely<Database>, sessionId: number, openId: string) {
  return db
    .selectFrom('reflections')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('open_id', '=', openId)
    .executeTakeFirst();
}
