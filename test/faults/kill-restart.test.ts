/**
 * The bot process (the real `npm start` entry) killed with SIGKILL at random points during a burst of
 * commands (/我的, /帮助, /请假, /整改 新建 by admins) and help-card clicks, and started again each time:
 * every command answered exactly once, every 请假 recorded once, clicks that failed during a kill answered
 * when tried again; the reminder job run by a CLI process that is itself killed, then run again: each
 * reminder claimed and posted exactly once; no dead letter. (The full 1,000 commands run in `npm run soak`.)
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { testDialect } from '../helpers/db.ts';
import { seededRandom } from '../helpers/fault-bot.ts';
import {
  cliProcess,
  killChild,
  Load,
  quietLogger,
  REMINDER_NOW,
  report,
  runRemindersInProcess,
  seedDueRectifications,
  settle,
  setupWorld,
  startBotProcess,
} from '../helpers/fault-proc.ts';
import { pace } from '../helpers/wait.ts';

const SEED = Number(process.env.QF_FAULT_SEED ?? Date.now() % 1_000_000);
/** As many as fit in a minute on a 2-core machine with the restarts (each start is a few seconds under the load of the suite). */
const COMMANDS = 300;
const KILLS = 3;

describe('SIGKILL during a burst', () => {
  it(`answers every command once and keeps every change across ${KILLS} kills (${testDialect}, seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const { emu, db, bot } = await startBotProcess();

    const w = await setupWorld(emu, db.handle.db, { size: 20, owners: 6 });
    const rectIds = await seedDueRectifications(db.handle.db, w, 30);
    const load = new Load(emu, w, random);

    // The reminder job in its own process, killed at a random point of its run (or after it).
    const job = cliProcess(emu, db.url, ['job', 'run', 'rectification-reminders', '--now', REMINDER_NOW]);
    onTestFinished(() => killChild(job.child));
    const jobKill = pace(2500 + Math.floor(random() * 2500)).then(() => killChild(job.child));

    // Kill points: random moments of the burst (after a random number of commands were sent).
    const killAt = Array.from({ length: KILLS }, () => Math.floor(COMMANDS * (0.1 + 0.75 * random()))).sort(
      (a, b) => a - b,
    );
    const burst = load.run(COMMANDS, 10);
    const kills: number[] = [];
    for (const [k, at] of killAt.entries()) {
      await emu.waitFor(() => load.commands.length + load.clicks.length >= at, {
        timeoutMs: 40_000,
        what: `command ${at} of the burst`,
      });
      // Somewhere inside the next few hundred milliseconds, so the kill lands mid-transaction or mid-send.
      await pace(Math.floor(random() * 400));
      kills.push(load.commands.length + load.clicks.length);
      await bot.kill();
      await bot.start();
      if (k === 0) {
        await jobKill;
        // Whatever the killed run claimed stays claimed; the rest is claimed now.
        await runRemindersInProcess(db.handle, quietLogger());
      }
    }
    await burst;
    await jobKill;
    // A last run finds every reminder already claimed: it adds nothing to send.
    const rows = async () =>
      Number(
        (
          await db.handle.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Counted once the bot has worked off every event: the work of events acknowledged during the burst
    // goes on after it, and its answers are outbox rows too.
    await settle(emu, db.handle.db, load, 30_000);
    const before = await rows();
    await runRemindersInProcess(db.handle, quietLogger());
    expect(await rows()).toBe(before);

    const r = await report(emu, db.handle.db, load, rectIds);
    const summary = { seed: SEED, killsAfterCommands: kills, ...r, unanswered: r.unanswered.length };
    expect(bot.kills, JSON.stringify(summary)).toBe(KILLS);
    expect(r.commands).toBe(COMMANDS - r.clicks);
    expect(r.unanswered, JSON.stringify(summary)).toEqual([]);
    expect(r.answeredTwice, JSON.stringify(summary)).toEqual([]);
    expect(r.processedMessages).toBe(r.commands);
    expect(r.clicksFailed, JSON.stringify(summary)).toBe(0);
    expect(r.awaySent).toBeGreaterThan(10);
    expect(r.awayAnswered).toBe(r.awaySent);
    expect(r.awayRecorded).toBe(r.awaySent);
    expect(r.reminders.claims).toBe(rectIds.length);
    expect(r.reminders.missing).toEqual([]);
    expect(r.reminders.twice).toEqual([]);
    expect(r.dead).toBe(0);
    expect(r.pending).toBe(0);
    expect(r.duplicateUuids).toBe(0);
    // Each restart logged a clean start.
    expect(bot.records().filter((l) => l.msg === 'qingfeng started')).toHaveLength(KILLS + 1);
  }, 58_000);
});
