/**
 * Lifecycle events: the bot added to a group (welcome card), people joining a bound group (they
 * become members), people leaving (their membership ends unless they are in another of its groups).
 */
import { buildWelcomeCard } from '../cards/welcome-card.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { markProcessed, wasProcessed } from '../db/repositories/events.ts';
import { upsertMember } from '../db/repositories/members.ts';
import { findOrgByChat, listOrgChats, rememberGroupChat } from '../db/repositories/orgs.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import { clearUnreachable } from '../db/repositories/unreachable.ts';
import type { InboundChatMembers } from '../feishu/events.ts';
import { inTransaction, type RouterDeps, routerContext } from './deps.ts';

/** The bot was added to a group: post the welcome card, once. */
export async function onBotAdded(d: RouterDeps, evt: InboundChatMembers): Promise<void> {
  const now = d.clock.now();
  const fresh = await inTransaction(d, async (trx) => {
    if (!(await markProcessed(trx, `evt:${evt.eventId}`, 'bot_added', now.toISOString()))) return false;
    await clearUnreachable(trx, 'chat_id', evt.chatId);
    await rememberGroupChat(trx, evt.chatId, now.toISOString());
    const org = await findOrgByChat(trx, evt.chatId);
    const outbox = createOutboxWriter(trx, { at: d.wallClock.now().toISOString(), orgId: org?.id ?? null });
    await outbox.send({ chatId: evt.chatId }, { type: 'card', card: buildWelcomeCard({ orgName: org?.name }) });
    return true;
  });
  if (fresh) d.afterCommit();
  d.logger.info({ event: 'bot_added', outcome: fresh ? 'ok' : 'duplicate' }, 'handled');
}

/** People joined a bound group: they become members of its org. */
export async function onUsersAdded(d: RouterDeps, evt: InboundChatMembers): Promise<void> {
  const now = d.clock.now();
  const fresh = await inTransaction(d, async (trx) => {
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
  d.logger.info({ event: 'users_added', outcome: fresh ? 'ok' : 'duplicate' }, 'handled');
}

/**
 * People left a bound group (removed, left, or an invitation withdrawn): unless they are still in
 * another of the org's groups, their membership ends at once (audit row; the secretary is told of
 * their open items; src/features/membership/service.ts, plugged in as `endMembership`). The other groups are asked before the transaction.
 */
export async function onUsersDeleted(d: RouterDeps, evt: InboundChatMembers): Promise<void> {
  const now = d.clock.now();
  const key = `evt:${evt.eventId}`;
  if (await wasProcessed(d.db, key)) {
    d.logger.info({ event: 'users_deleted', outcome: 'duplicate' }, 'handled');
    return;
  }
  const org = await findOrgByChat(d.db, evt.chatId);
  const stillIn = new Set<string>();
  if (org) {
    for (const other of await listOrgChats(d.db, org.id)) {
      if (other.chatId === evt.chatId) continue;
      for (const m of await d.directory.listChatMembers(other.chatId)) stillIn.add(m.openId);
    }
  }
  let ended = 0;
  const calendar = await d.calendar();
  const fresh = await inTransaction(d, async (trx) => {
    if (!(await markProcessed(trx, key, 'users_deleted', now.toISOString()))) return false;
    const bound = await findOrgByChat(trx, evt.chatId);
    if (!bound) return true;
    const who = { actor: evt.operatorOpenId ?? 'feishu', chatId: evt.chatId, orgId: bound.id };
    const ctx = routerContext(d, trx, now, who, d.logger, calendar);
    for (const u of evt.users) {
      if (stillIn.has(u.openId)) continue;
      const left = await d.endMembership(ctx, {
        orgId: bound.id,
        openId: u.openId,
        at: now.toISOString(),
        actor: evt.operatorOpenId ?? 'feishu',
        chatId: evt.chatId,
        via: 'event',
      });
      if (left) ended++;
    }
    return true;
  });
  if (fresh && ended > 0) d.afterCommit();
  d.logger.info({ event: 'users_deleted', outcome: fresh ? 'ok' : 'duplicate', ended }, 'handled');
}
