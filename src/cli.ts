/**
 * Entry point of `npm run cli -- …`: the arguments are checked first, then the configuration, then the
 * database is opened; the commands are listed in src/cli/run.ts.
 */

import { rmSync } from 'node:fs';
import { type CliContext, CliError, type CliIo, parseCommandArgs } from './cli/command.ts';
import { parseCommandLine } from './cli/run.ts';
import { type Config, ConfigError, databaseUrlOf, environmentWithDotEnv, loadConfig } from './config.ts';
import { isPostgresUrl, openDatabase } from './db/connection.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  const io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  const argv = process.argv.slice(2);
  let command: ((ctx: CliContext) => Promise<void>) | 'sandbox reset';
  try {
    command = argv[0] === 'sandbox' ? parseSandboxReset(argv.slice(1)) : parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.err(e.message);
    process.exitCode = 1;
    return;
  }
  let config: Config;
  try {
    config = loadConfig(environmentWithDotEnv(process.env));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      process.exit(1);
    }
    throw e;
  }
  if (command === 'sandbox reset') {
    process.exitCode = resetSandbox(config, io);
    return;
  }
  const db = openDatabase(databaseUrlOf(config));
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  try {
    await command({ db, timezone: config.timezone, logger, io });
  } catch (e) {
    io.err(e instanceof CliError ? e.message : `出错了：${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

function parseSandboxReset(args: string[]): 'sandbox reset' {
  const { positionals } = parseCommandArgs({ usage: 'sandbox reset', options: {}, positionals: 1 }, args);
  if (positionals[0] !== 'reset') throw new CliError('用法：npm run cli -- sandbox reset');
  return 'sandbox reset';
}

/** `sandbox reset`: deletes the sandbox's database (only without Feishu credentials, only SQLite). */
function resetSandbox(config: Config, io: CliIo): number {
  if (config.feishu) {
    io.err('已配置飞书应用（FEISHU_APP_ID），沙箱未启用；不会删除正式数据。');
    return 1;
  }
  const path = databaseUrlOf(config);
  if (isPostgresUrl(path)) {
    io.err('沙箱重置只支持 SQLite 文件数据库。');
    return 1;
  }
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  io.out(`已清空沙箱数据（${path}）。重新运行 npm start 即可得到全新的演示组织。`);
  return 0;
}

void main();
