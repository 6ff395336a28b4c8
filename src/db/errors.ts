/**
 * Storage failures that pass by themselves: a lock held too long, a full disk, a dropped or
 * restarting PostgreSQL. A command that meets one is not answered "出错了" (which would mark it
 * processed and lose it); the event is left unacknowledged so Feishu delivers it again.
 */

const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL)/;

// PostgreSQL SQLSTATE classes: 08 connection, 53 insufficient resources, 57P operator intervention
// (shutdown, crash), 40001 serialization failure, 40P01 deadlock.
const PG_TRANSIENT = /^(08|53|57P|40001|40P01)/;

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOSPC', 'EAGAIN']);

export function isTransientStorageError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_TRANSIENT.test(code) || NETWORK.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && PG_TRANSIENT.test(code)) return true;
    }
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message)
    ) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
