// The compare-and-set and row lock every state change goes through (src/db/repositories/versioned.ts),
// on SQLite and PostgreSQL: a write on the version it was read at bumps it by one; a write on an older
// version changes nothing and throws StaleError; a status change happens once; on PostgreSQL a second
// transaction's lock waits for the first and then reads what it committed.
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/db/repositories/orgs.ts';
import { lockRow, StaleError, updateIfStatus, updateVersioned } from '../../src/db/repositories/versioned.ts';
import type { Database } from '../../src/db/schema.ts';
import { createRectification, findRectification } from '../../src/features/rectification/repository.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';
import { until } from '../helpers/wait.ts';

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

async function seed(db: Kysely<Database>) {
  const at = '2026-12-01T02:00:00.000Z';
  const org = await createOrg(db, '第一党支部', at);
  return createRectification(db, {
    org_id: org.id,
    batch_id: null,
    source: '巡察',
    problem: '会议记录不规范',
    measures: '建立模板',
    leader: '李书记',
    owner_open_id: 'ou_owner',
    owner_name: '赵党员',
    deadline: '2026-12-20',
    kind: 'centralized',
    area: '组织建设',
    status: 'review',
    import_key: null,
    created_by: 'ou_sec',
    created_at: at,
    updated_at: at,
  });
}

describe('versioned writes', () => {
  it('bumps the version once on the version read; an older version changes nothing and throws StaleError', async () => {
    h = await createTestDb();
    const item = await seed(h.db);
    const after = await updateVersioned(h.db, 'rectifications', item, { status: 'closed' });
    expect(after).toMatchObject({ status: 'closed', version: item.version + 1 });
    await expect(updateVersioned(h.db, 'rectifications', item, { status: 'returned' })).rejects.toBeInstanceOf(
      StaleError,
    );
    expect(await findRectification(h.db, item.id)).toMatchObject({ status: 'closed', version: item.version + 1 });
    // Locking changes nothing and returns the row as committed.
    expect(await lockRow(h.db, 'rectifications', item.id)).toMatchObject({ version: item.version + 1 });
    expect(await lockRow(h.db, 'rectifications', item.id + 1000)).toBeUndefined();
  });

  it('changes a status once', async () => {
    h = await createTestDb();
    const item = await seed(h.db);
    const req = await h.db
      .insertInto('extension_requests')
      .values({
        item_id: item.id,
        org_id: item.org_id,
        requested_by: 'ou_owner',
        old_deadline: '2026-12-20',
        new_deadline: '2026-12-31',
        reason: '等待批复',
        status: 'pending',
        decided_by: null,
        decided_at: null,
        note: null,
        created_at: item.created_at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await updateIfStatus(h.db, 'extension_requests', req.id, 'pending', { status: 'approved' })).toBe(true);
    expect(await updateIfStatus(h.db, 'extension_requests', req.id, 'pending', { status: 'refused' })).toBe(false);
    expect((await lockRow(h.db, 'extension_requests', req.id))?.status).toBe('approved');
  });

  it.runIf(testDialect === 'postgres')(
    'a second lock waits for the first transaction and reads what it committed (PostgreSQL)',
    async () => {
      h = await createTestDb();
      const item = await seed(h.db);
      const db = h.db;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const first = new Promise<void>((r) => {
        locked = r;
      });
      const t1 = db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, 'rectifications', item.id);
        locked();
        await held;
        await updateVersioned(trx, 'rectifications', row as typeof item, { status: 'closed' });
      });
      await first;
      const order: string[] = [];
      const t2 = db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, 'rectifications', item.id);
        order.push('t2 locked');
        return row;
      });
      // t2 is queued behind t1's row lock (seen from a third connection) before t1 commits.
      await until(
        async () => {
          const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%rectifications%'`.execute(
            db,
          );
          return (r.rows[0]?.n ?? 0) >= 1;
        },
        { what: 't2 waiting for the row lock' },
      );
      order.push('t1 commits');
      release();
      await t1;
      const seen = await t2;
      expect(order).toEqual(['t1 commits', 't2 locked']);
      expect(seen).toMatchObject({ status: 'closed', version: item.version + 1 });
    },
  );
});
