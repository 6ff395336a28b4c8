/**
 * The talk coverage (issue 16 item 2) over the records: the year's matrix from the members register,
 * the org's settings and the talk register; `/谈话 覆盖 [年份]` (admins see every 支委's missing pairs,
 * anyone else only their own — privately, since it names people); the 任前廉政谈话 prompt when someone
 * is given an admin role or a 支委 post.
 *
 * 双方确认 and the coverage: a talk counts once it is recorded in the register, confirmed by its
 * parties or not. The register kept by the recorder is the record an inspector accepts, and a party who
 * never presses 确认 — away, unreachable, or simply slow — must not undo a talk that was held. 双方确认 strengthens the record: it
 * shows the other party agrees the talk took place. So the coverage keeps counting recorded talks, and
 * the coverage cards say how many of the counted talks are 双方确认 and how many still await the other
 * party's 确认 (the admin's card names who has yet to confirm), so a 书记 can ask them to confirm before
 * the records are checked. A withdrawn talk never counts.
 */
import type { Kysely } from 'kysely';
import { plain, textMessage } from '../../cards/text.ts';
import type { BaseContext, CommandContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Outgoing } from '../../core/message.ts';
import { POST_LABELS } from '../../core/register.ts';
import { isAdminRole, ROLE_LABELS, type Role } from '../../core/roles.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { orgSettings } from '../../db/repositories/orgs.ts';
import type { Database, Member, Org } from '../../db/schema.ts';
import { buildOwnTalkCoverageCard, buildTalkCoverageCard } from './coverage-card.ts';
import {
  type Coverage,
  type CoveragePerson,
  computeCoverage,
  type PersonCoverage,
  rateText,
  talkMatrixOf,
  talkMatrixText,
  yearEnd,
} from './coverage-rules.ts';
import { listYearTalks } from './repository.ts';
import { dateText } from './rules.ts';

export const COVERAGE_USAGE = '/谈话 覆盖 [年份]，如：/谈话 覆盖、/谈话 覆盖 2026';

function personOf(m: Member): CoveragePerson {
  return { openId: m.open_id, name: m.name, role: m.role, committeePost: m.committee_post, partyGroup: m.party_group };
}

/**
 * The year's coverage of an org: its current members on the register (observers are not), its talks
 * held from 1 January through 31 December or `through` (a local date) when later — the planned date of
 * the year's 组织生活会, which may fall in January or February of the next year.
 */
export async function yearCoverage(db: Kysely<Database>, org: Org, year: number, through?: string): Promise<Coverage> {
  const people = (await listMembers(db, org.id)).filter((m) => m.role !== 'observer').map(personOf);
  return computeCoverage(people, talkMatrixOf(orgSettings(org)), await listYearTalks(db, org.id, year, through));
}

/** 书记, 组织委员 …; a 书记 known only by role (no register) is still the 书记. */
export function titleOf(p: CoveragePerson): string {
  if (p.committeePost === 'member') return '支委';
  if (p.committeePost) return POST_LABELS[p.committeePost];
  return ROLE_LABELS[(p.role as Role) in ROLE_LABELS ? (p.role as Role) : 'member'];
}

/** A year's counted period, as a year's 组织生活会 after 31 December extends it. */
export interface CountedUntil {
  /** The meeting's planned date (YYYY-MM-DD). */
  on: string;
  /** 组织生活会 or 民主生活会. */
  word: string;
}

/** "统计 2026年1月1日至2027年1月15日（2026年度组织生活会计划召开日）的谈话" when past 31 December. */
export function periodText(year: number, until: CountedUntil | undefined): string | undefined {
  const end = yearEnd(year, until?.on);
  if (!until || end === `${year}-12-31`) return undefined;
  return `统计 ${year}年1月1日至${dateText(end)}（${year}年度${until.word}计划召开日）的谈话。`;
}

export function ownCard(org: Org, year: number, row: PersonCoverage, o: { lead?: string; until?: CountedUntil } = {}) {
  const period = periodText(year, o.until);
  return buildOwnTalkCoverageCard({
    orgName: org.name,
    year,
    name: row.person.name,
    due: row.due,
    missing: row.missing.map((p) => p.name),
    confirmations: row.confirmations,
    ...(o.lead ? { lead: o.lead } : {}),
    ...(period ? { period } : {}),
  });
}

function parseYear(words: readonly string[], today: string): number {
  const thisYear = Number(today.slice(0, 4));
  if (words.length === 0) return thisYear;
  const m = words.length === 1 ? /^(\d{4})年?$/.exec(words[0] as string) : null;
  const year = m ? Number(m[1]) : Number.NaN;
  if (!(year >= 2000 && year <= thisYear))
    throw new UserError('bad_args', `请写明 2000 年至 ${thisYear} 年之间的年份。`, `用法：${COVERAGE_USAGE}`);
  return year;
}

/**
 * `/谈话 覆盖 [年份]`: the whole matrix for admins, one's own pairs for anyone else; in a group, privately.
 * `untilOf` gives the year's 组织生活会 when one is planned: its talks count up to that day, as the
 * pipeline's 谈心谈话 stage counts them.
 */
export async function talkCoverageReply(
  ctx: CommandContext<'required'>,
  words: readonly string[],
  untilOf: (year: number) => Promise<CountedUntil | undefined> = async () => undefined,
): Promise<Outgoing> {
  const org = ctx.org;
  const year = parseYear(words, ctx.today);
  const until = await untilOf(year);
  const cov = await yearCoverage(ctx.db, org, year, until?.on);
  const period = periodText(year, until);
  let answer: Outgoing;
  if (isAdminRole(ctx.actor.role)) {
    const card = buildTalkCoverageCard({
      orgName: org.name,
      year,
      due: cov.due,
      done: cov.done,
      rate: rateText(cov.done, cov.due),
      confirmations: cov.confirmations,
      awaiting: cov.awaiting,
      rows: cov.committee.map((r) => ({
        name: r.person.name,
        title: titleOf(r.person),
        due: r.due,
        missing: r.missing.map((p) => p.name),
      })),
      matrix: talkMatrixText(talkMatrixOf(orgSettings(org))),
      ...(period ? { period } : {}),
    });
    answer = { type: 'card', card };
  } else {
    const row = cov.of(ctx.actor.openId);
    answer = row
      ? { type: 'card', card: ownCard(org, year, row, until ? { until } : {}) }
      : textMessage`您不在「${plain(org.name, 100)}」的党员名册中，没有应谈对象。`;
  }
  if (ctx.chat.type === 'p2p') return answer;
  await ctx.outbox.send({ openId: ctx.actor.openId }, answer, { orgId: org.id });
  return textMessage`谈话覆盖情况已私信发送，请在与清风的单聊中查看。`;
}

/** Roles whose holder gets a 任前廉政谈话 (the admin roles). */
const PROMPTED_ROLES: readonly Role[] = ['secretary', 'deputy', 'inspector', 'organizer'];

/**
 * 任前廉政谈话: the org's 书记 (or, when the appointee is the only one, its 纪检委员) is asked privately to
 * hold one with someone just given an admin role or a 支委 post (`title`). Not when the actor gave it
 * to themself. `ctx` is a command's (its `actor`) where there is one: register changes take a plain
 * BaseContext, so the actor is read from it when present.
 */
export async function promptPreAppointment(
  ctx: BaseContext,
  org: Org,
  appointee: { openId: string; name: string },
  title: string,
): Promise<void> {
  const actor = (ctx as { actor?: { openId: string } }).actor;
  if (actor?.openId === appointee.openId) return;
  const others = (await listMembers(ctx.db, org.id)).filter((m) => m.open_id !== appointee.openId);
  const secretaries = others.filter((m) => m.role === 'secretary');
  const to = secretaries.length > 0 ? secretaries : others.filter((m) => m.role === 'inspector');
  const message = textMessage`${plain(appointee.name, 50)} 新任${title}，请在任前（或任职后及时）与其进行任前廉政谈话：/谈话 记录 任前廉政谈话`;
  for (const m of to) await ctx.outbox.send({ openId: m.open_id }, message, { orgId: org.id });
}

/** After `/角色`: the prompt when the new role is an admin role. */
export async function promptForRole(
  ctx: BaseContext,
  org: Org,
  appointee: { openId: string; name: string },
  role: Role,
): Promise<void> {
  if (PROMPTED_ROLES.includes(role)) await promptPreAppointment(ctx, org, appointee, ROLE_LABELS[role]);
}

/** After a register change that gave a 支委 post. */
export async function promptForPost(
  ctx: BaseContext,
  org: Org,
  appointee: { openId: string; name: string },
  post: Member['committee_post'] | undefined,
): Promise<void> {
  if (post) await promptPreAppointment(ctx, org, appointee, post === 'member' ? '支委' : POST_LABELS[post]);
}
