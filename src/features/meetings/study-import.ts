/**
 * Importing the annual study plan (年度学习计划), as a ledger-kit definition: one study session per row
 * — 学习时间, 学习主题, 学习形式 (中心组学习、廉政教育、警示教育、专题学习), 学习内容, 地点. A row without
 * 学习形式 is the org's usual study: 中心组学习 where the level owes it (a 党委（党组）), else 专题学习 — a
 * 支部 has no 理论学习中心组 (hierarchy/level-rules.ts). A session already
 * planned (same time, same theme) is left as it is. Sessions within two weeks get their notice card
 * in the group at once; later ones when they come within a week (job meeting-reminders).
 */

import type { OrgLevel } from '../../db/schema/org.ts';
import { parseDateText, parseDateTimeText } from '../../domain/dates.ts';
import { localDate, zonedInstant } from '../../domain/time.ts';
import { type Cell, cellDate } from '../../ledger/cells.ts';
import { defineImporter, type PlanEnv, type RowParser } from '../../ledger/import-kit.ts';
import { ruleAppliesAt } from '../hierarchy/level-rules.ts';
import { isStudyKind, parseSessionKind, type StudyKind } from './model.ts';
import { listSessions } from './repository.ts';
import { publishSession } from './service.ts';

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

type StudyField = keyof typeof STUDY_HEADERS;

/** What each row is checked against: the identities of the study sessions already planned. */
interface StudyEnv {
  planned: Set<string>;
  /** The kind of a row that names none (`defaultStudyKind`). */
  defaultKind: StudyKind;
}

/** The 学习形式 of a plan row that gives none: 中心组学习 where the org's level owes it, else 专题学习. */
export const defaultStudyKind = (level: OrgLevel | null | undefined): StudyKind =>
  ruleAppliesAt('central_group', level) ? 'central_group' : 'topic';

const sessionKey = (startAt: string, title: string) => `${startAt}|${title}`;

/** 学习时间 as an instant: a date (at 09:00), or a date and time typed as text. */
function studyTime(w: Cell, env: PlanEnv<StudyEnv>): Date | undefined {
  const date = cellDate(w);
  if (date) return zonedInstant(date, '09:00', env.timezone);
  const at = parseDateTimeText(w.text, env.today, env.timezone, zonedInstant);
  if (at) return at;
  const day = parseDateText(w.text, env.today);
  return day ? zonedInstant(day, '09:00', env.timezone) : undefined;
}

/** One data row → the session it plans, or why it cannot be imported. */
const parseStudyRow: RowParser<StudyField, StudyImportRow, StudyEnv> = (get, env, line) => {
  const title = get('title').text;
  if (!title) return '学习主题为空';
  const w = get('when');
  const at = studyTime(w, env);
  if (!at) return w.text ? `学习时间“${w.text}”不是有效日期` : '学习时间为空';
  if (at.getTime() <= env.now.getTime()) return `学习时间 ${localDate(at, env.timezone)} 已过`;
  const kindText = get('kind').text;
  const kind = kindText ? parseSessionKind(kindText) : env.defaultKind;
  if (!isStudyKind(kind)) {
    return `学习形式“${kindText}”无法识别（中心组学习、廉政教育、警示教育、专题学习）`;
  }
  const startAt = at.toISOString();
  return {
    key: sessionKey(startAt, title),
    row: {
      line,
      startAt,
      kind,
      title: title.slice(0, 100),
      agenda: get('agenda').text.slice(0, 2000),
      place: get('place').text.slice(0, 200),
    },
  };
};

export const studyPlanImporter = defineImporter<StudyField, StudyImportRow, StudyEnv>({
  kind: 'study_plan',
  label: '年度学习计划',
  headers: STUDY_HEADERS,
  required: ['when', 'title'],
  load: async (ctx, org) => ({
    defaultKind: defaultStudyKind(org.level),
    planned: new Set(
      (await listSessions(ctx.db, org.id, { category: 'study' })).map((s) => sessionKey(s.start_at, s.title)),
    ),
  }),
  parse: parseStudyRow,
  // The same session twice in the file is planned once.
  duplicate: () => undefined,
  compare: async (_ctx, _org, { key }, env) => (env.planned.has(key) ? 'unchanged' : 'created'),
  keepUnchanged: false,
  sample: (r, env) => `${localDate(new Date(r.startAt), env.timezone)} ${r.title}`,
  applyRow: async (ctx, _org, r) => {
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
    return 'created';
  },
  summary: (c) => `已安排 ${c.created} 次学习。`,
});
