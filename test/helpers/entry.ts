/**
 * How tests start the bot or the CLI as a process: exactly what `npm start` and `npm run cli` run
 * (`node src/launch.mjs src/main.ts …`), from any working directory.
 */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCH = fileURLToPath(new URL('../../src/launch.mjs', import.meta.url));

/** Arguments for `spawn(process.execPath, …)`: the bot (`npm start`). */
export const botArgs = (): string[] => [LAUNCH, 'src/main.ts'];

/** Arguments for `spawn(process.execPath, …)`: the CLI (`npm run cli -- …args`). */
export const cliArgs = (...args: string[]): string[] => [LAUNCH, 'src/cli.ts', ...args];
