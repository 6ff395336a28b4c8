/**
 * Plain Chinese, always: every text, card, toast and file the bot shows a person in a test is read as
 * that person reads it, and anything that is not plain Chinese is listed — English words, field ids
 * (snake_case), platform keys (file_v3_…, ou_…, oc_…, om_…), JSON and stack traces, a form field the
 * client can only name by its id, a file without its name, or a file that arrives before the message
 * announcing it. The e2e harness (bot.ts) runs it when it stops.
 *
 * Only what the bot wrote is judged: a word the test's people typed, picked or sent (texts, form
 * values, file and chat names, user names) may come back in the bot's answers, so such words are
 * taken out first.
 */

import { FORM_FIELDS } from '../../src/sandbox/card-check/allow-lists.ts';
import { fieldTitle } from '../../src/sandbox/emulator/clicks.ts';
import type { Emulator } from '../../src/sandbox/emulator.ts';
import type { EmuMessage } from '../../src/sandbox/store.ts';

export interface PlainChineseOptions {
  /** Words the test itself put in the data the bot shows (seeded straight into the database, say). */
  allow?: readonly string[];
}

/**
 * The short allow-list. Each is what an official reads without a second thought:
 * - file types named as people see them in their file list (`.xlsx`, `.csv`, `.docx`, `.pdf`; after a dot only);
 * - MB and KB, the units every upload limit is written in;
 * - PDF and Word, file kinds every office calls by these names (“Word 文件”; a spreadsheet is 表格, not Excel).
 * Besides these, a code span (`…`) is what an operator types verbatim, and on the 全部命令 list a
 * command's English alias (/help) is allowed.
 */
const ALLOWED_WORDS = new Set(['MB', 'KB', 'PDF', 'Word']);
const FILE_EXTENSIONS = /\.(?:xlsx|xls|csv|docx|doc|pdf|png|jpe?g)\b/gi;

/** A bot message (or one version of a card) or a toast, as shown. */
interface Shown {
  where: string;
  texts: string[];
  /** The card is the 全部命令 list, where English aliases are allowed. */
  fullList: boolean;
}

/** Everything a person saw of the bot in one emulator's life, and everything they typed. */
export class SaidLog {
  readonly shown: Shown[] = [];
  readonly typed: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly emu: Emulator) {
    emu.on('change', (c: { kind: string; messageId?: string }) => {
      if (c.kind === 'message' && c.messageId) this.message(c.messageId);
    });
    emu.on('clicked', (o: ClickLike, r: { toast?: { content?: string } }) => {
      this.typed.push(...valuesOf(o.formValue), o.inputValue ?? '', o.option ?? '', ...(o.options ?? []));
      if (r.toast?.content) this.shown.push({ where: 'toast', texts: [r.toast.content], fullList: false });
    });
  }

  private message(messageId: string): void {
    const m = this.emu.store.messages.get(messageId);
    if (!m) return;
    if (m.senderType !== 'app') {
      // The values a person typed (a post's element tags are not theirs).
      this.typed.push(...valuesOf(JSON.parse(m.content)).filter((v) => !POST_TAGS.has(v)));
      return;
    }
    const key = `${m.messageId}:${m.version}`;
    if (this.seen.has(key) || m.recalled) return;
    this.seen.add(key);
    const where = `${m.msgType} ${m.messageId}${m.version ? ` (version ${m.version})` : ''}`;
    if (m.msgType === 'text') {
      this.shown.push({ where, texts: [(JSON.parse(m.content) as { text: string }).text], fullList: false });
    } else if (m.msgType === 'interactive') {
      const card = JSON.parse(m.content) as Record<string, unknown>;
      this.shown.push({ where, texts: cardTexts(card), fullList: /全部命令/.test(titleOf(card)) });
    }
  }

  /** What is wrong, one line each. */
  problems(o: PlainChineseOptions = {}): string[] {
    const userWords = new Set<string>();
    const names = [
      ...this.typed,
      ...[...this.emu.store.users.values()].map((u) => u.name),
      ...[...this.emu.store.chats.values()].map((c) => c.name),
      ...[...this.emu.store.files.values()].filter((f) => f.owner !== 'bot').map((f) => f.name),
      ...(o.allow ?? []),
    ];
    for (const n of names) for (const w of asciiWords(n)) userWords.add(w.toLowerCase());
    const out: string[] = [];
    for (const s of this.shown) {
      for (const text of s.texts) {
        for (const p of textProblems(text, userWords, s.fullList)) out.push(`${s.where}: ${p} in “${clip(text)}”`);
      }
    }
    out.push(...this.fileProblems());
    return [...new Set(out)];
  }

  /** Files: each with its own name, and after the message that announces it. */
  private fileProblems(): string[] {
    const out: string[] = [];
    const byChat = new Map<string, EmuMessage[]>();
    for (const m of this.emu.store.messages.values()) {
      if (m.senderType !== 'app' || m.recalled) continue;
      byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m]);
    }
    for (const msgs of byChat.values()) {
      msgs.forEach((m, i) => {
        if (m.msgType !== 'file') return;
        const content = JSON.parse(m.content) as { file_key?: string; file_name?: string };
        const name = content.file_name ?? this.emu.store.files.get(content.file_key ?? '')?.name ?? '';
        if (!name || name === content.file_key || /^file(\.\w+)?$/i.test(name)) {
          out.push(`file ${m.messageId}: shown without its name (${content.file_key})`);
          return;
        }
        const later = msgs.slice(i + 1).find((x) => x.msgType !== 'file' && x.content.includes(name));
        if (later) out.push(`file 《${name}》 arrived before the message announcing it (${later.messageId})`);
      });
    }
    return out;
  }
}

const POST_TAGS = new Set(['text', 'at', 'a', 'md', 'img', 'media', 'emotion', 'code_block', 'hr']);

interface ClickLike {
  formValue?: Record<string, unknown>;
  inputValue?: string;
  option?: string;
  options?: string[];
}

function valuesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(valuesOf);
  if (v && typeof v === 'object') return Object.values(v).flatMap(valuesOf);
  return [];
}

function titleOf(card: Record<string, unknown>): string {
  const h = card.header as { title?: { content?: string } } | undefined;
  return h?.title?.content ?? '';
}

/** Card parts a person never sees: callback values, names, links, ids, styles. */
const HIDDEN_KEYS = new Set(['behaviors', 'value', 'name', 'url', 'img_key', 'user_id', 'element_id', 'options_value']);

/**
 * The texts a person sees on a card: header, summary, markdown and plain_text contents (buttons,
 * placeholders, labels, options, panel titles, confirmations), table headers and cells, chart titles
 * and labels — not callback values, component names, URLs or styles — and the name each form field
 * goes by when the client reports it missing (`fieldTitle`): a field without a label or placeholder
 * is named by its id.
 */
export function cardTexts(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (HIDDEN_KEYS.has(key)) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (!v || typeof v !== 'object') {
      // Table cells and chart data: the strings shown.
      if (typeof v === 'string' && (key === 'rows' || key === 'values' || key === 'text' || key === 'display_name'))
        out.push(v);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.content === 'string' && (o.tag === undefined || /^(plain_text|lark_md|markdown)$/.test(String(o.tag))))
      out.push(o.content);
    // How the client names the field when it is missing (有必填项未填写：…): its label, else its placeholder, else its id.
    if (FIELD_TAGS.has(String(o.tag)) && typeof o.name === 'string') out.push(fieldTitle(o));
    for (const [k, x] of Object.entries(o)) {
      if (k === 'content') continue;
      if (o.tag === 'table' && k === 'rows') {
        for (const row of Array.isArray(x) ? x : []) for (const cell of Object.values(row ?? {})) walk(cell, 'rows');
        continue;
      }
      if (o.tag === 'table' && k === 'columns') {
        for (const c of Array.isArray(x) ? x : []) walk((c as { display_name?: unknown }).display_name, 'display_name');
        continue;
      }
      if (o.tag === 'chart' && k === 'chart_spec') {
        walk(chartShown(x), 'values');
        continue;
      }
      walk(x, k);
    }
  };
  walk(card, '');
  return out;
}

/** Fields a person fills in, named to them by their label or placeholder (a checker and an image picker show their own content). */
const FIELD_TAGS = new Set([...FORM_FIELDS].filter((t) => t !== 'checker' && t !== 'select_img'));

/** A chart's shown strings: its titles, and the string values in its data (categories, series names). */
function chartShown(spec: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'values' && Array.isArray(x)) {
          for (const row of x)
            for (const cell of Object.values(row ?? {})) if (typeof cell === 'string') out.push(cell);
        } else if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x, k);
      }
    }
  };
  walk(spec, '');
  return out;
}

/** ASCII words (letters and digits with at least one letter, underscores kept: field ids stay whole). */
function asciiWords(s: string): string[] {
  return (s.match(/[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*/g) ?? []).filter(Boolean);
}

/** What is not plain Chinese in one shown text. */
export function textProblems(text: string, userWords: ReadonlySet<string> = new Set(), fullList = false): string[] {
  const out: string[] = [];
  if (/\bat\s+\S+\s+\(?\S+:\d+:\d+\)?/.test(text) || /\b\w*Error:\s/.test(text)) out.push('a stack trace or error');
  if (/[{[]\s*"[^"]*"\s*:/.test(text)) out.push('JSON');
  const visible = text
    // mentions: the name is shown, the id never
    .replace(/<at\b[^>]*>[^<]*<\/at>/g, ' ')
    // markdown links: the text is shown, the address is not judged; bare addresses neither
    .replace(/\]\([^)]*\)/g, '] ')
    .replace(/https?:\/\/\S+/g, ' ')
    // markup the client renders: <font color='grey'>, <text_tag …>, <br>
    .replace(/<\/?[a-z_]+(?:\s[^>]*)?>/gi, ' ')
    // a code span is what an operator types verbatim (`npm run cli -- outbox list --dead`)
    .replace(/`[^`\n]+`/g, ' ')
    .replace(FILE_EXTENSIONS, ' ');
  const keys = visible.match(/\b(?:file_v\d_|img_v\d_|ou_|oc_|om_|on_|cli_)[0-9A-Za-z_]+/g);
  for (const k of keys ?? []) if (!userWords.has(k.toLowerCase())) out.push(`platform key ${k}`);
  for (const w of asciiWords(visible)) {
    if (/^(?:file_v\d_|img_v\d_|ou_|oc_|om_|on_|cli_)/.test(w)) continue;
    if (/^\d+[a-z]{0,2}$/i.test(w) && !/_/.test(w)) continue; // 3rd, 10px, 2026a: numbers, not words
    if (ALLOWED_WORDS.has(w) || userWords.has(w.toLowerCase())) continue;
    // The 全部命令 list's aliases: （/rectify） and （/rectify show）.
    if (fullList && new RegExp(`/${w}\\b|（/[a-z ]*\\b${w}\\b[a-z ]*）`).test(visible)) continue;
    out.push(w.includes('_') ? `field id ${w}` : `English word ${w}`);
  }
  return [...new Set(out)];
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 120 ? `${one.slice(0, 120)}…` : one;
}

/** Throws listing every problem (the harness calls it when it stops). */
export function assertPlainChinese(log: SaidLog, o: PlainChineseOptions = {}): void {
  const problems = log.problems(o);
  if (problems.length > 0) {
    throw new Error(
      `the bot showed people what is not plain Chinese (test/helpers/plain-chinese.ts):\n- ${problems.slice(0, 40).join('\n- ')}${
        problems.length > 40 ? `\n… and ${problems.length - 40} more` : ''
      }`,
    );
  }
}
