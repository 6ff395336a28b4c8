/**
 * 3. Outbound: 5,000 messages (1,000 with --quick) fanned out to 1,000 users and 100 chats, enqueued
 * with the outbox writer in one transaction, sent by the bot's dispatcher (production settings)
 * against the emulator's enforced limits: 50/s and 1000/min per app, 5/s per chat and per user
 * (fixed windows, as Feishu counts them). Every limit check the emulator makes is recorded, so each
 * 429 can be matched with the bot's next attempt on the same limit.
 */
import { performance } from 'node:perf_hooks';
import { createOutboxWriter } from '../../src/db/repositories/outbox-writer.ts';
import type { EmuChat, EmuUser } from '../../src/sandbox/store.ts';
import { type BenchResult, log, ms, num, outboxCounts, pct, row, sleep, startBenchBot } from './lib.ts';

interface Hit {
  key: string;
  at: number;
  windowMs: number;
  limited: boolean;
}

/** `app per second ×2, chat ×1` … */
function byLimit(hits: Hit[]): string {
  const names = (k: string) =>
    k === 'app:s' ? 'app per second' : k === 'app:m' ? 'app per minute' : k.startsWith('chat:') ? 'chat' : 'user';
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(names(h.key), (counts.get(names(h.key)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
}

export async function runOutbound(o: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const total = o.quick ? 1000 : 5000;
  const chatsN = o.quick ? 20 : 100;
  const usersN = chatsN * 10;
  const perChat = 10;
  const perUser = 4;
  log(`outbound: ${num(total)} messages to ${usersN} users and ${chatsN} chats …`);
  const b = await startBenchBot({ transport: 'websocket', logLevel: 'warn' });
  const users: EmuUser[] = Array.from({ length: usersN }, (_, i) => b.emu.addUser(`成员${i}`));
  const chats: EmuChat[] = Array.from({ length: chatsN }, (_, i) =>
    b.emu.createGroup({
      name: `第${i + 1}党支部`,
      owner: (users[i * 10] as EmuUser).openId,
      members: users.slice(i * 10, i * 10 + 10).map((u) => u.openId),
    }),
  );

  // Instrument the emulator's limit windows (wall-clock ms of every check, and whether it was refused).
  const hits: Hit[] = [];
  const windows = (b.emu as unknown as { windows: { hit(k: string, l: number, w: number, now: number): number } })
    .windows;
  const hit = windows.hit.bind(windows);
  windows.hit = (key, limit, windowMs, now) => {
    const reset = hit(key, limit, windowMs, now);
    if (!key.startsWith('patch:')) hits.push({ key, at: now, windowMs, limited: reset > 0 });
    if (reset > 0) lastRefusal = { key, at: now, windowMs, limited: true };
    return reset;
  };
  // Every send attempt by uuid, with the limit that refused it (429s), so each refused message's retry
  // can be checked against that limit's window.
  let lastRefusal: Hit | undefined;
  const attempts: { uuid: string; at: number; refusedBy?: Hit }[] = [];
  const api = b.emu as unknown as { apiSend(t: string, body: Record<string, unknown>): unknown };
  const apiSend = api.apiSend.bind(b.emu);
  api.apiSend = (t, body) => {
    lastRefusal = undefined;
    const at = Date.now();
    try {
      return apiSend(t, body);
    } catch (err) {
      if (lastRefusal) attempts.push({ uuid: String(body.uuid), at, refusedBy: lastRefusal });
      throw err;
    } finally {
      if (!lastRefusal) attempts.push({ uuid: String(body.uuid), at });
    }
  };
  const sends: number[] = [];
  b.emu.on('api', (e: { method: string; path: string; status: number }) => {
    if (e.method === 'POST' && e.path === '/open-apis/im/v1/messages' && e.status === 200) sends.push(Date.now());
  });
  const limitedBefore = b.emu.stats.rateLimited;

  // Consecutive rows share targets (a chat's 10 messages, then 4 to each of its members), so the
  // per-chat and per-user limits are met as well as the app's.
  const expected: { to: { chatId: string } | { openId: string }; text: string }[] = [];
  for (let c = 0; expected.length < total; c = (c + 1) % chatsN) {
    const chat = chats[c] as EmuChat;
    for (let i = 0; i < perChat; i++)
      expected.push({ to: { chatId: chat.chatId }, text: `通知 #${expected.length} 发往 ${chat.name}` });
    for (const u of users.slice(c * 10, c * 10 + 10))
      for (let i = 0; i < perUser; i++)
        expected.push({ to: { openId: u.openId }, text: `提醒 #${expected.length} 发给 ${u.name}` });
  }
  expected.length = total;
  const enqueueStart = performance.now();
  const enqueuedAt = Date.now();
  await b.db.db.transaction().execute(async (trx) => {
    const outbox = createOutboxWriter(trx, { at: new Date().toISOString() });
    for (const m of expected) await outbox.send(m.to, { type: 'text', text: m.text });
  });
  const enqueueMs = performance.now() - enqueueStart;
  b.app.dispatcher.wake();

  const timeoutMs = (total / 1000) * 60_000 + 120_000;
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const counts = await outboxCounts(b.db);
    const pending = counts.pending ?? 0;
    if (pending === 0 || Date.now() > deadline) break;
    const sent = counts.sent ?? 0;
    if (sent - last >= 500 || last < 0) {
      log(`outbound: ${num(sent)} sent, ${num(pending)} pending, ${b.emu.stats.rateLimited - limitedBefore} × 429`);
      last = sent;
    }
    await sleep(1000);
  }
  await sleep(500);
  const counts = await outboxCounts(b.db);

  // What Feishu (the emulator) holds.
  const botMsgs = [...b.emu.store.messages.values()].filter((m) => m.senderType === 'app');
  const byText = new Map<string, number>();
  const byUuid = new Map<string, number>();
  for (const m of botMsgs) {
    const text = (JSON.parse(m.content) as { text?: string }).text ?? '';
    byText.set(text, (byText.get(text) ?? 0) + 1);
    if (m.uuid) byUuid.set(m.uuid, (byUuid.get(m.uuid) ?? 0) + 1);
  }
  const dupText = [...byText.values()].filter((n) => n > 1).length;
  const dupUuid = [...byUuid.values()].filter((n) => n > 1).length;
  const lost = expected.filter((e) => !byText.has(e.text)).length;
  const wrongPlace = botMsgs.filter((m) => {
    const text = (JSON.parse(m.content) as { text?: string }).text ?? '';
    const chat = b.emu.store.chats.get(m.chatId);
    return text.includes('发往') ? !text.endsWith(chat?.name ?? '\u0000') : chat?.type !== 'p2p';
  }).length;

  // Each refused message: its next attempt (same uuid) must come after the refusing limit's window reset.
  const limited = hits.filter((h) => h.limited);
  const refused = attempts.filter((a) => a.refusedBy);
  let correctWaits = 0;
  const early: string[] = [];
  for (const a of refused) {
    const h = a.refusedBy as Hit;
    const windowEnd = Math.floor(h.at / h.windowMs) * h.windowMs + h.windowMs;
    const retry = attempts.find((x) => x.uuid === a.uuid && x.at > a.at);
    if (retry && retry.at >= windowEnd) correctWaits++;
    else
      early.push(
        retry
          ? `a message refused by ${h.key} was retried ${retry.at - a.at} ms later, before the window reset (${windowEnd - a.at} ms)`
          : `a message refused by ${h.key} was never retried`,
      );
  }
  // Requests on the same limit that reached Feishu later in the window that refused one (after 20 ms,
  // so not merely in flight when the 429 was answered).
  let sameWindow = 0;
  for (const h of limited) {
    const windowEnd = Math.floor(h.at / h.windowMs) * h.windowMs + h.windowMs;
    sameWindow += hits.filter((x) => x.key === h.key && x.at > h.at + 20 && x.at < windowEnd).length;
  }
  const rateLimited = b.emu.stats.rateLimited - limitedBefore;
  const dispatcherStats = { ...b.app.dispatcher.stats };
  await b.stop();

  sends.sort((a, c) => a - c);
  const first = sends[0] ?? NaN;
  const lastSend = sends[sends.length - 1] ?? NaN;
  const span = (lastSend - first) / 1000;
  // The fastest the limits allow for n sends from a standing start: 1,000 per sliding minute at 50/s.
  const n = sends.length;
  const minSpan = Math.floor((n - 1) / 1000) * 60 + ((n - 1) % 1000) / 50;
  const efficiency = minSpan / span;
  const achievedPerMin = ((n - 1) / span) * 60;
  const permittedPerMin = ((n - 1) / minSpan) * 60;
  const drain = (lastSend - enqueuedAt) / 1000;
  const sentOk = (counts.sent ?? 0) === total && (counts.dead ?? 0) === 0;
  log(`outbound: drained in ${drain.toFixed(1)} s; efficiency ${pct(efficiency)}; ${rateLimited} × 429`);

  return {
    name: 'outbound',
    title: '3. Outbound',
    seconds: (performance.now() - t0) / 1000,
    sections: [
      {
        heading: `${num(total)} messages to ${num(usersN)} users and ${chatsN} chats (${perChat} per chat, ${perUser} per user)`,
        rows: [
          row('enqueue (one transaction, outbox writer)', ms(enqueueMs, 0)),
          row('time to drain (enqueue → last message at Feishu)', `${drain.toFixed(1)} s`),
          row('first → last send', `${span.toFixed(1)} s (fastest the limits allow: ${minSpan.toFixed(1)} s)`),
          row(
            'achieved ÷ permitted rate',
            `${pct(efficiency)} (${num(achievedPerMin)}/min vs ${num(permittedPerMin)}/min)`,
            '≥ 95 %',
            efficiency >= 0.95,
          ),
          row(
            'average rate, first to last send (a standing start averages over 1,000/min)',
            `${num(((n - 1) / span) * 60)}/min`,
          ),
          row(
            '429 answers from the emulator (by the limit refused)',
            `${num(rateLimited)}${limited.length ? ` (${byLimit(limited)})` : ''}`,
          ),
          row(
            'refused messages retried after the window reset (correct wait)',
            `${correctWaits} of ${refused.length}`,
            'all',
            correctWaits === refused.length,
          ),
          row('other requests on a refusing limit later in the same window (> 20 ms after the 429)', num(sameWindow)),
          row(
            'duplicates (same uuid / same text twice)',
            `${dupUuid} / ${dupText}`,
            'none',
            dupUuid === 0 && dupText === 0,
          ),
          row('lost (enqueued, never at Feishu)', num(lost), 'none', lost === 0 && sentOk),
          row('messages in the wrong chat', num(wrongPlace)),
          row(
            'outbox afterwards',
            `${num(counts.sent ?? 0)} sent, ${num(counts.pending ?? 0)} pending, ${num(counts.dead ?? 0)} dead`,
          ),
          row(
            'dispatcher counters',
            `${dispatcherStats.sent} sent, ${dispatcherStats.retried} retried, ${dispatcherStats.rateLimited} rate-limited`,
          ),
        ],
        notes: [
          "Permitted rate: Feishu's 1,000 per minute per app bounds the sustained rate; from a standing start the fastest schedule sends 1,000 at 50/s, waits for the minute to slide, and so on — for n messages that takes ⌊(n−1)/1000⌋·60 + ((n−1) mod 1000)/50 s. The ratio is that time over the measured first-to-last span.",
          "Correct wait: every message the emulator refused (429) was sent again only after the window of the limit that refused it (app per second or minute, chat, user) had reset — checked per message (uuid) from the emulator's own record of each attempt.",
          ...early.slice(0, 5),
        ],
      },
    ],
    notes: [],
  };
}
