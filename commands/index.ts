/** Every command, in /help order. Add a command here after creating its file. */
import type { CommandModule } from '../src/core/contracts.ts';
import away from './away.ts';
import bind from './bind.ts';
import calendar from './calendar.ts';
import duties from './duties.ts';
import help from './help.ts';
import importCommand from './import.ts';
import inspection from './inspection.ts';
import life from './life.ts';
import me from './me.ts';
import meeting from './meeting.ts';
import org from './org.ts';
import overview from './overview.ts';
import rectify from './rectify.ts';
import register from './register.ts';
import report from './report.ts';
import role from './role.ts';
import settings from './settings.ts';
import study from './study.ts';
import talk from './talk.ts';
import task from './task.ts';

export const commands: readonly CommandModule[] = [
  help,
  me,
  task,
  duties,
  meeting,
  study,
  talk,
  life,
  calendar,
  rectify,
  inspection,
  report,
  overview,
  away,
  importCommand,
  bind,
  org,
  role,
  register,
  settings,
];
