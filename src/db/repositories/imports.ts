/** Parsed spreadsheets waiting for an admin's 确认导入. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

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

export async function setImportStatus(db: Kysely<Database>, id: number, status: 'confirmed' | 'cancelled') {
  await db.updateTable('pending_imports').set({ status }).where('id', '=', id).execute();
}
