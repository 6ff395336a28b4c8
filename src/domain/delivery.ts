/**
 * The lifecycles of the bot's own bookkeeping rows: inbound events (`inbox`), outbound messages
 * (`outbox`) and imports waiting for confirmation (`pending_imports`). Each union is the type of its
 * column in `db/schema.ts`.
 */

/** What an inbox row holds: a message, a card click, or a membership event. */
export const INBOX_KINDS = ['message', 'card_action', 'bot_added', 'users_added', 'users_deleted'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/** `pending` until its work is done (or given up on). */
export const INBOX_STATUSES = ['pending', 'done', 'failed'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** How an outbox row reaches Feishu. */
export const OUTBOX_KINDS = ['send', 'file', 'reply', 'patch', 'urgent_app', 'urgent_sms', 'urgent_phone'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** `pending` until sent; `dead` after its retries; `superseded` by a newer update of the same card. */
export const OUTBOX_STATUSES = ['pending', 'sent', 'dead', 'superseded'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An import shows a preview first and waits to be confirmed or cancelled. */
export const IMPORT_STATUSES = ['pending', 'confirmed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
