/** Feishu's card limits and refusal codes (see ../card-check.ts for the rules). */

export interface CardProblem {
  /**
   * Feishu's sub-code: 11310 too many elements, 200621 invalid card, 200530 empty form name, 200550 bad
   * chart spec, 230025 too long.
   */
  code: number;
  message: string;
}

export const MAX_CARD_BYTES = 30 * 1024;
export const MAX_CARD_ELEMENTS = 200;
export const MAX_TABLES = 5;
export const MAX_INPUT_LENGTH = 1000;
export const MAX_PLACEHOLDER_CHARS = 100;
export const MAX_TABLE_PAGE_SIZE = 10;
export const MAX_CONTAINER_DEPTH = 5;

export const CODE_INVALID = 200621;
export const CODE_TOO_MANY = 11310;
export const CODE_EMPTY_NAME = 200530;
export const CODE_TOO_LONG = 230025;
/** A chart whose chart_spec Feishu cannot render (the sub-code in 230099, docs/feishu-platform.md §8). */
export const CODE_CHART = 200550;

export type El = Record<string, unknown>;
