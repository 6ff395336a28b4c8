/**
 * Live cards: a card the bot sent that keeps showing one subject (a rectification item, a task, a
 * session, a board) and is updated in place after every change of it. One mechanism for all of them,
 * on every context as `ctx.cards`.
 */
import type { Card } from './card.ts';
import type { Recipient } from './message.ts';

/** What a live card shows: `kind` (`rect_item`, `task`, `session`, `task_board` …) and the subject's id. */
export interface CardSubject {
  kind: string;
  id: number;
  /** The org the subject belongs to (its cards' messages are sent for it). */
  orgId: number;
}

/** One remembered card of a subject, as given to a refresh's renderer. */
export interface LiveCard {
  /** The card's row (its queued updates share the coalesce key `<prefix>:<id>`). */
  id: number;
  outboxId: number;
  /** Where the card was sent: a person's private chat or a chat (undefined when not known). */
  to: Recipient | undefined;
}

export interface RefreshOptions {
  /**
   * The Feishu message id of a card the callback answer already shows in its newest state (the
   * clicked card): it is not patched, and an older update of it still queued is superseded.
   */
  answered?: string | undefined;
  /** Only the newest `latest` cards are updated (boards). */
  latest?: number;
  /** Coalesce-key prefix, `card` by default. */
  keyPrefix?: string;
  /** Waits this long before sending, so a burst of changes becomes one PATCH. */
  delayMs?: number;
}

/** Sends, remembers and refreshes live cards, in the caller's transaction (through the outbox). */
export interface LiveCards {
  /** Sends `card` to `to` and remembers it as showing `subject`; returns the outbox row id. */
  send(subject: CardSubject, to: Recipient, card: Card): Promise<number>;
  /**
   * Remembers a card that was clicked (by its Feishu message id) as showing `subject`, so later
   * changes update it too; false when there is no such card of the bot's.
   */
  adopt(subject: CardSubject, messageId: string | undefined): Promise<boolean>;
  /**
   * Updates every remembered card of `subject` that Feishu still lets be updated, each drawn by
   * `render`. A newer update supersedes one of the same card still queued.
   */
  refresh(
    subject: CardSubject,
    render: (card: LiveCard) => Card | Promise<Card>,
    options?: RefreshOptions,
  ): Promise<void>;
  /** Drops the queued, not yet sent updates of one remembered card. */
  supersede(card: Pick<LiveCard, 'id'>, keyPrefix?: string): Promise<void>;
}
