/** Shared pieces of every card (JSON 2.0, shared/updatable). Pure: no I/O, no clock. */
import type { Card, CardElement, HeaderTemplate } from '../core/card.ts';
import type { FormValues } from '../core/contracts.ts';
import { clean } from './text.ts';

export function card(o: {
  title: string;
  template?: HeaderTemplate;
  subtitle?: string;
  summary?: string;
  tags?: { text: string; color: string }[];
  elements: CardElement[];
}): Card {
  return {
    schema: '2.0',
    config: { update_multi: true, ...(o.summary ? { summary: { content: clean(o.summary, 100) } } : {}) },
    header: {
      title: { tag: 'plain_text', content: clean(o.title, 100) },
      ...(o.subtitle ? { subtitle: { tag: 'plain_text' as const, content: clean(o.subtitle, 100) } } : {}),
      template: o.template ?? 'blue',
      ...(o.tags?.length
        ? {
            text_tag_list: o.tags.slice(0, 3).map((t) => ({
              tag: 'text_tag' as const,
              text: { tag: 'plain_text' as const, content: clean(t.text, 20) },
              color: t.color,
            })),
          }
        : {}),
    },
    body: { elements: o.elements },
  };
}

/** Markdown written by the bot. Interpolate user text only through `md()` from `text.ts`. */
export function markdown(content: string, o: { size?: 'normal' | 'notation' } = {}): CardElement {
  return { tag: 'markdown', content, ...(o.size ? { text_size: o.size } : {}) };
}

/** User text shown verbatim: Feishu never parses plain_text. */
export function plainText(text: string, o: { max?: number; grey?: boolean } = {}): CardElement {
  return {
    tag: 'div',
    text: { tag: 'plain_text', content: clean(text, o.max ?? 2000), ...(o.grey ? { text_color: 'grey' } : {}) },
  };
}

export function divider(): CardElement {
  return { tag: 'hr' };
}

/** A button value: the action id, a version and the minimal ids the handler needs. */
export type ActionValue = { a: string; v?: number } & Record<string, string | number | boolean>;

export interface ButtonOptions {
  text: string;
  value: ActionValue;
  type?: 'default' | 'primary' | 'danger' | 'text' | 'primary_filled' | 'danger_filled';
  confirm?: { title: string; text: string };
  /** Inside a form: the submit button. */
  submit?: { name: string };
  disabled?: boolean;
  width?: 'default' | 'fill';
}

export function button(o: ButtonOptions): CardElement {
  return {
    tag: 'button',
    text: { tag: 'plain_text', content: clean(o.text, 40) },
    type: o.type ?? 'default',
    ...(o.width ? { width: o.width } : {}),
    ...(o.disabled ? { disabled: true } : {}),
    ...(o.confirm
      ? {
          confirm: {
            title: { tag: 'plain_text', content: clean(o.confirm.title, 40) },
            text: { tag: 'plain_text', content: clean(o.confirm.text, 300) },
          },
        }
      : {}),
    ...(o.submit ? { name: o.submit.name, form_action_type: 'submit' } : {}),
    behaviors: [{ type: 'callback', value: { v: 1, ...o.value } }],
  };
}

/** Buttons side by side (a column set with one auto-width column each). */
export function buttonRow(buttons: CardElement[]): CardElement {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: 'small',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

/** Columns of equal weight. */
export function columns(cols: CardElement[][]): CardElement {
  return {
    tag: 'column_set',
    horizontal_spacing: 'medium',
    columns: cols.map((elements) => ({ tag: 'column', width: 'weighted', weight: 1, elements })),
  };
}

export function collapsible(title: string, elements: CardElement[], expanded = false): CardElement {
  return {
    tag: 'collapsible_panel',
    expanded,
    header: { title: { tag: 'plain_text', content: clean(title, 100) } },
    elements,
  };
}

/**
 * A form at the card root; it needs at least one submit button among `elements`. Its name is prefixed
 * so that it can never equal a field's name (`minutes_2` is both the second part of the minutes and
 * the minutes form of meeting 2): names are unique across the whole card.
 */
export function form(name: string, elements: CardElement[]): CardElement {
  return { tag: 'form', name: `form_${name}`, elements };
}

/** Feishu's limits on an input (docs/feishu-platform.md §6): `max_length` 1–1000, a placeholder of at most 100 characters. */
export const INPUT_MAX_LENGTH = 1000;
export const PLACEHOLDER_MAX = 100;

export function input(o: {
  name: string;
  label: string;
  placeholder?: string;
  required?: boolean;
  multiline?: boolean;
  maxLength?: number;
  defaultValue?: string;
}): CardElement {
  const max = Math.min(Math.max(1, o.maxLength ?? INPUT_MAX_LENGTH), INPUT_MAX_LENGTH);
  return {
    tag: 'input',
    name: o.name,
    label: { tag: 'plain_text', content: clean(o.label, 60) },
    label_position: 'top',
    ...(o.placeholder ? { placeholder: { tag: 'plain_text', content: clean(o.placeholder, PLACEHOLDER_MAX) } } : {}),
    ...(o.required ? { required: true } : {}),
    ...(o.multiline ? { input_type: 'multiline_text', rows: 3, auto_resize: true } : {}),
    max_length: max,
    ...(o.defaultValue ? { default_value: clean(o.defaultValue, max) } : {}),
  };
}

/**
 * A text longer than one input allows (minutes, 心得, reports, agendas): `parts` inputs of up to
 * 1000 characters each, named `name`, `name_2`, `name_3`…; the first is required when `required`.
 * A stored text is spread over the parts (see `splitLongText`); `readLongText` joins them again.
 */
export function longTextInputs(o: {
  name: string;
  label: string;
  placeholder?: string;
  required?: boolean;
  parts: number;
  defaultValue?: string;
}): CardElement[] {
  const defaults = o.defaultValue ? splitLongText(o.defaultValue, o.parts) : [];
  return Array.from({ length: o.parts }, (_, i) =>
    input({
      name: longTextName(o.name, i),
      label: i === 0 ? `${o.label}（第1部分）` : `${o.label}（第${i + 1}部分，可选，接上文）`,
      placeholder: i === 0 ? o.placeholder : '上文写不下时接着写在这里',
      required: i === 0 && o.required,
      multiline: true,
      maxLength: INPUT_MAX_LENGTH,
      defaultValue: defaults[i],
    }),
  );
}

export function longTextName(name: string, index: number): string {
  return index === 0 ? name : `${name}_${index + 1}`;
}

/**
 * The text of `longTextInputs` as submitted: the non-empty parts, trimmed, joined by a line break
 * (a stored text split at a line break comes back unchanged).
 */
export function readLongText(form: FormValues, name: string, parts: number): string {
  const out: string[] = [];
  for (let i = 0; i < parts; i++) {
    const v = form[longTextName(name, i)];
    const t = typeof v === 'string' ? v.trim() : '';
    if (t) out.push(t);
  }
  return out.join('\n');
}

/**
 * Spreads `text` over at most `parts` pieces of at most `max` characters, cutting at a line break
 * near the end of a piece when that still leaves room for the rest (the break is dropped: joining
 * puts it back), otherwise at exactly `max` characters.
 */
export function splitLongText(text: string, parts: number, max = INPUT_MAX_LENGTH): string[] {
  // Joined parts carry a line break between them: a full text is up to parts × max + parts − 1.
  const chars = Array.from(clean(text, parts * max + parts - 1));
  const cut = (atBreaks: boolean): { pieces: string[]; rest: number } => {
    const pieces: string[] = [];
    let at = 0;
    while (at < chars.length && pieces.length < parts) {
      let end = Math.min(chars.length, at + max);
      let next = end;
      if (atBreaks && end < chars.length) {
        // A break right after a full piece counts too; only the last third of a piece is searched.
        for (let i = end; i > at + Math.floor((max * 2) / 3); i--) {
          if (chars[i] === '\n') {
            end = i;
            next = i + 1;
            break;
          }
        }
      }
      pieces.push(chars.slice(at, end).join(''));
      at = next;
    }
    return { pieces, rest: chars.length - at };
  };
  const atBreaks = cut(true);
  return atBreaks.rest === 0 ? atBreaks.pieces : cut(false).pieces;
}

export function selectStatic(o: {
  name: string;
  placeholder: string;
  options: { text: string; value: string }[];
  initial?: string;
  required?: boolean;
  multi?: boolean;
}): CardElement {
  return {
    tag: o.multi ? 'multi_select_static' : 'select_static',
    name: o.name,
    placeholder: { tag: 'plain_text', content: o.placeholder },
    options: o.options.map((x) => ({ text: { tag: 'plain_text', content: clean(x.text, 60) }, value: x.value })),
    ...(o.initial ? (o.multi ? { selected_values: [o.initial] } : { initial_option: o.initial }) : {}),
    // Multi-selects default to required in 2.0: say so either way.
    ...(o.required ? { required: true } : o.multi ? { required: false } : {}),
  };
}

interface PickerOptions {
  name: string;
  placeholder: string;
  initial?: string;
  required?: boolean;
}

export function datePicker(o: PickerOptions): CardElement {
  return picker('date_picker', 'initial_date', o);
}

export function dateTimePicker(o: PickerOptions): CardElement {
  return picker('picker_datetime', 'initial_datetime', o);
}

/** The date and date-time pickers differ only in their tag and the name of the initial value. */
function picker(tag: string, initialKey: 'initial_date' | 'initial_datetime', o: PickerOptions): CardElement {
  return {
    tag,
    name: o.name,
    placeholder: { tag: 'plain_text', content: o.placeholder },
    ...(o.initial ? { [initialKey]: o.initial } : {}),
    ...(o.required ? { required: true } : {}),
  };
}

/** Above this many people a picker offers everyone in the chat instead of listing them (card size). */
export const PICKER_MAX_OPTIONS = 100;

/**
 * A person picker; `openIds` empty means anyone in the chat. A long member list is not written into
 * the card (each id costs about 50 bytes): the picker then offers the chat, and the handler checks
 * that whoever was picked is a member, as it always does.
 */
export function personPicker(o: {
  name: string;
  placeholder: string;
  openIds?: string[];
  multi?: boolean;
  required?: boolean;
}): CardElement {
  const ids = o.openIds ?? [];
  return {
    tag: o.multi ? 'multi_select_person' : 'select_person',
    name: o.name,
    placeholder: { tag: 'plain_text', content: clean(o.placeholder, PLACEHOLDER_MAX) },
    options: (ids.length > PICKER_MAX_OPTIONS ? [] : ids).map((value) => ({ value })),
    // Multi-selects default to required in 2.0: say so either way.
    ...(o.required ? { required: true } : o.multi ? { required: false } : {}),
  };
}

export function person(openId: string): CardElement {
  return { tag: 'person', user_id: openId, size: 'small', show_name: true, show_avatar: true };
}

/** Feishu's limits on a table: `page_size` 1–10, at most 5 per card, never in a form or a column. */
export const TABLE_PAGE_MAX = 10;

/** A table of strings (user text is shown as-is; table cells are not markdown). */
export function table(o: {
  columns: { name: string; title: string; width?: string }[];
  rows: Record<string, string | number>[];
  pageSize?: number;
}): CardElement {
  return {
    tag: 'table',
    page_size: Math.min(Math.max(1, o.pageSize ?? TABLE_PAGE_MAX), TABLE_PAGE_MAX),
    row_height: 'low',
    header_style: { bold: true, background_style: 'grey' },
    columns: o.columns.map((c) => ({
      name: c.name,
      display_name: c.title,
      data_type: 'text',
      width: c.width ?? 'auto',
    })),
    rows: o.rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? clean(v, 100) : String(v)])),
    ),
  };
}

/** A grey note in small type (hints, "其余 N 项…"). Bot-written markdown only. */
export function note(content: string): CardElement {
  return markdown(`<font color='grey'>${content}</font>`, { size: 'notation' });
}

/** A list's page action (`taskPage`, `rectifyPage` in `actions/`): its buttons carry the filter and the page. */
export interface PageAction {
  button(
    look: Omit<ButtonOptions, 'value'> & { org: number | undefined },
    value: { f: string; p: number },
  ): CardElement;
}

/** A list card with 上一页 / 下一页 buttons that call `action` with the filter and page. */
export function pagedListCard(v: {
  title: string;
  total: number;
  page: number;
  pages: number;
  /** Markdown lines (user text already escaped). */
  lines: string[];
  /** The rows as elements (each with its 查看 button, `rowWithButton` in list-summary.ts), instead of `lines`. */
  rowElements?: CardElement[];
  /** What stands above the rows: the counts by status, a chart (list-summary.ts). */
  head?: CardElement[];
  empty: string;
  hint: string;
  action: PageAction;
  filterKey: string;
  orgId: number;
}): Card {
  const nav: CardElement[] = [];
  const go = (text: string, p: number) => v.action.button({ text, org: v.orgId }, { f: v.filterKey, p });
  if (v.page > 1) nav.push(go('上一页', v.page - 1));
  if (v.page < v.pages) nav.push(go('下一页', v.page + 1));
  return card({
    title: v.title,
    subtitle: `共 ${v.total} 项${v.pages > 1 ? `，第 ${v.page}/${v.pages} 页` : ''}`,
    template: 'blue',
    elements: [
      ...(v.head ?? []),
      ...(v.rowElements?.length ? v.rowElements : [markdown(v.lines.join('\n\n') || v.empty)]),
      markdown(`<font color='grey'>${v.hint}</font>`, { size: 'notation' }),
      ...(nav.length > 0 ? [buttonRow(nav)] : []),
    ],
  });
}
