/** Captures the bot's JSON log lines in memory, so tests can read them (and check what is never there). */
import { Writable } from 'node:stream';
import type { Logger } from '../../src/core/contracts.ts';
import { createLogger } from '../../src/logger.ts';

export interface CapturedLogs {
  logger: Logger;
  lines: string[];
  records(): Record<string, unknown>[];
}

export function captureLogs(level: 'info' | 'debug' | 'warn' = 'info'): CapturedLogs {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(l);
      cb();
    },
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
