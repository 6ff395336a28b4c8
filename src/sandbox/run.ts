/**
 * `npm start` without Feishu credentials: the emulator and console on loopback, the real bot
 * connected to it over the long connection, and a seeded demo organisation. Data (the bot's tables
 * and the emulated Feishu world) lives in ./data/sandbox.db, so a restart keeps what the visitor did.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { commands } from '../../commands/index.ts';
import { jobs } from '../../jobs/index.ts';
import { type App, createApp } from '../app.ts';
import { OffsetClock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { type DbHandle, openDatabase } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { listHolidayOverrides } from '../db/repositories/holidays.ts';
import { findOrgByName } from '../db/repositories/orgs.ts';
import { WorkCalendar } from '../domain/workdays.ts';
import { createLogger } from '../logger.ts';
import { controlRoutes } from './control-api.ts';
import { Emulator } from './emulator.ts';
import { loadSandbox, type SandboxMeta, saveSandbox } from './persist.ts';
import { DEMO_ORG, seedSandbox } from './seed.ts';
import { redrawSeededCards } from './seed-cards.ts';
import { seedHierarchy } from './seed-hierarchy.ts';
import { seedLife } from './seed-life.ts';
import { seedMeetings } from './seed-meetings.ts';
import { seedRectifications } from './seed-rectifications.ts';
import { seedTasks } from './seed-tasks.ts';

export const SANDBOX_APP_ID = 'cli_5a4e0b0c0d0e0f10';
export const SANDBOX_APP_SECRET = 'qingfeng-sandbox-secret';

export interface SandboxOptions {
  config: Config;
  databaseUrl: string;
  /** Where the JSON logs go (the terminal shows only the console URL). */
  logFile: string;
}

export interface Sandbox {
  url: string;
  app: App;
  emu: Emulator;
  db: DbHandle;
  stop(): Promise<void>;
}

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  mkdirSync(dirname(o.logFile), { recursive: true });
  const logger = createLogger(o.config.logLevel, createWriteStream(o.logFile, { flags: 'a' }));
  const clock = new OffsetClock();
  const handle = openDatabase(o.databaseUrl);
  await migrateToLatest(handle.db, handle.dialect);
  const saved = await loadSandbox(handle.db);
  clock.advance(saved.meta?.clockOffsetMs ?? 0);

  let app: App | undefined;
  let ready = false;
  const emu: Emulator = new Emulator({
    appId: SANDBOX_APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    clock,
    wallClock: systemClock,
    host: '127.0.0.1',
    port: o.config.port,
    botOpenId: saved.meta?.botOpenId,
    delivery: 'websocket',
    extraRoutes: (req, res, body) => routes(req, res, body),
  });
  const routes = controlRoutes({
    emu,
    clock,
    jobs: jobs.map((j) => ({ name: j.name, summary: j.summary, schedule: j.schedule })),
    timezone: o.config.timezone,
    runJob: (name, now) => {
      if (!app) throw new Error('the bot is still starting');
      return app.runJob(name, now);
    },
    health: async () => (ready ? app?.health() : undefined),
  });
  if (saved.world) emu.restore(saved.world);
  if (saved.apiLog) emu.store.restoreLog(saved.apiLog);
  try {
    await emu.start();
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(
      code === 'EADDRINUSE' ? `端口 ${o.config.port} 已被占用，请用 PORT=其他端口 npm start` : String(err),
    );
  }

  const meta: SandboxMeta = {
    botOpenId: emu.bot.openId,
    clockOffsetMs: clock.offset,
    seeded: saved.meta?.seeded ?? false,
  };
  let saving: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    meta.clockOffsetMs = clock.offset;
    saving = saving
      .then(() => saveSandbox(handle.db, meta, emu))
      .catch((err) => logger.error({ err: String(err) }, 'saving the sandbox failed'));
    return saving;
  };
  const scheduleSave = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void save();
    }, 300);
  };
  emu.on('change', scheduleSave);
  // The Open API log is kept too (the console's log panel shows it again after a restart).
  emu.on('api', scheduleSave);

  app = await createApp({
    config: {
      ...o.config,
      feishu: { appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET },
      domain: emu.url,
      transport: 'websocket',
      port: 0,
    },
    db: handle,
    logger,
    clock,
    wallClock: systemClock,
    commands,
    jobs,
    host: '127.0.0.1',
  });
  await app.ready;
  ready = true;
  if (!meta.seeded) {
    await seedSandbox(emu);
    const org = await findOrgByName(handle.db, DEMO_ORG);
    if (org) {
      const calendar = new WorkCalendar(await listHolidayOverrides(handle.db));
      const seed = { db: handle.db, org, now: clock.now(), timezone: o.config.timezone, logger, calendar };
      await seedRectifications(seed);
      await seedTasks(seed);
      await seedMeetings(seed);
      // The 机关党委 over three 支部 (issue 15 item 6), before the jobs so that they see it too.
      await seedHierarchy(emu, { ...seed, clock });
      // 第一党支部's 组织生活会 year (issue 16 item 4), after its register, 党小组 and newcomers are in.
      await seedLife({ ...seed, now: clock.now() });
      app.dispatcher.wake();
      // What the jobs would have posted by now, so the first visit already shows the reminders.
      for (const job of jobs) await app.runJob(job.name, clock.now());
      // Every seeded card redrawn from the data as it now stands, so the first look matches it.
      await redrawSeededCards({ ...seed, now: clock.now() });
      app.dispatcher.wake();
    }
    meta.seeded = true;
    await save();
  }
  const running = app;
  return {
    url: `${emu.url}/`,
    app: running,
    emu,
    db: handle,
    async stop() {
      if (timer) clearTimeout(timer);
      await save();
      await running.stop();
      await emu.close();
      await handle.close();
    },
  };
}
