/** Looks commands up by name or alias (with or without the slash) and card actions by id. */
import type { ActionModule, CommandModule } from '../core/contracts.ts';
import { editDistance, normalizeWord } from './parse.ts';

export class CommandRegistry {
  private readonly byWord = new Map<string, CommandModule>();
  private readonly actions = new Map<string, { command: CommandModule; spec: ActionModule }>();

  constructor(readonly commands: readonly CommandModule[]) {
    for (const c of commands) {
      for (const w of [c.name, ...c.aliases]) {
        const key = normalizeWord(w);
        const other = this.byWord.get(key);
        if (other) throw new Error(`command word "${w}" is used by both ${other.name} and ${c.name}`);
        this.byWord.set(key, c);
      }
      for (const [id, spec] of Object.entries(c.actions ?? {})) {
        if (!id.startsWith(`${c.name}.`)) throw new Error(`action ${id} of ${c.name} must start with "${c.name}."`);
        if (this.actions.has(id)) throw new Error(`action ${id} is defined twice`);
        this.actions.set(id, { command: c, spec });
      }
    }
  }

  find(word: string): CommandModule | undefined {
    return this.byWord.get(normalizeWord(word));
  }

  /** The command whose name or alias is nearest to `word`, when it is near enough to suggest. */
  closest(word: string): { command: CommandModule; spelled: string } | undefined {
    const w = normalizeWord(word);
    let best: { command: CommandModule; spelled: string; d: number } | undefined;
    for (const c of this.commands) {
      for (const spelled of [c.name, ...c.aliases]) {
        const d = editDistance(w, normalizeWord(spelled));
        const limit = /^[ -~]+$/.test(spelled) ? 2 : 1;
        if (d <= limit && (!best || d < best.d)) best = { command: c, spelled, d };
      }
    }
    return best && { command: best.command, spelled: best.spelled };
  }

  action(id: string): { command: CommandModule; spec: ActionModule } | undefined {
    return this.actions.get(id);
  }

  actionIds(): string[] {
    return [...this.actions.keys()];
  }
}
