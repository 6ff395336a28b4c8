/**
 * A strict card JSON 2.0 validator: what the emulator refuses in a card, like the real Feishu API
 * and client do (docs/feishu-platform.md §6 and the "卡片 JSON 2.0" component pages of the open platform docs).
 *
 * Refused:
 * - not JSON 2.0 (`schema: "2.0"`), `update_multi: false`, no `body.elements`;
 * - unknown tags, the removed 1.0 `note` and `action` modules, and **unknown properties** on the card,
 *   its `config`, `header`, `body` and every component (2.0 validates strictly; each tag has an
 *   allow-list below, built from the documented JSON 2.0 structure of each component);
 * - more than 200 elements, where every tagged object counts (components, containers, each
 *   `column`, `plain_text` / `lark_md` text objects, `text_tag`s, icons…);
 * - more than 30 KB, measured as the send request body (the card escaped again inside `content`);
 * - forms not at the root, nested, without a name or a submit button, with unnamed fields, with a
 *   table or chart inside; buttons inside a form without `name` and `form_action_type`;
 * - charts without a `chart_spec` object, or whose spec names no known VChart type, no `data.values`
 *   or not the fields its type plots (200550, the sub-code Feishu gives a chart it cannot render), or
 *   with an `aspect_ratio`, `color_theme`, `height` or `preview` out of range;
 * - `multi_select_static` / `multi_select_person` outside a form;
 * - inputs whose `max_length` is not an integer 1–1000 or whose placeholder passes 100 characters;
 * - tables anywhere but the card root, `page_size` not an integer 1–10, more than 5 tables;
 * - containers nested deeper than 5 levels; `element_id`s malformed or repeated; duplicate names.
 *
 * Codes: 11310 ("element exceeds the limit", the sub-code Feishu puts in 230099), 230025 (too
 * long), 200530 (a form component with an empty name, the client's code), 200550 (a chart spec
 * Feishu cannot render). Feishu does not document a
 * sub-code per schema violation; for every other problem (bad structure, unknown property, value out
 * of range) we use 200621, the code Feishu gives for a card JSON it cannot parse or accept.
 */

import { Checker } from './card-check/checker.ts';
import { type CardProblem, CODE_INVALID, CODE_TOO_LONG, type El, MAX_CARD_BYTES } from './card-check/limits.ts';
import { requestBodyBytes } from './card-check/measure.ts';

export {
  type CardProblem,
  CODE_CHART,
  MAX_CARD_BYTES,
  MAX_CARD_ELEMENTS,
  MAX_CONTAINER_DEPTH,
  MAX_INPUT_LENGTH,
  MAX_PLACEHOLDER_CHARS,
  MAX_TABLE_PAGE_SIZE,
  MAX_TABLES,
} from './card-check/limits.ts';
export { countElements, requestBodyBytes } from './card-check/measure.ts';
export { cardComponents, childrenOf, descendants, formActionOf } from './card-check/tree.ts';

// ---------------------------------------------------------------------------------------------
// Checking

export interface CheckOptions {
  /** The request body's size in bytes if known (else measured with `requestBodyBytes`). */
  bodyBytes?: number;
}

/** The first problem of a card given as the `content` string of a send, or undefined when Feishu accepts it. */
export function checkCard(content: string, o: CheckOptions = {}): CardProblem | undefined {
  return allProblems(content, o)[0];
}

/** The first problem of a card given as an object (a callback answer, a delayed update). */
export function checkCardObject(card: unknown, o: CheckOptions = {}): CardProblem | undefined {
  return allCardProblems(card, o)[0];
}

/** Every problem of a card given as a `content` string, in the order Feishu would meet them. */
export function allProblems(content: string, o: CheckOptions = {}): CardProblem[] {
  const size = o.bodyBytes ?? requestBodyBytes(content);
  if (size > MAX_CARD_BYTES) return [tooLong(size)];
  let card: unknown;
  try {
    card = JSON.parse(content);
  } catch {
    return [{ code: CODE_INVALID, message: 'card content is not JSON' }];
  }
  return allCardProblems(card, { bodyBytes: size });
}

/** Every problem of a card object. */
export function allCardProblems(card: unknown, o: CheckOptions = {}): CardProblem[] {
  const size = o.bodyBytes ?? requestBodyBytes(card);
  if (size > MAX_CARD_BYTES) return [tooLong(size)];
  if (!card || typeof card !== 'object' || Array.isArray(card)) {
    return [{ code: CODE_INVALID, message: 'card content is not an object' }];
  }
  return new Checker().run(card as El);
}

function tooLong(size: number): CardProblem {
  return { code: CODE_TOO_LONG, message: `the request body is ${size} bytes; the limit is 30 KB (${MAX_CARD_BYTES})` };
}
