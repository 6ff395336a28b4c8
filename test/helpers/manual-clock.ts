/**
 * A clock that stands still at the instant it is given until the test sets another: the bot's
 * business time (`startBot({ clock })`) when a spec moves days ahead between steps.
 */
import type { Clock } from '../../src/core/clock.ts';

export class ManualClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at.getTime());
  }
  set(at: Date): void {
    this.at = at;
  }
}
