/**
 * A strict card JSON 2.0 validator: what the emulator refuses in a card, like the real Feishu API
 * and client do (FEISHU.md §6 and the "卡片 JSON 2.0" component pages of the open platform docs).
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
 * - `multi_select_static` / `multi_select_person` outside a form;
 * - inputs whose `max_length` is not an integer 1–1000 or whose placeholder passes 100 characters;
 * - tables anywhere but the card root, `page_size` not an integer 1–10, more than 5 tables;
 * - containers nested deeper than 5 levels; `element_id`s malformed or repeated; duplicate names.
 *
 * Codes: 11310 ("element exceeds the limit", the sub-code Feishu puts in 230099), 230025 (too
 * long), 200530 (a form component with an empty name, the client's code). Feishu does not document a
 * sub-code per schema violation; for every other problem (bad structure, unknown property, value out
 * of range) we use 200621, the code Feishu gives for a card JSON it cannot parse or accept.
 */

export interface CardProblem {
  /** Feishu's sub-code: 11310 too many elements, 200621 invalid card, 200530 empty form name, 230025 too long. */
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

const CODE_INVALID = 200621;
const CODE_TOO_MANY = 11310;
const CODE_EMPTY_NAME = 200530;
const CODE_TOO_LONG = 230025;

type El = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Allow-lists

/** Properties every 2.0 component takes. */
const COMMON = ['tag', 'element_id', 'margin'];
/** Layout properties 2.0 added to the containers (and to the body). */
const LAYOUT = ['direction', 'padding', 'horizontal_spacing', 'vertical_spacing', 'horizontal_align', 'vertical_align'];
/** What every interactive component takes. */
const INTERACTIVE = ['disabled', 'disabled_tips', 'hover_tips', 'confirm', 'behaviors', 'value'];
/** What form fields take. */
const FIELD = ['name', 'required', 'placeholder', 'width', 'type'];

const COMPONENT_PROPS: Record<string, readonly string[]> = {
  // containers
  column_set: [
    ...COMMON,
    'columns',
    'flex_mode',
    'background_style',
    'horizontal_spacing',
    'horizontal_align',
    'action',
  ],
  form: [...COMMON, ...LAYOUT, 'name', 'elements'],
  interactive_container: [
    ...COMMON,
    ...LAYOUT,
    ...INTERACTIVE,
    'elements',
    'width',
    'height',
    'background_style',
    'has_border',
    'border_color',
    'corner_radius',
  ],
  collapsible_panel: [...COMMON, ...LAYOUT, 'expanded', 'header', 'border', 'background_color', 'elements'],
  // content
  div: [...COMMON, 'text', 'icon', 'fields', 'width'],
  markdown: [...COMMON, 'content', 'text_align', 'text_size', 'icon', 'i18n_content'],
  hr: [...COMMON],
  img: [
    ...COMMON,
    'img_key',
    'i18n_img_key',
    'alt',
    'title',
    'scale_type',
    'size',
    'transparent',
    'preview',
    'corner_radius',
    'compact_width',
    'custom_width',
  ],
  img_combination: [...COMMON, 'combination_mode', 'combination_transparent', 'corner_radius', 'img_list'],
  person: [...COMMON, 'user_id', 'size', 'show_avatar', 'show_name', 'style'],
  person_list: [...COMMON, 'persons', 'size', 'show_avatar', 'show_name', 'lines', 'icon', 'drop_invalid_user_id'],
  chart: [...COMMON, 'chart_spec', 'aspect_ratio', 'color_theme', 'preview', 'height'],
  table: [
    ...COMMON,
    'page_size',
    'row_height',
    'row_max_height',
    'freeze_first_column',
    'header_style',
    'columns',
    'rows',
  ],
  // interactive
  button: [
    ...COMMON,
    ...INTERACTIVE,
    'text',
    'type',
    'size',
    'width',
    'icon',
    'name',
    'form_action_type',
    // the legacy spelling of form_action_type (form_submit / form_reset), still accepted
    'action_type',
  ],
  input: [
    ...COMMON,
    ...INTERACTIVE,
    ...FIELD,
    'default_value',
    'max_length',
    'input_type',
    'show_icon',
    'rows',
    'auto_resize',
    'max_rows',
    'label',
    'label_position',
    'fallback',
  ],
  overflow: [...COMMON, ...INTERACTIVE, 'width', 'options'],
  select_static: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'initial_option', 'initial_index'],
  multi_select_static: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'selected_values'],
  select_person: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'initial_option'],
  multi_select_person: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'selected_values'],
  date_picker: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_date'],
  picker_time: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_time'],
  picker_datetime: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_datetime'],
  select_img: [...COMMON, ...INTERACTIVE, 'name', 'required', 'multi_select', 'layout', 'can_preview', 'options'],
  checker: [
    ...COMMON,
    ...INTERACTIVE,
    'name',
    'checked',
    'text',
    'overall_checkable',
    'button_area',
    'checked_style',
    'padding',
  ],
};

/** Tagged objects that are parts of components, not components: text objects, icons, tags, columns. */
const PART_PROPS: Record<string, readonly string[]> = {
  plain_text: ['tag', 'content', 'i18n', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  lark_md: ['tag', 'content', 'i18n', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  // collapsible panel titles may be markdown text objects
  markdown: ['tag', 'content', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  standard_icon: ['tag', 'token', 'color', 'size'],
  custom_icon: ['tag', 'img_key', 'size'],
  text_tag: ['tag', 'element_id', 'text', 'color', 'i18n_text'],
  column: [...COMMON, ...LAYOUT, 'width', 'weight', 'background_style', 'elements', 'action'],
};

const TOP_PROPS = ['schema', 'config', 'card_link', 'header', 'body'];
const CONFIG_PROPS = [
  'update_multi',
  'streaming_mode',
  'streaming_config',
  'summary',
  'locales',
  'enable_forward',
  'enable_forward_interaction',
  'width_mode',
  'use_custom_translation',
  'style',
];
const HEADER_PROPS = ['title', 'subtitle', 'text_tag_list', 'i18n_text_tag_list', 'template', 'icon', 'padding'];
const BODY_PROPS = ['elements', ...LAYOUT];
const PANEL_HEADER_PROPS = [
  'title',
  'background_color',
  'vertical_align',
  'padding',
  'position',
  'width',
  'icon',
  'icon_position',
  'icon_expanded_angle',
];
const CONFIRM_PROPS = ['title', 'text'];
const BEHAVIOR_PROPS: Record<string, readonly string[]> = {
  callback: ['type', 'value'],
  open_url: ['type', 'default_url', 'pc_url', 'ios_url', 'android_url'],
};
const TABLE_COLUMN_PROPS = [
  'name',
  'display_name',
  'data_type',
  'width',
  'horizontal_align',
  'vertical_align',
  'format',
  'date_format',
];
const TABLE_HEADER_STYLE_PROPS = ['text_align', 'text_size', 'background_style', 'text_color', 'bold', 'lines'];

/** Fields a form submits; each needs a card-unique `name` inside a form. */
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
/** Removed in 2.0 (FEISHU.md §6): the note element and the 1.0 action module. */
const REMOVED_TAGS = new Set(['note', 'action']);

// ---------------------------------------------------------------------------------------------
// Sizes

/** A receive_id as long as a real chat_id, used when the caller does not say whom the card goes to. */
const SAMPLE_RECEIVE_ID = `oc_${'0'.repeat(32)}`;

/**
 * The size Feishu's 30 KB limit applies to: the send request body, in which the card JSON is
 * escaped again as the `content` string. `envelope` is the rest of the body (by default a send to a
 * chat: `receive_id` and `msg_type`); pass `{}` for a PATCH, whose body is only `{content}`.
 */
export function requestBodyBytes(
  card: unknown,
  envelope: Record<string, unknown> = { receive_id: SAMPLE_RECEIVE_ID, msg_type: 'interactive' },
): number {
  const content = typeof card === 'string' ? card : JSON.stringify(card);
  return Buffer.byteLength(JSON.stringify({ ...envelope, content }), 'utf8');
}

/** How many tagged objects a card holds (what the 200-element limit counts). */
export function countElements(card: unknown): number {
  let n = 0;
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (v && typeof v === 'object') {
      if (typeof (v as El).tag === 'string') n++;
      for (const x of Object.values(v as El)) visit(x);
    }
  };
  visit(card);
  return n;
}

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

/** Where an element sits, for the nesting rules. */
interface Place {
  /** Container depth (0 = card root). */
  depth: number;
  inForm: boolean;
  /** Somewhere inside a column_set's column. */
  inColumn: boolean;
  /** The innermost container, if any. */
  parent: string | undefined;
  path: string;
}

class Checker {
  private readonly problems: CardProblem[] = [];
  private readonly names = new Set<string>();
  private readonly elementIds = new Set<string>();
  private tables = 0;

  run(card: El): CardProblem[] {
    if (card.schema !== '2.0') return [{ code: CODE_INVALID, message: 'schema must be "2.0"' }];
    this.props(card, TOP_PROPS, 'card');
    const config = card.config;
    if (config !== undefined) {
      if (!isObj(config)) this.bad('config must be an object');
      else {
        this.props(config, CONFIG_PROPS, 'config');
        if (config.update_multi === false) this.bad('JSON 2.0 cards must be shared (update_multi: true)');
      }
    }
    if (card.header !== undefined) this.header(card.header);
    const body = card.body;
    if (!isObj(body) || !Array.isArray(body.elements)) {
      this.bad('body.elements is required');
    } else {
      this.props(body, BODY_PROPS, 'body');
      this.elements(body.elements, { depth: 0, inForm: false, inColumn: false, parent: undefined, path: 'body' });
    }
    if (this.tables > MAX_TABLES) this.bad(`${this.tables} tables; a card holds at most ${MAX_TABLES}`);
    const count = countElements(card);
    if (count > MAX_CARD_ELEMENTS) {
      // Feishu reports the element limit before any schema problem of the same card.
      this.problems.unshift({
        code: CODE_TOO_MANY,
        message: `element exceeds the limit: ${count} tagged objects, at most ${MAX_CARD_ELEMENTS}`,
      });
    }
    return this.problems;
  }

  private bad(message: string, code = CODE_INVALID): void {
    this.problems.push({ code, message });
  }

  /** Refuses properties not in the allow-list. */
  private props(o: El, allowed: readonly string[], where: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.bad(`unknown property "${k}" in ${where}`);
    }
  }

  private header(h: unknown): void {
    if (!isObj(h)) {
      this.bad('header must be an object');
      return;
    }
    this.props(h, HEADER_PROPS, 'header');
    if (!isObj(h.title)) this.bad('header.title is required');
    else this.part(h.title, 'header.title');
    if (h.subtitle !== undefined) this.part(h.subtitle, 'header.subtitle');
    if (h.icon !== undefined) this.part(h.icon, 'header.icon');
    if (h.text_tag_list !== undefined) {
      if (!Array.isArray(h.text_tag_list)) this.bad('header.text_tag_list must be an array');
      else {
        if (h.text_tag_list.length > 3) this.bad('header.text_tag_list holds at most 3 tags');
        for (const [i, t] of h.text_tag_list.entries()) this.part(t, `header.text_tag_list[${i}]`, ['text_tag']);
      }
    }
  }

  /** A tagged part (text object, icon, text tag): known tag, known properties, text within. */
  private part(p: unknown, where: string, tags?: readonly string[]): void {
    if (!isObj(p) || typeof p.tag !== 'string') {
      this.bad(`${where} needs a tag`);
      return;
    }
    const allowed = PART_PROPS[p.tag];
    if (!allowed || (tags && !tags.includes(p.tag))) {
      this.bad(`${where} has an unexpected tag "${p.tag}"`);
      return;
    }
    this.props(p, allowed, `${where} (${p.tag})`);
    if (p.tag === 'text_tag' && p.text !== undefined) this.part(p.text, `${where}.text`, ['plain_text']);
  }

  /** A text object (plain_text or lark_md). */
  private text(p: unknown, where: string): void {
    this.part(p, where, ['plain_text', 'lark_md']);
  }

  private elementId(el: El, where: string): void {
    if (el.element_id === undefined) return;
    const id = el.element_id;
    if (typeof id !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(id)) {
      this.bad(`${where}: element_id must start with a letter and hold at most 20 letters, digits or _`);
      return;
    }
    if (this.elementIds.has(id)) this.bad(`${where}: element_id "${id}" is used twice`);
    this.elementIds.add(id);
  }

  private elements(list: unknown, at: Place): void {
    if (!Array.isArray(list)) {
      this.bad(`${at.path}.elements must be an array`);
      return;
    }
    for (const [i, el] of list.entries()) this.element(el, { ...at, path: `${at.path}[${i}]` });
  }

  private element(raw: unknown, at: Place): void {
    if (!isObj(raw) || typeof raw.tag !== 'string') {
      this.bad(`${at.path}: an element has no tag`);
      return;
    }
    const el = raw;
    const tag = el.tag as string;
    const where = `${at.path} (${tag})`;
    if (REMOVED_TAGS.has(tag)) {
      this.bad(`${where}: the "${tag}" tag was removed in JSON 2.0`);
      return;
    }
    const allowed = COMPONENT_PROPS[tag];
    if (!allowed) {
      this.bad(`${where}: unknown tag "${tag}"`);
      return;
    }
    this.props(el, allowed, where);
    this.elementId(el, where);
    this.common(el, where);

    if (FORM_FIELDS.has(tag) || (tag === 'button' && at.inForm)) this.named(el, tag, at, where);
    if ((tag === 'multi_select_static' || tag === 'multi_select_person') && !at.inForm) {
      this.bad(`${where}: ${tag} only works inside a form`);
    }

    switch (tag) {
      case 'button': {
        this.button(el, at, where);
        return;
      }
      case 'input': {
        this.input(el, where);
        return;
      }
      case 'table': {
        this.table(el, at, where);
        return;
      }
      case 'chart':
        if (at.inForm) this.bad(`${where}: a chart is not allowed in a form`);
        return;
      case 'div':
        if (el.text !== undefined) this.text(el.text, `${where}.text`);
        if (el.icon !== undefined) this.part(el.icon, `${where}.icon`, ['standard_icon', 'custom_icon']);
        if (Array.isArray(el.fields)) {
          for (const [i, f] of el.fields.entries()) {
            if (isObj(f) && f.text !== undefined) this.text(f.text, `${where}.fields[${i}].text`);
          }
        }
        return;
      case 'markdown':
        if (typeof el.content !== 'string') this.bad(`${where}: markdown needs a content string`);
        if (el.icon !== undefined) this.part(el.icon, `${where}.icon`, ['standard_icon', 'custom_icon']);
        return;
      case 'select_static':
      case 'multi_select_static':
      case 'overflow':
        if (Array.isArray(el.options)) {
          for (const [i, opt] of el.options.entries()) {
            if (isObj(opt) && opt.text !== undefined) this.text(opt.text, `${where}.options[${i}].text`);
          }
        }
        return;
      case 'checker':
        if (el.text !== undefined) this.text(el.text, `${where}.text`);
        return;
    }
    if (CONTAINERS.has(tag)) this.container(el, tag, at, where);
  }

  /** Parts every component may carry: placeholder, label, tips, confirm and behaviors. */
  private common(el: El, where: string): void {
    for (const k of ['placeholder', 'label', 'hover_tips', 'disabled_tips']) {
      if (el[k] !== undefined) this.text(el[k], `${where}.${k}`);
    }
    if (el.confirm !== undefined) {
      const c = el.confirm;
      if (!isObj(c)) this.bad(`${where}.confirm must be an object`);
      else {
        this.props(c, CONFIRM_PROPS, `${where}.confirm`);
        if (c.title !== undefined) this.text(c.title, `${where}.confirm.title`);
        if (c.text !== undefined) this.text(c.text, `${where}.confirm.text`);
      }
    }
    if (el.behaviors !== undefined) {
      if (!Array.isArray(el.behaviors)) {
        this.bad(`${where}.behaviors must be an array`);
        return;
      }
      for (const [i, b] of el.behaviors.entries()) {
        const props = isObj(b) && typeof b.type === 'string' ? BEHAVIOR_PROPS[b.type] : undefined;
        if (!props) this.bad(`${where}.behaviors[${i}]: unknown behavior type`);
        else this.props(b as El, props, `${where}.behaviors[${i}]`);
      }
    }
  }

  /** Form fields (and buttons in forms) need a card-unique name. */
  private named(el: El, tag: string, at: Place, where: string): void {
    const name = el.name;
    if (at.inForm && (typeof name !== 'string' || !name)) {
      this.bad(`${where}: a ${tag} in a form needs a name`, CODE_EMPTY_NAME);
      return;
    }
    if (typeof name === 'string' && name) {
      if (this.names.has(name)) this.bad(`${where}: duplicate component name "${name}"`);
      this.names.add(name);
    }
  }

  private button(el: El, at: Place, where: string): void {
    if (el.text !== undefined) this.text(el.text, `${where}.text`);
    if (el.icon !== undefined) this.part(el.icon, `${where}.icon`, ['standard_icon', 'custom_icon']);
    const kind = formActionOf(el);
    if (at.inForm) {
      // Every button inside a form needs a name and a form_action_type: a plain callback button
      // (a 取消, say) inside a form breaks the form's submission.
      if (!kind) this.bad(`${where}: a button inside a form needs form_action_type "submit" or "reset"`);
    }
    if (el.form_action_type !== undefined && el.form_action_type !== 'submit' && el.form_action_type !== 'reset') {
      this.bad(`${where}: form_action_type must be "submit" or "reset"`);
    }
  }

  private input(el: El, where: string): void {
    if (el.max_length !== undefined) {
      const n = el.max_length;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_INPUT_LENGTH) {
        this.bad(`${where}: max_length must be an integer from 1 to ${MAX_INPUT_LENGTH} (got ${JSON.stringify(n)})`);
      }
    }
    const ph = el.placeholder;
    if (isObj(ph) && typeof ph.content === 'string' && [...ph.content].length > MAX_PLACEHOLDER_CHARS) {
      this.bad(`${where}: the placeholder is ${[...ph.content].length} characters; at most ${MAX_PLACEHOLDER_CHARS}`);
    }
  }

  private table(el: El, at: Place, where: string): void {
    this.tables++;
    // The container pages say a form and a column take everything but a table (and the form page
    // forbids it too). The table page says "only at the card root", while the collapsible panel page
    // forbids only forms inside a panel; we follow the container pages and refuse forms and columns.
    if (at.inForm) this.bad(`${where}: a table is not allowed in a form`);
    else if (at.inColumn) this.bad(`${where}: a table is not allowed in a column`);
    if (el.page_size !== undefined) {
      const n = el.page_size;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_TABLE_PAGE_SIZE) {
        this.bad(`${where}: page_size must be an integer from 1 to ${MAX_TABLE_PAGE_SIZE} (got ${JSON.stringify(n)})`);
      }
    }
    if (!Array.isArray(el.columns)) this.bad(`${where}: a table needs columns`);
    else {
      for (const [i, c] of el.columns.entries()) {
        if (!isObj(c) || typeof c.name !== 'string' || !c.name) this.bad(`${where}.columns[${i}] needs a name`);
        else this.props(c, TABLE_COLUMN_PROPS, `${where}.columns[${i}]`);
      }
    }
    if (el.rows !== undefined && !Array.isArray(el.rows)) this.bad(`${where}: rows must be an array`);
    if (isObj(el.header_style)) this.props(el.header_style, TABLE_HEADER_STYLE_PROPS, `${where}.header_style`);
  }

  private container(el: El, tag: string, at: Place, where: string): void {
    if (at.depth >= MAX_CONTAINER_DEPTH) {
      this.bad(`${where}: containers nest at most ${MAX_CONTAINER_DEPTH} levels`);
      return;
    }
    const inner: Place = {
      depth: at.depth + 1,
      inForm: at.inForm || tag === 'form',
      inColumn: at.inColumn || tag === 'column_set',
      parent: tag,
      path: where,
    };
    if (tag === 'form') {
      if (at.inForm) {
        this.bad(`${where}: forms cannot be nested`);
        return;
      }
      if (at.depth > 0) {
        this.bad(`${where}: a form must be at the root of the card, not in a ${at.parent}`);
        return;
      }
      if (typeof el.name !== 'string' || !el.name) this.bad(`${where}: a form needs a name`, CODE_EMPTY_NAME);
      else if (this.names.has(el.name)) this.bad(`${where}: duplicate component name "${el.name}"`);
      else this.names.add(el.name);
      if (!descendants(el).some((k) => k.tag === 'button' && formActionOf(k) === 'submit')) {
        this.bad(`${where}: a form needs a button with form_action_type "submit"`);
      }
    }
    if (tag === 'column_set') {
      if (!Array.isArray(el.columns)) {
        this.bad(`${where}: a column_set needs columns`);
        return;
      }
      for (const [i, c] of el.columns.entries()) {
        const cw = `${where}.columns[${i}]`;
        if (!isObj(c) || c.tag !== 'column') {
          this.bad(`${cw}: a column_set holds only columns`);
          continue;
        }
        this.props(c, PART_PROPS.column as readonly string[], `${cw} (column)`);
        this.elementId(c, cw);
        if (c.elements !== undefined) this.elements(c.elements, { ...inner, path: cw });
      }
      return;
    }
    if (tag === 'collapsible_panel' && el.header !== undefined) {
      const h = el.header;
      if (!isObj(h)) this.bad(`${where}.header must be an object`);
      else {
        this.props(h, PANEL_HEADER_PROPS, `${where}.header`);
        if (h.title !== undefined) this.part(h.title, `${where}.header.title`, ['plain_text', 'markdown']);
        if (h.icon !== undefined) this.part(h.icon, `${where}.header.icon`, ['standard_icon', 'custom_icon']);
      }
    }
    this.elements(el.elements ?? [], inner);
  }
}

/** `submit`, `reset` or undefined: what a button does in a form (with the legacy `action_type`). */
export function formActionOf(b: El): 'submit' | 'reset' | undefined {
  if (b.form_action_type === 'submit' || b.action_type === 'form_submit') return 'submit';
  if (b.form_action_type === 'reset' || b.action_type === 'form_reset') return 'reset';
  return undefined;
}

function isObj(v: unknown): v is El {
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
