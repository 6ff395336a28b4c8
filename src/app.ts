/**
 * createApp: wires the bot from its parts — database, Feishu client, router, outbox dispatcher,
 * scheduler, HTTP server and the long connection. No environment, no globals: everything comes in.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config.ts';
import type { Clock } from './core/clock.ts';
import type { CommandModule, JobModule, Logger, RuntimeSettings } from './core/contracts.ts';
import type { DbHandle } from './db/connection.ts';
import { GroupCommit, type GroupCommitStats } from './db/group-commit.ts';
import { migrateToLatest } from './db/migrate.ts';
import { probeWrite, withTimeout } from './db/repositories/health.ts';
import { listHolidayOverrides } from './db/repositories/holidays.ts';
import { countOutbox, listLeaseOwners, releaseLeases } from './db/repositories/outbox.ts';
import { type StartupRetryOptions, untilDatabaseAnswers } from './db/retry.ts';
import { WorkCalendar } from './domain/workdays.ts';
import { attachTargets, conversation, endMembership, importers } from './features/index.ts';
import { BotIdentity } from './feishu/bot-identity.ts';
import { createFeishuClient, type FeishuClient } from './feishu/client.ts';
import { OutboxDispatcher } from './feishu/dispatcher.ts';
import { HttpServer } from './feishu/http.ts';
import { Inbox, markingDone } from './feishu/inbox.ts';
import { createEventDispatcher } from './feishu/ingress.ts';
import { ARRIVAL_MARGIN_MS, RateLimiter } from './feishu/limiter.ts';
import { SharedRateLimiter } from './feishu/shared-limiter.ts';
import { LongConnection, type TransportStatus } from './feishu/ws.ts';
import { CommandRegistry } from './router/registry.ts';
import { Router } from './router/router.ts';
import { type JobDeps, type JobResult, runJob } from './scheduler/runner.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { handleIncomingFile, wantsBytes } from './services/incoming-file.ts';
import { MAX_IMPORT_BYTES } from './services/spreadsheet.ts';
import { reportUnreachable, reportUrgentRefused } from './services/unreachable.ts';

export interface AppOptions {
  config: Config & { feishu: NonNullable<Config['feishu']> };
  db: DbHandle;
  logger: Logger;
  /** Business time. */
  clock: Clock;
  /** Wall-clock time (outbox backoff, transport bookkeeping). */
  wallClock: Clock;
  commands: readonly CommandModule[];
  jobs: readonly JobModule[];
  /** Run cron schedules (off in tests that drive jobs by hand). */
  schedule?: boolean;
  /** Host for the HTTP server (default all interfaces; tests and the sandbox use loopback). */
  host?: string;
  /** Tuning for tests: dispatcher polling and limits, long-connection watchdog. */
  dispatcher?: { pollMs?: number; maxAttempts?: number; leaseMs?: number; random?: () => number };
  pingTimeoutSec?: number;
  /** Tuning for tests: how long an event may take before it is acknowledged anyway, worker polling. */
  inbox?: { budgetMs?: number; pollMs?: number; maxInFlight?: number };
  /** The first wait before reading the bot's identity again after a failure (default 1 s, doubling). */
  identityRetryMs?: number;
  /** Start-up waits for an unreachable database with backoff (src/db/retry.ts); tests shorten the waits. */
  startupRetry?: StartupRetryOptions;
  /** Called after the dispatcher sent a row (the sandbox console listens). */
  onSent?: () => void;
}

export interface App {
  readonly port: number;
  readonly router: Router;
  readonly dispatcher: OutboxDispatcher;
  readonly inbox: Inbox;
  /** How the events' transactions were committed together (batches, committed, the largest). */
  readonly commits: GroupCommitStats;
  /** The bot's own open_id, read with retries. */
  readonly identity: BotIdentity;
  readonly feishu: FeishuClient;
  readonly instanceId: string;
  /** Resolves when the transport is ready (long connection up, or HTTP listening). */
  readonly ready: Promise<void>;
  health(): Promise<Record<string, unknown>>;
  runJob(name: string, now: Date): Promise<JobResult>;
  stop(): Promise<void>;
}

const CALENDAR_TTL_MS = 60_000;
/** /healthz waits this long for its write probe (a held lock would otherwise hold the answer). */
const HEALTH_WRITE_TIMEOUT_MS = 2000;

/** Lease owners are `host:pid:nonce`; one from this host whose process is gone can be released. */
function isDeadLocalOwner(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'ESRCH';
  }
}

export async function createApp(o: AppOptions): Promise<App> {
  const { config, db: handle, logger } = o;
  const db = handle.db;
  // A database that is not there yet (restarting, failing over, started after the bot) is waited for.
  await untilDatabaseAnswers('migrate', () => migrateToLatest(db, handle.dialect), logger, o.startupRetry);

  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const settings: RuntimeSettings = { timezone: config.timezone, botAdmins: config.botAdmins };
  const feishu = createFeishuClient({
    appId: config.feishu.appId,
    appSecret: config.feishu.appSecret,
    domain: config.domain,
    logger,
    now: () => o.wallClock.now().getTime(),
  });

  let cached: { at: number; calendar: WorkCalendar } | undefined;
  const calendar = async () => {
    const t = o.wallClock.now().getTime();
    if (!cached || t - cached.at > CALENDAR_TTL_MS) {
      cached = { at: t, calendar: new WorkCalendar(await listHolidayOverrides(db)) };
    }
    return cached.calendar;
  };

  // On SQLite there is one bot process per database: leases left by a crashed run are ours to take back.
  // On PostgreSQL other replicas may hold leases: take back only those of dead processes on this host
  // (now and every 10 s); a replica on another host that died loses its leases when they expire.
  const reclaim = async () => {
    for (const owner of await listLeaseOwners(db)) if (isDeadLocalOwner(owner)) await releaseLeases(db, { owner });
  };
  await untilDatabaseAnswers(
    'release leases',
    () => (handle.dialect === 'sqlite' ? releaseLeases(db).then(() => undefined) : reclaim()),
    logger,
    o.startupRetry,
  );

  const dispatcher = new OutboxDispatcher({
    db,
    dialect: handle.dialect,
    api: feishu,
    logger: logger.child({ component: 'outbox' }),
    wallClock: o.wallClock,
    limiter: new RateLimiter(() => o.wallClock.now().getTime(), ARRIVAL_MARGIN_MS),
    owner: instanceId,
    ...o.dispatcher,
    onUnreachable: (row, failure) =>
      reportUnreachable({ db, wallClock: o.wallClock, clock: o.clock }, row, failure).then(() => dispatcher.wake()),
    onUrgentRefused: (row, openIds) =>
      reportUrgentRefused({ db, wallClock: o.wallClock, clock: o.clock }, row, openIds).then(() => dispatcher.wake()),
    onSent: o.onSent,
    ...(handle.dialect === 'postgres'
      ? { shared: new SharedRateLimiter(db, () => o.wallClock.now().getTime(), ARRIVAL_MARGIN_MS), reclaim }
      : {}),
  });

  const identity = new BotIdentity({
    fetch: () => feishu.botOpenId(),
    logger,
    firstDelayMs: o.identityRetryMs,
  });
  // Read in the background from here on: the transport comes up meanwhile, nothing waits for it.
  identity.start();
  // The events' transactions, committed together while one is under way (src/db/group-commit.ts). SQLite
  // has one connection, and the inbox's insert waits for a batch: short batches. PostgreSQL: a few at
  // once, each waiting for the disk at its commit.
  const commits = new GroupCommit(
    db,
    handle.dialect === 'sqlite' ? { lanes: 1, maxBatch: 32, maxMs: 4 } : { lanes: 4, maxBatch: 32, maxMs: 20 },
  );
  const router = new Router({
    db,
    // An event's work commits with its inbox row's done mark (src/feishu/inbox.ts).
    transaction: markingDone(commits.run, () => o.wallClock.now()),
    registry: new CommandRegistry(o.commands),
    clock: o.clock,
    wallClock: o.wallClock,
    settings,
    logger,
    directory: feishu.directory,
    calendar,
    botOpenId: () => identity.openId,
    afterCommit: () => dispatcher.wake(),
    files: {
      wantsBytes,
      maxBytes: MAX_IMPORT_BYTES,
      handle: (ctx, file) => handleIncomingFile(ctx, file, { importers, attachTargets }),
    },
    endMembership,
    conversation,
  });
  const inbox = new Inbox({
    db,
    transaction: commits.run,
    ingressDb: handle.ingress,
    router,
    logger: logger.child({ component: 'inbox' }),
    wallClock: o.wallClock,
    owner: instanceId,
    afterCommit: () => dispatcher.wake(),
    releaseAllAtStart: handle.dialect === 'sqlite',
    sliced: handle.dialect === 'sqlite',
    ...(handle.dialect === 'postgres' ? { isDeadOwner: isDeadLocalOwner } : {}),
    ...o.inbox,
  });
  const eventDispatcher = createEventDispatcher(inbox, logger);

  const jobDeps: JobDeps = {
    db,
    clock: o.clock,
    wallClock: o.wallClock,
    settings,
    logger,
    calendar,
    afterCommit: () => dispatcher.wake(),
    directory: feishu.directory,
  };
  const scheduler = new Scheduler(o.jobs, jobDeps, config.timezone);

  const longConnection =
    config.transport === 'websocket'
      ? new LongConnection({
          appId: config.feishu.appId,
          appSecret: config.feishu.appSecret,
          domain: config.domain,
          logger,
          pingTimeoutSec: o.pingTimeoutSec,
          wallClock: o.wallClock,
        })
      : undefined;

  const startedAt = o.wallClock.now();
  const transportStatus = (): TransportStatus =>
    longConnection?.status() ?? {
      mode: 'webhook',
      state: 'listening',
      connected: true,
      reconnects: 0,
      lastConnectedAt: startedAt.toISOString(),
      lastDisconnectedAt: undefined,
    };

  const health = async (): Promise<Record<string, unknown>> => {
    let dbOk = true;
    let outbox: Record<string, number> = {};
    try {
      outbox = await countOutbox(db);
    } catch {
      dbOk = false;
    }
    // Reads can work while writes fail (a full disk, a held lock): a write that changes nothing says which.
    let writeError: string | undefined;
    try {
      await withTimeout(probeWrite(db, instanceId, o.wallClock.now().toISOString()), HEALTH_WRITE_TIMEOUT_MS);
    } catch (err) {
      writeError = err instanceof Error ? err.message.slice(0, 200) : String(err);
    }
    const transport = transportStatus();
    return {
      status: dbOk && !writeError && transport.connected ? 'ok' : 'degraded',
      instance: instanceId,
      uptimeSec: Math.round((o.wallClock.now().getTime() - startedAt.getTime()) / 1000),
      db: {
        ok: dbOk && !writeError,
        writable: !writeError,
        ...(writeError ? { error: writeError } : {}),
        dialect: handle.dialect,
        location: handle.description,
      },
      transport,
      outbox: { pending: outbox.pending ?? 0, sent: outbox.sent ?? 0, dead: outbox.dead ?? 0 },
    };
  };

  const http = new HttpServer({
    port: config.port,
    host: o.host,
    logger,
    wallClock: o.wallClock,
    health,
    webhook:
      config.transport === 'webhook'
        ? {
            encryptKey: config.encryptKey,
            verificationToken: config.verificationToken,
            appId: config.feishu.appId,
            dispatcher: eventDispatcher,
          }
        : undefined,
  });
  const port = await http.listen();

  dispatcher.start();
  await inbox.startWorker();
  longConnection?.start(eventDispatcher);
  if (o.schedule !== false) scheduler.start({ catchUp: true });
  logger.info({ transport: config.transport, port, db: handle.dialect, instance: instanceId }, 'qingfeng started');

  return {
    port,
    router,
    dispatcher,
    inbox,
    commits: commits.stats,
    identity,
    feishu,
    instanceId,
    ready: longConnection ? longConnection.ready : Promise.resolve(),
    health,
    runJob(name, now) {
      const job = o.jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job named ${name}`);
      return runJob(job, jobDeps, now);
    },
    async stop() {
      identity.stop();
      longConnection?.close();
      await scheduler.stop();
      await inbox.stop();
      await dispatcher.stop();
      await http.close();
    },
  };
}
