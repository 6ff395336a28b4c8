/**
 * The router: every inbound event, from either transport, ends here.
 *   text message → parse → command lookup → access → args → handler, in one transaction with the
 *   dedup record, the reply (outbox) and the audit row;
 *   card action → action lookup → value schema → access → handler → toast + new card (≤ 3 s);
 *   lifecycle → welcome card, member sync; leaving a bound group ends the membership.
 * Expected failures (UserError) are answered in plain Chinese and change nothing; faults get a
 * reference number in the chat and the stack in the log.
 */

import { performance } from 'node:perf_hooks';
import { textMessage } from '../cards/text.ts';
import { noArgs } from '../core/args.ts';
import type { ArgToken, ChatRef, Conversation, FileHandler, Runnable, Said } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import type { Outgoing } from '../core/message.ts';
import { isTransientStorageError } from '../db/errors.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { markProcessed, wasProcessed } from '../db/repositories/events.ts';
import { isGroupChat, rememberGroupChat } from '../db/repositories/orgs.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import type { InboundCardAction, InboundChatMembers, InboundMessage } from '../feishu/events.ts';
import { checkCommandAccess } from './access.ts';
import { onCardAction } from './card-actions.ts';
import {
  errorRef,
  FAULT_TEXT,
  inTransaction,
  isTransientFeishuRead,
  type Outcome,
  type RouterDeps,
  round,
  routerContext,
  stack,
} from './deps.ts';
import { onBotAdded, onUsersAdded, onUsersDeleted } from './lifecycle.ts';
import { mentionsBot, parseCommandText, spokenText } from './parse.ts';
import { pickRunnable, toCallbackBody, usageOf, userErrorText } from './replies.ts';
import { actorIn, leftRefusal, resolveOrg } from './who.ts';

export type { RouterDeps } from './deps.ts';
export { errorRef } from './deps.ts';
export { pickRunnable, userErrorText } from './replies.ts';

export class Router {
  constructor(private readonly d: RouterDeps) {}

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
    if (this.d.conversation && mentionsBot(msg.text, msg.mentions, this.d.botOpenId())) return true;
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
      if (msg.messageType === 'sticker' && this.d.conversation) {
        const said: Said = { text: '', kind: 'sticker', explicit: false, word: undefined, near: undefined };
        return this.converse(this.d.conversation, said, msg, chat, dedupKey);
      }
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
    // In a group the bot answers what is said to it (an @mention); a word naming a command, or a
    // slash, is a command wherever it is said.
    const addressed = msg.chatType === 'p2p' || mentionsBot(msg.text, msg.mentions, this.d.botOpenId());
    const talk = this.d.conversation;
    if (parsed.kind === 'none') {
      if (!addressed) return { outcome: 'ignored' };
      if (talk) return this.converse(talk, this.said(msg.text, msg, undefined, false), msg, chat, dedupKey);
      return reply('您好，我是清风。发送 /帮助 查看可用命令。');
    }
    if (parsed.kind === 'error') return reply(`${parsed.message}\n发送 /帮助 查看用法。`);

    let module = this.d.registry.find(parsed.word);
    let words = parsed.tokens;
    if (!module && (parsed.explicit || addressed)) {
      // A command written together with its verb: /整改列表, /任务看板, /整改查看12.
      const joined = this.d.registry.splitJoined(parsed.word, parsed.tokens);
      if (joined) [module, words] = [joined.command, joined.tokens];
    }
    if (!module) {
      // In groups, words without a slash are chatter unless they name a command or are said to the bot.
      if (msg.chatType === 'group' && !parsed.explicit && !addressed) return { outcome: 'ignored' };
      const near = this.d.registry.closest(parsed.word);
      if (talk)
        return this.converse(
          talk,
          this.said(msg.text, msg, parsed.word, parsed.explicit, near?.spelled),
          msg,
          chat,
          dedupKey,
        );
      const hint = near ? `您是不是要找 /${near.spelled}？` : '';
      return reply(`没有 /${parsed.word} 这个命令。${hint}发送 /帮助 查看可用命令。`);
    }
    const { runnable, name, tokens } = pickRunnable(module, words);
    const outcome = await this.runCommand(runnable, name, msg, chat, dedupKey, tokens);
    return { outcome, command: name };
  }

  private said(text: string, msg: InboundMessage, word: string | undefined, explicit: boolean, near?: string): Said {
    return { text: spokenText(text, msg.mentions, this.d.botOpenId()), kind: 'text', explicit, word, near };
  }

  /**
   * A message that is no command (a greeting, a natural request, anything else), answered by the
   * conversation like a command: in one transaction with its dedup record, reply and audit row.
   */
  private async converse(
    talk: Conversation,
    said: Said,
    msg: InboundMessage,
    chat: ChatRef,
    dedupKey: string,
  ): Promise<{ outcome: Outcome; command: string }> {
    const runnable: Runnable<undefined> = {
      summary: '',
      usage: [],
      args: noArgs,
      access: { roles: 'anyone', chat: 'any', org: 'optional' },
      handle: (ctx) => talk.answer(ctx, said),
    };
    return {
      outcome: await this.runCommand(runnable, 'conversation', msg, chat, dedupKey, []),
      command: 'conversation',
    };
  }

  /**
   * A click on a conversation button (确认 / 取消 on a confirmation card, a suggestion): 确认 runs the
   * command line through the same path as typing it in that chat — access, arguments, audit — once
   * per confirmation card; the card then shows what was done.
   */
  private async conversationClick(talk: Conversation, evt: InboundCardAction): Promise<Record<string, unknown>> {
    const t0 = performance.now();
    let outcome: Outcome = 'ok';
    try {
      const { a: _a, v: _v, o: _o, ...value } = evt.value;
      const click = talk.click(value, evt.formValue ?? {}, evt.operatorOpenId);
      if ('answer' in click) return toCallbackBody(click.answer);
      const [word, ...rest] = click.run;
      const module = word === undefined ? undefined : this.d.registry.find(word);
      if (!module || !evt.chatId || !evt.messageId) {
        outcome = 'refused';
        return toCallbackBody({ toast: { type: 'error', content: '这张卡片已失效，请重新发送。' } });
      }
      const tokens: ArgToken[] = rest.map((text, i) => ({ kind: 'word', text, tail: rest.slice(i).join(' ') }));
      const picked = pickRunnable(module, tokens);
      const chat: ChatRef = { chatId: evt.chatId, type: (await isGroupChat(this.d.db, evt.chatId)) ? 'group' : 'p2p' };
      outcome = await this.runCommand(
        picked.runnable,
        picked.name,
        { messageId: evt.messageId, senderOpenId: evt.operatorOpenId },
        chat,
        click.once ?? `evt:${evt.eventId}`,
        picked.tokens,
      );
      if (outcome === 'ok')
        return toCallbackBody({ toast: { type: 'success', content: click.toast }, card: click.after });
      if (outcome === 'duplicate') return toCallbackBody({ toast: { type: 'info', content: '已经确认过了。' } });
      return toCallbackBody({ toast: { type: 'error', content: '未能执行，原因见清风的回复。' } });
    } catch (err) {
      outcome = isTransientStorageError(err) ? 'postponed' : 'error';
      if (outcome === 'postponed') throw err;
      this.d.logger.error({ eventId: evt.eventId, err: stack(err) }, 'card action failed');
      return toCallbackBody({ toast: { type: 'error', content: FAULT_TEXT(errorRef(evt.eventId)) } });
    } finally {
      this.d.logger.info(
        { event: 'card_action', action: talk.actionId, outcome, latencyMs: round(performance.now() - t0) },
        'handled',
      );
    }
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
    const fresh = await inTransaction(this.d, async (trx) => {
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
    msg: Pick<InboundMessage, 'messageId' | 'senderOpenId'>,
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
      const fresh = await inTransaction(this.d, async (trx) => {
        if (!(await markProcessed(trx, dedupKey, 'message', now.toISOString()))) return false;
        // Cards answered here may be clicked later; the click does not say the chat is a group.
        if (chat.type === 'group') await rememberGroupChat(trx, chat.chatId, now.toISOString());
        const { org, ambiguous } = await resolveOrg(trx, chat, msg.senderOpenId);
        orgId = org?.id ?? null;
        const actor = await actorIn(trx, this.d.settings, org, msg.senderOpenId);
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
            throw (await leftRefusal(trx, org, msg.senderOpenId)) ?? err;
          }
          throw err;
        }
        const args = module.args.safeParse(tokens);
        if (!args.success) {
          throw new UserError('bad_args', args.error.issues[0]?.message ?? '参数有误。', usageOf(module));
        }
        const base = routerContext(
          this.d,
          trx,
          now,
          { actor: msg.senderOpenId, chatId: chat.chatId, orgId },
          logger,
          calendar,
        );
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
      const fresh = await inTransaction(this.d, async (trx) => {
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

  /** Returns Feishu's callback answer: `{ toast, card: { type: 'raw', data } }` (card-actions.ts). */
  onCardAction(evt: InboundCardAction): Promise<Record<string, unknown>> {
    const talk = this.d.conversation;
    if (talk && evt.value.a === talk.actionId) return this.conversationClick(talk, evt);
    return onCardAction(this.d, evt);
  }

  // ---------------------------------------------------------------- lifecycle (lifecycle.ts)

  /** The bot was added to a group: post the welcome card, once. */
  onBotAdded(evt: InboundChatMembers): Promise<void> {
    return onBotAdded(this.d, evt);
  }

  /** People joined a bound group: they become members of its org. */
  onUsersAdded(evt: InboundChatMembers): Promise<void> {
    return onUsersAdded(this.d, evt);
  }

  /** People left a bound group: their membership ends unless they are in another of its groups. */
  onUsersDeleted(evt: InboundChatMembers): Promise<void> {
    return onUsersDeleted(this.d, evt);
  }
}
