/** The pipeline's pure rules: due dates in working days from the meeting (over a holiday), states, next. */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import {
  nextStage,
  openStagesDueBy,
  parseYearWord,
  planStages,
  STAGE_OFFSETS,
  stageState,
} from '../../src/features/life/pipeline-rules.ts';

const calendar = new WorkCalendar();

describe('the 组织生活会 pipeline rules', () => {
  it('counts each due date in working days from the meeting, skipping the 元旦 holiday and weekends', () => {
    const s = planStages('2027-01-15', calendar);
    expect(s.meeting.due).toBe('2027-01-15');
    // Back over 元旦 (2027-01-01 Fri) and the weekends: 15 working days before Fri 15 Jan.
    expect(s.study.due).toBe(calendar.addWorkdays('2027-01-15', -15));
    expect(s.study.due).toBe('2026-12-24');
    expect(s.materials.due).toBe('2027-01-08');
    expect(s.problems.due).toBe('2027-01-22');
    expect(s.report.due).toBe(calendar.addWorkdays('2027-01-15', 15));
    expect(s.report.due > s.appraisal.due).toBe(true);
    for (const [stage, v] of Object.entries(s)) {
      expect(v.doneAt).toBeNull();
      if (STAGE_OFFSETS[stage as keyof typeof STAGE_OFFSETS] !== 0) expect(calendar.isWorkday(v.due)).toBe(true);
    }
  });

  it('tells each stage state: done, overdue after its date, under way from the previous due date, else not started', () => {
    const s = planStages('2027-01-15', calendar);
    expect(stageState(s, 'study', '2026-12-10')).toBe('active');
    expect(stageState(s, 'opinions', '2026-12-10')).toBe('pending');
    expect(stageState(s, 'opinions', '2026-12-24')).toBe('active');
    expect(stageState(s, 'study', '2026-12-25')).toBe('overdue');
    s.study.doneAt = '2026-12-20T02:00:00.000Z';
    expect(stageState(s, 'study', '2026-12-25')).toBe('done');
    expect(nextStage(s)).toBe('opinions');
    expect(openStagesDueBy(s, '2026-12-31')).toEqual(['opinions']);
  });

  it('reads a year only as four digits in range', () => {
    expect(parseYearWord('2026')).toBe(2026);
    expect(parseYearWord('26')).toBeUndefined();
    expect(parseYearWord('3026')).toBeUndefined();
  });
});
