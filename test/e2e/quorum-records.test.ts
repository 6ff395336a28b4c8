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
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { compileYear } from '../../src/features/report/compile.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { exportLedger, publishSession, saveBackfill, showMeeting, signInAll } from '../helpers/meeting-steps.ts';
import { seedQuorumBranch, writeRegister } from '../helpers/quorum-branch.ts';

const GENERAL = '党员大会：第四季度党员大会';

describe('records agree with the seats; the calendar by level', () => {
  let h: BotHarness;
  let clock: OffsetClock;
  afterEach(async () => h?.stop());

  async function setup() {
    clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedQuorumBranch(h);
    expect(messageText(await talk.say(h, w.group, w.secretary, '/组织 级别 党支部'))).toContain('党支部');
    // The register, set in the database as the register's own commands would.
    const rows = await writeRegister(h, {
      李书记: { committee_post: 'secretary' },
      王纪检: { committee_post: 'inspector' },
      张组织: { committee_post: 'organizer' },
      吴预备: { category: 'probationary' },
      郑预备: { category: 'probationary' },
      冯病休: { quorum_exempt: '长期病假' },
    });
    expect(rows).toHaveLength(10);
    return w;
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** `/会议 新建 党员大会` and its form as the secretary; the new meeting's id. */
  async function createGeneral(w: World, title: string, start: string) {
    const formCard = await talk.say(h, w.group, w.secretary, '/会议 新建 党员大会');
    const created = await publishSession(h, formCard, w.secretary, {
      kind: 'general',
      title,
      start: `${start} +0800`,
      place: '三楼会议室',
      attendees: [],
    });
    await talk.drained(h);
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    return id;
  }

  const show = (w: World, id: number, title: string) => showMeeting(h, w, id, title);
  const signAll = (w: World, id: number, title: string, names: string[]) => signInAll(h, w, id, title, names);
  const ledger = (w: World) => exportLedger(h, w);

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
    const answer = await saveBackfill(h, form, w.secretary, {
      kind: 'general',
      title: '第三季度党员大会',
      start: '2026-09-25 15:00 +0800',
      place: '三楼会议室',
      present: ids(['李书记', '王纪检', '张组织', '赵党员', '吴预备', '郑预备']),
      leave: ids(['钱党员']),
      absent: [],
      minutes: '会议讨论了发展党员工作。',
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
      const created = await publishSession(h, form, zhou, {
        kind: 'central_group',
        title,
        start: '2026-12-15 09:00 +0800',
        place: '',
        attendees: [],
      });
      await talk.drained(h);
      const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
      const names = await h.db.db
        .selectFrom('session_attendees')
        .select('name')
        .where('session_id', '=', id)
        .orderBy('name')
        .execute();
      // The notice posted in the group (the form only says where it went).
      const notice = await talk.postedCard(h, upper.chatId, `中心组学习：${title}`);
      return { names: names.map((r) => r.name), card: cardText(notice.content) };
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
      value: button(preview, '确认导入 2 行').value,
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
