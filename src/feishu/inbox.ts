/**
 * The ack is never held by slow work (docs/feishu-platform.md §0, §2.6, §3, §5). Each event from either transport
 * is written to the durable inbox in one quick insert.
 *   - A message is acknowledged as soon as that insert is durable (inbox-writes.ts: inserts that
 *     arrive together are written together); the router works on it afterwards, in slices between
 *     looks at the network (Slices), in order for each person in each chat (orderKey: one person's
 *     events one after another, everyone else side by side). Should the work outlast the budget
 *     (~2 s), a message that expects an answer gets a "正在处理…" reply through the outbox, then its
 *     answer. A passing fault during the work is
 *     retried from the inbox (with backoff): the event is already safe there, so Feishu need not send
 *     it again. Only a failed insert leaves the event unacknowledged (Feishu sends it again).
 *   - A card callback must be answered with the new card, so it is handled while the budget runs:
 *     done in time, the answer card is the callback's answer; not done, a "正在处理…" toast, and the
 *     late card answer is PATCHed onto the clicked card through the outbox, in the transaction that
 *     marks the row done.
 *   - A membership change (the bot added, people added or gone) is handled while the budget runs too,
 *     then acknowledged: someone added to a group is a member before Feishu delivers their next event,
 *     and someone removed has lost access by then. These are rare; their ack may wait.
 * A worker takes rows nobody finished (a crash after the ack, a passing storage fault) at start-up
 * and every `pollMs`, with backoff. The router's dedup record (same key as the row) keeps every
 * effect exactly-once however often a row is taken. A row keeps its event (who clicked, what the form
 * held) only while pending: marking it done or failed scrubs it (src/db/repositories/inbox.ts). The
 * logs here name the row's key and kind, never the operator or the form.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transaction } from 'kysely';
import type { Card } from '../core/card.ts';
import { urgently } from '../db/connection.ts';
import { isTransientStorageError } from '../db/errors.ts';
import { type RunTransaction, separateTransactions } from '../db/group-commit.ts';
import { wasProcessed } from '../db/repositories/events.ts';
import {
  claimInbox,
  findInbox,
  listDueInbox,
  listInboxLeaseOwners,
  markInboxDone,
  markInboxFailed,
  markInboxLate,
  releaseInboxLeases,
  retryInboxLater,
} from '../db/repositories/inbox.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import type { Database } from '../db/schema.ts';
import type { InboundMessage } from './events.ts';
import {
  errText,
  type InboundWork,
  type InboxOptions,
  inboxKey,
  lateAnswer,
  orderKey,
  type Phase,
  type Run,
  Slices,
  sleep,
  stackOf,
  WORKING_TEXT,
  WORKING_TOAST,
  within,
  workOf,
} from './inbox-work.ts';
import { InboxWrites } from './inbox-writes.ts';

export type { InboundWork, InboxHandler, InboxOptions } from './inbox-work.ts';
export { inboxKey, WORKING_TEXT } from './inbox-work.ts';

/** The inbox row whose event is being worked on (set around the router's work in `execute`). */
const working = new AsyncLocalStorage<{ key: string; marked: boolean }>();

/**
 * The router's transaction runner: the transaction in which an event's work commits also marks its
 * inbox row done, so the work, its dedup record and the row's mark are one commit (issue 17). Only
 * the first transaction of an event that commits marks it; an event whose work wrote nothing is
 * marked afterwards (`execute`). Outside the inbox (tests calling the router) nothing is added.
 */
export function markingDone(run: RunTransaction, now: () => Date): RunTransaction {
  return <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
    // Read here, in the caller's context: the transaction itself may run in the group commit's.
    const row = working.getStore();
    if (!row || row.marked) return run(fn);
    return run(async (trx) => {
      const value = await fn(trx);
      await markInboxDone(trx, row.key, now().toISOString());
      return value;
    }).then((value) => {
      row.marked = true;
      return value;
    });
  };
}

export class Inbox {
  private readonly budgetMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  /** The work, in slices between looks at the network (Slices; SQLite only). */
  private readonly slices: Slices | undefined;
  /** The inbox's inserts, written together while one is under way (group commit). */
  private readonly writes: InboxWrites;
  /** The work's transactions: the app's group commit (src/db/group-commit.ts). */
  private readonly tx: RunTransaction;
  /** Work in progress in this process, by key (a redelivery joins it instead of starting again). */
  private readonly runs = new Map<string, Run>();
  /** The last run of each order key (orderKey) taken by this process: the next one with that key starts after it. */
  private readonly orderTails = new Map<string, Promise<unknown>>();
  /** Acknowledged events worked on at once here; beyond that, rows wait in the table for the worker. */
  private readonly maxInFlight: number;
  /**
   * Rows were left to the worker (too much in flight): later ones wait there too, behind them, until
   * the worker finds nothing due — so a person's messages keep their order under overload as well.
   */
  private backlogged = false;
  private workerRuns = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastReclaim = 0;

  constructor(private readonly o: InboxOptions) {
    this.budgetMs = o.budgetMs ?? 2000;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollMs = o.pollMs ?? 1000;
    this.maxAttempts = o.maxAttempts ?? 8;
    this.concurrency = o.concurrency ?? 4;
    this.maxInFlight = o.maxInFlight ?? 256;
    this.writes = new InboxWrites(o.ingressDb ?? o.db);
    this.slices = o.sliced === false ? undefined : new Slices();
    this.tx = o.transaction ?? separateTransactions(o.db);
  }

  private now(): number {
    return this.o.wallClock.now().getTime();
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /**
   * Records the event; a message is acknowledged then (its work follows), anything else is handled
   * within the budget first. Returns the transport's answer (for a card callback, Feishu's callback
   * body). Throws — so the event is not acknowledged and Feishu sends it again — only when the inbox
   * cannot be written, or a membership change met a passing storage fault in time.
   */
  async receive(work: InboundWork): Promise<unknown> {
    if (work.kind === 'message') return this.receiveAndAck(work);
    const key = inboxKey(work);
    const now = this.now();
    let run = this.runs.get(key);
    if (!run) {
      const added = await this.record(key, work, now, now + this.leaseMs);
      run = this.runs.get(key);
      if (!added && !run) {
        const row = await findInbox(this.o.db, key);
        // Finished: the router sees the redelivery, answers it as a duplicate and logs it so.
        if (row && row.status !== 'pending') return this.dispatch(work);
        // Still pending (a passing fault, or its process died): take it now.
        run = this.begin(key, work, row?.late === 1 ? 'late' : 'running');
      }
      run ??= this.begin(key, work, 'running');
    }
    const r = run;
    const first = await within(r.done, this.budgetMs);
    if (first !== 'late') {
      if ('err' in first) {
        // A click is never sent again by Feishu: the inbox retries it, and its answer goes onto the card.
        if (work.kind === 'card_action' && isTransientStorageError(first.err)) return this.ackLate(key, work, r);
        throw first.err;
      }
      return first.value;
    }
    // The budget ran out: unless the router finished this very moment, acknowledge now.
    if (r.state.phase === 'answered') return r.done;
    return this.ackLate(key, work, r);
  }

  /**
   * A message: acknowledged once its row is written (returns nothing to answer);
   * the work follows in its sender's order. A redelivery of a finished event goes to the router, which
   * answers it as a duplicate; one still pending is left to whoever holds it (or taken here if nobody
   * in this process does).
   */
  private async receiveAndAck(work: Extract<InboundWork, { kind: 'message' }>): Promise<undefined> {
    const key = inboxKey(work);
    const running = this.runs.get(key);
    if (running) return this.afterRun(key, running, work);
    const now = this.now();
    const here = !this.backlogged && this.runs.size < this.maxInFlight;
    if (!here) this.backlogged = true;
    // Not taken here (too much in flight): due at once, for the worker.
    const added = await this.record(key, work, now, here ? now + this.leaseMs : now);
    if (!added) {
      const joined = this.runs.get(key);
      if (joined) return this.afterRun(key, joined, work);
      const row = await findInbox(this.o.db, key);
      if (row && row.status !== 'pending') {
        await this.dispatch(work);
        return undefined;
      }
      // Still pending: taken here only if it is due (nobody holds it); the holder or the worker has it otherwise.
      const lease = { owner: this.o.owner, now: this.iso(now), leaseUntil: this.iso(now + this.leaseMs) };
      if (!here || !(await claimInbox(this.o.db, key, lease)) || this.runs.has(key)) return undefined;
    }
    if (!here) {
      this.wake();
      return undefined;
    }
    this.inOrder(key, work, 'running');
    return undefined;
  }

  /**
   * A redelivery of an event being worked on here: acknowledged now; once that work is done, the
   * router is shown it, and answers it as the duplicate it is (and logs it so).
   */
  private afterRun(key: string, run: Run, work: InboundWork): undefined {
    void run.done
      .then(
        () => undefined,
        () => undefined,
      )
      .then(async () => {
        if ((await findInbox(this.o.db, key))?.status === 'done') await this.dispatch(work);
      })
      .catch((err: unknown) => this.o.logger.warn({ key, err: errText(err) }, 'could not answer a redelivery'));
    return undefined;
  }

  /**
   * Runs the row after the previous run with its order key in this process; while a message still runs when
   * the budget is over, its sender hears "正在处理…" (tellWorking, once).
   */
  private inOrder(key: string, work: InboundWork, phase: Phase): Run {
    const order = orderKey(work);
    const before = this.orderTails.get(order);
    const run = this.begin(key, work, phase, before);
    const tail = run.done.then(
      () => undefined,
      () => undefined,
    );
    this.orderTails.set(order, tail);
    void tail.then(() => {
      if (this.orderTails.get(order) === tail) this.orderTails.delete(order);
    });
    if (phase === 'running') {
      const timer = setTimeout(() => {
        if (run.state.phase !== 'running' || work.kind !== 'message') return;
        run.state.phase = 'late';
        this.tellWorking(key, work.event).then(
          () => this.o.logger.info({ event: work.kind, outcome: 'working_notice' }, 'still working; told the sender'),
          (err: unknown) => this.o.logger.warn({ key, err: errText(err) }, 'could not record a late acknowledgement'),
        );
      }, this.budgetMs);
      timer.unref?.();
      void tail.then(() => clearTimeout(timer));
    }
    return run;
  }

  /**
   * Writes the event's row, held by this process until `leaseUntil`; false when it was there already
   * (a redelivery). Throws, after logging why, when the inbox cannot be written.
   */
  private async record(key: string, work: InboundWork, now: number, leaseUntil: number): Promise<boolean> {
    try {
      return await this.writes.add({
        key,
        kind: work.kind,
        payload: work.event,
        owner: this.o.owner,
        at: this.iso(now),
        leaseUntil: this.iso(leaseUntil),
      });
    } catch (err) {
      this.notRecorded(work, err);
      throw err;
    }
  }

  /** The inbox cannot be written: nothing ran, and the event stays unacknowledged for Feishu to send again. */
  private notRecorded(work: InboundWork, err: unknown): void {
    const what = work.kind === 'message' ? 'command' : work.kind;
    if (isTransientStorageError(err)) {
      // Logged once, as an error: the operator should see that storage fails.
      this.o.logger.error(
        { event: work.kind, err: stackOf(err) },
        `${what} postponed: storage unavailable, waiting for redelivery`,
      );
      return;
    }
    this.o.logger.error(
      { event: work.kind, err: stackOf(err) },
      `${work.kind === 'message' ? 'message' : work.kind} handling failed: the event could not be recorded`,
    );
  }

  private async ackLate(key: string, work: InboundWork, r: Run): Promise<unknown> {
    r.state.phase = 'late';
    try {
      if (work.kind === 'message') await this.tellWorking(key, work.event);
      else await markInboxLate(this.o.db, key);
    } catch (err) {
      this.o.logger.warn({ key, err: errText(err) }, 'could not record a late acknowledgement');
    }
    this.o.logger.info({ event: work.kind, outcome: 'acked_before_done' }, 'acknowledged; work continues');
    return work.kind === 'card_action' ? WORKING_TOAST : undefined;
  }

  /** "正在处理…" as a reply to the message, unless it gets no answer or its answer is already written. */
  private async tellWorking(key: string, msg: InboundMessage): Promise<void> {
    const answered = this.o.router.expectsAnswer(msg);
    const wrote = await this.tx(async (trx) => {
      await markInboxLate(trx, key);
      if (!answered || (await wasProcessed(trx, key))) return false;
      const outbox = createOutboxWriter(trx, { at: this.iso(this.now()) });
      await outbox.reply(
        msg.messageId,
        { type: 'text', text: WORKING_TEXT },
        { chatId: msg.chatId, key: `working:${key}` },
      );
      return true;
    });
    if (wrote) this.o.afterCommit();
  }

  /** Starts the router on a row; the promise settles when the row is done or put back for later. */
  private begin(key: string, work: InboundWork, phase: Phase, after?: Promise<unknown>): Run {
    const state = { phase };
    const started = after ? after.then(() => this.execute(key, work, state)) : this.execute(key, work, state);
    const done = started.finally(() => this.runs.delete(key));
    // The receiver (or the worker) reads the outcome; a rejection seen by nobody is not an error here.
    done.catch(() => undefined);
    const run = { state, done };
    this.runs.set(key, run);
    return run;
  }

  private async execute(key: string, work: InboundWork, state: { phase: Phase }): Promise<unknown> {
    let body: unknown;
    // A click or a membership change whose ack waits for this work goes ahead of acknowledged messages,
    // in the queue of slices and for the database's connection.
    const awaited = state.phase === 'running' && work.kind !== 'message';
    const row = { key, marked: false };
    const dispatch = () => working.run(row, () => this.dispatch(work));
    try {
      const slices = this.slices;
      body = await (slices ? slices.run(() => (awaited ? urgently(dispatch) : dispatch()), awaited) : dispatch());
    } catch (err) {
      const retried = await this.postpone(key, work, err);
      // Acknowledged already, and tried again later: whoever sent the message hears "正在处理…" now.
      if (retried && work.kind === 'message' && state.phase === 'running') {
        state.phase = 'late';
        await this.tellWorking(key, work.event).catch((e: unknown) =>
          this.o.logger.warn({ key, err: errText(e) }, 'could not record a late acknowledgement'),
        );
      }
      throw err;
    }
    if (state.phase === 'running') state.phase = 'answered';
    const at = this.iso(this.now());
    const late = state.phase === 'late' && work.kind === 'card_action' ? lateAnswer(work.event, body) : undefined;
    if (!late) {
      // Marked done with the work's own commit (markingDone) — or here, when the work wrote nothing.
      // The effects are committed (with their dedup record): should this write fail, taking the row
      // again finds them done, so the answer in hand still goes out; the mark is tried again shortly
      // rather than leaving the row to wait for its lease to run out.
      if (!row.marked) await this.markDone(key, at);
      return body;
    }
    await this.tx(async (trx) => {
      const outbox = createOutboxWriter(trx, { at });
      if (late.card && late.messageId) {
        await outbox.patchCard({ messageId: late.messageId }, late.card as Card, { key: `late:${key}` });
      } else if (late.text) {
        await outbox.send({ openId: late.operator }, { type: 'text', text: late.text }, { key: `late:${key}` });
      }
      await markInboxDone(trx, key, at);
    });
    this.o.afterCommit();
    return body;
  }

  private async dispatch(work: InboundWork): Promise<unknown> {
    switch (work.kind) {
      case 'message':
        return this.o.router.onMessage(work.event);
      case 'card_action':
        return this.o.router.onCardAction(work.event);
      case 'bot_added':
        return this.o.router.onBotAdded(work.event);
      case 'users_added':
        return this.o.router.onUsersAdded(work.event);
      case 'users_deleted':
        return this.o.router.onUsersDeleted(work.event);
    }
  }

  /**
   * A failed attempt: tried again later with backoff (up to 5 min apart). A passing storage fault is
   * tried until it passes — the person was told "正在处理…" — anything else is given up after `maxAttempts`.
   * True when the row will be tried again.
   */
  private async postpone(key: string, work: InboundWork, err: unknown): Promise<boolean> {
    const row = await findInbox(this.o.db, key).catch(() => undefined);
    const attempts = row?.attempts ?? 1;
    const now = this.now();
    try {
      if (attempts >= this.maxAttempts && !isTransientStorageError(err)) {
        this.o.logger.error({ key, event: work.kind, attempts, err: errText(err) }, 'inbound event given up');
        await markInboxFailed(this.o.db, key, this.iso(now), errText(err));
        return false;
      }
    } catch (e) {
      this.o.logger.warn({ key, err: errText(e) }, 'could not give up an inbound event');
    }
    // A storage fault passes in moments (a dropped connection, a lock let go): tried again soon, as
    // Feishu's redelivery would, at most 5 s apart. Anything else waits longer, up to 5 minutes.
    const delay = isTransientStorageError(err)
      ? Math.min(5_000, 250 * 2 ** (attempts - 1))
      : Math.min(300_000, 1000 * 2 ** (attempts - 1));
    this.o.logger.warn({ key, event: work.kind, attempts, delayMs: delay }, 'inbound event will be retried');
    try {
      await retryInboxLater(this.o.db, key, this.iso(now + delay), errText(err));
    } catch (e) {
      // The row stays leased to this process (for a minute): it is tried again here, not after the lease.
      this.o.logger.warn({ key, err: errText(e) }, 'could not reschedule an inbound event; retrying it here');
      this.retryHere(key, work, delay);
    }
    return true;
  }

  private async markDone(key: string, at: string, tries = 0): Promise<void> {
    try {
      await this.tx((trx) => markInboxDone(trx, key, at));
    } catch (err) {
      this.o.logger.warn({ key, err: errText(err) }, 'could not mark an inbound event done');
      if (tries >= 5 || this.stopped) return;
      const timer = setTimeout(() => void this.markDone(key, at, tries + 1), 250 * 2 ** tries);
      timer.unref?.();
    }
  }

  private retryHere(key: string, work: InboundWork, delayMs: number): void {
    const timer = setTimeout(() => {
      if (this.stopped || this.runs.has(key)) return;
      this.inOrder(key, work, 'late').done.catch(() => undefined);
    }, delayMs);
    timer.unref?.();
  }

  // ---------------------------------------------------------------- the worker (crash recovery)

  /** Starts the worker: rows left by a run that died are taken at once, then every `pollMs`. */
  async startWorker(): Promise<void> {
    if (this.o.releaseAllAtStart) await releaseInboxLeases(this.o.db, this.iso(this.now()));
    this.schedule(0);
  }

  /** One chain of ticks: a wake-up during a tick makes the next one come at once. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.again = false;
      this.ticking = this.tick()
        .then(
          () => undefined,
          (err: unknown) => this.o.logger.error({ err: errText(err) }, 'inbox tick failed'),
        )
        .finally(() => {
          this.ticking = undefined;
          this.schedule(this.again ? 0 : this.pollMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.ticking) this.again = true;
    else this.schedule(0);
  }

  /** Takes due rows (up to the worker's concurrency) and runs them; returns how many it started. */
  async tick(): Promise<number> {
    const now = this.now();
    if (this.o.isDeadOwner && now - this.lastReclaim > 10_000) {
      this.lastReclaim = now;
      for (const owner of await listInboxLeaseOwners(this.o.db)) {
        if (this.o.isDeadOwner(owner)) await releaseInboxLeases(this.o.db, this.iso(now), owner);
      }
    }
    const room = this.concurrency - this.workerRuns;
    if (room <= 0) return 0;
    let started = 0;
    const due = await listDueInbox(this.o.db, this.iso(now), room + this.runs.size);
    if (due.length === 0) this.backlogged = false;
    for (const row of due) {
      if (started >= room || this.stopped) break;
      if (this.runs.has(row.key)) continue;
      const claimed = await claimInbox(this.o.db, row.key, {
        owner: this.o.owner,
        now: this.iso(now),
        leaseUntil: this.iso(now + this.leaseMs),
      });
      if (!claimed || this.runs.has(row.key)) continue;
      const work = workOf(row);
      if (!work) {
        await markInboxFailed(this.o.db, row.key, this.iso(now), 'the stored event does not parse');
        continue;
      }
      started++;
      this.workerRuns++;
      this.o.logger.info({ key: row.key, event: row.kind, attempts: row.attempts + 1 }, 'resuming an inbound event');
      // Nobody waits for an answer now: a card's answer goes onto the card by PATCH.
      this.inOrder(row.key, work, 'late').done.then(
        () => this.workerFinished(),
        () => this.workerFinished(),
      );
    }
    return started;
  }

  private workerFinished(): void {
    this.workerRuns--;
    // More may be waiting: look again now rather than at the next poll.
    this.wake();
  }

  /** Stops the worker and waits (up to `waitMs`) for work in progress to finish. */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const all = Promise.allSettled([...this.runs.values()].map((r) => r.done));
    await Promise.race([all, sleep(waitMs)]);
  }
}
