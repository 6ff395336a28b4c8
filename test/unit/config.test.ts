// Configuration (src/config.ts): defaults; every bad value throws a ConfigError whose one-line message
// names the variable; credentials come in pairs; webhook mode needs a key or token; `.env` parsing by
// Node's parseEnv (comments, quotes, export, inline comments) with the real environment winning; the
// database URL default; and, end to end, that `src/main.ts` exits 1 with one line on stderr for a bad value.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  databaseUrlOf,
  environmentWithDotEnv,
  FEISHU_CLOUD,
  loadConfig,
  parseDotEnv,
} from '../../src/config.ts';
import { botArgs, ROOT } from '../helpers/entry.ts';

const APP = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'secret-value' };

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('runs with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      feishu: undefined,
      domain: FEISHU_CLOUD,
      transport: 'websocket',
      encryptKey: undefined,
      verificationToken: undefined,
      databaseUrl: undefined,
      port: 3000,
      timezone: 'Asia/Shanghai',
      logLevel: 'info',
      botAdmins: [],
    });
  });

  it('treats blank values as unset', () => {
    const c = loadConfig({ PORT: '  ', BOT_TIMEZONE: '', LOG_LEVEL: ' ', FEISHU_APP_ID: '', BOT_ADMINS: '' });
    expect(c).toMatchObject({ port: 3000, timezone: 'Asia/Shanghai', logLevel: 'info', feishu: undefined });
    expect(c.botAdmins).toEqual([]);
  });

  it('reads good values', () => {
    const c = loadConfig({
      ...APP,
      FEISHU_DOMAIN: 'https://open.larksuite.com/',
      FEISHU_TRANSPORT: 'webhook',
      FEISHU_ENCRYPT_KEY: 'k',
      PORT: '8080',
      BOT_TIMEZONE: 'Asia/Urumqi',
      LOG_LEVEL: 'debug',
      BOT_ADMINS: 'ou_abc, ou_def ou_ghi',
      DATABASE_URL: 'postgres://u@h/db',
    });
    expect(c).toMatchObject({
      feishu: { appId: APP.FEISHU_APP_ID, appSecret: APP.FEISHU_APP_SECRET },
      domain: 'https://open.larksuite.com',
      transport: 'webhook',
      encryptKey: 'k',
      port: 8080,
      timezone: 'Asia/Urumqi',
      logLevel: 'debug',
      botAdmins: ['ou_abc', 'ou_def', 'ou_ghi'],
      databaseUrl: 'postgres://u@h/db',
    });
  });

  it('accepts webhook mode with only a verification token', () => {
    const c = loadConfig({ FEISHU_TRANSPORT: 'webhook', FEISHU_VERIFICATION_TOKEN: 'v' });
    expect(c.transport).toBe('webhook');
    expect(c.verificationToken).toBe('v');
  });
});

describe('loadConfig refuses bad values with one line naming the variable', () => {
  const table: { why: string; env: Record<string, string>; variable: string }[] = [
    { why: 'app id not cli_ + 16 hex', env: { ...APP, FEISHU_APP_ID: 'cli_123' }, variable: 'FEISHU_APP_ID' },
    { why: 'app id with non-hex', env: { ...APP, FEISHU_APP_ID: 'cli_a1b2c3d4e5f6071z' }, variable: 'FEISHU_APP_ID' },
    { why: 'secret missing', env: { FEISHU_APP_ID: APP.FEISHU_APP_ID }, variable: 'FEISHU_APP_SECRET' },
    { why: 'id missing', env: { FEISHU_APP_SECRET: 'x' }, variable: 'FEISHU_APP_ID' },
    { why: 'unknown transport', env: { FEISHU_TRANSPORT: 'foo' }, variable: 'FEISHU_TRANSPORT' },
    { why: 'port not a number', env: { PORT: 'abc' }, variable: 'PORT' },
    { why: 'port too big', env: { PORT: '70000' }, variable: 'PORT' },
    { why: 'negative port', env: { PORT: '-1' }, variable: 'PORT' },
    { why: 'unknown timezone', env: { BOT_TIMEZONE: 'Mars/Base' }, variable: 'BOT_TIMEZONE' },
    { why: 'unknown log level', env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL' },
    { why: 'admin not an open_id', env: { BOT_ADMINS: 'ou_abc,on_union' }, variable: 'BOT_ADMINS' },
    { why: 'domain not a URL', env: { FEISHU_DOMAIN: 'not-a-url' }, variable: 'FEISHU_DOMAIN' },
    { why: 'domain not http(s)', env: { FEISHU_DOMAIN: 'ftp://open.feishu.cn' }, variable: 'FEISHU_DOMAIN' },
    { why: 'domain a javascript: URL', env: { FEISHU_DOMAIN: 'javascript:alert(1)' }, variable: 'FEISHU_DOMAIN' },
    { why: 'webhook without key or token', env: { FEISHU_TRANSPORT: 'webhook' }, variable: 'FEISHU_ENCRYPT_KEY' },
  ];
  for (const row of table) {
    it(`${row.why}: ${JSON.stringify(row.env)}`, () => {
      const e = configError(row.env);
      expect(e.name).toBe('ConfigError');
      expect(e.variable).toBe(row.variable);
      expect(e.message).toContain(row.variable);
      expect(e.message.split('\n')).toHaveLength(1);
      expect(e.message).toMatch(/^配置错误：/);
    });
  }

  it('never echoes the secret in the message', () => {
    const e = configError({ FEISHU_APP_ID: 'cli_bad', FEISHU_APP_SECRET: 'super-secret-123' });
    expect(e.message).not.toContain('super-secret-123');
  });
});

describe('.env files', () => {
  it('parses comments, quotes, export and inline comments', () => {
    const text = [
      '# 清风配置',
      '',
      'FEISHU_APP_ID=cli_a1b2c3d4e5f60718',
      'export FEISHU_APP_SECRET="s3cret # not a comment"',
      "BOT_TIMEZONE='Asia/Shanghai'",
      'LOG_LEVEL=debug # 调试时打开',
      'PORT = 8080 ',
      '   # indented comment',
      'BOT_ADMINS=ou_a,ou_b\r',
      'not a line',
      'EMPTY=',
    ].join('\n');
    expect(parseDotEnv(text)).toEqual({
      FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
      FEISHU_APP_SECRET: 's3cret # not a comment',
      BOT_TIMEZONE: 'Asia/Shanghai',
      LOG_LEVEL: 'debug',
      PORT: '8080',
      BOT_ADMINS: 'ou_a,ou_b',
      EMPTY: '',
    });
  });

  it('removes the quotes of a quoted value followed by a comment', () => {
    expect(parseDotEnv(`FEISHU_APP_SECRET="s3cret" # 应用密钥\nBOT_TIMEZONE='Asia/Shanghai' # 时区`)).toEqual({
      FEISHU_APP_SECRET: 's3cret',
      BOT_TIMEZONE: 'Asia/Shanghai',
    });
  });

  it('follows node --env-file: an unquoted # starts a comment, double quotes expand \\n, backticks quote', () => {
    const text = 'FEISHU_ENCRYPT_KEY=ab#cd\nFEISHU_APP_SECRET="ab#cd"\nBOT_ADMINS="ou_a\\nou_b"\nLOG_LEVEL=`debug`';
    expect(parseDotEnv(text)).toEqual({
      FEISHU_ENCRYPT_KEY: 'ab',
      FEISHU_APP_SECRET: 'ab#cd',
      BOT_ADMINS: 'ou_a\nou_b',
      LOG_LEVEL: 'debug',
    });
  });

  it('reads a .env file under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'PORT=4000\nLOG_LEVEL=debug\nBOT_TIMEZONE=Asia/Urumqi\n');
    const merged = environmentWithDotEnv({ PORT: '5000', HOME: '/root' }, path);
    expect(merged).toMatchObject({ PORT: '5000', LOG_LEVEL: 'debug', BOT_TIMEZONE: 'Asia/Urumqi', HOME: '/root' });
    expect(loadConfig(merged)).toMatchObject({ port: 5000, logLevel: 'debug', timezone: 'Asia/Urumqi' });
  });

  it('uses the environment alone when there is no .env file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-env-'));
    expect(environmentWithDotEnv({ PORT: '5000' }, join(dir, '.env'))).toEqual({ PORT: '5000' });
  });
});

describe('databaseUrlOf', () => {
  it('prefers DATABASE_URL, else a file named for the mode', () => {
    const feishu = { appId: APP.FEISHU_APP_ID, appSecret: 'x' };
    expect(databaseUrlOf({ databaseUrl: 'postgres://h/db', feishu })).toBe('postgres://h/db');
    expect(databaseUrlOf({ databaseUrl: undefined, feishu })).toBe('./data/qingfeng.db');
    expect(databaseUrlOf({ databaseUrl: undefined, feishu: undefined })).toBe('./data/sandbox.db');
  });
});

describe('start-up with a bad value', () => {
  it('exits 1 with one line naming the variable and no stack trace', () => {
    const r = spawnSync(process.execPath, botArgs(), {
      cwd: ROOT,
      env: { ...process.env, FEISHU_TRANSPORT: 'carrier-pigeon' },
      timeout: 20_000,
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('FEISHU_TRANSPORT');
    expect(r.stderr).not.toMatch(/^\s*at /m);
  });
});
