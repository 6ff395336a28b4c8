/**
 * Every record agrees with the seats, end to end (issue 15 items 2 and 3): in a 10-member 支部 with 2
 * 预备党员 and 1 不计应到, a 党员大会 held with 4 正式 present (and both 预备党员 列席) shows 应到 7, 实到 4
 * on its card, in the 三会一课记录簿 (列席 and 不计应到 in their own columns) and the same on a 补录 of
 * one; one not held tells its organiser held.ts's reason (the 预备党员 clause included). The calendar by
 * level: `/日历 设置 专题会议 …` in a 党支部 is refused with nothing changed, a 党委 is refused a 支部's
 * rule, and the 党委's /日历 card gives examples from its own rules. The group's card gives 不计应到 as a
 * count. A 机关党委's 中心组学习 invites its 班子 (everyone, said so, while none is registered); a 支部's
 * study plan row without 学习形式 is 专题学习.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegisterFields } from '../../src/db/repositories/register.ts';
import { updateRegister } from '../../src/db/repositories/register.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { compileYear } from '../../src/features/report/compile.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

/** Walks a card's JSON, calling `f` on every object. */
function walkCard(card: unknown, f: (o: Record<string, unknown>) => void): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      f(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(typeof card === 'string' ? JSON.parse(card) : card);
}

function button(m: EmuMessage, text: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  walkCard(m.content, (o) => {
    if (o.tag === 'button' && (o.text as { content: string }).content === text)
      found ??= (o.behaviors as { value: Record<string, unknown> }[])[0]?.value;
  });
  if (!found) throw new Error(`no button ${text} in ${m.content.slice(0, 300)}`);
  return found;
}

function cardText(card: unknown): string {
  const out: string[] = [];
  walkCard(card, (o) => {
    if (typeof o.content === 'string') out.push(o.content);
  });
  return out.join('\n');
}

const MEMBERS = ['王纪检', '张组织', '赵党员', '钱党员', '孙党员', '周党员', '吴预备', '郑预备', '冯病休'];
const GENERAL = '党员大会：第四季度党员大会';

describe('records agree with the seats; the calendar by level', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  async function setup() {
    clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: MEMBERS });
    const group = w.chat.chatId;
    const by = (name: string) => [w.secretary, ...w.members].find((u) => u.name === name) as EmuUser;
    await talk.say(h, group, w.secretary, `/角色 @{${by('王纪检').openId}} 纪检委员`);
    await talk.say(h, group, w.secretary, `/角色 @{${by('张组织').openId}} 组织委员`);
    expect(messageText(await talk.say(h, group, w.secretary, '/组织 级别 党支部'))).toContain('党支部');
    // The register, set in the database as the register's own commands would.
    const register: Record<string, Partial<RegisterFields>> = {
      李书记: { committee_post: 'secretary' },
      王纪检: { committee_post: 'inspector' },
      张组织: { committee_post: 'organizer' },
      吴预备: { category: 'probationary' },
      郑预备: { category: 'probationary' },
      冯病休: { quorum_exempt: '长期病假' },
    };
    const rows = await h.db.db.selectFrom('members').selectAll().where('left_at', 'is', null).execute();
    expect(rows).toHaveLength(10);
    for (const r of rows)
      await updateRegister(h.db.db, r, { ...register[r.name], updated_at: new Date(0).toISOString() });
    return { ...w, group, by };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** `/会议 新建 党员大会` and its form as the secretary; the new meeting's id. */
  async function createGeneral(w: World, title: string, start: string) {
    const formCard = await talk.say(h, w.group, w.secretary, '/会议 新建 党员大会');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '发布通知'),
      name: 'submit_session',
      formValue: { kind: 'general', title, start: `${start} +0800`, place: '三楼会议室', attendees: [] },
    });
    await talk.drained(h);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    return id;
  }

  /** The meeting's card drawn now (`/会议 查看`). */
  async function show(w: World, id: number, title: string) {
    const before = h.emu.botMessages(w.group).length;
    await h.emu.sendText({ chatId: w.group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
    return talk.postedCard(h, w.group, title, before);
  }

  async function signAll(w: World, id: number, title: string, names: string[]) {
    const card = await show(w, id, title);
    for (const n of names) {
      const got = await h.emu.click({ messageId: card.messageId, from: w.by(n).openId, value: button(card, '签到') });
      expect(got.toast, n).toMatchObject({ type: 'success', content: '已签到' });
    }
    await talk.drained(h);
  }

  /** The 三会一课记录簿 exported now: its rows by header. */
  async function ledger(w: World) {
    const sent = h.emu.botMessages(w.group).length;
    await talk.say(h, w.group, w.secretary, '/会议 导出 2026');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(w.group)
          .slice(sent)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const header = Array.from({ length: ws.getRow(2).cellCount }, (_x, i) => String(ws.getRow(2).getCell(i + 1).value));
    const rows: Record<string, unknown>[] = [];
    for (let n = 3; n <= ws.actualRowCount; n++)
      rows.push(Object.fromEntries(header.map((k, i) => [k, ws.getRow(n).getCell(i + 1).value])));
    return rows;
  }

  const privateTexts = (u: EmuUser) => {
    const c = h.emu.store.p2pChatOf(u.openId);
    return (c ? h.emu.botMessages(c.chatId) : []).filter((m) => m.msgType === 'text').map(messageText);
  };

  it('a 党员大会 held with 4 正式: 应到 7, 实到 4 on the card, in the 记录簿 and on a 补录; not held, the notice says why', async () => {
    const w = await setup();
    const held = await createGeneral(w, '第四季度党员大会', '2026-12-04 15:00');
    const short = await createGeneral(w, '接收预备党员大会', '2026-12-08 15:00');

    // 4 正式 and both 预备党员 sign in; the window closes.
    clock.set(bj('2026-12-04', '14:45'));
    await signAll(w, held, GENERAL, ['李书记', '王纪检', '张组织', '赵党员', '吴预备', '郑预备']);
    // The second: 3 正式 and both 预备党员 — 3 of 7 with a vote.
    clock.set(bj('2026-12-08', '14:45'));
    await signAll(w, short, '党员大会：接收预备党员大会', ['李书记', '钱党员', '孙党员', '吴预备', '郑预备']);
    clock.set(bj('2026-12-08', '18:30'));
    const card = cardText((await show(w, held, GENERAL)).content);
    expect(card).toContain('**应到** 7 人　**已签到** 4 人　**请假** 0 人　**缺席** 3 人');
    expect(card).toContain(
      '**列席**（无表决权）：预备党员 2 人（吴预备（预备党员）、郑预备（预备党员）），已签到 2 人',
    );
    // On the group's card 不计应到 is a count; the reason is in the 记录簿 (and on a card drawn for one person).
    expect(card).toContain('**不计应到**：1 人\n');
    expect(card).not.toContain('长期病假');

    // The organiser of the one not held is told held.ts's reason, as the card gives it.
    await talk.runJobAt(h, 'meeting-reminders', '2026-12-08', '18:30');
    expect(privateTexts(w.secretary).filter((t) => t.startsWith('【出勤记录】'))).toEqual([
      `【出勤记录】原定于 2026-12-08 召开的党员大会“接收预备党员大会”有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权，记录为未召开，本期不计为已召开。如到会人数实际已超过半数，请管理员按现场签到表补正出勤：/会议 补正 ${short} @姓名 签到 补正理由`,
    ]);

    // 补录 of a 党员大会 with the same people present and one on leave: the same seats, the same figures.
    const form = await talk.say(h, w.group, w.secretary, '/会议 补录 党员大会');
    expect(cardTitle(form)).toBe('补录会议记录');
    const ids = (names: string[]) => names.map((n) => w.by(n).openId);
    const answer = await h.emu.click({
      messageId: form.messageId,
      from: w.secretary.openId,
      value: button(form, '保存补录'),
      name: 'submit_backfill',
      formValue: {
        kind: 'general',
        title: '第三季度党员大会',
        start: '2026-09-25 15:00 +0800',
        place: '三楼会议室',
        present: ids(['李书记', '王纪检', '张组织', '赵党员', '吴预备', '郑预备']),
        leave: ids(['钱党员']),
        absent: [],
        minutes: '会议讨论了发展党员工作。',
      },
    });
    expect(answer.toast).toMatchObject({ type: 'success', content: expect.stringMatching(/^已补录（#\d+）$/) });
    const stored = cardText(h.emu.requireMessage(form.messageId).content);
    expect(stored).toContain('**状态**：已召开（补录）');
    expect(stored).toContain('**应到** 7 人　**实到** 4 人　**请假** 1 人　**缺席** 2 人');
    expect(stored).toContain('**缺席**：孙党员、周党员');
    expect(stored).toContain('**列席**（无表决权）：预备党员 2 人（吴预备、郑预备），已签到 2 人');
    expect(stored).toContain('**不计应到**：1 人（冯病休：长期病假）');

    // The 记录簿: each row as its card counts it, 列席 and 不计应到 listed apart.
    const book = await ledger(w);
    const cols = ['主题', '应到', '实到', '请假', '缺席', '列席', '不计应到'];
    expect(book.map((r) => cols.map((c) => r[c]))).toEqual([
      ['第三季度党员大会', 7, 4, 1, 2, '预备党员 2 人（吴预备、郑预备），已签到 2 人', '冯病休：长期病假'],
      ['第四季度党员大会', 7, 4, 0, 3, '预备党员 2 人（吴预备、郑预备），已签到 2 人', '冯病休：长期病假'],
      ['接收预备党员大会', 7, 3, 0, 4, '预备党员 2 人（吴预备、郑预备），已签到 2 人', '冯病休：长期病假'],
    ]);
    // The year's report (附表1 实到/应到) counts as the card does.
    const org = await h.db.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
    const report = await compileYear(h.db.db, {
      org,
      year: 2026,
      now: clock.now(),
      timezone: 'Asia/Shanghai',
      calendar: new WorkCalendar(),
    });
    const table = report.appendices.find((a) => a.title.startsWith('附表1'));
    const at = (table?.columns ?? []).indexOf('实到/应到');
    expect(at).toBeGreaterThan(0);
    expect((table?.rows ?? []).filter((r) => String(r[2]).includes('党员大会')).map((r) => r[at])).toEqual([
      '4/7',
      '4/7',
      '3/7',
    ]);
    expect(book.map((r) => String(r.状态))).toEqual([
      '已召开（补录）',
      expect.stringMatching(/^已召开（纪要待补/),
      '未召开（有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权）',
    ]);
  });

  it('a 党支部 may not set a 党委 rule, a 党委 not a 支部 rule; the 党委 /日历 gives examples of its own', async () => {
    const w = await setup();
    const rulesNow = () =>
      h.db.db.selectFrom('calendar_rules').select(['org_id', 'key', 'lead_days', 'fixed_day', 'enabled']).execute();
    await talk.say(h, w.group, w.secretary, '/日历');
    const before = await rulesNow();

    for (const text of [
      '/日历 设置 专题会议 提前 5',
      '/日历 停用 中心组学习',
      '/日历 设置 全面从严治党专题会议 频次 每季度',
    ]) {
      const refused = messageText(await talk.say(h, w.group, w.secretary, text));
      expect(refused, text).toMatch(
        /^(全面从严治党专题会议|理论学习中心组学习)是党委（党组）的职责，本组织为党支部，不适用。/,
      );
      expect(refused).toContain('本组织的规则：党员大会、支委会、党小组会、党课、主题党日、组织生活会、警示教育。');
    }
    expect(await rulesNow()).toEqual(before);
    // Its own rules still change, and bad input answers with the usage in its own rules.
    const usage = messageText(await talk.say(h, w.group, w.secretary, '/日历 设置 支委会 提前 很多'));
    expect(usage).toContain('/日历 设置 主题党日 10（固定日 1–28）');
    await talk.say(h, w.group, w.secretary, '/日历 设置 支委会 提前 4');
    expect((await rulesNow()).filter((r) => r.key === 'committee_meeting').map((r) => r.lead_days)).toEqual([4]);

    // A 机关党委 in its own group.
    const zhou = h.emu.addUser('周书记');
    const upper = h.emu.createGroup({
      name: '机关党委',
      owner: zhou.openId,
      members: [h.emu.addUser('吴委员').openId],
    });
    await talk.say(h, upper.chatId, zhou, '/绑定 机关党委');
    await talk.say(h, upper.chatId, zhou, '/组织 级别 机关党委');
    const calendar = await talk.say(h, upper.chatId, zhou, '/日历');
    const footer = cardText(calendar.content);
    expect(footer).toContain('/日历 设置 专题会议 提前 5 修改提前提醒的工作日数');
    for (const word of ['主题党日', '支委会', '党小组会']) expect(footer).not.toContain(word);
    const usageUpper = messageText(await talk.say(h, upper.chatId, zhou, '/日历 设置 专题会议 提前'));
    expect(usageUpper).toBe('用法：/日历 设置 专题会议 提前 5（工作日）、/日历 设置 警示教育 频次 每季度。');
    const mine = (await rulesNow()).filter((r) => !before.some((b) => b.org_id === r.org_id));
    const refused = messageText(await talk.say(h, upper.chatId, zhou, '/日历 设置 主题党日 10'));
    expect(refused).toMatch(
      /^主题党日是党支部的职责，本组织为机关党委，不适用。本组织的规则：专题会议、中心组学习、警示教育。/,
    );
    expect((await rulesNow()).filter((r) => !before.some((b) => b.org_id === r.org_id))).toEqual(mine);
  });

  it('中心组学习 by level: a 党委 invites its 班子 (said so while none is registered); a 支部’s plan defaults to 专题学习', async () => {
    const w = await setup();
    const zhou = h.emu.addUser('周书记');
    const wu = h.emu.addUser('吴委员');
    const zheng = h.emu.addUser('郑干部');
    const upper = h.emu.createGroup({ name: '机关党委', owner: zhou.openId, members: [wu.openId, zheng.openId] });
    await talk.say(h, upper.chatId, zhou, '/绑定 机关党委');
    await talk.say(h, upper.chatId, zhou, '/组织 级别 机关党委');
    const study = async (title: string) => {
      const form = await talk.say(h, upper.chatId, zhou, '/学习 新建 中心组学习');
      const created = await h.emu.click({
        messageId: form.messageId,
        from: zhou.openId,
        value: button(form, '发布通知'),
        name: 'submit_session',
        formValue: { kind: 'central_group', title, start: '2026-12-15 09:00 +0800', place: '', attendees: [] },
      });
      await talk.drained(h);
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      const names = await h.db.db
        .selectFrom('session_attendees')
        .select('name')
        .where('session_id', '=', id)
        .orderBy('name')
        .execute();
      return { names: names.map((r) => r.name), card: cardText(h.emu.requireMessage(form.messageId).content) };
    };
    // No 委员 registered: everyone, and the card says how to make it the 班子.
    const first = await study('学习贯彻党的二十届四中全会精神');
    expect(first.names).toEqual(['吴委员', '周书记', '郑干部'].sort());
    expect(first.card).toContain('本组织尚未登记班子成员，本次中心组学习按通知所列人员参加。');
    for (const text of [`/党员 @{${zhou.openId}} 支委 书记`, `/党员 @{${wu.openId}} 支委 委员`])
      expect(messageText(await talk.say(h, upper.chatId, zhou, text)), text).toContain('已更新');
    const second = await study('学习《中国共产党纪律处分条例》');
    expect(second.names).toEqual(['吴委员', '周书记'].sort());
    expect(second.card).not.toContain('尚未登记班子成员');

    // The 支部's study plan: a row without 学习形式 is 专题学习, not 中心组学习.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('2026年学习计划');
    ws.addRow(['学习时间', '学习主题', '学习形式', '学习内容']);
    ws.addRow(['2026-12-20 09:00', '学习党章', '', '党章全文']);
    ws.addRow(['2026-12-21 09:00', '廉政教育专题学习', '廉政教育', '']);
    const p2p = h.emu.p2pChat(w.secretary.openId).chatId;
    const sent = await h.emu.sendFile({
      chatId: p2p,
      from: w.secretary.openId,
      fileName: '2026年学习计划.xlsx',
      bytes: Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer),
    });
    const preview = await talk.answerTo(h, sent);
    expect(cardTitle(preview)).toBe('导入预览 · 年度学习计划');
    const confirmed = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 2 行'),
    });
    expect(confirmed.toast).toEqual({ type: 'success', content: '导入完成' });
    const branchOrg = await h.db.db.selectFrom('orgs').select('id').where('name', '=', '第一党支部').executeTakeFirst();
    const kinds = await h.db.db
      .selectFrom('sessions')
      .select(['title', 'kind'])
      .where('org_id', '=', branchOrg?.id ?? 0)
      .where('category', '=', 'study')
      .orderBy('start_at')
      .execute();
    expect(kinds).toEqual([
      { title: '学习党章', kind: 'topic' },
      { title: '廉政教育专题学习', kind: 'integrity' },
    ]);
  });
});
