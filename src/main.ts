/**
 * Composition root: the only module that reads `process.env`. Validates the configuration, opens the
 * database, starts the bot (or, without Feishu credentials, tells the operator what to set).
 */
import { commands } from '../commands/index.ts';
import { jobs } from '../jobs/index.ts';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, environmentWithDotEnv, loadConfig } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { createLogger } from './logger.ts';

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
    fail(
      '未配置飞书应用：请在环境变量或 .env 中设置 FEISHU_APP_ID（cli_ 开头）和 FEISHU_APP_SECRET，见 .env.example。',
    );
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databaseUrl);
  const app = await createApp({
    config: { ...config, feishu: config.feishu },
    db,
    logger,
    clock: systemClock,
    wallClock: systemClock,
    commands,
    jobs,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  const msg = err instanceof Error ? err.message : String(err);
  fail(`清风启动失败：${msg.split('\n')[0]}`);
});
