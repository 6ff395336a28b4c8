/**
 * `ctx.cards` (src/core/live-cards.ts): sends a card and remembers which subject it shows (cards.ts),
 * adopts a clicked card, and refreshes every remembered card of a subject through the outbox, a
 * newer update superseding one of the same card still queued (coalesce key `card:<id>`).
 */
import type { Kysely } from 'kysely';
import type { CardSubject, LiveCards } from '../../core/live-cards.ts';
import type { OutboxWriter, Recipient } from '../../core/message.ts';
import type { Database, OutboxRow } from '../schema.ts';
import { listLiveCards, registerCard } from './cards.ts';
import { findOutbox, findOutboxByMessageId, supersedePending } from './outbox.ts';

/** Where a sent card went; replies and unknown rows have no recipient. */
function recipientOf(row: OutboxRow | undefined): Recipient | undefined {
  if (!row?.target_id) return undefined;
  if (row.target_type === 'open_id') return { openId: row.target_id };
  if (row.target_type === 'chat_id') return { chatId: row.target_id };
  return undefined;
}

/** Live cards bound to a transaction, its outbox writer and the instant the change happens at. */
export function createLiveCards(db: Kysely<Database>, o: { outbox: OutboxWriter; now: Date }): LiveCards {
  const at = o.now.toISOString();
  const remember = (s: CardSubject, outboxId: number) =>
    registerCard(db, { orgId: s.orgId, kind: s.kind, subjectId: s.id, outboxId, at });
  const supersede: LiveCards['supersede'] = (card, keyPrefix = 'card') =>
    supersedePending(db, `${keyPrefix}:${card.id}`, at);
  return {
    async send(subject, to, card) {
      const outboxId = await o.outbox.send(to, { type: 'card', card }, { orgId: subject.orgId });
      await remember(subject, outboxId);
      return outboxId;
    },
    async adopt(subject, messageId) {
      if (!messageId) return false;
      const row = await findOutboxByMessageId(db, messageId);
      if (!row) return false;
      await remember(subject, row.id);
      return true;
    },
    async refresh(subject, render, opts = {}) {
      const prefix = opts.keyPrefix ?? 'card';
      const live = await listLiveCards(db, subject.kind, subject.id, o.now);
      const cards = opts.latest === undefined ? live : live.slice(-opts.latest);
      for (const c of cards) {
        const sent = await findOutbox(db, c.outbox_id);
        if (opts.answered && sent?.message_id === opts.answered) {
          // The callback answer shows the newest state: an older update still queued must not land after it.
          await supersede(c, prefix);
          continue;
        }
        const card = await render({ id: c.id, outboxId: c.outbox_id, to: recipientOf(sent) });
        await o.outbox.patchCard({ outboxId: c.outbox_id }, card, {
          orgId: subject.orgId,
          coalesceKey: `${prefix}:${c.id}`,
          ...(opts.delayMs ? { delayMs: opts.delayMs } : {}),
        });
      }
    },
    supersede,
  };
}
