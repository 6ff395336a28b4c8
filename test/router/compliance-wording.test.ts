/**
 * The compliance reminder's words on the fast layer (the real job runner, no transport): the verb
 * follows the rule's kind (讲党课, 开展警示教育, 召开…会议), a regulation is cited by its full title in
 * 《》 with its year — also for an org whose rule was stored with the old bare text — and a rule from
 * practice says 常见做法 and cites nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { type Person, type RouterHarness, startRouter } from '../helpers/router.ts';

describe('compliance-check wording (runner, no transport)', () => {
  let r: RouterHarness;
  afterEach(async () => r?.stop());

  it('says 讲党课 and 开展警示教育, and cites in 《》 with the year, old stored rows too', async () => {
    r = await startRouter({ clock: fixedClock('2026-12-21T01:30:00Z') });
    const secretary = r.addUser('李书记');
    const member = r.addUser('赵党员') as Person;
    const chat = r.createGroup({ name: '第一党支部', owner: secretary, members: [member] });
    await r.say(chat, secretary, '/绑定 第一党支部');
    const org = await findOrgByChat(r.db.db, chat.chatId);
    if (!org) throw new Error('not bound');
    // A row seeded before citations carried 《》 and a year keeps its text in the database.
    await r.db.db
      .updateTable('calendar_rules')
      .set({ source: '中国共产党支部工作条例（试行）' })
      .where('org_id', '=', org.id)
      .where('key', '=', 'life_meeting')
      .execute();

    const { out } = await r.runJob('compliance-check', new Date('2026-12-21T01:30:00Z'));
    const texts = out.filter((m) => m.target.id === secretary.openId).map((m) => m.text ?? '');
    const line = (needle: string) => texts.find((t) => t.includes(needle));

    expect(line('本季度尚未讲党课（依据：《中国共产党支部工作条例（试行）》（2018年））')).toBeDefined();
    expect(line('本年度尚未开展警示教育（常见做法）')).toContain('请尽快安排：/学习 新建 警示教育');
    expect(line('本年度尚未召开组织生活会（依据：《中国共产党支部工作条例（试行）》（2018年））')).toBeDefined();
    for (const t of texts) {
      expect(t).not.toMatch(/召开(党课|警示教育|廉政教育|中心组学习|主题党日)/);
      expect(t).not.toContain('党风廉政建设实践');
      expect(t).toMatch(/（(依据：《[^》]+》（\d{4}年）|常见做法)）/);
    }
    expect(out.filter((m) => m.target.id === member.openId)).toEqual([]);
  });
});
