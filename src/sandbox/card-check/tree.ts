/** Walking a card's component tree (the checker and the emulator's click checks). */

import type { El } from './limits.ts';

/** `submit`, `reset` or undefined: what a button does in a form (with the legacy `action_type`). */
export function formActionOf(b: El): 'submit' | 'reset' | undefined {
  if (b.form_action_type === 'submit' || b.action_type === 'form_submit') return 'submit';
  if (b.form_action_type === 'reset' || b.action_type === 'form_reset') return 'reset';
  return undefined;
}

export function isObj(v: unknown): v is El {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The components inside a container (columns unwrapped). */
export function childrenOf(el: El): El[] {
  if (el.tag === 'column_set') {
    const cols = Array.isArray(el.columns) ? (el.columns as El[]) : [];
    return cols.flatMap((c) => (isObj(c) && Array.isArray(c.elements) ? (c.elements as El[]) : []));
  }
  return Array.isArray(el.elements) ? (el.elements as El[]).filter(isObj) : [];
}

/** Every component under `el`, depth first. */
export function descendants(el: El): El[] {
  const out: El[] = [];
  const visit = (e: El) => {
    for (const c of childrenOf(e)) {
      out.push(c);
      visit(c);
    }
  };
  visit(el);
  return out;
}

/** Every component of a card's body, depth first (for the emulator's click checks). */
export function cardComponents(card: unknown): El[] {
  if (!isObj(card) || !isObj(card.body) || !Array.isArray(card.body.elements)) return [];
  return descendants({ tag: 'body', elements: card.body.elements });
}
