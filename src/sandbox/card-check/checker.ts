/** The rule-by-rule walk over a card object, collecting every problem in the order Feishu meets them. */

import {
  BEHAVIOR_PROPS,
  BODY_PROPS,
  COMPONENT_PROPS,
  CONFIG_PROPS,
  CONFIRM_PROPS,
  CONTAINERS,
  FORM_FIELDS,
  HEADER_PROPS,
  PANEL_HEADER_PROPS,
  PART_PROPS,
  REMOVED_TAGS,
  TABLE_COLUMN_PROPS,
  TABLE_HEADER_STYLE_PROPS,
  TOP_PROPS,
} from './allow-lists.ts';
import {
  type CardProblem,
  CODE_CHART,
  CODE_EMPTY_NAME,
  CODE_INVALID,
  CODE_TOO_MANY,
  type El,
  MAX_CARD_ELEMENTS,
  MAX_CONTAINER_DEPTH,
  MAX_INPUT_LENGTH,
  MAX_PLACEHOLDER_CHARS,
  MAX_TABLE_PAGE_SIZE,
  MAX_TABLES,
} from './limits.ts';
import { countElements } from './measure.ts';
import { descendants, formActionOf, isObj } from './tree.ts';

/** The aspect ratios and colour themes a chart takes. */
const CHART_ASPECT_RATIOS = ['1:1', '2:1', '4:3', '16:9'];
const CHART_COLOR_THEMES = ['brand', 'rainbow', 'complementary', 'converse', 'primary'];
/** VChart chart types and the fields each must be told to plot. */
const CHART_TYPE_FIELDS: Record<string, readonly string[]> = {
  bar: ['xField', 'yField'],
  line: ['xField', 'yField'],
  area: ['xField', 'yField'],
  scatter: ['xField', 'yField'],
  waterfall: ['xField', 'yField'],
  histogram: ['xField', 'yField'],
  boxPlot: ['xField'],
  heatmap: ['xField', 'yField', 'valueField'],
  pie: ['valueField', 'categoryField'],
  rose: ['valueField', 'categoryField'],
  radar: ['valueField', 'categoryField'],
  funnel: ['valueField', 'categoryField'],
  wordCloud: ['nameField', 'valueField'],
  gauge: ['valueField', 'categoryField'],
  circularProgress: ['valueField', 'categoryField'],
  linearProgress: ['xField', 'yField'],
  treemap: ['valueField', 'categoryField'],
  sunburst: ['valueField', 'categoryField'],
  sankey: ['valueField', 'categoryField'],
  common: [],
};

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

export class Checker {
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
        this.chart(el, at, where);
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

  /**
   * The chart component (JSON 2.0 "图表组件"): never in a form; `chart_spec` (required) a VChart spec
   * object with a known chart `type`, its `data` (`{values: [...]}` or a list of such) and the fields
   * its type plots, else 200550; `aspect_ratio` 1:1 / 2:1 / 4:3 / 16:9, `color_theme` brand / rainbow /
   * complementary / converse / primary, `height` auto or 1–999px, `preview` a boolean, else 200621.
   */
  private chart(el: El, at: Place, where: string): void {
    if (at.inForm) this.bad(`${where}: a chart is not allowed in a form`);
    if (el.aspect_ratio !== undefined && !CHART_ASPECT_RATIOS.includes(el.aspect_ratio as string))
      this.bad(`${where}: aspect_ratio must be one of ${CHART_ASPECT_RATIOS.join(', ')}`);
    if (el.color_theme !== undefined && !CHART_COLOR_THEMES.includes(el.color_theme as string))
      this.bad(`${where}: color_theme must be one of ${CHART_COLOR_THEMES.join(', ')}`);
    if (el.height !== undefined) {
      const px = typeof el.height === 'string' ? /^(\d{1,3})px$/.exec(el.height) : null;
      if (el.height !== 'auto' && !(px && Number(px[1]) >= 1))
        this.bad(`${where}: height must be "auto" or 1px to 999px (got ${JSON.stringify(el.height)})`);
    }
    if (el.preview !== undefined && typeof el.preview !== 'boolean') this.bad(`${where}: preview must be a boolean`);
    const spec = el.chart_spec;
    if (!isObj(spec)) {
      this.bad(`${where}: a chart needs a chart_spec object`, CODE_CHART);
      return;
    }
    const type = spec.type;
    const fields = typeof type === 'string' ? CHART_TYPE_FIELDS[type] : undefined;
    if (!fields) {
      this.bad(`${where}: chart_spec.type ${JSON.stringify(type)} is not a chart type`, CODE_CHART);
      return;
    }
    const data = spec.data;
    const sets = Array.isArray(data) ? data : [data];
    if (data === undefined || sets.length === 0 || !sets.every((d) => isObj(d) && Array.isArray(d.values)))
      this.bad(`${where}: chart_spec.data needs values (an array)`, CODE_CHART);
    for (const f of fields) {
      const v = spec[f];
      const ok =
        typeof v === 'string' ? v !== '' : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
      if (!ok) this.bad(`${where}: a ${type} chart needs chart_spec.${f}`, CODE_CHART);
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
