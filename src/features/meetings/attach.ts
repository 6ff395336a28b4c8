/** A file sent to the bot privately, offered as minutes, photos or a sign-in sheet for a recent session. */
import type { AttachTargets } from '../../core/contracts.ts';
import { isAdminRole } from '../../core/roles.ts';
import { kindLabel, titleNamesKind } from './model.ts';
import { listSessions } from './repository.ts';

/**
 * Sessions held in the last 30 days that the sender organised (or, as an admin, any); at most the
 * latest 30, so the form stays within Feishu's limits.
 */
export const sessionAttachTargets: AttachTargets = async (ctx, org) => {
  const since = new Date(ctx.now.getTime() - 30 * 86_400_000).toISOString();
  const sessions = (await listSessions(ctx.db, org.id, { from: since, to: ctx.now.toISOString() }))
    .filter((s) => s.organiser_open_id === ctx.actor.openId || isAdminRole(ctx.actor.role))
    .slice(-30);
  return sessions.map((s) => ({
    text: `${titleNamesKind(s.kind, s.title) ? '' : `${kindLabel(s.kind)} `}#${s.id} ${s.title.slice(0, 20)}（纪要/照片/签到表）`,
    value: `s:${s.id}`,
  }));
};
