/** Card sizes as Feishu measures them: the request body and the tagged objects. */

import type { El } from './limits.ts';

/** A receive_id as long as a real chat_id, used when the caller does not say whom the card goes to. */
const SAMPLE_RECEIVE_ID = `oc_${'0'.repeat(32)}`;

/**
 * The size Feishu's 30 KB limit applies to: the send request body, in which the card JSON is
 * escaped again as the `content` string. `envelope` is the rest of the body (by default a send to a
 * chat: `receive_id` and `msg_type`); pass `{}` for a PATCH, whose body is only `{content}`.
 */
export function requestBodyBytes(
  card: unknown,
  envelope: Record<string, unknown> = { receive_id: SAMPLE_RECEIVE_ID, msg_type: 'interactive' },
): number {
  const content = typeof card === 'string' ? card : JSON.stringify(card);
  return Buffer.byteLength(JSON.stringify({ ...envelope, content }), 'utf8');
}

/** How many tagged objects a card holds (what the 200-element limit counts). */
export function countElements(card: unknown): number {
  let n = 0;
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (v && typeof v === 'object') {
      if (typeof (v as El).tag === 'string') n++;
      for (const x of Object.values(v as El)) visit(x);
    }
  };
  visit(card);
  return n;
}
