/** A file sent to the bot privately, offered as evidence (佐证材料) for the sender's open items. */
import type { AttachTargets } from '../../core/contracts.ts';
import { ownerMayWork } from './model.ts';
import { listRectifications } from './repository.ts';

/** At most 30 items (the sender's, soonest deadline first), so the form stays within Feishu's limits. */
export const rectificationAttachTargets: AttachTargets = async (ctx, org) => {
  const { items } = await listRectifications(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
  return items
    .filter((i) => ownerMayWork(i.status))
    .slice(0, 30)
    .map((i) => ({ text: `整改 #${i.id} ${i.problem.slice(0, 26)}`, value: `r:${i.id}` }));
};
