/**
 * Jobs on the fast layer (the real job runner and repositories, no transport; the same behaviour end to
 * end is in test/e2e/jobs.test.ts): holiday-check tells each admin privately once from 1 December, and
 * never before; running it again at the same instant sends nothing more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { type RouterHarness, startRouter } from '../helpers/router.ts';

describe('jobs (runner, no transport)', () => {
  let r: RouterHarness;
  afterEach(async () => r?.stop());

  it('holiday-check tells each admin once from 1 December, and never before', async () => {
    r = await startRouter({ clock: fixedClock('2026-12-01T01:30:00Z') });
    const secretary = r.addUser('李书记');
    const [inspector, member] = ['王纪检', '赵党员'].map((n) => r.addUser(n)) as [
      ReturnType<RouterHarness['addUser']>,
      ReturnType<RouterHarness['addUser']>,
    ];
    const chat = r.createGroup({ name: '第一党支部', owner: secretary, members: [inspector, member] });
    await r.say(chat, secretary, '/绑定 第一党支部');
    const role = await r.say(chat, secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    expect(role.reply?.text).toBeDefined();

    const before = await r.runJob('holiday-check', new Date('2026-11-30T01:30:00Z'));
    expect(before.result.due).toBe(0);
    expect(before.out).toEqual([]);
    const first = await r.runJob('holiday-check', new Date('2026-12-01T01:30:00Z'));
    expect(first.result).toMatchObject({ due: 1, posted: 1 });
    // One private notice to each admin (the secretary and the inspector), none to the member.
    const to = (p: { openId: string }) =>
      first.out.filter((m) => m.target.type === 'open_id' && m.target.id === p.openId);
    for (const admin of [secretary, inspector]) {
      const notices = to(admin);
      expect(notices).toHaveLength(1);
      expect(JSON.stringify(notices[0]?.card ?? notices[0]?.text)).toContain('缺少 2027 年节假日安排');
      expect(JSON.stringify(notices[0]?.card ?? notices[0]?.text)).toContain('npm run cli -- holidays import');
    }
    expect(to(member)).toEqual([]);
    const again = await r.runJob('holiday-check', new Date('2026-12-01T01:30:00Z'));
    expect(again.result).toMatchObject({ due: 1, posted: 0, skipped: 1 });
    expect(again.out).toEqual([]);
  });
});
