/**
 * Logging end to end, over both transports: after a full run (bind, /帮助, a card click, an unknown
 * command, a refused /角色, ignored chatter, a refused /绑定, a redelivered event, a failed send and a
 * revoked token) every handled event produced exactly one `handled` line with event, outcome and
 * latencyMs; and no log line carries a secret, a tenant or card token, or what users wrote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuUser } from '../../src/sandbox/store.ts';
import {
  type BotHarness,
  messageText,
  seedBranch,
  startBot,
  TEST_APP_SECRET,
  TEST_ENCRYPT_KEY,
  TEST_VERIFICATION_TOKEN,
} from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { SENT_PRIVATELY, settled } from '../helpers/converse.ts';

const OUTCOMES = ['ok', 'ignored', 'duplicate', 'refused', 'error'];
/** What users wrote that must never reach the logs. */
const SECRET_ORG = '机密的组织名ABC';
const CHATTER = '大家好，今天的学习材料请查收';

function handledLines(h: BotHarness): Record<string, unknown>[] {
  return h.logs.records().filter((r) => r.msg === 'handled');
}

describe('logging', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  for (const transport of ['websocket', 'webhook'] as const) {
    it(`logs one 'handled' line per event and no secrets or user text (${transport})`, async () => {
      h = await startBot({ transport });
      const { chat, secretary, members } = await seedBranch(h);
      const member = members[0] as EmuUser;
      const other = members[1] as EmuUser;
      const say = async (from: EmuUser, text: string, chatId = chat.chatId) => {
        const before = h.emu.botMessages(chatId).length;
        const msg = await h.emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
        return { msg, before };
      };

      // /帮助, delivered twice (Feishu is at-least-once); the first reply fails once and is retried.
      h.emu.failNext({ path: '/reply', times: 1, status: 500, code: 1500, msg: 'internal error' });
      h.emu.duplicateNextEvents = 1;
      const ask = await say(secretary, '/帮助');
      const help = await h.emu.waitFor(
        () => h.emu.botMessages(chat.chatId).find((m) => m.parentId === ask.msg.messageId),
        { what: 'help reply after a retry', timeoutMs: 8000 },
      );
      expect(messageText(help)).toContain('可用命令');

      // A card click (我的 on the group card goes to the member privately).
      const click = await h.emu.click({
        messageId: help.messageId,
        from: member.openId,
        value: button(help, '我的').value,
      });
      expect(click.toast?.content).toBe(SENT_PRIVATELY.view);

      // The tenant token is revoked; the next send fetches a new one.
      h.emu.revokeTokens();
      const unknown = await say(member, '/不存在的命令');
      await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === unknown.msg.messageId), {
        what: 'unknown-command reply',
      });

      // A member may not set roles.
      const role = await say(member, `/角色 @{${other.openId}} 纪检委员`);
      const refusal = await h.emu.waitFor(() =>
        h.emu.botMessages(chat.chatId).find((m) => m.parentId === role.msg.messageId),
      );
      expect(messageText(refusal)).not.toContain('已将');

      // Chatter that @-mentions the bot but is no command: one polite answer (it never acts on a guess).
      const chatter = await say(other, CHATTER);

      // A non-owner tries to bind another group to a (confidential) org name.
      const owner = h.emu.addUser('钱群主');
      const group2 = h.emu.createGroup({ name: '学习小组', owner: owner.openId, members: [member.openId] });
      const bind = await say(member, `/绑定 ${SECRET_ORG}`, group2.chatId);
      const bindRefusal = await h.emu.waitFor(() =>
        h.emu.botMessages(group2.chatId).find((m) => m.parentId === bind.msg.messageId),
      );
      expect(messageText(bindRefusal)).not.toContain(SECRET_ORG);

      if (transport === 'webhook') {
        // A forged webhook request is refused (and logged as such).
        const body = JSON.stringify({ encrypt: 'Zm9yZ2Vk' });
        const res = await fetch(`${h.url}/webhook/event`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-lark-request-nonce': 'n1',
            'x-lark-signature': '0'.repeat(64),
          },
          body,
        });
        expect(res.status).toBe(401);
      }

      // Every delivery (the duplicate included) has been handled.
      const deliveries = () => h.emu.deliveries.reduce((n, d) => n + d.attempts, 0);
      await h.emu.waitFor(() => handledLines(h).length >= deliveries(), { what: 'every event handled' });
      await settled(h);
      expect(h.emu.botMessages(chat.chatId).filter((m) => m.parentId === chatter.msg.messageId)).toHaveLength(1);
      const orgs = await h.db.db.selectFrom('orgs').select('name').execute();
      expect(orgs.map((o) => o.name)).toEqual(['第一党支部']);
      const failed = await h.db.db.selectFrom('outbox').selectAll().where('status', '!=', 'sent').execute();
      expect(failed).toEqual([]);

      // One 'handled' line per delivery: no event was redelivered for lateness; /帮助 came twice on purpose.
      expect(h.emu.deliveries.every((d) => d.acked)).toBe(true);
      expect(h.emu.deliveries.map((d) => [d.type, d.attempts])).toEqual([
        ['im.message.receive_v1', 1],
        ['im.message.receive_v1', 2],
        ['card.action.trigger', 1],
        ['im.message.receive_v1', 1],
        ['im.message.receive_v1', 1],
        ['im.message.receive_v1', 1],
        ['im.message.receive_v1', 1],
      ]);
      const handled = handledLines(h);
      expect(handled).toHaveLength(deliveries());
      for (const line of handled) {
        expect(typeof line.event).toBe('string');
        expect(OUTCOMES).toContain(line.outcome);
        expect(typeof line.latencyMs).toBe('number');
        expect(line.latencyMs as number).toBeGreaterThanOrEqual(0);
      }
      const byEvent = (e: string) => handled.filter((l) => l.event === e);
      const deliveredOf = (t: string) =>
        h.emu.deliveries.filter((d) => d.type === t).reduce((n, d) => n + d.attempts, 0);
      expect(byEvent('message')).toHaveLength(deliveredOf('im.message.receive_v1'));
      expect(byEvent('card_action')).toHaveLength(deliveredOf('card.action.trigger'));
      expect(handled.map((l) => [l.event, l.outcome])).toEqual([
        ['message', 'ok'], // bind
        ['message', 'ok'], // /帮助
        ['message', 'duplicate'], // /帮助 again
        ['card_action', 'ok'],
        ['message', 'ok'], // unknown command: answered with the nearest commands
        ['message', 'refused'], // /角色 by a member
        ['message', 'ok'], // chatter: a polite answer
        ['message', 'refused'], // /绑定 by a non-owner
      ]);
      expect(handled.find((l) => l.outcome === 'duplicate')).toBeDefined();

      // The run went through the failure paths that log.
      const text = h.logs.lines.join('\n');
      expect(text).toContain('outbox send failed; will retry');
      if (transport === 'webhook') expect(text).toContain('webhook request refused');

      // No secrets, tokens or user text.
      for (const secret of [TEST_APP_SECRET, TEST_ENCRYPT_KEY, TEST_VERIFICATION_TOKEN]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/t-[0-9a-f]{32}/);
      expect(text).not.toMatch(/c-[0-9a-f]{32}/);
      for (const said of [SECRET_ORG, 'ABC', '机密', CHATTER, '大家好', '不存在的命令', '纪检委员']) {
        expect(text).not.toContain(said);
      }
    });
  }
});
