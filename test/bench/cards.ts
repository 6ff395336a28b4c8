/**
 * 2. Card actions over the long connection and over webhooks: 50 clickers, each with their own user, press the help
 * card's 我的 button in a loop for ~20 s (`emu.click`: the emulator pushes `card.action.trigger`,
 * the bot answers within the ack with a toast, sends the personal view privately through the outbox,
 * and leaves the shared group card as it was).
 * Latency is from the click to the applied answer.
 */
import { performance } from 'node:perf_hooks';
import {
  type BenchResult,
  log,
  meButtonValue,
  ms,
  num,
  row,
  type Section,
  seedBranches,
  startBenchBot,
  stats,
} from './lib.ts';

export async function runCards(o: { quick: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const sections: Section[] = [];
  for (const transport of ['websocket', 'webhook'] as const) sections.push(await clicks(transport, o.quick));
  return { name: 'cards', title: '2. Card actions', seconds: (performance.now() - t0) / 1000, sections, notes: [] };
}

async function clicks(transport: 'websocket' | 'webhook', quick: boolean): Promise<Section> {
  const durationMs = quick ? 8000 : 20_000;
  const clickers = 50;
  const over = transport === 'websocket' ? 'the long connection' : 'webhooks';
  log(`cards: starting the bot (${over}) with 5 groups of 10 members …`);
  const b = await startBenchBot({ transport });
  const branches = await seedBranches(b, 5, 10);
  const users = branches.flatMap((br) => br.members.map((m) => ({ br, openId: m.openId })));
  const latencies: number[] = [];
  let errors = 0;
  let toastsOk = 0;
  const loop = async (i: number, until: number, record: boolean) => {
    const u = users[i % users.length] as (typeof users)[number];
    const value = meButtonValue(u.br.helpCard);
    while (performance.now() < until) {
      const s = performance.now();
      const r = await b.emu.click({ messageId: u.br.helpCard.messageId, from: u.openId, value });
      const d = performance.now() - s;
      if (!record) continue;
      latencies.push(d);
      // A group card stays shared: the answer is a toast, the personal view goes out privately.
      if (r.error || r.card || !r.toast?.content.startsWith('已私信发送')) errors++;
      else toastsOk++;
    }
  };
  // Service time: one clicker at a time (no queueing), for comparison with the 50-clicker latency.
  const single: number[] = [];
  {
    const u = users[0] as (typeof users)[number];
    const value = meButtonValue(u.br.helpCard);
    const until = performance.now() + (quick ? 2000 : 4000);
    while (performance.now() < until) {
      const s0 = performance.now();
      await b.emu.click({ messageId: u.br.helpCard.messageId, from: u.openId, value });
      single.push(performance.now() - s0);
    }
  }
  log('cards: warming up 2 s …');
  const warmEnd = performance.now() + 2000;
  await Promise.all(Array.from({ length: clickers }, (_, i) => loop(i, warmEnd, false)));
  log(`cards: ${clickers} clickers for ${durationMs / 1000} s …`);
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(Array.from({ length: clickers }, (_, i) => loop(i, end, true)));
  const elapsed = performance.now() - start;
  const s = stats(latencies);
  const audits = await b.db.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', 'action:help.run')
    .executeTakeFirstOrThrow();
  await b.stop();
  log(`cards (${over}): p50 ${ms(s.p50)} p99 ${ms(s.p99)} (${s.n} clicks)`);
  return {
    heading: `${clickers} concurrent clickers over ${over}, ${durationMs / 1000} s`,
    rows: [
      row('clicks answered', `${num(s.n)} (${num((s.n / elapsed) * 1000)} clicks/s)`),
      row('click → answer p50 / p90', `${ms(s.p50)} / ${ms(s.p90)}`),
      row('click → answer p99', ms(s.p99), '≤ 100 ms', s.p99 <= 100),
      row('click → answer max', ms(s.max)),
      row(
        'one clicker alone (service time, no queueing): p50 / p99',
        `${ms(stats(single).p50)} / ${ms(stats(single).p99)}`,
      ),
      row('mean latency implied by Little’s law (50 in flight ÷ throughput)', ms(clickers / (s.n / elapsed))),
      row('answers with an error, or not as a private send', num(errors)),
      row('answered with the private-send toast', num(toastsOk)),
      row('audit rows for the clicks (each click audited once)', num(Number(audits.n))),
      row('outbox dispatcher', 'on'),
    ],
    notes: [
      "Each clicker waits for its answer before clicking again (closed loop), so the offered rate is what the bot sustains; Feishu's limit for the answer is 3 s.",
      "The emulator (building the callback, applying and validating the returned card) runs in the bot's process and is included in the latency.",
    ],
  };
}
