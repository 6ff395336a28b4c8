/** Card sizes as Feishu measures them: the request body and the tagged objects. */

import type { El } from './limits.ts';

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

/**
 * A card's rendered height on a phone, estimated line by line (how tall a card is, not whether it
 * is valid): the header (title, subtitle), each markdown or text line wrapped at the card's width
 * (a CJK character one em, other characters about half), buttons flowing into rows, columns side
 * by side (the tallest counts), a collapsed panel its header only, gaps between elements. The
 * figures are Feishu's mobile card at 14 px text with 22 px lines; close enough to tell "one
 * screen" from "three screens", not a pixel-exact rendering.
 */
export interface HeightOptions {
  /** Screen width in px (the card is this minus the chat's side margins). Default 375 (a phone). */
  width?: number;
}

const H = {
  sideMargins: 32, // the chat's margins left and right of the card
  padding: 12, // the card body's padding (each side, and top and bottom)
  gap: 12, // between the body's elements
  headerPad: 24, // the header's padding, top and bottom together
  titleLine: 24,
  subtitleLine: 20,
  line: 22, // a 14 px text line
  noteLine: 18, // a 12 px (notation) line
  paragraph: 8, // an empty line in markdown
  button: 32,
  buttonPad: 32, // a button's padding, left and right together
  buttonGap: 8,
  panelHeader: 40,
  hr: 1,
  input: 36,
  label: 22,
  tableRow: 36,
  person: 28,
} as const;

/** Width in px of a text at `em` px: CJK and full-width characters one em, others about half. */
function textWidth(s: string, em: number): number {
  let w = 0;
  for (const ch of s)
    w += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch) ? em : em * 0.55;
  return w;
}

/** Markdown as the reader sees it: tags, emphasis and link targets removed. */
function visibleText(md: string): string {
  return md
    .replace(/<[^>]+>/g, '')
    .replace(/\*\*|__|~~|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/** Lines of text at `width` px, each source line wrapped; an empty line counts as a paragraph gap. */
function textHeight(text: string, width: number, small: boolean): number {
  const em = small ? 12 : 14;
  const line = small ? H.noteLine : H.line;
  let h = 0;
  for (const l of visibleText(text).split('\n')) {
    if (l.trim() === '') h += H.paragraph;
    else h += Math.max(1, Math.ceil(textWidth(l, em) / width)) * line;
  }
  return h;
}

function stack(heights: number[]): number {
  return heights.length === 0 ? 0 : heights.reduce((a, b) => a + b, 0) + H.gap * (heights.length - 1);
}

function elementHeight(el: El, width: number): number {
  const text = (o: unknown) => (isRecord(o) && typeof o.content === 'string' ? o.content : '');
  switch (el.tag) {
    case 'markdown':
      return textHeight(typeof el.content === 'string' ? el.content : '', width, el.text_size === 'notation');
    case 'div':
      return textHeight(text(el.text), width, false);
    case 'hr':
      return H.hr;
    case 'button':
      return H.button;
    case 'person':
    case 'person_list':
      return H.person;
    case 'collapsible_panel': {
      if (el.expanded !== true) return H.panelHeader;
      return H.panelHeader + H.gap + stack(children(el).map((c) => elementHeight(c, width - 2 * H.padding)));
    }
    case 'form':
    case 'interactive_container':
      return stack(children(el).map((c) => elementHeight(c, width)));
    case 'column_set':
      return columnSetHeight(el, width);
    case 'input':
      return H.input + (el.label ? H.label : 0) + (el.input_type === 'multiline_text' ? H.line * 2 : 0);
    case 'table': {
      const rows = Array.isArray(el.rows) ? el.rows.length : 0;
      const page = typeof el.page_size === 'number' ? el.page_size : 10;
      return H.tableRow * (1 + Math.min(rows, page)) + (rows > page ? H.button : 0);
    }
    case 'chart':
      return Math.round((width * 3) / 4);
    case 'img':
      return Math.round((width * 9) / 16);
    default:
      // Selects, pickers, overflow and other one-line controls.
      return H.input;
  }
}

/** Buttons in a flowing column set wrap into rows; other column sets are as tall as their tallest column. */
function columnSetHeight(el: El, width: number): number {
  const cols = (Array.isArray(el.columns) ? el.columns : []).filter(isRecord) as El[];
  const onlyButtons = cols.every((c) => children(c).every((x) => x.tag === 'button'));
  if (el.flex_mode === 'flow' || onlyButtons) {
    let rows = cols.length > 0 ? 1 : 0;
    let used = 0;
    for (const c of cols) {
      const w =
        children(c).reduce((sum, b) => {
          const label = isRecord(b.text) && typeof b.text.content === 'string' ? b.text.content : '';
          return sum + textWidth(label, 14) + H.buttonPad;
        }, 0) || 0;
      if (used > 0 && used + H.buttonGap + w > width) {
        rows++;
        used = w;
      } else used += (used > 0 ? H.buttonGap : 0) + w;
    }
    return rows * H.button + Math.max(0, rows - 1) * H.buttonGap;
  }
  const colWidth = cols.length > 0 ? width / cols.length : width;
  return Math.max(0, ...cols.map((c) => stack(children(c).map((x) => elementHeight(x, colWidth)))));
}

function isRecord(x: unknown): x is El {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function children(el: El): El[] {
  return (Array.isArray(el.elements) ? el.elements : []).filter(isRecord) as El[];
}

/** The estimated height in px of a JSON 2.0 card on a screen `width` px wide (see `HeightOptions`). */
export function cardHeight(card: unknown, o: HeightOptions = {}): number {
  const c = (typeof card === 'string' ? JSON.parse(card) : card) as El;
  const cardWidth = (o.width ?? 375) - H.sideMargins;
  const inner = cardWidth - 2 * H.padding;
  const header = isRecord(c.header) ? c.header : undefined;
  const headerHeight = header
    ? H.headerPad + H.titleLine + (isRecord(header.subtitle) && header.subtitle.content ? H.subtitleLine : 0)
    : 0;
  const body = isRecord(c.body) ? children(c.body) : [];
  return headerHeight + 2 * H.padding + stack(body.map((e) => elementHeight(e, inner)));
}
