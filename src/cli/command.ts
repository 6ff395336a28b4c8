/**
 * The shape of an operator command (`npm run cli -- …`) and its argument parsing: each command
 * declares its options and how many positional arguments it takes, and Node's `util.parseArgs`
 * (strict) parses them, so an unknown option or an option without its value is refused with one line
 * naming the option and the command's usage.
 */
import { parseArgs } from 'node:util';
import type { Logger } from '../core/contracts.ts';
import type { DbHandle } from '../db/connection.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** An operator's mistake: `message` is the one line printed before exiting with 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** What every command runs with; the database is migrated before a command runs. */
export interface CliContext {
  db: DbHandle;
  timezone: string;
  logger: Logger;
  io: CliIo;
}

export type CliOptions = Record<string, { type: 'string' | 'boolean' }>;

export type CliValues<O extends CliOptions> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CliArgs<O extends CliOptions> {
  values: CliValues<O>;
  positionals: string[];
}

/** What follows a command's name on the command line. */
export interface ArgSpec<O extends CliOptions> {
  /** The command as the operator types it, e.g. `job run 名称 [--now 时间]`; shown with every argument error. */
  usage: string;
  options: O;
  /** The most positional arguments it takes; commands check the ones they require themselves. */
  positionals: number;
}

export interface CommandDef<O extends CliOptions> extends ArgSpec<O> {
  /** The words that select it, e.g. `job run`. */
  name: string;
  /** One Chinese line for the usage list. */
  summary: string;
  run(ctx: CliContext, args: CliArgs<O>): Promise<void>;
}

export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Parses the arguments after the name (throws `CliError`) and returns the command bound to them. */
  parse(args: string[]): (ctx: CliContext) => Promise<void>;
}

/** Erases a command's option types behind `parse`, so the registry is a plain list. */
export function defineCliCommand<const O extends CliOptions>(def: CommandDef<O>): CliCommand {
  return {
    name: def.name,
    usage: def.usage,
    summary: def.summary,
    parse(args) {
      const parsed = parseCommandArgs(def, args);
      return (ctx) => def.run(ctx, parsed);
    },
  };
}

/** `util.parseArgs` in strict mode, with its errors turned into one Chinese line plus the usage. */
export function parseCommandArgs<O extends CliOptions>(spec: ArgSpec<O>, args: string[]): CliArgs<O> {
  const usage = `用法：npm run cli -- ${spec.usage}`;
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: spec.options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new CliError(`${describeArgError(e)}。${usage}`);
  }
  const extra = parsed.positionals[spec.positionals];
  if (extra !== undefined) throw new CliError(`多余的参数“${extra}”。${usage}`);
  return { values: parsed.values as CliValues<O>, positionals: parsed.positionals };
}

/** Node's messages are English and several lines long; the option they name is the useful part. */
function describeArgError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `未知选项 ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // Also raised for `--org --dry-run`: a value starting with "-" must be written `--org=-x`.
    return message.includes('does not take an argument') ? `${option} 不带值` : `${option} 需要一个值`;
  }
  throw e;
}
