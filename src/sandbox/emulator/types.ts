/** The emulator's public option and result types, its two error classes, and what its parts share. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import type { EmuChat, EmuFile, EmuMessage, EmuStore, EmuUser, UrgentRecord } from '../store.ts';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  appId: string;
  appSecret: string;
  tenantKey?: string;
  /** Webhook delivery: encrypt bodies and sign requests with this key. */
  encryptKey?: string;
  /** Put in every event's header.token. */
  verificationToken?: string;
  /** Business time: message times and the 14-day card update window. */
  clock: Clock;
  /** Wall time: rate-limit windows, token expiry, webhook timestamps, ack timeouts. */
  wallClock: Clock;
  /** How events reach the bot. */
  delivery?: 'websocket' | 'webhook';
  /** The bot's base URL for webhook delivery (…/webhook/event, …/webhook/card). */
  webhookUrl?: string;
  /** Unacknowledged events are sent again after this long (Feishu: 15 s, 5 min, 1 h, 6 h). */
  redeliverAfterMs?: number;
  /** How long a webhook POST may take before it counts as unanswered (Feishu: the whole call, 3 s). */
  ackTimeoutMs?: number;
  maxRedeliveries?: number;
  /** Long-connection client config sent at discovery and in pongs (seconds). */
  pingIntervalSec?: number;
  reconnectIntervalSec?: number;
  /** Split event payloads larger than this many bytes into fragments. */
  fragmentBytes?: number;
  enforceRateLimits?: boolean;
  /** In groups the bot only hears messages that @mention it, unless `all`. */
  groupMessages?: 'mentions' | 'all';
  /** The bot's open_id (kept stable across sandbox restarts). */
  botOpenId?: string;
  /** Extra HTTP routes served first (the sandbox console). Return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;
}

export interface EmulatorSnapshot {
  users: EmuUser[];
  chats: EmuChat[];
  messages: EmuMessage[];
  files: (Omit<EmuFile, 'bytes'> & { bytes: string })[];
  urgents: UrgentRecord[];
}

export interface CallbackResult {
  toast?: { type: string; content: string };
  card?: unknown;
  /** The bot did not answer in time, or answered with an error (code 200341 / 200671 …). */
  error?: string;
}

export interface Fault {
  method?: string;
  /** A substring of the path (`/im/v1/messages`). */
  path?: string;
  /** How many matching calls to fail (Infinity for "until cleared"). */
  times: number;
  status: number;
  code: number;
  msg?: string;
  headers?: Record<string, string>;
  /** Answer only after this delay (slow Feishu). */
  delayMs?: number;
  /** Create the message before failing (the answer was lost, not the request). */
  applyFirst?: boolean;
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** A control call that does not make sense (unknown user, not a member …): the console shows it as 400. */
export class EmulatorInputError extends Error {}

/** An Open API call Feishu refuses: the HTTP status, Feishu's code and message, extra headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
  }
}

/** An event's answer from the bot: the HTTP status (webhook) or the ack code (long connection), and its body. */
export type Ack = { code: number; body?: unknown } | undefined;

export interface Stats {
  delivered: number;
  redelivered: number;
  acked: number;
  rateLimited: number;
  connections: number;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  attempts: number;
  acked: boolean;
}

/**
 * What the emulator's parts read from the facade (the `Emulator` itself): options and counters that
 * tests change or read while it runs, the world's store, and its event emitter.
 */
export interface Core {
  readonly o: EmulatorOptions;
  readonly store: EmuStore;
  readonly bot: { openId: string; name: string };
  readonly tenantKey: string;
  readonly stats: Stats;
  readonly deliveries: DeliveryRecord[];
  duplicateNextEvents: number;
  latencyMs: number;
  emit(event: string, ...args: unknown[]): boolean;
}
