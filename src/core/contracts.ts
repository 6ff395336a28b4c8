/**
 * The contracts every command, card action and job is written against. A handler gets everything it
 * needs on its context; nothing reads globals, the environment or the system clock.
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, Org } from '../db/schema.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import type { ActionAnswer, Card } from './card.ts';
import type { Clock } from './clock.ts';
import type { LiveCards } from './live-cards.ts';
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

/** What every context has, the read-only part (a job's `collect` gets only this). */
export interface ReadContext {
  db: Kysely<Database>;
  clock: Clock;
  /** The instant the event is handled at (read once from the clock). */
  now: Date;
  /** The local date (`YYYY-MM-DD`) of `now` in `settings.timezone`. */
  today: string;
  settings: RuntimeSettings;
  logger: Logger;
  calendar: WorkCalendar;
}

/**
 * Shared by commands, card actions and jobs. `db` is the transaction the effects commit in. Built in
 * one place for every entry point (src/router/context.ts).
 */
export interface BaseContext extends ReadContext {
  outbox: OutboxWriter;
  /** Cards that keep showing a subject: send and remember, adopt the clicked one, refresh after a change. */
  cards: LiveCards;
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

/**
 * Whether a command or card action needs an org. The router refuses `required` ones without an org,
 * so their handlers get a context whose `org` is an `Org`.
 */
export type OrgRequirement = 'required' | 'optional';

/** The type of a context's `org` under a requirement: always there when `required`. */
export type OrgFor<O extends OrgRequirement> = O extends 'required' ? Org : Org | undefined;

/**
 * What a command's handler gets. `CommandContext<'required'>` (the context of a command declared with
 * `org: 'required'`) has an `org`; plain `CommandContext` may not.
 */
export interface CommandContext<O extends OrgRequirement = OrgRequirement> extends BaseContext {
  actor: Actor;
  chat: ChatRef;
  /** The org of this chat (group: the bound org; p2p: the actor's only org). */
  org: OrgFor<O>;
  message: { messageId: string };
  /** Every registered command (for /help). */
  commands: readonly CommandModule[];
}

/** What a card action's handler gets; `ActionContext<'required'>` has an `org`. */
export interface ActionContext<O extends OrgRequirement = OrgRequirement> extends BaseContext {
  actor: Actor;
  chat: ChatRef | undefined;
  org: OrgFor<O>;
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

export interface CommandAccess<O extends OrgRequirement = OrgRequirement> {
  roles: RoleRequirement;
  chat: 'group' | 'p2p' | 'any';
  /**
   * `required`: the command needs an org (a bound group, or a p2p user with one org); its handler's
   * `ctx.org` is then typed `Org`.
   */
  org: O;
  /** BOT_ADMINS pass the role check without a role in the org (e.g. to appoint a secretary). */
  botAdmins?: boolean;
}

/** Form values of a submitted card form: `name → value | values`. */
export type FormValues = Record<string, unknown>;

export interface ActionSpec<V, O extends OrgRequirement = OrgRequirement> {
  /** The button value without its `a` field, parsed before the handler runs. */
  value: z.ZodType<V>;
  roles: RoleRequirement;
  /**
   * `required`: the action needs an org (refused without one, after the role check); its handler's
   * `ctx.org` is then typed `Org`. Default `optional`.
   */
  org?: O;
  /** The router's audit row names no actor (an anonymous opinion): the click is recorded as `anonymous`. */
  anonymous?: boolean;
  handle(ctx: ActionContext<O>, value: V, form: FormValues): Promise<ActionAnswer>;
}

/** What the router runs: arguments, who may run it, and the handler. */
export interface Runnable<A, P = undefined, O extends OrgRequirement = OrgRequirement> {
  /** One Chinese line for /help. */
  summary: string;
  /** Example invocations, shown on argument errors. */
  usage: readonly string[];
  /** Parses the tokens after the command (and subcommand) name; messages are user-facing Chinese. */
  args: z.ZodType<A, ArgToken[]>;
  access: CommandAccess<O>;
  /** Remote reads that must not hold the database transaction (runs first, outside it). */
  prepare?(ctx: PrepareContext, args: A): Promise<P>;
  handle(ctx: CommandContext<O>, args: A, prepared: P): Promise<Outgoing | undefined>;
}

/** A verb of a command (`/整改 新建`), with its own arguments and access. */
export interface SubcommandSpec<A, P = undefined, O extends OrgRequirement = OrgRequirement> extends Runnable<A, P, O> {
  /** ASCII verb (`new`). */
  name: string;
  /** Other spellings (`新建`). */
  aliases: readonly string[];
}

export interface CommandSpec<A, P = undefined, O extends OrgRequirement = OrgRequirement> extends Runnable<A, P, O> {
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
  actions?: Record<string, ActionModule>;
}

export interface PrepareContext {
  feishu: FeishuDirectory;
  actor: { openId: string };
  chat: ChatRef;
}

/** A command module's default export. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of every argument type
export type CommandModule = CommandSpec<any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: the registry holds subcommands of every argument type
export type SubcommandModule = SubcommandSpec<any, any, any>;
/** A registered card action: the router parses its value and passes whatever context it resolved. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds actions of every org requirement
export type ActionModule = ActionSpec<unknown, any>;

/**
 * Identity helper that lets TypeScript infer the argument types from the schema, and the handler's
 * context from `access.org` (`required`: `ctx.org` is an `Org`).
 */
export function defineCommand<A, P = undefined, O extends OrgRequirement = OrgRequirement>(
  spec: CommandSpec<A, P, O>,
): CommandSpec<A, P, O> {
  return spec;
}

/** As `defineCommand`, for a verb. */
export function defineSubcommand<A, P = undefined, O extends OrgRequirement = OrgRequirement>(
  spec: SubcommandSpec<A, P, O>,
): SubcommandModule {
  return spec;
}

/** Identity helper for a card action: infers the value type, and narrows `ctx.org` when `org: 'required'`. */
export function defineAction<V, O extends OrgRequirement = 'optional'>(spec: ActionSpec<V, O>): ActionModule {
  return spec;
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

export interface JobContext extends ReadContext {
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

/** Someone acting in an org (or in none yet): a command, a card action, an import, the CLI. */
export type ActingContext = BaseContext & { actor: Actor; org: Org | undefined };

/** How a membership ended: the member-deleted event, or the reconciliation of the chat's members. */
export type LeaveVia = 'event' | 'reconcile';

/**
 * Ends a membership (the membership feature, src/features/membership): plugged into the router by the
 * composition root, so the router's member-deleted handling needs no feature. False when no member.
 */
export type EndMembership = (
  ctx: BaseContext,
  o: { orgId: number; openId: string; at: string; actor: string; chatId: string | null; via: LeaveVia },
) => Promise<boolean>;

/** A feature's answer to "attach this file to what?": options for the attach form (value `r:12`, `s:3` …). */
export type AttachTargets = (
  ctx: BaseContext & { actor: Actor },
  org: Org,
) => Promise<{ text: string; value: string }[]>;

/** A message that is no command, as the router hands it to the conversation (src/features/intent). */
export interface Said {
  /** The text with the bot's mention taken out (other mentions as `@name`); empty for a sticker. */
  text: string;
  /** `sticker` for a sticker message; `text` otherwise. */
  kind: 'text' | 'sticker';
  /** Typed with a leading slash: an unknown command rather than a sentence. */
  explicit: boolean;
  /** The first word as a command name (normalised), when there is one. */
  word: string | undefined;
  /** The nearest command (or command and verb, "整改 列表") to a mistyped word, to suggest. */
  near: string | undefined;
}

/** A click on one of the conversation's buttons: run a command line as its clicker, cancel, or refuse. */
export type ConversationClick =
  | { run: readonly string[]; once?: string; after?: Card; toast: string }
  | { answer: ActionAnswer };

/**
 * What the bot says to messages that are no command — greetings, natural requests (answered with a
 * confirmation card), anything else — and what its buttons do. Plugged into the router by the
 * composition root; a click runs the command line through the same path as typing it.
 */
export interface Conversation {
  /** The action id of its buttons (确认, 取消, quick buttons); the router hands those clicks here. */
  readonly actionId: string;
  answer(ctx: CommandContext, said: Said): Promise<Outgoing>;
  click(value: Record<string, unknown>, form: FormValues, clicker: string): ConversationClick;
}
