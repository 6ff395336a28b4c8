// Feishu failure classification (src/feishu/errors.ts): axios-like errors and FeishuCodeError to
// rate_limited (with x-ogw-ratelimit-reset), unreachable, token, transient or permanent; summaries
// stay short and never carry the request body.
import { describe, expect, it } from 'vitest';
import { classifyFailure, FeishuCodeError, UNREACHABLE_REASONS } from '../../src/feishu/errors.ts';

const axiosError = (status: number, data: unknown, headers: Record<string, unknown> = {}) => ({
  isAxiosError: true,
  message: `Request failed with status code ${status}`,
  response: { status, headers, data },
});

describe('classifyFailure', () => {
  it('reads the rate-limit reset header of a 429', () => {
    const f = classifyFailure(
      axiosError(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '2' }),
    );
    expect(f).toMatchObject({ cls: 'rate_limited', code: 99991400, httpStatus: 429, retryAfterMs: 2000 });
  });

  const table: { why: string; err: unknown; cls: string; code?: number }[] = [
    { why: '429 without a body', err: axiosError(429, undefined), cls: 'rate_limited' },
    {
      why: '400 with 230020 (chat rate limit)',
      err: axiosError(400, { code: 230020, msg: 'limited' }),
      cls: 'rate_limited',
      code: 230020,
    },
    { why: '200 body with 99991400', err: axiosError(200, { code: 99991400 }), cls: 'rate_limited', code: 99991400 },
    {
      why: 'bot not in the chat',
      err: axiosError(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }),
      cls: 'unreachable',
      code: 230002,
    },
    { why: 'blocked the bot', err: axiosError(400, { code: 230053 }), cls: 'unreachable', code: 230053 },
    { why: 'chat disbanded', err: axiosError(400, { code: 232009 }), cls: 'unreachable', code: 232009 },
    { why: 'outside availability', err: axiosError(400, { code: 230013 }), cls: 'unreachable', code: 230013 },
    {
      why: 'invalid token',
      err: axiosError(400, { code: 99991663, msg: 'Invalid access token' }),
      cls: 'token',
      code: 99991663,
    },
    { why: 'HTTP 500', err: axiosError(500, '<html>Internal Server Error</html>'), cls: 'transient' },
    { why: 'HTTP 503 with a code', err: axiosError(503, { code: 1234 }), cls: 'transient', code: 1234 },
    {
      why: 'connection reset',
      err: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      cls: 'transient',
    },
    {
      why: 'timeout',
      err: { isAxiosError: true, code: 'ECONNABORTED', message: 'timeout of 10000ms exceeded' },
      cls: 'transient',
    },
    {
      why: 'bad card (230099)',
      err: axiosError(400, { code: 230099, msg: 'Failed to create card content' }),
      cls: 'permanent',
      code: 230099,
    },
    { why: 'HTTP 404 without a code', err: axiosError(404, 'not found'), cls: 'permanent' },
    {
      why: 'FeishuCodeError 230002',
      err: new FeishuCodeError(230002, 'bot not in chat'),
      cls: 'unreachable',
      code: 230002,
    },
    { why: 'FeishuCodeError 99991663', err: new FeishuCodeError(99991663, 'token'), cls: 'token', code: 99991663 },
    { why: 'FeishuCodeError 230099', err: new FeishuCodeError(230099, 'bad card'), cls: 'permanent', code: 230099 },
  ];
  for (const row of table) {
    it(`${row.why} → ${row.cls}`, () => {
      const f = classifyFailure(row.err);
      expect(f.cls).toBe(row.cls);
      expect(f.code).toBe(row.code);
      expect(f.summary.length).toBeGreaterThan(0);
      expect(f.summary.length).toBeLessThanOrEqual(200);
    });
  }

  it('names the network error', () => {
    const f = classifyFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(f).toMatchObject({ cls: 'transient', httpStatus: undefined, retryAfterMs: undefined });
    expect(f.summary).toContain('ECONNRESET');
  });

  it('survives non-errors', () => {
    for (const err of [undefined, null, 'boom', 42]) expect(classifyFailure(err).cls).toBe('transient');
  });

  it('ignores a missing or unreadable reset header', () => {
    expect(classifyFailure(axiosError(429, { code: 99991400 })).retryAfterMs).toBeUndefined();
    expect(classifyFailure(axiosError(429, {}, { 'x-ogw-ratelimit-reset': 'soon' })).retryAfterMs).toBeUndefined();
  });

  it('keeps summaries short', () => {
    const f = classifyFailure(axiosError(400, { code: 230099, msg: '卡片内容错误'.repeat(200) }));
    expect(f.summary.length).toBeLessThanOrEqual(200);
  });

  it('has a Chinese reason for every unreachable code it names', () => {
    for (const code of [230002, 230013, 230053, 232009]) {
      expect(UNREACHABLE_REASONS[code]).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
