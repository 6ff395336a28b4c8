/**
 * Fixtures shared by the security suite (test/security/): sending a message and collecting the bot's
 * replies once everything it queued has reached the emulator; snapshots of the domain tables (a
 * refusal must change none of them); the answer an access declaration implies, computed with the
 * rules of src/router/access.ts but written out independently; and a scan of what the bot sent for
 * markup that Feishu would act on (@all, links, HTML).
 */
import { type Kysely, sql } from 'kysely';
import type { CommandAccess, RoleRequirement } from '../../src/core/contracts.ts';
import { ADMIN_ROLES, ROLE_LABELS, ROLES, type Role } from '../../src/core/roles.ts';
import type { Database } from '../../src/db/schema.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, isWorkingNotice } from './bot.ts';
import { until } from './wait.ts';

/** The roles, the admin roles and their Chinese titles are the bot's own tables (src/core/roles.ts). */
export type RoleName = Role;
export const ALL_ROLES: readonly RoleName[] = ROLES;
const ADMINS = ADMIN_ROLES;
export const ROLE_TITLE = ROLE_LABELS;

export const MEMBER_REFUSAL = '需要本组织成员身份。请联系书记把您拉入组织的群聊。';
export const WRONG_CHAT_GROUP = '请在组织的群聊中使用此命令。';
export const WRONG_CHAT_P2P = '请在与清风的单聊中使用此命令。';
export const NO_ORG_GROUP = '本群还没有绑定组织。请群主发送 /绑定 组织名 完成绑定。';
export const NO_ORG_P2P = '您还不是任何组织的成员。请在组织群聊中使用，或联系书记把您加入组织。';

/** "书记、副书记或纪检委员" */
function titles(roles: readonly RoleName[]): string {
  const t = roles.map((r) => ROLE_TITLE[r]);
  return t.length <= 1 ? t.join('') : `${t.slice(0, -1).join('、')}或${t[t.length - 1]}`;
}

/** The refusal a role requirement implies for `role` (undefined: the actor holds no role in the org), or undefined when allowed. */
export function roleRefusal(req: RoleRequirement, role: RoleName | undefined): string | undefined {
  if (req === 'anyone') return undefined;
  if (req === 'member') return role ? undefined : MEMBER_REFUSAL;
  const allowed = (req === 'admin' ? ADMINS : req) as readonly RoleName[];
  return role && allowed.includes(role) ? undefined : `需要${titles(allowed)}权限。`;
}

/** The refusal a command's declared access implies in this situation, or undefined when it may run. */
export function accessRefusal(
  access: CommandAccess,
  s: { chat: 'p2p' | 'group'; hasOrg: boolean; role: RoleName | undefined },
): string | undefined {
  if (access.chat === 'group' && s.chat !== 'group') return WRONG_CHAT_GROUP;
  if (access.chat === 'p2p' && s.chat !== 'p2p') return WRONG_CHAT_P2P;
  if (access.org === 'required' && !s.hasOrg) return s.chat === 'group' ? NO_ORG_GROUP : NO_ORG_P2P;
  return roleRefusal(access.roles, s.role);
}

/** Whether a text is one of the router's role refusals (of any command). */
export function isRoleRefusal(text: string): boolean {
  return text === MEMBER_REFUSAL || /^需要[^。\n]+权限。$/.test(text);
}

// ------------------------------------------------------------------ talking to the bot

async function outboxPending(h: BotHarness): Promise<number> {
  const r = await h.db.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The bot has finished with an inbound event: its inbox row is no longer pending (the row is marked
 * done after all of the event's work, its replies written).
 */
async function finished(h: BotHarness, key: string): Promise<boolean> {
  const row = await h.db.db.selectFrom('inbox').select('status').where('key', '=', key).executeTakeFirst();
  return row !== undefined && row.status !== 'pending';
}

/**
 * How long the bot may take to work off what it was sent. The matrix sends more than Feishu's
 * app-wide 1,000 Open API calls a minute (docs/feishu-platform.md), which the emulator enforces: the
 * bot is then answered 429 and waits, as it would in production, for the minute's window to end.
 */
const WORK_OFF_MS = 75_000;

/** Waits until every message the bot queued has been sent (or dead-lettered). */
export async function settle(h: BotHarness, timeoutMs = WORK_OFF_MS): Promise<void> {
  await until(async () => (await outboxPending(h)) === 0, { what: 'the outbox to drain', timeoutMs });
}

export function textOf(m: { msgType: string; content: string }): string {
  if (m.msgType === 'text') return (JSON.parse(m.content) as { text: string }).text;
  return m.content;
}

/**
 * Sends a text as `from` (with @清风 in groups), waits until the bot handled it and sent everything it
 * queued, and returns the bot's replies to it.
 */
export async function say(
  h: BotHarness,
  chatId: string,
  from: EmuUser,
  text: string,
): Promise<{ msg: EmuMessage; replies: EmuMessage[]; texts: string[] }> {
  const chat = h.emu.requireChat(chatId);
  const msg = await h.emu.sendText({ chatId, from: from.openId, text, mentionBot: chat.type === 'group' });
  await until(() => finished(h, `msg:${msg.messageId}`), {
    what: `the bot to handle “${text.slice(0, 60)}”`,
    timeoutMs: WORK_OFF_MS,
    everyMs: 5,
  });
  await settle(h);
  const replies = h.emu.botMessages(chatId).filter((m) => m.parentId === msg.messageId && !isWorkingNotice(m));
  return { msg, replies, texts: replies.map(textOf) };
}

/** Sends a file as `from` and returns the bot's replies once it settled. */
export async function sendFile(
  h: BotHarness,
  chatId: string,
  from: EmuUser,
  fileName: string,
  bytes: Buffer,
): Promise<{ msg: EmuMessage; replies: EmuMessage[]; texts: string[] }> {
  const msg = await h.emu.sendFile({ chatId, from: from.openId, fileName, bytes });
  await until(() => finished(h, `msg:${msg.messageId}`), {
    what: `the bot to handle the file ${fileName.slice(0, 60)}`,
    timeoutMs: 20_000,
    everyMs: 5,
  });
  await settle(h);
  const replies = h.emu.botMessages(chatId).filter((m) => m.parentId === msg.messageId && !isWorkingNotice(m));
  return { msg, replies, texts: replies.map(textOf) };
}

// ------------------------------------------------------------------ cards

/** The card helpers every e2e test uses, under the names this suite reads them by. */
export { type Btn, button as buttonOf, buttons } from './cards.ts';

export function cardTitle(m: { content: string }): string {
  const c = JSON.parse(m.content) as { header?: { title?: { content?: string } } };
  return c.header?.title?.content ?? '';
}

// ------------------------------------------------------------------ domain snapshots

/** Tables holding an org's data, by the column naming the org. */
const ORG_TABLES: [keyof Database, string][] = [
  ['orgs', 'id'],
  ['chat_bindings', 'org_id'],
  ['members', 'org_id'],
  ['inspection_batches', 'org_id'],
  ['batch_milestones', 'org_id'],
  ['rectifications', 'org_id'],
  ['extension_requests', 'org_id'],
  ['pending_imports', 'org_id'],
  ['duty_lists', 'org_id'],
  ['duty_items', 'org_id'],
  ['tasks', 'org_id'],
  ['quarterly_reports', 'org_id'],
  ['calendar_rules', 'org_id'],
  ['sessions', 'org_id'],
];
/** Tables hanging off one of the above: [table, column, parent table]. */
const CHILD_TABLES: [keyof Database, string, keyof Database][] = [
  ['rectification_events', 'item_id', 'rectifications'],
  ['rectification_evidence', 'item_id', 'rectifications'],
  ['duty_owners', 'item_id', 'duty_items'],
  ['task_events', 'task_id', 'tasks'],
  ['task_evidence', 'task_id', 'tasks'],
  ['session_attendees', 'session_id', 'sessions'],
  ['session_files', 'session_id', 'sessions'],
  ['reflections', 'session_id', 'sessions'],
];

export const DOMAIN_TABLES: (keyof Database)[] = [...ORG_TABLES.map(([t]) => t), ...CHILD_TABLES.map(([t]) => t)];

type Snapshot = Record<string, string[]>;

async function rowsOf(db: Kysely<Database>, table: string): Promise<Record<string, unknown>[]> {
  const r = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
  return r.rows;
}

/** Every row of every domain table (or only those of one org), as sorted JSON lines per table. */
export async function domainSnapshot(db: Kysely<Database>, orgId?: number): Promise<Snapshot> {
  const out: Snapshot = {};
  const tables = [...ORG_TABLES.map(([t]) => t), ...CHILD_TABLES.map(([t]) => t)];
  const all = new Map(await Promise.all(tables.map(async (t) => [t, await rowsOf(db, t)] as const)));
  const ids = new Map<string, Set<unknown>>();
  for (const [table, column] of ORG_TABLES) {
    const rows = (all.get(table) ?? []).filter((r) => orgId === undefined || Number(r[column]) === orgId);
    ids.set(table, new Set(rows.map((r) => Number(r.id))));
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  for (const [table, column, parent] of CHILD_TABLES) {
    const keep = ids.get(parent) as Set<unknown>;
    const rows = (all.get(table) ?? []).filter((r) => orgId === undefined || keep.has(Number(r[column])));
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** The domain tables still exist and answer (an injected `DROP TABLE` did nothing). */
export async function tablesAnswer(db: Kysely<Database>): Promise<string[]> {
  const missing: string[] = [];
  for (const t of DOMAIN_TABLES) {
    try {
      await sql`select count(*) from ${sql.table(t)}`.execute(db);
    } catch {
      missing.push(t);
    }
  }
  return missing;
}

// ------------------------------------------------------------------ live markup in what the bot sent

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** Markup probes stored as user text (test/security/injection.test.ts): a mention of an id nobody has… */
export const PROBE_IDS = ['ou_x', 'ou_probe'];
/** …and card markdown (emphasis, a link, a coloured font) that must reach a card escaped. */
export const PROBE_MARKDOWN = ['**粗体**', '[链接](http://x)', '<font color=red>'];

/**
 * Problems in one string Feishu parses as markup (card markdown, or a text message): an `<at>` that
 * is not a real open_id (@all, emails, ids), any other HTML tag than the bot's own `<font>`, or a
 * markdown link. Invisible characters are removed first, as a client might.
 */
export function markupProblems(s: string, where: 'markdown' | 'text'): string[] {
  const t = s.replace(INVISIBLE, '');
  const out: string[] = [];
  for (const m of t.matchAll(/<\s*at\b([^>]*)>/gi)) {
    const attrs = (m[1] as string).trim();
    const ok =
      where === 'markdown' ? /^id=ou_[A-Za-z0-9_-]+$/.test(attrs) : /^user_id="ou_[A-Za-z0-9_-]+"$/.test(attrs);
    if (!ok) out.push(`mention ${m[0]}`);
  }
  for (const m of t.matchAll(/<\s*\/?\s*([a-z][a-z0-9_-]*)[^>]*>?/gi)) {
    const tag = (m[1] as string).toLowerCase();
    if (tag === 'at') continue;
    if (where === 'markdown' && tag === 'font') continue;
    out.push(`tag ${m[0].slice(0, 40)}`);
  }
  if (/\[[^\]\n]*\]\([^)\n]*\)/.test(t)) out.push(`link ${/\[[^\]\n]*\]\([^)\n]*\)/.exec(t)?.[0]}`);
  // Probes the security suite stores as user text: seen raw, they were passed through unescaped.
  for (const m of t.matchAll(/<\s*at\b[^>]*\b(?:user_id|id|ids|email)\s*=\s*["']?([^"'\s>]+)/gi))
    if (PROBE_IDS.includes(m[1] as string)) out.push(`mention of ${m[1]} from stored text`);
  if (where === 'markdown') for (const p of PROBE_MARKDOWN) if (t.includes(p)) out.push(`raw markdown ${p}`);
  // An @all is only live inside an ASCII tag: `＜at user_id="all"＞` (as `plain()` writes it) is inert text.
  if (/<\s*at\b[^>]*(?:id|user_id|ids)\s*=\s*["']?all\b/i.test(t)) out.push('@all');
  return [...new Set(out)];
}

/** Every markdown string of a card (JSON value). */
export function markdownOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string') out.push(o.content);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** Live markup in a message as the bot sent it (`msg_type` + content JSON text). */
export function liveMarkup(m: { msgType: string; content: string }): string[] {
  if (m.msgType === 'text') return markupProblems(textOf(m), 'text');
  if (m.msgType === 'interactive')
    return markdownOf(JSON.parse(m.content)).flatMap((s) => markupProblems(s, 'markdown'));
  return [];
}
