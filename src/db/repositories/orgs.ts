/** Orgs and the group chats bound to them. */
import type { Kysely } from 'kysely';
import type { Database, Org } from '../schema.ts';

export async function findOrgById(db: Kysely<Database>, id: number): Promise<Org | undefined> {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrgByName(db: Kysely<Database>, name: string): Promise<Org | undefined> {
  return db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findOrgByChat(db: Kysely<Database>, chatId: string): Promise<Org | undefined> {
  return db
    .selectFrom('chat_bindings')
    .innerJoin('orgs', 'orgs.id', 'chat_bindings.org_id')
    .selectAll('orgs')
    .where('chat_bindings.chat_id', '=', chatId)
    .executeTakeFirst();
}

/** Remembers that a chat is a group (once; a chat never changes its type). */
export async function rememberGroupChat(db: Kysely<Database>, chatId: string, at: string): Promise<void> {
  await db
    .insertInto('group_chats')
    .values({ chat_id: chatId, first_seen_at: at })
    .onConflict((oc) => oc.column('chat_id').doNothing())
    .execute();
}

/** Whether a chat is a group: bound to an org, or seen as a group when someone spoke to the bot there. */
export async function isGroupChat(db: Kysely<Database>, chatId: string): Promise<boolean> {
  if (await findOrgByChat(db, chatId)) return true;
  const seen = await db.selectFrom('group_chats').select('chat_id').where('chat_id', '=', chatId).executeTakeFirst();
  return seen !== undefined;
}

export async function createOrg(db: Kysely<Database>, name: string, at: string): Promise<Org> {
  return db
    .insertInto('orgs')
    .values({ name, parent_id: null, settings: '{}', created_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listOrgs(db: Kysely<Database>): Promise<Org[]> {
  return db.selectFrom('orgs').selectAll().orderBy('id').execute();
}

export interface ChatBinding {
  chatId: string;
  orgId: number;
  chatName: string | null;
}

/** Binds (or re-binds) a chat to an org. */
export async function bindChat(
  db: Kysely<Database>,
  b: { chatId: string; orgId: number; chatName: string | null; boundBy: string; at: string },
): Promise<void> {
  await db
    .insertInto('chat_bindings')
    .values({ chat_id: b.chatId, org_id: b.orgId, chat_name: b.chatName, bound_by: b.boundBy, bound_at: b.at })
    .onConflict((oc) =>
      oc.column('chat_id').doUpdateSet({ org_id: b.orgId, chat_name: b.chatName, bound_by: b.boundBy, bound_at: b.at }),
    )
    .execute();
}

export async function unbindChat(db: Kysely<Database>, chatId: string): Promise<void> {
  await db.deleteFrom('chat_bindings').where('chat_id', '=', chatId).execute();
}

/** The group chats of an org, oldest binding first (the first is the org's main group). */
export async function listOrgChats(db: Kysely<Database>, orgId: number): Promise<ChatBinding[]> {
  const rows = await db
    .selectFrom('chat_bindings')
    .select(['chat_id', 'org_id', 'chat_name'])
    .where('org_id', '=', orgId)
    .orderBy('bound_at')
    .orderBy('chat_id')
    .execute();
  return rows.map((r) => ({ chatId: r.chat_id, orgId: r.org_id, chatName: r.chat_name }));
}

export async function findChatBinding(db: Kysely<Database>, chatId: string): Promise<ChatBinding | undefined> {
  const r = await db
    .selectFrom('chat_bindings')
    .select(['chat_id', 'org_id', 'chat_name'])
    .where('chat_id', '=', chatId)
    .executeTakeFirst();
  return r && { chatId: r.chat_id, orgId: r.org_id, chatName: r.chat_name };
}

/** Per-org settings (quiet hours, 加急 switches …), stored as JSON. */
export function orgSettings(org: Pick<Org, 'settings'>): Record<string, unknown> {
  try {
    const v = JSON.parse(org.settings) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function updateOrgSettings(db: Kysely<Database>, orgId: number, settings: Record<string, unknown>) {
  await db
    .updateTable('orgs')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', orgId)
    .execute();
}
