/**
 * The live-card loop (`ctx.cards`) on a real database: a card sent and remembered; a refresh before it
 * was sent queues a PATCH that waits for it, and a newer refresh supersedes that queued update; a
 * refresh after it was sent patches its message; a card answered in the callback is left alone (its
 * queued update superseded); a clicked card is adopted and refreshed with the others. And `ctx.today`
 * at the day boundary in Asia/Shanghai.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../src/core/card.ts';
import type { BaseContext } from '../../src/core/contracts.ts';
import type { CardSubject } from '../../src/core/live-cards.ts';
import { createOrg } from '../../src/db/repositories/orgs.ts';
import { markSent } from '../../src/db/repositories/outbox.ts';
import type { OutboxRow } from '../../src/db/schema.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { resolveTarget } from '../../src/feishu/outbox-rows.ts';
import { buildContext, buildReadContext } from '../../src/router/context.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';

const NOW = new Date('2026-12-01T01:30:00Z');
const TZ = 'Asia/Shanghai';

const card = (title: string): Card => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title } },
  body: { elements: [] },
});

let db: TestDb;
let subject: CardSubject;

function contextAt(now: Date): BaseContext {
  return buildContext(
    db.db,
    {
      clock: { now: () => now },
      now,
      settings: { timezone: TZ, botAdmins: [] },
      logger: captureLogs().logger,
      calendar: new WorkCalendar(),
    },
    { orgId: subject.orgId, actor: 'ou_actor', chatId: null, wallNow: now },
  );
}

const rows = () => db.db.selectFrom('outbox').selectAll().orderBy('id').execute();
const titleOf = (row: OutboxRow) =>
  (JSON.parse(JSON.parse(row.payload).content as string) as Card).header?.title.content;
const sent = (id: number, messageId: string) => markSent(db.db, id, { messageId, at: NOW.toISOString(), attempts: 1 });

beforeEach(async () => {
  db = await createTestDb();
  const org = await createOrg(db.db, '第一党支部', NOW.toISOString());
  subject = { kind: 'rect_item', id: 7, orgId: org.id };
});

afterEach(async () => {
  await db.drop();
});

describe('ctx.cards', () => {
  it('sends a card and remembers it; a refresh supersedes a queued update of the same card', async () => {
    const ctx = contextAt(NOW);
    const outboxId = await ctx.cards.send(subject, { openId: 'ou_owner' }, card('v1'));
    expect(await db.db.selectFrom('cards').select(['kind', 'subject_id', 'outbox_id']).execute()).toEqual([
      { kind: 'rect_item', subject_id: 7, outbox_id: outboxId },
    ]);

    const seen: unknown[] = [];
    await ctx.cards.refresh(subject, (c) => {
      seen.push(c.to);
      return card('v2');
    });
    await ctx.cards.refresh(subject, () => card('v3'));
    expect(seen).toEqual([{ openId: 'ou_owner' }]);
    const [send, first, second] = await rows();
    expect(send).toMatchObject({ id: outboxId, kind: 'send', status: 'pending' });
    expect(first).toMatchObject({ kind: 'patch', ref_outbox_id: outboxId, status: 'superseded' });
    expect(second).toMatchObject({ kind: 'patch', ref_outbox_id: outboxId, status: 'pending' });
    expect(titleOf(second as OutboxRow)).toBe('v3');
    // The card is not sent yet: the update waits for it.
    expect(await resolveTarget(db.db, second as OutboxRow)).toBe('wait');
  });

  it('a refresh after the card was sent patches its message', async () => {
    const ctx = contextAt(NOW);
    const outboxId = await ctx.cards.send(subject, { chatId: 'oc_group' }, card('v1'));
    await sent(outboxId, 'om_card');
    await ctx.cards.refresh(subject, () => card('v2'));
    const patch = (await rows()).at(-1) as OutboxRow;
    expect(patch).toMatchObject({ kind: 'patch', ref_outbox_id: outboxId, status: 'pending', coalesce_key: 'card:1' });
    expect(titleOf(patch)).toBe('v2');
    expect(await resolveTarget(db.db, patch)).toBe('om_card');
  });

  it('leaves the card the callback answered alone, superseding its queued update', async () => {
    const ctx = contextAt(NOW);
    const clicked = await ctx.cards.send(subject, { openId: 'ou_owner' }, card('v1'));
    const other = await ctx.cards.send(subject, { openId: 'ou_reviewer' }, card('v1'));
    await sent(clicked, 'om_clicked');
    await sent(other, 'om_other');
    await ctx.cards.refresh(subject, () => card('v2'));
    await ctx.cards.refresh(subject, () => card('v3'), { answered: 'om_clicked' });
    const patches = (await rows()).filter((r) => r.kind === 'patch');
    expect(patches.map((r) => [r.ref_outbox_id, r.status, titleOf(r)])).toEqual([
      [clicked, 'superseded', 'v2'],
      [other, 'superseded', 'v2'],
      [other, 'pending', 'v3'],
    ]);
  });

  it('adopts the clicked card, which later refreshes then update', async () => {
    const ctx = contextAt(NOW);
    // A form card sent without a subject (e.g. a reply), clicked: it now shows the subject.
    const form = await ctx.outbox.reply('om_command', { type: 'card', card: card('form') });
    await sent(form, 'om_form');
    expect(await ctx.cards.adopt(subject, undefined)).toBe(false);
    expect(await ctx.cards.adopt(subject, 'om_unknown')).toBe(false);
    expect(await ctx.cards.adopt(subject, 'om_form')).toBe(true);
    await ctx.cards.refresh(subject, (c) => {
      expect(c).toMatchObject({ outboxId: form, to: undefined });
      return card('v2');
    });
    const patch = (await rows()).at(-1) as OutboxRow;
    expect(patch).toMatchObject({ kind: 'patch', ref_outbox_id: form, status: 'pending' });
    expect(await resolveTarget(db.db, patch)).toBe('om_form');
  });

  it('refreshes only the newest cards when asked, under its own key prefix and delay', async () => {
    const ctx = contextAt(NOW);
    const board = { kind: 'task_board', id: subject.orgId, orgId: subject.orgId };
    for (let i = 0; i < 4; i++) await ctx.cards.send(board, { chatId: `oc_${i}` }, card('board'));
    await ctx.cards.refresh(board, () => card('board 2'), { latest: 3, keyPrefix: 'board', delayMs: 1500 });
    const patches = (await rows()).filter((r) => r.kind === 'patch');
    expect(patches.map((r) => [r.ref_outbox_id, r.coalesce_key, r.next_attempt_at])).toEqual(
      [2, 3, 4].map((id) => [id, `board:${id}`, new Date(NOW.getTime() + 1500).toISOString()]),
    );
  });
});

describe('ctx.today', () => {
  const read = (iso: string) =>
    buildReadContext(db.db, {
      clock: { now: () => new Date(iso) },
      now: new Date(iso),
      settings: { timezone: TZ, botAdmins: [] },
      logger: captureLogs().logger,
      calendar: new WorkCalendar(),
    });

  it('is the local date of ctx.now in the configured timezone, turning at local midnight', () => {
    expect(read('2026-12-01T15:59:59.999Z').today).toBe('2026-12-01');
    expect(read('2026-12-01T16:00:00.000Z').today).toBe('2026-12-02');
    expect(read('2026-12-31T16:00:00.000Z').today).toBe('2027-01-01');
  });

  it('every context built for a transaction has it too', () => {
    expect(contextAt(new Date('2026-11-30T23:59:59+08:00')).today).toBe('2026-11-30');
    expect(contextAt(new Date('2026-12-01T00:00:00+08:00')).today).toBe('2026-12-01');
  });
});
