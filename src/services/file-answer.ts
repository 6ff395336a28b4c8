/**
 * A command that answers with a file: the message announcing the file (“文件《…》随后发送”) is
 * queued first and the file after it, so the chat shows them in that order (an outbox lane keeps the
 * order rows were queued in). Returning the announcement from the handler instead would queue it
 * after the file: the router replies only once the handler is done.
 */
import type { CommandContext } from '../core/contracts.ts';
import type { Outgoing, OutgoingFile, Recipient } from '../core/message.ts';

export async function answerWithFile(
  ctx: CommandContext,
  o: {
    /** What the command answers: names the file, says where it goes. */
    answer: Outgoing;
    file: OutgoingFile;
    /** Where the file goes: this chat unless said otherwise (a private history goes to the asker). */
    to?: Recipient;
  },
): Promise<undefined> {
  await ctx.outbox.reply(ctx.message.messageId, o.answer, { chatId: ctx.chat.chatId });
  await ctx.outbox.sendFile(o.to ?? { chatId: ctx.chat.chatId }, o.file);
  return undefined;
}
