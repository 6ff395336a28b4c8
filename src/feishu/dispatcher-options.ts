/** The dispatcher's options, the outcome of one row, and how it waits after a failed write. */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/contracts.ts';
import type { Dialect } from '../db/migrations/helpers.ts';
import type { Database, OutboxRow } from '../db/schema.ts';
import type { FeishuFailure } from './errors.ts';
import type { Limit, RateLimiter } from './limiter.ts';
import type { FeishuSender } from './outbox-rows.ts';

export interface DispatcherOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  api: FeishuSender;
  logger: Logger;
  wallClock: Clock;
  limiter: RateLimiter;
  /** Identifies this process in leases. */
  owner: string;
  leaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  concurrency?: number;
  pollMs?: number;
  random?: () => number;
  /** Called (after the row is dead-lettered) when a chat or person cannot be reached. */
  onUnreachable?: (row: OutboxRow, failure: FeishuFailure) => Promise<void>;
  /** Called (after the row is dead-lettered) when a 加急 reached none of the people on it. */
  onUrgentRefused?: (row: OutboxRow, openIds: string[]) => Promise<void>;
  /** Called after every sent row (the sandbox console refreshes on it). */
  onSent?: (row: OutboxRow) => void;
  /** Limits shared with other replicas (PostgreSQL), checked after the in-process limiter. */
  shared?: { reserve(checks: readonly { key: string; limit: Limit }[]): Promise<number> };
  /** Called every 10 s: frees leases held by processes that died (replicas on one host). */
  reclaim?: () => Promise<void>;
}

/** What happened to a row; `delayMs` is how long a retried or deferred row waits. */
export type Outcome = { kind: 'sent' | 'dead' } | { kind: 'retry' | 'deferred'; delayMs: number };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Pauses between attempts at a write that records a row's outcome or hands rows back: a dropped
 * connection or a busy lock passes in well under a second. Attempts stop before the lease runs out.
 */
export const WRITE_RETRY_MS = [50, 200, 500, 1000, 2000];

/**
 * How long a row waits when its outcome could not be recorded (and the rest of its lane with it). It may
 * have been sent: sent again under the same uuid, Feishu drops the copy.
 */
export const AFTER_STORAGE_FAILURE_MS = 1000;
