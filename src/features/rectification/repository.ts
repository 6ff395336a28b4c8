/** The rectification ledger: items, their history and evidence, extension requests. */
import type { Kysely } from 'kysely';
import { StaleError, updateIfStatus, updateVersioned } from '../../db/repositories/versioned.ts';
import type {
  Database,
  Evidence,
  ExtensionRequest,
  Rectification,
  RectificationEvent,
  RectificationsTable,
} from '../../db/schema.ts';
import { type ExtensionStatus, OPEN_RECT_STATUSES, type RectStatus, WORKABLE_RECT_STATUSES } from './model.ts';

export type NewRectification = Omit<
  RectificationsTable,
  'id' | 'version' | 'progress' | 'late' | 'submitted_at' | 'closed_at' | 'reviewer_open_id' | 'reviewer_name'
> &
  Partial<Pick<RectificationsTable, 'progress' | 'late'>>;

export async function createRectification(db: Kysely<Database>, v: NewRectification): Promise<Rectification> {
  return db
    .insertInto('rectifications')
    .values({ progress: 0, late: 0, ...v, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findRectification(db: Kysely<Database>, id: number): Promise<Rectification | undefined> {
  return db.selectFrom('rectifications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByImportKey(
  db: Kysely<Database>,
  orgId: number,
  key: string,
): Promise<Rectification | undefined> {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('import_key', '=', key)
    .executeTakeFirst();
}

/**
 * Applies a change to the item as it was read (`before`) and bumps the version; returns the updated
 * row. Throws `StaleError` when the item changed since (versioned.ts).
 */
export async function updateRectification(
  db: Kysely<Database>,
  before: Pick<Rectification, 'id' | 'version'>,
  patch: Partial<Omit<RectificationsTable, 'id' | 'version' | 'org_id'>>,
): Promise<Rectification> {
  return updateVersioned(db, 'rectifications', before, patch);
}

export type RectFilter =
  | { kind: 'all' }
  | { kind: 'open' }
  | { kind: 'mine'; openId: string }
  | { kind: 'overdue'; today: string }
  | { kind: 'review' }
  | { kind: 'batch'; batchId: number }
  | { kind: 'owner'; openId: string };

function filtered(db: Kysely<Database>, orgId: number, filter: RectFilter) {
  let q = db.selectFrom('rectifications').where('org_id', '=', orgId);
  switch (filter.kind) {
    case 'open':
      q = q.where('status', '!=', 'closed');
      break;
    case 'mine':
      q = q.where('owner_open_id', '=', filter.openId).where('status', '!=', 'closed');
      break;
    case 'overdue':
      q = q.where('status', '!=', 'closed').where('deadline', '<', filter.today);
      break;
    case 'review':
      q = q.where('status', '=', 'review');
      break;
    case 'batch':
      q = q.where('batch_id', '=', filter.batchId);
      break;
    case 'owner':
      q = q.where('owner_open_id', '=', filter.openId);
      break;
    case 'all':
      break;
  }
  return q;
}

/**
 * A page of the items the filter selects. With `today` they come as a list reads (issue 14): open
 * items past their deadline first, then the other open ones, 已销号 last; each group by deadline.
 */
export async function listRectifications(
  db: Kysely<Database>,
  orgId: number,
  filter: RectFilter,
  page: { limit: number; offset: number } = { limit: 1000, offset: 0 },
  today?: string,
): Promise<{ items: Rectification[]; total: number }> {
  const q = filtered(db, orgId, filter);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const ordered =
    today === undefined
      ? q.selectAll()
      : q
          .selectAll()
          .orderBy((eb) =>
            eb.case().when('status', '=', 'closed').then(2).when('deadline', '<', today).then(0).else(1).end(),
          );
  const items = await ordered.orderBy('deadline').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return { items, total: Number(total.n) };
}

/** How many of the filter's items stand in each status, and how many of those are open past `today`. */
export async function countRectifications(
  db: Kysely<Database>,
  orgId: number,
  filter: RectFilter,
  today: string,
): Promise<{ status: RectStatus; n: number; late: boolean }[]> {
  const rows = await filtered(db, orgId, filter)
    .select(['status', 'deadline', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['status', 'deadline'])
    .execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n), late: r.status !== 'closed' && r.deadline < today }));
}

/**
 * Open items whose deadline lies in [from, to] (all orgs): the candidates for ladder steps.
 * Uses the (status, deadline) index, so the cost follows the due items, not the ledger's size.
 */
export async function listOpenByDeadline(db: Kysely<Database>, from: string, to: string): Promise<Rectification[]> {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('status', 'in', [...OPEN_RECT_STATUSES])
    .where('deadline', '>=', from)
    .where('deadline', '<=', to)
    .orderBy('id')
    .execute();
}

export async function listOverdueOpen(db: Kysely<Database>, today: string): Promise<Rectification[]> {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('status', 'in', [...WORKABLE_RECT_STATUSES])
    .where('deadline', '<', today)
    .orderBy('org_id')
    .orderBy('owner_name')
    .orderBy('deadline')
    .execute();
}

export async function listInReview(db: Kysely<Database>): Promise<Rectification[]> {
  return db.selectFrom('rectifications').selectAll().where('status', '=', 'review').orderBy('id').execute();
}

export async function listOpenLongTerm(db: Kysely<Database>): Promise<Rectification[]> {
  return db
    .selectFrom('rectifications')
    .selectAll()
    .where('kind', '=', 'long_term')
    .where('status', 'in', [...WORKABLE_RECT_STATUSES])
    .orderBy('id')
    .execute();
}

/** Sets the permanent late mark on open items past their deadline. */
export async function markLate(db: Kysely<Database>, today: string): Promise<number> {
  const r = await db
    .updateTable('rectifications')
    .set({ late: 1 })
    .where('late', '=', 0)
    // Open statuses listed (not `!= 'closed'`), so the (status, deadline) index reads only open items
    // past their deadline instead of every closed one.
    .where('status', 'in', [...OPEN_RECT_STATUSES])
    .where('deadline', '<', today)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function addEvent(db: Kysely<Database>, e: Omit<RectificationEvent, 'id'>): Promise<void> {
  await db.insertInto('rectification_events').values(e).execute();
}

export async function listEvents(db: Kysely<Database>, itemId: number): Promise<RectificationEvent[]> {
  return db.selectFrom('rectification_events').selectAll().where('item_id', '=', itemId).orderBy('id').execute();
}

export async function addEvidence(db: Kysely<Database>, e: Omit<Evidence, 'id'>): Promise<void> {
  await db.insertInto('rectification_evidence').values(e).execute();
}

export async function listEvidence(db: Kysely<Database>, itemId: number): Promise<Evidence[]> {
  return db.selectFrom('rectification_evidence').selectAll().where('item_id', '=', itemId).orderBy('id').execute();
}

export async function listEvidenceFor(db: Kysely<Database>, itemIds: number[]): Promise<Evidence[]> {
  if (itemIds.length === 0) return [];
  return db.selectFrom('rectification_evidence').selectAll().where('item_id', 'in', itemIds).orderBy('id').execute();
}

export async function createExtensionRequest(
  db: Kysely<Database>,
  r: Omit<ExtensionRequest, 'id' | 'status' | 'decided_by' | 'decided_at' | 'note'>,
): Promise<ExtensionRequest> {
  return db
    .insertInto('extension_requests')
    .values({ ...r, status: 'pending', decided_by: null, decided_at: null, note: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findExtensionRequest(db: Kysely<Database>, id: number): Promise<ExtensionRequest | undefined> {
  return db.selectFrom('extension_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPendingExtension(
  db: Kysely<Database>,
  itemId: number,
): Promise<ExtensionRequest | undefined> {
  return db
    .selectFrom('extension_requests')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/** Decides a pending request; throws `StaleError` when it was decided meanwhile. */
export async function decideExtension(
  db: Kysely<Database>,
  id: number,
  d: { status: Exclude<ExtensionStatus, 'pending'>; by: string; at: string; note: string | null },
): Promise<void> {
  const patch = { status: d.status, decided_by: d.by, decided_at: d.at, note: d.note };
  if (!(await updateIfStatus(db, 'extension_requests', id, 'pending', patch))) {
    throw new StaleError('这个延期申请已经处理过了。');
  }
}
