/** How the router answers: the runnable a message picks, user-facing error text, card-action answers. */
import { plain } from '../cards/text.ts';
import type { ActionAnswer, Card, CardElement } from '../core/card.ts';
import type { ArgToken, ChatRef, CommandModule, Runnable } from '../core/contracts.ts';
import type { UserError } from '../core/errors.ts';
import type { OutboxWriter } from '../core/message.ts';
import { normalizeWord } from './parse.ts';

/** The subcommand named by the first word, or the command itself. */
export function pickRunnable(
  module: CommandModule,
  tokens: ArgToken[],
): { runnable: Runnable<unknown, unknown>; name: string; tokens: ArgToken[] } {
  const first = tokens[0];
  if (module.subcommands && first?.kind === 'word') {
    const word = normalizeWord(first.text);
    const sub = module.subcommands.find(
      (s) => normalizeWord(s.name) === word || s.aliases.some((a) => normalizeWord(a) === word),
    );
    if (sub) return { runnable: sub, name: `${module.name}.${sub.name}`, tokens: tokens.slice(1) };
  }
  return { runnable: module, name: module.name, tokens };
}

export function usageOf(module: Runnable<unknown, unknown>): string {
  return module.usage.map((u) => `用法：${u}`).join('\n');
}

export function userErrorText(err: UserError): string {
  // Messages may quote what the user typed, so they are shown as plain text (never a mention).
  const message = plain(err.message);
  return err.hint ? `${message}\n${err.hint}` : message;
}

/**
 * Shared cards are shared (docs/feishu-platform.md §6): a view or form for one person never replaces a group card.
 * In a group it goes to the clicker's private chat with the bot (in the action's transaction), and
 * the group card changes only when the handler also answered a shared card. In a private chat the
 * personal card simply replaces the clicked one.
 */
export async function answerPersonally(
  outbox: OutboxWriter,
  chat: ChatRef | undefined,
  openId: string,
  orgId: number | null,
  answer: ActionAnswer,
): Promise<ActionAnswer> {
  const { personal, ...shared } = answer;
  if (!personal) return answer;
  if (chat?.type !== 'group') return { ...(shared.toast ? { toast: shared.toast } : {}), card: personal };
  await outbox.send({ openId }, { type: 'card', card: personal }, orgId === null ? {} : { orgId });
  const then = hasForm(personal) ? '填写' : '查看';
  return { ...shared, toast: { type: 'info', content: `已私信发送，请在与清风的单聊中${then}` } };
}

/** Whether a card asks for input (a form), as opposed to only showing something. */
function hasForm(card: Card): boolean {
  const walk = (elements: readonly CardElement[]): boolean =>
    elements.some(
      (e) =>
        e.tag === 'form' || ['elements', 'columns'].some((k) => Array.isArray(e[k]) && walk(e[k] as CardElement[])),
    );
  return walk(card.body.elements);
}

export function toCallbackBody(answer: ActionAnswer): Record<string, unknown> {
  return {
    ...(answer.toast ? { toast: answer.toast } : {}),
    ...(answer.card ? { card: { type: 'raw', data: answer.card } } : {}),
  };
}
