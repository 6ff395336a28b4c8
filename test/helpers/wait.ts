/**
 * Condition waits for the tests: the one place in test/ that polls on a timer (the emulator's
 * `waitFor` is the other, in src/sandbox). Tests wait for what they expect to see, never for a fixed
 * time (test/architecture.test.ts keeps it so).
 */

/** Polls `check` until it returns a value (not undefined or false), or fails after `timeoutMs`. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  o: { what: string; timeoutMs?: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}

/**
 * The pace of a scenario's own inputs: a user trying again after an error, commands arriving spread
 * out, a fault injected at a chosen moment (a kill, connections terminated, a database that comes
 * up late). Timing is what such a scenario is made of; a wait for the bot's work is `until` instead.
 */
export const pace = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
