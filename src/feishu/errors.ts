import { UNREACHABLE_REASONS } from '../core/feishu-codes.ts';

export { UNREACHABLE_REASONS };

/**
 * Feishu API failures, classified once (docs/feishu-platform.md §8). The SDK throws an AxiosError for non-2xx
 * answers and resolves `{ code != 0 }` for some 2xx ones; both paths end here.
 */

export type FailureClass =
  /** 429 / 99991400 / 230020 / 11232 / 11233: wait (for x-ogw-ratelimit-reset when given), retry. */
  | 'rate_limited'
  /** 5xx, network errors, timeouts: retry with backoff. */
  | 'transient'
  /** 99991663 and friends: refresh the tenant token and retry once. */
  | 'token'
  /** 230002, 230013, 230053, 232009 …: the chat or person cannot be reached; never retried. */
  | 'unreachable'
  /** Any other business error (bad card, bad id …): a bug or a permanent refusal; never retried. */
  | 'permanent';

export interface FeishuFailure {
  cls: FailureClass;
  code: number | undefined;
  httpStatus: number | undefined;
  /** Milliseconds to wait before retrying, when Feishu said. */
  retryAfterMs: number | undefined;
  /** Short description for logs and dead letters (never a token or the message content). */
  summary: string;
  /** A 加急 answered with `invalid_user_id_list`: the people it did not reach. */
  refusedUsers?: string[];
}

const RATE_LIMIT_CODES = new Set([99991400, 230020, 11232, 11233]);
const TOKEN_CODES = new Set([99991663, 99991664, 99991665, 99991661]);
/** Codes meaning the target (chat or person) is gone for us. */
export const UNREACHABLE_CODES = new Set(Object.keys(UNREACHABLE_REASONS).map(Number));

export class FeishuCodeError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(`feishu code ${code}: ${msg}`);
  }
}

/**
 * A 加急 (urgent) call Feishu answered with code 0 but listing the people in
 * `data.invalid_user_id_list`: nobody on the list was buzzed (not in the chat, not reachable …).
 */
export class UrgentRefusedError extends Error {
  constructor(readonly openIds: string[]) {
    super(`urgent not delivered to ${openIds.length} user(s) (invalid_user_id_list)`);
  }
}

interface AxiosLike {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
}

export function classifyFailure(err: unknown): FeishuFailure {
  if (err instanceof UrgentRefusedError) {
    // Trying again buzzes nobody: the list says who cannot be reached this way.
    return {
      cls: 'permanent',
      code: undefined,
      httpStatus: undefined,
      retryAfterMs: undefined,
      summary: err.message,
      refusedUsers: err.openIds,
    };
  }
  if (err instanceof FeishuCodeError) return fromCode(err.code, undefined, undefined, err.msg);
  const e = (err ?? {}) as AxiosLike;
  const res = e.response;
  if (!res) {
    return {
      cls: 'transient',
      code: undefined,
      httpStatus: undefined,
      retryAfterMs: undefined,
      summary: `network: ${e.code ?? e.message ?? 'unknown error'}`.slice(0, 200),
    };
  }
  const data = (res.data ?? {}) as { code?: unknown; msg?: unknown };
  const code = typeof data.code === 'number' ? data.code : undefined;
  const headers = res.headers ?? {};
  const reset = Number(headers['x-ogw-ratelimit-reset']);
  const retryAfterMs = Number.isFinite(reset) && reset >= 0 ? reset * 1000 : undefined;
  if (res.status === 429) {
    return { cls: 'rate_limited', code, httpStatus: 429, retryAfterMs, summary: `HTTP 429 code ${code ?? '-'}` };
  }
  if (code !== undefined) return fromCode(code, res.status, retryAfterMs, typeof data.msg === 'string' ? data.msg : '');
  if ((res.status ?? 0) >= 500) {
    return { cls: 'transient', code, httpStatus: res.status, retryAfterMs, summary: `HTTP ${res.status}` };
  }
  return { cls: 'permanent', code, httpStatus: res.status, retryAfterMs, summary: `HTTP ${res.status}` };
}

function fromCode(
  code: number,
  status: number | undefined,
  retryAfterMs: number | undefined,
  msg: string,
): FeishuFailure {
  const summary = `code ${code}${status ? ` (HTTP ${status})` : ''}: ${msg}`.slice(0, 200);
  const base = { code, httpStatus: status, retryAfterMs, summary };
  if (RATE_LIMIT_CODES.has(code)) return { cls: 'rate_limited', ...base };
  if (TOKEN_CODES.has(code)) return { cls: 'token', ...base };
  if (UNREACHABLE_CODES.has(code)) return { cls: 'unreachable', ...base };
  if (status !== undefined && status >= 500) return { cls: 'transient', ...base };
  return { cls: 'permanent', ...base };
}
