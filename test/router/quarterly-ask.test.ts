/**
 * 季季报 on the fast layer (the real job runner and repositories, no transport): in the last 5 working
 * days of the quarter each owner is asked privately about the items they own; the 一岗双责 question
 * goes to leading cadres only — a 支委 (here the 纪检委员) and a member an item names as its 责任领导 —
 * never to an ordinary 党员; the same run again asks nobody twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { addOwner, createDutyItem, ensureDutyList, ensureTask } from '../../src/features/duties/repository.ts';
import { type Person, type RouterHarness, startRouter } from '../helpers/router.ts';

const AT = '2026-10-09T02:00:00.000Z';

describe('季季报 asks (runner, no transport)', () => {
  let r: RouterHarness;
  afterEach(async () => r?.stop());

  async function giveItem(orgId: number, listId: number, content: string, leader: string, owner: Person) {
    const item = await createDutyItem(r.db.db, {
      list_id: listId,
      org_id: orgId,
      category: '纪律建设',
      content,
      leader,
      cadence: 'once',
      due_date: '2026-12-20',
      due_day: null,
      evidence: '',
      import_key: null,
      created_by: 'test',
      created_at: AT,
      updated_at: AT,
    });
    await addOwner(r.db.db, item.id, owner);
    await ensureTask(r.db.db, {
      orgId,
      itemId: item.id,
      ownerOpenId: owner.openId,
      ownerName: owner.name,
      period: 'once',
      dueDate: '2026-12-20',
      at: AT,
    });
  }

  it('asks a 党员 about the items they own, and only leaders about 一岗双责', async () => {
    r = await startRouter({ clock: fixedClock('2026-12-25T01:30:00Z') });
    const secretary = r.addUser('李书记');
    const [inspector, member, cadre] = ['王纪检', '赵党员', '孙班子'].map((n) => r.addUser(n)) as [
      Person,
      Person,
      Person,
    ];
    const chat = r.createGroup({ name: '第一党支部', owner: secretary, members: [inspector, member, cadre] });
    await r.say(chat, secretary, '/绑定 第一党支部');
    await r.say(chat, secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    const org = await findOrgByChat(r.db.db, chat.chatId);
    if (!org) throw new Error('not bound');
    const list = await ensureDutyList(r.db.db, org.id, 2026, AT);
    await giveItem(org.id, list.id, '组织党员参加警示教育，观看警示教育片', '李书记', member);
    await giveItem(org.id, list.id, '每季度讲一次廉政党课', '孙班子', inspector);
    await giveItem(org.id, list.id, '落实谈心谈话制度，与分管党员谈心谈话全覆盖', '李书记', cadre);

    const { result, out } = await r.runJob('task-quarterly', new Date('2026-12-25T01:30:00Z'));
    expect(result).toMatchObject({ due: 3, posted: 3, failed: 0 });
    const askOf = (p: Person) => {
      const mine = out.filter((m) => m.target.type === 'open_id' && m.target.id === p.openId);
      expect(mine).toHaveLength(1);
      return JSON.stringify(mine[0]?.card);
    };

    const memberAsk = askOf(member);
    expect(memberAsk).toContain('季度履责报告 · 2026年第四季度');
    expect(memberAsk).toContain('请在 2026-12-31 前报告本季度您负责的主体责任任务的落实情况');
    expect(memberAsk).toContain('组织党员参加警示教育，观看警示教育片');
    expect(memberAsk).not.toContain('每季度讲一次廉政党课');
    expect(memberAsk).not.toContain('一岗双责');

    // A 支委 (纪检委员) and a 党员 named as an item's 责任领导 are leading cadres.
    for (const [leader, item] of [
      [inspector, '每季度讲一次廉政党课'],
      [cadre, '落实谈心谈话制度'],
    ] as const) {
      const ask = askOf(leader);
      expect(ask).toContain('请在 2026-12-31 前报告本季度落实主体责任、履行“一岗双责”的情况');
      expect(ask).toContain(item);
    }
    // The secretary owns nothing: no ask.
    expect(out.filter((m) => m.target.id === secretary.openId)).toEqual([]);

    const again = await r.runJob('task-quarterly', new Date('2026-12-25T01:30:00Z'));
    expect(again.result).toMatchObject({ posted: 0 });
    expect(again.out).toEqual([]);
  });
});
