/**
 * The contracts every command, card action and job is written against. A handler gets everything it
 * needs on its context; nothing reads globals, the environment or the system clock.
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, Org } from '../db/schema.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import type { ActionAnswer } from './card.ts';
import type { Clock } from './clock.ts';
import type { OutboxWriter, Outgoing } from './message.ts';
import type { Role } from './roles.ts';

/** The subset of pino's logger the handlers use. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** Settings handlers may read (never secrets). */
export interface RuntimeSettings {
  timezone: string;
  botAdmins: readonly string[];
}

/** Read-only lookups in Feishu. Used outside transactions (see `CommandSpec.prepare`). */
export interface FeishuDirectory {
  getChat(chatId: string): Promise<{ chatId: string; name: string; ownerOpenId: string | undefined } | undefined>;
  listChatMembers(chatId: string): Promise<{ openId: string; name: string }[]>;
  getUserName(openId: string): Promise<string | undefined>;
  /** A file a user sent in a message; refuses (UserError) files larger than `maxBytes`. */
  downloadFile(messageId: string, fileKey: string, maxBytes: number): Promise<Buffer>;
}

/** A file a user sent to the bot. `bytes` is present when the handler asked for it. */
export interface InboundFile {
  messageId: string;
  fileKey: string;
  fileName: string;
  bytes: Buffer | undefined;
}

/** What the bot does with files sent to it in a private chat. */
export interface FileHandler {
  /** Whether the bytes are needed (downloaded before the transaction). */
  wantsBytes(fileName: string): boolean;
  maxBytes: number;
  handle(ctx: CommandContext, file: InboundFile): Promise<Outgoing>;
}

/** What one audit row of a change says; the router adds who, where and when. */
export interface AuditDetail {
  action: string;
  subject?: string;
  before?: unknown;
  after?: unknown;
}

/** Shared by commands, card actions and jobs. `db` is the transaction the effects commit in. */
export interface BaseContext {
  db: Kysely<Database>;
  clock: Clock;
  /** The instant the event is handled at (read once from the clock). */
  now: Date;
  settings: RuntimeSettings;
  logger: Logger;
  outbox: OutboxWriter;
  calendar: WorkCalendar;
  /** Writes an audit row for a change inside this transaction. */
  audit(detail: AuditDetail): Promise<void>;
}

export interface Actor {
  openId: string;
  name: string | undefined;
  /** The actor's role in `org`, when they are a member. */
  role: Role | undefined;
  /** Listed in BOT_ADMINS. */
  isBotAdmin: boolean;
}

export interface ChatRef {
  chatId: string;
  type: 'p2p' | 'group';
}

export interface CommandContext extends BaseContext {
  actor: Actor;
  chat: ChatRef;
  /** The org of this chat (group: the bound org; p2p: the actor's only org). */
  org: Org | undefined;
  message: { messageId: string };
  /** Every registered command (for /help). */
  commands: readonly CommandModule[];
}

export interface ActionContext extends BaseContext {
  actor: Actor;
  chat: ChatRef | undefined;
  org: Org | undefined;
  /** The card that was clicked. */
  card: { messageId: string | undefined };
  commands: readonly CommandModule[];
}

/** A word or an @mention after the command name. `tail` is the raw text from this token on. */
export type ArgToken =
  | { kind: 'word'; text: string; tail: string }
  | { kind: 'mention'; openId: string; name: string; tail: string };

/**
 * Who may run a command or press a card button:
 * - `anyone`: any Feishu user;
 * - `member`: any role in the org;
 * - `admin`: secretary, deputy, inspector or organizer;
 * - a list of roles.
 */
export type RoleRequirement = 'anyone' | 'member' | 'admin' | readonly Role[];

export interface CommandAccess {
  roles: RoleRequirement;
  chat: 'group' | 'p2p' | 'any';
  /** `required`: the command needs an org (a bound group, or a p2p user with one org). */
  org: 'required' | 'optional';
  /** BOT_ADMINS pass the role check without a role in the org (e.g. to appoint a secretary). */
  botAdmins?: boolean;
}

/** Form values of a submitted card form: `name → value | values`. */
export type FormValues = Record<string, unknown>;

export interface ActionSpec<V> {
  /** The button value without its `a` field, parsed before the handler runs. */
  value: z.ZodType<V>;
  roles: RoleRequirement;
  handle(ctx: ActionContext, value: V, form: FormValues): Promise<ActionAnswer>;
}

/** What the router runs: arguments, who may run it, and the handler. */
export interface Runnable<A, P = undefined> {
  /** One Chinese line for /help. */
  summary: string;
  /** Example invocations, shown on argument errors. */
  usage: readonly string[];
  /** Parses the tokens after the command (and subcommand) name; messages are user-facing Chinese. */
  args: z.ZodType<A, ArgToken[]>;
  access: CommandAccess;
  /** Remote reads that must not hold the database transaction (runs first, outside it). */
  prepare?(ctx: PrepareContext, args: A): Promise<P>;
  handle(ctx: CommandContext, args: A, prepared: P): Promise<Outgoing | undefined>;
}

/** A verb of a command (`/整改 新建`), with its own arguments and access. */
export interface SubcommandSpec<A, P = undefined> extends Runnable<A, P> {
  /** ASCII verb (`new`). */
  name: string;
  /** Other spellings (`新建`). */
  aliases: readonly string[];
}

export interface CommandSpec<A, P = undefined> extends Runnable<A, P> {
  /** Canonical ASCII name, equal to the file name. */
  name: string;
  /** Other spellings, Chinese included; matched with or without the slash. */
  aliases: readonly string[];
  /**
   * Verbs: the first argument picks one; without a matching verb the command's own handler runs
   * with all the arguments.
   */
  subcommands?: readonly SubcommandModule[];
  /** Card-button callbacks this command owns, keyed `<command>.<verb>`. */
  actions?: Record<string, ActionSpec<unknown>>;
}

export interface PrepareContext {
  feishu: FeishuDirectory;
  actor: { openId: string };
  chat: ChatRef;
}

/** A command module's default export. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of every argument type
export type CommandModule = CommandSpec<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: the registry holds subcommands of every argument type
export type SubcommandModule = SubcommandSpec<any, any>;

/** Identity helper that lets TypeScript infer the argument types from the schema. */
export function defineCommand<A, P = undefined>(spec: CommandSpec<A, P>): CommandSpec<A, P> {
  return spec;
}

export function defineSubcommand<A, P = undefined>(spec: SubcommandSpec<A, P>): SubcommandModule {
  return spec;
}

export function defineAction<V>(spec: ActionSpec<V>): ActionSpec<unknown> {
  return spec as ActionSpec<unknown>;
}

/** One reminder a job wants to post, claimed once by `(job, subject, occurrence)`. */
export interface Delivery {
  subject: string;
  /** The logical occurrence (a date, a ladder step), never the run's wall time. */
  occurrence: string;
  orgId: number | null;
  /** Writes the delivery's outbox rows (and any state change) in the claim's transaction. */
  deliver(ctx: BaseContext): Promise<void>;
}

export interface JobContext extends Omit<BaseContext, 'outbox' | 'audit'> {
  /** Read-only Feishu lookups, for jobs that compare with Feishu (absent in the command line's `job run`). */
  directory?: FeishuDirectory;
}

export interface JobSpec {
  /** kebab-case, equal to the file name. */
  name: string;
  summary: string;
  /** node-cron expression, read in `BOT_TIMEZONE`. */
  schedule: string;
  /**
   * What is due as of `now`: read-only and deterministic. The runner claims each delivery once
   * and writes it all or nothing (a savepoint each, in batched transactions).
   */
  collect?(ctx: JobContext, now: Date): Promise<Delivery[]>;
  /** For jobs that do upkeep rather than reminders; must also be safe to run twice. */
  run?(ctx: BaseContext, now: Date): Promise<string>;
}

export type JobModule = JobSpec;

export function defineJob(spec: JobSpec): JobSpec {
  return spec;
}
