// The operator CLI's argument parsing (src/cli/command.ts, src/cli/run.ts): an unknown option, an
// option without its value, a flag given a value and a surplus argument are each refused with one line
// naming the option and the command's usage, before the database is touched; an unknown command prints
// the list of commands; parsed values reach the command; and, end to end, `npm run cli` exits 1 with
// that one line on stderr.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, cliCommands, parseCommandLine, runCli, USAGE } from '../../src/cli/run.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { cliArgs, ROOT } from '../helpers/entry.ts';
import { captureLogs } from '../helpers/logs.ts';

function refusal(args: string[]): string {
  try {
    parseCommandLine(args);
  } catch (e) {
    if (e instanceof CliError) return e.message;
    throw e;
  }
  throw new Error(`expected a CliError for ${JSON.stringify(args)}`);
}

describe('argument errors are one line with the usage', () => {
  const table: { why: string; args: string[]; message: string }[] = [
    {
      why: 'unknown option',
      args: ['job', 'run', 'housekeeping', '--bogus'],
      message: '未知选项 --bogus。用法：npm run cli -- job run 名称 [--now 时间]',
    },
    {
      why: 'an option of another command',
      args: ['outbox', 'list', '--now', '2026-12-01T09:30:00+08:00'],
      message: '未知选项 --now。用法：npm run cli -- outbox list [--sent | --dead] [--limit N]',
    },
    {
      why: 'unknown short option',
      args: ['holidays', 'status', '-y'],
      message: '未知选项 -y。用法：npm run cli -- holidays status [年份]',
    },
    {
      why: 'value missing at the end',
      args: ['job', 'run', 'housekeeping', '--now'],
      message: '--now 需要一个值。用法：npm run cli -- job run 名称 [--now 时间]',
    },
    {
      why: 'value missing before another option',
      args: ['import', 'rectifications', '台账.xlsx', '--org', '--dry-run'],
      message: '--org 需要一个值。用法：npm run cli -- import rectifications 文件 --org 组织名 [--dry-run]',
    },
    {
      why: 'value missing in export',
      args: ['export', 'rectifications', '--org', '第一党支部', '--out'],
      message: '--out 需要一个值。用法：npm run cli -- export rectifications --org 组织名 --out 文件 [--batch 批次]',
    },
    {
      why: 'a flag given a value',
      args: ['outbox', 'list', '--dead=yes'],
      message: '--dead 不带值。用法：npm run cli -- outbox list [--sent | --dead] [--limit N]',
    },
    {
      why: 'a surplus argument',
      args: ['outbox', 'retry', '12', '13'],
      message: '多余的参数“13”。用法：npm run cli -- outbox retry ID',
    },
  ];
  for (const row of table) {
    it(`${row.why}: ${row.args.join(' ')}`, () => {
      expect(refusal(row.args)).toBe(row.message);
    });
  }

  it('an unknown command prints every command', () => {
    expect(refusal(['frobnicate'])).toBe(USAGE);
    expect(refusal([])).toBe(USAGE);
    expect(refusal(['job'])).toBe(USAGE);
    for (const c of cliCommands) expect(USAGE).toContain(`  ${c.usage} `);
    expect(USAGE).toContain('  sandbox reset ');
    expect(USAGE.split('\n')).toHaveLength(cliCommands.length + 2);
  });

  it('accepts every declared option, in either spelling and position', () => {
    expect(() => parseCommandLine(['job', 'run', '--now=2026-12-01T09:30:00+08:00', 'housekeeping'])).not.toThrow();
    expect(() => parseCommandLine(['outbox', 'list', '--dead', '--limit', '5'])).not.toThrow();
    expect(() => parseCommandLine(['import', 'duties', 'a.csv', '--dry-run', '--org=支部'])).not.toThrow();
    expect(() =>
      parseCommandLine(['export', 'rectifications', '--org', '支部', '--out', 'a.xlsx', '--batch', 'x']),
    ).not.toThrow();
  });
});

describe('runCli', () => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('refuses bad arguments before migrating, and passes parsed values to the command', async () => {
    db = await createTestDb({ migrate: false });
    const out: string[] = [];
    const ctx = {
      db,
      timezone: 'Asia/Shanghai',
      logger: captureLogs().logger,
      io: { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) },
    };
    await expect(runCli(['outbox', 'list', '--limit'], ctx)).rejects.toThrow('--limit 需要一个值');
    expect(await db.db.introspection.getTables()).toEqual([]);

    await runCli(['outbox', 'list', '--limit=5'], ctx);
    await runCli(['outbox', 'list', '--dead'], ctx);
    expect(out).toEqual(['没有待发送的消息。', '没有发送失败的消息。']);
    await expect(runCli(['outbox', 'list', '--limit', 'many'], ctx)).rejects.toThrow('--limit 应为正整数（收到 many）');
    await expect(runCli(['holidays', 'status', 'next'], ctx)).rejects.toThrow(/年份应为数字/);
  });
});

describe('npm run cli with a bad option', () => {
  it('exits 1 with one line on stderr and no stack trace', () => {
    const r = spawnSync(process.execPath, cliArgs('job', 'run', 'housekeeping', '--bogus'), {
      cwd: ROOT,
      timeout: 20_000,
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('未知选项 --bogus。用法：npm run cli -- job run 名称 [--now 时间]');
    expect(r.stdout).toBe('');
  });
});
