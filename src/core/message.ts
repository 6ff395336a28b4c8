import type { Card } from './card.ts';

/** A message the bot sends. User text inside is escaped by whoever builds it (see `src/cards/text.ts`). */
export type Outgoing =
  | { type: 'text'; text: string }
  | { type: 'card'; card: Card }
  | { type: 'file'; fileKey: string };

/** Where a message goes: a chat (group or p2p) or a person's private chat with the bot. */
export type Recipient = { chatId: string } | { openId: string };

/** A message the bot sent or will send: by Feishu id, or by the outbox row that sends it. */
export type MessageRef = { messageId: string } | { outboxId: number };

export type UrgentKind = 'app' | 'sms' | 'phone';

export interface SendOptions {
  /** The org the message belongs to: permanent failures are reported to its admins. */
  orgId?: number;
  /** A stable key: sending the same key twice enqueues one row (idempotent enqueue). */
  key?: string;
  /** For replies: the chat of the message replied to (for per-chat rate limits and ordering). */
  chatId?: string;
}

/**
 * Writes outgoing messages as outbox rows in the caller's transaction. Nothing is sent until the
 * transaction commits; the dispatcher then sends each row once.
 */
export interface OutboxWriter {
  send(to: Recipient, message: Outgoing, options?: SendOptions): Promise<number>;
  reply(toMessageId: string, message: Outgoing, options?: SendOptions): Promise<number>;
  /** Replaces a card the bot sent. Rows with the same `coalesceKey` still pending are superseded. */
  patchCard(
    target: MessageRef,
    card: Card,
    options?: SendOptions & { coalesceKey?: string; delayMs?: number },
  ): Promise<number>;
  urgent(target: MessageRef, kind: UrgentKind, openIds: string[], options?: SendOptions): Promise<number>;
  /** Uploads a file and sends it as a file message (both done by the dispatcher). */
  sendFile(to: Recipient, file: OutgoingFile, options?: SendOptions): Promise<number>;
}

export interface OutgoingFile {
  fileName: string;
  /** Feishu's file_type: xls, doc, pdf, ppt, stream … */
  fileType: string;
  bytes: Buffer;
}
