/**
 * Inspection batches: the milestones of a feedback date on working days, and the card view with the
 * milestones and the state of the batch's items.
 *
 * A milestone, like any deadline, falls on a working day (docs/domain.md: T0 on a day off moves to the
 * working day before it): one computed from the feedback date (D + 1, 2, 3, 6 and 12 months) or set by
 * hand with /巡察 节点 that lands on a weekend or a statutory holiday moves to the previous working day
 * of the work calendar (the operators' holiday table included), and the answer says so.
 */
import type { Kysely } from 'kysely';
import type { Database, InspectionBatch } from '../../db/schema.ts';
import { weekdayOf } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import type { BatchView } from './batch-card.ts';
import { listMilestones } from './batch-repository.ts';
import { rectStatusCounts } from './list.ts';
import { deadlineText, deadlineTone, type MilestoneKind, milestoneDates } from './model.ts';
import { countRectifications } from './repository.ts';

type Calendar = Pick<WorkCalendar, 'isWorkday' | 'onOrBefore' | 'holidayName'>;

/** A date on a working day: itself, or the working day before it, with the day off it was. */
export interface WorkdayDate {
  due: string;
  /** Set when `due` was moved: the date asked for, and what it is (劳动节, 星期日 …). */
  moved?: { from: string; dayOff: string };
}

const WEEKDAY_NAMES = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** `date`, or the working day before it when it is a day off. */
export function onWorkday(date: string, calendar: Calendar): WorkdayDate {
  if (calendar.isWorkday(date)) return { due: date };
  const dayOff = calendar.holidayName(date) ?? WEEKDAY_NAMES[weekdayOf(date)] ?? '休息日';
  return { due: calendar.onOrBefore(date), moved: { from: date, dayOff } };
}

/** The milestones of a batch fed back on `feedbackDate`, each on a working day. */
export function batchMilestones(
  feedbackDate: string,
  calendar: Calendar,
): { kind: MilestoneKind; title: string; due: string; moved?: WorkdayDate['moved'] }[] {
  return milestoneDates(feedbackDate).map((m) => ({ ...m, ...onWorkday(m.due, calendar) }));
}

/** What the answer says of a milestone moved off a day off. */
export function movedNote(title: string, d: WorkdayDate): string | undefined {
  if (!d.moved) return undefined;
  return `「${title}」原定 ${d.moved.from}（${d.moved.dayOff}）为休息日，已提前到前一个工作日 ${d.due}。`;
}

export async function batchView(
  db: Kysely<Database>,
  batch: InspectionBatch,
  today: string,
  calendar: Calendar,
  notes: readonly string[] = [],
): Promise<BatchView> {
  const milestones = await listMilestones(db, batch.id);
  const counted = await countRectifications(db, batch.org_id, { kind: 'batch', batchId: batch.id }, today);
  return {
    name: batch.name,
    source: batch.source,
    feedbackDate: batch.feedback_date,
    notes,
    milestones: milestones.map((m, i) => {
      // A date kept from before milestones were put on working days shows (and counts down) as one.
      const due = onWorkday(m.due_date, calendar).due;
      return {
        n: i + 1,
        title: m.title,
        due,
        done: m.done_at !== null,
        note: m.done_at ? '已完成' : deadlineText(due, { today }),
        tone: m.done_at ? ('met' as const) : deadlineTone(due, { today }),
      };
    }),
    counts: rectStatusCounts(counted),
  };
}
