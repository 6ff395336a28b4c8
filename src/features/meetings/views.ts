/** What /会议 and /学习 share: the year argument, the new-session form, the year's list and its export. */

import { argSchema } from '../../core/args.ts';
import type { CommandContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Outgoing } from '../../core/message.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { formatLocal, zonedInstant } from '../../domain/time.ts';
import type { LedgerFile } from '../../ledger/export-kit.ts';
import { answerWithFile } from '../../services/file-answer.ts';
import { partyGroupsOf } from './attendance-rules.ts';
import { recordsOf } from './calendar.ts';
import { exportMeetings, exportStudy } from './export.ts';
import { recordStatusLabel } from './held.ts';
import {
  kindLabel,
  MEETING_KIND_LABELS,
  parseSessionKind,
  SPECIAL_AGENDA,
  STUDY_KIND_LABELS,
  sessionHeading,
} from './model.ts';
import { listSessions } from './repository.ts';
import { buildSessionListCard, buildSessionNewCard } from './session-card.ts';

type Category = 'meeting' | 'study';

/** An optional year (`2026`); without it the handlers use this year. */
export const yearArg = argSchema((r) => {
  const y = r.optionalWord();
  if (y !== undefined && !/^20\d\d$/.test(y)) r.fail(`“${y}”不是年份。`);
  return y ? Number(y) : undefined;
});

const yearOrThis = (ctx: CommandContext<'required'>, year: number | undefined) => year ?? Number(ctx.today.slice(0, 4));

/** The form behind `新建`, with the org's members to pick attendees from. */
export async function newSessionCard(
  ctx: CommandContext<'required'>,
  category: Category,
  kindWord: string | undefined,
  /** The start to fill in, `YYYY-MM-DD HH:mm` in the configured timezone. */
  start?: string,
) {
  const members = await listMembers(ctx.db, ctx.org.id);
  const memberOpenIds = members.map((m) => m.open_id);
  const labels: Record<string, string> = category === 'study' ? STUDY_KIND_LABELS : MEETING_KIND_LABELS;
  const kind = kindWord ? parseSessionKind(kindWord) : undefined;
  if (kindWord && (!kind || !(kind in labels))) {
    throw new UserError('bad_args', `不认识的类型“${kindWord}”。可用：${Object.values(labels).join('、')}。`);
  }
  const initial = kind ?? Object.keys(labels)[0] ?? 'special';
  return buildSessionNewCard({
    orgId: ctx.org.id,
    category,
    kinds: Object.entries(labels).map(([value, t]) => ({ value, text: t })),
    initialKind: initial,
    memberOpenIds,
    agenda: initial === 'special' ? SPECIAL_AGENDA : '',
    ...(start ? { start } : {}),
    // A 党小组会 is for one 小组 of the register (attendance-rules.ts).
    ...(category === 'meeting' ? { groups: partyGroupsOf(members) } : {}),
  });
}

export async function sessionList(ctx: CommandContext<'required'>, category: Category, year: number | undefined) {
  const org = ctx.org;
  const tz = ctx.settings.timezone;
  const y = yearOrThis(ctx, year);
  const rows = await listSessions(ctx.db, org.id, {
    category,
    from: zonedInstant(`${y}-01-01`, '00:00', tz).toISOString(),
    to: zonedInstant(`${y + 1}-01-01`, '00:00', tz).toISOString(),
    withCancelled: true,
  });
  return buildSessionListCard({
    orgId: org.id,
    title: `${org.name} ${y}年${category === 'study' ? '学习' : '会议'}`,
    more: `${category === 'study' ? '/学习' : '/会议'} 导出 ${y}`,
    rows: (await recordsOf(ctx.db, rows, ctx.now, tz, ctx.calendar)).map(({ session: s, record }) => ({
      id: s.id,
      kind: kindLabel(s.kind),
      title: s.title,
      heading: sessionHeading(s.kind, s.title),
      when: formatLocal(new Date(s.start_at), tz),
      // held.ts: 已召开 only once held (time passed, attendance recorded, quorate); 纪要待补, 补录 marked.
      status: recordStatusLabel(record, s.kind),
    })),
  });
}

/**
 * `导出`: the year's 三会一课记录簿 or 学习考勤, announced by `announce(file)` and then sent to this
 * chat as a file (in that order), and audited.
 */
export async function sendSessionLedger(
  ctx: CommandContext<'required'>,
  category: Category,
  year: number | undefined,
  announce: (file: LedgerFile) => Outgoing,
): Promise<undefined> {
  const org = ctx.org;
  const o = { org, year: yearOrThis(ctx, year), now: ctx.now, timezone: ctx.settings.timezone, calendar: ctx.calendar };
  const file = category === 'study' ? await exportStudy(ctx.db, o) : await exportMeetings(ctx.db, o);
  await ctx.audit({ action: `${category}:export`, subject: `org:${org.id}`, after: { count: file.count } });
  return answerWithFile(ctx, {
    answer: announce(file),
    file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
  });
}
