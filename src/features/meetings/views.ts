/** Views shared by /会议 and /学习: the new-session form and the year's list. */

import type { CommandContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { formatLocal, zonedInstant } from '../../domain/time.ts';
import { kindLabel, MEETING_KIND_LABELS, parseSessionKind, SPECIAL_AGENDA, STUDY_KIND_LABELS } from './model.ts';
import { listSessions } from './repository.ts';
import { buildSessionListCard, buildSessionNewCard } from './session-card.ts';

export function newSessionCard(
  ctx: CommandContext<'required'>,
  category: 'meeting' | 'study',
  kindWord: string | undefined,
  memberOpenIds: string[],
) {
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
  });
}

export async function sessionList(
  ctx: CommandContext<'required'>,
  category: 'meeting' | 'study',
  year: number | undefined,
) {
  const org = ctx.org;
  const tz = ctx.settings.timezone;
  const y = year ?? Number(ctx.today.slice(0, 4));
  const rows = await listSessions(ctx.db, org.id, {
    category,
    from: zonedInstant(`${y}-01-01`, '00:00', tz).toISOString(),
    to: zonedInstant(`${y + 1}-01-01`, '00:00', tz).toISOString(),
    withCancelled: true,
  });
  return buildSessionListCard({
    title: `${org.name} ${y}年${category === 'study' ? '学习' : '会议'}`,
    more: `${category === 'study' ? '/学习' : '/会议'} 导出 ${y}`,
    rows: rows.map((s) => ({
      id: s.id,
      kind: kindLabel(s.kind),
      title: s.title,
      when: formatLocal(new Date(s.start_at), tz),
      status:
        s.status === 'cancelled'
          ? '已取消'
          : Date.parse(s.start_at) <= ctx.now.getTime()
            ? s.minutes
              ? '已召开（有纪要）'
              : '已召开'
            : '待召开',
    })),
  });
}
