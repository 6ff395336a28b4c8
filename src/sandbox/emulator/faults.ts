/**
 * Faults a test injects into the Open API: calls that fail (`failNext`) and calls answered late
 * (`slowDown`), each matched by method and a substring of the path.
 */

import type { Fault } from './types.ts';

interface SlowRoute {
  method?: string;
  path?: string;
  delayMs: number;
  times: number;
}

export class Faults {
  private readonly faults: Fault[] = [];
  private readonly slowRoutes: SlowRoute[] = [];

  /** The next matching Open API calls fail as described. */
  failNext(f: Fault): void {
    this.faults.push({ ...f });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  slowDown(o: { method?: string; path?: string; delayMs: number; times?: number }): void {
    this.slowRoutes.push({ ...o, times: o.times ?? Number.POSITIVE_INFINITY });
  }

  clearSlowDowns(): void {
    this.slowRoutes.length = 0;
  }

  /** Waits as long as the first matching slow route says (and counts the call against it). */
  async slowDownFor(method: string, path: string): Promise<void> {
    const r = this.slowRoutes.find(
      (x) => x.times > 0 && (!x.method || x.method === method) && (!x.path || path.includes(x.path)),
    );
    if (!r) return;
    r.times--;
    await new Promise((resolve) => setTimeout(resolve, r.delayMs));
  }

  /** The first fault matching this call, counted down (and forgotten once used up). */
  take(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || path.includes(f.path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.times--;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }
}
