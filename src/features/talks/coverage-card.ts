/**
 * The talk coverage cards (issue 16 item 2): the whole matrix for admins — 应谈 / 已谈 / 覆盖率 and each
 * 支委 with the people they still owe — and one person's own missing pairs (a member asking, a 支委's
 * prompt from the job). They name people, so they are only ever sent privately. No buttons. Pure.
 */
import { card, markdown, note, plainText } from '../../cards/parts.ts';
import { clip, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';

/** 支委 rows on one card (a 支部委员会 has 3 to 9; a 党委's 班子 a few more), names per row, name length. */
export const ROWS_SHOWN = 15;
export const NAMES_SHOWN = 40;
const NAME_MAX = 12;

export interface CoverageRowView {
  name: string;
  /** 书记, 组织委员 … (the 支委 post). */
  title: string;
  due: number;
  missing: readonly string[];
}

export interface CoverageCardView {
  orgName: string;
  year: number;
  due: number;
  done: number;
  rate: string;
  rows: readonly CoverageRowView[];
  /** "书记全员 开；支委互谈 开；支委联系小组 开" */
  matrix: string;
  /** The counted talks' 确认 state (absent: not shown). */
  confirmations?: { counted: number; confirmed: number; pending: number };
  /** Who has yet to confirm a counted talk. */
  awaiting?: readonly string[];
  /** The counted period when it runs past 31 December (up to the year's 组织生活会). */
  period?: string;
}

const COUNTED = '计入覆盖的是谈心谈话和廉政谈话，记录人与每位谈话对象各算一对。';

function namesText(missing: readonly string[]): string {
  const shown = missing.slice(0, NAMES_SHOWN).map((n) => clip(n, NAME_MAX));
  return `${shown.join('、')}${missing.length > NAMES_SHOWN ? ` 等 ${missing.length} 人` : ''}`;
}

function rowElements(r: CoverageRowView): CardElement[] {
  const head = `**${md(clip(r.name, NAME_MAX))}**（${md(r.title, 10)}）应谈 ${r.due} 人，`;
  if (r.missing.length === 0) return [markdown(`${head}已全部谈完`)];
  return [markdown(`${head}尚未谈 **${r.missing.length}** 人：`), plainText(namesText(r.missing), { grey: true })];
}

/** 计入的谈话 n 次，其中双方确认 a 次、待对方确认 b 次 (and who, so that a 书记 can ask them). */
function confirmationElements(v: CoverageCardView): CardElement[] {
  const c = v.confirmations;
  if (!c || c.counted === 0) return [];
  const line = markdown(
    `计入的谈话 **${c.counted}** 次，其中双方确认 **${c.confirmed}** 次，待对方确认 **${c.pending}** 次`,
  );
  const who = v.awaiting ?? [];
  if (c.pending === 0 || who.length === 0) return [line];
  return [line, plainText(`尚未确认：${namesText(who)}（可提醒其在谈话卡片上点击确认）`, { grey: true })];
}

export function buildTalkCoverageCard(v: CoverageCardView): Card {
  const rows = v.rows.slice(0, ROWS_SHOWN);
  const more = v.rows.length - rows.length;
  return card({
    title: `谈话覆盖情况 · ${v.year}年`,
    subtitle: v.orgName,
    template: v.due > 0 && v.done === v.due ? 'green' : 'orange',
    elements: [
      markdown(`应谈 **${v.due}** 对，已谈 **${v.done}** 对，覆盖率 **${v.rate}**`),
      ...(v.period ? [plainText(v.period, { grey: true, max: 120 })] : []),
      ...confirmationElements(v),
      ...(rows.length === 0
        ? [markdown('名册中还没有支委。请先登记支委：/党员 @某人 支委 组织委员。')]
        : rows.flatMap(rowElements)),
      ...(more > 0 ? [note(`其余 ${more} 位支委未列出。`)] : []),
      note(
        `${COUNTED}范围：${md(v.matrix, 100)}（修改：/设置 谈话覆盖 书记全员 开 支委互谈 开 支委联系小组 开）。记录谈话：/谈话 记录。`,
      ),
    ],
  });
}

export interface OwnCoverageView {
  orgName: string;
  year: number;
  name: string;
  due: number;
  missing: readonly string[];
  /** This person's counted talks and their 确认 (absent: not shown). */
  confirmations?: { counted: number; confirmed: number; awaitingMe: number; awaitingOthers: number };
  /** Why it came now (the job's occasion), bot-written; absent when asked for. */
  lead?: string;
  /** The counted period when it runs past 31 December (up to the year's 组织生活会). */
  period?: string;
}

/** 计入的谈话 n 次：双方确认 a 次，待您确认 b 次，待对方确认 c 次 (the zero parts left out). */
function ownConfirmationText(c: OwnCoverageView['confirmations']): string | undefined {
  if (!c || c.counted === 0) return undefined;
  const parts = [`双方确认 **${c.confirmed}** 次`];
  if (c.awaitingMe > 0) parts.push(`待您确认 **${c.awaitingMe}** 次（请在谈话卡片上点击确认）`);
  if (c.awaitingOthers > 0) parts.push(`待对方确认 **${c.awaitingOthers}** 次`);
  return `计入的谈话 **${c.counted}** 次：${parts.join('，')}`;
}

export function buildOwnTalkCoverageCard(v: OwnCoverageView): Card {
  const done = v.due - v.missing.length;
  const body: CardElement[] =
    v.due === 0
      ? [markdown('按本组织的谈话覆盖范围，您今年没有应谈对象。')]
      : v.missing.length === 0
        ? [markdown(`您今年应谈 **${v.due}** 人，已全部谈完。`)]
        : [
            markdown(`您今年应谈 **${v.due}** 人，已谈 **${done}** 人，尚未谈 **${v.missing.length}** 人：`),
            plainText(namesText(v.missing)),
          ];
  const confirmations = ownConfirmationText(v.confirmations);
  if (confirmations) body.push(markdown(confirmations));
  if (v.period) body.push(plainText(v.period, { grey: true, max: 120 }));
  return card({
    title: `我的谈话覆盖 · ${v.year}年`,
    subtitle: `${v.orgName} · ${v.name}`,
    template: v.missing.length === 0 ? 'green' : 'orange',
    elements: [
      ...(v.lead ? [plainText(v.lead, { max: 300 })] : []),
      ...body,
      note(`${COUNTED}谈话后由记录人发送 /谈话 记录 登记，对方确认即为双方确认。`),
    ],
  });
}
