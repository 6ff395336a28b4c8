/**
 * One effect per decision (issue 11): concurrent callbacks on the same card, delivered in parallel
 * through the emulator, on SQLite and on PostgreSQL. Of concurrent actions exactly one acts; the
 * others are told the item changed (with the current card) or that it is already done — never a
 * success for a change that did not happen, never 出错了. Each race is run several rounds.
 *   - 书记 通过销号, 纪检委员 退回 and 书记 通过销号 again on one item in review;
 *   - 同意延期 and 拒绝 of one extension request by two admins;
 *   - a double-click on a task's 已完成;
 *   - the same person's 签到 twice (with another member signing at the same moment) and 提交请假 twice;
 *   - 确认导入 three times on one preview.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackResult } from '../../src/sandbox/emulator.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { LEDGER_HEADERS, ledgerCsv } from '../helpers/ledger-files.ts';

const ROUNDS = 4;
const FAULT = '出错了';

describe('concurrent actions on one card: exactly one acts', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text, 15_000);
  const latest = (chatId: string, title: string) =>
    h.emu.waitFor(() => h.emu.botMessages(chatId).findLast((m) => cardTitle(m) === title), {
      what: `card ${title}`,
      timeoutMs: 15_000,
    });
  const toasts = (rs: CallbackResult[]) => rs.map((r) => r.toast?.content ?? '');

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员'] });
    const [inspector, organizer, owner, other] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser];
    await say(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await say(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, group: w.chat.chatId, inspector, organizer, owner, other };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const item = (id: number) =>
    h.db.db.selectFrom('rectifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const itemEvents = (id: number) =>
    h.db.db.selectFrom('rectification_events').selectAll().where('item_id', '=', id).orderBy('id').execute();
  const audits = (action: string, subject: string) =>
    h.db.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('subject', '=', subject).execute();

  /** An item created by form, submitted for 销号 by its owner; returns its id. */
  async function itemInReview(w: World, round: number) {
    const formCard = await say(w.group, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: `第 ${round + 1} 轮：支部会议记录不规范`,
        measures: '建立会议记录模板，逐月检查',
        owner: w.owner.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '组织建设',
      },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const card = await latest(p2p(w.owner), `整改事项 #${id}`);
    await h.emu.click({ messageId: card.messageId, from: w.owner.openId, value: button(card, '申请销号').value });
    const submitted = await h.emu.click({
      messageId: card.messageId,
      from: w.owner.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交销号申请').value,
      name: 'submit_close',
      formValue: { link: 'https://example.feishu.cn/docx/minutes', note: '已补齐' },
    });
    expect(submitted.toast?.content).toBe('已提交销号申请，等待审核');
    return id;
  }

  it('书记 通过销号, 纪检委员 退回 and 书记 通过销号 again at the same moment: one acts, version +1, one history entry', async () => {
    const w = await setup();
    const winners: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const id = await itemInReview(w, round);
      const mine = await latest(p2p(w.secretary), `销号审核 · 整改事项 #${id}`);
      const theirs = await latest(p2p(w.inspector), `销号审核 · 整改事项 #${id}`);
      // The 纪检委员 opens the 退回 form on their review card (a private card: the form replaces it).
      await h.emu.click({ messageId: theirs.messageId, from: w.inspector.openId, value: button(theirs, '退回').value });
      const returnForm = h.emu.requireMessage(theirs.messageId);
      const before = await item(id);
      const eventsBefore = (await itemEvents(id)).length;
      expect(before.status).toBe('review');

      const approve = button(mine, '通过销号').value;
      const results = await Promise.all([
        h.emu.click({ messageId: mine.messageId, from: w.secretary.openId, value: approve }),
        h.emu.click({
          messageId: returnForm.messageId,
          from: w.inspector.openId,
          value: button(returnForm, '确认退回').value,
          name: 'submit_return',
          formValue: { reason: '缺少 11 月支委会纪要' },
        }),
        h.emu.click({ messageId: mine.messageId, from: w.secretary.openId, value: approve }),
      ]);

      const said = toasts(results);
      expect(said.join('|')).not.toContain(FAULT);
      const acted = results.filter((r) => r.toast?.type === 'success');
      expect(acted, said.join(' | ')).toHaveLength(1);
      const won = acted[0]?.toast?.content;
      winners.push(won ?? '');
      // The others are told the item changed, and shown it as it is now.
      for (const r of results.filter((x) => x.toast?.type !== 'success')) {
        expect(r.toast).toMatchObject({ type: 'warning', content: expect.stringContaining('已有更新') });
        expect(cardText(r.card)).toContain(won === '已通过销号' ? '已销号' : '已退回');
      }
      const after = await item(id);
      expect(after.version).toBe(before.version + 1);
      expect(after.status).toBe(won === '已通过销号' ? 'closed' : 'returned');
      const added = (await itemEvents(id)).slice(eventsBefore).map((e) => e.kind);
      expect(added).toEqual([won === '已通过销号' ? 'closed' : 'returned']);
      const decided = [
        ...(await audits('rectification:closed', `rectification:${id}`)),
        ...(await audits('rectification:returned', `rectification:${id}`)),
      ];
      expect(decided).toHaveLength(1);
      // The owner is told once, of what happened.
      await talk.drained(h);
      const told = h.emu.botMessages(p2p(w.owner)).filter((m) => m.msgType === 'text' && m.content.includes(`#${id} `));
      expect(told).toHaveLength(1);
    }
    expect(winners.every((x) => x === '已通过销号' || x === '已退回，已通知责任人')).toBe(true);
  });

  it('同意延期 and 拒绝 by two admins at the same moment: one decides, the item changes once', async () => {
    const w = await setup();
    for (let round = 0; round < ROUNDS; round++) {
      const formCard = await say(w.group, w.secretary, '/整改 新建');
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: button(formCard, '创建').value,
        name: 'submit_new',
        formValue: {
          problem: `第 ${round + 1} 轮：党费收缴不及时`,
          measures: '建立党费收缴台账',
          owner: w.owner.openId,
          deadline: '2026-12-20 +0800',
          kind: 'centralized',
          source: '巡察',
        },
      });
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      const asked = await say(w.group, w.owner, `/整改 延期 ${id} 2026-12-31 需等待上级批复`);
      expect(messageText(asked)).toContain('已提交延期申请');
      const mine = await latest(p2p(w.inspector), `延期申请 · 整改事项 #${id}`);
      const theirs = await latest(p2p(w.organizer), `延期申请 · 整改事项 #${id}`);
      const before = await item(id);

      const results = await Promise.all([
        h.emu.click({ messageId: mine.messageId, from: w.inspector.openId, value: button(mine, '同意延期').value }),
        h.emu.click({ messageId: theirs.messageId, from: w.organizer.openId, value: button(theirs, '拒绝').value }),
      ]);
      const said = toasts(results);
      expect(said.join('|')).not.toContain(FAULT);
      const decided: string[] = said.filter((t) => t === '已同意延期' || t === '已拒绝延期');
      expect(decided, said.join(' | ')).toHaveLength(1);
      expect(said.filter((t) => !decided.includes(t))).toEqual(['这个延期申请已经处理过了。']);
      const after = await item(id);
      expect(after.version).toBe(before.version + 1);
      expect(after.deadline).toBe(decided[0] === '已同意延期' ? '2026-12-31' : '2026-12-20');
      const events = (await itemEvents(id)).map((e) => e.kind);
      expect(events.filter((k) => k === 'extend_approved' || k === 'extend_refused')).toHaveLength(1);
    }
  });

  it('a double-click on a task’s 已完成 marks it done once', async () => {
    const w = await setup();
    for (let round = 0; round < ROUNDS; round++) {
      const formCard = await say(w.group, w.secretary, '/任务 新建');
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: button(formCard, '创建').value,
        name: 'submit_task_new',
        formValue: {
          content: `第 ${round + 1} 轮：组织党员参加警示教育`,
          owners: [w.owner.openId],
          cadence: 'once',
          due: '2026-12-20 +0800',
          leader: '李书记',
          category: '思想建设',
          evidence: '',
        },
      });
      const id = Number(/责任任务 #(\d+)/.exec(cardText(created.card))?.[1]);
      expect(id).toBeGreaterThan(0);
      const card = await latest(p2p(w.owner), `责任任务 #${id}`);
      const task = () => h.db.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const before = await task();

      const done = button(card, '已完成').value;
      const results = await Promise.all([
        h.emu.click({ messageId: card.messageId, from: w.owner.openId, value: done }),
        // The second click of a double-click: sent before the first one's answer replaced the card.
        h.emu.click({ messageId: card.messageId, from: w.owner.openId, value: done, bypassClient: true }),
      ]);
      const said = toasts(results);
      expect(said.join('|')).not.toContain(FAULT);
      expect(
        said.filter((t) => t === '已标记完成'),
        said.join(' | '),
      ).toHaveLength(1);
      expect(results.find((r) => r.toast?.content !== '已标记完成')?.toast).toMatchObject({
        type: 'warning',
        content: expect.stringContaining('已有更新'),
      });
      const after = await task();
      expect(after).toMatchObject({ status: 'done', version: before.version + 1 });
      const events = await h.db.db.selectFrom('task_events').selectAll().where('task_id', '=', id).execute();
      expect(events.map((e) => e.kind)).toEqual(['done']);
    }
  });

  it('the same person’s 签到 twice and 提交请假 twice act once; another member signing meanwhile is not lost', async () => {
    const w = await setup();
    for (let round = 0; round < ROUNDS; round++) {
      const formCard = await say(w.group, w.secretary, '/会议 新建 专题会议');
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: button(formCard, '发布通知').value,
        name: 'submit_session',
        formValue: {
          kind: 'special',
          title: `第 ${round + 1} 次专题会议`,
          // In a quarter of an hour: 签到 is open (from 30 minutes before) and 请假 still is (until the start).
          start: '2026-12-01 10:15 +0800',
          place: '三楼会议室',
          agenda: '形势分析',
          attendees: [],
        },
      });
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      expect(id).toBeGreaterThan(0);
      const notice = await talk.postedCard(h, w.group, `专题会议：第 ${round + 1} 次专题会议`);
      const session = () => h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const attendee = (u: EmuUser) =>
        h.db.db
          .selectFrom('session_attendees')
          .selectAll()
          .where('session_id', '=', id)
          .where('open_id', '=', u.openId)
          .executeTakeFirstOrThrow();
      const v0 = (await session()).version;

      const sign = button(notice, '签到').value;
      const signs = await Promise.all([
        h.emu.click({ messageId: notice.messageId, from: w.owner.openId, value: sign }),
        h.emu.click({ messageId: notice.messageId, from: w.owner.openId, value: sign }),
        h.emu.click({ messageId: notice.messageId, from: w.other.openId, value: sign }),
      ]);
      const said = toasts(signs);
      expect(said.join('|')).not.toContain(FAULT);
      expect(said[2]).toBe('已签到'); // another person's 签到 at the same moment is taken too
      expect(said.slice(0, 2).sort(), said.join(' | ')).toEqual(['已签到', '您已经签到了。']);
      expect((await attendee(w.owner)).status).toBe('signed');
      expect((await attendee(w.other)).status).toBe('signed');
      expect(await audits('session:sign', `session:${id}`)).toHaveLength(2);
      expect((await session()).version).toBe(v0 + 2);

      // 提交请假 double-clicked on the private form.
      const form = await talk.openForm(h, notice, w.inspector, '请假');
      const submit = button(form, '提交请假').value;
      const leave = (bypassClient: boolean) =>
        h.emu.click({
          messageId: form.messageId,
          from: w.inspector.openId,
          value: submit,
          name: 'submit_leave',
          formValue: { reason: '参加上级党委集中培训' },
          bypassClient,
        });
      const leaves = await Promise.all([leave(false), leave(true)]);
      const leaveSaid = toasts(leaves);
      expect(leaveSaid.join('|')).not.toContain(FAULT);
      expect(leaveSaid.sort(), leaveSaid.join(' | ')).toEqual(['已请假', '您已经请假了。']);
      expect(await attendee(w.inspector)).toMatchObject({ status: 'leave', reason: '参加上级党委集中培训' });
      expect(await audits('session:leave', `session:${id}`)).toHaveLength(1);
      expect((await session()).version).toBe(v0 + 3);
    }
  });

  it('确认导入 pressed three times at once on one preview imports once; the others are told it is done', async () => {
    const w = await setup();
    const items = () => h.db.db.selectFrom('rectifications').select(['id', 'problem']).orderBy('id').execute();
    for (let round = 0; round < ROUNDS; round++) {
      const rows = [1, 2, 3].map((n) => [
        String(n),
        '巡察',
        `第 ${round + 1} 批问题 ${n}：会议记录不规范`,
        '建立会议记录模板',
        '李书记',
        w.owner.name,
        '2026-12-31',
        '集中整改',
      ]);
      const sent = await h.emu.sendFile({
        chatId: p2p(w.secretary),
        from: w.secretary.openId,
        fileName: `整改台账-${round + 1}.csv`,
        bytes: ledgerCsv({ headers: LEDGER_HEADERS, rows }),
      });
      const preview: EmuMessage = await talk.answerTo(h, sent, 15_000);
      expect(cardTitle(preview)).toBe('导入预览 · 整改台账');
      const before = (await items()).length;

      const confirm = button(preview, /^确认导入/).value;
      const results = await Promise.all(
        [0, 1, 2].map(() => h.emu.click({ messageId: preview.messageId, from: w.secretary.openId, value: confirm })),
      );
      const said = toasts(results);
      expect(said.join('|')).not.toContain(FAULT);
      expect(
        said.filter((t) => t === '导入完成'),
        said.join(' | '),
      ).toHaveLength(1);
      expect(said.filter((t) => t !== '导入完成')).toEqual(['这次导入已经完成了。', '这次导入已经完成了。']);
      expect((await items()).length).toBe(before + 3);
      const confirmed = await h.db.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'import:rectifications:confirm')
        .execute();
      expect(confirmed).toHaveLength(round + 1);
    }
  });
});
