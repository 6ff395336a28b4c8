/**
 * The bot's configuration: one zod schema over the environment (plus `.env`).
 * Only `src/main.ts` and `src/cli.ts` read `process.env`; everything else receives a `Config`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';

const appIdPattern = /^cli_[0-9a-fA-F]{16}$/;

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const configSchema = z
  .object({
    FEISHU_APP_ID: optionalText.pipe(
      z
        .string()
        .regex(appIdPattern, { message: '应为飞书应用的 App ID，形如 cli_ 加 16 位十六进制（cli_a1b2c3d4e5f60718）' })
        .optional(),
    ),
    FEISHU_APP_SECRET: optionalText,
    FEISHU_DOMAIN: optionalText.pipe(
      z
        .url({ protocol: /^https?$/, message: '应为以 http:// 或 https:// 开头的地址，例如 https://open.feishu.cn' })
        .optional(),
    ),
    FEISHU_TRANSPORT: optionalText.pipe(
      z.enum(['websocket', 'webhook'], { message: '应为 websocket 或 webhook' }).default('websocket'),
    ),
    FEISHU_ENCRYPT_KEY: optionalText,
    FEISHU_VERIFICATION_TOKEN: optionalText,
    DATABASE_URL: optionalText,
    PORT: optionalText.pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, { message: '应为 0–65535 之间的端口号' })
        .transform(Number)
        .refine((n) => n <= 65535, { message: '应为 0–65535 之间的端口号' })
        .optional()
        .transform((n) => n ?? 3000),
    ),
    BOT_TIMEZONE: optionalText.pipe(
      z.string().refine(isValidTimezone, { message: '应为 IANA 时区名，例如 Asia/Shanghai' }).default('Asia/Shanghai'),
    ),
    LOG_LEVEL: optionalText.pipe(
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          message: '应为 fatal、error、warn、info、debug、trace 或 silent',
        })
        .default('info'),
    ),
    BOT_ADMINS: optionalText.pipe(
      z
        .string()
        .optional()
        .transform((v) => (v ? v.split(/[,\s]+/).filter(Boolean) : []))
        .pipe(z.array(z.string().regex(/^ou_\w+$/, { message: '应为逗号分隔的 open_id 列表（ou_ 开头）' }))),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.FEISHU_APP_ID && !env.FEISHU_APP_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['FEISHU_APP_SECRET'],
        message: '设置了 FEISHU_APP_ID 时必须同时设置应用的 App Secret',
      });
    }
    if (env.FEISHU_APP_SECRET && !env.FEISHU_APP_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['FEISHU_APP_ID'],
        message: '设置了 FEISHU_APP_SECRET 时必须同时设置 App ID（cli_ 开头）',
      });
    }
    if (env.FEISHU_TRANSPORT === 'webhook' && !env.FEISHU_ENCRYPT_KEY && !env.FEISHU_VERIFICATION_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['FEISHU_ENCRYPT_KEY'],
        message: 'webhook 模式必须设置 Encrypt Key（推荐）或 FEISHU_VERIFICATION_TOKEN，否则无法验证请求来自飞书',
      });
    }
  });

export type Transport = 'websocket' | 'webhook';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface FeishuCredentials {
  appId: string;
  appSecret: string;
}

export interface Config {
  /** Undefined when no credentials are set: `npm start` then runs the sandbox. */
  feishu: FeishuCredentials | undefined;
  /** Base URL of the Open API; the Feishu cloud unless set. */
  domain: string;
  transport: Transport;
  encryptKey: string | undefined;
  verificationToken: string | undefined;
  /** As set; see `databaseUrlOf` for the default. */
  databaseUrl: string | undefined;
  port: number;
  timezone: string;
  logLevel: LogLevel;
  botAdmins: string[];
}

export const FEISHU_CLOUD = 'https://open.feishu.cn';

/** The database to use: DATABASE_URL, else ./data/qingfeng.db with Feishu credentials, ./data/sandbox.db without. */
export function databaseUrlOf(config: Pick<Config, 'databaseUrl' | 'feishu'>): string {
  return config.databaseUrl ?? (config.feishu ? './data/qingfeng.db' : './data/sandbox.db');
}

/** Thrown for a missing or bad setting; `message` is the one line printed before exiting with 1. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`配置错误：${variable} ${expected}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses a `.env` file's text with Node's own parser (`util.parseEnv`, the one behind `--env-file`):
 * `KEY=value` lines, `#` comments, `export`, single, double or backtick quotes. One variable per line:
 * each line is parsed alone because Node 20's parser glues a line without `=` (an indented comment, a
 * stray word) onto the next key (nodejs/node#56775, fixed in 22 by #57798 and not backported).
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    for (const [key, value] of Object.entries(parseEnv(line))) if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Reads `.env` at `path` (if present) under the real environment: the environment wins. */
export function environmentWithDotEnv(env: NodeJS.ProcessEnv, path = '.env'): Record<string, string | undefined> {
  if (!existsSync(path)) return { ...env };
  return { ...parseDotEnv(readFileSync(path, 'utf8')), ...env };
}

/** Validates the environment; throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, issue?.message ?? '无效');
  }
  const e = result.data;
  return {
    feishu:
      e.FEISHU_APP_ID && e.FEISHU_APP_SECRET ? { appId: e.FEISHU_APP_ID, appSecret: e.FEISHU_APP_SECRET } : undefined,
    domain: (e.FEISHU_DOMAIN ?? FEISHU_CLOUD).replace(/\/+$/, ''),
    transport: e.FEISHU_TRANSPORT,
    encryptKey: e.FEISHU_ENCRYPT_KEY,
    verificationToken: e.FEISHU_VERIFICATION_TOKEN,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    timezone: e.BOT_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    botAdmins: e.BOT_ADMINS,
  };
}
