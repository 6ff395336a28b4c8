/**
 * Wall clocks for tests that give the bot and the emulator their time (startBot's `wallClock`).
 */
import type { Clock } from '../../src/core/clock.ts';

/**
 * Runs with the system time and can be held still: what happens while it is held happens at one
 * instant for the bot and the emulator (a burst of clicks inside a coalescing window, however long
 * the machine takes over them). Let go, it runs on from that instant.
 */
export class HoldableClock implements Clock {
  private offsetMs = 0;
  private heldAt: number | undefined;
  now(): Date {
    return new Date(this.heldAt ?? Date.now() + this.offsetMs);
  }
  hold(): void {
    this.heldAt ??= Date.now() + this.offsetMs;
  }
  release(): void {
    if (this.heldAt === undefined) return;
    this.offsetMs = this.heldAt - Date.now();
    this.heldAt = undefined;
  }
}
