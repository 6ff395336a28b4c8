// The events' group commit (src/db/group-commit.ts) on SQLite and PostgreSQL: transactions asked for
// while one is under way run in one database transaction, each after the first in its own savepoint; one that throws
// keeps none of its effects and the rest commit; a batch that fails as a whole fails every transaction
// in it and keeps nothing; work someone waits on (urgently) goes first; a batch is bounded in size and time.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { urgently } from '../../src/db/connection.ts';
import { GroupCommit } from '../../src/db/group-commit.ts';
import { markProcessed } from '../../src/db/repositories/events.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

const AT = '2026-12-03T01:00:00.000Z';

const marked = async (db: TestDb) =>
  (await db.db.selectFrom('processed_events').select('key').orderBy('key').execute()).map((r) => r.key);

/** A gate the first transaction waits at, so the others queue up behind it. */
function gate(): { open: () => void; wait: Promise<void> } {
  let open = () => {};
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

/**
 * A first transaction, alone in its batch, held until `open`: what is asked for meanwhile queues up.
 * Resolves once it is under way.
 */
async function holdFirst(commits: GroupCommit): Promise<{ open: () => void; done: Promise<unknown> }> {
  const entered = gate();
  const held = gate();
  const done = commits.run(async () => {
    entered.open();
    await held.wait;
  });
  await entered.wait;
  return { open: held.open, done };
}

describe(`the events' group commit (${testDialect})`, () => {
  it('commits the transactions asked for while one runs together, each with its own result', async () => {
    h = await createTestDb();
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 32, maxMs: 1_000 });
    const entered = gate();
    const g = gate();
    const first = commits.run(async (trx) => {
      entered.open();
      await g.wait;
      return markProcessed(trx, 'evt:first', 'message', AT);
    });
    await entered.wait;
    const keys = Array.from({ length: 40 }, (_x, i) => `evt:${String(i).padStart(2, '0')}`);
    const rest = keys.map((k) => commits.run(async (trx) => ((await markProcessed(trx, k, 'message', AT)) ? k : '')));
    g.open();
    expect(await first).toBe(true);
    expect(await Promise.all(rest)).toEqual(keys);
    // The 40 queued while the first ran: 31 joined its batch (32 at most in one), 9 went into the next.
    expect(commits.stats).toEqual({ batches: 2, committed: 41, largest: 32 });
    expect(await marked(h)).toEqual([...keys, 'evt:first'].sort());
  });

  it('one that throws keeps none of its effects; the others in its batch commit', async () => {
    h = await createTestDb();
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 32, maxMs: 1_000 });
    const g = await holdFirst(commits);
    const a = commits.run((trx) => markProcessed(trx, 'evt:a', 'message', AT));
    const refused = commits.run(async (trx) => {
      await markProcessed(trx, 'evt:refused', 'message', AT);
      throw new Error('the version moved');
    });
    // A statement that fails inside the database (a duplicate key) is rolled back the same way.
    const dup = commits.run(async (trx) => {
      await markProcessed(trx, 'evt:dup', 'message', AT);
      await trx.insertInto('processed_events').values({ key: 'evt:a', kind: 'message', received_at: AT }).execute();
    });
    const b = commits.run((trx) => markProcessed(trx, 'evt:b', 'message', AT));
    g.open();
    await g.done;
    await expect(refused).rejects.toThrow('the version moved');
    await expect(dup).rejects.toThrow();
    expect([await a, await b]).toEqual([true, true]);
    expect(commits.stats).toEqual({ batches: 1, committed: 3, largest: 5 });
    expect(await marked(h)).toEqual(['evt:a', 'evt:b']);
  });

  it('the first of a batch (run without a savepoint) that throws is rolled back alone; those behind it go on', async () => {
    h = await createTestDb();
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 32, maxMs: 1_000 });
    const entered = gate();
    const held = gate();
    const first = commits.run(async (trx) => {
      await markProcessed(trx, 'evt:first', 'message', AT);
      entered.open();
      await held.wait;
      throw new Error('the version moved');
    });
    await entered.wait;
    const a = commits.run((trx) => markProcessed(trx, 'evt:a', 'message', AT));
    const b = commits.run((trx) => markProcessed(trx, 'evt:b', 'message', AT));
    held.open();
    await expect(first).rejects.toThrow('the version moved');
    expect([await a, await b]).toEqual([true, true]);
    expect(commits.stats).toEqual({ batches: 1, committed: 2, largest: 2 });
    expect(await marked(h)).toEqual(['evt:a', 'evt:b']);
  });

  it('a batch that cannot commit fails every transaction in it and keeps nothing; the next batch goes on', async () => {
    h = await createTestDb();
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 3, maxMs: 1_000 });
    const g = await holdFirst(commits);
    const a = commits.run((trx) => markProcessed(trx, 'evt:a', 'message', AT));
    // Ends the transaction under the batch's feet, as a dropped connection or a full disk does.
    const breaker = commits.run(async (trx) => {
      await sql`rollback`.execute(trx);
    });
    const b = commits.run((trx) => markProcessed(trx, 'evt:b', 'message', AT));
    const later = commits.run((trx) => markProcessed(trx, 'evt:later', 'message', AT));
    g.open();
    // The held one, a and the breaker were one batch (3 at most): all fail, a's mark is not kept.
    await expect(g.done).rejects.toThrow();
    await expect(a).rejects.toThrow();
    await expect(breaker).rejects.toThrow();
    expect([await b, await later]).toEqual([true, true]);
    expect(await marked(h)).toEqual(['evt:b', 'evt:later']);
  });

  it('work someone waits on (urgently) runs before ordinary work already queued, in the order asked', async () => {
    h = await createTestDb();
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 1, maxMs: 1_000 });
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(name);
    };
    const g = await holdFirst(commits);
    const all = [
      commits.run(step('plain 1')),
      commits.run(step('plain 2')),
      urgently(() => commits.run(step('click 1'))),
      urgently(() => commits.run(step('click 2'))),
    ];
    g.open();
    await Promise.all([g.done, ...all]);
    expect(order).toEqual(['click 1', 'click 2', 'plain 1', 'plain 2']);
  });

  it('takes no more into a batch once it has run its time (measured by its clock)', async () => {
    h = await createTestDb();
    let t = 0;
    const commits = new GroupCommit(h.db, { lanes: 1, maxBatch: 32, maxMs: 4, now: () => t });
    const g = await holdFirst(commits);
    // Each transaction "takes" 1.5 ms: the held one and three more fit in the first 4 ms (the third ends
    // past them), the other three go into the next batch.
    const rest = Array.from({ length: 6 }, () =>
      commits.run(async () => {
        t += 1.5;
      }),
    );
    g.open();
    await Promise.all([g.done, ...rest]);
    expect(commits.stats).toEqual({ batches: 2, committed: 7, largest: 4 });
  });

  it('runs several batches at once on PostgreSQL lanes, one at a time with one lane', async () => {
    h = await createTestDb();
    const lanes = testDialect === 'postgres' ? 3 : 1;
    const commits = new GroupCommit(h.db, { lanes, maxBatch: 1, maxMs: 1_000 });
    let inside = 0;
    let most = 0;
    // Each waits until `lanes` transactions are under way at once: with fewer lanes than that, none would finish.
    const all = gate();
    const runs = [0, 1, 2].map((i) =>
      commits.run(async (trx) => {
        inside++;
        most = Math.max(most, inside);
        if (inside === lanes) all.open();
        await all.wait;
        await markProcessed(trx, `evt:${i}`, 'message', AT);
        inside--;
      }),
    );
    await Promise.all(runs);
    expect(most).toBe(lanes);
    expect(await marked(h)).toEqual(['evt:0', 'evt:1', 'evt:2']);
  });
});
