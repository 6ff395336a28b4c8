/**
 * Demo meetings and study for the sandbox, each a true record (docs/domain.md "Attendance"):
 * - a 支部党员大会 held about a month ago — published a week before, 吴刚 on leave asked
 *   before it, eight members signed in within the 签到 window, 郑丽 added by the 书记's 补正 (with a
 *   reason) after the window closed, the minutes recorded the next working day; its card is posted in
 *   the group as it stands now (已召开: settled, attended, quorate);
 * - a 全面从严治党专题会议 scheduled a week ahead, its notice in the group with a 请假 answered on it;
 * - a 中心组学习 in two days;
 * - and no 支委会 this month — which the compliance calendar flags.
 * All relative to the sandbox's clock (`d.now`).
 */
import { listOrgChats } from '../db/repositories/orgs.ts';
import { addDays, zonedInstant } from '../domain/time.ts';
import { SPECIAL_AGENDA } from '../features/meetings/model.ts';
import { ensureRules } from '../features/meetings/repository.ts';
import * as meetings from '../features/meetings/service.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

const MINUTE = 60_000;

/** The demo's held meeting: the 党员大会 about a month before the sandbox's `now`. */
export const DEMO_HELD_TITLE = '支部党员大会：审议发展对象';
/** Who signed the paper sheet but not on the card, added by the 书记's 补正 after the window, and why. */
export const DEMO_CORRECTED = { name: '郑丽', reason: '签到时手机无网络未能在线签到，现场纸质签到表有本人签名' };
/** Who asked leave before the held meeting. */
export const DEMO_HELD_LEAVE = { name: '吴刚', reason: '赴区委党校参加集中轮训' };

/** The title of the demo's scheduled 专题会议 starting on local date `day` ("2026年下半年…"). */
export function demoSpecialTitle(day: string): string {
  return `${day.slice(0, 4)}年${Number(day.slice(5, 7)) <= 6 ? '上' : '下'}半年全面从严治党专题会议`;
}

export async function seedMeetings(d: SeedDeps): Promise<void> {
  await ensureRules(d.db, d.org.id, d.now.toISOString());
  await seedInTransaction(d, async ({ trx, today, members, by, withRole, as }) => {
    const secretary = withRole('secretary');
    const organizer = withRole('organizer');
    const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MINUTE);

    // Scheduled: the notice is in the group; 签到 opens only shortly before the start (model.ts
    // ATTENDANCE_WINDOWS), so ahead of it one answers by asking leave — and the card, redrawn as after
    // a click, shows it.
    const specialDay = d.calendar.addWorkdays(today, 5);
    const special = await meetings.publishSession(as(secretary), {
      category: 'meeting',
      kind: 'special',
      title: demoSpecialTitle(specialDay),
      startAt: zonedInstant(specialDay, '15:00', d.timezone),
      place: '三楼党员活动室',
      agenda: SPECIAL_AGENDA,
      attendees: [],
      reflectionDays: 5,
    });
    const zhao = as(by('赵敏'));
    await meetings.refreshSessionCards(zhao, await meetings.askLeave(zhao, special, '参加市里业务培训'));

    await meetings.publishSession(as(organizer), {
      category: 'study',
      kind: 'central_group',
      title: '学习《中国共产党纪律处分条例》',
      startAt: zonedInstant(d.calendar.addWorkdays(today, 2), '09:30', d.timezone),
      place: '线上会议',
      agenda: '第二编 分则：违反政治纪律、廉洁纪律行为的处分规定',
      attendees: [],
      reflectionDays: 5,
    });

    // Held: on a working day about a month ago, every step at its own time in the past.
    const heldDay = d.calendar.onOrBefore(addDays(today, -30));
    const heldAt = zonedInstant(heldDay, '14:30', d.timezone);
    let held = await meetings.publishSession(
      as(secretary, zonedInstant(d.calendar.addWorkdays(heldDay, -5), '10:00', d.timezone)),
      {
        category: 'meeting',
        kind: 'general',
        title: DEMO_HELD_TITLE,
        startAt: heldAt,
        place: '三楼会议室',
        agenda: '一、审议发展对象材料\n二、通报上季度党费收缴情况',
        attendees: [],
        reflectionDays: 5,
        // Its notice would have gone out a week before; its card is posted below, as it stands now.
        notice: false,
      },
    );
    held = await meetings.askLeave(
      as(by(DEMO_HELD_LEAVE.name), zonedInstant(d.calendar.addWorkdays(heldDay, -2), '16:20', d.timezone)),
      held,
      DEMO_HELD_LEAVE.reason,
    );
    const present = members.filter((m) => m.name !== DEMO_HELD_LEAVE.name && m.name !== DEMO_CORRECTED.name);
    // Within the window: from 20 minutes before the start, a minute apart.
    for (const [i, m] of present.entries()) held = await meetings.signIn(as(m, at(heldAt, -20 + i)), held);
    // After the window closed (3 hours after the start), the 书记 adds the member who signed on paper.
    const corrected = by(DEMO_CORRECTED.name);
    held = await meetings.correctAttendance(
      as(secretary, at(heldAt, 200)),
      held,
      { openId: corrected.open_id, name: corrected.name },
      'signed',
      DEMO_CORRECTED.reason,
    );
    const minutesDay = d.calendar.addWorkdays(heldDay, 1);
    const minutesAt = zonedInstant(minutesDay, '10:00', d.timezone);
    if (minutesAt.getTime() > d.now.getTime()) throw new Error('the held meeting must be in the past');
    held = await meetings.recordMinutes(
      as(secretary, minutesAt),
      held,
      `应到 ${present.length + 2} 人，实到 ${present.length + 1} 人（${DEMO_HELD_LEAVE.name}请假）。\n会议审议了 2 名发展对象的材料，同意列为发展对象。\n决定：由组织委员负责在 ${heldDay.slice(0, 4)} 年底前完成政审材料补充。`,
    );
    // The card as `/会议 查看` would post it today: the counts, the 补正 and the minutes the data has.
    const chat = (await listOrgChats(trx, d.org.id))[0];
    if (chat) await meetings.postSessionCard(as(secretary), held, { chatId: chat.chatId });
  });
}
