/**
 * Events to the bot: the envelope Feishu wraps them in, delivery over the configured transport (long
 * connection or webhook), redelivery of unacknowledged events and, on request, duplicates after an ack
 * (Feishu is at-least-once).
 */

import { randomUUID } from 'node:crypto';
import type { EmuMessage, EmuUser } from '../store.ts';
import type { LongConnection } from './long-connection.ts';
import type { Ack, Core } from './types.ts';
import { postWebhook } from './webhook.ts';
import type { World } from './world.ts';

export class Events {
  constructor(
    private readonly core: Core,
    private readonly world: World,
    private readonly longConnection: LongConnection,
  ) {}

  /**
   * Sends an event (or card callback) to the bot over the configured transport and waits for its
   * answer. Events not acknowledged in time are sent again; card callbacks never are.
   */
  async deliver(eventType: string, event: Record<string, unknown>, o: { card?: boolean } = {}): Promise<Ack> {
    const { core } = this;
    const env = this.envelope(eventType, event, o.card ?? false);
    const record = { eventId: env.header.event_id, type: eventType, attempts: 0, acked: false };
    core.deliveries.push(record);
    if (core.deliveries.length > 10_000) core.deliveries.splice(0, 5000);
    const tries = o.card ? 1 : 1 + (core.o.maxRedeliveries ?? 4);
    let result: Ack;
    for (let i = 0; i < tries; i++) {
      // feishu (docs/feishu-platform.md §0): an event the app answered with an error is pushed again later (15 s, 5 min …), never at once
      if (result) await new Promise((r) => setTimeout(r, core.o.redeliverAfterMs ?? 15_000));
      record.attempts++;
      if (i > 0) core.stats.redelivered++;
      core.stats.delivered++;
      result = await this.send(env, o.card ?? false);
      if (result && result.code === 200) break;
    }
    if (result?.code === 200) {
      record.acked = true;
      core.stats.acked++;
      // Feishu is at-least-once even after an ack: deliver the same event again on request.
      const extra = o.card ? 0 : core.duplicateNextEvents;
      core.duplicateNextEvents = 0;
      for (let i = 0; i < extra; i++) {
        record.attempts++;
        core.stats.delivered++;
        await this.send(env, false);
      }
    }
    return result;
  }

  /** `im.message.receive_v1` for a message a user sent. */
  async deliverMessage(msg: EmuMessage, sender: EmuUser): Promise<void> {
    const { world, core } = this;
    const chat = world.requireChat(msg.chatId);
    await this.deliver('im.message.receive_v1', {
      sender: { sender_id: world.userIds(sender.openId), sender_type: 'user', tenant_key: core.tenantKey },
      message: {
        message_id: msg.messageId,
        chat_id: msg.chatId,
        chat_type: chat.type,
        message_type: msg.msgType,
        content: msg.content,
        create_time: String(Date.parse(msg.createdAt)),
        update_time: String(Date.parse(msg.createdAt)),
        mentions: msg.mentions.map((m) => ({
          key: m.key,
          id: world.userIds(m.openId),
          name: m.name,
          tenant_key: core.tenantKey,
        })),
      },
    });
  }

  private send(env: object, card: boolean): Promise<Ack> {
    return this.core.o.delivery === 'webhook' ? postWebhook(this.core.o, env, card) : this.longConnection.push(env);
  }

  private envelope(eventType: string, event: Record<string, unknown>, card: boolean) {
    const { o, tenantKey } = this.core;
    const nowMs = o.clock.now().getTime();
    return {
      schema: '2.0',
      header: {
        event_id: randomUUID().replace(/-/g, ''),
        event_type: eventType,
        // feishu: create_time is ms for IM events, µs for card callbacks (docs/feishu-platform.md §3)
        create_time: card ? `${nowMs}000` : String(nowMs),
        token: o.verificationToken ?? '',
        app_id: o.appId,
        tenant_key: tenantKey,
      },
      event,
    };
  }
}
