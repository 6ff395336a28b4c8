/** The only place that reads the system time. Everything else receives a Clock. */
import type { Clock } from './core/clock.ts';

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that runs with the system but can be shifted (the sandbox's "advance by days", and
 * tests that need time to pass at a chosen date).
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Moves the clock so that it shows `at` now. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
  /** Back to the system time. */
  reset(): void {
    this.offsetMs = 0;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  get offset(): number {
    return this.offsetMs;
  }
}

/** A clock stopped at one instant (tests, `job run --now`). */
export function fixedClock(at: Date | string): Clock {
  const d = typeof at === 'string' ? new Date(at) : at;
  return { now: () => new Date(d.getTime()) };
}
