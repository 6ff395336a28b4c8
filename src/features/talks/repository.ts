/** The talk register: talks and their parties (migration 0018). */
import type { Kysely } from 'kysely';
import { updateVersioned } from '../../db/repositories/versioned.ts';
import type { Database, Talk, TalkKind, TalkParty } from '../../db/schema.ts';
import { yearEnd } from './coverage-rules.ts';

export interface Person {
  openId: string;
  name: string;
}

/** A recorded talk as the coverage and the register read it (no notes). */
export interface YearTalk {
  id: number;
  kind: TalkKind;
  heldOn: string;
  recorder: Person;
  parties: { openId: string; name: string; confirmedAt: string | null }[];
}

/** A talk with its parties (the recorder is not among them). */
export interface TalkWithParties {
  talk: Talk;
  parties: TalkParty[];
}

export interface NewTalk {
  orgId: number;
  kind: TalkKind;
  heldOn: string;
  place: string;
  notes: string | null;
  recorder: Person;
  parties: Person[];
  now: string;
}

export async function createTalk(db: Kysely<Database>, v: NewTalk): Promise<TalkWithParties> {
  const talk = await db
    .insertInto('talks')
    .values({
      org_id: v.orgId,
      kind: v.kind,
      held_on: v.heldOn,
      place: v.place,
      notes: v.notes,
      recorder_open_id: v.recorder.openId,
      recorder_name: v.recorder.name,
      status: 'recorded',
      version: 1,
      created_at: v.now,
      updated_at: v.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const parties = v.parties.map((p) => ({ talk_id: talk.id, open_id: p.openId, name: p.name, confirmed_at: null }));
  if (parties.length > 0) await db.insertInto('talk_parties').values(parties).execute();
  return { talk, parties };
}

export async function findTalk(db: Kysely<Database>, id: number): Promise<TalkWithParties | undefined> {
  const talk = await db.selectFrom('talks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!talk) return undefined;
  return { talk, parties: await partiesOf(db, [talk.id]).then((m) => m.get(talk.id) ?? []) };
}

async function partiesOf(db: Kysely<Database>, ids: number[]): Promise<Map<number, TalkParty[]>> {
  const out = new Map<number, TalkParty[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('talk_parties')
    .selectAll()
    .where('talk_id', 'in', ids)
    .orderBy('talk_id')
    .orderBy('name')
    .orderBy('open_id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.talk_id) ?? [];
    list.push(r);
    out.set(r.talk_id, list);
  }
  return out;
}

/** The org's talks held in `year` (both statuses) — up to `through` when later (yearEnd) — oldest first, with parties. */
export async function listTalks(
  db: Kysely<Database>,
  orgId: number,
  year: number,
  through?: string,
): Promise<TalkWithParties[]> {
  const talks = await db
    .selectFrom('talks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('held_on', '>=', `${year}-01-01`)
    .where('held_on', '<=', yearEnd(year, through))
    .orderBy('held_on')
    .orderBy('id')
    .execute();
  const parties = await partiesOf(
    db,
    talks.map((t) => t.id),
  );
  return talks.map((talk) => ({ talk, parties: parties.get(talk.id) ?? [] }));
}

/**
 * The org's recorded talks held in `year` (withdrawn ones are not counted), or from its 1 January up to
 * `through` when that is later (yearEnd), oldest first: what the coverage (issue 16 item 2) reads.
 * Stable: the coverage helper depends on this shape.
 */
export async function listYearTalks(
  db: Kysely<Database>,
  orgId: number,
  year: number,
  through?: string,
): Promise<YearTalk[]> {
  const all = await listTalks(db, orgId, year, through);
  return all
    .filter((t) => t.talk.status === 'recorded')
    .map(({ talk, parties }) => ({
      id: talk.id,
      kind: talk.kind,
      heldOn: talk.held_on,
      recorder: { openId: talk.recorder_open_id, name: talk.recorder_name },
      parties: parties.map((p) => ({ openId: p.open_id, name: p.name, confirmedAt: p.confirmed_at })),
    }));
}

/**
 * Marks one party's confirmation, only if not confirmed yet; returns whether this call did it (a
 * second press, or a concurrent one, finds it already set and changes nothing).
 */
export async function confirmParty(db: Kysely<Database>, talkId: number, openId: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('talk_parties')
    .set({ confirmed_at: at })
    .where('talk_id', '=', talkId)
    .where('open_id', '=', openId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function updateTalk(
  db: Kysely<Database>,
  before: Pick<Talk, 'id' | 'version'>,
  patch: Partial<Pick<Talk, 'status' | 'updated_at'>>,
): Promise<Talk> {
  return updateVersioned(db, 'talks', before, patch);
}

/** The talk a sent card already shows (a record form saved once is that talk's card), if any. */
export async function talkShownBy(db: Kysely<Database>, messageId: string | undefined): Promise<number | undefined> {
  if (!messageId) return undefined;
  const row = await db
    .selectFrom('cards')
    .innerJoin('outbox', 'outbox.id', 'cards.outbox_id')
    .select('cards.subject_id')
    .where('outbox.message_id', '=', messageId)
    .where('cards.kind', '=', 'talk')
    .executeTakeFirst();
  return row?.subject_id;
}

/** A name the bot knows for someone (from any org's register), to name a person who is not a member. */
export async function knownName(db: Kysely<Database>, openId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('members')
    .select('name')
    .where('open_id', '=', openId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.name;
}
