/** Jobs made up for tests: `count` deliveries, each doing what the test says. */
import { type BaseContext, type Delivery, defineJob, type JobSpec } from '../../src/core/contracts.ts';

export function countedJob(
  name: string,
  count: number,
  deliver: (c: BaseContext, i: number) => Promise<void>,
): JobSpec {
  return defineJob({
    name,
    summary: 'test',
    schedule: '0 9 * * *',
    async collect(_ctx, now) {
      return Array.from(
        { length: count },
        (_, i): Delivery => ({
          subject: `n${i}`,
          occurrence: now.toISOString(),
          orgId: 1,
          deliver: (c) => deliver(c, i),
        }),
      );
    },
  });
}
