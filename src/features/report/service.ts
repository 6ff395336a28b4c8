/**
 * /报告 YEAR: compiles the year's 主体责任落实情况报告 from the records, posts the summary card in the chat,
 * then the editable .docx (Feishu's upload file_type for Word is `doc`), and audits it.
 */
import type { CommandContext } from '../../core/contracts.ts';
import { cardViewOf, compileYear } from './compile.ts';
import { reportDocx } from './docx.ts';
import { buildReportCard } from './report-card.ts';
import { reportFileName } from './rules.ts';

export async function sendYearReport(ctx: CommandContext<'required'>, year: number): Promise<void> {
  const org = ctx.org;
  const report = await compileYear(ctx.db, {
    org,
    year,
    now: ctx.now,
    timezone: ctx.settings.timezone,
    calendar: ctx.calendar,
  });
  const bytes = await reportDocx(report);
  const fileName = reportFileName(org.name, year);
  // The card answers the command; the file follows it in the same chat (one lane, in order).
  await ctx.outbox.reply(
    ctx.message.messageId,
    { type: 'card', card: buildReportCard(cardViewOf(report)) },
    { chatId: ctx.chat.chatId, orgId: org.id },
  );
  await ctx.outbox.sendFile({ chatId: ctx.chat.chatId }, { fileName, fileType: 'doc', bytes }, { orgId: org.id });
  await ctx.audit({
    action: 'report:year',
    subject: `org:${org.id}`,
    after: {
      year,
      file: fileName,
      meetingsHeld: report.meetings.rules.reduce((n, f) => n + f.held, 0),
      tasks: report.tasks.total,
      rectifications: report.rects.open.length + report.rects.closed.length,
      reminders: report.reminders.sent.length,
    },
  });
}
