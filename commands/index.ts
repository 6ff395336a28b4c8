/** Every command, in /help order. Add a command here after creating its file. */
import type { CommandModule } from '../src/core/contracts.ts';
import bind from './bind.ts';
import help from './help.ts';
import me from './me.ts';
import role from './role.ts';

export const commands: readonly CommandModule[] = [help, me, bind, role];
