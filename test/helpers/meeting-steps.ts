/**
 * Steps on a meeting in a bound group, as its people take them: publishing a `/会议 新建` (or
 * `/学习 新建`) form and saving a `/会议 补录` form, drawing a meeting's card now (`/会议 查看`),
 * everyone named signing in on it, and reading back the 三会一课记录簿 (`/会议 导出`) by header.
 */
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, seedBranch } from './bot.ts';
import { button } from './cards.ts';
import * as talk from './converse.ts';

/** The group's chat id and its secretary, who asks for the card and the export. */
export interface MeetingGroup {
  group: string;
  secretary: EmuUser;
}

/**
 * A bound 支部 with its 书记 and five members, two of them given roles: 王纪检 the 纪检委员, 张组织 the
 * 组织委员; 赵党员, 钱党员 and 孙党员 plain members.
 */
export async function meetingBranch(h: BotHarness) {
  const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员'] });
  const [inspector, organizer, zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
  const group = w.chat.chatId;
  await talk.say(h, group, w.secretary, `/角色 @{${inspector.openId}} 纪检委员`);
  await talk.say(h, group, w.secretary, `/角色 @{${organizer.openId}} 组织委员`);
  return { ...w, group, inspector, organizer, zhao, qian, sun, everyone: [w.secretary, ...w.members] };
}

/** The meeting's card drawn now (`/会议 查看`), titled `title`. */
export async function showMeeting(h: BotHarness, w: MeetingGroup, id: number, title: string): Promise<EmuMessage> {
  const before = h.emu.botMessages(w.group).length;
  await h.emu.sendText({ chatId: w.group, from: w.secretary.openId, text: `/会议 查看 ${id}`, mentionBot: true });
  return talk.postedCard(h, w.group, title, before);
}

/** Each of `names` presses 签到 on the card drawn now, and is told 已签到; then the outbox drains. */
export async function signInAll(
  h: BotHarness,
  w: MeetingGroup & { by(name: string): EmuUser },
  id: number,
  title: string,
  names: string[],
): Promise<void> {
  const card = await showMeeting(h, w, id, title);
  for (const n of names) {
    const got = await h.emu.click({
      messageId: card.messageId,
      from: w.by(n).openId,
      value: button(card, '签到').value,
    });
    expect(got.toast, n).toMatchObject({ type: 'success', content: '已签到' });
  }
  await talk.drained(h);
}

/** The 三会一课记录簿 of 2026 exported now: its rows (from the third), each by the header of row 2. */
export async function exportLedger(h: BotHarness, w: MeetingGroup): Promise<Record<string, unknown>[]> {
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

/** Presses the form's button `text` (which submits as `name`) as `from`, the form filled with `formValue`. */
function submitForm(
  h: BotHarness,
  form: EmuMessage,
  from: EmuUser,
  text: string,
  name: string,
  formValue: Record<string, unknown>,
) {
  return h.emu.click({
    messageId: form.messageId,
    from: from.openId,
    value: button(form, text).value,
    name,
    formValue,
  });
}

/** Presses 发布通知 on a `/会议 新建` or `/学习 新建` form as `from`, the form filled with `formValue`. */
export const publishSession = (h: BotHarness, form: EmuMessage, from: EmuUser, formValue: Record<string, unknown>) =>
  submitForm(h, form, from, '发布通知', 'submit_session', formValue);

/** Presses 保存补录 on a `/会议 补录` form as `from`, the form filled with `formValue`. */
export const saveBackfill = (h: BotHarness, form: EmuMessage, from: EmuUser, formValue: Record<string, unknown>) =>
  submitForm(h, form, from, '保存补录', 'submit_backfill', formValue);
