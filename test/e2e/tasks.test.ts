/**
 * 主体责任清单 end to end: a 15-item .xlsx sent privately → preview → 确认导入 → tasks, private cards, /清单;
 * 月月提 (once per owner and month, not to members on leave, not after the catch-up window); progress,
 * 已完成 and 遇到困难 through card forms with the group board PATCHed (coalesced); refusals; recurring
 * occurrences and missed ones; 季季报 asks and the quarter-end roll-up with its .xlsx 台账; /我的, /任务 导出.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { type Btn, button, buttons, cardText, cardTitle, findButton } from '../helpers/cards.ts';
import { HoldableClock } from '../helpers/clocks.ts';
import * as talk from '../helpers/converse.ts';
import { DUTY_LIST_HEADERS, type DutyFixtureRow, dutyListRows, dutyListXlsx } from '../helpers/duty-files.ts';
import { ledgerXlsx } from '../helpers/ledger-files.ts';

/** A stopped clock that the test moves by hand (the bot's business time). */
class ManualClock implements Clock {
  private at: number;
  constructor(at: string) {
    this.at = Date.parse(at);
  }
  now(): Date {
    return new Date(this.at);
  }
  set(at: string): void {
    this.at = Date.parse(at);
  }
}

/** The rows of the card's tables (in order), as shown. */
function tables(content: string): Record<string, string>[][] {
  const out: Record<string, string>[][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'table') out.push(o.rows as Record<string, string>[]);
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(content));
  return out;
}

const LEDGER_HEADERS = [
  '序号',
  '类别',
  '责任内容',
  '责任领导',
  '责任人',
  '频次',
  '本期时限',
  '状态',
  '完成进度',
  '最近进展',
  '佐证材料',
  '验收人',
  '验收时间',
  '退回理由',
  '是否逾期',
];

const utc = (date: string) => new Date(`${date}T00:00:00.000Z`);

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

function rowValues(ws: ExcelJS.Worksheet, n: number): ExcelJS.CellValue[] {
  const row = ws.getRow(n);
  return LEDGER_HEADERS.map((_h, i) => row.getCell(i + 1).value);
}

const byKey = <T>(a: T[]) => [...a].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

describe('主体责任清单: tasks, 月月提 and 季季报', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

  async function setup(at: string, o: { wallClock?: Clock } = {}) {
    const clock = new ManualClock(at);
    h = await startBot({ clock, wallClock: o.wallClock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const byName = new Map<string, EmuUser>([
      [w.secretary.name, w.secretary],
      ...w.members.map((m) => [m.name, m] as const),
    ]);
    const user = (name: string) => {
      const u = byName.get(name);
      if (!u) throw new Error(`no user ${name}`);
      return u;
    };
    return { ...w, org, user, clock };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const answerTo = (m: EmuMessage, timeoutMs?: number) => talk.answerTo(h, m, timeoutMs);
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);

  async function sendFile(from: EmuUser, fileName: string, bytes: Buffer) {
    const sent = await h.emu.sendFile({ chatId: p2p(from), from: from.openId, fileName, bytes });
    return answerTo(sent);
  }

  const taskCards = (u: EmuUser) => h.emu.botMessages(p2p(u)).filter((m) => cardTitle(m)?.startsWith('责任任务 #'));

  /** The owner's private card of task `id`, once delivered (the latest one). */
  const ownerCard = (u: EmuUser, id: number) =>
    h.emu.waitFor(() => taskCards(u).findLast((m) => cardTitle(m) === `责任任务 #${id}`), {
      what: `task card #${id} for ${u.name}`,
      timeoutMs: 10_000,
    });

  const fileMessages = (chatId: string) => h.emu.botMessages(chatId).filter((m) => m.msgType === 'file');
  const fileOf = (m: EmuMessage) => {
    const f = h.emu.store.files.get((JSON.parse(m.content) as { file_key: string }).file_key);
    if (!f) throw new Error('no file');
    return f;
  };

  const dutyItems = (orgId: number) =>
    h.db.db.selectFrom('duty_items').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
  const allTasks = (orgId: number) =>
    h.db.db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .selectAll('tasks')
      .select(['duty_items.content'])
      .where('tasks.org_id', '=', orgId)
      .orderBy('tasks.id')
      .execute();
  const taskById = (id: number) =>
    h.db.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const taskOf = async (orgId: number, content: string, owner: string, period?: string) => {
    const t = (await allTasks(orgId)).find(
      (x) => x.content.startsWith(content) && x.owner_name === owner && (!period || x.period === period),
    );
    if (!t) throw new Error(`no task ${content} / ${owner}`);
    return t;
  };
  const events = (taskId: number) =>
    h.db.db.selectFrom('task_events').selectAll().where('task_id', '=', taskId).orderBy('id').execute();

  /** Sends a list privately as the secretary and confirms it; waits for every owner's card. */
  async function importFile(w: World, fileName: string, bytes: Buffer, rows: number) {
    const preview = await sendFile(w.secretary, fileName, bytes);
    const done = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, `确认导入 ${rows} 行`).value,
    });
    expect(done.toast?.content).toBe('导入完成');
    const tasks = await allTasks(w.org.id);
    for (const t of tasks) await ownerCard(h.emu.requireUser(t.owner_open_id), t.id);
    return { preview, done, tasks };
  }
  const importList = async (w: World) =>
    importFile(w, '2026年主体责任清单.xlsx', await dutyListXlsx(), dutyListRows().length);

  /** Opens a form on a card (更新进度 / 遇到困难) and submits it; answers with the callback result. */
  async function submitForm(
    u: EmuUser,
    card: EmuMessage,
    open: string,
    submit: string,
    name: string,
    formValue: Record<string, unknown>,
  ) {
    const opened = await h.emu.click({ messageId: card.messageId, from: u.openId, value: button(card, open).value });
    expect(opened.error).toBeUndefined();
    return h.emu.click({
      messageId: card.messageId,
      from: u.openId,
      value: button(h.emu.requireMessage(card.messageId), submit).value,
      name,
      formValue,
    });
  }

  /** Creates an item through the /任务 新建 form in the group; returns the first task's id. */
  async function createByForm(w: World, form: Record<string, unknown>) {
    const formCard = await say(w.chat.chatId, w.secretary, '/任务 新建');
    expect(cardTitle(formCard)).toBe('新增主体责任任务');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_task_new',
      formValue: { leader: '李书记', category: '组织建设', evidence: '', due: '', ...form },
    });
    expect(created.toast?.content).toMatch(/^已创建，\d 位责任人已收到任务卡片$/);
    const id = Number(/责任任务 #(\d+)/.exec(cardText(created.card))?.[1]);
    return { id, formCard: h.emu.requireMessage(formCard.messageId) };
  }

  it('imports a 15-item 主体责任清单 sent privately: preview, 确认导入, a task per item and owner, private cards, /清单', async () => {
    const w = await setup('2026-12-01T02:00:00Z');
    const fixture = dutyListRows();
    const preview = await sendFile(w.secretary, '2026年主体责任清单.xlsx', await dutyListXlsx(fixture));
    expect(cardTitle(preview)).toBe('导入预览 · 主体责任清单');
    const shown = cardText(preview.content);
    expect(shown).toContain('**15** 行可导入（新增 15，更新 0，无变化 0）；**0** 行有错误，不会导入。');
    expect(shown).toContain('王纪检、张组织 · 组织党员参加警示教育，观看警示教育片并撰写心得体会');
    expect(await dutyItems(w.org.id)).toHaveLength(0); // nothing before 确认导入

    const confirmed = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 15 行').value,
    });
    expect(confirmed.toast?.content).toBe('导入完成');
    expect(cardText(confirmed.card)).toContain('2026年主体责任清单.xlsx：新增 15 项，更新 0 项，0 项无变化。');

    const items = await dutyItems(w.org.id);
    expect(items.map((i) => [i.seq, i.category, i.content, i.leader, i.cadence, i.due_date, i.due_day])).toEqual(
      fixture.map((r, n) => [
        n + 1,
        r.category,
        r.content,
        r.leader,
        r.expected.cadence,
        r.expected.dueDate,
        r.expected.dueDay,
      ]),
    );
    for (const [n, item] of items.entries()) {
      const owners = await h.db.db.selectFrom('duty_owners').selectAll().where('item_id', '=', item.id).execute();
      expect(byKey(owners.map((o) => [o.name, o.open_id]))).toEqual(
        byKey((fixture[n]?.owners ?? '').split('、').map((name) => [name, w.user(name).openId])),
      );
    }

    // One task per (item × owner) for the current period, each with the period's due date.
    const tasks = await allTasks(w.org.id);
    expect(tasks).toHaveLength(20);
    expect(
      byKey(tasks.map((t) => [t.item_id, t.owner_name, t.owner_open_id, t.period, t.due_date, t.status, t.percent])),
    ).toEqual(
      byKey(
        fixture.flatMap((r, n) =>
          r.owners
            .split('、')
            .map((name) => [
              items[n]?.id,
              name,
              w.user(name).openId,
              r.expected.period,
              r.expected.taskDue,
              'not_started',
              0,
            ]),
        ),
      ),
    );

    // Each owner got a private card for each of their tasks, exactly once.
    for (const name of ['李书记', '王纪检', '张组织', '赵党员', '钱党员']) {
      const u = w.user(name);
      const mine = tasks.filter((t) => t.owner_open_id === u.openId);
      for (const t of mine) {
        const c = await ownerCard(u, t.id);
        expect(cardText(c.content)).toContain(t.content);
        expect(cardText(c.content)).toContain(`**本期时限**：${t.due_date}`);
        expect(buttons(c).map((b) => b.text)).toEqual(['更新进度', '已完成', '遇到困难']);
      }
      expect(taskCards(u)).toHaveLength(mine.length);
    }
    expect(
      new Map([
        ['李书记', 3],
        ['王纪检', 6],
        ['张组织', 6],
        ['赵党员', 3],
        ['钱党员', 2],
      ]),
    ).toEqual(new Map(['李书记', '王纪检', '张组织', '赵党员', '钱党员'].map((n) => [n, taskCards(w.user(n)).length])));

    // /清单 shows the list to any member.
    const list = await say(w.chat.chatId, w.user('赵党员'), '/清单');
    expect(cardTitle(list)).toBe('第一党支部 2026年主体责任清单');
    const listText = cardText(list.content);
    expect(listText).toContain('共 15 项');
    for (const [n, r] of fixture.entries()) expect(listText).toContain(`**${n + 1}.** 【${r.category}】${r.content}`);
    expect(listText.match(/\*\*\d+\.\*\* 【/g)).toHaveLength(15);
    expect(listText).toMatch(/每半年 · 责任领导 李书记 · 责任人 (王纪检、张组织|张组织、王纪检)/);
    expect(listText).toContain('每月 · 责任领导 李书记 · 责任人 ');

    // The same file sent again changes nothing and sends no card.
    const again = await sendFile(w.secretary, '2026年主体责任清单.xlsx', await dutyListXlsx(fixture));
    expect(cardText(again.content)).toContain('**15** 行可导入（新增 0，更新 0，无变化 15）');
    const same = await h.emu.click({
      messageId: again.messageId,
      from: w.secretary.openId,
      value: button(again, '确认导入 15 行').value,
    });
    expect(cardText(same.card)).toContain('新增 0 项，更新 0 项，15 项无变化。');
    expect(await dutyItems(w.org.id)).toHaveLength(15);
    expect(await allTasks(w.org.id)).toHaveLength(20);
    await talk.settled(h);
    expect(['李书记', '王纪检', '张组织', '赵党员', '钱党员'].map((n) => taskCards(w.user(n)).length)).toEqual([
      3, 6, 6, 3, 2,
    ]);
  });

  it('月月提: one checklist per owner with open tasks on 1 December, once; not to a member on leave, not again on the 2nd, nothing after the catch-up window', async () => {
    const w = await setup('2026-12-01T00:40:00Z'); // 08:40 on Tuesday 1 December
    const { tasks } = await importList(w);
    const away = await say(w.chat.chatId, w.user('钱党员'), '/请假 2026-12-10 参加党校培训');
    expect(messageText(away)).toContain('已登记请假至');
    // 赵党员 has already finished all three of his tasks.
    const zhao = w.user('赵党员');
    for (const t of tasks.filter((x) => x.owner_open_id === zhao.openId)) {
      const card = await ownerCard(zhao, t.id);
      const done = await h.emu.click({
        messageId: card.messageId,
        from: zhao.openId,
        value: button(card, '已完成').value,
      });
      expect(done.toast?.content).toBe('已标记完成');
    }

    // Before 09:00 nothing is due.
    expect(await h.app.runJob('task-monthly', new Date('2026-12-01T00:50:00Z'))).toMatchObject({ due: 0, posted: 0 });

    const first = await h.app.runJob('task-monthly', new Date('2026-12-01T01:30:00Z'));
    expect(first).toMatchObject({ due: 3, posted: 3, skipped: 0, failed: 0 });
    const checklists = (u: EmuUser) => h.emu.botMessages(p2p(u)).filter((m) => cardTitle(m) === '月月提 · 2026-12');
    for (const name of ['李书记', '王纪检', '张组织']) {
      const u = w.user(name);
      const card = await h.emu.waitFor(() => checklists(u)[0], { what: `checklist for ${name}` });
      const mine = tasks.filter((t) => t.owner_open_id === u.openId);
      const text = cardText(card.content);
      expect(text).toContain(`${name}，这是您本月需要落实的主体责任任务（${mine.length} 项）：`);
      expect([...text.matchAll(/\*\*#(\d+)\*\*/g)].map((m) => Number(m[1])).sort()).toEqual(
        mine.map((t) => t.id).sort(),
      );
      for (const t of mine) expect(text).toContain(`时限 ${t.due_date} · 未开始`);
    }

    // Running again the same morning, and on the next working day, posts nothing new.
    expect(await h.app.runJob('task-monthly', new Date('2026-12-01T01:30:00Z'))).toMatchObject({
      due: 3,
      posted: 0,
      skipped: 3,
    });
    expect(await h.app.runJob('task-monthly', new Date('2026-12-02T01:30:00Z'))).toMatchObject({
      posted: 0,
      skipped: 3,
    });
    // 8 December is beyond the catch-up window (first working day + 4).
    expect(await h.app.runJob('task-monthly', new Date('2026-12-08T01:30:00Z'))).toMatchObject({
      due: 0,
      posted: 0,
    });
    await talk.settled(h);
    for (const name of ['李书记', '王纪检', '张组织']) expect(checklists(w.user(name))).toHaveLength(1);
    expect(checklists(w.user('钱党员'))).toHaveLength(0); // on leave
    expect(checklists(zhao)).toHaveLength(0); // nothing open

    // The checklist's quick 已完成 closes the task and redraws the checklist.
    const wang = w.user('王纪检');
    const list = checklists(wang)[0] as EmuMessage;
    const target = tasks.find((t) => t.owner_open_id === wang.openId) as (typeof tasks)[number];
    const quick = buttons(list).find((b) => b.text === '已完成' && b.value.id === target.id) as Btn;
    expect(quick.confirm?.title?.content).toBe('确认已完成');
    const done = await h.emu.click({ messageId: list.messageId, from: wang.openId, value: quick.value });
    expect(done.toast?.content).toBe(`任务 #${target.id} 已完成`);
    expect(cardText(done.card)).toContain('（5 项）');
    expect(await taskById(target.id)).toMatchObject({ status: 'done', percent: 100 });
  });

  it('月月提 for a busy owner: 60 open tasks still arrive as one checklist within Feishu’s limits, the rest one command away', async () => {
    const w = await setup('2026-12-01T00:40:00Z');
    const wang = w.user('王纪检');
    const rows = Array.from({ length: 60 }, (_, i) => ({
      ...(dutyListRows()[0] as DutyFixtureRow),
      content: `第${i + 1}项：落实党风廉政建设责任，开展廉政风险点排查并形成整改清单，按期报送落实情况`,
      owners: '王纪检',
      due: new Date(Date.UTC(2026, 11, 31)),
      cadence: '一次性',
    }));
    await importFile(w, '60项清单.xlsx', await dutyListXlsx(rows), 60);

    const run = await h.app.runJob('task-monthly', new Date('2026-12-01T01:30:00Z'));
    expect(run).toMatchObject({ due: 1, posted: 1, failed: 0 });
    const list = await h.emu.waitFor(
      () => h.emu.botMessages(p2p(wang)).find((m) => cardTitle(m) === '月月提 · 2026-12'),
      { what: 'the checklist of an owner with 60 tasks', timeoutMs: 30_000 },
    );
    const text = cardText(list.content);
    expect(text).toContain('王纪检，这是您本月需要落实的主体责任任务（60 项）：');
    expect([...text.matchAll(/\*\*#(\d+)\*\*/g)]).toHaveLength(15);
    expect(text).toContain('其余 45 项请发送 /任务 列表 我的 查看（可翻页）。');
    // Nothing was refused or left behind for this owner.
    const dead = await h.db.db.selectFrom('outbox').select('id').where('status', '=', 'dead').execute();
    expect(dead).toEqual([]);
    // And the command it points to really lists them, a page at a time.
    const mine = await say(p2p(wang), wang, '/任务 列表 我的');
    expect(cardText(mine.content)).toMatch(/共 60 项，第 1\/\d+ 页/);
  });

  it('progress by form updates the card in place with its history, and PATCHes the group board (a burst coalesced); 已完成 marks done', async () => {
    const wall = new HoldableClock();
    const w = await setup('2026-12-01T02:00:00Z', { wallClock: wall });
    await importList(w);
    const chatId = w.chat.chatId;
    const boardBefore = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from: w.secretary.openId, text: '/任务 看板', mentionBot: true });
    const board = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(chatId)
          .slice(boardBefore)
          .find((m) => cardTitle(m) === '主体责任落实看板 · 第一党支部'),
      { what: 'board' },
    );
    expect(cardText(board.content)).toContain('合计：未开始 20，进行中 0，遇到困难 0，已完成 0，逾期 **0**');
    const boardRow = (name: string) =>
      tables(h.emu.requireMessage(board.messageId).content)[0]?.find((r) => r.name === name);
    expect(boardRow('王纪检')).toEqual({ name: '王纪检', ns: '6', ip: '0', bl: '0', dn: '0', od: '0' });
    const patches = () =>
      h.emu.store.apiLog.filter(
        (c) => c.method === 'PATCH' && c.path === `/open-apis/im/v1/messages/${board.messageId}`,
      ).length;

    const wang = w.user('王纪检');
    const t = await taskOf(w.org.id, '每月召开支委会', '王纪检');
    const card = await ownerCard(wang, t.id);
    const opened = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(card, '更新进度').value,
    });
    expect(cardText(opened.card)).toContain('做了什么');
    const progressed = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交').value,
      name: 'submit_task',
      formValue: {
        status: 'in_progress',
        percent: '50',
        done: '已召开 12 月支委会，专题研究党风廉政建设，梳理出 3 个廉政风险点',
        link: 'https://example.feishu.cn/docx/zhiweihui-2026-12',
      },
    });
    expect(progressed.toast).toMatchObject({ type: 'success', content: '进度已更新' });
    // The card changed in place: 50 %, the history, the evidence link, the buttons back.
    const inPlace = cardText(h.emu.requireMessage(card.messageId).content);
    expect(inPlace).toContain('**状态**：进行中　**进度**：50%');
    expect(inPlace).toContain('进展记录（1）');
    expect(inPlace).toContain(
      '2026-12-01 10:00 王纪检：已召开 12 月支委会，专题研究党风廉政建设，梳理出 3 个廉政风险点',
    );
    expect(inPlace).toContain('https://example.feishu.cn/docx/zhiweihui-2026-12');
    expect(buttons(h.emu.requireMessage(card.messageId)).map((b) => b.text)).toEqual([
      '更新进度',
      '已完成',
      '遇到困难',
    ]);
    expect(await taskById(t.id)).toMatchObject({ status: 'in_progress', percent: 50, version: 2, late: 0 });
    expect((await events(t.id)).map((e) => [e.kind, e.status, e.percent, e.actor_open_id])).toEqual([
      ['progress', 'in_progress', 50, wang.openId],
    ]);
    const evidence = await h.db.db.selectFrom('task_evidence').selectAll().where('task_id', '=', t.id).execute();
    expect(evidence.map((e) => [e.kind, e.value])).toEqual([
      ['link', 'https://example.feishu.cn/docx/zhiweihui-2026-12'],
    ]);

    // The board in the group follows through PATCH.
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(board.messageId).content).includes('合计：未开始 19，进行中 1，遇到困难 0'),
      { what: 'board after one report', timeoutMs: 8000 },
    );
    expect(boardRow('王纪检')).toEqual({ name: '王纪检', ns: '5', ip: '1', bl: '0', dn: '0', od: '0' });
    expect(patches()).toBe(1);

    // A burst of 5 reports by several owners: at most 2 PATCHes of the board.
    const zhang = w.user('张组织');
    const li = w.user('李书记');
    const zhao = w.user('赵党员');
    const burst: [EmuUser, Awaited<ReturnType<typeof taskOf>>, Record<string, string>][] = [
      [wang, t, { status: 'in_progress', percent: '80', done: '已形成支委会纪要并上报', link: '' }],
      [
        zhang,
        await taskOf(w.org.id, '开展理论学习中心组学习', '张组织'),
        { status: 'done', percent: '100', done: '12 月集中学习已完成', link: '' },
      ],
      [
        zhang,
        await taskOf(w.org.id, '严格落实“三会一课”', '张组织'),
        { status: 'in_progress', percent: '30', done: '已制定会议记录模板', link: '' },
      ],
      [
        li,
        await taskOf(w.org.id, '每季度讲一次廉政党课', '李书记'),
        { status: 'in_progress', percent: '40', done: '党课讲稿已起草', link: '' },
      ],
      [
        zhao,
        await taskOf(w.org.id, '按时足额收缴党费', '赵党员'),
        { status: 'blocked', percent: '20', done: '两名党员长期外派，党费无法当面收缴', link: '' },
      ],
    ];
    const cards: EmuMessage[] = [];
    for (const [u, task] of burst) {
      const c = await ownerCard(u, task.id);
      await h.emu.click({ messageId: c.messageId, from: u.openId, value: button(c, '更新进度').value });
      cards.push(c);
    }
    const before = patches();
    // The five submissions come as one burst, inside the board's 1.5 s coalescing window: the wall
    // clock (the bot's and Feishu's) is held over them, however long this machine takes.
    wall.hold();
    const started = wall.now().getTime();
    for (const [i, [u, , formValue]] of burst.entries()) {
      const c = cards[i] as EmuMessage;
      const r = await h.emu.click({
        messageId: c.messageId,
        from: u.openId,
        value: button(h.emu.requireMessage(c.messageId), '提交').value,
        name: 'submit_task',
        formValue,
      });
      expect(r.toast?.type).toBe('success');
    }
    expect(wall.now().getTime() - started).toBeLessThan(1000);
    wall.release();
    const final = '合计：未开始 15，进行中 3，遇到困难 1，已完成 1，逾期 **0**';
    await h.emu.waitFor(() => cardText(h.emu.requireMessage(board.messageId).content).includes(final), {
      what: 'board after the burst',
      timeoutMs: 8000,
    });
    await talk.settled(h); // every delayed patch has gone out (or was superseded) by now
    expect(patches() - before).toBeGreaterThanOrEqual(1);
    expect(patches() - before).toBeLessThanOrEqual(2);
    expect(cardText(h.emu.requireMessage(board.messageId).content)).toContain(final);
    expect(boardRow('王纪检')).toEqual({ name: '王纪检', ns: '5', ip: '1', bl: '0', dn: '0', od: '0' });
    expect(boardRow('张组织')).toEqual({ name: '张组织', ns: '4', ip: '1', bl: '0', dn: '1', od: '0' });
    expect(boardRow('李书记')).toEqual({ name: '李书记', ns: '2', ip: '1', bl: '0', dn: '0', od: '0' });
    expect(boardRow('赵党员')).toEqual({ name: '赵党员', ns: '2', ip: '0', bl: '1', dn: '0', od: '0' });
    expect(boardRow('钱党员')).toEqual({ name: '钱党员', ns: '2', ip: '0', bl: '0', dn: '0', od: '0' });
    // The history keeps both reports of 王纪检.
    const history = cardText(h.emu.requireMessage(card.messageId).content);
    expect(history).toContain('进展记录（2）');
    expect(history).toContain('王纪检：已召开 12 月支委会');
    expect(history).toContain('王纪检：已形成支委会纪要并上报');
    expect(history).toContain('**进度**：80%');

    // 已完成 (behind a confirmation) marks it done.
    const doneBtn = button(h.emu.requireMessage(card.messageId), '已完成');
    expect(doneBtn.confirm?.title?.content).toBe('确认已完成');
    const done = await h.emu.click({ messageId: card.messageId, from: wang.openId, value: doneBtn.value });
    expect(done.toast?.content).toBe('已标记完成');
    expect(await taskById(t.id)).toMatchObject({ status: 'done', percent: 100, late: 0 });
    expect((await taskById(t.id)).done_at).toBe('2026-12-01T02:00:00.000Z');
    const doneCard = h.emu.requireMessage(card.messageId);
    expect(cardText(doneCard.content)).toContain('**状态**：已完成　**进度**：100%');
    expect(buttons(doneCard)).toHaveLength(0);
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(board.messageId).content).includes('进行中 2，遇到困难 1，已完成 2'),
      { what: 'board after 已完成', timeoutMs: 8000 },
    );
  });

  it('遇到困难: the blocked form needs a reason, tells the secretary privately and marks the task blocked', async () => {
    const w = await setup('2026-12-01T02:00:00Z');
    const wang = w.user('王纪检');
    const { id, formCard } = await createByForm(w, {
      content: '组织党员参加警示教育，观看警示教育片并撰写心得体会',
      owners: [wang.openId],
      cadence: 'once',
      due: '2026-12-20 +0800',
      category: '思想建设',
    });
    expect(await taskById(id)).toMatchObject({ period: 'once', due_date: '2026-12-20', status: 'not_started' });
    const card = await ownerCard(wang, id);

    const empty = await submitForm(wang, card, '遇到困难', '提交并通知书记', 'submit_blocked', { reason: '  ' });
    expect(empty.toast).toMatchObject({ type: 'error', content: '请说明遇到的困难。' });
    expect((await taskById(id)).status).toBe('not_started');

    const reason = '警示教育片需由上级纪委统一调配，12 月中旬前无法到位，请书记协调';
    const blocked = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交并通知书记').value,
      name: 'submit_blocked',
      formValue: { reason },
    });
    expect(blocked.toast).toMatchObject({ type: 'success', content: '已记录，已通知书记' });
    expect(await taskById(id)).toMatchObject({ status: 'blocked', percent: 0, version: 2 });
    expect((await events(id)).map((e) => [e.kind, e.status, e.text])).toEqual([['blocked', 'blocked', reason]]);
    expect(cardText(h.emu.requireMessage(card.messageId).content)).toContain('**状态**：遇到困难');

    const notice = await h.emu.waitFor(
      () => h.emu.botMessages(p2p(w.secretary)).find((m) => messageText(m).startsWith('【遇到困难】')),
      { what: 'notice to the secretary' },
    );
    expect(messageText(notice)).toBe(
      `【遇到困难】王纪检在落实“组织党员参加警示教育，观看警示教育片并撰写心得体会”（任务 #${id}）时遇到困难：${reason}`,
    );
    expect(h.emu.botMessages(p2p(wang)).some((m) => messageText(m).startsWith('【遇到困难】'))).toBe(false);
    // The group copy (the form that created it) follows.
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(formCard.messageId).content).includes('**状态**：遇到困难'),
      {
        what: 'group card update',
      },
    );
  });

  it('refuses reports on someone else’s task, a plain member creating items, and another org’s admin', async () => {
    const w = await setup('2026-12-01T02:00:00Z');
    const wang = w.user('王纪检');
    const zhao = w.user('赵党员');
    const { id } = await createByForm(w, {
      content: '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖',
      owners: [wang.openId],
      cadence: 'half_yearly',
    });
    expect(await taskById(id)).toMatchObject({ period: '2026H2', due_date: '2026-12-31' });

    const before = h.emu.botMessages(w.chat.chatId).length;
    await h.emu.sendText({ chatId: w.chat.chatId, from: zhao.openId, text: `/任务 查看 ${id}`, mentionBot: true });
    const shown = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.chat.chatId)
          .slice(before)
          .find((m) => cardTitle(m) === `责任任务 #${id}`),
      { what: 'task card in the group' },
    );
    const notMine = await h.emu.click({
      messageId: shown.messageId,
      from: zhao.openId,
      value: button(shown, '更新进度').value,
    });
    expect(notMine.toast).toMatchObject({ type: 'error', content: '只有责任人（王纪检）可以报告这项任务。' });
    const blockedForm = await h.emu.click({
      messageId: shown.messageId,
      from: zhao.openId,
      value: button(shown, '遇到困难').value,
    });
    expect(blockedForm.toast?.content).toBe('只有责任人（王纪检）可以报告这项任务。');
    // No client sends this (the form never opened for him): a forged submit, refused by the bot itself.
    const forged = await h.emu.click({
      messageId: shown.messageId,
      from: zhao.openId,
      value: { a: 'task.progress', id, ver: 1, o: w.org.id },
      name: 'submit_task',
      formValue: { status: 'done', percent: '100', done: '冒名提交', link: '' },
      bypassClient: true,
    });
    expect(forged.toast).toMatchObject({ type: 'error', content: '只有责任人（王纪检）可以报告这项任务。' });
    const forgedDone = await h.emu.click({
      messageId: shown.messageId,
      from: zhao.openId,
      value: button(shown, '已完成').value,
    });
    expect(forgedDone.toast?.content).toBe('只有责任人（王纪检）可以报告这项任务。');
    expect(await taskById(id)).toMatchObject({ status: 'not_started', percent: 0, version: 1 });
    expect(await events(id)).toHaveLength(0);
    expect(h.emu.botMessages(p2p(w.secretary)).some((m) => messageText(m).startsWith('【遇到困难】'))).toBe(false);

    const create = await say(w.chat.chatId, zhao, '/任务 新建');
    expect(messageText(create)).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    const board = await say(w.chat.chatId, zhao, '/任务 看板');
    expect(messageText(board)).toBe('需要书记、副书记、纪检委员或组织委员权限。');

    // The secretary of another org sees nothing of this one.
    const boss = h.emu.addUser('外单位书记');
    const chat2 = h.emu.createGroup({ name: '第二党支部', owner: boss.openId, members: [] });
    await say(chat2.chatId, boss, '/绑定 第二党支部');
    const foreign = await say(chat2.chatId, boss, `/任务 查看 ${id}`);
    expect(messageText(foreign)).toBe(`没有找到任务 #${id}。`);
    const org2 = (await findOrgByName(h.db.db, '第二党支部')) as Org;
    // Forged callbacks on his own text answer (it has no buttons), naming his org and then this one.
    const foreignClick = await h.emu.click({
      messageId: foreign.messageId,
      from: boss.openId,
      value: { a: 'task.form', form: 'view', id, o: org2.id },
      bypassClient: true,
    });
    expect(foreignClick.toast?.content).toBe(`没有找到任务 #${id}。`);
    const viaOtherOrg = await h.emu.click({
      messageId: foreign.messageId,
      from: boss.openId,
      value: { a: 'task.done', id, ver: 1, o: w.org.id },
      bypassClient: true,
    });
    expect(viaOtherOrg.toast?.content).toContain('需要本组织成员身份');
    expect(await taskById(id)).toMatchObject({ status: 'not_started', version: 1 });
  });

  it('recurring items get a task each period; an undone past occurrence becomes missed and stays missed; done ones and one-off items never do', async () => {
    const w = await setup('2026-11-16T02:00:00Z');
    const [wang, zhang, zhao] = [w.user('王纪检'), w.user('张组织'), w.user('赵党员')];
    const meeting = await createByForm(w, {
      content: '每月召开支委会专题研究党风廉政建设',
      owners: [wang.openId],
      cadence: 'monthly',
      category: '政治建设',
    });
    const themeDay = await createByForm(w, {
      content: '每月开展一次主题党日活动',
      owners: [zhang.openId, zhao.openId],
      cadence: 'monthly',
    });
    const summary = await createByForm(w, {
      content: '报送 2026 年度党建工作总结',
      owners: [wang.openId],
      cadence: 'once',
      due: '2026-11-20 +0800',
    });
    expect(await taskById(meeting.id)).toMatchObject({
      period: '2026-11',
      due_date: '2026-11-30',
      owner_open_id: wang.openId,
    });
    const novZhang = await taskOf(w.org.id, '每月开展一次主题党日活动', '张组织', '2026-11');
    const novZhao = await taskOf(w.org.id, '每月开展一次主题党日活动', '赵党员', '2026-11');
    expect([novZhang.due_date, novZhao.due_date]).toEqual(['2026-11-30', '2026-11-30']);
    expect([novZhang.id, novZhao.id]).toContain(themeDay.id);
    expect(await taskById(summary.id)).toMatchObject({ period: 'once', due_date: '2026-11-20' });
    // 张组织 finishes November; the others do not.
    const zhangCard = await ownerCard(zhang, novZhang.id);
    await h.emu.click({ messageId: zhangCard.messageId, from: zhang.openId, value: button(zhangCard, '已完成').value });
    expect((await taskById(novZhang.id)).status).toBe('done');

    const dec = await h.app.runJob('task-occurrences', new Date('2026-12-01T00:10:00Z'));
    expect(dec.summary).toBe('生成本期任务 3 项，记为未完成 2 项');
    const decTasks = (await allTasks(w.org.id)).filter((t) => t.period === '2026-12');
    expect(byKey(decTasks.map((t) => [t.content, t.owner_name, t.due_date, t.status]))).toEqual(
      byKey([
        ['每月召开支委会专题研究党风廉政建设', '王纪检', '2026-12-31', 'not_started'],
        ['每月开展一次主题党日活动', '张组织', '2026-12-31', 'not_started'],
        ['每月开展一次主题党日活动', '赵党员', '2026-12-31', 'not_started'],
      ]),
    );
    for (const t of decTasks) await ownerCard(h.emu.requireUser(t.owner_open_id), t.id); // sent privately
    expect(await taskById(meeting.id)).toMatchObject({ status: 'missed', late: 1 });
    expect(await taskById(novZhao.id)).toMatchObject({ status: 'missed', late: 1 });
    expect(await taskById(novZhang.id)).toMatchObject({ status: 'done', late: 0 });
    // The one-off item is past its date: overdue, never missed.
    expect(await taskById(summary.id)).toMatchObject({ status: 'not_started' });

    // Again the same day: nothing new.
    expect((await h.app.runJob('task-occurrences', new Date('2026-12-01T08:10:00Z'))).summary).toBe(
      '生成本期任务 0 项，记为未完成 0 项',
    );

    // A missed task can no longer be reported. Its November card, past Feishu's 14 days of updates, still
    // shows 更新进度; pressed, it opens no form (the card comes back as it is now). No client can submit
    // a report any more: a forged one, of the current version, is refused by the bot itself.
    const novCard = await ownerCard(wang, meeting.id);
    const pressed = await h.emu.click({
      messageId: novCard.messageId,
      from: wang.openId,
      value: button(novCard, '更新进度').value,
    });
    expect(pressed.error).toBeUndefined();
    expect(findButton(h.emu.requireMessage(novCard.messageId), '提交')).toBeUndefined();
    const late = await h.emu.click({
      messageId: novCard.messageId,
      from: wang.openId,
      value: { a: 'task.progress', id: meeting.id, ver: (await taskById(meeting.id)).version, o: w.org.id },
      name: 'submit_task',
      formValue: { status: 'done', percent: '100', done: '补报', link: '' },
      bypassClient: true,
    });
    expect(late.toast).toMatchObject({ type: 'error', content: '任务当前为“未完成（已过期）”，不能再报告。' });

    // December: 王纪检 finishes his; in January the other two become missed, November stays missed.
    w.clock.set('2026-12-10T02:00:00Z');
    const decMeeting = decTasks.find((t) => t.owner_name === '王纪检') as (typeof decTasks)[number];
    const decCard = await ownerCard(wang, decMeeting.id);
    await h.emu.click({ messageId: decCard.messageId, from: wang.openId, value: button(decCard, '已完成').value });
    const overdueList = await say(w.chat.chatId, w.secretary, '/任务 列表 逾期');
    expect(cardText(overdueList.content)).toContain(`**#${summary.id}** 报送 2026 年度党建工作总结`);
    expect(cardText(overdueList.content)).toContain('共 1 项');
    const seen = h.emu.botMessages(w.chat.chatId).length;
    await h.emu.sendText({
      chatId: w.chat.chatId,
      from: wang.openId,
      text: `/任务 查看 ${summary.id}`,
      mentionBot: true,
    });
    const overdueCard = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.chat.chatId)
          .slice(seen)
          .find((m) => cardTitle(m) === `责任任务 #${summary.id}`),
      { what: 'the overdue task card' },
    );
    expect(cardText(overdueCard.content)).toContain("**本期时限**：2026-11-20　<font color='red'>已逾期 20 天</font>");

    const jan = await h.app.runJob('task-occurrences', new Date('2027-01-04T00:10:00Z'));
    expect(jan.summary).toBe('生成本期任务 3 项，记为未完成 2 项');
    const all = await allTasks(w.org.id);
    expect(byKey(all.map((t) => [t.content.slice(0, 6), t.owner_name, t.period, t.status]))).toEqual(
      byKey([
        ['每月召开支委', '王纪检', '2026-11', 'missed'],
        ['每月召开支委', '王纪检', '2026-12', 'done'],
        ['每月召开支委', '王纪检', '2027-01', 'not_started'],
        ['每月开展一次', '张组织', '2026-11', 'done'],
        ['每月开展一次', '张组织', '2026-12', 'missed'],
        ['每月开展一次', '张组织', '2027-01', 'not_started'],
        ['每月开展一次', '赵党员', '2026-11', 'missed'],
        ['每月开展一次', '赵党员', '2026-12', 'missed'],
        ['每月开展一次', '赵党员', '2027-01', 'not_started'],
        ['报送 202', '王纪检', 'once', 'not_started'],
      ]),
    );
    const missedAudit = await h.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'task:missed').execute();
    expect(byKey(missedAudit.map((a) => a.subject))).toEqual(
      byKey(
        [
          meeting.id,
          novZhao.id,
          ...all.filter((t) => t.period === '2026-12' && t.status === 'missed').map((t) => t.id),
        ].map((i) => `task:${i}`),
      ),
    );

    // Feishu lets a card be updated for 14 days only: the November cards (sent 11-16) are left as they
    // were rather than refused; asking for the task shows it missed, without buttons.
    await talk.settled(h);
    expect(h.emu.store.apiLog.filter((c) => c.code === 230031)).toHaveLength(0);
    expect(await h.db.db.selectFrom('outbox').select('id').where('status', '=', 'dead').execute()).toHaveLength(0);
    for (const [u, id] of [
      [wang, meeting.id],
      [zhao, novZhao.id],
    ] as const) {
      const before = h.emu.botMessages(h.emu.p2pChat(u.openId).chatId).length;
      await h.emu.sendText({ chatId: h.emu.p2pChat(u.openId).chatId, from: u.openId, text: `/任务 查看 ${id}` });
      const shown = await h.emu.waitFor(() => h.emu.botMessages(h.emu.p2pChat(u.openId).chatId)[before], {
        what: `task #${id}`,
      });
      expect(cardText(shown.content)).toContain('**状态**：未完成（已过期）');
      expect(buttons(shown)).toHaveLength(0);
    }
  });

  it('季季报: the ask in the last 5 working days reaches owners who have not reported (not one on leave), once; the quarter-end roll-up card and the .xlsx 台账', async () => {
    const w = await setup('2026-11-16T02:00:00Z');
    const [wang, zhang, zhao, qian] = [w.user('王纪检'), w.user('张组织'), w.user('赵党员'), w.user('钱党员')];
    const rows: ExcelJS.CellValue[][] = [
      [1, '作风建设', '每月召开支委会专题研究党风廉政建设', '李书记', '王纪检', '', '每月'],
      [2, '思想建设', '每季度讲一次廉政党课', '李书记', '张组织', '季末', '每季度'],
      [3, '思想建设', '组织党员参加警示教育，观看警示教育片', '李书记', '赵党员', utc('2026-12-15'), '一次性'],
      [4, '组织建设', '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖', '李书记', '王纪检、张组织', '', '每半年'],
      [5, '纪律建设', '开展岗位廉政风险点排查，逐岗制定防控措施', '王纪检', '钱党员', '2026年12月20日', '一次性'],
      [6, '组织建设', '召开年度组织生活会，开展民主评议党员', '李书记', '赵党员', '', '每年'],
    ];
    const file = await ledgerXlsx({
      title: '第一党支部 2026年第四季度主体责任清单',
      headers: DUTY_LIST_HEADERS,
      rows,
      sheetName: '主体责任清单',
    });
    const { tasks } = await importFile(w, '四季度清单.xlsx', file, 6);
    expect(tasks).toHaveLength(7);
    const find = (content: string, owner: string, period?: string) => taskOf(w.org.id, content, owner, period);

    // November: 王纪检 finishes the 谈心谈话 task; the November 支委会 is left undone.
    const talkWang = await find('落实谈心谈话制度', '王纪检');
    const talkCard = await ownerCard(wang, talkWang.id);
    await h.emu.click({ messageId: talkCard.messageId, from: wang.openId, value: button(talkCard, '已完成').value });
    await h.app.runJob('task-occurrences', new Date('2026-12-01T00:10:00Z'));
    expect((await find('每月召开支委会', '王纪检', '2026-11')).status).toBe('missed');

    // December: 张组织 reports progress, and 钱党员 goes on leave past the quarter's end.
    w.clock.set('2026-12-10T02:00:00Z');
    // (王纪检 has not touched the December 支委会 task yet.)
    expect((await find('每月召开支委会', '王纪检', '2026-12')).status).toBe('not_started');
    const lecture = await find('每季度讲一次廉政党课', '张组织');
    const r2 = await submitForm(zhang, await ownerCard(zhang, lecture.id), '更新进度', '提交', 'submit_task', {
      status: 'in_progress',
      percent: '60',
      done: '党课讲稿已完成初稿',
      link: 'https://example.feishu.cn/docx/dangke-2026q4',
    });
    expect(r2.toast?.content).toBe('进度已更新');
    const leave = await say(w.chat.chatId, qian, '/请假 2027-01-10 参加党校培训');
    expect(messageText(leave)).toContain('已登记请假至');

    // Before the last 5 working days, nothing; from 25 December, the ask.
    expect(await h.app.runJob('task-quarterly', new Date('2026-12-24T01:30:00Z'))).toMatchObject({ due: 0 });
    const asked = await h.app.runJob('task-quarterly', new Date('2026-12-25T01:30:00Z'));
    expect(asked).toMatchObject({ due: 3, posted: 3, skipped: 0, failed: 0 });
    const asks = (u: EmuUser) =>
      h.emu.botMessages(p2p(u)).filter((m) => cardTitle(m) === '季度履责报告 · 2026年第四季度');
    // 王纪检, named 责任领导 of item 5, is asked about 一岗双责; the others (members here, no 支委 role)
    // only about the items they own.
    const askText = async (u: EmuUser) =>
      cardText((await h.emu.waitFor(() => asks(u)[0], { what: `ask for ${u.name}` })).content);
    expect(await askText(wang)).toContain('请在 2026-12-31 前报告本季度落实主体责任、履行“一岗双责”的情况');
    for (const [u, item] of [
      [zhang, '每季度讲一次廉政党课'],
      [zhao, '组织党员参加警示教育，观看警示教育片'],
    ] as const) {
      const ask = await askText(u);
      expect(ask).toContain('请在 2026-12-31 前报告本季度您负责的主体责任任务的落实情况');
      expect(ask).toContain(item);
      expect(ask).not.toContain('一岗双责');
    }

    // 张组织 reports through the form: a too-short report is refused.
    w.clock.set('2026-12-25T03:00:00Z');
    const ask = asks(zhang)[0] as EmuMessage;
    const short = await h.emu.click({
      messageId: ask.messageId,
      from: zhang.openId,
      value: button(ask, '提交报告').value,
      name: 'submit_report',
      formValue: { text: '本季度讲了党课。', evidence: '' },
    });
    expect(short.toast).toMatchObject({ type: 'error', content: expect.stringContaining('不少于 50 字') });
    expect(await h.db.db.selectFrom('quarterly_reports').selectAll().execute()).toHaveLength(0);
    const report =
      '本季度牵头落实廉政党课和谈心谈话两项主体责任：12 月完成廉政党课讲稿初稿，结合巡察反馈问题剖析典型案例；与分管的 6 名党员开展谈心谈话 4 人次。存在问题是谈心谈话覆盖面不足，下一步在元旦前完成全覆盖并形成记录。';
    expect(Array.from(report).length).toBeGreaterThanOrEqual(50);
    const submitted = await h.emu.click({
      messageId: ask.messageId,
      from: zhang.openId,
      value: button(ask, '提交报告').value,
      name: 'submit_report',
      formValue: { text: report, evidence: 'https://example.feishu.cn/docx/lvze-2026q4' },
    });
    expect(submitted.toast?.content).toBe('履责报告已提交');
    expect(cardText(h.emu.requireMessage(ask.messageId).content)).toContain('已于 2026-12-25 11:00 提交。');
    const saved = await h.db.db.selectFrom('quarterly_reports').selectAll().execute();
    expect(saved.map((r) => [r.owner_open_id, r.quarter, r.text])).toEqual([[zhang.openId, '2026Q4', report]]);

    // Later in the window: only those who have not reported are still due, and nothing is sent twice.
    expect(await h.app.runJob('task-quarterly', new Date('2026-12-28T01:30:00Z'))).toMatchObject({
      due: 2,
      posted: 0,
      skipped: 2,
    });

    // 31 December 16:00: the roll-up to the secretary.
    const rolled = await h.app.runJob('task-quarterly', new Date('2026-12-31T08:00:00Z'));
    expect(rolled).toMatchObject({ due: 3, posted: 1, skipped: 2, failed: 0 });
    const secChat = p2p(w.secretary);
    const rollup = await h.emu.waitFor(
      () => h.emu.botMessages(secChat).find((m) => cardTitle(m) === '季季报汇总 · 2026年第四季度'),
      { what: 'roll-up card' },
    );
    const rollupText = cardText(rollup.content);
    expect(rollupText).toContain('**未提交履责报告**：王纪检、赵党员');
    const [owners, items] = tables(rollup.content);
    const ownerRow = (name: string) => owners?.find((r) => r.name === name);
    expect(owners).toHaveLength(4);
    // Each task in one column (已完成（已验收） apart from 已完成), so a row adds up to the owner's tasks;
    // 钱党员 is on leave: his task past due stays 未开始, and 逾期 reads —.
    const zeros = { ac: '0', dn: '0', rv: '0', ip: '0', ns: '0', bl: '0', od: '0', ms: '0' };
    expect(ownerRow('王纪检')).toEqual({ name: '王纪检', ...zeros, dn: '1', ns: '1', ms: '1', rp: '未提交' });
    expect(ownerRow('张组织')).toEqual({ name: '张组织', ...zeros, ip: '1', ns: '1', rp: '已提交' });
    expect(ownerRow('赵党员')).toEqual({ name: '赵党员', ...zeros, ns: '1', od: '1', rp: '未提交' });
    expect(ownerRow('钱党员')).toEqual({ name: '钱党员', ...zeros, ns: '1', od: '—', rp: '请假' });
    expect(items).toEqual([
      { item: '1. 每月召开支委会专题研究党风廉政建设', ...zeros, ns: '1', ms: '1' },
      { item: '2. 每季度讲一次廉政党课', ...zeros, ip: '1' },
      { item: '3. 组织党员参加警示教育，观看警示教育片', ...zeros, od: '1' },
      { item: '4. 落实谈心谈话制度，支委与分管党员谈心谈话全覆盖', ...zeros, dn: '1', ns: '1' },
      { item: '5. 开展岗位廉政风险点排查，逐岗制定防控措施', ...zeros, ns: '1' },
      { item: '6. 召开年度组织生活会，开展民主评议党员', ...zeros, ns: '1' },
    ]);

    // The 主体责任落实台账, cell by cell.
    const fileMsg = await h.emu.waitFor(() => fileMessages(secChat)[0], { what: 'ledger file' });
    const f = fileOf(fileMsg);
    expect(f.name).toBe('主体责任落实台账-第一党支部-2026-12-31.xlsx');
    const ws = await readXlsx(f.bytes);
    const title = String(ws.getCell('A1').value);
    expect(title).toContain('第一党支部 2026年第四季度 主体责任落实台账');
    expect(title).toContain('2026-10-01 至 2026-12-31');
    expect(title).toContain('导出时间：2026-12-31 16:00');
    expect(rowValues(ws, 2)).toEqual(LEDGER_HEADERS);
    expect(ws.actualRowCount).toBe(10);
    const meetingRow = (status: string, due: string, percent: string, last: string | null, late: string) => [
      '作风建设',
      '每月召开支委会专题研究党风廉政建设',
      '李书记',
      '王纪检',
      '每月',
      utc(due),
      status,
      percent,
      last,
      null,
      null,
      null,
      null,
      late,
    ];
    const expected = [
      // Within an item, by owner and then by period.
      meetingRow('未完成', '2026-11-30', '0%', null, '是'),
      meetingRow('未开始', '2026-12-31', '0%', null, '否'),
      [
        '思想建设',
        '每季度讲一次廉政党课',
        '李书记',
        '张组织',
        '每季度',
        utc('2026-12-31'),
        '进行中',
        '60%',
        '2026-12-10 党课讲稿已完成初稿',
        'https://example.feishu.cn/docx/dangke-2026q4',
        null,
        null,
        null,
        '否',
      ],
      [
        '思想建设',
        '组织党员参加警示教育，观看警示教育片',
        '李书记',
        '赵党员',
        '一次性',
        utc('2026-12-15'),
        '逾期',
        '0%',
        null,
        null,
        null,
        null,
        null,
        '是',
      ],
      [
        '组织建设',
        '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖',
        '李书记',
        '王纪检',
        '每半年',
        utc('2026-12-31'),
        '已完成',
        '100%',
        '2026-11-16 已完成',
        null,
        null,
        null,
        null,
        '否',
      ],
      [
        '组织建设',
        '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖',
        '李书记',
        '张组织',
        '每半年',
        utc('2026-12-31'),
        '未开始',
        '0%',
        null,
        null,
        null,
        null,
        null,
        '否',
      ],
      [
        '纪律建设',
        '开展岗位廉政风险点排查，逐岗制定防控措施',
        '王纪检',
        '钱党员',
        '一次性',
        utc('2026-12-20'),
        '逾期',
        '0%',
        null,
        null,
        null,
        null,
        null,
        '是',
      ],
      [
        '组织建设',
        '召开年度组织生活会，开展民主评议党员',
        '李书记',
        '赵党员',
        '每年',
        utc('2026-12-31'),
        '未开始',
        '0%',
        null,
        null,
        null,
        null,
        null,
        '否',
      ],
    ];
    const actual = [3, 4, 5, 6, 7, 8, 9, 10].map((r) => rowValues(ws, r));
    expect(actual.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The two owners of item 4 may come in either order; everything else is fixed.
    const body = actual.map((r) => r.slice(1));
    expect(body.slice(0, 4)).toEqual(expected.slice(0, 4));
    expect(byKey(body.slice(4, 6))).toEqual(byKey(expected.slice(4, 6)));
    expect(body.slice(6)).toEqual(expected.slice(6));
    for (let r = 3; r <= 10; r++) expect(ws.getRow(r).getCell(7).value).toBeInstanceOf(Date);

    // Running again posts nothing; only the secretary got the roll-up.
    expect(await h.app.runJob('task-quarterly', new Date('2026-12-31T09:00:00Z'))).toMatchObject({ posted: 0 });
    await talk.settled(h);
    expect(h.emu.botMessages(secChat).filter((m) => cardTitle(m) === '季季报汇总 · 2026年第四季度')).toHaveLength(1);
    expect(fileMessages(secChat)).toHaveLength(1);
    for (const u of [wang, zhang, zhao]) expect(asks(u)).toHaveLength(1);
    expect(asks(qian)).toHaveLength(0);
    for (const u of [wang, zhang, zhao, qian]) expect(fileMessages(p2p(u))).toHaveLength(0);
  });

  it('/我的 lists the caller’s open tasks and rectifications with deadlines; /任务 导出 sends the 台账 to the chat', async () => {
    const w = await setup('2026-12-01T02:00:00Z');
    const { tasks } = await importList(w);
    const wang = w.user('王纪检');
    // One of his tasks is done, and he also owns an open rectification.
    const mine = tasks.filter((t) => t.owner_open_id === wang.openId);
    const finished = mine[0] as (typeof mine)[number];
    const c = await ownerCard(wang, finished.id);
    await h.emu.click({ messageId: c.messageId, from: wang.openId, value: button(c, '已完成').value });
    const rectForm = await say(w.chat.chatId, w.secretary, '/整改 新建');
    const rect = await h.emu.click({
      messageId: rectForm.messageId,
      from: w.secretary.openId,
      value: button(rectForm, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '廉政风险点排查不全面，防控措施针对性不强',
        measures: '重新梳理岗位廉政风险点，逐岗制定防控措施',
        owner: wang.openId,
        leader: '李书记',
        deadline: '2026-12-18 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '纪律建设',
      },
    });
    const rectId = Number(/#(\d+)/.exec(rect.toast?.content ?? '')?.[1]);

    const me = await say(p2p(wang), wang, '/我的');
    expect(cardTitle(me)).toBe('我的 · 王纪检');
    const text = cardText(me.content);
    expect(text).toContain('**我的待办（6）**');
    const lines = text.split('\n').filter((l) => l.startsWith('- 任务 #') || l.startsWith('- 整改 #'));
    const open = mine.filter((t) => t.id !== finished.id).sort((a, b) => a.due_date.localeCompare(b.due_date));
    expect(lines).toHaveLength(6);
    for (const t of open) {
      expect(lines.find((l) => l.startsWith(`- 任务 #${t.id} `))).toMatch(new RegExp(`　${t.due_date}　未开始$`));
    }
    expect(lines.find((l) => l.startsWith(`- 整改 #${rectId} `))).toMatch(/　2026-12-18　待整改$/);
    expect(lines.some((l) => l.startsWith(`- 任务 #${finished.id} `))).toBe(false);
    // Sorted by deadline.
    const deadlines = lines.map((l) => /　(\d{4}-\d\d-\d\d)/.exec(l)?.[1] ?? '');
    expect(deadlines).toEqual([...deadlines].sort());

    // /任务 导出 in the group: the year's 台账 as a file in the same chat.
    const exported = await say(w.chat.chatId, w.secretary, '/任务 导出');
    expect(messageText(exported)).toBe(
      '已导出 20 条任务记录，文件《主体责任落实台账-第一党支部-2026-12-01.xlsx》随后发送。',
    );
    const fileMsg = await h.emu.waitFor(() => fileMessages(w.chat.chatId)[0], { what: 'export file' });
    const f = fileOf(fileMsg);
    expect(f.name).toBe('主体责任落实台账-第一党支部-2026-12-01.xlsx');
    const ws = await readXlsx(f.bytes);
    expect(String(ws.getCell('A1').value)).toContain('第一党支部 主体责任落实台账　2026-01-01 至 2026-12-31');
    expect(rowValues(ws, 2)).toEqual(LEDGER_HEADERS);
    expect(ws.actualRowCount).toBe(22);
    const rowsOut = Array.from({ length: 20 }, (_x, i) => rowValues(ws, i + 3));
    expect(rowsOut.map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_x, i) => i + 1));
    const doneRow = rowsOut.find((r) => r[2] === finished.content && r[4] === '王纪检');
    expect(doneRow?.slice(7, 15)).toEqual(['已完成', '100%', '2026-12-01 已完成', null, null, null, null, '否']);
    for (const r of rowsOut) expect(r[6]).toBeInstanceOf(Date);
    // A plain member may not export.
    const refused = await say(w.chat.chatId, w.user('赵党员'), '/任务 导出');
    expect(messageText(refused)).toBe('需要书记、副书记、纪检委员、组织委员或观察员权限。');
    expect(fileMessages(w.chat.chatId)).toHaveLength(1);
  });
});
