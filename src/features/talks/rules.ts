/**
 * The talk register's rules, pure: who may record which kind of talk, what a recorded talk must
 * hold, who may see a talk and its notes, who may withdraw it, and its confirmation state.
 */
import type { Role } from '../../core/roles.ts';
import type { CommitteePost } from '../../db/schema.ts';
import { isValidDate } from '../../domain/time.ts';
import { KIND_LABELS, NOTES_MAX, PARTIES_MAX, PLACE_MAX, type TalkKind } from './model.ts';

/** Someone in the org as the rules see them: their role (the permission) and 支委 post (the register). */
export interface Who {
  openId: string;
  role: Role | undefined;
  committeePost: CommitteePost | null;
}

/**
 * Whether `who` may record a talk of `kind` they held. A 谈心谈话 any member may record; the 廉政 kinds
 * and 提醒谈话 are held by the leading members — the 书记, 副书记, 纪检委员, 组织委员, 宣传委员 or another
 * 支委 — so a plain member is refused them. An observer records nothing. Undefined when allowed.
 */
export function recordRefusal(kind: TalkKind, who: Pick<Who, 'role' | 'committeePost'>): string | undefined {
  if (who.role === undefined || who.role === 'observer') return '观察员不记录谈话。';
  if (kind === 'heart') return undefined;
  if (who.role !== 'member' || who.committeePost !== null) return undefined;
  return `${KIND_LABELS[kind]}由书记、纪检委员或其他支委进行并记录；党员可以记录谈心谈话。`;
}

/** The kinds `who` may record, in order (the form offers only these). */
export function kindsFor(who: Pick<Who, 'role' | 'committeePost'>, kinds: readonly TalkKind[]): TalkKind[] {
  return kinds.filter((k) => recordRefusal(k, who) === undefined);
}

export interface TalkInput {
  kind: TalkKind | undefined;
  /** YYYY-MM-DD, or undefined when not a date. */
  heldOn: string | undefined;
  place: string;
  notes: string;
  /** Picked people's open ids, as submitted (the recorder among them is dropped). */
  parties: readonly string[];
}

export type CheckedTalk = { kind: TalkKind; heldOn: string; place: string; notes: string | null; parties: string[] };

/**
 * A submitted talk checked against `today` and the recorder: a kind, a real date not in the future,
 * a place, notes within one input, and at least one other party (the recorder picking themself is
 * dropped; the same person twice counts once). Whether the parties are members is the service's check.
 */
export function checkTalk(input: TalkInput, recorder: string, today: string): { ok: CheckedTalk } | { error: string } {
  if (!input.kind) return { error: `请选择谈话类型（${Object.values(KIND_LABELS).join('、')}）。` };
  if (!input.heldOn || !isValidDate(input.heldOn)) return { error: '请选择谈话日期。' };
  if (input.heldOn > today) return { error: `谈话日期 ${input.heldOn} 还没有到，只能记录已进行的谈话。` };
  if (input.heldOn < '2000-01-01') return { error: `谈话日期 ${input.heldOn} 不正确，请重新选择。` };
  const place = input.place.trim();
  if (!place) return { error: '请填写谈话地点。' };
  if (Array.from(place).length > PLACE_MAX) return { error: `谈话地点太长（最多 ${PLACE_MAX} 个字）。` };
  const notes = input.notes.trim();
  if (Array.from(notes).length > NOTES_MAX) return { error: `谈话要点太长（最多 ${NOTES_MAX} 个字）。` };
  const parties = [...new Set(input.parties.map((p) => p.trim()).filter((p) => p && p !== recorder))];
  if (parties.length === 0) return { error: '请选择谈话对象（不含您本人）。' };
  if (parties.length > PARTIES_MAX) return { error: `一次最多记录 ${PARTIES_MAX} 名谈话对象。` };
  return { ok: { kind: input.kind, heldOn: input.heldOn, place, notes: notes || null, parties } };
}

/** The talk as the access rules see it. */
export interface TalkAccess {
  recorder: string;
  parties: readonly string[];
}

const isAdmin = (role: Role | undefined) =>
  role === 'secretary' || role === 'deputy' || role === 'inspector' || role === 'organizer';

/** Notes are for the recorder, the 书记 and the 纪检委员 only (never the other party, never a group). */
export function mayReadNotes(talk: TalkAccess, viewer: Pick<Who, 'openId' | 'role'>): boolean {
  return viewer.openId === talk.recorder || viewer.role === 'secretary' || viewer.role === 'inspector';
}

/** A talk is seen by its parties and the org's admins. */
export function mayView(talk: TalkAccess, viewer: Pick<Who, 'openId' | 'role'>): boolean {
  return isAdmin(viewer.role) || viewer.openId === talk.recorder || talk.parties.includes(viewer.openId);
}

/** Whether the admins' view of the register (every talk) is this viewer's, or only their own talks. */
export function seesAllTalks(role: Role | undefined): boolean {
  return isAdmin(role);
}

/** A recorded talk is withdrawn by its recorder or the 书记. */
export function mayWithdraw(talk: TalkAccess, viewer: Pick<Who, 'openId' | 'role'>): boolean {
  return viewer.openId === talk.recorder || viewer.role === 'secretary';
}

export interface Confirmation {
  confirmed: number;
  total: number;
  /** Every other party confirmed: 双方确认. */
  all: boolean;
  label: string;
}

/** 双方确认 once every other party confirmed; 待确认（n/m） until then. */
export function confirmationOf(parties: readonly { confirmedAt: string | null }[]): Confirmation {
  const total = parties.length;
  const confirmed = parties.filter((p) => p.confirmedAt !== null).length;
  const all = total > 0 && confirmed === total;
  return { confirmed, total, all, label: all ? '双方确认' : `待确认（${confirmed}/${total}）` };
}

/** A date as the cards say it: 2026年12月1日. */
export function dateText(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** What a party is asked on their card. */
export function inviteText(o: { recorder: string; heldOn: string; kind: TalkKind; place: string }): string {
  return `${o.recorder} 于 ${dateText(o.heldOn)} 与您进行了${KIND_LABELS[o.kind]}（${o.place}）。如属实，请点击确认。`;
}
