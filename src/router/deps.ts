/**
 * What the router is built from, and what its parts (messages, card actions, lifecycle events)
 * share: the outcome logged for each event, the fault reference, the handler context.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type {
  BaseContext,
  Conversation,
  EndMembership,
  FeishuDirectory,
  FileHandler,
  Logger,
  RuntimeSettings,
} from '../core/contracts.ts';
import { TransientError } from '../core/errors.ts';
import { type RunTransaction, separateTransactions } from '../db/group-commit.ts';
import type { Database } from '../db/schema.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { buildContext } from './context.ts';
import type { CommandRegistry } from './registry.ts';

export interface RouterDeps {
  db: Kysely<Database>;
  /**
   * How an event's transaction runs (its dedup mark and effects together): the app's group commit
   * (src/db/group-commit.ts); absent, each on its own.
   */
  transaction?: RunTransaction;
  registry: CommandRegistry;
  /** Business time (settable in the sandbox). */
  clock: Clock;
  /** Wall-clock time for the outbox. */
  wallClock: Clock;
  settings: RuntimeSettings;
  logger: Logger;
  directory: FeishuDirectory;
  calendar: () => Promise<WorkCalendar>;
  botOpenId: () => string | undefined;
  /** Called after a transaction that enqueued messages has committed. */
  afterCommit: () => void;
  /** Files sent to the bot in private chats. */
  files?: FileHandler;
  /** Ends the membership of someone who left a bound group (the membership feature, plugged in). */
  endMembership: EndMembership;
  /** Greetings, natural requests and their confirmation cards (src/features/intent, plugged in). */
  conversation?: Conversation;
}

export type Outcome = 'ok' | 'ignored' | 'duplicate' | 'refused' | 'error' | 'postponed';

/** Runs one event's transaction: in the app's group commit when there is one. */
export function inTransaction<T>(d: RouterDeps, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return (d.transaction ?? separateTransactions(d.db))(fn);
}

/** A short reference shown with unexpected errors, found again in the log. */
export function errorRef(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

export const FAULT_TEXT = (ref: string) => `出错了，请稍后再试（编号 ${ref}）。`;

/** The context pieces every handler shares, bound to a transaction (src/router/context.ts). */
export function routerContext(
  d: RouterDeps,
  trx: Kysely<Database>,
  now: Date,
  who: { actor: string; chatId: string | null; orgId: number | null },
  logger: Logger,
  calendar: WorkCalendar,
): BaseContext {
  return buildContext(
    trx,
    { clock: d.clock, now, settings: d.settings, logger, calendar },
    { ...who, wallNow: d.wallClock.now() },
  );
}

/** A Feishu read that kept failing (src/feishu/client.ts), as opposed to a storage fault. */
export function isTransientFeishuRead(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof TransientError) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function stack(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
