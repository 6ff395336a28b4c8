/**
 * Catch-up runs meet the same gate as scheduled ones (issue 18 item 9): the quarter's roll-up, owed
 * since the quarter's last working day (30 September 2026), is not sent during the National Day
 * holiday by the scheduler's catch-up run at start-up, nor by a run by hand; it waits — it is not
 * dropped — and goes out once the gate opens: the first working day after the holiday (the work
 * calendar), when the quiet hours end at 08:00. Sent once, however many runs see it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../../jobs/index.ts';
import type { JobSpec } from '../../src/core/contracts.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { UNGATED_JOBS } from '../../src/scheduler/gate.ts';
import type { JobDeps } from '../../src/scheduler/runner.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { type BotHarness, seedBranch, startBot, systemClock } from '../helpers/bot.ts';
import { button, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { dutyListRows, dutyListXlsx } from '../helpers/duty-files.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const ROLLUP = '季季报汇总 · 2026年第三季度';
const wc = new WorkCalendar();

describe('catch-up runs and the working-day gate', () => {
  let h: BotHarness;
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await h?.stop();
  });

  it('holds the quarterly roll-up caught up on 2 October (国庆节) until the first working day after, 08:00, and sends it once', async () => {
    const clock = new ManualClock(bj('2026-09-21', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

    // The secretary imports the responsibility list (two items), privately.
    const rows = dutyListRows().slice(0, 2);
    const file = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '2026年主体责任清单.xlsx',
      bytes: await dutyListXlsx(rows),
    });
    const preview = await talk.answerTo(h, file);
    const imported = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, `确认导入 ${rows.length} 行`).value,
    });
    expect(imported.toast?.content).toBe('导入完成');
    await talk.settled(h);

    const rollups = () => h.emu.botMessages(p2p(w.secretary)).filter((m) => cardTitle(m) === ROLLUP);
    const quarterly = jobs.find((j) => j.name === 'task-quarterly') as JobSpec;
    const deps: JobDeps = {
      db: h.db.db,
      clock,
      wallClock: systemClock,
      settings: { timezone: 'Asia/Shanghai', botAdmins: [] },
      logger: h.logs.logger,
      calendar: async () => new WorkCalendar(await listHolidayOverrides(h.db.db)),
      afterCommit: () => h.app.dispatcher.wake(),
    };

    // The bot comes back on 2 October at 10:00, a day of the National Day holiday: its catch-up run
    // finds the roll-up owed and holds it.
    expect(wc.isWorkday('2026-10-02')).toBe(false);
    clock.set(bj('2026-10-02', '10:00'));
    scheduler = new Scheduler([quarterly], deps, 'Asia/Shanghai');
    scheduler.start({ catchUp: true });
    await scheduler.idle();
    await talk.settled(h);
    expect(rollups()).toEqual([]);

    // A run by hand (the command line, the sandbox) meets the same gate.
    const byHand = await h.app.runJob('task-quarterly', bj('2026-10-05', '10:00'));
    expect(byHand).toMatchObject({ due: 1, posted: 0, held: 1 });

    // The first working day after the holiday: quiet hours until 08:00, then it goes out.
    const next = wc.addWorkdays('2026-10-02', 1);
    expect(byHand.heldUntil).toBe(bj(next, '08:00').toISOString());
    clock.set(bj(next, '07:59'));
    await scheduler.runHeld();
    await scheduler.idle();
    await talk.settled(h);
    expect(rollups()).toEqual([]);

    clock.set(bj(next, '08:00'));
    await scheduler.runHeld();
    await scheduler.idle();
    await h.emu.waitFor(() => rollups().length > 0, { what: 'the roll-up to the secretary' });

    // Sent once: the next tick, another start-up and a run by hand find it claimed.
    clock.set(bj(next, '09:00'));
    await scheduler.runHeld();
    const again = new Scheduler([quarterly], deps, 'Asia/Shanghai');
    again.start({ catchUp: true });
    await again.idle();
    await again.stop();
    expect(await h.app.runJob('task-quarterly', bj(next, '09:30'))).toMatchObject({ posted: 0, skipped: 1, held: 0 });
    // In the evening's quiet hours it is done, not waiting again.
    expect(await h.app.runJob('task-quarterly', bj(next, '21:00'))).toMatchObject({ posted: 0, skipped: 1, held: 0 });
    await talk.settled(h);
    expect(rollups()).toHaveLength(1);
    for (const u of w.members) expect(h.emu.botMessages(p2p(u)).filter((m) => cardTitle(m) === ROLLUP)).toEqual([]);
  });

  it('every job not named as ungated has its deliveries gated, and each ungated one is a registered job', () => {
    const names = new Set(jobs.map((j) => j.name));
    for (const name of Object.keys(UNGATED_JOBS)) expect(names, name).toContain(name);
    expect(Object.keys(UNGATED_JOBS)).not.toContain('task-quarterly');
  });
});
