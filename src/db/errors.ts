/**
 * Storage failures that pass by themselves: a lock held too long, a full disk, a dropped or
 * restarting PostgreSQL. A command that meets one is not answered "出错了" (which would mark it
 * processed and lose it); the event is left unacknowledged so Feishu delivers it again.
 *
 * A dropped PostgreSQL connection does not always carry a SQLSTATE: the server's FATAL 57P01 goes
 * to the statement running at that moment, but a session ended between two statements of a
 * transaction fails the next one with the driver's own "not queryable" error, and a transaction
 * whose rollback fails on the dead connection would throw that error instead of the real one (the
 * driver in connection.ts keeps the original). Those messages count as transient too. So does a
 * TransientError anywhere in the cause chain (a Feishu read that kept failing, src/core/errors.ts):
 * every "postpone, do not answer" decision asks this one function.
 */
import { TransientError } from '../core/errors.ts';

const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL)/;

// PostgreSQL SQLSTATE classes: 08 connection, 53 insufficient resources, 57P operator intervention
// (shutdown, crash), 40001 serialization failure, 40P01 deadlock.
const PG_TRANSIENT = /^(08|53|57P|40001|40P01)/;

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOSPC',
  'EAGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg's and kysely's own errors for a connection that is gone (they carry no SQLSTATE). */
const CONNECTION_GONE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Postgres connection has been discarded|terminating connection|server closed the connection|Connection ended unexpectedly/i;

export function isTransientStorageError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof TransientError) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_TRANSIENT.test(code) || NETWORK.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && PG_TRANSIENT.test(code)) return true;
    }
    if (typeof message === 'string' && CONNECTION_GONE.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
