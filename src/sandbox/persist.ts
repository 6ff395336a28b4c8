/**
 * Keeps the sandbox's Feishu world (chats, messages, cards, files) and the newest Open API calls (the
 * console's log panel, with their bodies) in the sandbox database, next to the bot's own tables, so a
 * restart shows what the visitor did. A few JSON rows, written shortly after each change.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Emulator, EmulatorSnapshot } from './emulator.ts';
import { API_BODIES_KEPT, type ApiCall } from './store.ts';

interface SandboxTables {
  sandbox_state: { key: string; value: string };
}

// biome-ignore lint/suspicious/noExplicitAny: the sandbox table is not part of the bot's schema
type AnyDb = Kysely<any>;

export interface SandboxMeta {
  botOpenId: string;
  clockOffsetMs: number;
  seeded: boolean;
}

async function ensureTable(db: AnyDb): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS sandbox_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`.execute(db);
}

async function read(db: AnyDb, key: string): Promise<string | undefined> {
  const row = await (db as Kysely<SandboxTables>)
    .selectFrom('sandbox_state')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value;
}

async function write(db: AnyDb, key: string, value: string): Promise<void> {
  await (db as Kysely<SandboxTables>)
    .insertInto('sandbox_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export async function loadSandbox(
  db: Kysely<Database>,
): Promise<{ meta: SandboxMeta | undefined; world: EmulatorSnapshot | undefined; apiLog: ApiCall[] | undefined }> {
  await ensureTable(db as AnyDb);
  const meta = await read(db as AnyDb, 'meta');
  const world = await read(db as AnyDb, 'world');
  const apiLog = await read(db as AnyDb, 'api_log');
  return {
    meta: meta ? (JSON.parse(meta) as SandboxMeta) : undefined,
    world: world ? (JSON.parse(world) as EmulatorSnapshot) : undefined,
    apiLog: apiLog ? (JSON.parse(apiLog) as ApiCall[]) : undefined,
  };
}

export async function saveSandbox(db: Kysely<Database>, meta: SandboxMeta, emu: Emulator): Promise<void> {
  await write(db as AnyDb, 'meta', JSON.stringify(meta));
  await write(db as AnyDb, 'world', JSON.stringify(emu.snapshot()));
  // The newest calls, those that still have their bodies.
  await write(db as AnyDb, 'api_log', JSON.stringify(emu.store.apiLog.slice(-API_BODIES_KEPT)));
}
