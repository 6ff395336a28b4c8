/**
 * Webhook delivery (docs/feishu-platform.md §3): an event or card callback POSTed to the bot, encrypted and signed
 * when an encrypt key is set, counted as unanswered after the ack timeout.
 */

import { randomBytes } from 'node:crypto';
import { computeSignature, encryptPayload } from '../../feishu/crypto.ts';
import type { Ack, EmulatorOptions } from './types.ts';

/** POSTs an event envelope to the bot's /webhook/event (or /webhook/card); undefined when unanswered. */
export async function postWebhook(o: EmulatorOptions, env: object, card: boolean): Promise<Ack> {
  if (!o.webhookUrl) throw new Error('webhook delivery needs webhookUrl');
  const plain = JSON.stringify(env);
  const body = o.encryptKey ? JSON.stringify({ encrypt: encryptPayload(o.encryptKey, plain) }) : plain;
  const timestamp = String(Math.floor(o.wallClock.now().getTime() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (o.encryptKey) {
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = computeSignature(timestamp, nonce, o.encryptKey, Buffer.from(body));
  }
  try {
    const res = await fetch(`${o.webhookUrl}${card ? '/webhook/card' : '/webhook/event'}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(o.ackTimeoutMs ?? 3000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { code: res.status, body: parsed };
  } catch {
    return undefined;
  }
}
