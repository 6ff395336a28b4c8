/**
 * Who a meeting invites and who of them votes (issue 15 item 2, docs/domain.md "Voting and quorum"), as a
 * pure rule over the kind and the org's register:
 *
 * - 党员大会: 应到 is the 支部's 正式党员, every one of them whoever was picked (the quorum is over the
 *   支部, not over the invited); those the 支部 excluded (`quorum_exempt`, e.g. 长期病假) are listed
 *   apart, out of 应到 — but one who does attend is counted in 应到 and 实到 and votes (held.ts, seatPlace);
 *   预备党员 attend as 列席 without a vote; a picked 观察员 as 列席.
 * - 支委会: the 支部委员会 (members with a 支委 post) — all of them, a 预备党员 among them without a
 *   vote; anyone else picked attends as 列席. With no 支委 registered the bot cannot know the 支部委员会:
 *   the meeting invites as before (the picked, or every member) and its card asks for the register —
 *   officers by role would be a guess (a 支部 whose 书记 alone has a role would meet as one person).
 * - 党小组会: that 小组 (others picked as 列席); no quorum (only 党员大会 and 支委会 vote).
 * - 中心组学习 in an org over 支部: the 班子 (members with a 委员 post) unless others are picked; with none
 *   registered, as the other kinds (and the card asks for the register).
 * - Other kinds: the picked members, or all but 观察员; 预备党员 marked so (no kind of these votes).
 *
 * Until 签到 opens the seats follow the register (`replanSeats`, reseat.ts); after that they are records.
 *
 * held.ts stays the one rule of the quorum: more than half of those with a vote signed in.
 */
import { isUpperLevel } from '../../core/register.ts';
import type { OrgLevel } from '../../db/schema/org.ts';
import type { AttendeeSeat, Member } from '../../db/schema.ts';
import { VOTING_KINDS } from './model.ts';

/** What the rule reads of a member row (current members only: the caller drops those who left). */
export type RegisterRow = Pick<
  Member,
  'open_id' | 'name' | 'role' | 'category' | 'committee_post' | 'party_group' | 'quorum_exempt'
>;

export interface PlannedAttendee {
  openId: string;
  name: string;
  voting: boolean;
  seat: AttendeeSeat | null;
}

export interface AttendancePlan {
  attendees: PlannedAttendee[];
  /**
   * A 支委会 (or an upper org's 中心组学习) while no 支委 / 委员 is registered: invited as picked (or
   * everyone), not as the 支委 / 班子.
   */
  noCommittee: boolean;
}

/** Whether a 中心组学习 of an org at `level` is the 班子's: in an org over 支部 (a 支部 has no 中心组). */
export const centralGroupOfLeaders = (kind: string, level: OrgLevel | null | undefined): boolean =>
  kind === 'central_group' && isUpperLevel(level);

const isObserver = (m: RegisterRow) => m.role === 'observer';
const isProbationary = (m: RegisterRow) => m.category === 'probationary';

const attendee = (m: RegisterRow, voting: boolean, seat: AttendeeSeat | null): PlannedAttendee => ({
  openId: m.open_id,
  name: m.name,
  voting,
  seat,
});

/** A member of the body that meets: a vote when 正式, 列席 as 预备党员 otherwise. */
const ofBody = (m: RegisterRow) => (isProbationary(m) ? attendee(m, false, 'probationary') : attendee(m, true, null));

/** The 党小组 of the register, each once, in a stable order (the form's choices). */
export function partyGroupsOf(members: readonly Pick<RegisterRow, 'party_group'>[]): string[] {
  const names = new Set<string>();
  for (const m of members) {
    const g = m.party_group?.trim();
    if (g) names.add(g);
  }
  return [...names].sort((a, b) => a.localeCompare(b, 'zh-CN'));
}

/**
 * The attendees of a new meeting of `kind`: `members` are the org's current members, `picked` the open
 * ids the organiser chose (empty: the default for the kind), `partyGroup` the 小组 of a 党小组会.
 */
export function planAttendees(
  kind: string,
  members: readonly RegisterRow[],
  o: { picked?: readonly string[]; partyGroup?: string | null; level?: OrgLevel | null } = {},
): AttendancePlan {
  const picked = new Set(o.picked ?? []);
  const body = bodyOf(kind, members, o.partyGroup ?? null);
  const leaders = centralGroupOfLeaders(kind, o.level)
    ? members.filter((m) => !isObserver(m) && m.committee_post !== null)
    : [];
  const noCommittee = (kind === 'committee' && !body) || (centralGroupOfLeaders(kind, o.level) && !leaders.length);
  if (!body) {
    // Not a body that meets on its own: the picked members, or by default the 班子 of a 中心组学习 (when
    // registered), or everyone but 观察员.
    const chosen =
      picked.size > 0
        ? members.filter((m) => picked.has(m.open_id))
        : leaders.length > 0
          ? leaders
          : members.filter((m) => !isObserver(m));
    return {
      attendees: chosen.map((m) =>
        isObserver(m)
          ? attendee(m, false, 'observer')
          : isProbationary(m)
            ? attendee(m, false, 'probationary')
            : attendee(m, true, null),
      ),
      noCommittee,
    };
  }
  const inBody = new Set(body.map((p) => p.openId));
  // Whoever else was picked attends as 列席: never a vote, never in 应到.
  const guests = members
    .filter((m) => picked.has(m.open_id) && !inBody.has(m.open_id))
    .map((m) => attendee(m, false, 'observer'));
  return { attendees: [...body, ...guests], noCommittee };
}

/** The body that meets for `kind`, or undefined for the kinds that invite by choice. */
function bodyOf(
  kind: string,
  members: readonly RegisterRow[],
  partyGroup: string | null,
): PlannedAttendee[] | undefined {
  const party = members.filter((m) => !isObserver(m));
  if (kind === 'general')
    return party.map((m) =>
      isProbationary(m)
        ? attendee(m, false, 'probationary')
        : m.quorum_exempt
          ? attendee(m, false, 'exempt')
          : attendee(m, true, null),
    );
  if (kind === 'committee') {
    const committee = party.filter((m) => m.committee_post !== null);
    return committee.length > 0 ? committee.map(ofBody) : undefined;
  }
  if (kind === 'group' && partyGroup) return party.filter((m) => m.party_group?.trim() === partyGroup).map(ofBody);
  return undefined;
}

/**
 * The 党小组 a new 党小组会 is for, checked against the register: required when the org has 小组
 * registered (and then one of them); null for other kinds or an org without 小组. A string is the
 * sentence to answer with.
 */
export function checkPartyGroup(
  kind: string,
  chosen: string | null | undefined,
  groups: readonly string[],
): { group: string | null } | { problem: string } {
  if (kind !== 'group') return { group: null };
  const g = chosen?.trim() ?? '';
  // No 小组 registered: whatever the form sent names none of them (a forged value would invite nobody).
  if (groups.length === 0) return { group: null };
  if (!g) return { problem: `请选择党小组（本支部的党小组：${groups.join('、')}）。` };
  if (!groups.includes(g)) return { problem: `本支部没有党小组“${g}”，可选：${groups.join('、')}。` };
  return { group: g };
}

/** Why an attendee sits apart, in the card's words. */
export const SEAT_LABELS: Record<AttendeeSeat, string> = {
  probationary: '预备党员',
  exempt: '不计应到',
  observer: '列席',
};

/** Where an attendee counts in a meeting's figures: in 应到, 列席 (no vote), or 不计应到. */
export type SeatPlace = 'counted' | 'guest' | 'exempt';

/**
 * The one reading of the seats behind every 应到 shown (the card, the 三会一课记录簿, the 补录 record):
 * 不计应到 apart with the 支部's reason — unless they `signed` in: one excluded who attends is in 应到 and
 * 实到 and votes; 列席 apart — a picked guest, and in a meeting that votes a 预备党员; everyone else in
 * 应到. In a 党员大会 or 支委会 that is exactly those with a vote (planAttendees gives a vote to whoever
 * sits with no seat; held.ts adds the excluded who signed in), so 应到 there is held.ts's voting total;
 * at a 党课 or 主题党日 a 预备党员 is expected like everyone.
 */
export function seatPlace(kind: string, seat: AttendeeSeat | null | undefined, signed = false): SeatPlace {
  if (seat === 'exempt') return signed ? 'counted' : 'exempt';
  if (seat === 'observer') return 'guest';
  if (seat === 'probationary' && VOTING_KINDS.includes(kind)) return 'guest';
  return 'counted';
}

export interface Seated<T> {
  /** 应到: their 签到, 请假 and 缺席 are the meeting's figures. */
  counted: T[];
  /** 列席, without a vote: listed, never in 应到. */
  guests: T[];
  /** 不计应到 who did not sign in: listed with the reason, not in 应到. */
  exempt: T[];
}

const signedStatus = (p: { status?: string }) => p.status === 'signed';

/**
 * The attendees of a meeting of `kind` by where they count (`seatPlace`), each list in the given order;
 * `signed` says who signed in (by default their `status`).
 */
export function seatGroups<T extends { seat?: AttendeeSeat | null; status?: string }>(
  kind: string,
  people: readonly T[],
  signed: (p: T) => boolean = signedStatus,
): Seated<T> {
  const out: Seated<T> = { counted: [], guests: [], exempt: [] };
  for (const p of people) {
    const place = seatPlace(kind, p.seat, signed(p));
    (place === 'counted' ? out.counted : place === 'guest' ? out.guests : out.exempt).push(p);
  }
  return out;
}

/**
 * "预备党员 2 人（王五、赵六），其他人员 1 人，已签到 2 人": who sat 列席, in the card's and the 记录簿's
 * words; `list` names a group of them (left out, counts only).
 */
export function guestsText<T extends { seat?: AttendeeSeat | null }>(
  guests: readonly T[],
  signed: (t: T) => boolean,
  list?: (people: T[]) => string,
): string {
  const part = (label: string, people: T[]) =>
    people.length === 0 ? [] : [`${label} ${people.length} 人${list ? `（${list(people)}）` : ''}`];
  const probationary = guests.filter((a) => a.seat === 'probationary');
  const others = guests.filter((a) => a.seat !== 'probationary');
  return `${[...part('预备党员', probationary), ...part('其他人员', others)].join('，')}，已签到 ${guests.filter(signed).length} 人`;
}

/** The 支部's reason for a 不计应到, as listed (the register's words, or that it is the 支部's rule). */
export const exemptWhy = (reason: string | null | undefined): string => reason?.trim() || '按支部规定';

/** An attendee row as stored: who, and how they sit. */
export interface SeatedRow {
  openId: string;
  voting: boolean;
  seat: AttendeeSeat | null;
}

/** How a session's seats change: rows to add, to take out (by open id) and to seat anew. */
export interface Reseating {
  add: PlannedAttendee[];
  remove: string[];
  change: PlannedAttendee[];
}

/**
 * A session whose 签到 has not opened, seated again over the register as it is now (`planAttendees`):
 * the body of its kind as it is now (who left the 支委 or the 小组 is no longer invited, who joined it
 * is; a 党员大会 follows 正式 / 预备 / 不计应到), those picked as 列席 kept as 列席; a kind that invites by
 * choice keeps its people, each seated as now. Who left the org is taken out. `current` are the rows
 * stored; `members` the org's current members.
 */
export function replanSeats(
  kind: string,
  members: readonly RegisterRow[],
  current: readonly SeatedRow[],
  o: { partyGroup?: string | null; level?: OrgLevel | null } = {},
): Reseating {
  const out: Reseating = { add: [], remove: [], change: [] };
  // Nobody invited is no default to fill in: planAttendees would read it as "everyone".
  if (current.length === 0) return out;
  const body = bodyOf(kind, members, o.partyGroup ?? null);
  const picked = (body ? current.filter((a) => a.seat === 'observer') : current).map((a) => a.openId);
  const plan = planAttendees(kind, members, { picked, partyGroup: o.partyGroup ?? null, level: o.level ?? null });
  const stored = new Map(current.map((a) => [a.openId, a]));
  const planned = new Set(plan.attendees.map((a) => a.openId));
  for (const a of plan.attendees) {
    const was = stored.get(a.openId);
    if (!was) out.add.push(a);
    else if (was.voting !== a.voting || (was.seat ?? null) !== a.seat) out.change.push(a);
  }
  for (const a of current) if (!planned.has(a.openId)) out.remove.push(a.openId);
  return out;
}
