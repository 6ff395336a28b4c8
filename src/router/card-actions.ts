/**
 * Card actions: action lookup → value schema → access → handler → toast + new card (≤ 3 s), in one
 * transaction with the dedup record, the outbox rows and the audit row.
 *
 * An action declared `anonymous` (an anonymous opinion) is audited as `anonymous`, without its chat
 * (a private chat names its only other party) and at the start of the local day rather than the
 * instant of the click, which could be matched to the click; the handler's own audit rows get the
 * same treatment. Its form is never logged: the log lines name the event id and the action only.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { ActionAnswer } from '../core/card.ts';
import type { ChatRef } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { isTransientStorageError } from '../db/errors.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { markProcessed } from '../db/repositories/events.ts';
import { findOrgById, isGroupChat } from '../db/repositories/orgs.ts';
import { localDate, zonedInstant } from '../domain/time.ts';
import type { InboundCardAction } from '../feishu/events.ts';
import { requireActionOrg, requireRole } from './access.ts';
import {
  errorRef,
  FAULT_TEXT,
  inTransaction,
  type Outcome,
  type RouterDeps,
  round,
  routerContext,
  stack,
} from './deps.ts';
import { answerPersonally, toCallbackBody } from './replies.ts';
import { actorIn, leftRefusal, resolveOrg } from './who.ts';

/** Returns Feishu's callback answer: `{ toast, card: { type: 'raw', data } }`. */
export async function onCardAction(d: RouterDeps, evt: InboundCardAction): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const actionId = typeof evt.value.a === 'string' ? evt.value.a : '';
  let outcome: Outcome = 'ok';
  try {
    const { answer, outcome: o } = await cardAction(d, evt, actionId);
    outcome = o;
    return toCallbackBody(answer);
  } catch (err) {
    outcome = 'error';
    // A passing storage fault is not "出错了": the inbox takes the click again (src/feishu/inbox.ts).
    if (isTransientStorageError(err)) {
      outcome = 'postponed';
      d.logger.warn({ eventId: evt.eventId, action: actionId, err: stack(err) }, 'card action postponed');
      throw err;
    }
    d.logger.error({ eventId: evt.eventId, action: actionId, err: stack(err) }, 'card action failed');
    return toCallbackBody({ toast: { type: 'error', content: FAULT_TEXT(errorRef(evt.eventId)) } });
  } finally {
    d.logger.info(
      { event: 'card_action', action: actionId || undefined, outcome, latencyMs: round(performance.now() - t0) },
      'handled',
    );
  }
}

async function cardAction(
  d: RouterDeps,
  evt: InboundCardAction,
  actionId: string,
): Promise<{ answer: ActionAnswer; outcome: Outcome }> {
  const found = d.registry.action(actionId);
  if (!found) {
    return { answer: { toast: { type: 'error', content: '这张卡片已失效，请重新发送命令。' } }, outcome: 'refused' };
  }
  const { a: _a, v: _v, o: rawOrg, ...rest } = evt.value;
  const dedupKey = `evt:${evt.eventId}`;
  const now = d.clock.now();
  const logger = d.logger.child({ eventId: evt.eventId, action: actionId });
  const calendar = await d.calendar();
  // A card in a bound chat, or in a chat seen as a group, is in a group; elsewhere it is a private chat.
  const chat: ChatRef | undefined = evt.chatId
    ? { chatId: evt.chatId, type: (await isGroupChat(d.db, evt.chatId)) ? 'group' : 'p2p' }
    : undefined;
  const orgHint = z.coerce.number().int().positive().safeParse(rawOrg);
  let orgId: number | null = null;
  // An anonymous action's row names no one (its chat would name a private one's only other party),
  // and keeps the local day, not the instant.
  const anonymous = found.spec.anonymous === true;
  const tz = d.settings.timezone;
  const auditAt = anonymous ? zonedInstant(localDate(now, tz), '00:00', tz).toISOString() : now.toISOString();
  const who = anonymous
    ? { actor: 'anonymous', chatId: null }
    : { actor: evt.operatorOpenId, chatId: evt.chatId ?? null };
  const audit = { ...who, action: `action:${actionId}`, args: rest };

  try {
    const answer = await inTransaction(d, async (trx) => {
      if (!(await markProcessed(trx, dedupKey, 'card_action', now.toISOString()))) return undefined;
      const org = orgHint.success
        ? await findOrgById(trx, orgHint.data)
        : chat
          ? (await resolveOrg(trx, chat, evt.operatorOpenId)).org
          : undefined;
      orgId = org?.id ?? null;
      const actor = await actorIn(trx, d.settings, org, evt.operatorOpenId);
      // Who may press the button is checked first, so a refusal never depends on the payload.
      try {
        requireRole(found.spec.roles, actor.role);
      } catch (err) {
        if (actor.role === undefined && (org || chat?.type !== 'group')) {
          throw (await leftRefusal(trx, org, evt.operatorOpenId)) ?? err;
        }
        throw err;
      }
      requireActionOrg(found.spec.org, org !== undefined);
      const value = found.spec.value.safeParse(rest);
      if (!value.success) throw new UserError('bad_args', '卡片数据无法识别，请重新发送命令。');
      const routed = routerContext(d, trx, now, { ...who, orgId }, logger, calendar);
      const base: typeof routed = anonymous
        ? {
            ...routed,
            audit: (x) =>
              recordAudit(trx, {
                ...x,
                subject: x.subject ?? null,
                at: auditAt,
                orgId,
                ...who,
                result: 'ok',
              }),
          }
        : routed;
      const result = await found.spec.handle(
        { ...base, actor, chat, org, card: { messageId: evt.messageId }, commands: d.registry.commands },
        value.data,
        evt.formValue,
      );
      const delivered = await answerPersonally(base.outbox, chat, evt.operatorOpenId, orgId, result);
      await recordAudit(trx, { at: auditAt, orgId, ...audit, result: 'ok' });
      return delivered;
    });
    if (!answer) return { answer: { toast: { type: 'info', content: '已处理。' } }, outcome: 'duplicate' };
    d.afterCommit();
    return { answer, outcome: 'ok' };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    await inTransaction(d, async (trx) => {
      await recordAudit(trx, { at: auditAt, orgId, ...audit, result: `refused:${err.code}` });
    });
    return { answer: { toast: { type: 'error', content: err.message } }, outcome: 'refused' };
  }
}
