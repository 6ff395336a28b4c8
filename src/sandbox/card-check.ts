/**
 * What the emulator refuses in a card, like the real client and API do (FEISHU.md §6): not JSON 2.0,
 * `update_multi` false, unknown tags, over 200 elements or 30 KB, forms without a name, a submit
 * button or named fields, forms not at the root, multi-selects outside forms.
 */

export interface CardProblem {
  /** Feishu's sub-code: 11310 too many elements, 200621 bad JSON, 200530 empty form name, 230025 too long. */
  code: number;
  message: string;
}

const ELEMENT_TAGS = new Set([
  'markdown',
  'div',
  'hr',
  'img',
  'img_combination',
  'person',
  'person_list',
  'chart',
  'table',
  'column_set',
  'form',
  'interactive_container',
  'collapsible_panel',
  'input',
  'button',
  'overflow',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'select_img',
  'checker',
]);
const FORM_FIELDS = new Set([
  'input',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'checker',
  'select_img',
]);
const CONTAINERS = new Set(['column_set', 'form', 'interactive_container', 'collapsible_panel']);

export const MAX_CARD_BYTES = 30 * 1024;
export const MAX_CARD_ELEMENTS = 200;

type El = Record<string, unknown>;

function childrenOf(el: El): El[] {
  if (el.tag === 'column_set') {
    const cols = Array.isArray(el.columns) ? (el.columns as El[]) : [];
    return cols.flatMap((c) => (Array.isArray(c.elements) ? (c.elements as El[]) : []));
  }
  return Array.isArray(el.elements) ? (el.elements as El[]) : [];
}

export function checkCard(content: string): CardProblem | undefined {
  if (Buffer.byteLength(content, 'utf8') > MAX_CARD_BYTES) {
    return { code: 230025, message: `card is ${Buffer.byteLength(content)} bytes; the limit is 30 KB` };
  }
  let card: El;
  try {
    card = JSON.parse(content) as El;
  } catch {
    return { code: 200621, message: 'card content is not JSON' };
  }
  if (!card || typeof card !== 'object') return { code: 200621, message: 'card content is not an object' };
  if (card.schema !== '2.0') return { code: 200621, message: 'schema must be "2.0"' };
  const config = (card.config ?? {}) as El;
  if (config.update_multi === false) return { code: 200621, message: 'JSON 2.0 cards must be shared (update_multi)' };
  const body = card.body as El | undefined;
  if (!body || !Array.isArray(body.elements)) return { code: 200621, message: 'body.elements is required' };

  let count = 0;
  const names = new Set<string>();
  const walk = (els: El[], depth: number, inForm: boolean): CardProblem | undefined => {
    for (const el of els) {
      if (!el || typeof el !== 'object' || typeof el.tag !== 'string')
        return { code: 200621, message: 'an element has no tag' };
      const tag = el.tag;
      if (!ELEMENT_TAGS.has(tag)) return { code: 200621, message: `unknown tag "${tag}"` };
      count++;
      if (count > MAX_CARD_ELEMENTS) return { code: 11310, message: 'element exceeds the limit (200)' };
      if (tag === 'form') {
        if (depth > 0) return { code: 200621, message: 'a form must be at the root of the card' };
        if (typeof el.name !== 'string' || !el.name) return { code: 200530, message: 'a form needs a name' };
        const kids = allDescendants(el);
        if (
          !kids.some((k) => k.tag === 'button' && (k.form_action_type === 'submit' || k.action_type === 'form_submit'))
        ) {
          return { code: 200621, message: 'a form needs a submit button' };
        }
        for (const k of kids) {
          if (k.tag === 'form') return { code: 200621, message: 'forms cannot be nested' };
          if (k.tag === 'table' || k.tag === 'chart')
            return { code: 200621, message: `${k.tag} is not allowed in a form` };
          if (FORM_FIELDS.has(k.tag as string) || k.tag === 'button') {
            if (FORM_FIELDS.has(k.tag as string) && (typeof k.name !== 'string' || !k.name)) {
              return { code: 200530, message: `a ${String(k.tag)} in a form needs a name` };
            }
          }
        }
      }
      if ((tag === 'multi_select_static' || tag === 'multi_select_person') && !inForm) {
        return { code: 200621, message: `${tag} only works inside a form` };
      }
      if (typeof el.name === 'string' && el.name && FORM_FIELDS.has(tag)) {
        if (names.has(el.name)) return { code: 200621, message: `duplicate component name "${el.name}"` };
        names.add(el.name);
      }
      if (CONTAINERS.has(tag)) {
        if (depth >= 5) return { code: 200621, message: 'containers nest at most 5 levels' };
        const p = walk(childrenOf(el), depth + 1, inForm || tag === 'form');
        if (p) return p;
      }
    }
    return undefined;
  };
  return walk(body.elements as El[], 0, false);
}

function allDescendants(el: El): El[] {
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
