/**
 * What Feishu users and Feishu itself really send: commands typed in the rich-text editor (`post`
 * messages with the bot @-mentioned in the post) work like text; a 加急 Feishu answers with the
 * person in `invalid_user_id_list` is a failure (a dead letter with the reason, the admins told),
 * not a send; the bot's own open_id is read with retries when `bot/v3/info` fails at start-up, and
 * mentions are recognised meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findMember, roleOf } from '../../src/db/repositories/members.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import { createOutboxWriter } from '../../src/db/repositories/outbox-writer.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { cardTitle } from '../helpers/cards.ts';
import { answerTo, drained } from '../helpers/converse.ts';

describe('rich-text (post) commands', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('answers a post with @清风 in a group like the same text, mentions as arguments included', async () => {
    h = await startBot();
    const w = await seedBranch(h);
    const [inspector] = w.members;
    if (!inspector) throw new Error('no member');

    const help = await h.emu.sendPost({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: ' /帮助',
      mentionBot: true,
    });
    const helpText = await h.emu.sendText({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: '/帮助',
      mentionBot: true,
    });
    const [a, b] = [await answerTo(h, help), await answerTo(h, helpText)];
    expect(a.msgType).toBe('interactive');
    expect(cardTitle(a)).toBe(cardTitle(b));

    // Two paragraphs, a title, the person as an `at` element.
    const role = await h.emu.sendPost({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      title: '设置角色',
      text: ` /角色 @{${inspector.openId}}\n纪检委员`,
      mentionBot: true,
    });
    const answer = await answerTo(h, role);
    expect(messageText(answer)).toContain('纪检委员');
    const org = await findOrgByName(h.db.db, '第一党支部');
    const m = org && (await findMember(h.db.db, org.id, inspector.openId));
    expect(m && roleOf(m)).toBe('inspector');
  });

  it('answers a post in the private chat, and answers a group post that names no command once, politely', async () => {
    h = await startBot();
    const w = await seedBranch(h);
    const p2p = h.emu.p2pChat(w.secretary.openId).chatId;
    const mine = await h.emu.sendPost({ chatId: p2p, from: w.secretary.openId, text: '/我的' });
    expect((await answerTo(h, mine)).msgType).toBe('interactive');

    const before = h.emu.botMessages(w.chat.chatId).length;
    const chatter = await h.emu.sendPost({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: '大家好，明天的会议改到下午',
      mentionBot: true,
    });
    const sure = await h.emu.sendText({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: '/帮助',
      mentionBot: true,
    });
    await answerTo(h, sure);
    await drained(h);
    const answers = h.emu.botMessages(w.chat.chatId).filter((x: EmuMessage) => x.parentId === chatter.messageId);
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.content)).toContain('没太明白');
    expect(h.emu.botMessages(w.chat.chatId).length).toBe(before + 2);
  });
});

describe('加急 (urgent) answered with invalid_user_id_list', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('is a dead letter with the reason, and the admins hear the 加急 did not reach the person', async () => {
    h = await startBot();
    const w = await seedBranch(h);
    const [member] = w.members;
    if (!member) throw new Error('no member');
    // Someone of the org who is not in the group: Feishu cannot buzz them about a group message.
    const outsider = h.emu.addUser('钱外出');
    const org = await findOrgByName(h.db.db, '第一党支部');
    if (!org) throw new Error('no org');
    await h.db.db
      .insertInto('members')
      .values({
        org_id: org.id,
        open_id: outsider.openId,
        name: outsider.name,
        role: 'member',
        away_from: null,
        away_until: null,
        away_reason: null,
        created_at: '2026-12-01T00:00:00.000Z',
        updated_at: '2026-12-01T00:00:00.000Z',
      })
      .execute();

    const ids = await h.db.db.transaction().execute(async (trx) => {
      const outbox = createOutboxWriter(trx, { at: new Date().toISOString(), orgId: org.id });
      const sent = await outbox.send({ chatId: w.chat.chatId }, { type: 'text', text: '【逾期督办】请尽快处理。' });
      return {
        ok: await outbox.urgent({ outboxId: sent }, 'app', [member.openId]),
        refused: await outbox.urgent({ outboxId: sent }, 'app', [outsider.openId]),
      };
    });
    h.app.dispatcher.wake();
    await drained(h);

    const rows = await h.db.db
      .selectFrom('outbox')
      .select(['id', 'status', 'last_error'])
      .where('id', 'in', [ids.ok, ids.refused])
      .orderBy('id')
      .execute();
    expect(rows[0]).toMatchObject({ status: 'sent' });
    expect(rows[1]?.status).toBe('dead');
    expect(rows[1]?.last_error).toMatch(/invalid_user_id_list/);
    expect(h.emu.store.urgents.flatMap((u) => u.openIds)).toEqual([member.openId]);

    const notice = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(h.emu.p2pChat(w.secretary.openId).chatId)
          .find((m) => cardTitle(m) === '清风：加急提醒未送达'),
      { what: 'the notice to the secretary' },
    );
    expect(notice.content).toContain('钱外出');
    expect(notice.content).toContain('应用内加急未送达');
    // Told once, however often the outbox is drained.
    await drained(h);
    expect(
      h.emu
        .botMessages(h.emu.p2pChat(w.secretary.openId).chatId)
        .filter((m) => cardTitle(m) === '清风：加急提醒未送达'),
    ).toHaveLength(1);
  });
});

describe('the bot identity', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('is read again until bot/v3/info answers, without holding up the start', async () => {
    h = await startBot({
      identityRetryMs: 20,
      beforeBoot: (emu) =>
        emu.failNext({ method: 'GET', path: '/open-apis/bot/v3/info', times: 3, status: 500, code: 1500 }),
    });
    expect(await h.app.identity.known).toBe(h.emu.bot.openId);
    const tries = h.logs.records().filter((r) => String(r.msg).startsWith('could not read the bot identity'));
    expect(tries).toHaveLength(3);
  });

  it('recognises the mentions in front of a command while it is unknown, and every mention once known', async () => {
    h = await startBot({
      identityRetryMs: 20,
      beforeBoot: (emu) =>
        emu.failNext({
          method: 'GET',
          path: '/open-apis/bot/v3/info',
          times: Number.POSITIVE_INFINITY,
          status: 500,
          code: 1500,
        }),
    });
    expect(h.app.identity.openId).toBeUndefined();
    const w = await seedBranch(h);
    const [other] = w.members;
    if (!other) throw new Error('no member');
    // "@王纪检 @清风 /帮助": both in front of the command.
    const early = await h.emu.sendText({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: `@{${other.openId}} @{${h.emu.bot.openId}} /帮助`,
    });
    expect((await answerTo(h, early)).msgType).toBe('interactive');

    h.emu.clearFaults();
    await h.app.identity.known;
    // Known: the bot's mention after the command is not taken for the person to name.
    const role = await h.emu.sendText({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: `/角色 @{${h.emu.bot.openId}} @{${other.openId}} 纪检委员`,
    });
    expect(messageText(await answerTo(h, role))).toContain('纪检委员');
    const org = await findOrgByName(h.db.db, '第一党支部');
    const m = org && (await findMember(h.db.db, org.id, other.openId));
    expect(m && roleOf(m)).toBe('inspector');
  });
});
