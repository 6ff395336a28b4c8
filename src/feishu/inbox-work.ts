/**
 * What the inbox holds: the kinds of inbound work, their keys and rows, the inbox's options, and the
 * small helpers of the ack budget (src/feishu/inbox.ts).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/contracts.ts';
import type { RunTransaction } from '../db/group-commit.ts';
import type { Database, InboxRow } from '../db/schema.ts';
import type { Router } from '../router/router.ts';
import type { InboundCardAction, InboundChatMembers, InboundMessage } from './events.ts';

export type InboundWork =
  | { kind: 'message'; event: InboundMessage }
  | { kind: 'card_action'; event: InboundCardAction }
  | { kind: 'bot_added'; event: InboundChatMembers }
  | { kind: 'users_added'; event: InboundChatMembers }
  | { kind: 'users_deleted'; event: InboundChatMembers };

/** What the router is asked to do with each kind (a narrow view of Router, so tests can slow it down). */
export type InboxHandler = Pick<
  Router,
  'onMessage' | 'onCardAction' | 'onBotAdded' | 'onUsersAdded' | 'onUsersDeleted' | 'expectsAnswer'
>;

export interface InboxOptions {
  db: Kysely<Database>;
  /** How the work's transactions run (the app's group commit); each on its own when absent. */
  transaction?: RunTransaction;
  /** Where the inbox's insert goes ahead of other work (DbHandle.ingress); `db` when absent. */
  ingressDb?: Kysely<Database>;
  router: InboxHandler;
  logger: Logger;
  /** Wall-clock time for leases and retries. */
  wallClock: Clock;
  /** Identifies this process in leases. */
  owner: string;
  /** Called after a transaction that enqueued messages has committed. */
  afterCommit: () => void;
  /** How long an event may take before it is acknowledged anyway (Feishu allows 3 s in all). */
  budgetMs?: number;
  /** How long a row stays with the process that took it before another may take it. */
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  /**
   * Work in slices between looks at the network (Slices): for SQLite, which answers synchronously.
   * PostgreSQL's driver waits on the network anyway, and the loop reads requests between its answers.
   */
  sliced?: boolean;
  /** Rows the worker runs at once. */
  concurrency?: number;
  /** Acknowledged messages and membership changes worked on at once in this process (256). */
  maxInFlight?: number;
  /** SQLite: one bot per database, so rows held by a run that died are free at start-up. */
  releaseAllAtStart?: boolean;
  /** PostgreSQL replicas: a lease owner that is known to be gone (a dead process on this host). */
  isDeadOwner?: (owner: string) => boolean;
}

export const WORKING_TEXT = '正在处理，请稍候…';
export const WORKING_TOAST = { toast: { type: 'info', content: WORKING_TEXT } };

/** running: the router is at work; answered: it finished in time; late: the ack went out first. */
export type Phase = 'running' | 'answered' | 'late';

export interface Run {
  state: { phase: Phase };
  done: Promise<unknown>;
}

export function inboxKey(work: InboundWork): string {
  if (work.kind === 'message') return `msg:${work.event.messageId}`;
  return `evt:${work.event.eventId}`;
}

/**
 * Which events are worked on one after another: a person's messages and clicks in one chat, in the order
 * received; a chat's membership changes. Different people in a chat go side by side — nobody can act on
 * another's command before the bot has answered it, so what a chat sees stays in cause-and-effect order,
 * and one command waiting (on a locked row, a slow read) holds up only its sender.
 */
export function orderKey(work: InboundWork): string {
  switch (work.kind) {
    case 'message':
      return `${work.event.chatId}:${work.event.senderOpenId}`;
    case 'card_action':
      return `${work.event.chatId ?? ''}:${work.event.operatorOpenId}`;
    default:
      return work.event.chatId;
  }
}

/**
 * Work in slices, so acks are not held by the work they acknowledged. SQLite answers synchronously:
 * an event's work, once started, runs to its end without giving the event loop back, and events started
 * together would all run before the next request is even read — acks would then go out no faster than
 * the work. Here events are worked on one after another for a few milliseconds, then the loop reads the
 * network (arrivals, their inserts and acks) before the next slice. Work that waits on the network (a
 * Feishu read) does not hold the slice: the next event starts meanwhile. Urgent work (a card click or
 * a membership change, whose ack waits for it) goes before the rest, in the order it came — never
 * newest first, which under a stream of clicks left the oldest waiting past the ack's budget.
 */
export class Slices {
  /** Work someone waits on, in the order it came; it goes before the rest. */
  private readonly urgent: (() => Promise<void>)[] = [];
  private readonly queue: (() => Promise<void>)[] = [];
  private scheduled = false;

  /**
   * A slice lasts `minMs`, longer as work queues up (a millisecond more per 8 waiting), up to `maxMs`,
   * measured by `now` (milliseconds; tests pass a clock of their own).
   */
  constructor(
    private readonly o: { minMs: number; maxMs: number; now: () => number } = {
      minMs: 4,
      maxMs: 8,
      now: () => performance.now(),
    },
  ) {}

  run<T>(work: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = () => work().then(resolve, reject);
      (urgent ? this.urgent : this.queue).push(job);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.slice());
  }

  private async slice(): Promise<void> {
    const start = this.o.now();
    const ms = Math.min(this.o.maxMs, this.o.minMs + this.waiting / 8);
    while (this.waiting > 0 && this.o.now() - start < ms) {
      const job = (this.urgent.shift() ?? this.queue.shift()) as () => Promise<void>;
      let tick: NodeJS.Immediate | undefined;
      // Work that only computes and reads the database finishes first; work waiting on the network
      // loses the race to the next turn of the loop and goes on by itself.
      await Promise.race([job(), new Promise<void>((resolve) => (tick = setImmediate(resolve)))]);
      clearImmediate(tick);
    }
    this.scheduled = false;
    if (this.waiting > 0) this.schedule();
  }

  private get waiting(): number {
    return this.urgent.length + this.queue.length;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** The work's outcome, or 'late' when `ms` pass first. */
export async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | { err: unknown } | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), ms);
  });
  try {
    return await Promise.race([
      work.then(
        (value) => ({ value }),
        (err: unknown) => ({ err }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The answer of a card callback that came too late to be the callback's answer. */
export function lateAnswer(
  evt: InboundCardAction,
  body: unknown,
): { card?: unknown; messageId?: string; text?: string; operator: string } | undefined {
  const b = (body ?? {}) as { toast?: { type?: string; content?: string }; card?: { type?: string; data?: unknown } };
  if (b.card?.type === 'raw' && b.card.data && evt.messageId) {
    return { card: b.card.data, messageId: evt.messageId, operator: evt.operatorOpenId };
  }
  // A toast nobody will see: what it said goes to the person privately (not "已处理" notes).
  if (b.toast?.content && b.toast.type !== 'info') return { text: b.toast.content, operator: evt.operatorOpenId };
  return undefined;
}

export function workOf(row: InboxRow): InboundWork | undefined {
  try {
    const event = JSON.parse(row.payload) as never;
    switch (row.kind) {
      case 'message':
      case 'card_action':
      case 'bot_added':
      case 'users_added':
      case 'users_deleted':
        return { kind: row.kind, event } as InboundWork;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

export function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
