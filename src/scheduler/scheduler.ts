/**
 * node-cron wiring. node-cron never runs a missed tick, so every job is level-triggered ("what is
 * due as of now") and runs once at start-up to catch up on what happened while the bot was down.
 *
 * Every run, the catch-up at start-up included, meets the nudge gate in the runner (gate.ts): what a
 * job would send on a day off or in quiet hours is held, not dropped. Each minute the scheduler runs
 * again the jobs whose held deliveries may go out by then (`runHeld`); the claims keep a delivery to
 * one send however many runs, and replicas, see it.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { JobSpec } from '../core/contracts.ts';
import { type JobDeps, type JobResult, runJob } from './runner.ts';

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();
  /** Jobs with deliveries held by the gate: when it opens for the first of them (epoch ms). */
  private readonly held = new Map<string, number>();

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
    this.tasks.push(
      cron.schedule('* * * * *', () => this.runHeld(), { timezone: this.timezone, name: 'held', noOverlap: true }),
    );
  }

  /**
   * Runs again each job whose held deliveries may go out as of the clock's now (node-cron calls it
   * every minute; a test with a fake clock calls it after moving the clock).
   */
  async runHeld(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const due = this.jobs.filter((j) => (this.held.get(j.name) ?? Number.POSITIVE_INFINITY) <= now);
    for (const job of due) this.held.delete(job.name);
    await Promise.all(due.map((job) => this.fire(job)));
  }

  /** Resolves when the runs started so far have finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private fire(job: JobSpec): Promise<void> {
    const p = runJob(job, this.deps, this.deps.clock.now())
      .then((r) => this.noteHeld(job, r))
      .catch((err) => this.deps.logger.error({ job: job.name, err: String(err) }, 'job failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }

  /** The newest run of a job says what of it still waits for the gate. */
  private noteHeld(job: JobSpec, r: JobResult): void {
    if (r.heldUntil) this.held.set(job.name, Date.parse(r.heldUntil));
    else this.held.delete(job.name);
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks.length = 0;
    this.held.clear();
    await this.idle();
  }
}
