/**
 * Card clicks: what the Feishu client lets a person press on a card, the `card.action.trigger`
 * callback it sends, and the bot's answer (toast, new card) applied as Feishu would.
 */

import { randomBytes } from 'node:crypto';
import { cardComponents, checkCardObject, descendants, formActionOf, requestBodyBytes } from '../card-check.ts';
import type { EmuMessage } from '../store.ts';
import type { Events } from './events.ts';
import { type CallbackResult, type Core, EmulatorInputError } from './types.ts';
import type { World } from './world.ts';

/** A card callback's token (for delayed updates): the card it belongs to, how often used, when issued. */
export type CallbackTokens = Map<string, { messageId: string; uses: number; at: number }>;

export interface ClickOptions {
  messageId: string;
  from: string;
  value: unknown;
  formValue?: Record<string, unknown>;
  name?: string;
  tag?: string;
  /** Outside forms: a select's or picker's choice, a multi-select's choices, an input's text, a checker. */
  option?: string;
  options?: string[];
  inputValue?: string;
  checked?: boolean;
  /**
   * Deliver the callback even though the client would not send it (no such component on the card,
   * a required field empty): a forged or replayed callback, for tests of the bot's own checks.
   */
  bypassClient?: boolean;
}

export class Clicks {
  constructor(
    private readonly core: Core,
    private readonly world: World,
    private readonly events: Events,
    private readonly callbackTokens: CallbackTokens,
  ) {}

  /**
   * A user presses a button (or submits a form) on a card. `value` is the button's callback value;
   * `formValue` the form's fields. Resolves with the bot's answer, which is applied to the card.
   */
  async click(o: ClickOptions): Promise<CallbackResult> {
    const msg = this.world.requireMessage(o.messageId);
    const user = this.world.requireUser(o.from);
    if (!this.world.requireChat(msg.chatId).members.includes(user.openId)) {
      throw new EmulatorInputError(`${user.name} is not in the chat of this card`);
    }
    if (!o.bypassClient) this.checkClickable(msg, o);
    const token = `c-${randomBytes(16).toString('hex')}`;
    this.callbackTokens.set(token, { messageId: msg.messageId, uses: 0, at: this.core.o.wallClock.now().getTime() });
    const ack = await this.events.deliver(
      'card.action.trigger',
      {
        operator: { tenant_key: this.core.tenantKey, open_id: o.from, union_id: `on_${o.from.slice(3)}` },
        token,
        action: {
          value: o.value,
          tag: o.tag ?? 'button',
          ...(o.name ? { name: o.name } : {}),
          ...(o.formValue ? { form_value: o.formValue } : {}),
          ...(o.option !== undefined ? { option: o.option } : {}),
          ...(o.options !== undefined ? { options: o.options } : {}),
          ...(o.inputValue !== undefined ? { input_value: o.inputValue } : {}),
          ...(o.checked !== undefined ? { checked: o.checked } : {}),
          timezone: 'Asia/Shanghai',
        },
        host: 'im_message',
        context: { open_message_id: msg.messageId, open_chat_id: msg.chatId },
      },
      { card: true },
    );
    if (!ack) return { error: '200341: 回调超时' };
    if (ack.code !== 200) return { error: `200671: 回调返回 ${ack.code}` };
    const answer = (ack.body ?? {}) as { toast?: CallbackResult['toast']; card?: { type?: string; data?: unknown } };
    const result: CallbackResult = {};
    if (answer.toast) result.toast = answer.toast;
    if (answer.card?.type === 'raw' && answer.card.data) {
      const content = JSON.stringify(answer.card.data);
      // The answered card replaces the message like a PATCH does: measured as a body `{content}`.
      const problem = checkCardObject(answer.card.data, { bodyBytes: requestBodyBytes(content, {}) });
      if (problem) return { error: `200673: ${problem.code} ${problem.message}` };
      this.world.replaceCard(msg, content);
      result.card = answer.card.data;
    }
    return result;
  }

  /**
   * What the Feishu client lets a person do on a card: press only a component the card shows now
   * (matched by tag, callback value and, when given, name; not a disabled one), send `form_value`
   * only with a form's submit button, and submit a form only when its required fields are filled
   * (the client checks `required` before sending; multi_select_* are required unless
   * `required: false`). Anything else is refused with an EmulatorInputError, as the client would.
   */
  private checkClickable(
    msg: EmuMessage,
    o: { value: unknown; name?: string; tag?: string; formValue?: Record<string, unknown> },
  ): void {
    if (msg.msgType !== 'interactive' || msg.recalled) {
      throw new EmulatorInputError('only a card that is still there can be clicked');
    }
    let card: unknown;
    try {
      card = JSON.parse(msg.content);
    } catch {
      throw new EmulatorInputError('the card content is not JSON');
    }
    const tag = o.tag ?? 'button';
    const all = cardComponents(card);
    const matching = all.filter(
      (c) => c.tag === tag && sameValue(callbackValueOf(c), o.value) && (!o.name || c.name === o.name),
    );
    const enabled = matching.filter((c) => c.disabled !== true);
    const what = `${tag} ${JSON.stringify(o.value ?? {})}${o.name ? ` named "${o.name}"` : ''}`;
    if (matching.length === 0) {
      throw new EmulatorInputError(`the card has no ${what} as it is now; the client cannot press it`);
    }
    const target = enabled[0];
    if (!target) throw new EmulatorInputError(`the ${what} is disabled; the client cannot press it`);
    const form = all.find((f) => f.tag === 'form' && descendants(f).includes(target));
    const submits = form !== undefined && tag === 'button' && formActionOf(target) === 'submit';
    if (o.formValue !== undefined && !submits) {
      throw new EmulatorInputError(`form_value comes only with a form's submit button, not with the ${what}`);
    }
    if (!submits || !form) return;
    const values = o.formValue ?? {};
    const missing = descendants(form)
      .filter((f) => typeof f.name === 'string' && isRequiredField(f))
      .filter((f) => !filled(values[f.name as string]) && !hasInitialValue(f))
      .map((f) => `${fieldTitle(f)} (${f.name as string})`);
    if (missing.length > 0) {
      throw new EmulatorInputError(`有必填项未填写：${missing.join('、')}: the client does not submit the form`);
    }
  }
}

type Component = Record<string, unknown>;

/** A component's callback value: its `callback` behavior's value, or the legacy `value`. */
function callbackValueOf(c: Component): unknown {
  const behaviors = Array.isArray(c.behaviors) ? (c.behaviors as Component[]) : [];
  const cb = behaviors.find((b) => b && b.type === 'callback');
  return cb ? cb.value : c.value;
}

/** Equal as JSON values (object key order ignored); undefined, null and {} all mean "no value". */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (v === undefined || v === null) return {};
    if (Array.isArray(v)) return v.map(norm);
    if (typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Component)
          .sort()
          .map((k) => [k, norm((v as Component)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/**
 * What a person knows a form field by, and so how a missing one is named: its label, else its
 * placeholder (pickers and selects have no label in card JSON 2.0), else — a card bug — its id.
 */
export function fieldTitle(f: Component): string {
  const text = (t: unknown) =>
    t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string'
      ? (t as { content: string }).content
      : '';
  return text(f.label) || text(f.placeholder) || String(f.name ?? '');
}

/** Whether the client makes a form field required: `required: true`, or a multi-select not marked `false`. */
function isRequiredField(f: Component): boolean {
  if (f.tag === 'multi_select_static' || f.tag === 'multi_select_person') return f.required !== false;
  return f.required === true;
}

/** Whether the client counts a field as filled (it does not trim: spaces count). */
function filled(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** A field the client shows already filled (and submits as such) without the person typing. */
function hasInitialValue(f: Component): boolean {
  return [
    f.default_value,
    f.initial_option,
    f.initial_index,
    f.selected_values,
    f.initial_date,
    f.initial_time,
    f.initial_datetime,
  ].some(filled);
}
