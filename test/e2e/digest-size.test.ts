/**
 * The weekly overdue digest stays one card within Feishu's limits (30 KB request body) however many
 * items are overdue: 300 overdue items with 1000-character problems, of 4 owners, some on 请假,
 * give one group card listing 60 of them and one private card to the secretary for the away owner's,
 * each saying where the rest is (/整改 列表 逾期).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { createRectification } from '../../src/features/rectification/repository.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import * as talk from '../helpers/converse.ts';

describe('weekly overdue digest at its largest', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const requestBytes = (content: string) =>
    Buffer.byteLength(JSON.stringify({ receive_id: 'oc_x', msg_type: 'interactive', content }), 'utf8');

  it('lists 60 of 300 overdue items in the group and 60 of the away owner’s to the secretary, each card within 30 KB', async () => {
    h = await startBot({ clock: fixedClock('2026-10-09T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const owners = w.members as EmuUser[];
    const away = owners[2] as EmuUser;
    const group = w.chat.chatId;
    const reply = await talk.say(h, group, away, '/请假 2026-10-30 出差');
    expect(messageText(reply)).toContain('已登记请假');
    const problem = (i: number) => `第${i}项：${'干部选拔任用工作程序执行不严格，'.repeat(70)}`.slice(0, 1000);
    for (let i = 1; i <= 300; i++) {
      const o = owners[i % 4] as EmuUser;
      await createRectification(h.db.db, {
        org_id: org.id,
        batch_id: null,
        source: '巡察',
        problem: problem(i),
        measures: '整改措施',
        leader: '李书记',
        owner_open_id: o.openId,
        owner_name: o.name,
        deadline: '2026-10-10',
        kind: 'centralized',
        area: '',
        status: 'in_progress',
        import_key: null,
        created_by: w.secretary.openId,
        created_at: '2026-09-01T00:00:00.000Z',
        updated_at: '2026-09-01T00:00:00.000Z',
      });
    }
    const groupBefore = h.emu.botMessages(group).length;
    const secretaryChat = h.emu.p2pChat(w.secretary.openId).chatId;
    const secretaryBefore = h.emu.botMessages(secretaryChat).length;
    expect(await talk.runJobAt(h, 'rectification-digest', '2026-10-19')).toMatchObject({ posted: 1 });
    await talk.drained(h);

    const [digest] = h.emu.botMessages(group).slice(groupBefore);
    expect(digest?.msgType).toBe('interactive');
    const content = digest?.content ?? '';
    expect(checkCard(content)).toBeUndefined();
    expect(requestBytes(content)).toBeLessThanOrEqual(30 * 1024);
    expect(content).toContain('本周逾期整改事项（225 项）');
    expect(content).toContain('共 225 项，这里列出 60 项；全部逾期事项请发送 /整改 列表 逾期 查看。');

    const [toSecretary] = h.emu.botMessages(secretaryChat).slice(secretaryBefore);
    const privateContent = toSecretary?.content ?? '';
    expect(privateContent).toContain('请假人员的逾期整改事项');
    expect(checkCard(privateContent)).toBeUndefined();
    expect(requestBytes(privateContent)).toBeLessThanOrEqual(30 * 1024);
    expect(privateContent).toContain('共 75 项，这里列出 60 项；其余请发送 /整改 列表 逾期 查看。');
  });
});
