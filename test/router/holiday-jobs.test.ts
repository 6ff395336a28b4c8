/**
 * The holiday jobs without a holiday table for 2027 (the package stops at 2026), on the fast layer:
 * - holiday-check: the operators (BOT_ADMINS) get the import command; the org's admins only what it
 *   means for them; ordinary members nothing;
 * - holiday-reminder: the 元旦 2027 and 春节 2027 reminders go out on the estimated dates, marked 预计,
 *   once each; 中秋节 and 国庆节 2026 go out as one card.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { type Person, type RouterHarness, startRouter } from '../helpers/router.ts';

const bj = (date: string, time = '09:00') => new Date(`${date}T${time}:00+08:00`);
const shown = (o: { card?: unknown; text?: string }) => JSON.stringify(o.card ?? o.text);

describe('holiday jobs without a 2027 table', () => {
  let r: RouterHarness;
  afterEach(async () => r?.stop());

  async function setup(now: string) {
    const operator = { openId: 'ou_operator0000001', name: '运维' };
    r = await startRouter({ clock: fixedClock(now), botAdmins: [operator.openId] });
    const secretary = r.addUser('李书记');
    const inspector = r.addUser('王纪检');
    const member = r.addUser('赵党员');
    const chat = r.createGroup({ name: '第一党支部', owner: secretary, members: [inspector, member] });
    await r.say(chat, secretary, '/绑定 第一党支部');
    await r.say(chat, secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    return { operator, secretary, inspector, member, chat };
  }
  const to = (out: { target: { type: string; id: string | null } }[], p: Person) =>
    out.filter((m) => m.target.type === 'open_id' && m.target.id === p.openId);

  it('holiday-check: the command to BOT_ADMINS only, what it means to the org’s admins', async () => {
    const w = await setup('2026-12-01T01:30:00Z');
    const first = await r.runJob('holiday-check', bj('2026-12-01', '09:30'));
    expect(first.result).toMatchObject({ due: 2, posted: 2 });
    const ops = to(first.out, w.operator);
    expect(ops).toHaveLength(1);
    expect(shown(ops[0] as never)).toContain('缺少 2027 年节假日安排');
    expect(shown(ops[0] as never)).toContain('npm run cli -- holidays import');
    for (const admin of [w.secretary, w.inspector]) {
      const n = to(first.out, admin);
      expect(n).toHaveLength(1);
      expect(shown(n[0] as never)).toContain('2027 年节假日安排尚未导入');
      expect(shown(n[0] as never)).toContain('预计');
      expect(shown(n[0] as never)).not.toContain('npm run');
    }
    expect(to(first.out, w.member)).toEqual([]);
    expect(first.out.filter((m) => shown(m).includes('npm run'))).toHaveLength(1);

    const again = await r.runJob('holiday-check', bj('2026-12-02', '09:30'));
    expect(again.result).toMatchObject({ posted: 0 });
    expect(again.out).toEqual([]);
  });

  it('holiday-reminder: 元旦 and 春节 2027 on their estimated dates, marked 预计, once each', async () => {
    const w = await setup('2026-12-24T01:00:00Z');
    const inGroup = (out: { target: { id: string | null } }[]) => out.filter((m) => m.target.id === w.chat.chatId);

    // 元旦 2027 (Friday): the window opens five working days before, on Friday 25 December.
    expect((await r.runJob('holiday-reminder', bj('2026-12-24'))).out).toEqual([]);
    const newYear = await r.runJob('holiday-reminder', bj('2026-12-25'));
    const card = inGroup(newYear.out);
    expect(card).toHaveLength(1);
    expect(shown(card[0] as never)).toContain('节前廉政提醒 · 元旦');
    expect(shown(card[0] as never)).toContain('预计 2027-01-01 放假');
    expect(to(newYear.out, w.inspector).length).toBeGreaterThan(0);
    expect((await r.runJob('holiday-reminder', bj('2026-12-28'))).out).toEqual([]);

    // 春节 2027: 除夕 is Friday 5 February; five working days before is Friday 29 January.
    expect(inGroup((await r.runJob('holiday-reminder', bj('2027-01-28'))).out)).toEqual([]);
    const spring = inGroup((await r.runJob('holiday-reminder', bj('2027-01-29'))).out);
    expect(spring).toHaveLength(1);
    expect(shown(spring[0] as never)).toContain('节前廉政提醒 · 春节');
    expect(shown(spring[0] as never)).toContain('预计 2027-02-05 至 2027-02-08 放假');
    expect(shown(spring[0] as never)).toContain('春节将至');
    expect((await r.runJob('holiday-reminder', bj('2027-02-02'))).out).toEqual([]);
  });

  it('holiday-reminder: one card for 中秋节 and 国庆节 2026, not two', async () => {
    const w = await setup('2026-09-17T01:00:00Z');
    const cards: string[] = [];
    for (let d = 14; d <= 30; d++) {
      const date = `2026-09-${String(d).padStart(2, '0')}`;
      const { out } = await r.runJob('holiday-reminder', bj(date));
      for (const m of out) if (m.target.id === w.chat.chatId) cards.push(`${date} ${shown(m)}`);
    }
    expect(cards).toHaveLength(1);
    // Five working days before 中秋节 (Friday 25 September): Sunday 20 September, a 调休 working day.
    expect(cards[0]).toMatch(/^2026-09-20 /);
    expect(cards[0]).toContain('节前廉政提醒 · 中秋节、国庆节');
    expect(cards[0]).toContain('中秋节、国庆节将至');
    expect(cards[0]).toContain('2026-09-25 至 2026-10-07 放假');
    expect(cards[0]).not.toContain('预计');
  });
});
