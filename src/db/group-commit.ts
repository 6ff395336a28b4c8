/**
 * Group commit of the events' work (issue 17): transactions asked for while one is under way are run
 * together, one after another in one database transaction, each after the first inside a savepoint of
 * its own, and committed once. A batch takes what is waiting when it starts and what is asked for while it runs,
 * up to `maxBatch` transactions or `maxMs`; a transaction asked for when nothing runs starts at once
 * and nothing ever waits for a batch to fill. Under load the commit (on PostgreSQL a wait for the disk,
 * on SQLite a write of the log) is paid once for many events.
 *
 * Each transaction keeps its own outcome. One that throws (a refusal, a version that moved, a failed
 * statement) is rolled back to its savepoint, keeping none of its effects, and the others go on (the
 * first, which has no savepoint, rolls back the transaction, which holds only its effects); its
 * caller sees its error once the batch is over and may write the refusal in a transaction of its own
 * (the next batch). Should the batch itself fail — its commit, or a rollback to a savepoint after the
 * connection died — every transaction in it fails with that error and none of their effects is kept,
 * as if each had failed alone; the inbox tries each event again (src/feishu/inbox.ts). A caller's
 * promise settles only once the batch is over: "done" is never reported before it is durable.
 *
 * Order: transactions start in the order asked for (a person's events are asked for one after
 * another anyway: src/feishu/inbox-work.ts `orderKey`); urgent ones — work someone waits on, marked
 * with `urgently` — go to the front of the queue.
 */
import type { Kysely, Transaction } from 'kysely';
import { isUrgent, withUrgency } from './connection.ts';
import type { Database } from './schema.ts';

export type RunTransaction = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** Runs each transaction on its own: `db.transaction().execute(fn)`. */
export function separateTransactions(db: Kysely<Database>): RunTransaction {
  return (fn) => db.transaction().execute(fn);
}

interface Job {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  urgent: boolean;
}

export interface GroupCommitOptions {
  /** Batches under way at once (each on a connection of its own): 1 on SQLite, a few on PostgreSQL. */
  lanes: number;
  /** Transactions in one batch at most. */
  maxBatch: number;
  /**
   * No further transaction joins a batch once it has run this long (milliseconds, by `now`): on SQLite
   * a batch holds the one connection, and the inbox's insert — which an ack waits for — waits for it.
   */
  maxMs: number;
  now?: () => number;
}

export interface GroupCommitStats {
  batches: number;
  /** Transactions committed (those that threw are not counted). */
  committed: number;
  largest: number;
}

const SAVEPOINT = 'qf_event';

export class GroupCommit {
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly now: () => number;
  readonly stats: GroupCommitStats = { batches: 0, committed: 0, largest: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly o: GroupCommitOptions,
  ) {
    this.now = o.now ?? (() => performance.now());
  }

  /** As `db.transaction().execute(fn)`, settled once the batch it ran in has committed. */
  readonly run: RunTransaction = <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const job: Job = { fn, resolve: resolve as (v: unknown) => void, reject, urgent: isUrgent() };
      if (job.urgent) {
        // Behind the urgent ones already waiting, before everything else.
        const at = this.queue.findIndex((j) => !j.urgent);
        this.queue.splice(at < 0 ? this.queue.length : at, 0, job);
      } else {
        this.queue.push(job);
      }
      if (this.running < this.o.lanes) {
        this.running++;
        void this.lane();
      }
    });

  /** Runs batches while transactions wait; a lane ends when the queue is empty. */
  private async lane(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // The batch takes its connection with the urgency of the work at its head (SQLite's turns).
        await withUrgency(this.queue[0]?.urgent === true, () => this.batch());
      }
    } finally {
      this.running--;
    }
  }

  private async batch(): Promise<void> {
    const ran: { job: Job; value: unknown }[] = [];
    // Rolled back to their savepoints: told once the batch is over, like everyone in it.
    const refused: { job: Job; err: unknown }[] = [];
    let current: Job | undefined;
    let began = false;
    let trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>> | undefined;
    try {
      trx = await this.db.startTransaction().execute();
      began = true;
      const start = this.now();
      let count = 0;
      while (this.queue.length > 0 && count < this.o.maxBatch && (count === 0 || this.now() - start < this.o.maxMs)) {
        const job = this.queue.shift() as Job;
        current = job;
        count++;
        if (count === 1) {
          // The first runs without a savepoint (two round trips fewer when it runs alone): should it throw,
          // the transaction holds nothing but its effects, and rolling it back ends the batch.
          try {
            ran.push({ job, value: await job.fn(trx) });
          } catch (err) {
            const failed = trx;
            trx = undefined;
            await failed
              .rollback()
              .execute()
              .catch(() => undefined);
            current = undefined;
            job.reject(err);
            return;
          }
          current = undefined;
          continue;
        }
        const sp = await trx.savepoint(SAVEPOINT).execute();
        let value: unknown;
        try {
          value = await job.fn(sp);
        } catch (err) {
          try {
            const back = await sp.rollbackToSavepoint(SAVEPOINT).execute();
            await back.releaseSavepoint(SAVEPOINT).execute();
          } catch {
            // The transaction cannot go on (its connection died, SQLite rolled it back on a full disk):
            // the batch fails with the error that ended it.
            throw err;
          }
          current = undefined;
          refused.push({ job, err });
          continue;
        }
        await sp.releaseSavepoint(SAVEPOINT).execute();
        current = undefined;
        ran.push({ job, value });
      }
      await trx.commit().execute();
      trx = undefined;
      this.stats.batches++;
      this.stats.committed += ran.length;
      this.stats.largest = Math.max(this.stats.largest, count);
      for (const r of ran) r.job.resolve(r.value);
      for (const r of refused) r.job.reject(r.err);
    } catch (err) {
      if (trx)
        await trx
          .rollback()
          .execute()
          .catch(() => undefined);
      current?.reject(err);
      for (const r of ran) r.job.reject(err);
      for (const r of refused) r.job.reject(r.err);
      // A batch that could not even begin fails the one it was for; the rest try in the next.
      if (!began) this.queue.shift()?.reject(err);
    }
  }
}
