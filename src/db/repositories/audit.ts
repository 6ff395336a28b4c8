/** The audit log: append-only (no function here updates or deletes, and the database refuses it). */
import type { Kysely } from 'kysely';
import type { AuditRow, Database } from '../schema.ts';

export interface AuditEntry {
  at: string;
  orgId: number | null;
  actor: string;
  chatId: string | null;
  action: string;
  subject?: string | null;
  args?: unknown;
  /** ok | refused:<code> | error */
  result: string;
  before?: unknown;
  after?: unknown;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export async function recordAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: e.at,
      org_id: e.orgId,
      actor: e.actor,
      chat_id: e.chatId,
      action: e.action,
      subject: e.subject ?? null,
      args: json(e.args),
      result: e.result,
      before: json(e.before),
      after: json(e.after),
    })
    .execute();
}

export async function listAudit(
  db: Kysely<Database>,
  filter: { orgId?: number; action?: string; limit?: number } = {},
): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.orgId !== undefined) q = q.where('org_id', '=', filter.orgId);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  return q
    .orderBy('id')
    .limit(filter.limit ?? 1000)
    .execute();
}
