/** Parsed spreadsheets waiting for an admin's 确认导入. */
import type { Kysely } from 'kysely';
import type { ImportStatus } from '../../domain/delivery.ts';
import type { Database } from '../schema.ts';
import { StaleError, updateIfStatus } from './versioned.ts';

export async function savePendingImport(
  db: Kysely<Database>,
  p: { orgId: number; kind: string; fileName: string; payload: unknown; createdBy: string; at: string },
): Promise<number> {
  const r = await db
    .insertInto('pending_imports')
    .values({
      org_id: p.orgId,
      kind: p.kind,
      file_name: p.fileName,
      payload: JSON.stringify(p.payload),
      status: 'pending',
      created_by: p.createdBy,
      created_at: p.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function findPendingImport(db: Kysely<Database>, id: number) {
  return db.selectFrom('pending_imports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Ends a pending import; throws `StaleError` when another click ended it meanwhile. */
export async function setImportStatus(db: Kysely<Database>, id: number, status: Exclude<ImportStatus, 'pending'>) {
  if (!(await updateIfStatus(db, 'pending_imports', id, 'pending', { status }))) {
    throw new StaleError('这次导入已经处理过了。');
  }
}
