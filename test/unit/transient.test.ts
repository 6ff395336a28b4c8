// What counts as a passing failure (src/db/errors.ts) — SQLSTATEs, network codes, pg's own errors for a
// dead connection (no SQLSTATE), TransientError anywhere in the cause chain — how a Feishu read is
// retried within its budget (src/feishu/client.ts retryRead), and start-up waiting for the database
// (src/db/retry.ts).
import { describe, expect, it } from 'vitest';
import { TransientError, UserError } from '../../src/core/errors.ts';
import { isTransientStorageError } from '../../src/db/errors.ts';
import { untilDatabaseAnswers } from '../../src/db/retry.ts';
import { retryRead } from '../../src/feishu/client.ts';
import { FeishuCodeError } from '../../src/feishu/errors.ts';
import { captureLogs } from '../helpers/logs.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const axios429 = (reset?: string) => ({
  isAxiosError: true,
  message: 'Request failed with status code 429',
  response: { status: 429, headers: reset ? { 'x-ogw-ratelimit-reset': reset } : {}, data: { code: 99991400 } },
});

describe('isTransientStorageError', () => {
  const transient: [string, unknown][] = [
    ['57P01 admin shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash shutdown', withCode('57P02')],
    ['57P03 cannot connect now', withCode('57P03', 'the database system is starting up')],
    ['08006 connection failure', withCode('08006')],
    ['53100 disk full', withCode('53100')],
    ['40001 serialization failure', withCode('40001')],
    ['ECONNRESET', withCode('ECONNRESET', 'read ECONNRESET')],
    ['ECONNREFUSED', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['ENOTFOUND (DNS not ready)', withCode('ENOTFOUND')],
    ['SQLITE_BUSY', withCode('SQLITE_BUSY', 'database is locked')],
    ['pg: connection ended', new Error('Connection terminated unexpectedly')],
    [
      'pg: session ended between statements',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pg: client closed', new Error('Client was closed and is not queryable')],
    ['kysely: discarded connection', new Error('Postgres connection has been discarded')],
    ['57P01 as a cause', new Error('wrapped', { cause: withCode('57P01') })],
    ['a TransientError', new TransientError('Feishu chat lookup failed')],
    ['a TransientError as a cause', new Error('outer', { cause: new TransientError('x') })],
  ];
  for (const [why, err] of transient) it(`transient: ${why}`, () => expect(isTransientStorageError(err)).toBe(true));

  const permanent: [string, unknown][] = [
    ['23505 unique violation', withCode('23505')],
    ['42P01 undefined table', withCode('42P01')],
    ['28P01 bad password', withCode('28P01')],
    ['3D000 no such database', withCode('3D000')],
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['a UserError', new UserError('forbidden', '无权限')],
    ['not an error', 'oops'],
  ];
  for (const [why, err] of permanent)
    it(`not transient: ${why}`, () => expect(isTransientStorageError(err)).toBe(false));
});

describe('retryRead', () => {
  /** A fake clock: sleeping moves time on, so budgets are exact. */
  function fakeTime() {
    let t = 0;
    const waits: number[] = [];
    return {
      waits,
      now: () => t,
      sleep: async (ms: number) => {
        waits.push(ms);
        t += ms;
      },
    };
  }

  it('retries a 429 and a 5xx, then answers', async () => {
    const time = fakeTime();
    const errors: unknown[] = [axios429(), new FeishuCodeError(99991400, 'limited')];
    const v = await retryRead(
      'chat lookup',
      async () => {
        const e = errors.shift();
        if (e) throw e;
        return 'ok';
      },
      { ...time, firstDelayMs: 100 },
    );
    expect(v).toBe('ok');
    expect(time.waits).toHaveLength(2);
  });

  it("waits Feishu's reset when it is small", async () => {
    const time = fakeTime();
    let n = 0;
    await retryRead(
      'chat lookup',
      async () => {
        if (n++ === 0) throw axios429('1');
        return 1;
      },
      time,
    );
    expect(time.waits).toEqual([1000]);
  });

  it('gives up as a TransientError when the budget runs out, keeping the cause', async () => {
    const time = fakeTime();
    const last = axios429();
    const err = await retryRead(
      'chat member list',
      async () => {
        throw last;
      },
      { ...time, budgetMs: 1500 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).cause).toBe(last);
    expect(isTransientStorageError(err)).toBe(true);
    expect(time.now()).toBeLessThanOrEqual(1500);
  });

  it('does not wait a long reset: postponed at once', async () => {
    const time = fakeTime();
    const err = await retryRead(
      'chat lookup',
      async () => {
        throw axios429('60');
      },
      time,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(time.waits).toEqual([]);
  });

  it('passes other failures through at once: a permanent code, a UserError, a bug', async () => {
    for (const e of [
      new FeishuCodeError(230002, 'bot not in chat'),
      new UserError('too_large', '太大'),
      new TypeError('x'),
    ]) {
      const time = fakeTime();
      let calls = 0;
      const got = await retryRead(
        'x',
        async () => {
          calls++;
          throw e;
        },
        time,
      ).catch((x: unknown) => x);
      expect(got).toBe(e);
      expect(calls).toBe(1);
    }
  });
});

describe('untilDatabaseAnswers', () => {
  it('waits with doubling backoff while the database refuses, logging each wait', async () => {
    const logs = captureLogs();
    const waits: number[] = [];
    let n = 0;
    const v = await untilDatabaseAnswers(
      'migrate',
      async () => {
        if (n++ < 4) throw withCode('ECONNREFUSED', 'connect ECONNREFUSED');
        return 'up';
      },
      logs.logger,
      { firstDelayMs: 100, maxDelayMs: 400, sleep: async (ms) => void waits.push(ms) },
    );
    expect(v).toBe('up');
    expect(waits).toEqual([100, 200, 400, 400]);
    expect(logs.records().filter((r) => r.msg === 'database not reachable yet; waiting')).toHaveLength(4);
  });

  it('does not wait for a permanent failure (a wrong password)', async () => {
    const logs = captureLogs();
    const err = withCode('28P01', 'password authentication failed');
    await expect(
      untilDatabaseAnswers(
        'migrate',
        async () => {
          throw err;
        },
        logs.logger,
        { sleep: async () => undefined },
      ),
    ).rejects.toBe(err);
  });
});
