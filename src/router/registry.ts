/** Looks commands up by name or alias (with or without the slash) and card actions by id. */
import type { ActionModule, ArgToken, CommandModule } from '../core/contracts.ts';
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

  /**
   * The command whose name or alias is nearest to `word`, when it is near enough to suggest; Chinese
   * names also as written together with a verb (整改列彪 → "整改 列表") and with two characters swapped
   * (改整 → 整改).
   */
  closest(word: string): { command: CommandModule; spelled: string } | undefined {
    const w = normalizeWord(word);
    let best: { command: CommandModule; spelled: string; d: number } | undefined;
    const consider = (c: CommandModule, spelled: string, joined: string) => {
      const d = swapped(w, joined) ? 1 : editDistance(w, joined);
      const limit = /^[ -~]+$/.test(spelled) ? 2 : 1;
      if (d <= limit && (!best || d < best.d)) best = { command: c, spelled, d };
    };
    for (const c of this.commands) {
      for (const spelled of [c.name, ...c.aliases]) consider(c, spelled, normalizeWord(spelled));
      for (const alias of c.aliases.filter(isChinese)) {
        for (const sub of c.subcommands ?? []) {
          for (const verb of sub.aliases.filter(isChinese))
            consider(c, `${alias} ${verb}`, normalizeWord(alias + verb));
        }
      }
    }
    if (!best) return undefined;
    // Members are pointed to the Chinese name even when the typo was nearest an English alias (/h → /帮助).
    const shown = /^[ -~]+$/.test(best.spelled) ? (best.command.aliases.find(isChinese) ?? best.spelled) : best.spelled;
    return { command: best.command, spelled: shown };
  }

  /**
   * A command word written together with its verb, "/整改列表", "/任务看板", "/整改查看12": the command
   * and the tokens to run it with (the verb, the number after it, then `rest`). Undefined unless the
   * word splits into a known command and one of its known verbs (or a number) in exactly one way.
   */
  splitJoined(
    word: string,
    rest: readonly ArgToken[] = [],
  ): { command: CommandModule; tokens: ArgToken[] } | undefined {
    const w = normalizeWord(word);
    const found = new Map<string, { command: CommandModule; words: string[] }>();
    for (const c of this.commands) {
      for (const spelled of [c.name, ...c.aliases].map(normalizeWord)) {
        if (!w.startsWith(spelled) || w.length === spelled.length) continue;
        const tail = w.slice(spelled.length);
        for (const sub of c.subcommands ?? []) {
          for (const verb of [sub.name, ...sub.aliases].map(normalizeWord)) {
            if (!tail.startsWith(verb)) continue;
            const after = tail.slice(verb.length).replace(/^#/, '');
            if (after === '' || /^\d{1,9}$/.test(after)) {
              const words = after ? [verb, after] : [verb];
              found.set(`${c.name} ${words.join(' ')}`, { command: c, words });
            }
          }
        }
        if (/^\d/.test(tail) && !/\s/.test(tail)) found.set(`${c.name} ${tail}`, { command: c, words: [tail] });
      }
    }
    if (found.size !== 1) return undefined;
    const [{ command, words }] = [...found.values()] as [{ command: CommandModule; words: string[] }];
    const restTail = rest[0]?.tail;
    const tokens: ArgToken[] = words.map((text, i) => {
      const tail = [...words.slice(i), ...(restTail ? [restTail] : [])].join(' ');
      return { kind: 'word', text, tail };
    });
    return { command, tokens: [...tokens, ...rest] };
  }

  action(id: string): { command: CommandModule; spec: ActionModule } | undefined {
    return this.actions.get(id);
  }

  actionIds(): string[] {
    return [...this.actions.keys()];
  }
}

const isChinese = (s: string) => /[\u4e00-\u9fff]/.test(s);

/** The same characters with two neighbours swapped (改整 for 整改). */
function swapped(a: string, b: string): boolean {
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length !== y.length || x.length < 2) return false;
  const diff = x.flatMap((c, i) => (c === y[i] ? [] : [i]));
  return (
    diff.length === 2 &&
    diff[1] === (diff[0] as number) + 1 &&
    x[diff[0] as number] === y[diff[1] as number] &&
    x[diff[1] as number] === y[diff[0] as number]
  );
}
