/**
 * The year's talks: the list card (an admin sees every talk of the org, anyone else the talks they
 * took part in) and the 谈心谈话记录 .xlsx for admins. Neither ever holds the notes.
 */
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import type { Org } from '../../db/schema.ts';
import { shortDate } from '../../domain/dates.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { KIND_LABELS, LIST_MAX, type TalkKind } from './model.ts';
import { listTalks, type TalkWithParties } from './repository.ts';
import { confirmationOf, seesAllTalks } from './rules.ts';
import { buildTalkListCard } from './talk-card.ts';

const kindLabel = (t: TalkWithParties) => KIND_LABELS[t.talk.kind as TalkKind] ?? '谈话';
const partyNames = (t: TalkWithParties) => t.parties.map((p) => p.name).join('、');
const stateOf = (t: TalkWithParties) =>
  t.talk.status === 'withdrawn'
    ? '已撤销'
    : confirmationOf(t.parties.map((p) => ({ confirmedAt: p.confirmed_at }))).label;

export async function talkListCard(ctx: ActingContext, org: Org, year: number): Promise<Card> {
  const all = seesAllTalks(ctx.actor.role);
  const me = ctx.actor.openId;
  const talks = (await listTalks(ctx.db, org.id, year)).filter(
    (t) => all || t.talk.recorder_open_id === me || t.parties.some((p) => p.open_id === me),
  );
  const recorded = talks.filter((t) => t.talk.status === 'recorded');
  const confirmed = recorded.filter((t) => stateOf(t) === '双方确认').length;
  // Newest first: the card shows the latest; the export has the year.
  const rows = [...talks].reverse().slice(0, LIST_MAX);
  return buildTalkListCard({
    title: `${org.name} ${year}年谈话记录`,
    scope: all ? '本组织全部谈话' : '您参加的谈话',
    total: talks.length,
    counts: { confirmed, pending: recorded.length - confirmed, withdrawn: talks.length - recorded.length },
    exportHint: all,
    rows: rows.map((t) => ({
      id: t.talk.id,
      date: shortDate(t.talk.held_on, ctx.today),
      kindLabel: kindLabel(t),
      recorderName: t.talk.recorder_name,
      partyNames: partyNames(t),
      state: stateOf(t),
    })),
  });
}

/** 谈心谈话记录: one row per recorded talk of the year (withdrawn ones are not counted), oldest first. */
export const talkSheet = defineExporter<TalkWithParties>({
  sheetName: '谈心谈话记录',
  columns: [
    SEQ_COLUMN,
    { header: '日期', width: 12, kind: 'date', value: (t) => t.talk.held_on },
    { header: '类型', width: 14, value: kindLabel },
    { header: '谈话人', width: 12, value: (t) => t.talk.recorder_name },
    { header: '谈话对象', width: 24, value: partyNames },
    { header: '地点', width: 20, value: (t) => t.talk.place },
    {
      header: '确认情况',
      width: 30,
      value: (t) =>
        `${stateOf(t)}：${t.parties.map((p) => `${p.name}${p.confirmed_at ? '已确认' : '未确认'}`).join('、')}`,
    },
  ],
});

export async function talkFile(ctx: ActingContext, org: Org, year: number): Promise<LedgerFile> {
  const rows = (await listTalks(ctx.db, org.id, year)).filter((t) => t.talk.status === 'recorded');
  const bytes = await talkSheet.write({
    title: `${org.name}${year}年谈心谈话记录`,
    subtitle: exportedAt(ctx.now, ctx.settings.timezone),
    rows,
  });
  return { fileName: `谈心谈话记录-${org.name}-${year}.xlsx`, bytes, count: rows.length };
}
