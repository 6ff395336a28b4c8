/** Every migration, in order. Merged migrations are frozen: fix forward with a new file. */
import type { Kysely } from 'kysely';
import * as m0001 from './0001_create_foundation.ts';
import * as m0002 from './0002_create_rectification.ts';
import * as m0003 from './0003_create_duties.ts';
import * as m0004 from './0004_create_meetings.ts';
import * as m0006 from './0006_create_rate_windows.ts';
import * as m0007 from './0007_add_away_from.ts';
import * as m0008 from './0008_add_scan_indexes.ts';
import * as m0009 from './0009_create_inbox.ts';
import * as m0010 from './0010_create_group_chats.ts';
import * as m0011 from './0011_add_member_left.ts';
import * as m0012 from './0012_add_attendance_correction.ts';
import * as m0013 from './0013_add_session_origin.ts';
import * as m0014 from './0014_add_session_window.ts';
import * as m0016 from './0016_add_reflection_makeup.ts';
import * as m0017 from './0017_add_register_and_hierarchy.ts';
import * as m0018 from './0018_create_talks.ts';
import * as m0019 from './0019_create_life_pipelines.ts';
import * as m0020 from './0020_session_host_recorder.ts';
import * as m0021 from './0021_generated_tasks.ts';
import type { Dialect } from './helpers.ts';

export interface MigrationFile {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
  down(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

export const migrations: ReadonlyArray<readonly [string, MigrationFile]> = [
  ['0001_create_foundation', m0001],
  ['0002_create_rectification', m0002],
  ['0003_create_duties', m0003],
  ['0004_create_meetings', m0004],
  ['0006_create_rate_windows', m0006],
  ['0007_add_away_from', m0007],
  ['0008_add_scan_indexes', m0008],
  ['0009_create_inbox', m0009],
  ['0010_create_group_chats', m0010],
  ['0011_add_member_left', m0011],
  ['0012_add_attendance_correction', m0012],
  ['0013_add_session_origin', m0013],
  ['0014_add_session_window', m0014],
  ['0016_add_reflection_makeup', m0016],
  ['0017_add_register_and_hierarchy', m0017],
  ['0018_create_talks', m0018],
  ['0019_create_life_pipelines', m0019],
  ['0020_session_host_recorder', m0020],
  ['0021_generated_tasks', m0021],
];
