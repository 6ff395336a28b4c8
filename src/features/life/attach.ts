/**
 * A file sent to the bot privately, offered as the sender's 对照检查材料 while their org's 组织生活会 /
 * 民主生活会 pipeline is open (a material is often a Word file, not a link). The choice is `l:<pipeline>`;
 * commands/import.ts hands it to service.ts `attachMaterialFile`, which checks it all again (a forged
 * choice names a pipeline the sender does not belong to).
 */
import type { AttachTargets } from '../../core/contracts.ts';
import { findMember, roleOf } from '../../db/repositories/members.ts';
import { KIND_LABELS } from './pipeline-rules.ts';
import { latestPipeline } from './repository.ts';
import { kindOf } from './service.ts';

export const lifeAttachTargets: AttachTargets = async (ctx, org) => {
  const p = await latestPipeline(ctx.db, org.id, kindOf(org));
  if (p?.status !== 'open') return [];
  const me = await findMember(ctx.db, org.id, ctx.actor.openId);
  if (!me || roleOf(me) === 'observer') return [];
  return [{ text: `对照检查材料（${p.year}年度${KIND_LABELS[p.kind]}）`, value: `l:${p.id}` }];
};
