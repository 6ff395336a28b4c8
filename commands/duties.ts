/**
 * /duties (/清单): the year's 主体责任清单 — every item with its category, cadence, leader and owners,
 * and where an item came from or went (下发). Verbs (issue 15 item 4): 下发 an item to lower orgs,
 * 下发情况 (the upper org's view of each lower org's status and evidence), 指派 (name an item's owners).
 */

import { argSchema } from '../src/core/args.ts';
import { defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { assignItemOwners, issueActions, issueItem, issueStatusAnswer } from '../src/features/duties/issue.ts';
import { issueTags } from '../src/features/duties/issue-tags.ts';
import { CADENCE_LABELS } from '../src/features/duties/model.ts';
import { listDutyItems, listOwners } from '../src/features/duties/repository.ts';
import { buildDutyListCard } from '../src/features/duties/task-card.ts';

const seqArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('清单序号').replace(/^第|项$/g, '');
  return /^\d{1,6}$/.test(w) ? Number(w) : r.fail(`“${w}”不是清单序号，应为数字（/清单 中每项前的序号）。`);
};

const ISSUE_USAGE = ['/清单 下发 3 全部', '/清单 下发 3 第一党支部 第二党支部'];

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
    const tags = await issueTags(ctx.db, items, ctx.today);
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
        origin: tags.get(i.id),
      });
    }
    return { type: 'card', card: buildDutyListCard({ title: `${org.name} ${y}年主体责任清单`, items: rows }) };
  },
  subcommands: [
    defineSubcommand({
      name: 'issue',
      aliases: ['下发'],
      summary: '把本组织清单中的一项下发给全部或指定的下级组织',
      usage: ISSUE_USAGE,
      args: argSchema((r) => {
        const seq = seqArg(r);
        const words: string[] = [];
        for (let w = r.optionalWord(); w !== undefined; w = r.optionalWord()) words.push(w);
        return { seq, words };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      handle: (ctx, a) => issueItem(ctx, a.seq, a.words, ISSUE_USAGE.join('\n')),
    }),
    defineSubcommand({
      name: 'issued',
      aliases: ['下发情况'],
      summary: '查看一项下发任务在各下级组织的落实情况和佐证材料',
      usage: ['/清单 下发情况 3'],
      args: argSchema((r) => seqArg(r)),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      // In a group the card goes privately to the admin who asked (each 支部's owners and evidence).
      handle: (ctx, seq) => issueStatusAnswer(ctx, seq),
    }),
    defineSubcommand({
      name: 'assign',
      aliases: ['指派', '负责人', '责任人'],
      summary: '为清单中的一项指定责任人（可同时 @ 多人）',
      usage: ['/清单 指派 3 @张三 @李四'],
      args: argSchema((r) => {
        const seq = seqArg(r);
        const people = [r.mention('责任人')];
        while (r.peek()?.kind === 'mention') people.push(r.mention('责任人'));
        return { seq, people };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      handle: (ctx, a) => assignItemOwners(ctx, a.seq, a.people),
    }),
  ],
  actions: issueActions,
});
