/**
 * Study sessions end to end: a 警示教育 published from the form (心得 due in 3 working days) → 参加 / 请假
 * before the 签到 window, 签到 once the reminder job has redrawn the notice as the window opens →
 * 学习心得 on the card (at least 100 characters) → 心得 reminders the day before, on the day and 2 days late,
 * stopping once handed in, nobody on leave nudged; the half-year 中心组 report; the 学习考勤 export read back
 * cell by cell; the annual study plan imported from .xlsx (preview, 确认导入, notices now or a week ahead).
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { field, tableRows } from '../helpers/card-parts.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { publishSession } from '../helpers/meeting-steps.ts';

/** An instant given as Beijing date and time. */
const wc = new WorkCalendar();
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A 学习心得 of well over 100 characters. */
const REFLECTION =
  '观看警示教育片后，我深刻认识到全面从严治党永远在路上。片中案例警示我们，理想信念一旦动摇，就会在诱惑面前失守。作为一名党员，我要时刻对照党章党规检视自己，严守政治纪律和政治规矩，管住小节、守住底线，坚持廉洁用权、秉公办事，自觉接受组织和群众监督，真正做到警钟长鸣、防微杜渐。';

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number, width: number) =>
  Array.from({ length: width }, (_x, i) => ws.getRow(n).getCell(i + 1).value);

async function planXlsx(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('2026年学习计划');
  ws.addRow(['学习时间', '学习主题', '学习形式', '学习内容']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

describe('study', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  type World = Awaited<ReturnType<typeof setup>>;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const privateMsgs = (u: EmuUser) => talk.privateMessages(h, u);
  const texts = (ms: EmuMessage[]) => ms.filter((m) => m.msgType === 'text').map(messageText);
  const current = (m: EmuMessage) => h.emu.requireMessage(m.messageId);

  const drained = () => talk.drained(h);
  const run = (job: string, date: string, time?: string) => talk.runJobAt(h, job, date, time);
  const answerTo = (m: EmuMessage) => talk.answerTo(h, m);
  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text);
  const postedCard = (chatId: string, title: string, before = 0) => talk.postedCard(h, chatId, title, before);

  async function setup(at: Date, members = ['王纪检', '张组织', '赵党员', '钱党员', '孙党员']) {
    clock = new OffsetClock();
    clock.set(at);
    h = await startBot({ clock });
    const w = await seedBranch(h, { members });
    const [inspector, organizer, zhao, qian, sun] = w.members as EmuUser[];
    if (!inspector || !organizer || !zhao || !qian) throw new Error('members');
    await say(w.chat.chatId, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
    await say(w.chat.chatId, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
    return { ...w, group: w.chat.chatId, inspector, organizer, zhao, qian, sun, everyone: [w.secretary, ...w.members] };
  }

  const LABELS: Record<string, string> = { central_group: '中心组学习', warning: '警示教育', integrity: '廉政教育' };

  /** Publishes a study session through `/学习 新建` and its form; returns its id and the notice. */
  async function createStudy(w: World, o: { kind: string; title: string; start: string; days?: string }) {
    const label = LABELS[o.kind] ?? o.kind;
    const formCard = await say(w.group, w.secretary, `/学习 新建 ${label}`);
    expect(cardTitle(formCard)).toBe('新建学习');
    const before = h.emu.botMessages(w.group).length;
    const created = await publishSession(h, formCard, w.secretary, {
      kind: o.kind,
      title: o.title,
      start: `${o.start} +0800`,
      place: '党员活动室',
      agenda: '学习材料见附件',
      attendees: [],
      days: o.days ?? '',
    });
    expect(created.toast?.content).toBe(`已发布${label}通知（#${/#(\d+)/.exec(created.toast?.content ?? '')?.[1]}）`);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    const notice = await postedCard(w.group, `${label}：${o.title}`, before);
    await drained();
    return { id, notice, formCard };
  }

  /**
   * The clock at a Beijing time inside the 签到 window (which opens 30 minutes before the start) and the
   * reminder job run then: its upkeep redraws the notice cards with 签到 (until then they show 参加 and 请假).
   */
  async function windowOpen(date: string, time: string, ...cards: EmuMessage[]) {
    clock.set(bj(date, time));
    await run('meeting-reminders', date, time);
    for (const card of cards)
      await h.emu.waitFor(() => buttons(current(card)).some((b) => b.text === '签到'), { what: '签到 on the card' });
  }

  async function sign(card: EmuMessage, u: EmuUser) {
    const r = await h.emu.click({
      messageId: card.messageId,
      from: u.openId,
      value: button(current(card), '签到').value,
    });
    expect(r.toast?.content).toBe('已签到');
    return r;
  }

  async function askLeave(card: EmuMessage, u: EmuUser, reason: string) {
    const form = await talk.openForm(h, card, u, '请假');
    const r = await h.emu.click({
      messageId: form.messageId,
      from: u.openId,
      value: button(current(form), '提交请假').value,
      name: 'submit_leave',
      formValue: { reason },
    });
    expect(r.toast?.content).toBe('已请假');
    return r;
  }

  /** `/会议 查看` after the start: a fresh card with 提交心得. */
  async function freshCard(w: World, id: number, title: string) {
    const before = h.emu.botMessages(w.group).length;
    await h.emu.sendText({ chatId: w.group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
    const card = await postedCard(w.group, title, before);
    await drained();
    return card;
  }

  /** 提交心得 on a card: opens the form (privately, from a group card), submits the text. */
  async function handIn(card: EmuMessage, u: EmuUser, text: string) {
    const form = await talk.openForm(h, card, u, '提交心得');
    expect(cardText(form.content)).toContain('学习心得');
    const r = await h.emu.click({
      messageId: form.messageId,
      from: u.openId,
      value: button(current(form), '提交心得').value,
      name: 'submit_reflection',
      formValue: { text, link: '' },
    });
    if (r.toast?.type === 'error') {
      // Back to the card's buttons.
      await h.emu.click({ messageId: form.messageId, from: u.openId, value: button(current(form), '取消').value });
    }
    return r;
  }

  const reflectionTexts = (u: EmuUser) => texts(privateMsgs(u)).filter((t) => t.startsWith('【学习心得】'));

  it('publishes a 警示教育 with 心得 due in 3 working days, takes 签到 and 心得 (≥ 100 characters) and nudges only those who still owe one', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const sun = w.sun as EmuUser;
    const formCard = await say(w.group, w.secretary, '/学习 新建 警示教育');
    expect(field(formCard, 'kind').initial_option).toBe('warning');
    expect(field(formCard, 'days').tag).toBe('input');

    const title = '观看警示教育片《零容忍》';
    const { id, notice } = await createStudy(w, { kind: 'warning', title, start: '2026-12-03 15:00', days: '3' });
    const due = wc.addWorkdays('2026-12-03', 3);
    expect(due).toBe('2026-12-08');
    const stored = await h.db.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ category: 'study', kind: 'warning', reflection_days: 3 });
    expect(cardText(notice.content)).toContain('**学习心得**：已提交 0/0，截止 2026-12-08');
    // Before the 签到 window: the 参会回执 only (参加 / 请假), no 签到 and no 提交心得 yet.
    expect(buttons(notice).map((b) => b.text)).toEqual(['参加', '请假']);

    // 赵 asks leave; the others sign in; 孙 then goes away until after the 心得 are due.
    await askLeave(notice, w.zhao, '外出公务');
    // 签到 opens 30 minutes before the start: the group's notice card is redrawn with 签到.
    await windowOpen('2026-12-03', '14:30', notice);
    expect(buttons(current(notice)).map((b) => b.text)).toEqual(['签到', '参加', '请假']);
    clock.set(bj('2026-12-03', '14:45'));
    for (const u of [w.secretary, w.inspector, w.organizer, w.qian, sun]) await sign(notice, u);
    expect(messageText(await say(w.group, sun, '/请假 2026-12-14 出差'))).toContain('已登记请假');
    await drained();
    expect(cardText(current(notice).content)).toContain('**学习心得**：已提交 0/5，截止 2026-12-08');

    // After the start (签到 still open until 18:00, 请假 closed): 提交心得 on the card.
    clock.set(bj('2026-12-03', '17:00'));
    const card = await freshCard(w, id, `警示教育：${title}`);
    expect(buttons(card).map((b) => b.text)).toEqual(['签到', '学习记录', '提交心得']);
    const short = await handIn(card, w.inspector, '很受教育，今后一定严守纪律。');
    expect(short.toast).toEqual({ type: 'error', content: '学习心得不少于 100 字（现在 14 字）。' });
    const accepted = await handIn(card, w.inspector, REFLECTION);
    expect(accepted.toast).toEqual({ type: 'success', content: '心得已提交' });
    expect(cardText(accepted.card)).toContain('**学习心得**：已提交 1/5，截止 2026-12-08');
    const onLeave = await handIn(card, w.zhao, REFLECTION);
    expect(onLeave.toast).toEqual({ type: 'error', content: '您本次请假了，不需要提交心得。' });
    const reflections = () =>
      h.db.db
        .selectFrom('reflections')
        .select(['open_id', 'text'])
        .where('session_id', '=', id)
        .orderBy('id')
        .execute();
    expect(await reflections()).toEqual([{ open_id: w.inspector.openId, text: REFLECTION }]);

    // Reminders: nothing two working days before the due day.
    await run('meeting-reminders', wc.addWorkdays(due, -2));
    for (const u of w.everyone) expect(reflectionTexts(u)).toEqual([]);

    // The day before: those who signed in and owe one (王 handed in, 赵 asked leave, 孙 is away).
    const owing = `【学习心得】警示教育“${title}”的学习心得截止日期 2026-12-08，您还没有提交，请在学习卡片上“提交心得”。`;
    expect(await run('meeting-reminders', wc.addWorkdays(due, -1))).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.organizer, w.qian]) expect(reflectionTexts(u)).toEqual([owing]);
    for (const u of [w.inspector, w.zhao, sun]) expect(reflectionTexts(u)).toEqual([]);
    expect(await run('meeting-reminders', wc.addWorkdays(due, -1), '15:00')).toMatchObject({ posted: 0 });

    // 张 hands in; on the due day only the secretary and 钱 are nudged.
    clock.set(bj(wc.addWorkdays(due, -1), '16:00'));
    expect((await handIn(card, w.organizer, REFLECTION)).toast?.content).toBe('心得已提交');
    await drained();
    expect(await run('meeting-reminders', due)).toMatchObject({ posted: 1 });
    for (const u of [w.secretary, w.qian]) expect(reflectionTexts(u)).toEqual([owing, owing]);
    expect(reflectionTexts(w.organizer)).toEqual([owing]);
    for (const u of [w.inspector, w.zhao, sun]) expect(reflectionTexts(u)).toEqual([]);

    // 钱 hands in late; 2 working days after the due day only the secretary is left.
    clock.set(bj(wc.addWorkdays(due, 1), '10:00'));
    expect((await handIn(card, w.qian, REFLECTION)).toast?.content).toBe('心得已提交');
    await drained();
    expect(await run('meeting-reminders', wc.addWorkdays(due, 1))).toMatchObject({ posted: 0 });
    expect(await run('meeting-reminders', wc.addWorkdays(due, 2))).toMatchObject({ posted: 1 });
    expect(await run('meeting-reminders', wc.addWorkdays(due, 2), '15:00')).toMatchObject({ posted: 0 });
    expect(reflectionTexts(w.secretary)).toEqual([
      owing,
      owing,
      `【学习心得】警示教育“${title}”的学习心得已过截止日期 2026-12-08，您还没有提交，请在学习卡片上“提交心得”。`,
    ]);
    expect(reflectionTexts(w.qian)).toEqual([owing, owing]);
    for (const u of [w.inspector, w.zhao, sun]) expect(reflectionTexts(u)).toEqual([]);
    expect((await reflections()).map((r) => r.open_id)).toEqual([
      w.inspector.openId,
      w.organizer.openId,
      w.qian.openId,
    ]);
  });

  it('offers 提交心得 on the group’s notice card by the time the 心得 reminder sends members there', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    const title = '学习《中国共产党纪律处分条例》';
    const { notice } = await createStudy(w, { kind: 'integrity', title, start: '2026-12-03 15:00', days: '3' });
    expect(buttons(notice).map((b) => b.text)).toEqual(['参加', '请假']);
    await windowOpen('2026-12-03', '14:45', notice);
    await sign(notice, w.qian);
    await drained();
    const day = wc.addWorkdays(wc.addWorkdays('2026-12-03', 3), -1);
    clock.set(bj(day, '09:30'));
    expect(await run('meeting-reminders', day)).toMatchObject({ posted: 1 });
    expect(reflectionTexts(w.qian)).toEqual([expect.stringContaining('请在学习卡片上“提交心得”')]);
    const opened = await talk.openForm(h, notice, w.qian, '提交心得');
    expect(cardText(opened.content)).toContain('学习心得');
  });

  /**
   * Two 中心组学习 sessions (12-03, 12-10) and a 警示教育 (12-04) in 2026H2, five people:
   * 12-03 李 王 张 signed (李 王 hand in), 赵 leave, 钱 absent or away; 12-04 李 赵 signed;
   * 12-10 李 张 赵 signed (李 张 hand in), 王 leave, 钱 away or absent.
   * `qianAway`: 'first' — 钱 is away until 12-03 (from 12-01); 'last' — away from 12-08 until 12-10.
   */
  async function twoCentralSessions(qianAway: 'first' | 'last') {
    const w = await setup(bj('2026-12-01', '10:00'), ['王纪检', '张组织', '赵党员', '钱党员']);
    const s1 = await createStudy(w, {
      kind: 'central_group',
      title: '学习贯彻党的二十届四中全会精神',
      start: '2026-12-03 15:00',
    });
    const warning = await createStudy(w, { kind: 'warning', title: '观看警示教育片', start: '2026-12-04 15:00' });
    const s2 = await createStudy(w, {
      kind: 'central_group',
      title: '学习《中国共产党纪律处分条例》',
      start: '2026-12-10 15:00',
    });
    await askLeave(s1.notice, w.zhao, '外出公务');
    await askLeave(s2.notice, w.inspector, '参加上级培训');
    if (qianAway === 'first')
      expect(messageText(await say(w.group, w.qian, '/请假 2026-12-03 出差'))).toContain('已登记');

    await windowOpen('2026-12-03', '14:50', s1.notice);
    for (const u of [w.secretary, w.inspector, w.organizer]) await sign(s1.notice, u);
    clock.set(bj('2026-12-03', '17:00'));
    const c1 = await freshCard(w, s1.id, '中心组学习：学习贯彻党的二十届四中全会精神');
    for (const u of [w.secretary, w.inspector])
      expect((await handIn(c1, u, REFLECTION)).toast?.content).toBe('心得已提交');

    await windowOpen('2026-12-04', '14:50', warning.notice);
    for (const u of [w.secretary, w.zhao]) await sign(warning.notice, u);

    clock.set(bj('2026-12-08', '10:00'));
    if (qianAway === 'last')
      expect(messageText(await say(w.group, w.qian, '/请假 2026-12-10 出差'))).toContain('已登记');
    await windowOpen('2026-12-10', '14:50', s2.notice);
    for (const u of [w.secretary, w.organizer, w.zhao]) await sign(s2.notice, u);
    clock.set(bj('2026-12-10', '17:00'));
    const c2 = await freshCard(w, s2.id, '中心组学习：学习《中国共产党纪律处分条例》');
    for (const u of [w.secretary, w.organizer])
      expect((await handIn(c2, u, REFLECTION)).toast?.content).toBe('心得已提交');
    await drained();
    clock.set(bj('2026-12-11', '10:00'));
    return w;
  }

  it('reports the half-year 中心组学习 per member: 签到, 请假, 缺席 and 心得', async () => {
    const w = await twoCentralSessions('last');
    const report = await say(w.group, w.secretary, '/学习 通报 2026H2');
    expect(cardTitle(report)).toBe('中心组学习通报 · 2026H2');
    expect(report.content).toContain('第一党支部，共 2 次学习');
    const rows = tableRows(report).sort((a, b) => byName(a.name ?? '', b.name ?? ''));
    // 钱 missed 12-03 and only went away (/请假) from 12-08: absent once, on leave once.
    expect(rows).toEqual(
      [
        { name: '李书记', expected: '2', signed: '2', leave: '0', absent: '0', rate: '100%', refl: '2/2', makeup: '0' },
        { name: '王纪检', expected: '2', signed: '1', leave: '1', absent: '0', rate: '50%', refl: '1/1', makeup: '0' },
        { name: '张组织', expected: '2', signed: '2', leave: '0', absent: '0', rate: '100%', refl: '1/2', makeup: '0' },
        { name: '赵党员', expected: '2', signed: '1', leave: '1', absent: '0', rate: '50%', refl: '0/1', makeup: '0' },
        { name: '钱党员', expected: '2', signed: '0', leave: '1', absent: '1', rate: '0%', refl: '0/0', makeup: '0' },
      ].sort((a, b) => byName(a.name, b.name)),
    );
    // A plain member may not ask for it.
    expect(messageText(await say(w.group, w.zhao, '/学习 通报 2026H2'))).toContain('权限');
  });

  it('exports the 学习考勤 for 2026: one row per member and session with ✓ marks, 已提交/未提交 and the session’s 状态', async () => {
    const w = await twoCentralSessions('first');
    const before = h.emu.botMessages(w.group).length;
    const reply = await say(w.group, w.secretary, '/学习 导出 2026');
    expect(messageText(reply)).toBe('已导出 3 次学习的考勤，文件《学习考勤-第一党支部-2026.xlsx》随后发送。');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.group)
          .slice(before)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const stored = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key);
    expect(stored?.name).toBe('学习考勤-第一党支部-2026.xlsx');
    const ws = await readXlsx(stored?.bytes ?? Buffer.alloc(0));
    expect(ws.name).toBe('学习考勤');
    expect(String(ws.getRow(1).getCell(1).value)).toContain('第一党支部 2026年学习考勤');
    expect(rowValues(ws, 2, 11)).toEqual([
      '日期',
      '学习类型',
      '学习主题',
      '姓名',
      '签到',
      '请假',
      '缺席',
      '心得提交',
      '补学',
      '补正',
      '状态',
    ]);

    const Y = '✓';
    const d = (date: string) => new Date(`${date}T00:00:00Z`);
    type Mark = 'signed' | 'leave' | 'absent';
    // 状态 (held.ts) as of 12-11: all three held, none with its 学习记录 yet (due 3 working days after).
    const STATES: Record<string, string> = {
      '2026-12-03': '已组织（学习记录待补，已超过 2026-12-08 的期限）',
      '2026-12-04': '已开展（学习记录待补，已超过 2026-12-09 的期限）',
      '2026-12-10': '已组织（学习记录待补，2026-12-15 前）',
    };
    const line = (date: string, kind: string, title: string, name: string, mark: Mark, refl: string | null) => [
      d(date),
      kind,
      title,
      name,
      mark === 'signed' ? Y : null,
      mark === 'leave' ? Y : null,
      mark === 'absent' ? Y : null,
      refl,
      null, // no 补学 here
      null, // no 补正 here
      STATES[date],
    ];
    const session = (date: string, kind: string, title: string, people: Record<string, [Mark, string | null]>) =>
      Object.keys(people)
        .sort(byName)
        .map((name) => {
          const [mark, refl] = people[name] as [Mark, string | null];
          return line(date, kind, title, name, mark, refl);
        });
    const expected = [
      ...session('2026-12-03', '中心组学习', '学习贯彻党的二十届四中全会精神', {
        李书记: ['signed', '已提交'],
        王纪检: ['signed', '已提交'],
        张组织: ['signed', '未提交'],
        赵党员: ['leave', null],
        钱党员: ['leave', null], // away (/请假) until 12-03
      }),
      ...session('2026-12-04', '警示教育', '观看警示教育片', {
        李书记: ['signed', '未提交'],
        王纪检: ['absent', null],
        张组织: ['absent', null],
        赵党员: ['signed', '未提交'],
        钱党员: ['absent', null],
      }),
      ...session('2026-12-10', '中心组学习', '学习《中国共产党纪律处分条例》', {
        李书记: ['signed', '已提交'],
        王纪检: ['leave', null],
        张组织: ['signed', '已提交'],
        赵党员: ['signed', '未提交'],
        钱党员: ['absent', null],
      }),
    ];
    expect(ws.actualRowCount).toBe(2 + expected.length);
    expected.forEach((row, i) => {
      expect(rowValues(ws, 3 + i, 11)).toEqual(row);
    });
  });

  it('imports the annual study plan sent privately: preview, 确认导入, notices for the next two weeks now and a week ahead later', async () => {
    const w = await setup(bj('2026-12-01', '10:00'));
    expect(messageText(await say(w.group, w.secretary, '/学习 导入'))).toContain(
      '请在与清风的单聊中直接发送年度学习计划',
    );
    const file = await planXlsx([
      [new Date(Date.UTC(2026, 11, 8)), '学习贯彻党的二十届四中全会精神', '中心组学习', '全会公报'],
      ['2026-12-10 14:30', '廉政教育专题学习', '廉政教育', '《中国共产党廉洁自律准则》'],
      [new Date(Date.UTC(2026, 11, 29)), '以案促改警示教育', '警示教育', '本系统典型案例通报'],
      ['2026-11-20', '已经过去的学习', '专题学习', ''],
    ]);
    const sent = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '2026年学习计划.xlsx',
      bytes: file,
    });
    const preview = await answerTo(sent);
    expect(cardTitle(preview)).toBe('导入预览 · 年度学习计划');
    const shown = cardText(preview.content);
    expect(shown).toContain('**3** 行可导入（新增 3，更新 0，无变化 0）；**1** 行有错误，不会导入。');
    expect(shown).toContain('第5行：学习时间 2026-11-20 已过');
    const sessions = () =>
      h.db.db
        .selectFrom('sessions')
        .select(['kind', 'title', 'start_at', 'agenda', 'organiser_open_id', 'category'])
        .orderBy('start_at')
        .execute();
    expect(await sessions()).toEqual([]);

    const groupBefore = h.emu.botMessages(w.group).length;
    const confirmed = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 3 行').value,
    });
    expect(confirmed.toast).toEqual({ type: 'success', content: '导入完成' });
    expect(cardText(confirmed.card)).toContain('2026年学习计划.xlsx：已安排 3 次学习。');
    const s = (kind: string, title: string, start: Date, agenda: string) => ({
      kind,
      title,
      start_at: start.toISOString(),
      agenda,
      organiser_open_id: w.secretary.openId,
      category: 'study',
    });
    expect(await sessions()).toEqual([
      s('central_group', '学习贯彻党的二十届四中全会精神', bj('2026-12-08', '09:00'), '全会公报'),
      s('integrity', '廉政教育专题学习', bj('2026-12-10', '14:30'), '《中国共产党廉洁自律准则》'),
      s('warning', '以案促改警示教育', bj('2026-12-29', '09:00'), '本系统典型案例通报'),
    ]);
    await postedCard(w.group, '中心组学习：学习贯彻党的二十届四中全会精神', groupBefore);
    await postedCard(w.group, '廉政教育专题学习', groupBefore);
    await drained();
    const later = () => h.emu.botMessages(w.group).filter((m) => cardTitle(m) === '警示教育：以案促改警示教育');
    expect(later()).toEqual([]);

    // The 12-29 session gets its notice once it is within a week.
    await run('meeting-reminders', '2026-12-21');
    expect(later()).toEqual([]);
    await run('meeting-reminders', '2026-12-22');
    expect(later()).toHaveLength(1);
    expect(cardText((later()[0] as EmuMessage).content)).toContain('2026-12-29 09:00');
    await run('meeting-reminders', '2026-12-22', '15:00');
    await run('meeting-reminders', '2026-12-23');
    expect(later()).toHaveLength(1);
  });
});
