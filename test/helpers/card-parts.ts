/**
 * Reading the parts of a card's JSON that test/helpers/cards.ts does not name: every object in it
 * (`walkCard`), the first table's rows, a form field or a select's options by name, and every string
 * the card shows in the order it holds them.
 */
import type { EmuMessage } from '../../src/sandbox/store.ts';

/** Walks a card's JSON (the message content, or the card already parsed), calling `f` on every object. */
export function walkCard(card: unknown, f: (o: Record<string, unknown>) => void): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      f(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(typeof card === 'string' ? JSON.parse(card) : card);
}

/** The rows of the (first) table on a card; throws when it has none. */
export function tableRows(m: Pick<EmuMessage, 'content'>): Record<string, string>[] {
  let rows: Record<string, string>[] | undefined;
  walkCard(m.content, (o) => {
    if (o.tag === 'table') rows ??= o.rows as Record<string, string>[];
  });
  if (!rows) throw new Error('no table');
  return rows;
}

/** A form field of a card (input, select …) by its name; throws when it has none. */
export function field(m: Pick<EmuMessage, 'content'>, name: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  walkCard(m.content, (o) => {
    if (o.name === name && o.tag !== 'form' && o.tag !== 'button') found ??= o;
  });
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

/** The option values of a select on a card, by its name (none when there is no such select). */
export function options(m: Pick<EmuMessage, 'content'>, name: string): string[] {
  let found: string[] | undefined;
  walkCard(m.content, (o) => {
    if (o.name === name && Array.isArray(o.options)) found ??= (o.options as { value: string }[]).map((x) => x.value);
  });
  return found ?? [];
}

/** Every string a card (as built, not serialized) shows, in the order the card holds them. */
export function cardStrings(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) cardStrings(v, out);
  else if (x && typeof x === 'object')
    for (const [k, v] of Object.entries(x)) {
      if (k === 'content' && typeof v === 'string') out.push(v);
      else cardStrings(v, out);
    }
  return out;
}
