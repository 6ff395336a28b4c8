/**
 * Talking to the bot through the emulator as the end-to-end tests do: say something and wait for the
 * answer, wait for a card the bot posts, run a job as of a Beijing time and let the outbox deliver it.
 */
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Clock } from '../../src/core/clock.ts';
import { countOutbox } from '../../src/db/repositories/outbox.ts';
import type { Database } from '../../src/db/schema.ts';
import type { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, isWorkingNotice } from './bot.ts';
import { button, cardTitle } from './cards.ts';

/** A bot under test: the emulator it talks to and its database (a harness or the sandbox). */
export interface Talking {
  emu: Emulator;
  db: { db: Kysely<Database> };
}

/** What the bot sent a person privately, oldest first (nothing when it never wrote to them). */
export function privateMessages(bot: Talking, u: EmuUser): EmuMessage[] {
  const c = bot.emu.store.p2pChatOf(u.openId);
  return c ? bot.emu.botMessages(c.chatId) : [];
}

/** A Beijing date and time as an instant. */
export const bj = (date: string, time = '09:30') => new Date(`${date}T${time}:00+08:00`);

/** Waits until the outbox has nothing left to send. */
export async function drained(bot: Talking, timeoutMs = 10_000): Promise<void> {
  await bot.emu.waitFor(async () => ((await countOutbox(bot.db.db)).pending ?? 0) === 0, {
    what: 'outbox drained',
    timeoutMs,
  });
}

/**
 * Waits until the bot has nothing left to do: no inbound event still being worked on (the inbox) and
 * nothing left to send (the outbox), seen twice in a row. A "nothing more happens" check calls this and
 * then asserts, instead of sleeping: whatever the bot was going to do has been done by then.
 */
export async function settled(bot: Talking, timeoutMs = 15_000): Promise<void> {
  const busy = async () => {
    const inbox = await bot.db.db
      .selectFrom('inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(inbox.n) + ((await countOutbox(bot.db.db)).pending ?? 0);
  };
  let quietRounds = 0;
  await bot.emu.waitFor(
    async () => {
      // A fault test may terminate this very connection too: a failed look counts as "not settled yet".
      const n = await busy().catch(() => Number.NaN);
      quietRounds = n === 0 ? quietRounds + 1 : 0;
      return quietRounds >= 2;
    },
    { what: 'the bot to settle (inbox and outbox empty)', timeoutMs },
  );
}

/**
 * Waits until the bot has done everything due at its wall clock's "now": no inbound event in progress,
 * no outbox row due or being sent (rows waiting for a later attempt stay), seen twice in a row.
 */
export async function caughtUp(bot: Talking, wall: Clock, timeoutMs = 15_000): Promise<void> {
  const busy = async () => {
    const now = wall.now().toISOString();
    const inbox = await bot.db.db
      .selectFrom('inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const outbox = await bot.db.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('next_attempt_at', '<=', now), eb('lease_until', 'is not', null)]))
      .executeTakeFirstOrThrow();
    return Number(inbox.n) + Number(outbox.n);
  };
  let quietRounds = 0;
  await bot.emu.waitFor(
    async () => {
      const n = await busy().catch(() => Number.NaN);
      quietRounds = n === 0 ? quietRounds + 1 : 0;
      return quietRounds >= 2;
    },
    { what: 'the bot to catch up with its wall clock', timeoutMs },
  );
}

/** Runs a job as of a Beijing date and time, then lets the outbox deliver everything; no delivery fails. */
export async function runJobAt(h: BotHarness, job: string, date: string, time = '09:30') {
  const r = await h.app.runJob(job, bj(date, time));
  await drained(h);
  expect(r.failed).toBe(0);
  return r;
}

/** The bot's reply to a message (found by parent, so other messages arriving meanwhile do not confuse it). */
export function answerTo(bot: Talking, m: EmuMessage, timeoutMs = 10_000): Promise<EmuMessage> {
  const answer = () => bot.emu.botMessages(m.chatId).find((x) => x.parentId === m.messageId && !isWorkingNotice(x));
  return bot.emu.waitFor(answer, {
    what: `answer to ${m.msgType} ${m.content.slice(0, 60)}`,
    timeoutMs,
  });
}

/** Says `text` to the bot (@-mentioning it) in a chat as `from`, and waits for its answer. */
export async function say(
  bot: Talking,
  chatId: string,
  from: EmuUser,
  text: string,
  timeoutMs?: number,
): Promise<EmuMessage> {
  const sent = await bot.emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
  return answerTo(bot, sent, timeoutMs);
}

/** A card titled `title` the bot posts (not as a reply) into `chatId` after its first `before` messages. */
export function postedCard(bot: Talking, chatId: string, title: string, before = 0): Promise<EmuMessage> {
  return bot.emu.waitFor(
    () =>
      bot.emu
        .botMessages(chatId)
        .slice(before)
        .find((m) => cardTitle(m) === title && m.parentId === undefined),
    { what: `card ${title}`, timeoutMs: 10_000 },
  );
}

/** The toasts of a personal button pressed on a group card: its form or view went to the clicker privately. */
export const SENT_PRIVATELY = {
  form: '已私信发送，请在与清风的单聊中填写',
  view: '已私信发送，请在与清风的单聊中查看',
} as const;

/**
 * Presses `text` on a card as `from` to open a form. On a private card the form replaces the card; on a
 * group card the group card stays as it is and the form arrives in `from`'s private chat with the bot.
 * Returns the message that holds the form, as it is now.
 */
export async function openForm(bot: Talking, card: EmuMessage, from: EmuUser, text: string | RegExp) {
  const chatId = bot.emu.p2pChat(from.openId).chatId;
  const seen = new Set(bot.emu.botMessages(chatId).map((m) => m.messageId));
  const value = button(bot.emu.requireMessage(card.messageId), text).value;
  const opened = await bot.emu.click({ messageId: card.messageId, from: from.openId, value });
  if (opened.error) throw new Error(opened.error);
  if (opened.card) return bot.emu.requireMessage(card.messageId);
  expect(opened.toast).toEqual({ type: 'info', content: SENT_PRIVATELY.form });
  return bot.emu.waitFor(
    () => bot.emu.botMessages(chatId).find((m) => !seen.has(m.messageId) && m.content.includes('"tag":"form"')),
    { what: `form ${text} for ${from.name}` },
  );
}
