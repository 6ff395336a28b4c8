// The inbox's work in slices (src/feishu/inbox-work.ts Slices): the event loop gets a turn (the
// network: arrivals, acks) between slices however much work waits; urgent work goes first; work
// waiting on the network does not hold the slice.
import { describe, expect, it } from 'vitest';
import { Slices } from '../../src/feishu/inbox-work.ts';

describe('work in slices', () => {
  it('lets the event loop in between slices: 1,000 pieces of work are not done in one go', async () => {
    // A clock that moves 0.1 ms each time the slicer reads it: every piece of work "takes" that long.
    let t = 0;
    const slices = new Slices({ minMs: 4, maxMs: 8, now: () => (t += 0.1) });
    let done = 0;
    const all = Array.from({ length: 1000 }, () => slices.run(async () => undefined).then(() => done++));
    // A request arriving meanwhile: it is looked at after the first slice (at most 8 ms of work).
    const seenAfter = await new Promise<number>((resolve) => setImmediate(() => setImmediate(() => resolve(done))));
    await Promise.all(all);
    expect(done).toBe(1000);
    expect(seenAfter).toBeGreaterThan(0);
    expect(seenAfter).toBeLessThan(1000);
  });

  it('runs urgent work before the work already waiting, each in the order it came', async () => {
    const slices = new Slices();
    const order: string[] = [];
    const note = (name: string) => async () => {
      order.push(name);
    };
    await Promise.all([
      slices.run(note('a')),
      slices.run(note('b')),
      slices.run(note('click 1'), true),
      slices.run(note('c')),
      slices.run(note('click 2'), true),
      slices.run(note('click 3'), true),
    ]);
    // Not newest first: under a stream of clicks the oldest would wait past Feishu's 3 s.
    expect(order).toEqual(['click 1', 'click 2', 'click 3', 'a', 'b', 'c']);
  });

  it('does not hold the slice for work that waits on the network', async () => {
    const slices = new Slices();
    let answer = () => {};
    const reply = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const order: string[] = [];
    const slow = slices.run(async () => {
      await reply;
      order.push('slow');
    });
    await slices.run(async () => {
      order.push('quick');
    });
    answer();
    await slow;
    expect(order).toEqual(['quick', 'slow']);
  });

  it('passes on what the work returns and what it throws', async () => {
    const slices = new Slices();
    await expect(slices.run(async () => 42)).resolves.toBe(42);
    await expect(
      slices.run(async () => {
        throw new Error('storage unavailable');
      }),
    ).rejects.toThrow('storage unavailable');
  });
});
