/** `report 年份 --org 组织 --out 文件.docx`: the year's 主体责任落实情况报告 as a Word file, from the records. */

import { writeFileSync } from 'node:fs';
import { systemClock } from '../clock.ts';
import { listHolidayOverrides } from '../db/repositories/holidays.ts';
import { findOrgById, findOrgByName } from '../db/repositories/orgs.ts';
import { localDate } from '../domain/time.ts';
import { WorkCalendar } from '../domain/workdays.ts';
import { compileYear } from '../features/report/compile.ts';
import { reportDocx } from '../features/report/docx.ts';
import { yearProblem } from '../features/report/rules.ts';
import { CliError, defineCliCommand } from './command.ts';

const USAGE = 'report 年份 --org 组织 --out 文件.docx';

export const reportCommand = defineCliCommand({
  name: 'report',
  usage: USAGE,
  summary: '生成年度主体责任落实情况报告 .docx',
  options: { org: { type: 'string' }, out: { type: 'string' } },
  positionals: 1,
  async run(ctx, { values, positionals: [year] }) {
    const usage = `用法：npm run cli -- ${USAGE}`;
    if (!year) throw new CliError(`report 需要年份。${usage}`);
    const now = systemClock.now();
    const problem = yearProblem(year, localDate(now, ctx.timezone));
    if (problem) throw new CliError(`${problem}${usage}`);
    if (!values.org) throw new CliError(`report 需要 --org 组织编号或名称。${usage}`);
    if (!values.out) throw new CliError(`report 需要 --out 文件路径。${usage}`);
    const db = ctx.db.db;
    const org = /^\d{1,9}$/.test(values.org)
      ? await findOrgById(db, Number(values.org))
      : await findOrgByName(db, values.org);
    if (!org) throw new CliError(`没有编号或名称为“${values.org}”的组织`);
    const calendar = new WorkCalendar(await listHolidayOverrides(db));
    const report = await db
      .transaction()
      .execute((trx) => compileYear(trx, { org, year: Number(year), now, timezone: ctx.timezone, calendar }));
    writeFileSync(values.out, await reportDocx(report));
    ctx.io.out(`已生成《${report.title}》：${values.out}`);
  },
});
