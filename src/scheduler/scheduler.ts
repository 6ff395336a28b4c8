/**
 * node-cron wiring. node-cron never runs a missed tick, so every job is level-triggered ("what is
 * due as of now") and runs once at start-up to catch up on what happened while the bot was down.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { JobSpec } from '../core/contracts.ts';
import { type JobDeps, runJob } from './runner.ts';

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly jobs: readonly JobSpec[],
    private readonly deps: JobDeps,
    private readonly timezone: string,
  ) {}

  start(o: { catchUp: boolean }): void {
    for (const job of this.jobs) {
      const task = cron.schedule(job.schedule, () => this.fire(job), {
        timezone: this.timezone,
        name: job.name,
        noOverlap: true,
      });
      this.tasks.push(task);
      if (o.catchUp) this.fire(job);
    }
  }

  private fire(job: JobSpec): Promise<void> {
    const p = runJob(job, this.deps, this.deps.clock.now())
      .then(() => undefined)
      .catch((err) => this.deps.logger.error({ job: job.name, err: String(err) }, 'job failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks.length = 0;
    await Promise.all([...this.running]);
  }
}
