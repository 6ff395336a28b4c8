/** Codes of expected failures, each shown to the user as its Chinese message. */
export type UserErrorCode =
  | 'bad_args'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unknown_command'
  | 'no_org'
  | 'wrong_chat'
  | 'stale'
  | 'too_large';

/**
 * An expected failure: bad input, a missing role, a missing item. The router answers with `message`
 * (plain Chinese, safe to show) and `hint` (usually the correct usage) and changes nothing.
 */
export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A failure that passes by itself — Feishu answering 429 or 5xx to a read a command needs, after the
 * retries that fit in the ack budget. Never answered "出错了" nor marked processed: the event is
 * postponed for redelivery, like a passing storage fault (src/db/errors.ts). `cause` is the last error.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}
