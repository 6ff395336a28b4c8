/**
 * The command parser: a message's text to a command word and argument tokens. Pure and total:
 * any string gives a command, "not a command" or a clear error, never a throw.
 *
 * Accepts `/` and `／`, full-width spaces, `，` and `：` as separators, quotes "…" “…” 「…」 ‘…’ to keep
 * phrases together, and `@_user_N` placeholders, which become mentions from the event's `mentions`.
 */
import type { ArgToken } from '../core/contracts.ts';

export interface MentionRef {
  key: string;
  openId: string | undefined;
  name: string;
}

export type ParsedText =
  | { kind: 'none' }
  | { kind: 'command'; word: string; explicit: boolean; tokens: ArgToken[] }
  | { kind: 'error'; message: string };

const MAX_LENGTH = 10_000;
const SEPARATOR = /[\s，：]/u;
const QUOTES: Record<string, string> = { '"': '"', '“': '”', '”': '”', '「': '」', '『': '』', "'": "'", '‘': '’' };
const MENTION_KEY = /^@_user_\d+/;

/** Lowercases ASCII and folds full-width forms (／ → /, Ａ → A) for matching names and aliases. */
export function normalizeWord(word: string): string {
  return word.normalize('NFKC').toLowerCase().replace(/^\//, '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the bot's own @mention(s). Until the bot's id is known (it is fetched with retries at
 * start-up), the mentions in front of the command — "@清风 /帮助", "@张三 @清风 /帮助" — are taken as
 * addressing the bot; a mention after the command word stays an argument.
 */
function stripBotMention(text: string, mentions: readonly MentionRef[], botOpenId: string | undefined): string {
  let out = text;
  const botKeys = botOpenId ? mentions.filter((m) => m.openId === botOpenId).map((m) => m.key) : [];
  if (!botOpenId) {
    const lead = /^(?:[\s\u3000]*@_user_\d+)+/u.exec(out)?.[0] ?? '';
    botKeys.push(...(lead.match(/@_user_\d+/g) ?? []));
  }
  for (const key of botKeys) out = out.replace(new RegExp(`${escapeRegExp(key)}(?!\\d)`, 'g'), ' ');
  return out;
}

/**
 * Whether a message is addressed to the bot: it @mentions the bot (before the bot's id is known, a
 * mention in front of the text counts, as in `stripBotMention`).
 */
export function mentionsBot(rawText: string, mentions: readonly MentionRef[], botOpenId: string | undefined): boolean {
  if (botOpenId) return mentions.some((m) => m.openId === botOpenId && rawText.includes(m.key));
  return /^[\s\u3000]*@_user_\d+/u.test(rawText);
}

/** The text as said, without the bot's mention (other mentions as `@name`), trimmed. */
export function spokenText(rawText: string, mentions: readonly MentionRef[], botOpenId: string | undefined): string {
  const byKey = new Map(mentions.map((m) => [m.key, m.name]));
  return stripBotMention(rawText, mentions, botOpenId)
    .replace(/@_user_\d+/g, (key) => (byKey.has(key) ? `@${byKey.get(key)}` : key))
    .replace(/^[\s\u3000]+|[\s\u3000]+$/gu, '');
}

export function parseCommandText(rawText: string, mentions: readonly MentionRef[], botOpenId?: string): ParsedText {
  if (rawText.length > MAX_LENGTH) return { kind: 'error', message: `命令太长（最多 ${MAX_LENGTH} 个字符）。` };
  const text = stripBotMention(rawText, mentions, botOpenId).replace(/^[\s\u3000]+|[\s\u3000]+$/gu, '');
  if (!text) return { kind: 'none' };

  const explicit = text.startsWith('/') || text.startsWith('／');
  const body = explicit ? text.slice(1) : text;
  let i = 0;
  while (i < body.length && !SEPARATOR.test(body[i] as string) && !(i > 0 && MENTION_KEY.test(body.slice(i)))) i++;
  const word = normalizeWord(body.slice(0, i));
  if (!word) {
    return explicit ? { kind: 'error', message: '斜杠后面需要命令名，例如 /帮助。' } : { kind: 'none' };
  }
  const tokens = tokenize(body.slice(i), mentions);
  if (typeof tokens === 'string') return { kind: 'error', message: tokens };
  return { kind: 'command', word, explicit, tokens };
}

/** Splits the argument text; returns an error message for an unclosed quote. */
function tokenize(s: string, mentions: readonly MentionRef[]): ArgToken[] | string {
  const byKey = new Map(mentions.map((m) => [m.key, m]));
  const tailFrom = (start: number) =>
    s
      .slice(start)
      .replace(/@_user_\d+/g, (key) => {
        const m = byKey.get(key);
        return m ? `@${m.name}` : key;
      })
      .replace(/[\s\u3000]+$/u, '');
  const tokens: ArgToken[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (SEPARATOR.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const close = QUOTES[c];
    if (close) {
      const end = s.indexOf(close, i + 1);
      if (end < 0) return `引号没有成对：${c} 缺少对应的 ${close}。`;
      const quoted = s.slice(i + 1, end);
      if (quoted.trim() !== '') tokens.push({ kind: 'word', text: quoted, tail: tailFrom(start) });
      i = end + 1;
      continue;
    }
    const key = MENTION_KEY.exec(s.slice(i))?.[0];
    if (key) {
      const m = byKey.get(key);
      if (m?.openId) tokens.push({ kind: 'mention', openId: m.openId, name: m.name, tail: tailFrom(start) });
      else tokens.push({ kind: 'word', text: m ? `@${m.name}` : key, tail: tailFrom(start) });
      i += key.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SEPARATOR.test(s[j] as string) && !(j > i && MENTION_KEY.test(s.slice(j)))) j++;
    tokens.push({ kind: 'word', text: s.slice(i, j), tail: tailFrom(start) });
    i = j;
  }
  return tokens;
}

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev = Array.from({ length: y.length + 1 }, (_, k) => k);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[y.length] as number;
}
