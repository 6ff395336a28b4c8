/** Structured JSON logs (pino). Secrets are redacted by path as a second line of defence. */
import { type DestinationStream, pino } from 'pino';
import type { LogLevel } from './config.ts';
import type { Logger } from './core/contracts.ts';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger & { level: string } {
  return pino(
    {
      level,
      base: { app: 'qingfeng' },
      redact: {
        paths: ['appSecret', 'encryptKey', 'token', 'tenant_access_token', '*.appSecret', '*.encryptKey', '*.token'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
