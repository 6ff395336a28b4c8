// Migrations and repositories on SQLite and PostgreSQL: every migration applies once, down removes
// every table and up works again; the audit log refuses UPDATE and DELETE (database triggers); event
// dedup and pruning; reminder claims; outbox enqueue idempotency, coalescing of pending card patches,
// leases in claimDue, and retryDead.
import { afterEach, describe, expect, it } from 'vitest';
import { migrateDownAll, migrateToLatest } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { listAudit, recordAudit } from '../../src/db/repositories/audit.ts';
import { claimReminder, isClaimed } from '../../src/db/repositories/claims.ts';
import { markProcessed, pruneProcessed, wasProcessed } from '../../src/db/repositories/events.ts';
import {
  claimDue,
  enqueue,
  findOutbox,
  listOutbox,
  markDead,
  type NewOutbox,
  retryDead,
} from '../../src/db/repositories/outbox.ts';
import { createTestDb, type TestDb, testDialect } from '../helpers/db.ts';

const FOUNDATION_TABLES = [
  'audit_log',
  'chat_bindings',
  'holiday_overrides',
  'job_runs',
  'members',
  'orgs',
  'outbox',
  'processed_events',
  'reminder_claims',
  'unreachable_targets',
];

let h: TestDb | undefined;
afterEach(async () => {
  await h?.drop();
  h = undefined;
});

async function appTables(t: TestDb): Promise<string[]> {
  const tables = await t.db.introspection.getTables();
  return tables
    .filter((x) => (t.schema ? x.schema === t.schema : true))
    .map((x) => x.name)
    .filter((n) => !n.startsWith('kysely_'))
    .sort();
}

describe(`migrations (${testDialect})`, () => {
  it('applies every migration once, rolls everything back and applies again', async () => {
    const all = migrations.map(([name]) => name);
    expect(all[0]).toBe('0001_create_foundation');
    h = await createTestDb({ migrate: false });
    expect(await appTables(h)).toEqual([]);
    expect(await migrateToLatest(h.db, h.dialect)).toEqual(all);
    const tables = await appTables(h);
    expect(tables).toEqual(expect.arrayContaining(FOUNDATION_TABLES));
    expect(await migrateToLatest(h.db, h.dialect)).toEqual([]);

    await migrateDownAll(h.db, h.dialect);
    expect(await appTables(h)).toEqual([]);

    expect(await migrateToLatest(h.db, h.dialect)).toEqual(all);
    expect(await appTables(h)).toEqual(tables);
    // The append-only trigger came back with the table.
    await recordAudit(h.db, audit('bind'));
    await expect(h.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
  });
});

function audit(action: string) {
  return {
    at: '2026-10-08T02:00:00.000Z',
    orgId: null,
    actor: 'ou_secretary',
    chatId: 'oc_branch',
    action,
    subject: 'ou_wang',
    args: { role: '纪检委员' },
    result: 'ok',
    before: { role: 'member' },
    after: { role: 'inspector' },
  };
}

describe(`repositories (${testDialect})`, () => {
  it('keeps the audit log append-only', async () => {
    h = await createTestDb();
    await recordAudit(h.db, audit('role.set'));
    const db = h.db;
    await expect(db.updateTable('audit_log').set({ result: 'forged' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('action', '=', 'role.set').execute()).rejects.toThrow(/append-only/);
    const rows = await listAudit(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'role.set', result: 'ok', actor: 'ou_secretary' });
    expect(JSON.parse(rows[0]?.args ?? 'null')).toEqual({ role: '纪检委员' });
    expect(JSON.parse(rows[0]?.after ?? 'null')).toEqual({ role: 'inspector' });
  });

  it('marks an event processed once and prunes old records', async () => {
    h = await createTestDb();
    expect(await markProcessed(h.db, 'msg:om_1', 'message', '2026-10-01T00:00:00.000Z')).toBe(true);
    expect(await markProcessed(h.db, 'msg:om_1', 'message', '2026-10-01T00:00:05.000Z')).toBe(false);
    expect(await markProcessed(h.db, 'msg:om_2', 'message', '2026-10-07T00:00:00.000Z')).toBe(true);
    expect(await wasProcessed(h.db, 'msg:om_1')).toBe(true);
    expect(await pruneProcessed(h.db, '2026-10-05T00:00:00.000Z')).toBe(1);
    expect(await wasProcessed(h.db, 'msg:om_1')).toBe(false);
    expect(await wasProcessed(h.db, 'msg:om_2')).toBe(true);
    expect(await pruneProcessed(h.db, '2026-10-05T00:00:00.000Z')).toBe(0);
  });

  it('claims a reminder once', async () => {
    h = await createTestDb();
    const k = { job: 'rectify-due', subject: 'item:7', occurrence: '2026-10-08' };
    expect(await isClaimed(h.db, k)).toBe(false);
    expect(await claimReminder(h.db, k, null, '2026-10-08T01:00:00.000Z')).toBe(true);
    expect(await claimReminder(h.db, k, null, '2026-10-08T01:05:00.000Z')).toBe(false);
    expect(await isClaimed(h.db, k)).toBe(true);
    expect(await claimReminder(h.db, { ...k, occurrence: '2026-10-09' }, null, '2026-10-09T01:00:00.000Z')).toBe(true);
  });
});

const T0 = '2026-10-08T02:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

function message(o: Partial<NewOutbox> = {}): NewOutbox {
  return {
    orgId: null,
    kind: 'send',
    targetType: 'chat_id',
    targetId: 'oc_branch',
    msgType: 'text',
    payload: { text: '请于周五前提交整改材料。' },
    at: T0,
    ...o,
  };
}

describe(`outbox (${testDialect})`, () => {
  it('enqueues the same dedupe key once', async () => {
    h = await createTestDb();
    const a = await enqueue(h.db, message({ dedupeKey: 'remind:7:2026-10-08' }));
    const b = await enqueue(h.db, message({ dedupeKey: 'remind:7:2026-10-08', payload: { text: '另一条' } }));
    const c = await enqueue(h.db, message({ dedupeKey: 'remind:7:2026-10-09' }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    const rows = await listOutbox(h.db);
    expect(rows).toHaveLength(2);
    expect(JSON.parse(rows[0]?.payload ?? '{}')).toEqual({ text: '请于周五前提交整改材料。' });
    expect(rows[0]?.uuid.length).toBeLessThanOrEqual(50);
  });

  it('supersedes a pending card patch with a newer one', async () => {
    h = await createTestDb();
    const patch = (text: string, at: string) =>
      message({
        kind: 'patch',
        targetType: 'message_id',
        targetId: 'om_card',
        msgType: 'interactive',
        payload: { text },
        coalesceKey: 'card:om_card',
        at,
      });
    const first = await enqueue(h.db, patch('v1', T0));
    const second = await enqueue(h.db, patch('v2', later(1000)));
    expect((await findOutbox(h.db, first))?.status).toBe('superseded');
    expect((await findOutbox(h.db, second))?.status).toBe('pending');
    const other = await enqueue(h.db, message({ coalesceKey: 'card:om_other', at: later(2000) }));
    expect((await findOutbox(h.db, second))?.status).toBe('pending');
    expect((await findOutbox(h.db, other))?.status).toBe('pending');
  });

  it('does not supersede a patch that is being sent', async () => {
    h = await createTestDb();
    const patch = (at: string) =>
      message({ kind: 'patch', targetType: 'message_id', targetId: 'om_card', coalesceKey: 'card:om_card', at });
    const first = await enqueue(h.db, patch(T0));
    const leased = await claimDue(h.db, h.dialect, { owner: 'w1', now: T0, leaseUntil: later(30_000), limit: 10 });
    expect(leased.map((r) => r.id)).toEqual([first]);
    await enqueue(h.db, patch(later(1000)));
    expect((await findOutbox(h.db, first))?.status).toBe('pending');
  });

  it('leases due rows oldest first, and not again until the lease expires', async () => {
    h = await createTestDb();
    const ids = [
      await enqueue(h.db, message({ targetId: 'oc_a' })),
      await enqueue(h.db, message({ targetId: 'oc_b' })),
      await enqueue(h.db, message({ targetId: 'oc_c' })),
    ];
    const notYet = await enqueue(h.db, message({ targetId: 'oc_later', at: later(60_000) }));

    const first = await claimDue(h.db, h.dialect, {
      owner: 'w1',
      now: later(1000),
      leaseUntil: later(31_000),
      limit: 2,
    });
    expect(first.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.every((r) => r.lease_owner === 'w1' && r.lease_until === later(31_000))).toBe(true);

    const rest = await claimDue(h.db, h.dialect, {
      owner: 'w1',
      now: later(1000),
      leaseUntil: later(31_000),
      limit: 10,
    });
    expect(rest.map((r) => r.id)).toEqual([ids[2]]);

    const second = await claimDue(h.db, h.dialect, {
      owner: 'w2',
      now: later(20_000),
      leaseUntil: later(50_000),
      limit: 10,
    });
    expect(second).toEqual([]);

    const afterExpiry = await claimDue(h.db, h.dialect, {
      owner: 'w2',
      now: later(32_000),
      leaseUntil: later(62_000),
      limit: 10,
    });
    expect(afterExpiry.map((r) => r.id)).toEqual(ids);
    expect(afterExpiry.every((r) => r.lease_owner === 'w2')).toBe(true);
    expect((await findOutbox(h.db, notYet))?.lease_owner).toBeNull();
  });

  it('sends a dead letter again with retryDead', async () => {
    h = await createTestDb();
    const id = await enqueue(h.db, message());
    expect(await retryDead(h.db, id, later(1000))).toBe(false);
    await markDead(h.db, id, { attempts: 5, error: 'code 230099: bad card' });
    expect((await findOutbox(h.db, id))?.status).toBe('dead');
    expect(await retryDead(h.db, id, later(60_000))).toBe(true);
    expect(await findOutbox(h.db, id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      next_attempt_at: later(60_000),
      lease_owner: null,
    });
    expect(await retryDead(h.db, 9999, later(60_000))).toBe(false);
    const due = await claimDue(h.db, h.dialect, {
      owner: 'w1',
      now: later(60_000),
      leaseUntil: later(90_000),
      limit: 5,
    });
    expect(due.map((r) => r.id)).toEqual([id]);
  });
});
