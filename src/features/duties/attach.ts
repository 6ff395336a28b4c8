/**
 * A file sent to the bot privately, offered as evidence (佐证材料) for the sender's open tasks (issue
 * 13 item 3): a file counts for 已完成 like a link or a text. Not offered for a task whose item names
 * a meeting to hold and requires evidence: only the held meeting evidences it (linked.ts), and its
 * minutes and photos go to the meeting itself.
 */
import type { AttachTargets } from '../../core/contracts.ts';
import { linkedKindOf } from './linked.ts';
import { listTasks } from './repository.ts';

/**
 * At most 20 tasks (the sender's, soonest due first): with 30 rectification items and the recent
 * sessions the form keeps within its 60 options (ATTACH_OPTIONS_MAX) and Feishu's limits.
 */
export const taskAttachTargets: AttachTargets = async (ctx, org) => {
  const { rows } = await listTasks(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
  return rows
    .filter((t) => !(t.evidence.trim() && linkedKindOf(t)))
    .slice(0, 20)
    .map((t) => ({ text: `任务 #${t.id} ${t.content.slice(0, 26)}`, value: `t:${t.id}` }));
};
