/** Every job. Add a job here after creating its file. */
import type { JobModule } from '../src/core/contracts.ts';
import holidayCheck from './holiday-check.ts';
import housekeeping from './housekeeping.ts';

export const jobs: readonly JobModule[] = [housekeeping, holidayCheck];
