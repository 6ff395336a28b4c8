/**
 * Inbound events, normalised. The SDK's EventDispatcher hands handlers a flattened object
 * (`{ event_id, event_type, …header, …event }`, docs/feishu-platform.md §1.5); these zod schemas read it the same
 * way for both transports and reject what does not parse.
 */
import { z } from 'zod';
import type { MentionRef } from '../router/parse.ts';

const userId = z.object({ open_id: z.string().optional() }).passthrough();

const messageEvent = z.object({
  event_id: z.string().optional(),
  sender: z.object({ sender_id: userId.optional(), sender_type: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string().optional().default(''),
    create_time: z.string().optional(),
    mentions: z
      .array(z.object({ key: z.string(), id: userId.optional(), name: z.string().optional().default('') }))
      .optional()
      .default([]),
  }),
});

export interface InboundMessage {
  eventId: string | undefined;
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  senderType: string;
  messageType: string;
  /** For text messages, and rich-text (post) messages as plain text. */
  text: string | undefined;
  /** For file messages. */
  file: { fileKey: string; fileName: string } | undefined;
  mentions: MentionRef[];
}

function parseContent(content: string): Record<string, unknown> {
  try {
    const v = JSON.parse(content) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The plain text of a rich-text (post) message as the event delivers it (接收消息内容结构: no language
 * key, `{"title", "content": [[element…]…]}`; an `at` element carries the `@_user_N` key that
 * `mentions` resolves, like text). Each paragraph becomes a line; text, links and code keep their
 * text, mentions their key; images, media and emoji drop out. A language-keyed body (`zh_cn` …, the
 * sending shape) is read too. Undefined when the content is no post.
 */
export function postText(content: Record<string, unknown>): string | undefined {
  let body: Record<string, unknown> = content;
  if (!Array.isArray(body.content)) {
    const lang = Object.values(content).find(
      (v): v is Record<string, unknown> =>
        !!v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content),
    );
    if (!lang) return undefined;
    body = lang;
  }
  const lines: string[] = [];
  for (const paragraph of body.content as unknown[]) {
    if (!Array.isArray(paragraph)) continue;
    let line = '';
    for (const el of paragraph) {
      if (!el || typeof el !== 'object') continue;
      const e = el as { tag?: unknown; text?: unknown; user_id?: unknown; user_name?: unknown };
      if (e.tag === 'at') {
        // `@_user_N` (or `@_all`), spaced so it never runs into the word next to it; a raw id is not
        // a mention key the parser could resolve, so only the name is kept.
        const id = typeof e.user_id === 'string' ? e.user_id : '';
        line += id.startsWith('@_') ? ` ${id} ` : ` @${typeof e.user_name === 'string' ? e.user_name : ''} `;
      } else if (typeof e.text === 'string' && e.tag !== 'img' && e.tag !== 'media' && e.tag !== 'emotion') {
        line += e.text;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}

function messageText(type: string, content: Record<string, unknown>): string | undefined {
  if (type === 'text') return typeof content.text === 'string' ? content.text : undefined;
  if (type === 'post') return postText(content);
  return undefined;
}

export function normalizeMessage(data: unknown): InboundMessage | undefined {
  const r = messageEvent.safeParse(data);
  if (!r.success) return undefined;
  const { sender, message } = r.data;
  const content = parseContent(message.content);
  const openId = sender.sender_id?.open_id;
  if (!openId) return undefined;
  return {
    eventId: r.data.event_id,
    messageId: message.message_id,
    chatId: message.chat_id,
    chatType: message.chat_type === 'p2p' ? 'p2p' : 'group',
    senderOpenId: openId,
    senderType: sender.sender_type ?? 'user',
    messageType: message.message_type,
    text: messageText(message.message_type, content),
    file:
      message.message_type === 'file' && typeof content.file_key === 'string'
        ? { fileKey: content.file_key, fileName: typeof content.file_name === 'string' ? content.file_name : '' }
        : undefined,
    mentions: message.mentions.map((m) => ({ key: m.key, openId: m.id?.open_id, name: m.name })),
  };
}

const cardActionEvent = z.object({
  event_id: z.string().min(1),
  operator: z.object({ open_id: z.string().min(1) }).passthrough(),
  token: z.string().optional(),
  action: z
    .object({
      value: z.unknown().optional(),
      tag: z.string().optional(),
      name: z.string().optional(),
      form_value: z.record(z.string(), z.unknown()).optional(),
      option: z.string().optional(),
      input_value: z.string().optional(),
    })
    .passthrough(),
  context: z
    .object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() })
    .passthrough()
    .optional(),
});

export interface InboundCardAction {
  eventId: string;
  operatorOpenId: string;
  value: Record<string, unknown>;
  formValue: Record<string, unknown>;
  chatId: string | undefined;
  messageId: string | undefined;
}

export function normalizeCardAction(data: unknown): InboundCardAction | undefined {
  const r = cardActionEvent.safeParse(data);
  if (!r.success) return undefined;
  const { action } = r.data;
  let value: unknown = action.value;
  if (typeof value === 'string') value = parseContent(value);
  const formValue = { ...(action.form_value ?? {}) };
  if (action.name && action.option !== undefined) formValue[action.name] = action.option;
  if (action.name && action.input_value !== undefined) formValue[action.name] = action.input_value;
  return {
    eventId: r.data.event_id,
    operatorOpenId: r.data.operator.open_id,
    value: value && typeof value === 'object' ? (value as Record<string, unknown>) : {},
    formValue,
    chatId: r.data.context?.open_chat_id,
    messageId: r.data.context?.open_message_id,
  };
}

const chatMemberEvent = z.object({
  event_id: z.string().min(1),
  chat_id: z.string().min(1),
  operator_id: userId.optional(),
  name: z.string().optional(),
  users: z
    .array(z.object({ name: z.string().optional().default(''), user_id: userId.optional() }))
    .optional()
    .default([]),
});

export interface InboundChatMembers {
  eventId: string;
  chatId: string;
  chatName: string | undefined;
  operatorOpenId: string | undefined;
  users: { openId: string; name: string }[];
}

/**
 * The chat-member events, all of one shape: `im.chat.member.bot.added_v1`, `im.chat.member.user.added_v1`,
 * `…user.deleted_v1` (removed from the group, or left it) and `…user.withdrawn_v1` (an invitation withdrawn).
 */
export function normalizeChatMembers(data: unknown): InboundChatMembers | undefined {
  const r = chatMemberEvent.safeParse(data);
  if (!r.success) return undefined;
  return {
    eventId: r.data.event_id,
    chatId: r.data.chat_id,
    chatName: r.data.name,
    operatorOpenId: r.data.operator_id?.open_id,
    users: r.data.users.flatMap((u) => (u.user_id?.open_id ? [{ openId: u.user_id.open_id, name: u.name }] : [])),
  };
}
