/**
 * 应到 follows the register until 签到 opens (issue 15 item 2): when a member's entry changes (转正,
 * 不计应到, a 支委 post, a 党小组) or they leave the org, every session of the org whose 签到 has not
 * opened yet is seated again as a meeting published now would be (attendance-rules.ts `replanSeats`),
 * in the caller's transaction, and its cards are redrawn. A session in its 签到 window, settled or with
 * its minutes is a record: it keeps the seats it had.
 */
import type { BaseContext } from '../../core/contracts.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { findOrgById, orgSettings } from '../../db/repositories/orgs.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Session } from '../../db/schema.ts';
import { replanSeats } from './attendance-rules.ts';
import { type AttendanceWindows, attendancePhase, attendanceWindowsOf } from './model.ts';
import { refreshSessionCards } from './refresh.ts';
import {
  addAttendees,
  listAttendees,
  listSessions,
  removeAttendees,
  setAttendeeSeat,
  updateSession,
} from './repository.ts';

/** Not yet open for 签到: scheduled, no minutes, before its window (model.ts `attendancePhase`). */
const notOpen = (s: Session, now: Date, windows: AttendanceWindows) =>
  s.status === 'scheduled' && s.minutes_at === null && attendancePhase(s, now, windows) === 'before';

/**
 * Seats the org's sessions whose 签到 has not opened as the register says now, after `openId`'s entry
 * changed or they left (named in the history). Returns how many sessions changed.
 */
export async function reseatMember(ctx: BaseContext, orgId: number, openId: string): Promise<number> {
  const org = await findOrgById(ctx.db, orgId);
  if (!org) return 0;
  const windows = attendanceWindowsOf(orgSettings(org));
  const upcoming = (await listSessions(ctx.db, orgId, { from: ctx.now.toISOString() })).filter((s) =>
    notOpen(s, ctx.now, windows),
  );
  if (upcoming.length === 0) return 0;
  const members = await listMembers(ctx.db, orgId);
  let changed = 0;
  for (const found of upcoming) {
    // Decided on the session as committed now, and its version bumped: a click on a card drawn before
    // this change answers with the new one (versioned.ts).
    const s = await lockRow(ctx.db, 'sessions', found.id);
    if (!s || !notOpen(s, ctx.now, windows)) continue;
    const rows = await listAttendees(ctx.db, s.id);
    const r = replanSeats(
      s.kind,
      members,
      rows.map((a) => ({ openId: a.open_id, voting: a.voting === 1, seat: a.seat })),
      { partyGroup: s.party_group, level: org.level },
    );
    if (r.add.length + r.remove.length + r.change.length === 0) continue;
    await removeAttendees(ctx.db, s.id, r.remove);
    await addAttendees(ctx.db, s.id, r.add);
    for (const a of r.change) await setAttendeeSeat(ctx.db, s.id, a.openId, { voting: a.voting, seat: a.seat });
    await ctx.audit({
      action: 'session:reseat',
      subject: `session:${s.id}`,
      before: { for: openId, attendees: rows.length },
      after: {
        added: r.add.map((a) => a.openId),
        removed: r.remove,
        reseated: r.change.map((a) => ({ openId: a.openId, voting: a.voting, seat: a.seat })),
      },
    });
    await refreshSessionCards(ctx, await updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() }));
    changed++;
  }
  return changed;
}
