/**
 * /report (/报告): the year's 全面从严治党主体责任落实情况报告, compiled from the records — the summary card
 * with a chart, then the editable Word file with the 附表 behind every figure. Admins only.
 */

import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { yearProblem } from '../src/features/report/rules.ts';
import { sendYearReport } from '../src/features/report/service.ts';

const USAGE = ['/报告 2026', '/报告'];

export default defineCommand({
  name: 'report',
  aliases: ['报告', '年度报告', '主体责任报告'],
  summary: '生成年度全面从严治党主体责任落实情况报告（摘要卡片和 Word 文件）',
  usage: USAGE,
  args: argSchema((r) => {
    const year = r.optionalWord();
    if (r.remaining > 0) r.fail('只需要一个年份，例如 /报告 2026。');
    return year;
  }),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle(ctx, year) {
    const text = year ?? ctx.today.slice(0, 4);
    const problem = yearProblem(text, ctx.today);
    if (problem) throw new UserError('bad_args', problem, USAGE.map((u) => `用法：${u}`).join('\n'));
    await sendYearReport(ctx, Number(text));
    return undefined;
  },
});
