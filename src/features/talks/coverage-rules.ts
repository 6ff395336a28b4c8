/**
 * The yearly talk coverage (issue 16 item 2; 《中国共产党支部工作条例（试行）》（2018年）: 支委 talk with each
 * other and with the members every year). Pure: who must have talked with whom in a year, from the
 * members register and the org's matrix settings, and which of those pairs the year's talks cover.
 *
 * Decisions: only 谈心谈话 and 廉政谈话 count — 任前、提醒、节前 talks serve their own occasion (an
 * appointment, an admonition, a holiday) and are not the yearly exchange. A talk covers its recorder
 * with each of its parties, not two parties with each other (a talk with several people is held by its
 * recorder). Members who left are not owed (the caller passes current members); 预备党员 are owed.
 */
import type { CommitteePost } from '../../db/schema/org.ts';
import type { TalkKind } from '../../db/schema/talks.ts';

/**
 * The last day whose talks count for `year`: 31 December, or `through` (a local date YYYY-MM-DD) when
 * later — the year's 组织生活会 held in January or February of the next year has the talks held up to
 * that day counted for the year it reviews. A malformed `through` is ignored.
 */
export function yearEnd(year: number, through?: string): string {
  const end = `${year}-12-31`;
  return through !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(through) && through > end ? through : end;
}

/** The kinds a covered pair may come from. */
export const COUNTED_KINDS: readonly TalkKind[] = ['heart', 'integrity'];

/** Which pairs are owed; each switch on by default (settings.talkMatrix). */
export interface TalkMatrix {
  /** The 书记 with every 支委 and every member. */
  secretaryAll: boolean;
  /** The 支委 with each other. */
  committeeEachOther: boolean;
  /** Each 支委 with the members of their own 党小组. */
  committeeGroup: boolean;
}

export const MATRIX_WORDS: Record<keyof TalkMatrix, string> = {
  secretaryAll: '书记全员',
  committeeEachOther: '支委互谈',
  committeeGroup: '支委联系小组',
};

const KEYS = Object.keys(MATRIX_WORDS) as (keyof TalkMatrix)[];
const ON = new Set(['开', '开启', '打开']);
const OFF = new Set(['关', '关闭']);

export const MATRIX_USAGE = '用法：/设置 谈话覆盖 书记全员 开 支委互谈 开 支委联系小组 关（可只写其中几项）';

/** The org's matrix from its settings JSON; anything but an explicit false is on. */
export function talkMatrixOf(settings: Record<string, unknown>): TalkMatrix {
  const raw = (settings.talkMatrix ?? {}) as Partial<Record<keyof TalkMatrix, unknown>>;
  return {
    secretaryAll: raw.secretaryAll !== false,
    committeeEachOther: raw.committeeEachOther !== false,
    committeeGroup: raw.committeeGroup !== false,
  };
}

/** "书记全员 开；支委互谈 开；支委联系小组 关" */
export function talkMatrixText(m: TalkMatrix): string {
  return KEYS.map((k) => `${MATRIX_WORDS[k]} ${m[k] ? '开' : '关'}`).join('；');
}

/** `书记全员 开 支委互谈 关 …` over the current matrix: the new one, or the problem (nothing changes). */
export function parseMatrixWords(current: TalkMatrix, words: readonly string[]): TalkMatrix | { problem: string } {
  if (words.length === 0 || words.length % 2 !== 0) return { problem: '请成对写明项目和“开”或“关”。' };
  const next = { ...current };
  for (let i = 0; i < words.length; i += 2) {
    const word = words[i] as string;
    const value = words[i + 1] as string;
    const key = KEYS.find((k) => MATRIX_WORDS[k] === word);
    if (!key) return { problem: `不认识的谈话覆盖项“${word}”。可用：${KEYS.map((k) => MATRIX_WORDS[k]).join('、')}。` };
    if (!ON.has(value) && !OFF.has(value)) return { problem: `${word}应设置为“开”或“关”。` };
    next[key] = ON.has(value);
  }
  return next;
}

/** A person on the register (current members, observers left out). */
export interface CoveragePerson {
  openId: string;
  name: string;
  role: string;
  committeePost: CommitteePost | null;
  partyGroup: string | null;
}

/** A talk as the coverage reads it (the talk register's `listYearTalks`). */
export interface CoverageTalk {
  kind: TalkKind;
  recorder: { openId: string };
  /** `confirmedAt` set once that party pressed 确认 (absent or null: not yet). */
  parties: readonly { openId: string; name?: string; confirmedAt?: string | null }[];
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The 书记: the register's (支委 post 书记), or, with none on the register, those with the role. */
export function secretariesOf(people: readonly CoveragePerson[]): CoveragePerson[] {
  const byPost = people.filter((p) => p.committeePost === 'secretary');
  return byPost.length > 0 ? byPost : people.filter((p) => p.role === 'secretary');
}

/** Who owes talks as a 支委: the 支委 on the register, and a 书记 known only by role. */
export function committeeOf(people: readonly CoveragePerson[]): CoveragePerson[] {
  const out = people.filter((p) => p.committeePost !== null);
  for (const s of secretariesOf(people)) if (!out.includes(s)) out.unshift(s);
  return out;
}

/** Every pair owed in the year under `matrix`, keyed once whichever rule asks for it. */
export function requiredPairs(people: readonly CoveragePerson[], matrix: TalkMatrix): Map<string, [string, string]> {
  const pairs = new Map<string, [string, string]>();
  const add = (a: CoveragePerson, b: CoveragePerson) => {
    if (a.openId !== b.openId) pairs.set(pairKey(a.openId, b.openId), [a.openId, b.openId]);
  };
  const committee = people.filter((p) => p.committeePost !== null);
  if (matrix.secretaryAll) for (const s of secretariesOf(people)) for (const p of people) add(s, p);
  if (matrix.committeeEachOther) for (const a of committee) for (const b of committee) add(a, b);
  if (matrix.committeeGroup)
    for (const c of committee) {
      if (!c.partyGroup) continue;
      for (const p of people) if (p.partyGroup === c.partyGroup) add(c, p);
    }
  return pairs;
}

/** The pairs the year's talks cover: each counted talk's recorder with each of its parties. */
export function coveredPairs(talks: readonly CoverageTalk[]): Set<string> {
  const out = new Set<string>();
  for (const t of talks) {
    if (!COUNTED_KINDS.includes(t.kind)) continue;
    for (const p of t.parties) if (p.openId !== t.recorder.openId) out.add(pairKey(t.recorder.openId, p.openId));
  }
  return out;
}

/** How the counted talks stand with 确认: the register counts them; 双方确认 strengthens the record. */
export interface TalkConfirmations {
  /** Counted talks (谈心谈话, 廉政谈话 covering at least one owed pair). */
  counted: number;
  /** Of those, every party confirmed (双方确认). */
  confirmed: number;
  /** Of those, some party has not confirmed yet. */
  pending: number;
}

/** One person's counted talks: confirmed, awaiting their own 确认, awaiting the other party's. */
export interface PersonConfirmations {
  counted: number;
  confirmed: number;
  awaitingMe: number;
  awaitingOthers: number;
}

export interface PersonCoverage {
  person: CoveragePerson;
  /** How many people this person must talk with, and those not yet talked with (register order). */
  due: number;
  missing: CoveragePerson[];
  confirmations: PersonConfirmations;
}

export interface Coverage {
  due: number;
  done: number;
  confirmations: TalkConfirmations;
  /** The parties of counted talks who have not confirmed yet (register order, then others by name). */
  awaiting: string[];
  /** Each 支委 (the 书记 first, then by post), whether or not they still owe. */
  committee: PersonCoverage[];
  /** One person's row (a plain member's own view; a 支委's is the same as in `committee`). */
  of(openId: string): PersonCoverage | undefined;
}

const POST_ORDER: readonly (CommitteePost | null)[] = [
  'secretary',
  'deputy',
  'organizer',
  'inspector',
  'publicity',
  'member',
  null,
];

const isConfirmed = (p: { confirmedAt?: string | null }) => p.confirmedAt !== undefined && p.confirmedAt !== null;

/** The owed pairs a counted talk covers (none: the talk is not counted). */
function owedPartiesOf(t: CoverageTalk, pairs: ReadonlyMap<string, unknown>): CoverageTalk['parties'] {
  if (!COUNTED_KINDS.includes(t.kind)) return [];
  return t.parties.filter((p) => p.openId !== t.recorder.openId && pairs.has(pairKey(t.recorder.openId, p.openId)));
}

/** The counted talks' 确认 state, overall. */
function confirmationsOf(talks: readonly CoverageTalk[], pairs: ReadonlyMap<string, unknown>): TalkConfirmations {
  const out: TalkConfirmations = { counted: 0, confirmed: 0, pending: 0 };
  for (const t of talks) {
    if (owedPartiesOf(t, pairs).length === 0) continue;
    out.counted++;
    if (t.parties.every(isConfirmed)) out.confirmed++;
    else out.pending++;
  }
  return out;
}

/**
 * One person's counted talks: as a party, confirmed once they pressed 确认 (else it awaits them); as the
 * recorder, once every party they owed a talk confirmed (else it awaits the others).
 */
function personConfirmationsOf(
  openId: string,
  talks: readonly CoverageTalk[],
  pairs: ReadonlyMap<string, unknown>,
): PersonConfirmations {
  const out: PersonConfirmations = { counted: 0, confirmed: 0, awaitingMe: 0, awaitingOthers: 0 };
  for (const t of talks) {
    const owed = owedPartiesOf(t, pairs);
    const mine = owed.find((p) => p.openId === openId);
    const relevant = t.recorder.openId === openId ? owed : mine ? [mine] : [];
    if (relevant.length === 0) continue;
    out.counted++;
    if (relevant.every(isConfirmed)) out.confirmed++;
    else if (mine) out.awaitingMe++;
    else out.awaitingOthers++;
  }
  return out;
}

/** Who still has to confirm a counted talk: register order first, then anyone else by name. */
function awaitingOf(
  people: readonly CoveragePerson[],
  talks: readonly CoverageTalk[],
  pairs: ReadonlyMap<string, unknown>,
): string[] {
  const names = new Map<string, string>();
  for (const t of talks) {
    if (owedPartiesOf(t, pairs).length === 0) continue;
    for (const p of t.parties) if (!isConfirmed(p)) names.set(p.openId, p.name ?? '');
  }
  const known = people.filter((p) => names.has(p.openId)).map((p) => p.name);
  const ids = new Set(people.map((p) => p.openId));
  const others = [...names.entries()].filter(([id, n]) => !ids.has(id) && n).map(([, n]) => n);
  return [...known, ...others.sort()];
}

/** The year's coverage over the register's people (in register order) and the year's recorded talks. */
export function computeCoverage(
  people: readonly CoveragePerson[],
  matrix: TalkMatrix,
  talks: readonly CoverageTalk[],
): Coverage {
  const pairs = requiredPairs(people, matrix);
  const covered = coveredPairs(talks);
  const byId = new Map(people.map((p) => [p.openId, p]));
  const partners = new Map<string, Set<string>>();
  for (const [a, b] of pairs.values()) {
    partners.set(a, (partners.get(a) ?? new Set()).add(b));
    partners.set(b, (partners.get(b) ?? new Set()).add(a));
  }
  const rowOf = (p: CoveragePerson): PersonCoverage => {
    const mine = partners.get(p.openId) ?? new Set<string>();
    const missing = people.filter((q) => mine.has(q.openId) && !covered.has(pairKey(p.openId, q.openId)));
    return { person: p, due: mine.size, missing, confirmations: personConfirmationsOf(p.openId, talks, pairs) };
  };
  const committee = committeeOf(people)
    .map((p, i) => ({ p, i, rank: POST_ORDER.indexOf(p.committeePost === null ? 'secretary' : p.committeePost) }))
    .sort((x, y) => x.rank - y.rank || x.i - y.i)
    .map(({ p }) => rowOf(p));
  let done = 0;
  for (const k of pairs.keys()) if (covered.has(k)) done++;
  return {
    due: pairs.size,
    done,
    confirmations: confirmationsOf(talks, pairs),
    awaiting: awaitingOf(people, talks, pairs),
    committee,
    of: (openId) => {
      const p = byId.get(openId);
      return p ? rowOf(p) : undefined;
    },
  };
}

/** "83.3%" (one decimal, rounded down so that 99.96 % never reads as complete); "—" when nothing is owed. */
export function rateText(done: number, due: number): string {
  if (due === 0) return '—';
  return `${Math.floor((done * 1000) / due) / 10}%`;
}
