/**
 * Argument schemas: a zod schema over the tokens after the command name, written with a small reader
 * so each command states its arguments in order, with Chinese messages for what is missing or wrong.
 */
import { z } from 'zod';
import type { ArgToken } from './contracts.ts';

class ArgProblem extends Error {}

export class ArgReader {
  private i = 0;
  constructor(private readonly tokens: readonly ArgToken[]) {}

  get remaining(): number {
    return this.tokens.length - this.i;
  }

  peek(): ArgToken | undefined {
    return this.tokens[this.i];
  }

  /** The next word, required. */
  word(what: string): string {
    const t = this.tokens[this.i];
    if (!t) throw new ArgProblem(`缺少${what}。`);
    if (t.kind !== 'word') throw new ArgProblem(`${what}应为文字，而不是 @${t.name}。`);
    this.i++;
    return t.text;
  }

  optionalWord(): string | undefined {
    const t = this.tokens[this.i];
    if (t?.kind !== 'word') return undefined;
    this.i++;
    return t.text;
  }

  /** An @mention of a person, required. */
  mention(what: string): { openId: string; name: string } {
    const t = this.tokens[this.i];
    if (t?.kind !== 'mention') throw new ArgProblem(`请 @ 要设置的${what}（在输入框中输入 @ 选择此人）。`);
    this.i++;
    return { openId: t.openId, name: t.name };
  }

  /** Everything left as one text, as typed (quotes around a single phrase removed). */
  rest(what: string, o: { required?: boolean; max?: number } = {}): string {
    const t = this.tokens[this.i];
    if (!t) {
      if (o.required) throw new ArgProblem(`缺少${what}。`);
      return '';
    }
    const single = this.i === this.tokens.length - 1 && t.kind === 'word';
    this.i = this.tokens.length;
    const text = single ? t.text : t.tail;
    if (o.max && Array.from(text).length > o.max) throw new ArgProblem(`${what}太长（最多 ${o.max} 个字）。`);
    return text;
  }

  /** Fails when tokens are left over. */
  done(): void {
    const t = this.tokens[this.i];
    if (t) throw new ArgProblem(`多余的参数：${t.kind === 'word' ? t.text : `@${t.name}`}。`);
  }

  fail(message: string): never {
    throw new ArgProblem(message);
  }
}

/**
 * A zod schema over argument tokens. `read` takes what it needs from the reader; a problem it reports
 * becomes the zod issue shown to the user. Leftover tokens are an error unless `read` consumed them.
 */
export function argSchema<A>(read: (r: ArgReader) => A): z.ZodType<A, ArgToken[]> {
  return z
    .custom<ArgToken[]>((v) => Array.isArray(v))
    .transform((tokens, ctx) => {
      const r = new ArgReader(tokens);
      try {
        const value = read(r);
        r.done();
        return value;
      } catch (e) {
        if (!(e instanceof ArgProblem)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
        return z.NEVER;
      }
    }) as unknown as z.ZodType<A, ArgToken[]>;
}

/** A command that takes no arguments. */
export const noArgs = argSchema(() => undefined);
