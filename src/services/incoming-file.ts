/**
 * A file sent to the bot in a private chat: from an admin, a spreadsheet is previewed as a ledger
 * import; otherwise the sender may attach it as evidence (佐证材料) to one of their open items.
 */
import { buildAttachCard } from '../cards/import-card.ts';
import { plain, textMessage } from '../cards/text.ts';
import type { CommandContext } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import type { Outgoing } from '../core/message.ts';
import { isAdminRole } from '../core/roles.ts';
import { listSessions } from '../db/repositories/meetings.ts';
import { listRectifications } from '../db/repositories/rectifications.ts';
import { kindLabel } from '../domain/meetings.ts';
import { ownerMayWork, type RectStatus } from '../domain/rectification.ts';
import { importers } from './importer-registry.ts';
import { previewImport } from './importers.ts';
import { isSpreadsheetName } from './spreadsheet.ts';

export interface IncomingFile {
  messageId: string;
  fileKey: string;
  fileName: string;
  /** Downloaded only for spreadsheets. */
  bytes: Buffer | undefined;
}

export function wantsBytes(fileName: string): boolean {
  return isSpreadsheetName(fileName);
}

export async function handleIncomingFile(ctx: CommandContext, file: IncomingFile): Promise<Outgoing> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '您还不是任何组织的成员，清风不知道这个文件属于哪里。');
  if (file.bytes && isAdminRole(ctx.actor.role)) {
    return { type: 'card', card: await previewImport(ctx, importers, { fileName: file.fileName, bytes: file.bytes }) };
  }
  const { items } = await listRectifications(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
  const options = items
    .filter((i) => ownerMayWork(i.status as RectStatus))
    .slice(0, 30)
    .map((i) => ({ text: `整改 #${i.id} ${i.problem.slice(0, 26)}`, value: `r:${i.id}` }));
  // Sessions held in the last 30 days that the sender organised (or, as an admin, any): minutes, photos, sign-in sheets.
  const since = new Date(ctx.now.getTime() - 30 * 86_400_000).toISOString();
  // At most 30 sessions (the latest), like the 30 items above, so the card stays within Feishu's element limit.
  const sessions = (await listSessions(ctx.db, org.id, { from: since, to: ctx.now.toISOString() }))
    .filter((s) => s.organiser_open_id === ctx.actor.openId || isAdminRole(ctx.actor.role))
    .slice(-30);
  for (const s of sessions) {
    options.push({
      text: `${kindLabel(s.kind)} #${s.id} ${s.title.slice(0, 20)}（纪要/照片/签到表）`,
      value: `s:${s.id}`,
    });
  }
  if (options.length === 0) {
    return textMessage`收到文件《${plain(file.fileName, 80)}》。您目前没有需要补充佐证材料的事项。`;
  }
  return {
    type: 'card',
    card: buildAttachCard({
      orgId: org.id,
      messageId: file.messageId,
      fileKey: file.fileKey,
      fileName: file.fileName,
      options,
    }),
  };
}
