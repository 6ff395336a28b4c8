/**
 * Importing the annual study plan (年度学习计划): one study session per row — 学习时间, 学习主题,
 * 学习形式 (中心组学习、廉政教育、警示教育、专题学习), 学习内容, 地点. Sessions within two weeks get their
 * notice card in the group at once; later ones when they come within a week (job meeting-reminders).
 */
import { listSessions } from '../db/repositories/meetings.ts';
import { dateFromSerial, parseDateText, parseDateTimeText } from '../domain/dates.ts';
import { parseSessionKind, STUDY_KINDS, type StudyKind } from '../domain/meetings.ts';
import { localDate, zonedInstant } from '../domain/time.ts';
import type { Importer, ImportProblem } from './importers.ts';
import { publishSession } from './meetings.ts';
import type { ActingContext } from './rectification.ts';
import { type Cell, cellAt } from './spreadsheet.ts';

export interface StudyImportRow {
  line: number;
  startAt: string;
  kind: StudyKind;
  title: string;
  agenda: string;
  place: string;
}

export const STUDY_HEADERS = {
  seq: ['序号'],
  when: ['学习时间', '时间', '日期', '计划时间'],
  title: ['学习主题', '主题', '专题'],
  kind: ['学习形式', '形式', '类型', '学习类型'],
  agenda: ['学习内容', '内容', '学习材料', '材料'],
  place: ['地点', '学习地点'],
} as const;

export const studyPlanImporter: Importer<StudyImportRow> = {
  kind: 'study_plan',
  label: '年度学习计划',
  headers: STUDY_HEADERS,
  required: ['when', 'title'],
  async plan(ctx: ActingContext, rows: Cell[][], col, firstLine) {
    const org = ctx.org;
    if (!org) throw new Error('import without an org');
    const tz = ctx.settings.timezone;
    const today = localDate(ctx.now, tz);
    const existing = await listSessions(ctx.db, org.id, { category: 'study' });
    const out: StudyImportRow[] = [];
    const problems: ImportProblem[] = [];
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const line = firstLine + i;
      if (Object.values(col).every((c) => cellAt(row, c).text === '')) continue;
      const get = (f: keyof typeof STUDY_HEADERS) => cellAt(row, col[f]);
      const title = get('title').text;
      if (!title) {
        problems.push({ line, reason: '学习主题为空' });
        continue;
      }
      const w = get('when');
      const date = w.date ?? (w.number !== undefined ? dateFromSerial(w.number) : undefined);
      const at = date
        ? zonedInstant(date, '09:00', tz)
        : (parseDateTimeText(w.text, today, tz, zonedInstant) ??
          (parseDateText(w.text, today)
            ? zonedInstant(parseDateText(w.text, today) as string, '09:00', tz)
            : undefined));
      if (!at) {
        problems.push({ line, reason: w.text ? `学习时间“${w.text}”不是有效日期` : '学习时间为空' });
        continue;
      }
      if (at.getTime() <= ctx.now.getTime()) {
        problems.push({ line, reason: `学习时间 ${localDate(at, tz)} 已过` });
        continue;
      }
      const kindText = get('kind').text;
      const kind = (kindText ? parseSessionKind(kindText) : 'central_group') as StudyKind | undefined;
      if (!kind || !(STUDY_KINDS as readonly string[]).includes(kind)) {
        problems.push({ line, reason: `学习形式“${kindText}”无法识别（中心组学习、廉政教育、警示教育、专题学习）` });
        continue;
      }
      const startAt = at.toISOString();
      if (
        existing.some((s) => s.start_at === startAt && s.title === title) ||
        out.some((r) => r.startAt === startAt && r.title === title)
      ) {
        counts.unchanged++;
        continue;
      }
      counts.created++;
      out.push({
        line,
        startAt,
        kind,
        title: title.slice(0, 100),
        agenda: get('agenda').text.slice(0, 2000),
        place: get('place').text.slice(0, 200),
      });
    }
    return {
      rows: out,
      problems,
      counts,
      sample: out.slice(0, 5).map((r) => `${localDate(new Date(r.startAt), tz)} ${r.title}`),
    };
  },
  async apply(ctx, rows) {
    for (const r of rows) {
      await publishSession(ctx, {
        category: 'study',
        kind: r.kind,
        title: r.title,
        startAt: new Date(r.startAt),
        place: r.place,
        agenda: r.agenda,
        attendees: [],
        reflectionDays: 5,
        notice: Date.parse(r.startAt) - ctx.now.getTime() <= 14 * 86_400_000,
      });
    }
    return `已安排 ${rows.length} 次学习。`;
  },
};
