/**
 * The outbox dispatcher: leases due rows, sends them through the SDK within Feishu's limits, and
 * records the outcome. Retries rate limits, 5xx and network errors with exponential backoff and
 * jitter (waiting for `x-ogw-ratelimit-reset` when given), refreshes the token once on 99991663,
 * never retries permanent errors, and dead-letters a row after `maxAttempts`. Each row carries its
 * own `uuid`, so a send repeated after a crash is dropped by Feishu (1 h window) instead of posted twice.
 *
 * A row is held in memory only while a lane works on it. Writes that record an outcome or hand rows
 * back are tried again while the lease lasts; whatever happens, the row leaves the lane, and if the
 * database could not be told, its lease (never renewed once the row is let go) runs out and frees it.
 *
 * Runs on wall-clock time (not the business clock): backoff must elapse even in the sandbox.
 * Options: dispatcher-options.ts; one row at Feishu's edge (target, call, lane, limits): outbox-rows.ts.
 */
import { claimDue, handBackLeased, markDead, markSent, reschedule } from '../db/repositories/outbox.ts';
import type { OutboxRow } from '../db/schema.ts';
import type { SentMessage } from './client.ts';
import {
  AFTER_STORAGE_FAILURE_MS,
  type DispatcherOptions,
  type Outcome,
  sleep,
  WRITE_RETRY_MS,
} from './dispatcher-options.ts';
import { classifyFailure, type FeishuFailure } from './errors.ts';
import { FEISHU_LIMITS } from './limiter.ts';
import { callFeishu, errText, laneOf, limitsFor, resolveTarget } from './outbox-rows.ts';

export type { DispatcherOptions } from './dispatcher-options.ts';
export type { FeishuSender } from './outbox-rows.ts';

export class OutboxDispatcher {
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly random: () => number;
  /**
   * Rows leased to this process and waiting in a lane or being sent, by id. A row leaves when its lane
   * is done with it, whatever happened (sent, handed back, or a write that failed): none stays here,
   * its lease renewed by `pump`, without a lane working on it.
   */
  private readonly held = new Map<number, OutboxRow>();
  private readonly laneQueues = new Map<string, OutboxRow[]>();
  private readonly readyLanes: string[] = [];
  private readonly lanes = new Set<Promise<void>>();
  /**
   * The app's per-minute allowance is used up until then: nothing is claimed before (every row would
   * be handed straight back, two writes each, over and over, while commits keep waking the loop).
   */
  private pausedUntil = 0;
  /** Counters for /healthz and benchmarks. */
  readonly stats = { sent: 0, retried: 0, dead: 0, rateLimited: 0, wakesWhilePaused: 0 };

  constructor(private readonly o: DispatcherOptions) {
    this.leaseMs = o.leaseMs ?? 15_000;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.batchSize = o.batchSize ?? 50;
    this.concurrency = o.concurrency ?? 8;
    this.pollMs = o.pollMs ?? 500;
    this.random = o.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
  }

  /** Sends what is due now instead of at the next poll (call after a commit that enqueued rows). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    let lastReclaim = 0;
    while (this.running) {
      let claimed = 0;
      const t = this.o.wallClock.now().getTime();
      if (this.o.reclaim && t - lastReclaim > 10_000) {
        lastReclaim = t;
        await this.o.reclaim().catch((err) => this.o.logger.error({ err: errText(err) }, 'reclaiming leases failed'));
      }
      try {
        claimed = await this.pump();
      } catch (err) {
        this.o.logger.error({ err: errText(err) }, 'outbox tick failed');
      }
      if (claimed === 0 && this.running) await this.idle();
    }
    // Let lanes that are sending finish (a hung call is not waited for past the lease: its row
    // stays leased and is sent again after the lease, with the same uuid, by whoever claims it).
    await Promise.race([Promise.allSettled(this.lanes), sleep(this.leaseMs)]);
  }

  /**
   * Leases due rows into per-lane queues and starts lanes up to `concurrency`, without waiting for
   * them: a call that hangs holds up its own lane (one chat, one person or one card), never the rest.
   * Returns how many new rows it queued.
   */
  private async pump(): Promise<number> {
    const room = this.batchSize - this.held.size;
    if (room <= 0) return 0;
    const now = this.o.wallClock.now().getTime();
    if (now < this.pausedUntil) {
      this.stats.wakesWhilePaused++;
      return 0;
    }
    const rows = await claimDue(this.o.db, this.o.dialect, {
      owner: this.o.owner,
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + this.leaseMs).toISOString(),
      limit: room,
    });
    let added = 0;
    for (const row of rows) {
      // A row whose lease ran out while it waits here is already ours: keep the one copy, with the new lease.
      const mine = this.held.get(row.id);
      if (mine) {
        mine.lease_until = row.lease_until;
        continue;
      }
      this.held.set(row.id, row);
      added++;
      const k = laneOf(row);
      const lane = this.laneQueues.get(k);
      if (lane) lane.push(row);
      else {
        this.laneQueues.set(k, [row]);
        this.readyLanes.push(k);
      }
    }
    this.startLanes();
    return added;
  }

  private startLanes(): void {
    while (this.lanes.size < this.concurrency && this.readyLanes.length > 0) {
      const k = this.readyLanes.shift() as string;
      const run: Promise<void> = this.runLane(k).finally(() => {
        this.lanes.delete(run);
        this.startLanes();
        this.wake();
      });
      this.lanes.add(run);
    }
  }

  /**
   * Sends a lane's rows in order; after a retry the rest of the lane waits as long (and goes after it),
   * and so does it when a row's outcome could not be recorded (that row is handed back first).
   * When the dispatcher stops, the row being sent finishes and the rest are handed back at once (their
   * leases released), so shutting down never waits for a long queue to one chat.
   */
  private async runLane(k: string): Promise<void> {
    const queue = this.laneQueues.get(k) ?? [];
    try {
      for (let row = queue.shift(); row; row = queue.shift()) {
        if (!this.running) {
          queue.unshift(row);
          break;
        }
        let wait: number | undefined;
        try {
          const outcome = await this.process(row);
          if (outcome.kind === 'retry' || outcome.kind === 'deferred') wait = outcome.delayMs;
        } catch (err) {
          this.o.logger.error({ outboxId: row.id, err: errText(err) }, 'outbox row failed; handed back');
          wait = AFTER_STORAGE_FAILURE_MS;
          await this.handBack([row], wait);
        } finally {
          this.held.delete(row.id);
        }
        // The rest of the lane goes after this one (rows that join it meanwhile are due: they are sent).
        if (wait !== undefined) await this.handBack(queue.splice(0), wait);
      }
    } finally {
      // Whatever happened, nothing stays held once the lane ends.
      const left = queue.splice(0);
      for (const row of left) this.held.delete(row.id);
      this.laneQueues.delete(k);
      await this.handBack(left, 0);
    }
  }

  private idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }

  /** Leases and processes one batch, waiting for all of it; returns how many rows it leased (for `drain`). */
  async tick(): Promise<number> {
    const now = this.o.wallClock.now().getTime();
    const rows = await claimDue(this.o.db, this.o.dialect, {
      owner: this.o.owner,
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + this.leaseMs).toISOString(),
      limit: this.batchSize,
    });
    if (rows.length === 0) return 0;
    const lanes = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const k = laneOf(row);
      const lane = lanes.get(k);
      if (lane) lane.push(row);
      else lanes.set(k, [row]);
    }
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (let i = 0; i < lane.length; i++) {
          let outcome: Outcome;
          try {
            outcome = await this.process(lane[i] as OutboxRow);
          } catch (err) {
            await this.handBack(lane.slice(i), AFTER_STORAGE_FAILURE_MS);
            throw err;
          }
          if (outcome.kind === 'retry' || outcome.kind === 'deferred') {
            // Keep the lane's order: later rows wait as long as this one (and go after it, by id).
            await this.handBack(lane.slice(i + 1), outcome.delayMs);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return rows.length;
  }

  /** Sends everything due, waiting out rate limits; for tests and the CLI. */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      if ((await this.tick()) === 0) return;
    }
  }

  /**
   * Gives rows back to the table, due again after `delayMs`. They leave this process's hold at once; the
   * write is tried again while their leases last, and when it still fails they are free when those run
   * out (nothing renews a lease of a row no longer held). Never throws.
   */
  private async handBack(rows: readonly OutboxRow[], delayMs: number): Promise<void> {
    for (const row of rows) this.held.delete(row.id);
    if (rows.length === 0) return;
    const at = new Date(this.now() + delayMs).toISOString();
    const leases = rows.map((r) => ({ id: r.id, leaseUntil: r.lease_until }));
    try {
      await this.persist(rows, () => handBackLeased(this.o.db, this.o.owner, leases, at));
    } catch (err) {
      this.o.logger.warn(
        { outboxIds: rows.map((r) => r.id), err: errText(err) },
        'handing outbox rows back failed; they are free when their leases run out',
      );
    }
  }

  /**
   * Runs a write about leased rows, again after a failure (a dropped connection, a lock) while their
   * leases last: each write is whole and sets the same values when repeated. Throws the last error.
   */
  private async persist<T>(rows: readonly OutboxRow[], write: () => Promise<T>): Promise<T> {
    const fallback = this.now() + this.leaseMs;
    const leaseEnd = Math.min(...rows.map((r) => (r.lease_until ? Date.parse(r.lease_until) : fallback)));
    for (let i = 0; ; i++) {
      try {
        return await write();
      } catch (err) {
        const pause = WRITE_RETRY_MS[i];
        if (pause === undefined || this.now() + pause >= leaseEnd) throw err;
        await sleep(pause);
      }
    }
  }

  private now(): number {
    return this.o.wallClock.now().getTime();
  }

  private async process(row: OutboxRow): Promise<Outcome> {
    const target = await resolveTarget(this.o.db, row);
    if (target === 'wait') {
      await this.handBack([row], 500);
      return { kind: 'deferred', delayMs: 500 };
    }
    if (target === 'gone') {
      const error = 'the message it refers to was never sent';
      await this.persist([row], () => markDead(this.o.db, row.id, { attempts: row.attempts, error }));
      this.stats.dead++;
      return { kind: 'dead' };
    }
    // Rate limits: wait briefly in process; longer waits go back to the table.
    const checks = limitsFor(row, target);
    for (;;) {
      const local = this.o.limiter.reserve(checks);
      const wait = local === 0 && this.o.shared ? await this.o.shared.reserve(checks) : local;
      if (wait === 0) break;
      if (wait > 2000) {
        // Only a per-minute limit waits this long, and that one is the app's, shared by every row.
        this.pausedUntil = Math.max(this.pausedUntil, this.o.wallClock.now().getTime() + wait);
        await this.handBack([row], wait);
        return { kind: 'deferred', delayMs: wait };
      }
      await sleep(wait);
    }
    const attempts = row.attempts + 1;
    let sent: SentMessage;
    try {
      sent = await callFeishu(this.o.db, this.o.api, row, target).catch(async (err) => {
        if (classifyFailure(err).cls !== 'token') throw err;
        // feishu: a revoked tenant token stays cached by the SDK (docs/feishu-platform.md §1.3): drop it, retry once.
        this.o.api.invalidateToken();
        return callFeishu(this.o.db, this.o.api, row, target);
      });
    } catch (err) {
      return this.fail(row, attempts, classifyFailure(err));
    }
    // A failure to record the send is the database's, not Feishu's: it throws (the lane hands the row
    // back), instead of counting as a failed attempt that could dead-letter a message that was sent.
    const at = this.o.wallClock.now().toISOString();
    await this.persist([row], () => markSent(this.o.db, row.id, { messageId: sent.messageId || null, at, attempts }));
    this.stats.sent++;
    this.o.onSent?.(row);
    return { kind: 'sent' };
  }

  private async fail(row: OutboxRow, attempts: number, f: FeishuFailure): Promise<Outcome> {
    const log = { outboxId: row.id, kind: row.kind, attempts, code: f.code, status: f.httpStatus, cls: f.cls };
    if (f.cls === 'unreachable' || f.cls === 'permanent' || attempts >= this.maxAttempts) {
      await this.persist([row], () => markDead(this.o.db, row.id, { attempts, error: f.summary }));
      this.stats.dead++;
      this.o.logger.warn({ ...log, error: f.summary }, 'outbox row dead-lettered');
      if (f.cls === 'unreachable') {
        await this.o
          .onUnreachable?.({ ...row, attempts }, f)
          .catch((err) =>
            this.o.logger.error({ outboxId: row.id, err: errText(err) }, 'reporting an unreachable target failed'),
          );
      }
      if (f.refusedUsers?.length) {
        await this.o
          .onUrgentRefused?.({ ...row, attempts }, f.refusedUsers)
          .catch((err) =>
            this.o.logger.error({ outboxId: row.id, err: errText(err) }, 'reporting a refused urgent failed'),
          );
      }
      return { kind: 'dead' };
    }
    let delay: number;
    if (f.cls === 'rate_limited') {
      this.stats.rateLimited++;
      delay = (f.retryAfterMs ?? this.backoff(attempts)) + Math.floor(this.random() * 250);
      const until = this.o.wallClock.now().getTime() + delay;
      this.o.limiter.block('app', FEISHU_LIMITS.appPerSecond, until);
    } else {
      delay = this.backoff(attempts);
    }
    this.stats.retried++;
    this.o.logger.info({ ...log, delayMs: delay }, 'outbox send failed; will retry');
    const at = new Date(this.o.wallClock.now().getTime() + delay).toISOString();
    await this.persist([row], () => reschedule(this.o.db, row.id, { attempts, nextAttemptAt: at, error: f.summary }));
    return { kind: 'retry', delayMs: delay };
  }

  /** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 5 min, each × [0.5, 1). */
  private backoff(attempts: number): number {
    const base = Math.min(300_000, 1000 * 2 ** (attempts - 1));
    return Math.floor(base * (0.5 + this.random() * 0.5));
  }
}
