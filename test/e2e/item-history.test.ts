/**
 * An item's card shows only its latest 10 history entries (a card is limited to 30 KB); the rest is
 * one command away: `/整改 记录 12` and `/任务 记录 5` send the whole history, every entry with its
 * full text, as an .xlsx file in the asker's private chat. 遇到困难 reasons are for the secretary:
 * a task's record goes to its owner and the admins only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addTaskEvent } from '../../src/features/duties/repository.ts';
import { addEvent } from '../../src/features/rectification/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { readSpreadsheet } from '../../src/services/spreadsheet.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText } from '../helpers/cards.ts';

describe('item history beyond the card', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

  async function ask(chatId: string, from: EmuUser, text: string) {
    const before = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
    return h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what: `answer to ${text}` });
  }

  async function fileIn(chatId: string): Promise<{ name: string; rows: string[][] }> {
    const m = (await h.emu.waitFor(() => h.emu.botMessages(chatId).find((x) => x.msgType === 'file'), {
      what: `a file in ${chatId}`,
    })) as EmuMessage;
    const key = (JSON.parse(m.content) as { file_key: string }).file_key;
    const f = h.emu.store.files.get(key);
    if (!f) throw new Error(`no file ${key}`);
    const rows = await readSpreadsheet('x.xlsx', f.bytes);
    return { name: f.name, rows: rows.map((r) => r.map((c) => c.text)) };
  }

  const longText = (i: number) => `第${i}次进展：${'按整改方案逐项落实，'.repeat(90)}`.slice(0, 1000);

  it('/整改 记录 sends all 41 entries privately; the card shows the latest 10 and says where the rest is', async () => {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '赵党员'] });
    const [inspector, owner] = w.members as [EmuUser, EmuUser];
    await ask(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    const formCard = await ask(w.chat.chatId, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '党支部“三会一课”记录不规范',
        measures: '建立会议记录模板，逐月检查',
        owner: owner.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '',
      },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    for (let i = 1; i <= 40; i++) {
      await addEvent(h.db.db, {
        item_id: id,
        at: `2026-12-01T03:${String(i).padStart(2, '0')}:00.000Z`,
        actor_open_id: owner.openId,
        actor_name: owner.name,
        kind: 'progress',
        percent: 50,
        text: longText(i),
      });
    }

    const shown = await ask(w.chat.chatId, owner, `/整改 查看 ${id}`);
    const text = cardText(shown.content);
    expect(text).toContain('历史记录（41）');
    expect(text).toContain(`共 41 条，这里显示最近 10 条；完整记录请发送 /整改 记录 ${id}。`);
    expect(text).toContain('第40次进展');
    expect(text).not.toContain('第30次进展');

    const reply = await ask(w.chat.chatId, owner, `/整改 记录 ${id}`);
    expect(messageText(reply)).toMatch(new RegExp(`^整改事项 #${id} 共 41 条历史记录，文件《.+》已私信发送给您。$`));
    expect(h.emu.botMessages(w.chat.chatId).some((m) => m.msgType === 'file')).toBe(false);
    const file = await fileIn(p2p(owner));
    expect(file.name).toMatch(/^整改事项\d+-历史记录-2026-12-01\.xlsx$/);
    expect(file.rows[1]).toEqual(['序号', '时间', '操作人', '事项', '内容']);
    expect(file.rows).toHaveLength(2 + 41);
    expect(file.rows[2]?.[3]).toBe('创建');
    expect(file.rows[42]).toEqual(['41', expect.any(String), '赵党员', '报告进展', longText(40)]);
  });

  it('/任务 记录 goes to the owner and the admins, not to other members', async () => {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '赵党员'] });
    const [owner, other] = w.members as [EmuUser, EmuUser];
    const formCard = await ask(w.chat.chatId, w.secretary, '/任务 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_task_new',
      formValue: {
        content: '每季度讲一次廉政党课',
        owners: [owner.openId],
        leader: '李书记',
        cadence: 'once',
        due: '2026-12-20',
        category: '组织建设',
        evidence: '',
      },
    });
    const id = Number(/责任任务 #(\d+)/.exec(cardText(created.card))?.[1]);
    expect(id).toBeGreaterThan(0);
    for (let i = 1; i <= 12; i++) {
      await addTaskEvent(h.db.db, {
        task_id: id,
        at: '2026-12-01T03:00:00.000Z',
        actor_open_id: owner.openId,
        actor_name: owner.name,
        kind: i === 12 ? 'blocked' : 'progress',
        status: i === 12 ? 'blocked' : 'in_progress',
        percent: 10,
        text: longText(i),
      });
    }
    expect(messageText(await ask(w.chat.chatId, other, `/任务 记录 ${id}`))).toBe(
      `只有责任人（王纪检）或组织管理员可以查看任务 #${id} 的完整记录。`,
    );
    expect(messageText(await ask(w.chat.chatId, owner, `/任务 记录 ${id}`))).toMatch(
      new RegExp(`^任务 #${id} 共 12 条记录，文件《.+》已私信发送给您。$`),
    );
    const file = await fileIn(p2p(owner));
    expect(file.rows).toHaveLength(2 + 12);
    expect(file.rows[13]?.slice(3)).toEqual(['遇到困难', longText(12)]);
    expect(h.emu.botMessages(p2p(other)).some((m) => m.msgType === 'file')).toBe(false);
  });
});
