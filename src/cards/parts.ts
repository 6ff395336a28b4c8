/** Shared pieces of every card (JSON 2.0, shared/updatable). Pure: no I/O, no clock. */
import type { Card, CardElement, HeaderTemplate } from '../core/card.ts';
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
    text: { tag: 'plain_text', content: o.text },
    type: o.type ?? 'default',
    ...(o.width ? { width: o.width } : {}),
    ...(o.disabled ? { disabled: true } : {}),
    ...(o.confirm
      ? {
          confirm: {
            title: { tag: 'plain_text', content: o.confirm.title },
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

/** A form at the card root; it needs at least one submit button among `elements`. */
export function form(name: string, elements: CardElement[]): CardElement {
  return { tag: 'form', name, elements };
}

export function input(o: {
  name: string;
  label: string;
  placeholder?: string;
  required?: boolean;
  multiline?: boolean;
  maxLength?: number;
  defaultValue?: string;
}): CardElement {
  return {
    tag: 'input',
    name: o.name,
    label: { tag: 'plain_text', content: o.label },
    label_position: 'top',
    ...(o.placeholder ? { placeholder: { tag: 'plain_text', content: o.placeholder } } : {}),
    ...(o.required ? { required: true } : {}),
    ...(o.multiline ? { input_type: 'multiline_text', rows: 3, auto_resize: true } : {}),
    max_length: o.maxLength ?? 1000,
    ...(o.defaultValue ? { default_value: clean(o.defaultValue, o.maxLength ?? 1000) } : {}),
  };
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
    ...(o.required ? { required: true } : {}),
  };
}

export function datePicker(o: {
  name: string;
  placeholder: string;
  initial?: string;
  required?: boolean;
}): CardElement {
  return {
    tag: 'date_picker',
    name: o.name,
    placeholder: { tag: 'plain_text', content: o.placeholder },
    ...(o.initial ? { initial_date: o.initial } : {}),
    ...(o.required ? { required: true } : {}),
  };
}

export function dateTimePicker(o: {
  name: string;
  placeholder: string;
  initial?: string;
  required?: boolean;
}): CardElement {
  return {
    tag: 'picker_datetime',
    name: o.name,
    placeholder: { tag: 'plain_text', content: o.placeholder },
    ...(o.initial ? { initial_datetime: o.initial } : {}),
    ...(o.required ? { required: true } : {}),
  };
}

/** A person picker; `openIds` empty means anyone in the chat. */
export function personPicker(o: {
  name: string;
  placeholder: string;
  openIds?: string[];
  multi?: boolean;
  required?: boolean;
}): CardElement {
  return {
    tag: o.multi ? 'multi_select_person' : 'select_person',
    name: o.name,
    placeholder: { tag: 'plain_text', content: o.placeholder },
    options: (o.openIds ?? []).map((value) => ({ value })),
    ...(o.required ? { required: true } : {}),
  };
}

export function person(openId: string): CardElement {
  return { tag: 'person', user_id: openId, size: 'small', show_name: true, show_avatar: true };
}

/** A table of strings (user text is shown as-is; table cells are not markdown). */
export function table(o: {
  columns: { name: string; title: string; width?: string }[];
  rows: Record<string, string | number>[];
  pageSize?: number;
}): CardElement {
  return {
    tag: 'table',
    page_size: o.pageSize ?? 10,
    row_height: 'low',
    header_style: { bold: true, background_style: 'grey' },
    columns: o.columns.map((c) => ({
      name: c.name,
      display_name: c.title,
      data_type: 'text',
      width: c.width ?? 'auto',
    })),
    rows: o.rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? clean(v, 300) : String(v)])),
    ),
  };
}

/** A list card with 上一页 / 下一页 buttons that call `action` with the filter and page. */
export function pagedListCard(v: {
  title: string;
  total: number;
  page: number;
  pages: number;
  /** Markdown lines (user text already escaped). */
  lines: string[];
  empty: string;
  hint: string;
  action: string;
  filterKey: string;
  orgId: number;
}): Card {
  const nav: CardElement[] = [];
  const go = (p: number) => ({ a: v.action, f: v.filterKey, p, o: v.orgId });
  if (v.page > 1) nav.push(button({ text: '上一页', value: go(v.page - 1) }));
  if (v.page < v.pages) nav.push(button({ text: '下一页', value: go(v.page + 1) }));
  return card({
    title: v.title,
    subtitle: `共 ${v.total} 项${v.pages > 1 ? `，第 ${v.page}/${v.pages} 页` : ''}`,
    template: 'blue',
    elements: [
      markdown(v.lines.join('\n\n') || v.empty),
      markdown(`<font color='grey'>${v.hint}</font>`, { size: 'notation' }),
      ...(nav.length > 0 ? [buttonRow(nav)] : []),
    ],
  });
}
