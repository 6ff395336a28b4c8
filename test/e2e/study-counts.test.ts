/**
 * Study counted right end to end (issue 13 item 4), on a fake wall clock: a 中心组学习 where four sign in,
 * one asks leave and one never comes. A 心得 replayed before the start is refused naming the start; one
 * from the member who never signed in is refused (sign in first; after the window, pointed to 补学); the
 * card counts 心得 of those who signed in over those who signed in (已提交 2/4, never the reported
 * "3/3"). Once 签到 is over the absent member and the one on leave 补学: `/学习 补学` in the group sends
 * their list privately, its 补学 button the material and a 心得 form (privately; nothing personal is
 * drawn into the group), the 心得 is recorded as 补学 and shown as 补学 on the group card, in the
 * half-year 通报 (出勤率 over the real attendees, who missed, who owes a 心得, 补学 apart; a session nobody
 * signed in to not counted) and in the 学习考勤 — never as having attended. That session was not held:
 * it is never offered for 补学 (refused by number too), no 心得 is owed for it, and the 学习考勤's 状态
 * says 未组织 with the reason.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

/** A 学习心得 of well over 100 characters. */
const REFLECTION =
  '学习全会精神后，我深刻认识到全面从严治党永远在路上。作为一名党员，我要时刻对照党章党规检视自己，严守政治纪律和政治规矩，管住小节、守住底线，坚持廉洁用权、秉公办事，自觉接受组织和群众监督，把学习成果转化为推动工作的实际行动，做到学思用贯通、知信行统一。';

/** The rows of the (first) table on a card. */
function tableRows(m: EmuMessage): Record<string, string>[] {
  let rows: Record<string, string>[] | undefined;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'table') rows ??= o.rows as Record<string, string>[];
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(m.content));
  if (!rows) throw new Error('no table');
  return rows;
}

describe('study counted right', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('counts 心得 over those who signed in, takes them only from the start, and records 补学 apart on the card, the 通报 and the 学习考勤', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员'] });
    const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    const group = w.chat.chatId;
    const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);
    const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    const privateCards = (u: EmuUser) => h.emu.botMessages(p2p(u)).filter((m) => m.msgType === 'interactive');
    await say(group, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await say(group, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);

    async function publish(title: string, start: string): Promise<{ id: number; notice: EmuMessage }> {
      const formCard = await say(group, w.secretary, '/学习 新建 中心组学习');
      const before = h.emu.botMessages(group).length;
      const created = await h.emu.click({
        messageId: formCard.messageId,
        from: w.secretary.openId,
        value: button(formCard, '发布通知').value,
        name: 'submit_session',
        formValue: {
          kind: 'central_group',
          title,
          start: `${start} +0800`,
          place: '党委会议室',
          agenda: '《中国共产党第二十届中央委员会第四次全体会议公报》',
          attendees: [],
          days: '3',
        },
      });
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      expect(id).toBeGreaterThan(0);
      const notice = await talk.postedCard(h, group, `中心组学习：${title}`, before);
      await talk.drained(h);
      return { id, notice };
    }
    /** `/会议 查看 N`: the session's card drawn now (its buttons follow the time). */
    async function freshCard(id: number, title: string): Promise<EmuMessage> {
      const before = h.emu.botMessages(group).length;
      await h.emu.sendText({ chatId: group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
      const card = await talk.postedCard(h, group, `中心组学习：${title}`, before);
      await talk.drained(h);
      return card;
    }
    /** 提交心得 on a group card: the form opens privately; its submission's toast. */
    async function handIn(card: EmuMessage, u: EmuUser, text: string) {
      const form = await talk.openForm(h, card, u, '提交心得');
      const r = await h.emu.click({
        messageId: form.messageId,
        from: u.openId,
        value: button(current(form), '提交心得').value,
        name: 'submit_reflection',
        formValue: { text, link: '' },
      });
      return r.toast;
    }
    const reflections = async (id: number) =>
      (
        await h.db.db
          .selectFrom('reflections')
          .select(['open_id', 'makeup'])
          .where('session_id', '=', id)
          .orderBy('id')
          .execute()
      ).map((r) => [r.open_id, Number(r.makeup)]);
    const reflectionLine = (m: EmuMessage) =>
      cardText(current(m).content)
        .split('\n')
        .filter((l) => l.startsWith('**学习心得**') || l.startsWith('**补学**'))
        .join('\n');

    const title = '学习贯彻党的二十届四中全会精神';
    const { id, notice } = await publish(title, '2026-12-03 15:00');
    // A second session on 12-04 that nobody signs in to: not held, so not counted in the 通报.
    const otherTitle = '学习《中国共产党纪律处分条例》';
    const other = await publish(otherTitle, '2026-12-04 09:00');
    const org = Number(button(notice, '请假').value.o);

    // 赵 asks leave before the session.
    const leaveForm = await talk.openForm(h, notice, zhao, '请假');
    const left = await h.emu.click({
      messageId: leaveForm.messageId,
      from: zhao.openId,
      value: button(current(leaveForm), '提交请假').value,
      name: 'submit_leave',
      formValue: { reason: '外出公务' },
    });
    expect(left.toast?.content).toBe('已请假');

    // A 心得 replayed two days before the start (an old form, a forged callback): refused, naming the start.
    const early = await h.emu.click({
      messageId: notice.messageId,
      from: inspector.openId,
      value: { a: 'meeting.reflection', id, o: org },
      name: 'submit_reflection',
      formValue: { text: REFLECTION, link: '' },
      bypassClient: true,
    });
    expect(early.toast).toEqual({ type: 'error', content: '学习尚未开始，心得请在学习开始（12月3日 15:00）后提交。' });
    expect(await reflections(id)).toEqual([]);

    // 签到 opens: 李, 王, 张 and 孙 sign in; 钱 never does.
    clock.set(bj('2026-12-03', '14:50'));
    const open = await freshCard(id, title);
    for (const u of [w.secretary, inspector, organizer, sun]) {
      const r = await h.emu.click({
        messageId: open.messageId,
        from: u.openId,
        value: button(current(open), '签到').value,
      });
      expect(r.toast?.content).toBe('已签到');
    }

    // After the start: 王 and 张 hand in; 钱, who never signed in, is asked to sign in first.
    clock.set(bj('2026-12-03', '16:00'));
    const started = await freshCard(id, title);
    expect(await handIn(started, inspector, REFLECTION)).toEqual({ type: 'success', content: '心得已提交' });
    expect(await handIn(started, organizer, REFLECTION)).toEqual({ type: 'success', content: '心得已提交' });
    expect(await handIn(started, qian, REFLECTION)).toEqual({
      type: 'error',
      content: '请先在学习卡片上签到，再提交心得。',
    });
    // 补学 is not open while 签到 is.
    expect(messageText(await say(group, qian, `/学习 补学 ${id}`))).toBe(
      '补学在签到结束（12月3日 18:00）后开放。能参加的，请按时签到。',
    );
    await h.emu.waitFor(() => reflectionLine(started).includes('已提交 2/4'), { what: 'the card counts 2/4' });
    expect(reflectionLine(started)).toBe('**学习心得**：已提交 2/4，截止 2026-12-08');

    // 签到 is over: 钱's 心得 is pointed to 补学, 赵 (on leave) too.
    clock.set(bj('2026-12-03', '18:30'));
    const closed = await freshCard(id, title);
    expect(await handIn(closed, qian, REFLECTION)).toEqual({
      type: 'error',
      content: `您本次没有签到，心得不能按参加学习提交。如需补学，请发送 /学习 补学 ${id}，获取学习材料并提交补学心得。`,
    });
    expect(await handIn(closed, zhao, REFLECTION)).toEqual({
      type: 'error',
      content: `您本次请假了，不需要提交心得。如需补学，请发送 /学习 补学 ${id}。`,
    });
    expect(
      messageText(await say(group, w.secretary, `/会议 纪要 ${id} 集体学习了全会公报，交流了学习体会。`)),
    ).toContain('已记录');
    await talk.drained(h);

    // 钱 asks in the group: the list of what to 补学 goes privately; its 补学 button sends the material and the form.
    const listBefore = privateCards(qian).length;
    expect(messageText(await say(group, qian, '/学习 补学'))).toBe(
      '已私信发送您需要补学的学习，请在与清风的单聊中查看。',
    );
    const list = await h.emu.waitFor(
      () =>
        privateCards(qian)
          .slice(listBefore)
          .find((m) => cardTitle(m) === '需要补学的学习'),
      {
        what: '钱’s 补学 list',
      },
    );
    expect(cardText(list.content)).toContain(`**#${id}** 中心组学习：${title}`);
    expect(cardText(list.content)).toContain('2026-12-03 15:00 · 缺席');
    expect(buttons(list).map((b) => b.text)).toEqual(['补学']);
    const formBefore = privateCards(qian).length;
    const opened = await h.emu.click({
      messageId: list.messageId,
      from: qian.openId,
      value: button(list, '补学').value,
    });
    expect(opened.toast?.type).toBe('info');
    const makeup = await h.emu.waitFor(
      () =>
        privateCards(qian)
          .slice(formBefore)
          .find((m) => cardTitle(m) === `补学：中心组学习：${title}`),
      { what: 'the 补学 card' },
    );
    const material = cardText(makeup.content);
    expect(material).toContain('**您的出勤**：缺席（补学后仍记为缺席，另记补学）');
    expect(material).toContain('《中国共产党第二十届中央委员会第四次全体会议公报》');
    expect(material).toContain('集体学习了全会公报，交流了学习体会。');
    const submit = (m: EmuMessage, u: EmuUser, text: string) =>
      h.emu.click({
        messageId: m.messageId,
        from: u.openId,
        value: button(current(m), '提交补学心得').value,
        name: 'submit_makeup',
        formValue: { text, link: '' },
      });
    expect((await submit(makeup, qian, '认真学习了。')).toast).toEqual({
      type: 'error',
      content: '补学心得不少于 100 字（现在 6 字）。',
    });
    const recorded = await submit(makeup, qian, REFLECTION);
    expect(recorded.toast).toEqual({ type: 'success', content: '补学已记录' });
    expect(cardText(current(makeup).content)).toContain('已记录补学');
    expect(buttons(current(makeup)).map((b) => b.text)).toEqual([]);

    // 赵 in the private chat: the 补学 card comes as the answer.
    const zhaoAsk = await h.emu.sendText({ chatId: p2p(zhao), from: zhao.openId, text: `/学习 补学 ${id}` });
    const zhaoCard = await talk.answerTo(h, zhaoAsk);
    expect(cardText(zhaoCard.content)).toContain('**您的出勤**：请假');
    expect((await submit(zhaoCard, zhao, REFLECTION)).toast?.content).toBe('补学已记录');
    await talk.drained(h);

    // Once only; not for one who attended.
    expect(messageText(await say(group, qian, `/学习 补学 ${id}`))).toBe('您已经完成本次学习的补学。');
    expect(messageText(await say(group, inspector, `/学习 补学 ${id}`))).toBe(
      '您参加了本次学习，心得也已提交，无需补学。',
    );
    expect(await reflections(id)).toEqual([
      [inspector.openId, 0],
      [organizer.openId, 0],
      [qian.openId, 1],
      [zhao.openId, 1],
    ]);

    // The group card: still 2/4 (补学 is not attendance), 补学 named apart; 钱 still 缺席, 赵 still 请假.
    await h.emu.waitFor(() => reflectionLine(closed).includes('**补学**'), { what: 'the card shows 补学' });
    expect(reflectionLine(closed)).toBe(
      '**学习心得**：已提交 2/4，截止 2026-12-08\n**补学**：赵党员、钱党员（补学不计入出勤）',
    );
    expect(cardText(current(closed).content)).toContain('**应到** 6 人');
    // Nothing personal was ever drawn into the group: no 补学 card, no 心得 or 补学 form.
    for (const m of h.emu.botMessages(group)) {
      expect(cardTitle(m) ?? '').not.toMatch(/补学/);
      expect(m.content).not.toContain('submit_makeup');
      expect(m.content).not.toContain('submit_reflection');
    }

    // The half-year 通报.
    clock.set(bj('2026-12-04', '14:00'));
    const report = await say(group, w.secretary, '/学习 通报 2026H2');
    expect(cardTitle(report)).toBe('中心组学习通报 · 2026H2');
    expect(report.content).toContain('第一党支部，共 1 次学习');
    const shown = cardText(report.content);
    expect(shown).toContain('**出勤**：应到 6 人次，签到 4 人次，请假 1 人次，缺席 1 人次；出勤率 67%（签到 ÷ 应到）');
    expect(shown).toContain('**学习心得**：参加学习的应交 4 份，已交 2 份');
    expect(shown).toContain('**补学**：2 人次（另行记录，不计入出勤）');
    expect(shown).toContain('另有 1 次学习无人签到，未计入：12月4日“学习《中国共产党纪律处分条例》”。');
    const row = (name: string, e: number, s: number, l: number, a: number, rate: string, refl: string, mk: number) => ({
      name,
      expected: String(e),
      signed: String(s),
      leave: String(l),
      absent: String(a),
      rate,
      refl,
      makeup: String(mk),
    });
    expect(tableRows(report)).toEqual(
      [
        row('孙党员', 1, 1, 0, 0, '100%', '0/1', 0),
        row('李书记', 1, 1, 0, 0, '100%', '0/1', 0),
        row('王纪检', 1, 1, 0, 0, '100%', '1/1', 0),
        row('张组织', 1, 1, 0, 0, '100%', '1/1', 0),
        row('赵党员', 1, 0, 1, 0, '0%', '0/0', 1),
        row('钱党员', 1, 0, 0, 1, '0%', '0/0', 1),
      ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
    expect(shown).toContain('缺席（1 人）');
    expect(shown).toContain('- 钱党员：12月3日（已补学）');
    expect(shown).toContain('心得未交（2 人）');
    expect(shown).toMatch(/- 李书记：12月3日\n- 孙党员：12月3日|- 孙党员：12月3日\n- 李书记：12月3日/);
    expect(shown).toContain('补学（2 人）');

    // Nobody signed in to the 12-04 session: not held, so there is nothing to 补学 and no 心得 to hand in.
    const emptyBefore = privateCards(qian).length;
    expect(messageText(await say(group, qian, '/学习 补学'))).toBe(
      '已私信发送您需要补学的学习，请在与清风的单聊中查看。',
    );
    const empty = await h.emu.waitFor(
      () =>
        privateCards(qian)
          .slice(emptyBefore)
          .find((m) => cardTitle(m) === '需要补学的学习'),
      { what: '钱’s 补学 list, now empty' },
    );
    expect(cardText(empty.content)).not.toContain(`#${other.id}`);
    expect(cardText(empty.content)).toContain('您没有需要补学的学习。');
    expect(buttons(empty)).toEqual([]);
    const NOT_HELD = '本次学习无人签到，记录为未组织，无需补学。';
    expect(messageText(await say(group, qian, `/学习 补学 ${other.id}`))).toBe(NOT_HELD);
    expect(
      messageText(
        await talk.answerTo(
          h,
          await h.emu.sendText({ chatId: p2p(zhao), from: zhao.openId, text: `/学习 补学 ${other.id}` }),
        ),
      ),
    ).toBe(NOT_HELD);
    expect(await handIn(await freshCard(other.id, otherTitle), sun, REFLECTION)).toEqual({
      type: 'error',
      content: '本次学习无人签到，记录为未组织，不需要提交心得。',
    });
    expect(await reflections(other.id)).toEqual([]);

    // The 学习考勤: 补学 in its own column, the person still 缺席 / 请假; 心得 only for those who signed in.
    const before = h.emu.botMessages(group).length;
    await say(group, w.secretary, '/学习 导出 2026');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(group)
          .slice(before)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const stored = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((stored?.bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const values = (n: number) => Array.from({ length: 7 }, (_x, i) => ws.getRow(n).getCell(i + 4).value);
    expect(values(2)).toEqual(['姓名', '签到', '请假', '缺席', '心得提交', '补学', '补正']);
    // The session's 状态 (held.ts) last, as in the 三会一课记录簿: the 通报 and the file say the same.
    expect(ws.getRow(2).getCell(11).value).toBe('状态');
    const people: Record<string, unknown[]> = {};
    const states: Record<string, Set<unknown>> = { [title]: new Set(), [otherTitle]: new Set() };
    const unsigned: string[] = [];
    for (let n = 3; n <= ws.actualRowCount; n++) {
      const topic = String(ws.getRow(n).getCell(3).value);
      states[topic]?.add(ws.getRow(n).getCell(11).value);
      const v = values(n);
      if (topic === otherTitle && v[3] === '✓') unsigned.push(String(v[0]));
      if (topic !== title) continue;
      people[String(v[0])] = v.slice(1, 6);
    }
    expect(states).toEqual({
      [title]: new Set(['已组织']),
      [otherTitle]: new Set(['未组织（无人签到，没有出勤记录）']),
    });
    expect(unsigned).toHaveLength(6);
    const Y = '✓';
    expect(people).toEqual({
      孙党员: [Y, null, null, '未提交', null],
      李书记: [Y, null, null, '未提交', null],
      王纪检: [Y, null, null, '已提交', null],
      张组织: [Y, null, null, '已提交', null],
      赵党员: [null, Y, null, null, '已补学（2026-12-03）'],
      钱党员: [null, null, Y, null, '已补学（2026-12-03）'],
    });
  });
});
