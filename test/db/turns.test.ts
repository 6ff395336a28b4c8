// SQLite's one connection taken in turns (src/db/connection.ts): in the order asked, except that the
// inbox's insert (DbHandle.ingress) and work done `urgently` go before everything already waiting —
// an ack never queues behind the work it acknowledged. PostgreSQL has a pool (and the ingress its own).
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { urgently } from '../../src/db/connection.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

describe(`turns on the database connection (${testDialect})`, () => {
  it.runIf(testDialect === 'sqlite')(
    'while a transaction holds the connection: the ingress and urgent work go first, the rest in order',
    async () => {
      h = await createTestDb();
      const db = h.db;
      const ingress = h.ingress;
      if (!ingress) throw new Error('a SQLite handle has an ingress view');
      const order: string[] = [];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding = () => {};
      const inside = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const tx = db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        holding();
        await held;
        order.push('transaction');
      });
      await inside;
      const ask = (name: string, on = db) => sql`select 1`.execute(on).then(() => order.push(name));
      const waiting = [
        ask('first'),
        ask('second'),
        ask('ingress', ingress),
        urgently(() => ask('urgent')),
        ask('third'),
      ];
      release();
      await Promise.all([tx, ...waiting]);
      // Both of the first lane before anything else waiting (between the two, whichever asked first).
      expect(order[0]).toBe('transaction');
      expect(order.slice(1, 3).sort()).toEqual(['ingress', 'urgent']);
      expect(order.slice(3)).toEqual(['first', 'second', 'third']);
    },
  );

  it('the ingress writes the same database the rest reads', async () => {
    h = await createTestDb();
    const ingress = h.ingress ?? h.db;
    await ingress
      .insertInto('processed_events')
      .values({ key: 'msg:turns', kind: 'message', received_at: '2026-12-03T01:00:00.000Z' })
      .execute();
    const row = await h.db.selectFrom('processed_events').select('key').where('key', '=', 'msg:turns').execute();
    expect(row).toEqual([{ key: 'msg:turns' }]);
  });
});
