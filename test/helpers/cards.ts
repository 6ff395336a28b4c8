/** Reading the cards the bot sent, as a person would: their buttons, their text, their title. */
import type { EmuMessage } from '../../src/sandbox/store.ts';

export interface Btn {
  text: string;
  /** The callback value sent when the button is pressed. */
  value: Record<string, unknown>;
  /** The button's name, which Feishu sends back with a form submission. */
  name: string | undefined;
  confirm: { title?: { content?: string } } | undefined;
}

/** The buttons of a card message, with their callback value and confirmation. */
export function buttons(m: Pick<EmuMessage, 'content'>): Btn[] {
  const out: Btn[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'button') {
        const b = (o.behaviors as { value: Record<string, unknown> }[] | undefined)?.[0];
        out.push({
          text: (o.text as { content: string }).content,
          value: b?.value ?? {},
          name: typeof o.name === 'string' ? o.name : undefined,
          confirm: o.confirm as Btn['confirm'],
        });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(m.content));
  return out;
}

/** The button with this text (or matching this pattern), if the card has one (for `waitFor`). */
export function findButton(m: Pick<EmuMessage, 'content'>, text: string | RegExp): Btn | undefined {
  return buttons(m).find((x) => (typeof text === 'string' ? x.text === text : text.test(x.text)));
}

/** The button with this text (or matching this pattern); throws when the card has none. */
export function button(m: Pick<EmuMessage, 'content'>, text: string | RegExp): Btn {
  const b = findButton(m, text);
  if (!b) throw new Error(`no button ${text} in ${m.content.slice(0, 300)}`);
  return b;
}

/** Every text shown on a card (title, markdown, plain text, options), one per line. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.content === 'string') out.push(o.content);
      Object.values(o).forEach(walk);
    }
  };
  walk(typeof card === 'string' ? JSON.parse(card) : card);
  return out.join('\n');
}

export const cardTitle = (m: EmuMessage): string | undefined =>
  m.msgType === 'interactive'
    ? (JSON.parse(m.content) as { header?: { title?: { content?: string } } }).header?.title?.content
    : undefined;
