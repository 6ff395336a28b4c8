/**
 * A file sent to the bot in a private chat: from an admin, a spreadsheet is previewed as a ledger
 * import; otherwise the sender may attach it as evidence (佐证材料) to one of their open items.
 */
import { buildAttachCard } from '../cards/import-card.ts';
import { plain, textMessage } from '../cards/text.ts';
import type { AttachTargets, CommandContext } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import type { Outgoing } from '../core/message.ts';
import { isAdminRole } from '../core/roles.ts';
import type { Importer } from '../ledger/import-kit.ts';
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

/** The features' part: the ledgers that can be imported and where a file can be attached (src/features/index.ts). */
export interface FilePlugs {
  importers: readonly Importer[];
  attachTargets: readonly AttachTargets[];
}

export async function handleIncomingFile(ctx: CommandContext, file: IncomingFile, plugs: FilePlugs): Promise<Outgoing> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '您还不是任何组织的成员，清风不知道这个文件属于哪里。');
  if (file.bytes && isAdminRole(ctx.actor.role)) {
    return {
      type: 'card',
      card: await previewImport(ctx, plugs.importers, { fileName: file.fileName, bytes: file.bytes }),
    };
  }
  const options: { text: string; value: string }[] = [];
  for (const targets of plugs.attachTargets) options.push(...(await targets(ctx, org)));
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
