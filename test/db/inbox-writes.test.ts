// The inbox's group commit (src/feishu/inbox-writes.ts) on SQLite and PostgreSQL: events that arrive
// while a write is under way go into the next one together; a key already there, or twice in one
// write, is added once; a write that fails fails for every event in it and writes none of them.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewInboxRow } from '../../src/db/repositories/inbox.ts';
import { InboxWrites } from '../../src/feishu/inbox-writes.ts';
import { CountQueries } from '../helpers/count-queries.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

const row = (key: string, payload: unknown = { text: key }): NewInboxRow => ({
  key,
  kind: 'message',
  payload,
  owner: 'test',
  at: '2026-12-03T01:00:00.000Z',
  leaseUntil: '2026-12-03T01:01:00.000Z',
});

const keys = async (db: TestDb) =>
  (await db.db.selectFrom('inbox').select('key').orderBy('key').execute()).map((r) => r.key);

describe(`the inbox's group commit (${testDialect})`, () => {
  it('writes 300 events that arrive together in 3 statements, not 300', async () => {
    h = await createTestDb();
    const count = new CountQueries('InsertQueryNode');
    const writes = new InboxWrites(h.db.withPlugin(count));
    const all = Array.from({ length: 300 }, (_x, i) => `msg:${String(i).padStart(3, '0')}`);
    const added = await Promise.all(all.map((k) => writes.add(row(k))));
    expect(added.every((a) => a === true)).toBe(true);
    // The first alone (nothing was under way), then everyone who came meanwhile, 200 at most at a time.
    expect(count.count).toBe(3);
    expect(await keys(h)).toEqual(all);
  });

  it('adds a key once: a redelivery of a written event, and the same key twice in one write', async () => {
    h = await createTestDb();
    const writes = new InboxWrites(h.db);
    expect(await writes.add(row('msg:a'))).toBe(true);
    const [again, b1, b2] = await Promise.all([
      writes.add(row('msg:a')),
      writes.add(row('msg:b')),
      writes.add(row('msg:b')),
    ]);
    expect([again, b1, b2]).toEqual([false, true, false]);
    expect(await keys(h)).toEqual(['msg:a', 'msg:b']);
  });

  it('a write that fails fails every event in it and writes none; the next write goes on', async () => {
    h = await createTestDb();
    const writes = new InboxWrites(h.db);
    const first = writes.add(row('msg:first'));
    // Written together: one event whose payload cannot be stored takes the others' write down with it.
    const together = [writes.add(row('msg:x')), writes.add(row('msg:bad', { n: 1n })), writes.add(row('msg:y'))];
    expect(await first).toBe(true);
    const outcomes = await Promise.allSettled(together);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await writes.add(row('msg:later'))).toBe(true);
    expect(await keys(h)).toEqual(['msg:first', 'msg:later']);
  });
});
