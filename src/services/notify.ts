/** Messages to an org's admins (书记、副书记、纪检委员、组织委员), privately, each at most once per key. */
import type { BaseContext } from '../core/contracts.ts';
import type { Outgoing } from '../core/message.ts';
import { listAdmins } from '../db/repositories/members.ts';

export async function notifyAdmins(
  ctx: Pick<BaseContext, 'db' | 'outbox'>,
  orgId: number,
  message: Outgoing,
  o: { key: string; except?: string },
): Promise<number> {
  let n = 0;
  for (const admin of await listAdmins(ctx.db, orgId)) {
    if (admin.open_id === o.except) continue;
    await ctx.outbox.send({ openId: admin.open_id }, message, { orgId, key: `${o.key}:${admin.open_id}` });
    n++;
  }
  return n;
}
