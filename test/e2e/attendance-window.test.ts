/**
 * Attendance in its window end to end (issue 13 item 1): 签到 eight days before a 支委会 is refused naming the
 * window, taken from 30 minutes before the start, refused from 3 hours after (and seven weeks later); 请假 is
 * taken until the start and refused after it; once the window has closed the card counts 缺席 instead of 未回复,
 * and the 三会一课记录簿 counts those who neither signed in nor asked leave as 缺席; an admin's 补正 with a reason
 * changes one person's attendance after the window, is kept in the history and shown as 补正 on both.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
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

/** The live counts line of a session card: 未回复 while 签到 is open, 缺席 once it has closed. */
function countsLine(m: EmuMessage): string {
  const line = cardText(m.content)
    .split('\n')
    .find((l) => l.startsWith('**应到**'));
  if (!line) throw new Error(`no counts in ${m.content.slice(0, 300)}`);
  return line.replaceAll('**', '').replaceAll('　', ' ');
}

describe('attendance in its window', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('refuses 签到 before and after its window and 请假 after the start; counts 缺席 once the window has closed; an admin’s 补正 after it', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-02', '10:00')); // eight days before the 支委会
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员'] });
    const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    const group = w.chat.chatId;
    const say = (from: EmuUser, text: string) => talk.say(h, group, from, text);

    const formCard = await say(w.secretary, '/会议 新建 支委会');
    const before = h.emu.botMessages(group).length;
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '发布通知'),
      name: 'submit_session',
      formValue: { kind: 'committee', title: '12月支委会', start: '2026-12-10 15:00 +0800', place: '三楼会议室' },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const notice = await talk.postedCard(h, group, '支委会：12月支委会', before);
    await talk.drained(h);
    const current = () => h.emu.requireMessage(notice.messageId);
    const sign = async (u: EmuUser) =>
      (await h.emu.click({ messageId: notice.messageId, from: u.openId, value: button(current(), '签到') })).toast;
    const askLeave = async (u: EmuUser, reason: string) => {
      const form = await talk.openForm(h, current(), u, '请假');
      const r = await h.emu.click({
        messageId: form.messageId,
        from: u.openId,
        value: button(h.emu.requireMessage(form.messageId), '提交请假'),
        name: 'submit_leave',
        formValue: { reason },
      });
      return r.toast;
    };
    const status = async (u: EmuUser) =>
      (
        await h.db.db
          .selectFrom('session_attendees')
          .select('status')
          .where('session_id', '=', id)
          .where('open_id', '=', u.openId)
          .executeTakeFirstOrThrow()
      ).status;

    // Eight days early: refused, naming the window; nothing stored.
    expect(await sign(zhao)).toEqual({ type: 'error', content: '签到尚未开始。签到时间为 12月10日 14:30 至 18:00。' });
    expect(await status(zhao)).toBe('invited');
    // 请假 is taken before the start.
    expect(await askLeave(qian, '参加上级党委集中培训')).toEqual({ type: 'success', content: '已请假' });

    // One second before the window: refused; at its opening and within it: taken.
    clock.set(new Date(bj('2026-12-10', '14:30').getTime() - 1000));
    expect((await sign(w.secretary))?.type).toBe('error');
    clock.set(bj('2026-12-10', '14:30'));
    expect(await sign(w.secretary)).toEqual({ type: 'success', content: '已签到' });
    clock.set(bj('2026-12-10', '14:45'));
    expect(await sign(inspector)).toEqual({ type: 'success', content: '已签到' });

    // After the start 请假 is refused.
    clock.set(bj('2026-12-10', '15:10'));
    expect(await askLeave(sun, '临时有事')).toEqual({
      type: 'error',
      content: '活动已开始，不能再请假（请假须在 12月10日 15:00 开始前提出）。',
    });
    expect(await status(sun)).toBe('invited');
    clock.set(bj('2026-12-10', '17:59'));
    expect(await sign(organizer)).toEqual({ type: 'success', content: '已签到' });
    await talk.drained(h);
    expect(countsLine(current())).toBe('应到 6 人 已签到 3 人 请假 1 人 未回复 2 人');

    /** The meeting's row of the 三会一课记录簿 exported now, by column name. */
    const ledgerRow = async () => {
      const sent = h.emu.botMessages(group).length;
      expect(messageText(await say(w.secretary, '/会议 导出 2026'))).toContain('已导出 1 次会议');
      const file = await h.emu.waitFor(
        () =>
          h.emu
            .botMessages(group)
            .slice(sent)
            .find((m) => m.msgType === 'file'),
        { what: 'the exported file' },
      );
      const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
      const ws = wb.worksheets[0] as ExcelJS.Worksheet;
      const header = Array.from({ length: 11 }, (_x, i) => ws.getRow(2).getCell(i + 1).value);
      const row = Array.from({ length: 11 }, (_x, i) => ws.getRow(3).getCell(i + 1).value);
      return (name: string) => row[header.indexOf(name)];
    };

    // The window closes 3 hours after the start: late 签到 is refused, then and seven weeks on.
    clock.set(bj('2026-12-10', '18:00'));
    const late = { type: 'error', content: '签到已结束。签到时间为 12月10日 14:30 至 18:00。' };
    expect(await sign(sun)).toEqual(late);
    clock.set(bj('2027-01-28', '15:00'));
    expect(await sign(zhao)).toEqual(late);
    expect(await status(zhao)).toBe('invited');

    // The card now counts 缺席 (赵 and 孙: neither signed in nor asked leave).
    clock.set(bj('2026-12-11', '10:00'));
    const posted = h.emu.botMessages(group).length;
    await h.emu.sendText({ chatId: group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
    const shown = await talk.postedCard(h, group, '支委会：12月支委会', posted);
    expect(countsLine(shown)).toBe('应到 6 人 已签到 3 人 请假 1 人 缺席 2 人');

    // … and so does the 三会一课记录簿.
    let col = await ledgerRow();
    expect([col('应到'), col('实到'), col('请假'), col('缺席'), col('补正')]).toEqual([6, 3, 1, 2, null]);

    // An admin's 补正 with a reason: 孙 did attend (the paper sheet shows it). A plain member may not.
    expect(messageText(await say(zhao, `/会议 补正 ${id} @{${sun.openId}} 签到 现场签到表为证`))).toContain('需要');
    expect(messageText(await say(w.secretary, `/会议 补正 ${id} @{${sun.openId}} 签到 现场签到表为证`))).toBe(
      '已将孙党员在“12月支委会”的出勤补正为签到。',
    );
    expect(await status(sun)).toBe('signed');
    const history = await h.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'session:correct').execute();
    expect(history).toHaveLength(1);
    await h.emu.waitFor(() => countsLine(current()).startsWith('应到 6 人 已签到 4 人 请假 1 人 缺席 1 人'), {
      what: 'notice with the 补正',
    });
    expect(cardText(current().content)).toContain('孙党员 补正为签到（现场签到表为证）');
    col = await ledgerRow();
    expect([col('实到'), col('缺席'), col('补正')]).toEqual([4, 1, '孙党员 补正为签到（现场签到表为证）']);
  });
});
