/**
 * The soak (`npm run soak`, not part of `npm test`): the real bot process under mixed load for a long
 * time (10 minutes by default) while faults keep coming — SIGKILL and restart, Feishu 5xx outages, 429
 * bursts, answers slower than 3 s, a revoked token, the long connection dropped or half-open, and the
 * reminder job run by a CLI process that is sometimes killed. At the end it checks what the fault suite
 * checks (every command answered once, every 请假 recorded once, every click answered, each reminder
 * posted once, no dead letter) and prints a summary; the exit code says whether everything held.
 *
 *   npm run soak                              10 minutes on SQLite
 *   npm run soak -- --minutes 2 --seed 42     shorter; the seed fixes the choices (timing still varies)
 *   QF_TEST_DB=postgres TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run soak
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../helpers/fault-bot.ts';
import {
  BotProcess,
  cliProcess,
  killChild,
  Load,
  processDatabase,
  processEmulator,
  quietLogger,
  REMINDER_NOW,
  report,
  runRemindersInProcess,
  seedDueRectifications,
  settle,
  setupWorld,
} from '../helpers/fault-proc.ts';
import { pace } from '../helpers/wait.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.QF_SOAK_MINUTES ?? '10' },
    seed: { type: 'string', default: process.env.QF_SOAK_SEED ?? String(Date.now() % 1_000_000) },
    /** Operations per second the load aims at (Feishu allows 1,000 sends a minute per app). */
    rate: { type: 'string', default: '8' },
  },
});
const MINUTES = Number(values.minutes);
const SEED = Number(values.seed);
const RATE = Number(values.rate);
const MIN_COMMANDS = 1000;
const dialect = process.env.QF_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => process.stdout.write(`[${elapsed()}] ${line}\n`);

async function main(): Promise<number> {
  say(`soak: ${MINUTES} min on ${dialect}, seed ${SEED}, ~${RATE} operations/s`);
  const random = seededRandom(SEED);
  const emu = await processEmulator({ pingIntervalSec: 5 });
  const db = await processDatabase();
  const bot = new BotProcess(emu, db.url);
  const faults: Record<string, number> = {};
  const count = (k: string) => {
    faults[k] = (faults[k] ?? 0) + 1;
  };
  try {
    await bot.start();
    const w = await setupWorld(emu, db.handle.db, { size: 40, owners: 10 });
    const rectIds = await seedDueRectifications(db.handle.db, w, 100);
    const load = new Load(emu, w, random);
    say(`org bound with ${w.people.length} people, ${rectIds.length} rectifications due for a reminder`);

    const loadEnds = started + MINUTES * 60_000;
    let stopLoad = false;
    // The load: paced operations, several in flight, at least MIN_COMMANDS in all.
    const loadDone = (async () => {
      const inFlight = new Set<Promise<void>>();
      while (!stopLoad && (Date.now() < loadEnds || load.commands.length < MIN_COMMANDS)) {
        const p = load.one().finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 20) await Promise.race(inFlight);
        await pace(1000 / RATE);
      }
      await Promise.all(inFlight);
    })();

    // The chaos: one fault at a time, every 10–40 s.
    const chaosEnds = loadEnds - 20_000;
    const jobs: Promise<unknown>[] = [];
    while (Date.now() < chaosEnds) {
      await pace(10_000 + Math.floor(random() * 30_000));
      if (Date.now() >= chaosEnds) break;
      const pick = Math.floor(random() * 8);
      if (pick === 0 || pick === 1) {
        count('kill');
        say(`SIGKILL the bot (after ${load.commands.length} commands)`);
        await bot.kill();
        await bot.start();
        say('bot restarted');
      } else if (pick === 2) {
        const ms = 5000 + Math.floor(random() * 25_000);
        count('5xx outage');
        say(`Feishu answers 503 for ${Math.round(ms / 1000)} s`);
        emu.failNext({
          method: 'POST',
          path: '/im/v1/messages',
          times: Number.POSITIVE_INFINITY,
          status: 503,
          code: 503,
        });
        await pace(ms);
        emu.clearFaults();
      } else if (pick === 3) {
        count('429 burst');
        say('429 bursts for 10 s');
        const on = (r: { method?: string; path: string }) => {
          if (r.method === 'POST' && r.path.startsWith('/open-apis/im/v1/messages') && random() < 0.4)
            emu.failNext({
              method: 'POST',
              path: r.path,
              times: 1,
              status: 429,
              code: 99991400,
              headers: { 'x-ogw-ratelimit-reset': '1' },
            });
        };
        emu.on('request', on);
        await pace(10_000);
        emu.off('request', on);
      } else if (pick === 4) {
        count('slow Feishu');
        say('Feishu answers after 3.5 s for 10 s');
        emu.latencyMs = 3500;
        await pace(10_000);
        emu.latencyMs = 0;
      } else if (pick === 5) {
        count('token revoked');
        say('tenant tokens revoked');
        emu.revokeTokens();
      } else if (pick === 6) {
        const halfOpen = random() < 0.5;
        count(halfOpen ? 'half-open' : 'connection dropped');
        if (halfOpen) {
          say('long connection half-open (no pongs) for 30 s');
          emu.setPongs(false);
          await pace(30_000);
          emu.setPongs(true);
        } else {
          say('long connection dropped');
          emu.dropConnections();
        }
      } else {
        count('reminder job');
        const job = cliProcess(emu, db.url, ['job', 'run', 'rectification-reminders', '--now', REMINDER_NOW]);
        if (random() < 0.5) {
          count('reminder job killed');
          say('reminder job started in a CLI process, to be killed');
          jobs.push(pace(1500 + Math.floor(random() * 3000)).then(() => killChild(job.child)));
        } else say('reminder job started in a CLI process');
        jobs.push(job.done);
      }
    }
    await loadDone;
    stopLoad = true;
    await Promise.all(jobs);
    emu.clearFaults();
    emu.latencyMs = 0;
    emu.setPongs(true);
    if (!bot.running) await bot.start();
    say(`load done: ${load.commands.length} commands, ${load.clicks.length} clicks; a last reminder run`);
    await runRemindersInProcess(db.handle, quietLogger());
    await settle(emu, db.handle.db, load, 180_000);

    const r = await report(emu, db.handle.db, load, rectIds);
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    check(r.commands >= MIN_COMMANDS, `only ${r.commands} commands (want ≥ ${MIN_COMMANDS})`);
    check(r.unanswered.length === 0, `${r.unanswered.length} commands never answered`);
    check(r.answeredTwice.length === 0, `${r.answeredTwice.length} commands answered more than once`);
    check(r.processedMessages === r.commands, `${r.processedMessages} of ${r.commands} commands recorded as processed`);
    check(r.clicksFailed === 0, `${r.clicksFailed} clicks never answered`);
    check(r.awayRecorded === r.awaySent, `请假: ${r.awaySent} sent, ${r.awayRecorded} recorded`);
    check(r.awayAnswered === r.awaySent, `请假: ${r.awaySent} sent, ${r.awayAnswered} confirmed`);
    check(r.reminders.claims === r.reminders.items, `${r.reminders.claims} reminder claims for ${r.reminders.items}`);
    check(r.reminders.missing.length === 0, `reminders never posted: ${r.reminders.missing.join(', ')}`);
    check(r.reminders.twice.length === 0, `reminders posted twice: ${r.reminders.twice.join(', ')}`);
    check(r.dead === 0, `${r.dead} dead letters`);
    check(r.pending === 0, `${r.pending} messages still pending`);
    check(r.duplicateUuids === 0, `${r.duplicateUuids} uuids posted twice`);

    const summary = {
      dialect,
      seed: SEED,
      minutes: MINUTES,
      durationSec: Math.round((Date.now() - started) / 1000),
      faults,
      botStarts: bot.starts,
      commands: r.commands,
      byKind: r.byKind,
      clicks: r.clicks,
      clickRetries: r.clickRetries,
      eventsRedelivered: emu.stats.redelivered,
      rateLimitedByEmulator: emu.stats.rateLimited,
      away: { sent: r.awaySent, recorded: r.awayRecorded },
      reminders: { items: r.reminders.items, claims: r.reminders.claims },
      dead: r.dead,
      duplicates: r.answeredTwice.length + r.duplicateUuids,
      unanswered: r.unanswered.length,
      botErrorLines: bot.records().filter((l) => (l.level as number) >= 50).length,
    };
    process.stdout.write(`\nsoak summary\n${JSON.stringify(summary, null, 2)}\n`);
    if (problems.length) {
      process.stdout.write(`\nFAILED:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write('\nall checks held\n');
    return 0;
  } finally {
    await bot.kill();
    await emu.close();
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`soak crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
