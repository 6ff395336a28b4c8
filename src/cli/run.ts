/**
 * The operator's command line: `npm run cli -- <command>`. The commands live in `maintenance.ts` and
 * `ledgers.ts`; this is their list, in usage order, and the dispatcher. `sandbox reset` is handled by
 * src/cli.ts, which needs the configuration rather than the database.
 */
import { migrateToLatest } from '../db/migrate.ts';
import { type CliCommand, type CliContext, CliError } from './command.ts';
import { exportCommand, importCommand } from './ledgers.ts';
import {
  holidaysImportCommand,
  holidaysStatusCommand,
  jobListCommand,
  jobRunCommand,
  migrateCommand,
  outboxListCommand,
  outboxRetryCommand,
} from './maintenance.ts';
import { reportCommand } from './report.ts';

export { type CliContext, CliError, type CliIo } from './command.ts';

export const cliCommands: readonly CliCommand[] = [
  migrateCommand,
  jobListCommand,
  jobRunCommand,
  outboxListCommand,
  outboxRetryCommand,
  holidaysImportCommand,
  holidaysStatusCommand,
  importCommand,
  exportCommand,
  reportCommand,
];

/** Columns a character takes in a terminal: CJK and full-width forms take two. */
const columns = (s: string): number =>
  [...s].reduce(
    (n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]/.test(c) ? 2 : 1),
    0,
  );

const usageLine = (usage: string, summary: string): string =>
  `  ${usage}${' '.repeat(Math.max(3, 35 - columns(usage)))}${summary}`;

export const USAGE = [
  '用法：npm run cli -- <命令>',
  ...cliCommands.map((c) => usageLine(c.usage, c.summary)),
  usageLine('sandbox reset', '清空沙箱数据'),
].join('\n');

/**
 * Finds the command named by the leading words and parses the rest of the arguments; throws
 * `CliError` (the usage list for an unknown command) before anything touches the database.
 */
export function parseCommandLine(args: string[]): (ctx: CliContext) => Promise<void> {
  const command = cliCommands.find((c) => c.name.split(' ').every((word, i) => args[i] === word));
  if (!command) throw new CliError(USAGE);
  const run = command.parse(args.slice(command.name.split(' ').length));
  return async (ctx) => {
    await migrateToLatest(ctx.db.db, ctx.db.dialect);
    await run(ctx);
  };
}

/** Runs one CLI command against an open database (migrating it first). Exported for tests. */
export async function runCli(args: string[], ctx: CliContext): Promise<void> {
  await parseCommandLine(args)(ctx);
}
