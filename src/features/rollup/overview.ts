import type { BaseContext, CommandContext } from '../../core/contracts.ts';
import type { Recipient } from '../../core/message.ts';
import type { Org } from '../../db/schema.ts';
import { requireUpperAdmin } from '../hierarchy/access.ts';
import { rollupFile } from './export.ts';
import { buildRollupCard, ROWS_SHOWN } from './rollup-card.ts';
import { COLOUR_RULE } from './rules.ts';
import { inputOf, rollupRows } from './service.ts';

/** The card (and, when rows are left off it, the .xlsx of all rows) for `org`, to `to`. */
export async function overviewMessages(
  ctx: BaseContext,
  org: Org,
  o: { weekly?: boolean },
): Promise<{
  card: ReturnType<typeof buildRollupCard>;
  file: Awaited<ReturnType<typeof rollupFile>> | undefined;
  red: number;
}> {
  const { rows, trend } = await rollupRows(ctx.db, org, inputOf(ctx));
  const card = buildRollupCard({
    orgId: org.id,
    orgName: org.name,
    today: ctx.today,
    rows,
    trend,
    legend: COLOUR_RULE,
    weekly: o.weekly,
  });
  const file =
    rows.length > ROWS_SHOWN ? await rollupFile(org.name, ctx.today, rows, ctx.now, ctx.settings.timezone) : undefined;
  return { card, file, red: rows.filter((r) => r.colour === 'red').length };
}

/** Sends the overview to `to` (the card, then the file): the weekly job's delivery. */
export async function postOverview(ctx: BaseContext, org: Org, to: Recipient, weekly: boolean): Promise<void> {
  const { card, file } = await overviewMessages(ctx, org, { weekly });
  await ctx.outbox.send(to, { type: 'card', card }, { orgId: org.id });
  if (file)
    await ctx.outbox.sendFile(to, { fileName: file.fileName, fileType: 'xls', bytes: file.bytes }, { orgId: org.id });
}

/** /总览 [组织名]: the card answers the command; the file follows in the same chat. */
export async function sendOverview(ctx: CommandContext<'required'>): Promise<undefined> {
  const org = await requireUpperAdmin({ db: ctx.db, org: ctx.org, actor: ctx.actor });
  const { card, file, red } = await overviewMessages(ctx, org, {});
  await ctx.outbox.reply(ctx.message.messageId, { type: 'card', card }, { chatId: ctx.chat.chatId, orgId: org.id });
  if (file)
    await ctx.outbox.sendFile(
      { chatId: ctx.chat.chatId },
      { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
      { orgId: org.id },
    );
  await ctx.audit({ action: 'overview:show', subject: `org:${org.id}`, after: { red, file: file?.fileName ?? null } });
  return undefined;
}
