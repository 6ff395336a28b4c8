/**
 * The talk register's operations: the record form, saving a talk (its parties get a card to
 * confirm), a party's 确认, withdrawing, and a talk as one viewer sees it. Every card of a talk is
 * private and remembered as a live card of subject `talk`; each redraw asks who it is for, so the
 * notes follow the viewer (recorder, 书记, 纪检委员) and a party's card keeps its 确认 until pressed.
 */
import type { Card } from '../../core/card.ts';
import type { ActingContext, ActionContext, BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { CardSubject, LiveCard } from '../../core/live-cards.ts';
import type { Role } from '../../core/roles.ts';
import { findMember, listMembers, roleOf } from '../../db/repositories/members.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Org, Talk } from '../../db/schema.ts';
import { shortDate } from '../../domain/dates.ts';
import { localDate } from '../../domain/time.ts';
import { KIND_LABELS, kindOf, parseKind, TALK_KINDS, type TalkKind } from './model.ts';
import {
  confirmParty,
  createTalk,
  findTalk,
  knownName,
  type TalkWithParties,
  talkShownBy,
  updateTalk,
} from './repository.ts';
import * as rules from './rules.ts';
import { buildTalkCard, buildTalkFormCard, type TalkView } from './talk-card.ts';

export const talkSubject = (t: Pick<Talk, 'id' | 'org_id'>): CardSubject => ({
  kind: 'talk',
  id: t.id,
  orgId: t.org_id,
});

const notFound = (id: number) => new UserError('not_found', `没有找到谈话记录 #${id}。`);

/** The talk with its parties, in this org (another org's talk is not found). */
export async function requireTalk(ctx: ActingContext, id: number): Promise<TalkWithParties> {
  const t = await findTalk(ctx.db, id);
  if (!t || !ctx.org || t.talk.org_id !== ctx.org.id) throw notFound(id);
  return t;
}

/** The talk locked for the rest of the transaction (versioned.ts): concurrent decisions on it act once. */
async function lockTalk(ctx: ActingContext, id: number): Promise<TalkWithParties> {
  const row = await lockRow(ctx.db, 'talks', id);
  if (!row || !ctx.org || row.org_id !== ctx.org.id) throw notFound(id);
  return requireTalk(ctx, id);
}

const accessOf = (t: TalkWithParties): rules.TalkAccess => ({
  recorder: t.talk.recorder_open_id,
  parties: t.parties.map((p) => p.open_id),
});

/** The actor as the rules see them: their role and their 支委 post in the register. */
async function whoIs(ctx: ActingContext, org: Org): Promise<rules.Who> {
  const m = await findMember(ctx.db, org.id, ctx.actor.openId);
  return { openId: ctx.actor.openId, role: ctx.actor.role, committeePost: m?.committee_post ?? null };
}

/** The record form for the actor: the kinds they may record, the members to pick from. */
export async function talkFormCard(ctx: ActingContext, org: Org, kindWord: string | undefined): Promise<Card> {
  const who = await whoIs(ctx, org);
  const wanted = kindWord === undefined ? undefined : parseKind(kindWord);
  if (kindWord !== undefined && !wanted)
    throw new UserError('bad_args', `不认识的谈话类型“${kindWord}”。可选：${Object.values(KIND_LABELS).join('、')}。`);
  const refusal = rules.recordRefusal(wanted ?? 'heart', who);
  if (refusal) throw new UserError('forbidden', refusal);
  const members = await listMembers(ctx.db, org.id);
  return buildTalkFormCard({
    orgId: org.id,
    orgName: org.name,
    memberOpenIds: members.filter((m) => m.open_id !== who.openId && roleOf(m) !== 'observer').map((m) => m.open_id),
    kinds: rules.kindsFor(who, TALK_KINDS).map((k) => ({ value: k, text: KIND_LABELS[k] })),
    initialKind: wanted ?? 'heart',
    today: ctx.today,
  });
}

export interface RecordForm {
  parties: string[];
  kind: string;
  heldOn: string | undefined;
  place: string;
  notes: string;
}

/**
 * Saves the talk the form describes: the recorder may record its kind, every party is a current
 * member (one who is not is named and nothing is saved). Each party gets a private card to confirm.
 * A form saved once is the talk's card: a second 保存 on it (a double click) saves nothing again.
 */
export async function recordTalk(
  ctx: ActionContext<'required'>,
  f: RecordForm,
): Promise<{ talk: TalkWithParties; again: boolean }> {
  const org = ctx.org;
  const who = await whoIs(ctx, org);
  const me = await findMember(ctx.db, org.id, who.openId);
  if (!me) throw new UserError('forbidden', '只有本组织成员可以记录谈话。');
  // The recorder's row is locked first, so two 保存 of one form run one after the other.
  await lockRow(ctx.db, 'members', me.id);
  const shown = await talkShownBy(ctx.db, ctx.card.messageId);
  if (shown !== undefined) return { talk: await requireTalk(ctx, shown), again: true };
  const checked = rules.checkTalk({ ...f, kind: kindOf(f.kind) }, who.openId, ctx.today);
  if ('error' in checked) throw new UserError('bad_args', checked.error);
  const t = checked.ok;
  const refusal = rules.recordRefusal(t.kind, who);
  if (refusal) throw new UserError('forbidden', refusal);
  const parties: { openId: string; name: string }[] = [];
  const strangers: string[] = [];
  for (const openId of t.parties) {
    const m = await findMember(ctx.db, org.id, openId);
    if (m && roleOf(m) !== 'observer') parties.push({ openId, name: m.name });
    else strangers.push((await knownName(ctx.db, openId)) ?? '');
  }
  if (strangers.length > 0) {
    const named = strangers.filter(Boolean);
    const them =
      named.length > 0 ? `${named.join('、')}${named.length < strangers.length ? ' 等人' : ''}` : '所选人员中有人';
    throw new UserError('bad_args', `${them}不是「${org.name}」的党员，不能作为谈话对象。请重新选择。`);
  }
  const talk = await createTalk(ctx.db, {
    orgId: org.id,
    kind: t.kind,
    heldOn: t.heldOn,
    place: t.place,
    notes: t.notes,
    recorder: { openId: who.openId, name: me.name },
    parties,
    now: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: 'talk:record',
    subject: `talk:${talk.talk.id}`,
    // The notes stay out of the audit row: only whether there are some.
    after: {
      kind: t.kind,
      heldOn: t.heldOn,
      place: t.place,
      parties: parties.map((p) => p.name),
      notes: t.notes !== null,
    },
  });
  for (const p of parties) {
    await ctx.cards.send(talkSubject(talk.talk), { openId: p.openId }, await talkCardFor(ctx, talk, p.openId));
  }
  return { talk, again: false };
}

/** A party's 确认: only that party, once; the talk's cards show it everywhere. */
export async function confirmTalk(
  ctx: ActionContext<'required'>,
  id: number,
): Promise<{ talk: TalkWithParties; done: boolean }> {
  const t = await lockTalk(ctx, id);
  const mine = t.parties.find((p) => p.open_id === ctx.actor.openId);
  if (!mine) throw new UserError('forbidden', '只有谈话对象本人可以确认这次谈话。');
  if (t.talk.status === 'withdrawn') throw new UserError('conflict', `谈话记录 #${id} 已撤销，无需确认。`);
  if (mine.confirmed_at !== null) return { talk: t, done: false };
  const at = ctx.now.toISOString();
  if (!(await confirmParty(ctx.db, t.talk.id, mine.open_id, at))) return { talk: t, done: false };
  await updateTalk(ctx.db, t.talk, { updated_at: at });
  await ctx.audit({ action: 'talk:confirm', subject: `talk:${id}`, after: { party: mine.name } });
  return { talk: await requireTalk(ctx, id), done: true };
}

/** Withdraws a recorded talk (kept, no longer counted): by its recorder or the 书记, with a reason. */
export async function withdrawTalk(ctx: ActingContext, id: number, reason: string): Promise<TalkWithParties> {
  const t = await lockTalk(ctx, id);
  if (!rules.mayWithdraw(accessOf(t), { openId: ctx.actor.openId, role: ctx.actor.role }))
    // By role only: who recorded a talk is not for someone who may not withdraw it.
    throw new UserError('forbidden', `只有记录人本人或书记可以撤销谈话记录 #${id}。`);
  if (t.talk.status === 'withdrawn') throw new UserError('conflict', `谈话记录 #${id} 已撤销。`);
  await updateTalk(ctx.db, t.talk, { status: 'withdrawn', updated_at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'talk:withdraw',
    subject: `talk:${id}`,
    before: { status: 'recorded' },
    after: { status: 'withdrawn', reason },
  });
  return requireTalk(ctx, id);
}

/** The talk for someone who may see it (its parties and the admins); anyone else is refused. */
export async function viewableTalk(ctx: ActingContext, id: number): Promise<TalkWithParties> {
  const t = await requireTalk(ctx, id);
  if (!rules.mayView(accessOf(t), { openId: ctx.actor.openId, role: ctx.actor.role }))
    throw new UserError('forbidden', '只有谈话双方和组织管理员（书记、副书记、纪检委员、组织委员）可以查看这次谈话。');
  return t;
}

/** The talk's card as `viewer` sees it now: their role is read as it is (a member who left sees no notes). */
export async function talkCardFor(ctx: BaseContext, t: TalkWithParties, viewer: string | undefined): Promise<Card> {
  const m = viewer ? await findMember(ctx.db, t.talk.org_id, viewer) : undefined;
  const role: Role | undefined = m ? roleOf(m) : undefined;
  return buildTalkCard(viewOf(t, m ? { openId: m.open_id, role } : undefined, ctx.today, ctx.settings.timezone));
}

export function viewOf(
  t: TalkWithParties,
  viewer: { openId: string; role: Role | undefined } | undefined,
  today: string,
  tz: string,
): TalkView {
  const parties = t.parties.map((p) => ({ openId: p.open_id, confirmedAt: p.confirmed_at }));
  const c = rules.confirmationOf(parties);
  const kind = t.talk.kind as TalkKind;
  const mine = viewer ? t.parties.find((p) => p.open_id === viewer.openId) : undefined;
  return {
    id: t.talk.id,
    orgId: t.talk.org_id,
    kindLabel: KIND_LABELS[kind] ?? '谈话',
    heldText: rules.dateText(t.talk.held_on),
    place: t.talk.place,
    recorderName: t.talk.recorder_name,
    parties: t.parties.map((p) => ({
      name: p.name,
      confirmedText: p.confirmed_at ? shortDate(localDate(new Date(p.confirmed_at), tz), today) : undefined,
    })),
    confirmation: c.label,
    allConfirmed: c.all,
    withdrawn: t.talk.status === 'withdrawn',
    notes: viewer && rules.mayReadNotes(accessOf(t), viewer) ? t.talk.notes : undefined,
    heldOn: t.talk.held_on,
    kind,
    mayConfirm: mine !== undefined && mine.confirmed_at === null,
  };
}

/** Redraws every card of the talk for whom it was sent; the clicked one is answered instead. */
export async function refreshTalkCards(ctx: BaseContext, t: TalkWithParties, answered?: string): Promise<void> {
  const viewerOf = (c: LiveCard) => (c.to && 'openId' in c.to ? c.to.openId : undefined);
  await ctx.cards.refresh(talkSubject(t.talk), (c) => talkCardFor(ctx, t, viewerOf(c)), { answered });
}
