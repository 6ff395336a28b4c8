/**
 * Showing user text safely. Everything a user typed (names, problem descriptions, reasons) passes
 * through these before it enters a card or a text message, so it can never @all, inject markup,
 * break the card JSON or run in the console.
 */

// C0/C1 controls (except tab and newline), zero-width and bidi controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** Removes invisible and control characters and cuts to `max` characters (with an ellipsis). */
export function clean(s: string, max = 2000): string {
  const t = s.replace(INVISIBLE, '').replace(/\r\n?/g, '\n');
  const chars = Array.from(t);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : t;
}

const MD_SPECIAL: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
};

/**
 * User text as a literal inside card markdown: no mention, tag, link or emphasis survives.
 * (Long free text is better shown with `plain_text`, see `parts.ts`, which Feishu never parses.)
 */
export function md(s: string, max = 2000): string {
  return clean(s, max)
    .replace(/[&<>*_~`[\]]/g, (c) => MD_SPECIAL[c] as string)
    .replace(
      /^(\s*)(#|[-+]|\d+\.)/gm,
      (_m, sp: string, mark: string) =>
        `${sp}${mark.replace('#', '&#35;').replace('-', '&#45;').replace('+', '&#43;').replace('.', '&#46;')}`,
    );
}

/** User text inside a plain text message: only `<at>` tags are markup there, so angle brackets go. */
export function plain(s: string, max = 2000): string {
  return clean(s, max).replace(/</g, '＜').replace(/>/g, '＞').replace(/\[/g, '［').replace(/\]/g, '］');
}

const OPEN_ID = /^ou_[A-Za-z0-9_-]+$/;

/** A mention in card markdown. Only real open_ids; anything else (all, ids with markup) is dropped. */
export function mdMention(openId: string): string {
  return OPEN_ID.test(openId) ? `<at id=${openId}></at>` : '';
}

/**
 * Markup the bot itself wrote for a text message (a mention of a real open_id). `textMessage` and
 * `safeText` keep it as it is; every other value they interpolate is escaped.
 */
export class TextMarkup {
  /** Only `TextMarkup.mention` makes one, so stored text can never pass for the bot's own markup. */
  private constructor(readonly markup: string) {}
  static mention(openId: string, name: string): TextMarkup {
    return new TextMarkup(OPEN_ID.test(openId) ? `<at user_id="${openId}">${plain(name, 50)}</at>` : plain(name, 50));
  }
  toString(): string {
    return this.markup;
  }
}

/** A mention in a text message (only of a real open_id; anything else is just the escaped name). */
export function textMention(openId: string, name: string): TextMarkup {
  return TextMarkup.mention(openId, name);
}

/** A value a text message may show: text (always escaped), a number, or the bot's own markup. */
export type TextPart = string | number | TextMarkup;

function escapeParts(strings: TemplateStringsArray, values: readonly TextPart[]): string {
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += v instanceof TextMarkup ? v.markup : typeof v === 'number' ? String(v) : plain(v, Number.POSITIVE_INFINITY);
    out += strings[i + 1] as string;
  });
  return out;
}

/**
 * The text of a text message, as a tagged template: every interpolated string is shown literally
 * (`plain`: no `<at>` tag, link or style survives, whatever was stored), numbers as they are, and
 * only `TextMarkup` (a mention made by `textMention`) stays markup. Cut values with `clip` or
 * `plain(s, n)` first where a limit matters. Feature code builds text messages only this way or from
 * constant strings (test/architecture.test.ts).
 */
export function safeText(strings: TemplateStringsArray, ...values: TextPart[]): string {
  return escapeParts(strings, values);
}

/** A text message built like `safeText`: `textMessage\`已取消“${title}”。\`` */
export function textMessage(strings: TemplateStringsArray, ...values: TextPart[]): { type: 'text'; text: string } {
  return { type: 'text', text: escapeParts(strings, values) };
}

export function isOpenId(s: string): boolean {
  return OPEN_ID.test(s);
}

/** Moved to core so the rules in `domain/` clip history text the same way; re-exported for the builders. */
export { clip } from '../core/text.ts';
