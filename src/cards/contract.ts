/**
 * Typed card contracts. A card action is declared once, with `cardAction(id, { value, form })`, in
 * its feature's `contracts.ts` (src/features/<name>/); the card builder draws its buttons with
 * `contract.button(…)` and names its inputs with `contract.fields.<name>`, and the command handles it with
 * `contract.define({ roles, handle(ctx, value, form) })`, getting the value and the form parsed by the
 * same schemas. Renaming an action id, a value key or a form field is then a compile error on both
 * sides, and what a button carries is exactly what its handler parses.
 *
 * On the wire a button carries `{ v: 1, a: <id>, …value, o: <org id> }` (see `button` in parts.ts):
 * the router reads `a`, `v` and `o` itself and parses the rest with the value schema. Pure: no I/O.
 */
import { z } from 'zod';
import type { ActionAnswer, Card, CardElement } from '../core/card.ts';
import {
  type ActionContext,
  type ActionModule,
  defineAction,
  type FormValues,
  type OrgRequirement,
  type RoleRequirement,
} from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { type ActionValue, type ButtonOptions, button, readLongText } from './parts.ts';

/** What a value key may carry on the wire. */
type Wire = string | number | boolean;
/** Keys the router reads itself: the action id, the card version, the org. */
const RESERVED = ['a', 'v', 'o'] as const;

/** A button value's schema, key by key; each key parses to a string, number or boolean. */
export type ValueShape = Record<string, z.ZodType<Wire | undefined>>;
/** A form's schema, input name by input name (see `formText`, `formList`, `formLongText`). */
export type FormShape = Record<string, z.ZodType>;

export type ValueOf<VS extends ValueShape> = z.output<z.ZodObject<VS>>;
export type FormOf<FS extends FormShape> = z.output<z.ZodObject<FS>>;

/** How a contract's handler is written: as `defineAction`, with the form parsed too. */
export interface CardActionSpec<V, F, O extends OrgRequirement> {
  roles: RoleRequirement;
  /** `required`: refused without an org; the handler's `ctx.org` is then an `Org`. Default `optional`. */
  org?: O;
  /** See `ActionSpec.anonymous`. */
  anonymous?: boolean;
  handle(ctx: ActionContext<O>, value: V, form: F): Promise<ActionAnswer>;
}

/** A handler made by `contract.define`: what the router runs, with its id and contract. */
export type DefinedAction<Id extends string = string> = ActionModule & {
  readonly id: Id;
  // biome-ignore lint/suspicious/noExplicitAny: a handler of any contract
  readonly contract: CardAction<Id, any, any>;
};

/** A button's look (everything but its value), and the org it acts in (`o`; none for a card outside an org). */
export type ButtonLook = Omit<ButtonOptions, 'value'> & { org: number | undefined };

export interface CardAction<Id extends string, VS extends ValueShape, FS extends FormShape> {
  readonly id: Id;
  /** Parses a button's value (without `a`, `v`, `o`). */
  readonly value: z.ZodObject<VS>;
  /** Parses the submitted form (long texts already joined). */
  readonly form: z.ZodObject<FS>;
  /** The input names of the form, for the card builder: `contract.fields.reason` is `'reason'`. */
  readonly fields: { readonly [K in keyof FS & string]: K };
  /** The value a button carries: `{ a: id, …value, o: org }` (keys whose value is undefined left out). */
  payload(value: ValueOf<VS>, org: number | undefined): ActionValue;
  /** A button that calls this action with `value`. */
  button(look: ButtonLook, value: ValueOf<VS>): CardElement;
  /** The handler, registered in the command's `actions` with `actionsOf`. */
  define<O extends OrgRequirement = 'optional'>(spec: CardActionSpec<ValueOf<VS>, FormOf<FS>, O>): DefinedAction<Id>;
}

/** A contract without a value or a form. */
type NoKeys = Record<never, never>;

/** Long-text fields and their number of inputs (`name`, `name_2`, …; see `longTextInputs`). */
const longTexts = new WeakMap<z.ZodType, number>();

/** A text input or a single select: the trimmed string, `''` when absent or not a string. */
export const formText = () =>
  z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v.trim() : ''));

/**
 * A multi-select (people, options): the values as strings. `single: true` also takes a lone string
 * (trimmed; none when empty), as a single select sends.
 */
export const formList = (o: { single?: boolean } = {}) =>
  z
    .unknown()
    .optional()
    .transform((v): string[] => {
      if (Array.isArray(v)) return v.map(String);
      const one = o.single && typeof v === 'string' ? v.trim() : '';
      return one ? [one] : [];
    });

/** A text spread over `parts` inputs by `longTextInputs`: the non-empty parts, trimmed, joined by line breaks. */
export function formLongText(parts: number) {
  const schema = z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v : ''));
  longTexts.set(schema, parts);
  return schema;
}

/**
 * Declares a card action: its id (`<command>.<verb>`), the value its buttons carry and the form it
 * reads. Value keys are short (they travel in every card) and never `a`, `v` or `o`.
 */
export function cardAction<Id extends string, VS extends ValueShape = NoKeys, FS extends FormShape = NoKeys>(
  id: Id,
  schemas: { value?: VS; form?: FS } = {},
): CardAction<Id, VS, FS> {
  const valueShape = (schemas.value ?? {}) as VS;
  const formShape = (schemas.form ?? {}) as FS;
  for (const k of RESERVED)
    if (k in valueShape) throw new Error(`card action ${id}: value key "${k}" is reserved for the router`);
  const value = z.object(valueShape);
  const form = z.object(formShape);
  const fields = Object.fromEntries(Object.keys(formShape).map((k) => [k, k])) as CardAction<Id, VS, FS>['fields'];

  const parseForm = (raw: FormValues): FormOf<FS> => {
    const joined: FormValues = { ...raw };
    for (const [name, schema] of Object.entries(formShape)) {
      const parts = longTexts.get(schema);
      if (parts !== undefined) joined[name] = readLongText(raw, name, parts);
    }
    const parsed = form.safeParse(joined);
    if (!parsed.success) throw new UserError('bad_args', '表单内容无法识别，请重新填写。');
    return parsed.data;
  };

  const contract: CardAction<Id, VS, FS> = {
    id,
    value,
    form,
    fields,
    payload(v, org) {
      const out: ActionValue = { a: id };
      for (const [k, x] of Object.entries(v as Record<string, Wire | undefined>)) if (x !== undefined) out[k] = x;
      if (org !== undefined) out.o = org;
      return out;
    },
    button({ org, ...look }, v) {
      return button({ ...look, value: contract.payload(v, org) });
    },
    define<O extends OrgRequirement = 'optional'>(spec: CardActionSpec<ValueOf<VS>, FormOf<FS>, O>) {
      const handler = defineAction<ValueOf<VS>, O>({
        value,
        roles: spec.roles,
        ...(spec.org ? { org: spec.org } : {}),
        ...(spec.anonymous ? { anonymous: true } : {}),
        handle: async (ctx, v, raw) => spec.handle(ctx, v, parseForm(raw)),
      });
      return Object.assign(handler, { id, contract });
    },
  };
  return contract;
}

/** The value of a list's 上一页 / 下一页 buttons: the filter and the page. */
export const pageValue = {
  f: z.string().max(80),
  p: z.coerce.number().int().min(1).max(10_000),
};

/** A command's `actions`, keyed by their contracts' ids (no id is spelled twice). */
export function actionsOf(...defined: DefinedAction[]): Record<string, ActionModule> {
  const out: Record<string, ActionModule> = {};
  for (const d of defined) {
    if (d.id in out) throw new Error(`card action ${d.id} is defined twice`);
    out[d.id] = d;
  }
  return out;
}

/**
 * The answer to a button that opens a form on a card: 取消 (`view`) draws the card again for everyone
 * who has it; a form is the clicker's alone (in a group it goes to their private chat).
 */
export function answerForm<M extends string>(mode: M, draw: (mode: M) => Card): ActionAnswer {
  return mode === 'view' ? { card: draw(mode) } : { personal: draw(mode) };
}

/**
 * A click carrying a version older than the row's (locked first: src/db/repositories/versioned.ts)
 * answers with the current card instead of acting; undefined when the click is current.
 */
export async function staleClick(
  row: { version: number },
  clickedVersion: number,
  subject: string,
  draw: () => Promise<Card>,
): Promise<{ toast: { type: 'warning'; content: string }; card: Card } | undefined> {
  if (row.version === clickedVersion) return undefined;
  return {
    toast: { type: 'warning', content: `${subject}已有更新，卡片已刷新为最新状态，请确认后再操作。` },
    card: await draw(),
  };
}
