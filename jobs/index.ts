/** Every job. Add a job here after creating its file. */
import type { JobModule } from '../src/core/contracts.ts';
import complianceCheck from './compliance-check.ts';
import holidayCheck from './holiday-check.ts';
import holidayReminder from './holiday-reminder.ts';
import housekeeping from './housekeeping.ts';
import lifePipeline from './life-pipeline.ts';
import meetingReminders from './meeting-reminders.ts';
import memberReconcile from './member-reconcile.ts';
import rectificationDigest from './rectification-digest.ts';
import rectificationReminders from './rectification-reminders.ts';
import rollupWeekly from './rollup-weekly.ts';
import talkCoverage from './talk-coverage.ts';
import taskMonthly from './task-monthly.ts';
import taskOccurrences from './task-occurrences.ts';
import taskQuarterly from './task-quarterly.ts';
import taskReminders from './task-reminders.ts';

export const jobs: readonly JobModule[] = [
  rectificationReminders,
  rectificationDigest,
  taskOccurrences,
  taskReminders,
  taskMonthly,
  taskQuarterly,
  rollupWeekly,
  meetingReminders,
  complianceCheck,
  holidayReminder,
  housekeeping,
  holidayCheck,
  memberReconcile,
  talkCoverage,
  lifePipeline,
];
