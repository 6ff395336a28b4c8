/** The `OutboxWriter` handlers use: turns messages into outbox rows inside the caller's transaction. */
import type { Kysely } from 'kysely';
import type { Card } from '../../core/card.ts';
import type {
  MessageRef,
  OutboxWriter,
  Outgoing,
  OutgoingFile,
  Recipient,
  SendOptions,
  UrgentKind,
} from '../../core/message.ts';
import type { Database } from '../schema.ts';
import { enqueue } from './outbox.ts';

/** Feishu's `msg_type` and `content` string for a message. */
export function encodeMessage(m: Outgoing): { msgType: string; content: string } {
  switch (m.type) {
    case 'text':
      return { msgType: 'text', content: JSON.stringify({ text: m.text }) };
    case 'card':
      return { msgType: 'interactive', content: JSON.stringify(m.card) };
    case 'file':
      return { msgType: 'file', content: JSON.stringify({ file_key: m.fileKey }) };
  }
}

function refFields(ref: MessageRef): { targetId: string | null; refOutboxId: number | null } {
  return 'messageId' in ref
    ? { targetId: ref.messageId, refOutboxId: null }
    : { targetId: null, refOutboxId: ref.outboxId };
}

export function createOutboxWriter(
  db: Kysely<Database>,
  o: { at: string; orgId?: number | null; onEnqueue?: () => void },
): OutboxWriter {
  const orgOf = (opts?: SendOptions) => opts?.orgId ?? o.orgId ?? null;
  const add = async (row: Parameters<typeof enqueue>[1]) => {
    const id = await enqueue(db, row);
    o.onEnqueue?.();
    return id;
  };
  const targetOf = (to: Recipient) =>
    'chatId' in to ? { t: 'chat_id' as const, id: to.chatId } : { t: 'open_id' as const, id: to.openId };
  return {
    async sendFile(to: Recipient, file: OutgoingFile, opts?: SendOptions) {
      const target = targetOf(to);
      const id = await add({
        orgId: orgOf(opts),
        kind: 'file',
        targetType: target.t,
        targetId: target.id,
        msgType: 'file',
        payload: { file_name: file.fileName },
        dedupeKey: opts?.key ?? null,
        at: o.at,
      });
      await db
        .insertInto('outbox_files')
        .values({
          outbox_id: id,
          file_name: file.fileName,
          file_type: file.fileType,
          bytes: file.bytes,
          file_key: null,
        })
        .onConflict((oc) => oc.column('outbox_id').doNothing())
        .execute();
      return id;
    },
    send(to: Recipient, message: Outgoing, opts?: SendOptions) {
      const { msgType, content } = encodeMessage(message);
      const target =
        'chatId' in to ? { t: 'chat_id' as const, id: to.chatId } : { t: 'open_id' as const, id: to.openId };
      return add({
        orgId: orgOf(opts),
        kind: 'send',
        targetType: target.t,
        targetId: target.id,
        msgType,
        payload: { content },
        dedupeKey: opts?.key ?? null,
        at: o.at,
      });
    },
    reply(toMessageId: string, message: Outgoing, opts?: SendOptions) {
      const { msgType, content } = encodeMessage(message);
      return add({
        orgId: orgOf(opts),
        kind: 'reply',
        targetType: 'message_id',
        targetId: toMessageId,
        msgType,
        payload: { content, ...(opts?.chatId ? { chat_id: opts.chatId } : {}) },
        dedupeKey: opts?.key ?? null,
        at: o.at,
      });
    },
    patchCard(target: MessageRef, card: Card, opts?: SendOptions & { coalesceKey?: string; delayMs?: number }) {
      return add({
        orgId: orgOf(opts),
        kind: 'patch',
        targetType: 'message_id',
        ...refFields(target),
        msgType: 'interactive',
        payload: { content: JSON.stringify(card) },
        dedupeKey: opts?.key ?? null,
        coalesceKey: opts?.coalesceKey ?? null,
        at: o.at,
        // A short delay lets a burst of updates to one card coalesce into a single PATCH.
        notBefore: opts?.delayMs ? new Date(Date.parse(o.at) + opts.delayMs).toISOString() : undefined,
      });
    },
    urgent(target: MessageRef, kind: UrgentKind, openIds: string[], opts?: SendOptions) {
      return add({
        orgId: orgOf(opts),
        kind: `urgent_${kind}`,
        targetType: 'message_id',
        ...refFields(target),
        payload: { user_id_list: openIds },
        dedupeKey: opts?.key ?? null,
        at: o.at,
      });
    },
  };
}
