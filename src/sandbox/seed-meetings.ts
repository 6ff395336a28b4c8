/**
 * Demo meetings and study for the sandbox: a 全面从严治党专题会议 coming up (with its agenda and a
 * few answers), a 中心组学习 in two days, last month's 党员大会 held with minutes, and no 支委会 this
 * month — which the compliance calendar flags.
 */
import { addDays, zonedInstant } from '../domain/time.ts';
import { SPECIAL_AGENDA } from '../features/meetings/model.ts';
import { ensureRules } from '../features/meetings/repository.ts';
import * as meetings from '../features/meetings/service.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

export async function seedMeetings(d: SeedDeps): Promise<void> {
  await ensureRules(d.db, d.org.id, d.now.toISOString());
  await seedInTransaction(d, async ({ today, members, by, withRole, as }) => {
    const secretary = withRole('secretary');
    const organizer = withRole('organizer');

    const special = await meetings.publishSession(as(secretary), {
      category: 'meeting',
      kind: 'special',
      title: `${today.slice(0, 4)}年下半年全面从严治党专题会议`,
      startAt: zonedInstant(d.calendar.addWorkdays(today, 5), '15:00', d.timezone),
      place: '三楼党员活动室',
      agenda: SPECIAL_AGENDA,
      attendees: [],
      reflectionDays: 5,
    });
    // 签到 opens only 30 minutes before the start (model.ts ATTENDANCE_WINDOWS): ahead of it, one asks leave.
    await meetings.askLeave(as(by('赵敏')), special, '参加市里业务培训');

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

    const heldAt = zonedInstant(addDays(today, -30), '14:30', d.timezone);
    const held = await meetings.publishSession(as(secretary, heldAt), {
      category: 'meeting',
      kind: 'general',
      title: '支部党员大会：审议发展对象',
      startAt: heldAt,
      place: '三楼会议室',
      agenda: '一、审议发展对象材料\n二、通报三季度党费收缴情况',
      attendees: [],
      reflectionDays: 5,
      notice: false,
    });
    for (const m of members.filter((x) => x.name !== '吴刚')) await meetings.signIn(as(m, heldAt), held);
    await meetings.recordMinutes(
      as(secretary, new Date(heldAt.getTime() + 3 * 3600_000)),
      held,
      '会议审议了 2 名发展对象的材料，同意列为发展对象。\n决定：由组织委员负责在 12 月底前完成政审材料补充。',
    );
  });
}
