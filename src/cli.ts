/** Entry point of `npm run cli -- …`; the commands are in src/cli/run.ts. */
import { CliError, type CliIo, runCli } from './cli/run.ts';
import { ConfigError, databaseUrlOf, environmentWithDotEnv, loadConfig } from './config.ts';
import { openDatabase } from './db/connection.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  const io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(environmentWithDotEnv(process.env));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      process.exit(1);
    }
    throw e;
  }
  const db = openDatabase(databaseUrlOf(config));
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  try {
    await runCli(process.argv.slice(2), { db, timezone: config.timezone, logger, io });
  } catch (e) {
    io.err(e instanceof CliError ? e.message : `出错了：${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

void main();
