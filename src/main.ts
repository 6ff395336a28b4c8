/**
 * Composition root: the only module that reads `process.env`. Validates the configuration, opens the
 * database, starts the bot (or, without Feishu credentials, tells the operator what to set).
 */
import { commands } from '../commands/index.ts';
import { jobs } from '../jobs/index.ts';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, databaseUrlOf, environmentWithDotEnv, loadConfig } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { createLogger } from './logger.ts';
import { startSandbox } from './sandbox/run.ts';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(environmentWithDotEnv(process.env));
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  if (!config.feishu) {
    // No tenant: run the whole bot against the local Feishu emulator, with the web console.
    const sandbox = await startSandbox({ config, databaseUrl: databaseUrlOf(config), logFile: './data/sandbox.log' });
    process.stdout.write(`清风沙箱已启动（未配置飞书应用，使用本地模拟飞书）：${sandbox.url}\n`);
    onSignals(() => sandbox.stop());
    return;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(databaseUrlOf(config));
  const app = await createApp({
    config: { ...config, feishu: config.feishu },
    db,
    logger,
    clock: systemClock,
    wallClock: systemClock,
    commands,
    jobs,
  });
  onSignals(async () => {
    logger.info({}, 'stopping');
    await app.stop();
    await db.close();
  });
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

main().catch((err) => {
  const msg = err instanceof Error ? err.message : String(err);
  fail(`清风启动失败：${msg.split('\n')[0]}`);
});
