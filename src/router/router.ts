/**
 * The router: every inbound event, from either transport, ends here.
 *   text message → parse → command lookup → access → args → handler, in one transaction with the
 *   dedup record, the reply (outbox) and the audit row;
 *   card action → action lookup → value schema → access → handler → toast + new card (≤ 3 s);
 *   lifecycle → welcome card, member sync; leaving a bound group ends the membership.
 * Expected failures (UserError) are answered in plain Chinese and change nothing; faults get a
 * reference number in the chat and the stack in the log.
 */

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { plain, textMessage } from '../cards/text.ts';
import { buildWelcomeCard } from '../cards/welcome-card.ts';
import { noArgs } from '../core/args.ts';
import type { ActionAnswer, Card, CardElement } from '../core/card.ts';
import type { Clock } from '../core/clock.ts';
import type {
  Actor,
  ArgToken,
  AuditDetail,
  BaseContext,
  ChatRef,
  CommandModule,
  FeishuDirectory,
  FileHandler,
  Logger,
  Runnable,
  RuntimeSettings,
} from '../core/contracts.ts';
import { TransientError, UserError } from '../core/errors.ts';
import type { OutboxWriter, Outgoing } from '../core/message.ts';
import { isTransientStorageError } from '../db/errors.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { markProcessed, wasProcessed } from '../db/repositories/events.ts';
import {
  findMember,
  listLeftMembershipsOf,
  listMembershipsOf,
  roleOf,
  upsertMember,
} from '../db/repositories/members.ts';
import { findOrgByChat, findOrgById, isGroupChat, listOrgChats, rememberGroupChat } from '../db/repositories/orgs.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import { clearUnreachable } from '../db/repositories/unreachable.ts';
import type { Database, Org } from '../db/schema.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import type { InboundCardAction, InboundChatMembers, InboundMessage } from '../feishu/events.ts';
import { endMembership } from '../services/membership.ts';
import { checkCommandAccess, requireRole } from './access.ts';
import { normalizeWord, parseCommandText } from './parse.ts';
import type { CommandRegistry } from './registry.ts';

export interface RouterDeps {
  db: Kysely<Database>;
  registry: CommandRegistry;
  /** Business time (settable in the sandbox). */
  clock: Clock;
  /** Wall-clock time for the outbox. */
  wallClock: Clock;
  settings: RuntimeSettings;
  logger: Logger;
  directory: FeishuDirectory;
  calendar: () => Promise<WorkCalendar>;
  botOpenId: () => string | undefined;
  /** Called after a transaction that enqueued messages has committed. */
  afterCommit: () => void;
  /** Files sent to the bot in private chats. */
  files?: FileHandler;
}

type Outcome = 'ok' | 'ignored' | 'duplicate' | 'refused' | 'error' | 'postponed';

/** A short reference shown with unexpected errors, found again in the log. */
export function errorRef(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

const FAULT_TEXT = (ref: string) => `出错了，请稍后再试（编号 ${ref}）。`;

export class Router {
  constructor(private readonly d: RouterDeps) {}

  /** Builds the context pieces every handler shares, bound to a transaction. */
  private base(
    trx: Kysely<Database>,
    now: Date,
    who: { actor: string; chatId: string | null; orgId: number | null },
    logger: Logger,
    calendar: WorkCalendar,
  ): BaseContext {
    return {
      db: trx,
      clock: this.d.clock,
      now,
      settings: this.d.settings,
      logger,
      calendar,
      outbox: createOutboxWriter(trx, { at: this.d.wallClock.now().toISOString(), orgId: who.orgId }),
      audit: (detail: AuditDetail) =>
        recordAudit(trx, {
          at: now.toISOString(),
          orgId: who.orgId,
          actor: who.actor,
          chatId: who.chatId,
          action: detail.action,
          subject: detail.subject ?? null,
          result: 'ok',
          before: detail.before,
          after: detail.after,
        }),
    };
  }

  private async resolveOrg(
    db: Kysely<Database>,
    chat: ChatRef,
    openId: string,
  ): Promise<{ org: Org | undefined; ambiguous: boolean }> {
    if (chat.type === 'group') return { org: await findOrgByChat(db, chat.chatId), ambiguous: false };
    const memberships = await listMembershipsOf(db, openId);
    if (memberships.length !== 1) return { org: undefined, ambiguous: memberships.length > 1 };
    return { org: await findOrgById(db, (memberships[0] as { orgId: number }).orgId), ambiguous: false };
  }

  private async actorIn(db: Kysely<Database>, org: Org | undefined, openId: string): Promise<Actor> {
    const m = org ? await findMember(db, org.id, openId) : undefined;
    return {
      openId,
      name: m?.name,
      role: m ? roleOf(m) : undefined,
      isBotAdmin: this.d.settings.botAdmins.includes(openId),
    };
  }

  // ---------------------------------------------------------------- messages

  async onMessage(msg: InboundMessage): Promise<void> {
    const t0 = performance.now();
    let outcome: Outcome = 'ignored';
    let command: string | undefined;
    try {
      const r = await this.message(msg);
      outcome = r.outcome;
      command = r.command;
    } catch (err) {
      if (isTransientStorageError(err)) {
        // A passing fault (storage, or Feishu refusing a read the command needs): nothing was
        // answered or marked processed; the event stays unacknowledged and runs again. Logged once.
        outcome = 'postponed';
        const feishu = isTransientFeishuRead(err);
        this.d.logger[feishu ? 'warn' : 'error'](
          { messageId: msg.messageId, command, err: stack(err) },
          `command postponed: ${feishu ? 'Feishu unavailable' : 'storage unavailable'}, waiting for redelivery`,
        );
        throw err;
      }
      outcome = 'error';
      this.d.logger.error({ messageId: msg.messageId, err: stack(err) }, 'message handling failed');
      throw err;
    } finally {
      this.d.logger.info(
        { event: 'message', chatType: msg.chatType, command, outcome, latencyMs: round(performance.now() - t0) },
        'handled',
      );
    }
  }

  /**
   * Whether the message will get an answer (a command, or a private message); group chatter, files
   * in groups and other bots' messages get none. The inbox asks before it says "正在处理…".
   */
  expectsAnswer(msg: InboundMessage): boolean {
    if (msg.senderType !== 'user') return false;
    if (msg.chatType === 'p2p') return true;
    if (msg.text === undefined) return false;
    const parsed = parseCommandText(msg.text, msg.mentions, this.d.botOpenId());
    if (parsed.kind !== 'command') return parsed.kind === 'error';
    return parsed.explicit || this.d.registry.find(parsed.word) !== undefined;
  }

  private async message(msg: InboundMessage): Promise<{ outcome: Outcome; command?: string }> {
    if (msg.senderType !== 'user') return { outcome: 'ignored' };
    const dedupKey = `msg:${msg.messageId}`;
    const chat: ChatRef = { chatId: msg.chatId, type: msg.chatType };
    // These answers may echo what was typed (an unknown command's name): shown as text, never markup.
    const reply = (text: string) => this.answerOnly(msg, dedupKey, textMessage`${text}`);

    if (msg.text === undefined) {
      // Files and other message types: p2p files go to the file handler; groups stay quiet.
      if (msg.chatType === 'group') return { outcome: 'ignored' };
      if (msg.file && this.d.files) {
        const outcome = await this.runCommand(
          this.fileRunnable(msg.messageId, msg.file),
          'file',
          msg,
          chat,
          dedupKey,
          [],
        );
        return { outcome, command: 'file' };
      }
      return reply('清风目前只处理文字命令和文件。发送 /帮助 查看可用命令。');
    }
    const parsed = parseCommandText(msg.text, msg.mentions, this.d.botOpenId());
    if (parsed.kind === 'none') {
      if (msg.chatType === 'group') return { outcome: 'ignored' };
      return reply('您好，我是清风。发送 /帮助 查看可用命令。');
    }
    if (parsed.kind === 'error') return reply(`${parsed.message}\n发送 /帮助 查看用法。`);

    const module = this.d.registry.find(parsed.word);
    if (!module) {
      // In groups, words without a slash are chatter unless they name a command.
      if (msg.chatType === 'group' && !parsed.explicit) return { outcome: 'ignored' };
      const near = this.d.registry.closest(parsed.word);
      const hint = near ? `您是不是要找 /${near.spelled}？` : '';
      return reply(`没有 /${parsed.word} 这个命令。${hint}发送 /帮助 查看可用命令。`);
    }
    const { runnable, name, tokens } = pickRunnable(module, parsed.tokens);
    const outcome = await this.runCommand(runnable, name, msg, chat, dedupKey, tokens);
    return { outcome, command: name };
  }

  /** A file in a private chat, run like a command: downloaded first (outside the transaction), then handled. */
  private fileRunnable(
    messageId: string,
    file: { fileKey: string; fileName: string },
  ): Runnable<undefined, Buffer | undefined> {
    const files = this.d.files as FileHandler;
    return {
      summary: '',
      usage: [],
      args: noArgs,
      access: { roles: 'member', chat: 'p2p', org: 'required' },
      prepare: (ctx) =>
        files.wantsBytes(file.fileName)
          ? ctx.feishu.downloadFile(messageId, file.fileKey, files.maxBytes)
          : Promise.resolve(undefined),
      handle: (ctx, _args, bytes) =>
        files.handle(ctx, { messageId, fileKey: file.fileKey, fileName: file.fileName, bytes }),
    };
  }

  /** Answers without running a command (unknown command, parse error …), once per message. */
  private async answerOnly(msg: InboundMessage, dedupKey: string, answer: Outgoing): Promise<{ outcome: Outcome }> {
    const now = this.d.clock.now();
    const fresh = await this.d.db.transaction().execute(async (trx) => {
      if (!(await markProcessed(trx, dedupKey, 'message', now.toISOString()))) return false;
      const outbox = createOutboxWriter(trx, { at: this.d.wallClock.now().toISOString() });
      await outbox.reply(msg.messageId, answer, { chatId: msg.chatId });
      return true;
    });
    if (!fresh) return { outcome: 'duplicate' };
    this.d.afterCommit();
    return { outcome: 'refused' };
  }

  private async runCommand(
    module: Runnable<unknown, unknown>,
    name: string,
    msg: InboundMessage,
    chat: ChatRef,
    dedupKey: string,
    tokens: ArgToken[],
  ): Promise<Outcome> {
    const db = this.d.db;
    if (await wasProcessed(db, dedupKey)) return 'duplicate';
    const now = this.d.clock.now();
    const logger = this.d.logger.child({ messageId: msg.messageId, command: name });
    const calendar = await this.d.calendar();
    const auditArgs = tokens.map((t) => (t.kind === 'word' ? t.text : `@${t.openId}`));
    let prepared: unknown;
    let orgId: number | null = null;

    try {
      if (module.prepare) {
        // Validate before any remote call, so bad input costs nothing.
        const pre = module.args.safeParse(tokens);
        if (pre.success) {
          prepared = await module.prepare(
            { feishu: this.d.directory, actor: { openId: msg.senderOpenId }, chat },
            pre.data,
          );
        }
      }
      const fresh = await db.transaction().execute(async (trx) => {
        if (!(await markProcessed(trx, dedupKey, 'message', now.toISOString()))) return false;
        // Cards answered here may be clicked later; the click does not say the chat is a group.
        if (chat.type === 'group') await rememberGroupChat(trx, chat.chatId, now.toISOString());
        const { org, ambiguous } = await this.resolveOrg(trx, chat, msg.senderOpenId);
        orgId = org?.id ?? null;
        const actor = await this.actorIn(trx, org, msg.senderOpenId);
        try {
          checkCommandAccess(module.access, {
            chatType: chat.type,
            hasOrg: org !== undefined,
            role: actor.role,
            orgAmbiguous: ambiguous,
            botAdmin: actor.isBotAdmin,
          });
        } catch (err) {
          // Someone who left the org is told so, not that they never were a member.
          if (err instanceof UserError && actor.role === undefined && !ambiguous && err.code !== 'wrong_chat') {
            throw (await this.leftRefusal(trx, org, msg.senderOpenId)) ?? err;
          }
          throw err;
        }
        const args = module.args.safeParse(tokens);
        if (!args.success) {
          throw new UserError('bad_args', args.error.issues[0]?.message ?? '参数有误。', usageOf(module));
        }
        const base = this.base(trx, now, { actor: msg.senderOpenId, chatId: chat.chatId, orgId }, logger, calendar);
        const answer = await module.handle(
          { ...base, actor, chat, org, message: { messageId: msg.messageId }, commands: this.d.registry.commands },
          args.data,
          prepared,
        );
        if (answer) await base.outbox.reply(msg.messageId, answer, { chatId: chat.chatId });
        await recordAudit(trx, {
          at: now.toISOString(),
          orgId: orgId,
          actor: msg.senderOpenId,
          chatId: chat.chatId,
          action: `command:${name}`,
          args: auditArgs,
          result: 'ok',
        });
        return true;
      });
      if (!fresh) return 'duplicate';
      this.d.afterCommit();
      return 'ok';
    } catch (err) {
      // A passing fault — storage (a dropped connection included) or a Feishu read still refused
      // after its retries: answer nothing, mark nothing, and leave the event unacknowledged, so it
      // runs again (Feishu's redelivery or the inbox worker). onMessage logs it.
      if (isTransientStorageError(err)) throw err;
      const expected = err instanceof UserError;
      if (!expected) logger.error({ err: stack(err) }, 'command failed');
      const text = expected ? userErrorText(err) : FAULT_TEXT(errorRef(msg.messageId));
      const fresh = await db.transaction().execute(async (trx) => {
        if (!(await markProcessed(trx, dedupKey, 'message', now.toISOString()))) return false;
        await createOutboxWriter(trx, { at: this.d.wallClock.now().toISOString() }).reply(
          msg.messageId,
          { type: 'text', text },
          { chatId: chat.chatId },
        );
        await recordAudit(trx, {
          at: now.toISOString(),
          orgId,
          actor: msg.senderOpenId,
          chatId: chat.chatId,
          action: `command:${name}`,
          args: auditArgs,
          result: expected ? `refused:${err.code}` : 'error',
        });
        return true;
      });
      if (!fresh) return 'duplicate';
      this.d.afterCommit();
      return expected ? 'refused' : 'error';
    }
  }

  // ---------------------------------------------------------------- card actions

  /** Returns Feishu's callback answer: `{ toast, card: { type: 'raw', data } }`. */
  async onCardAction(evt: InboundCardAction): Promise<Record<string, unknown>> {
    const t0 = performance.now();
    const actionId = typeof evt.value.a === 'string' ? evt.value.a : '';
    let outcome: Outcome = 'ok';
    try {
      const { answer, outcome: o } = await this.cardAction(evt, actionId);
      outcome = o;
      return toCallbackBody(answer);
    } catch (err) {
      outcome = 'error';
      // A passing storage fault is not "出错了": the inbox takes the click again (src/feishu/inbox.ts).
      if (isTransientStorageError(err)) {
        outcome = 'postponed';
        this.d.logger.warn({ eventId: evt.eventId, action: actionId, err: stack(err) }, 'card action postponed');
        throw err;
      }
      this.d.logger.error({ eventId: evt.eventId, action: actionId, err: stack(err) }, 'card action failed');
      return toCallbackBody({ toast: { type: 'error', content: FAULT_TEXT(errorRef(evt.eventId)) } });
    } finally {
      this.d.logger.info(
        { event: 'card_action', action: actionId || undefined, outcome, latencyMs: round(performance.now() - t0) },
        'handled',
      );
    }
  }

  private async cardAction(
    evt: InboundCardAction,
    actionId: string,
  ): Promise<{ answer: ActionAnswer; outcome: Outcome }> {
    const found = this.d.registry.action(actionId);
    if (!found) {
      return { answer: { toast: { type: 'error', content: '这张卡片已失效，请重新发送命令。' } }, outcome: 'refused' };
    }
    const { a: _a, v: _v, o: rawOrg, ...rest } = evt.value;
    const dedupKey = `evt:${evt.eventId}`;
    const now = this.d.clock.now();
    const logger = this.d.logger.child({ eventId: evt.eventId, action: actionId });
    const calendar = await this.d.calendar();
    // A card in a bound chat, or in a chat seen as a group, is in a group; elsewhere it is a private chat.
    const chat: ChatRef | undefined = evt.chatId
      ? { chatId: evt.chatId, type: (await isGroupChat(this.d.db, evt.chatId)) ? 'group' : 'p2p' }
      : undefined;
    const orgHint = z.coerce.number().int().positive().safeParse(rawOrg);
    let orgId: number | null = null;
    const audit = { actor: evt.operatorOpenId, chatId: evt.chatId ?? null, action: `action:${actionId}`, args: rest };

    try {
      const answer = await this.d.db.transaction().execute(async (trx) => {
        if (!(await markProcessed(trx, dedupKey, 'card_action', now.toISOString()))) return undefined;
        const org = orgHint.success
          ? await findOrgById(trx, orgHint.data)
          : chat
            ? (await this.resolveOrg(trx, chat, evt.operatorOpenId)).org
            : undefined;
        orgId = org?.id ?? null;
        const actor = await this.actorIn(trx, org, evt.operatorOpenId);
        // Who may press the button is checked first, so a refusal never depends on the payload.
        try {
          requireRole(found.spec.roles, actor.role);
        } catch (err) {
          if (actor.role === undefined && (org || chat?.type !== 'group')) {
            throw (await this.leftRefusal(trx, org, evt.operatorOpenId)) ?? err;
          }
          throw err;
        }
        const value = found.spec.value.safeParse(rest);
        if (!value.success) throw new UserError('bad_args', '卡片数据无法识别，请重新发送命令。');
        const base = this.base(
          trx,
          now,
          { actor: evt.operatorOpenId, chatId: evt.chatId ?? null, orgId },
          logger,
          calendar,
        );
        const result = await found.spec.handle(
          { ...base, actor, chat, org, card: { messageId: evt.messageId }, commands: this.d.registry.commands },
          value.data,
          evt.formValue,
        );
        const delivered = await answerPersonally(base.outbox, chat, evt.operatorOpenId, orgId, result);
        await recordAudit(trx, { at: now.toISOString(), orgId, ...audit, result: 'ok' });
        return delivered;
      });
      if (!answer) return { answer: { toast: { type: 'info', content: '已处理。' } }, outcome: 'duplicate' };
      this.d.afterCommit();
      return { answer, outcome: 'ok' };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await this.d.db.transaction().execute(async (trx) => {
        await recordAudit(trx, { at: now.toISOString(), orgId, ...audit, result: `refused:${err.code}` });
      });
      return { answer: { toast: { type: 'error', content: err.message } }, outcome: 'refused' };
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** The bot was added to a group: post the welcome card, once. */
  async onBotAdded(evt: InboundChatMembers): Promise<void> {
    const now = this.d.clock.now();
    const fresh = await this.d.db.transaction().execute(async (trx) => {
      if (!(await markProcessed(trx, `evt:${evt.eventId}`, 'bot_added', now.toISOString()))) return false;
      await clearUnreachable(trx, 'chat_id', evt.chatId);
      await rememberGroupChat(trx, evt.chatId, now.toISOString());
      const org = await findOrgByChat(trx, evt.chatId);
      const outbox = createOutboxWriter(trx, { at: this.d.wallClock.now().toISOString(), orgId: org?.id ?? null });
      await outbox.send({ chatId: evt.chatId }, { type: 'card', card: buildWelcomeCard({ orgName: org?.name }) });
      return true;
    });
    if (fresh) this.d.afterCommit();
    this.d.logger.info({ event: 'bot_added', outcome: fresh ? 'ok' : 'duplicate' }, 'handled');
  }

  /** People joined a bound group: they become members of its org. */
  async onUsersAdded(evt: InboundChatMembers): Promise<void> {
    const now = this.d.clock.now();
    const fresh = await this.d.db.transaction().execute(async (trx) => {
      if (!(await markProcessed(trx, `evt:${evt.eventId}`, 'users_added', now.toISOString()))) return false;
      const org = await findOrgByChat(trx, evt.chatId);
      if (!org) return true;
      for (const u of evt.users) {
        const r = await upsertMember(trx, { orgId: org.id, openId: u.openId, name: u.name, at: now.toISOString() });
        if (r.before === undefined) {
          await recordAudit(trx, {
            at: now.toISOString(),
            orgId: org.id,
            actor: evt.operatorOpenId ?? 'feishu',
            chatId: evt.chatId,
            action: 'member:join',
            subject: u.openId,
            result: 'ok',
            after: { role: r.after, name: u.name },
          });
        }
      }
      return true;
    });
    this.d.logger.info({ event: 'users_added', outcome: fresh ? 'ok' : 'duplicate' }, 'handled');
  }

  /**
   * People left a bound group (removed, left, or an invitation withdrawn): unless they are still in
   * another of the org's groups, their membership ends at once (audit row; the secretary is told of
   * their open items; src/services/membership.ts). The other groups are asked before the transaction.
   */
  async onUsersDeleted(evt: InboundChatMembers): Promise<void> {
    const now = this.d.clock.now();
    const key = `evt:${evt.eventId}`;
    if (await wasProcessed(this.d.db, key)) {
      this.d.logger.info({ event: 'users_deleted', outcome: 'duplicate' }, 'handled');
      return;
    }
    const org = await findOrgByChat(this.d.db, evt.chatId);
    const stillIn = new Set<string>();
    if (org) {
      for (const other of await listOrgChats(this.d.db, org.id)) {
        if (other.chatId === evt.chatId) continue;
        for (const m of await this.d.directory.listChatMembers(other.chatId)) stillIn.add(m.openId);
      }
    }
    let ended = 0;
    const fresh = await this.d.db.transaction().execute(async (trx) => {
      if (!(await markProcessed(trx, key, 'users_deleted', now.toISOString()))) return false;
      const bound = await findOrgByChat(trx, evt.chatId);
      if (!bound) return true;
      const outbox = createOutboxWriter(trx, { at: this.d.wallClock.now().toISOString(), orgId: bound.id });
      for (const u of evt.users) {
        if (stillIn.has(u.openId)) continue;
        const left = await endMembership(
          { db: trx, outbox },
          {
            orgId: bound.id,
            openId: u.openId,
            at: now.toISOString(),
            actor: evt.operatorOpenId ?? 'feishu',
            chatId: evt.chatId,
            via: 'event',
          },
        );
        if (left) ended++;
      }
      return true;
    });
    if (fresh && ended > 0) this.d.afterCommit();
    this.d.logger.info({ event: 'users_deleted', outcome: fresh ? 'ok' : 'duplicate', ended }, 'handled');
  }

  /**
   * The refusal for someone whose membership ended (they left the org's group chats), said plainly,
   * or undefined when they never were a member there. `org` undefined: any org they left (private chat).
   */
  private async leftRefusal(
    db: Kysely<Database>,
    org: Org | undefined,
    openId: string,
  ): Promise<UserError | undefined> {
    // Without an org (a private chat): only for someone who is a member nowhere any more.
    if (!org && (await listMembershipsOf(db, openId)).length > 0) return undefined;
    const left = await listLeftMembershipsOf(db, openId);
    const hit = org ? left.find((l) => l.orgId === org.id) : left[0];
    if (!hit) return undefined;
    return new UserError(
      'forbidden',
      `您已不在「${hit.orgName}」的群聊中，在该组织的成员身份和权限已随之结束。如需恢复，请联系书记把您拉回群聊。`,
    );
  }
}

/** The subcommand named by the first word, or the command itself. */
export function pickRunnable(
  module: CommandModule,
  tokens: ArgToken[],
): { runnable: Runnable<unknown, unknown>; name: string; tokens: ArgToken[] } {
  const first = tokens[0];
  if (module.subcommands && first?.kind === 'word') {
    const word = normalizeWord(first.text);
    const sub = module.subcommands.find(
      (s) => normalizeWord(s.name) === word || s.aliases.some((a) => normalizeWord(a) === word),
    );
    if (sub) return { runnable: sub, name: `${module.name}.${sub.name}`, tokens: tokens.slice(1) };
  }
  return { runnable: module, name: module.name, tokens };
}

function usageOf(module: Runnable<unknown, unknown>): string {
  return module.usage.map((u) => `用法：${u}`).join('\n');
}

export function userErrorText(err: UserError): string {
  // Messages may quote what the user typed, so they are shown as plain text (never a mention).
  const message = plain(err.message);
  return err.hint ? `${message}\n${err.hint}` : message;
}

/**
 * Shared cards are shared (FEISHU.md §6): a view or form for one person never replaces a group card.
 * In a group it goes to the clicker's private chat with the bot (in the action's transaction), and
 * the group card changes only when the handler also answered a shared card. In a private chat the
 * personal card simply replaces the clicked one.
 */
async function answerPersonally(
  outbox: OutboxWriter,
  chat: ChatRef | undefined,
  openId: string,
  orgId: number | null,
  answer: ActionAnswer,
): Promise<ActionAnswer> {
  const { personal, ...shared } = answer;
  if (!personal) return answer;
  if (chat?.type !== 'group') return { ...(shared.toast ? { toast: shared.toast } : {}), card: personal };
  await outbox.send({ openId }, { type: 'card', card: personal }, orgId === null ? {} : { orgId });
  const then = hasForm(personal) ? '填写' : '查看';
  return { ...shared, toast: { type: 'info', content: `已私信发送，请在与清风的单聊中${then}` } };
}

/** Whether a card asks for input (a form), as opposed to only showing something. */
function hasForm(card: Card): boolean {
  const walk = (elements: readonly CardElement[]): boolean =>
    elements.some(
      (e) =>
        e.tag === 'form' || ['elements', 'columns'].some((k) => Array.isArray(e[k]) && walk(e[k] as CardElement[])),
    );
  return walk(card.body.elements);
}

function toCallbackBody(answer: ActionAnswer): Record<string, unknown> {
  return {
    ...(answer.toast ? { toast: answer.toast } : {}),
    ...(answer.card ? { card: { type: 'raw', data: answer.card } } : {}),
  };
}

/** A Feishu read that kept failing (src/feishu/client.ts), as opposed to a storage fault. */
function isTransientFeishuRead(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof TransientError) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function stack(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
