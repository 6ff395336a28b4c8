/** /duties (/清单): the year's 主体责任清单 — every item with its category, cadence, leader and owners. */

import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { CADENCE_LABELS } from '../src/features/duties/model.ts';
import { listDutyItems, listOwners } from '../src/features/duties/repository.ts';
import { buildDutyListCard } from '../src/features/duties/task-card.ts';

export default defineCommand({
  name: 'duties',
  aliases: ['清单', '责任清单', '主体责任清单'],
  summary: '查看本年度主体责任清单',
  usage: ['/清单', '/清单 2026'],
  args: argSchema((r) => {
    const y = r.optionalWord();
    if (y !== undefined && !/^20\d\d$/.test(y)) r.fail(`“${y}”不是年份，例如 2026。`);
    return y ? Number(y) : undefined;
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  async handle(ctx, year) {
    const org = ctx.org;
    const y = year ?? Number(ctx.today.slice(0, 4));
    const items = await listDutyItems(ctx.db, org.id, y);
    const rows = [];
    for (const i of items) {
      rows.push({
        seq: i.seq,
        category: i.category,
        content: i.content,
        leader: i.leader,
        owners: (await listOwners(ctx.db, i.id)).map((o) => o.name),
        cadence: CADENCE_LABELS[i.cadence],
        evidence: i.evidence,
      });
    }
    return { type: 'card', card: buildDutyListCard({ title: `${org.name} ${y}年主体责任清单`, items: rows }) };
  },
});
