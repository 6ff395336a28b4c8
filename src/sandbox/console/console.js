// @ts-check
/**
 * The sandbox console: a Feishu-like chat window over the emulator's control API (control-api.ts).
 * Left: chats and "speaking as"; centre: messages and cards (JSON 2.0) with a composer; right: the
 * sandbox clock, jobs and the Open API log. Everything that came from a user or the bot is put in
 * the page with textContent / setAttribute only (never innerHTML), and only http(s) links are links.
 *
 * Type-checked with `tsc -p src/sandbox/console/tsconfig.json` (JSDoc types, no build step). Cards are
 * the bot's JSON, read defensively, so their components are typed as loose JSON objects (`Json`).
 */

// ------------------------------------------------------------------ types

/**
 * @typedef {Record<string, any>} Json A card, component or behavior as the bot sent it (any shape).
 * @typedef {{ openId: string, name: string }} ConsoleUser
 * @typedef {{ chatId: string, name: string, type: 'group' | 'p2p', members: string[], ownerOpenId?: string,
 *   botIn: boolean }} ConsoleChat
 * @typedef {{ name: string, label: string, schedule: string, summary: string }} ConsoleJob
 * @typedef {{ now: string, offsetMs: number, timezone: string }} ConsoleClock
 * @typedef {{ key: string, openId: string, name: string }} Mention
 * @typedef {{ messageId: string, senderId: string, senderName: string, senderType: string, msgType: string,
 *   content: string, mentions?: Mention[], parentId?: string, createdAt: string, updatedAt: string,
 *   version: number, recalled: boolean, urgent?: { kind: string, to?: string[] }[], fileName?: string }} ConsoleMessage
 * @typedef {{ seq: number, at: string, method: string, path: string, status: number, code: number,
 *   msg?: string, query?: string, body?: string, to?: string, title?: string, msgType?: string }} LogCall
 * @typedef {{ value: unknown, tag: string, name?: string, formValue?: Record<string, unknown> }} ActPayload
 * @typedef {{ name: string, label: string, required: boolean, wrap: HTMLElement, value: () => unknown,
 *   reset: () => void, empty: () => boolean }} FormField
 * @typedef {{ register: (f: FormField) => void, reset: () => void,
 *   collect: () => Record<string, unknown> | undefined }} FormState
 * @typedef {{ msg: ConsoleMessage, form: FormState | null,
 *   act: (payload: ActPayload, el: Element) => Promise<void> }} RenderContext
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 * @typedef {{ indent: number, ordered: boolean, el: HTMLElement }} ListLevel
 */

/**
 * The page's fixed elements (index.html) by id; any other id is a plain HTMLElement.
 * @typedef {{ identity: HTMLSelectElement, 'open-p2p': HTMLButtonElement, input: HTMLTextAreaElement,
 *   'at-btn': HTMLButtonElement, 'mention-bot': HTMLInputElement, send: HTMLButtonElement,
 *   'clock-reset': HTMLButtonElement, 'job-time': HTMLInputElement, 'job-name': HTMLSelectElement,
 *   'clock-set': HTMLButtonElement, 'job-run': HTMLButtonElement }} PageElements
 */

// ------------------------------------------------------------------ state

const S = {
  bot: { openId: '', name: '清风' },
  /** @type {ConsoleUser[]} */
  users: [],
  /** @type {Map<string, string>} */
  names: new Map(),
  /** @type {ConsoleChat[]} */
  chats: [],
  /** @type {ConsoleJob[]} */
  jobs: [],
  /** @type {ConsoleClock} */
  clock: { now: '', offsetMs: 0, timezone: 'Asia/Shanghai' },
  me: localStorage.getItem('qf.me') || '',
  chatId: localStorage.getItem('qf.chat') || '',
  /**
   * messageId → { sig, el } of the open chat
   * @type {Map<string, { sig: string, el: HTMLElement }>}
   */
  rendered: new Map(),
  /** @type {Set<string>} */
  unread: new Set(),
  logSeq: 0,
  /**
   * "@Name" → openId, for the composer's mentions
   * @type {Map<string, string>}
   */
  picked: new Map(),
};

/**
 * @template {string} K
 * @param {K} id
 * @returns {K extends keyof PageElements ? PageElements[K] : HTMLElement}
 */
const $ = (id) => /** @type {any} */ (document.getElementById(id));

/**
 * Builds an element. attrs: class, text, dataset via data-*, on* handlers as functions, the rest via setAttribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = /** @type {string} */ (v);
    else if (k === 'text') el.textContent = /** @type {string} */ (v);
    else if (k.startsWith('on') && typeof v === 'function')
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @template {Element | DocumentFragment} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
function append(el, children) {
  const leaves = /** @type {(Node | string | number | null | undefined | false)[]} */ (
    /** @type {unknown[]} */ (children).flat(Infinity)
  );
  for (const c of leaves) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/**
 * A call to the control API; its JSON answer (or an Error with its `error`).
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
async function api(path, body) {
  const init =
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  /** @type {{ error?: string }} */
  let data = {};
  try {
    data = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

/**
 * Runs `fn` once at a time; calls made meanwhile cause exactly one more run.
 * @param {() => Promise<void>} fn
 * @returns {() => Promise<void>}
 */
function coalesce(fn) {
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } catch (err) {
        console.error(err);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/** @param {string} openId */
const nameOf = (openId) => {
  if (openId === 'all') return '所有人';
  return S.names.get(openId) ?? openId;
};
/** @returns {ConsoleChat | undefined} */
const currentChat = () => S.chats.find((c) => c.chatId === S.chatId);

// ------------------------------------------------------------------ time (the bot's timezone)

function tz() {
  return S.clock.timezone || 'Asia/Shanghai';
}

/**
 * The date's fields in the bot's timezone ("2026", "01", … "Mon"), as Intl formats them.
 * @param {Date} date
 * @returns {Record<string, string>}
 */
function partsOf(date) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz(),
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  });
  /** @type {Record<string, string>} */
  const o = {};
  for (const p of f.formatToParts(date)) o[p.type] = p.value;
  return o;
}

/** @type {Record<string, string>} */
const WEEKDAYS = { Mon: '一', Tue: '二', Wed: '三', Thu: '四', Fri: '五', Sat: '六', Sun: '日' };

/**
 * Offset of the bot's timezone at `date`, in minutes east of UTC.
 * @param {Date} date
 */
function offsetMinutes(date) {
  const p = partsOf(date);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/**
 * "+0800" for the bot's timezone at `date` (Feishu's picker suffix).
 * @param {Date} date
 */
function offsetSuffix(date) {
  const m = offsetMinutes(date);
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

/**
 * "YYYY-MM-DDTHH:mm" wall time in the bot's timezone → Date.
 * @param {string} local
 */
function zonedToDate(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(local);
  if (!m) return undefined;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0));
  const first = guess - offsetMinutes(new Date(guess)) * 60000;
  return new Date(guess - offsetMinutes(new Date(first)) * 60000);
}

function sandboxNow() {
  return new Date(Date.now() + (S.clock.offsetMs || 0));
}

/** @param {Date} date */
function fmtDateTimeLocal(date) {
  const p = partsOf(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * A date-input value as people in China write it, whatever the browser's language:
 * "2026-12-02" → 2026年12月2日 周三, "2026-12-02T14:30" → 2026年12月2日 周三 14:30, "14:30" stays.
 * @param {string} v
 */
function zhDateTime(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(v);
  if (!m) return /^\d{2}:\d{2}/.test(v) ? v.slice(0, 5) : v;
  const weekday = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay();
  return `${m[1]}年${+m[2]}月${+m[3]}日 周${'日一二三四五六'[weekday]}${m[4] ? ` ${m[4]}` : ''}`;
}

/**
 * A date, date-time or time input that reads in zh-CN in any browser: the browser's own picker stays
 * (its text hidden), and over it the value is written as `zhDateTime` does, or `empty` when unset.
 * Put in the page where the input was. `sync` redraws after the value was set from code.
 * @param {HTMLInputElement} input
 * @param {string} empty
 */
function zhDateField(input, empty) {
  const parent = input.parentNode;
  const next = input.nextSibling;
  input.lang = 'zh-CN';
  const text = h('span', { class: 'zh-date-text', 'aria-hidden': 'true' });
  const wrap = h('span', { class: 'zh-date' }, input, text);
  if (parent) parent.insertBefore(wrap, next);
  const sync = () => {
    text.textContent = input.value ? zhDateTime(input.value) : empty;
    text.classList.toggle('placeholder', !input.value);
  };
  input.addEventListener('input', sync);
  input.addEventListener('change', sync);
  sync();
  return { wrap, sync };
}

/**
 * Message time: "09:30" today (sandbox time), "11月26日 09:30" this year, else with the year.
 * @param {string} iso
 */
function fmtMsgTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = partsOf(d);
  const n = partsOf(sandboxNow());
  const hm = `${p.hour}:${p.minute}`;
  if (p.year === n.year && p.month === n.month && p.day === n.day) return hm;
  if (p.year === n.year) return `${+p.month}月${+p.day}日 ${hm}`;
  return `${p.year}年${+p.month}月${+p.day}日 ${hm}`;
}

// ------------------------------------------------------------------ toasts and dialogs

/** @type {Record<string, string>} */
const TOAST_ICONS = { info: 'ℹ', success: '✓', error: '✕', warning: '!' };

/**
 * @param {string} type
 * @param {unknown} content
 */
function toast(type, content) {
  const t = ['info', 'success', 'error', 'warning'].includes(type) ? type : 'info';
  const el = h(
    'div',
    { class: `toast toast-${t}`, role: 'status', 'data-type': t },
    h('span', { class: 'toast-icon', text: TOAST_ICONS[t] }),
    h('span', { class: 'toast-text', text: String(content ?? '') }),
  );
  $('toasts').append(el);
  setTimeout(() => el.classList.add('toast-out'), 3200);
  setTimeout(() => el.remove(), 3600);
}

/**
 * @param {string} title
 * @param {string} text
 * @returns {Promise<boolean>}
 */
function confirmDialog(title, text) {
  return new Promise((resolve) => {
    /** @param {boolean} ok */
    const done = (ok) => {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
      resolve(ok);
    };
    /** @param {KeyboardEvent} e */
    const onKey = (e) => {
      if (e.key === 'Escape') done(false);
    };
    const ok = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => done(true) }, '确定');
    const overlay = h(
      'div',
      { class: 'overlay', onclick: (/** @type {MouseEvent} */ e) => e.target === overlay && done(false) },
      h(
        'div',
        { class: 'dialog', role: 'dialog', 'aria-modal': 'true' },
        h('div', { class: 'dialog-title', text: title || '请确认' }),
        text ? h('div', { class: 'dialog-text', text }) : null,
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { class: 'btn', type: 'button', onclick: () => done(false) }, '取消'),
          ok,
        ),
      ),
    );
    document.addEventListener('keydown', onKey);
    document.body.append(overlay);
    ok.focus();
  });
}

// ------------------------------------------------------------------ markdown (Feishu card flavour)

/** @type {Record<string, string>} */
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** @param {string} s */
function decodeEntities(s) {
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (m, /** @type {string} */ e) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
  });
}

/**
 * Only absolute http(s) URLs; anything else is not a link.
 * @param {unknown} raw
 */
function safeUrl(raw) {
  try {
    const u = new URL(decodeEntities(String(raw ?? '')).trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const COLORS = new Set([
  'neutral',
  'blue',
  'turquoise',
  'lime',
  'orange',
  'violet',
  'indigo',
  'wathet',
  'green',
  'yellow',
  'red',
  'purple',
  'carmine',
  'grey',
]);

/**
 * @param {string} prefix
 * @param {unknown} color
 */
function colorClass(prefix, color) {
  const c = String(color ?? '')
    .toLowerCase()
    .replace(/^gray$/, 'grey')
    .replace(/^default$/, 'neutral');
  return COLORS.has(c) ? `${prefix}-${c}` : `${prefix}-neutral`;
}

/**
 * `id=ou_x`, `user_id="ou_x"`, `color='red'` → { id: 'ou_x', … }
 * @param {string} s
 * @returns {Partial<Record<string, string>>}
 */
function parseAttrs(s) {
  /** @type {Partial<Record<string, string>>} */
  const out = {};
  for (const m of s.matchAll(/([a-zA-Z_]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    out[/** @type {string} */ (m[1]).toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return out;
}

/**
 * @param {string} openId
 * @param {string} [fallback]
 */
function mentionEl(openId, fallback) {
  const name = S.names.has(openId) || openId === 'all' ? nameOf(openId) : fallback || openId;
  return h('span', { class: `mention${openId === S.me ? ' mention-me' : ''}`, 'data-open-id': openId }, `@${name}`);
}

/**
 * @param {unknown} href
 * @param {Node} children
 * @returns {Node}
 */
function link(href, children) {
  const url = safeUrl(href);
  if (!url) return children;
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, children);
}

/** @type {[string, RegExp][]} */
const INLINE = [
  ['code', /`([^`\n]+)`/y],
  ['strong', /\*\*([\s\S]+?)\*\*/y],
  ['del', /~~([\s\S]+?)~~/y],
  ['em', /\*(?![\s*])([^*\n]+?)\*/y],
  ['mdlink', /\[([^\]\n]*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/y],
  ['at', /<at\b([^>]*)>([\s\S]*?)<\/at>/iy],
  ['font', /<font\b([^>]*)>([\s\S]*?)<\/font>/iy],
  ['tag', /<text_tag\b([^>]*)>([\s\S]*?)<\/text_tag>/iy],
  ['link', /<link\b([^>]*)>([\s\S]*?)<\/link>/iy],
  ['br', /<br\s*\/?>/iy],
  ['url', /https?:\/\/[^\s<>"'()，。；！？、）]+/y],
];
const INLINE_START = new Set(['`', '*', '~', '[', '<', 'h']);

/**
 * Inline markdown → nodes appended to `out`. Unknown markup stays as literal text.
 * @template {HTMLElement} E
 * @param {string} s
 * @param {E} out
 * @returns {E}
 */
function inline(s, out) {
  let buf = '';
  const flush = () => {
    if (buf) out.append(document.createTextNode(decodeEntities(buf)));
    buf = '';
  };
  let i = 0;
  outer: while (i < s.length) {
    if (INLINE_START.has(/** @type {string} */ (s[i]))) {
      for (const [kind, re] of INLINE) {
        re.lastIndex = i;
        const m = re.exec(s);
        if (!m) continue;
        flush();
        i = re.lastIndex;
        out.append(inlineNode(kind, m));
        continue outer;
      }
    }
    buf += s[i++];
  }
  flush();
  return out;
}

/**
 * @param {string} kind
 * @param {RegExpExecArray} m
 * @returns {Node}
 */
function inlineNode(kind, m) {
  switch (kind) {
    case 'code':
      return h('code', { text: decodeEntities(m[1]) });
    case 'strong':
      return inline(m[1], h('strong'));
    case 'del':
      return inline(m[1], h('del'));
    case 'em':
      return inline(m[1], h('em'));
    case 'mdlink':
      return link(m[2], inline(m[1], h('span')));
    case 'at': {
      const a = parseAttrs(m[1]);
      const inner = decodeEntities(m[2]);
      const ids = (a.ids ?? a.id ?? a.user_id ?? a.open_id ?? '').split(',').filter(Boolean);
      if (ids.length === 0 && a.email) return mentionEl(a.email, a.email);
      const frag = document.createDocumentFragment();
      ids.forEach((id, n) => {
        if (n > 0) frag.append(' ');
        frag.append(mentionEl(id, inner));
      });
      return frag;
    }
    case 'font': {
      const a = parseAttrs(m[1]);
      return inline(m[2], h('span', { class: colorClass('fg', a.color) }));
    }
    case 'tag': {
      const a = parseAttrs(m[1]);
      return h('span', { class: `text-tag ${colorClass('tag', a.color)}`, text: decodeEntities(m[2]) });
    }
    case 'link': {
      const a = parseAttrs(m[1]);
      return link(a.url ?? a.pc_url, inline(m[2], h('span')));
    }
    case 'br':
      return h('br');
    case 'url':
      return link(m[0], document.createTextNode(decodeEntities(m[0])));
  }
  return document.createTextNode(m[0]);
}

/**
 * Block markdown: paragraphs (single newline = line break), lists, headings, quotes, code fences, rules.
 * @param {unknown} src
 */
function renderMarkdown(src, cls = '') {
  const root = h('div', { class: `md ${cls}`.trim() });
  const lines = String(src ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  /** @type {HTMLElement | null} */
  let para = null;
  /** @type {ListLevel[] | null} */
  let list = null;
  const endBlocks = () => {
    para = null;
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m;
    if (/^\s*```/.test(line)) {
      endBlocks();
      const code = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i]);
      root.append(h('pre', { class: 'md-code' }, h('code', { text: decodeEntities(code.join('\n')) })));
    } else if (line.trim() === '') {
      endBlocks();
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      endBlocks();
      root.append(inline(m[2], h('div', { class: `md-h md-h${m[1].length}` })));
    } else if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      endBlocks();
      root.append(h('hr', { class: 'md-hr' }));
    } else if ((m = /^(\s*)([-*+]|(\d+)\.)\s+(.*)$/.exec(line))) {
      para = null;
      list = addListItem(root, list, m[1].replace(/\t/g, '  ').length, m[3] !== undefined, m[3], m[4]);
    } else if ((m = /^>\s?(.*)$/.exec(line))) {
      endBlocks();
      root.append(inline(m[1], h('blockquote', { class: 'md-quote' })));
    } else {
      list = null;
      if (para) para.append(h('br'));
      else root.append((para = h('div', { class: 'md-p' })));
      inline(line, para);
    }
  }
  return root;
}

/**
 * Lists nest by indentation: a deeper item opens a list inside the previous item.
 * @param {HTMLElement} root
 * @param {ListLevel[] | null} stack
 * @param {number} indent
 * @param {boolean} ordered
 * @param {string | undefined} start
 * @param {string} text
 */
function addListItem(root, stack, indent, ordered, start, text) {
  const levels = stack ?? [];
  while (levels.length && levels[levels.length - 1].indent > indent) levels.pop();
  let top = levels[levels.length - 1];
  if (!top || top.indent < indent || top.ordered !== ordered) {
    const el = h(ordered ? 'ol' : 'ul', { class: 'md-list', start: ordered && start !== '1' ? start : undefined });
    const parentLi = top && top.indent < indent ? top.el.lastElementChild : null;
    (parentLi ?? root).append(el);
    if (top && top.indent === indent) levels.pop();
    top = { indent, ordered, el };
    levels.push(top);
  }
  top.el.append(inline(text, h('li')));
  return levels;
}

// ------------------------------------------------------------------ cards (JSON 2.0)

/** @param {any} t a string or a text object */
const textOf = (t) => (typeof t === 'string' ? t : typeof t?.content === 'string' ? t.content : '');

/**
 * A text object: plain_text as literal text, lark_md / markdown as markdown.
 * @param {Json | undefined} t
 */
function textNode(t, cls = '') {
  if (t && (t.tag === 'lark_md' || t.tag === 'markdown')) return renderMarkdown(t.content, cls);
  return h('span', { class: cls, text: textOf(t) });
}

const TEMPLATES = new Set([
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
]);

/** @type {Record<string, number>} */
const SPACING = { small: 4, medium: 8, large: 12, extra_large: 16 };
/**
 * @param {unknown} v
 * @param {string} fallback
 */
function spacing(v, fallback) {
  if (typeof v === 'string' && SPACING[v] !== undefined) return `${SPACING[v]}px`;
  if (typeof v === 'string' && /^\d{1,2}px$/.test(v)) return v;
  return fallback;
}

/**
 * @param {Json} card
 * @param {RenderContext} ctx
 */
function renderCard(card, ctx) {
  const root = h('div', { class: `card${card?.config?.width_mode === 'fill' ? ' card-fill' : ''}` });
  const hd = card?.header;
  if (hd && (hd.title || hd.subtitle)) {
    const tpl = TEMPLATES.has(hd.template) ? hd.template : 'default';
    const tags = (hd.text_tag_list ?? [])
      .slice(0, 3)
      .map((/** @type {Json} */ t) =>
        h('span', { class: `text-tag ${colorClass('tag', t.color)}`, text: textOf(t.text) }),
      );
    root.append(
      h(
        'div',
        { class: `card-header tpl-${tpl}` },
        h('div', { class: 'card-title-row' }, textNode(hd.title, 'card-title'), tags),
        hd.subtitle ? textNode(hd.subtitle, 'card-subtitle') : null,
      ),
    );
  }
  const elements = card?.body?.elements ?? card?.elements ?? [];
  const body = h('div', { class: 'card-body' });
  renderElements(elements, ctx, body);
  root.append(body);
  return root;
}

/**
 * @template {HTMLElement} P
 * @param {unknown} elements
 * @param {RenderContext} ctx
 * @param {P} parent
 * @returns {P}
 */
function renderElements(elements, ctx, parent) {
  for (const el of Array.isArray(elements) ? elements : []) {
    if (!el || typeof el !== 'object') continue;
    parent.append(renderElement(el, ctx));
  }
  return parent;
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderElement(el, ctx) {
  switch (el.tag) {
    case 'markdown':
      return renderMarkdown(el.content, `el-md align-${el.text_align ?? 'left'} size-${el.text_size ?? 'normal'}`);
    case 'div':
      return renderDiv(el);
    case 'hr':
      return h('hr', { class: 'card-hr' });
    case 'column_set':
      return renderColumns(el, ctx);
    case 'collapsible_panel':
      return renderPanel(el, ctx);
    case 'form':
      return renderForm(el, ctx);
    case 'interactive_container':
      return renderInteractive(el, ctx);
    case 'person':
      return h('div', { class: 'persons' }, personChip(el.user_id));
    case 'person_list':
      return h(
        'div',
        { class: 'persons' },
        (el.persons ?? []).map((/** @type {Json} */ p) => personChip(p.id ?? p.user_id)),
      );
    case 'table':
      return renderTable(el);
    case 'chart':
      return renderChart(el);
    case 'img':
      return imagePlaceholder(el.img_key, textOf(el.alt) || textOf(el.title));
    case 'img_combination':
      return h(
        'div',
        { class: 'img-grid' },
        (el.img_list ?? []).map((/** @type {Json} */ x) => imagePlaceholder(x.img_key, '')),
      );
    case 'button':
      return renderButton(el, ctx);
    case 'overflow':
      return renderOverflow(el, ctx);
    case 'input':
    case 'select_static':
    case 'multi_select_static':
    case 'select_person':
    case 'multi_select_person':
    case 'date_picker':
    case 'picker_datetime':
    case 'picker_time':
    case 'checker':
      return renderField(el, ctx);
    default:
      return h('div', { class: 'unsupported', text: `[控制台暂不支持的组件：${String(el.tag)}]` });
  }
}

/** @param {Json} el */
function renderDiv(el) {
  const out = h('div', { class: 'el-div' });
  if (el.text) {
    const t = el.text;
    const cls = `${colorClass('fg', t.text_color ?? 'neutral')} size-${t.text_size ?? 'normal'} align-${t.text_align ?? 'left'}`;
    out.append(
      t.tag === 'lark_md' ? renderMarkdown(t.content, cls) : h('div', { class: `plain ${cls}`, text: textOf(t) }),
    );
  }
  if (Array.isArray(el.fields)) {
    out.append(
      h(
        'div',
        { class: 'div-fields' },
        el.fields.map((/** @type {Json} */ f) =>
          h('div', { class: f.is_short ? 'field-short' : 'field-long' }, textNode(f.text)),
        ),
      ),
    );
  }
  return out;
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderColumns(el, ctx) {
  const row = h('div', {
    class: `cols${el.flex_mode === 'flow' || el.flex_mode === 'wrap' ? ' cols-flow' : ''}${el.background_style === 'grey' ? ' cols-grey' : ''}`,
  });
  row.style.gap = spacing(el.horizontal_spacing, '8px');
  for (const col of el.columns ?? []) {
    const c = h('div', { class: `col valign-${col.vertical_align ?? 'top'}` });
    if (col.width === 'auto') c.style.flex = '0 0 auto';
    else if (typeof col.width === 'string' && /^\d{1,4}px$/.test(col.width)) c.style.flex = `0 0 ${col.width}`;
    else c.style.flex = `${Math.max(1, Math.min(5, Number(col.weight) || 1))} 1 0`;
    renderElements(col.elements, ctx, c);
    row.append(c);
  }
  return row;
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderPanel(el, ctx) {
  const title = el.header?.title;
  const d = h(
    'details',
    { class: `panel-c${el.border ? ' panel-border' : ''}`, open: el.expanded === true },
    h('summary', {}, textNode(title)),
  );
  d.append(renderElements(el.elements, ctx, h('div', { class: 'panel-body' })));
  return d;
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderInteractive(el, ctx) {
  const box = h('div', { class: 'ic' });
  renderElements(el.elements, ctx, box);
  const cb = (el.behaviors ?? []).find((/** @type {Json} */ b) => b.type === 'callback');
  const url = (el.behaviors ?? []).find((/** @type {Json} */ b) => b.type === 'open_url');
  if (cb || url) {
    box.classList.add('ic-click');
    box.addEventListener('click', (e) => {
      if (/** @type {Element} */ (e.target).closest('button, input, select, textarea, a, summary')) return;
      if (url) openUrl(url);
      if (cb) ctx.act({ value: cb.value, tag: 'interactive_container' }, box);
    });
  }
  return box;
}

/** @param {unknown} openId */
function personChip(openId) {
  const id = String(openId ?? '');
  const name = nameOf(id);
  return h('span', { class: 'person' }, avatar(id, name, 'avatar-xs'), h('span', { text: name }));
}

/**
 * @param {unknown} key
 * @param {string} alt
 */
function imagePlaceholder(key, alt) {
  return h(
    'div',
    { class: 'img-ph', title: String(key ?? '') },
    h('span', { class: 'img-ph-icon', 'aria-hidden': 'true' }),
    h('span', { text: alt ? `图片：${alt}` : '图片' }),
  );
}

/**
 * @param {any} value
 * @param {unknown} type
 * @returns {Child}
 */
function cellNode(value, type) {
  if (value === undefined || value === null) return '';
  switch (type) {
    case 'lark_md':
    case 'markdown':
      return renderMarkdown(String(value));
    case 'options':
      return (Array.isArray(value) ? value : [value]).map((/** @type {any} */ o) =>
        h('span', { class: `text-tag ${colorClass('tag', o?.color)}`, text: textOf(o?.text ?? o) }),
      );
    case 'persons':
      return (Array.isArray(value) ? value : [value]).map((/** @type {any} */ p) =>
        personChip(typeof p === 'string' ? p : p?.id),
      );
    case 'date': {
      const d = new Date(typeof value === 'number' ? value : String(value));
      return Number.isNaN(d.getTime()) ? String(value) : fmtMsgTime(d.toISOString());
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** @param {Json} el */
function renderTable(el) {
  /** @type {Json[]} */
  const cols = Array.isArray(el.columns) ? el.columns : [];
  /** @type {Json[]} */
  const rows = Array.isArray(el.rows) ? el.rows : [];
  const pageSize = Math.max(1, Math.min(100, Number(el.page_size) || 10));
  const wrap = h('div', { class: 'table-wrap' });
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  let page = 0;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const draw = () => {
    tbody.replaceChildren(
      ...rows.slice(page * pageSize, (page + 1) * pageSize).map((r) =>
        h(
          'tr',
          {},
          cols.map((c) => h('td', {}, cellNode(r?.[c.name], c.data_type))),
        ),
      ),
    );
    if (pages > 1) {
      pager.replaceChildren(
        h('button', { class: 'btn btn-text', type: 'button', disabled: page === 0, onclick: () => go(-1) }, '上一页'),
        h('span', { text: `${page + 1} / ${pages}` }),
        h(
          'button',
          { class: 'btn btn-text', type: 'button', disabled: page >= pages - 1, onclick: () => go(1) },
          '下一页',
        ),
      );
    }
  };
  const go = (/** @type {number} */ d) => {
    page = Math.max(0, Math.min(pages - 1, page + d));
    draw();
  };
  wrap.append(
    h(
      'table',
      { class: `ctable${el.header_style?.background_style === 'grey' ? ' thead-grey' : ''}` },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          cols.map((c) => h('th', { text: textOf(c.display_name) || String(c.name ?? '') })),
        ),
      ),
      tbody,
    ),
    pager,
  );
  draw();
  return wrap;
}

// ------------------------------------------------------------------ charts

/*
 * The chart component drawn as inline SVG, as the Feishu client draws its VChart spec, for the kinds
 * the bot sends: bar (its series side by side or stacked, as VChart would; horizontal with direction
 * 'horizontal'), line (one line per series) and pie (a ring with innerRadius). No chart library: the
 * console works offline. Sizes are viewBox units (the SVG scales to the card) and text widths are
 * estimated (a CJK character one em, others about 0.6 em), since the SVG is built before it is in the
 * page. Any other kind, or a spec that does not add up, shows the table of its data; a drawn chart
 * keeps that table below, folded.
 */

/**
 * @typedef {{ name: string, values: (number | undefined)[] }} ChartSeries One value per category.
 * @typedef {{ kind: 'bar' | 'line', horizontal: boolean, stacked: boolean, legend: boolean,
 *   categories: string[], series: ChartSeries[] }} XYChart
 * @typedef {{ kind: 'pie', slices: { name: string, value: number }[], inner: number }} PieChart
 * @typedef {{ ratio: number, labels: boolean, title: string }} ChartLook
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The chart's width in viewBox units: about a card body's, so text is drawn near its CSS size. */
const CHART_W = 540;
/** Series and slice colours, in order (near the brand theme's). */
const CHART_COLORS = ['#3370ff', '#ff8800', '#34c724', '#7f3bf5', '#14c0ff', '#f54a45', '#ffc60a', '#00b3a1'];
/** Height per width of the component's aspect ratios (Feishu's default is 16:9). */
const CHART_RATIOS = new Map([
  ['1:1', 1],
  ['2:1', 0.5],
  ['4:3', 0.75],
  ['16:9', 0.5625],
]);
/** More points than this would be unreadable: the table shows them instead. */
const CHART_MAX_POINTS = 400;
const AXIS_FONT = 11;
const VALUE_FONT = 10;

/**
 * An SVG element, as h() builds HTML ones: attributes by setAttribute, `text` as text, children appended.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {Child[]} children
 * @returns {SVGElementTagNameMap[K]}
 */
function svgEl(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  return append(el, children);
}

/** @param {number} n */
const r1 = (n) => Math.round(n * 10) / 10;
/** @param {number} n */
const fmtNum = (n) => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2))));
/** @param {number} i */
const chartColor = (i) => CHART_COLORS[i % CHART_COLORS.length] ?? '#3370ff';

/**
 * The estimated drawn width of a text.
 * @param {string} s
 * @param {number} size
 */
function textWidth(s, size) {
  let w = 0;
  // "…" too is drawn one em wide by the CJK fonts.
  for (const ch of s) w += (ch.codePointAt(0) ?? 0) >= 0x2e80 || ch === '…' ? size : size * 0.6;
  return w;
}

/**
 * The text cut to fit px, with "…".
 * @param {string} s
 * @param {number} px
 * @param {number} size
 */
function fitText(s, px, size) {
  if (textWidth(s, size) <= px) return s;
  const chars = [...s].slice(0, Math.ceil(px / (size * 0.6)) + 1);
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, size) > px) chars.pop();
  return `${chars.join('')}…`;
}

/**
 * Axis ticks at a round step (1, 2 or 5 times a power of ten) covering lo..hi; whole steps for whole
 * values (counts are not drawn against 2.5).
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} whole
 */
function niceTicks(lo, hi, whole) {
  const raw = (hi - lo || 1) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(whole ? 1 : 0, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const digits = Math.max(0, 1 - Math.floor(Math.log10(step)));
  const end = Math.ceil(hi / step) * step;
  /** @type {number[]} */
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= end + step / 2 && ticks.length < 20; v += step)
    ticks.push(Number(v.toFixed(digits)));
  if (ticks.length < 2 || !ticks.every(Number.isFinite)) throw new Error('no axis');
  return ticks;
}

/** A spec field naming one data key: a string, or the first of a list (a grouped bar's xField). */
const fieldOf = (/** @type {unknown} */ f) =>
  typeof f === 'string' && f ? f : Array.isArray(f) && typeof f[0] === 'string' && f[0] ? f[0] : undefined;

/** A data value as a finite number (VChart takes numeric strings too), or undefined. */
function numberOf(/** @type {unknown} */ v) {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A category or series name as text. */
const nameOfValue = (/** @type {unknown} */ v) =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/**
 * What to draw, or null when the console cannot draw this spec (another kind, a missing field, a
 * value that is not a number, a negative or empty pie). A category repeated in a series keeps its
 * last value, as the last bar drawn would cover the others.
 * @param {Json} spec
 * @param {unknown[]} rows
 * @returns {XYChart | PieChart | null}
 */
function chartModel(spec, rows) {
  if (rows.length === 0 || rows.length > CHART_MAX_POINTS) return null;
  /** @type {Json[]} */
  const data = [];
  for (const r of rows) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) return null;
    data.push(r);
  }
  if (spec.type === 'pie') {
    const cat = fieldOf(spec.categoryField);
    const val = fieldOf(spec.valueField ?? spec.angleField);
    if (!cat || !val) return null;
    /** @type {{ name: string, value: number }[]} */
    const slices = [];
    for (const r of data) {
      const value = numberOf(r[val]);
      if (value === undefined || value < 0) return null;
      slices.push({ name: nameOfValue(r[cat]), value });
    }
    if (!slices.some((s) => s.value > 0)) return null;
    const inner = Number(spec.innerRadius);
    return { kind: 'pie', slices, inner: inner > 0 && inner < 0.95 ? inner : 0 };
  }
  if (spec.type !== 'bar' && spec.type !== 'line') return null;
  // A horizontal bar puts its categories on yField and its values on xField.
  const horizontal = spec.type === 'bar' && spec.direction === 'horizontal';
  const grouping = horizontal ? spec.yField : spec.xField;
  const catField = fieldOf(grouping);
  const valField = fieldOf(horizontal ? spec.xField : spec.yField);
  const serField =
    fieldOf(spec.seriesField) ?? (Array.isArray(grouping) && typeof grouping[1] === 'string' ? grouping[1] : undefined);
  if (!catField || !valField || catField === valField) return null;
  /** @type {Map<string, number>} */
  const cats = new Map();
  /** @type {Map<string, Map<number, number>>} */
  const series = new Map();
  for (const r of data) {
    const value = numberOf(r[valField]);
    if (value === undefined) return null;
    const c = nameOfValue(r[catField]);
    if (!cats.has(c)) cats.set(c, cats.size);
    const s = serField ? nameOfValue(r[serField]) : '';
    const points = series.get(s) ?? new Map();
    series.set(s, points);
    points.set(/** @type {number} */ (cats.get(c)), value);
  }
  const categories = [...cats.keys()];
  // VChart stacks a bar's series unless told not to, or unless its categories are split by series
  // (xField ['category', 'series']), which puts them side by side.
  const split = Array.isArray(grouping) && grouping.length > 1;
  return {
    kind: spec.type,
    horizontal,
    stacked: spec.type === 'bar' && !split && series.size > 1 && spec.stack !== false,
    legend: serField !== undefined,
    categories,
    series: [...series].map(([name, points]) => ({ name, values: categories.map((_, i) => points.get(i)) })),
  };
}

/**
 * What a bar or point says when hovered: "category · series：value".
 * @param {XYChart} m
 * @param {number} i
 * @param {number} j
 * @param {number} v
 */
function pointTitle(m, i, j, v) {
  const s = m.legend ? ` · ${m.series[j]?.name ?? ''}` : '';
  return svgEl('title', { text: `${m.categories[i] ?? ''}${s}：${fmtNum(v)}` });
}

/**
 * An axis label cut to px, the whole name on hover.
 * @param {string} name
 * @param {number} px
 * @param {Record<string, unknown>} attrs
 */
function axisLabel(name, px, attrs) {
  const shown = fitText(name, px, AXIS_FONT);
  const text = svgEl('text', { class: 'chart-cat', ...attrs }, shown);
  // The whole name as the group's tooltip, beside the text rather than in it (its text stays what is drawn).
  return shown === name ? text : svgEl('g', {}, svgEl('title', { text: name }), text);
}

/**
 * A legend under the chart: a colour key and each name (and for a pie its value and share).
 * @param {{ name: string, note?: string }[]} items
 */
function chartLegend(items) {
  return h(
    'div',
    { class: 'chart-legend' },
    items.map((it, i) => {
      const swatch = h('span', { class: 'chart-swatch', 'aria-hidden': 'true' });
      swatch.style.background = chartColor(i);
      return h(
        'span',
        { class: 'chart-key' },
        swatch,
        h('span', { text: it.name || '（空）' }),
        it.note ? h('span', { class: 'chart-note', text: it.note }) : null,
      );
    }),
  );
}

/**
 * The SVG root, titled for screen readers.
 * @param {number} height
 * @param {string} title
 * @param {Child[]} parts
 */
function chartSvg(height, title, parts) {
  return svgEl(
    'svg',
    {
      class: 'chart-svg',
      viewBox: `0 0 ${CHART_W} ${Math.round(height)}`,
      role: 'img',
      'aria-label': title || '图表',
    },
    svgEl('title', { text: title || '图表' }),
    parts,
  );
}

/**
 * Each bar as its category i, series j, value v and where it runs on the value axis: from zero side by
 * side, or stacked on the series before it (VChart stacks a bar's series unless its categories are split
 * by series or `stack` is false), positives up and negatives down.
 * @param {XYChart} m
 */
function barSegments(m) {
  const up = m.categories.map(() => 0);
  const down = m.categories.map(() => 0);
  /** @type {{ i: number, j: number, v: number, from: number, to: number }[]} */
  const out = [];
  m.series.forEach((s, j) => {
    s.values.forEach((v, i) => {
      if (v === undefined) return;
      const sums = v < 0 ? down : up;
      const from = m.stacked ? sums[i] : 0;
      if (m.stacked) sums[i] = from + v;
      out.push({ i, j, v, from, to: from + v });
    });
  });
  return out;
}

/**
 * The axes of a bar or line chart: the value gridlines with their ticks and the category names, laid
 * out upright (categories along the bottom, names turned 45° when they do not fit side by side) or
 * across (names on the left, a row per category). `cat(i)` is where category i's band starts, `pos(v)`
 * where value v falls.
 * @param {XYChart} m
 * @param {ChartLook} look
 * @param {number[]} ticks
 * @param {number} slots bars side by side in a band
 * @param {number} valueWidest the widest value label
 */
function chartAxes(m, look, ticks, slots, valueWidest) {
  const d0 = /** @type {number} */ (ticks[0]);
  const span = /** @type {number} */ (ticks.at(-1)) - d0;
  const n = m.categories.length;
  const widest = Math.max(...m.categories.map((c) => textWidth(c, AXIS_FONT)));
  /** @type {Child[]} */
  const parts = [];
  if (!m.horizontal) {
    const right = 8;
    const top = look.labels ? 18 : 10;
    let left = Math.max(...ticks.map((t) => textWidth(fmtNum(t), AXIS_FONT))) + 12;
    const turn = widest > (CHART_W - left - right) / n - 4;
    const catPx = turn ? 84 : (CHART_W - left - right) / n - 4;
    // Turned 45°, a name w across and a line high reaches (w + line) × 0.71 each way: the first one
    // reaches left of its band, so the drawing makes room for it rather than the card cutting it.
    const reach = turn ? (Math.min(widest, catPx) + AXIS_FONT + 3) * 0.71 : 0;
    if (turn) left = Math.max(left, reach - (CHART_W - left - right) / n / 2 + 4);
    const band = (CHART_W - left - right) / n;
    const bottom = turn ? reach + 14 : 24;
    const height = Math.max(CHART_W * look.ratio, top + bottom + 120);
    const plotH = height - top - bottom;
    const pos = (/** @type {number} */ v) => r1(top + plotH * (1 - (v - d0) / span));
    for (const t of ticks) {
      parts.push(
        svgEl('line', {
          class: t === 0 ? 'chart-axis' : 'chart-grid',
          x1: left,
          x2: CHART_W - right,
          y1: pos(t),
          y2: pos(t),
        }),
        svgEl(
          'text',
          { class: 'chart-tick', x: left - 6, y: pos(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
          fmtNum(t),
        ),
      );
    }
    m.categories.forEach((c, i) => {
      const [x, y] = [r1(left + band * (i + 0.5)), r1(top + plotH + 14)];
      parts.push(
        axisLabel(c, catPx, {
          x,
          y,
          'text-anchor': turn ? 'end' : 'middle',
          transform: turn ? `rotate(-45 ${x} ${y})` : undefined,
        }),
      );
    });
    return { parts, height, band, cat: (/** @type {number} */ i) => left + band * i, pos, plotEnd: top + plotH };
  }
  const catPx = Math.min(widest, 120);
  const left = catPx + 10;
  const lastTick = textWidth(fmtNum(/** @type {number} */ (ticks.at(-1))), AXIS_FONT) / 2 + 4;
  const right = Math.max(lastTick, look.labels ? valueWidest + 8 : 0);
  const top = 8;
  const band = Math.max(22, slots * 12 + 10);
  const plotEnd = top + n * band;
  const pos = (/** @type {number} */ v) => r1(left + ((CHART_W - left - right) * (v - d0)) / span);
  for (const t of ticks) {
    parts.push(
      svgEl('line', { class: t === 0 ? 'chart-axis' : 'chart-grid', x1: pos(t), x2: pos(t), y1: top, y2: plotEnd }),
      svgEl('text', { class: 'chart-tick', x: pos(t), y: plotEnd + 14, 'text-anchor': 'middle' }, fmtNum(t)),
    );
  }
  m.categories.forEach((c, i) => {
    parts.push(
      axisLabel(c, catPx, {
        x: left - 6,
        y: r1(top + band * (i + 0.5)),
        'text-anchor': 'end',
        'dominant-baseline': 'middle',
      }),
    );
  });
  return { parts, height: plotEnd + 24, band, cat: (/** @type {number} */ i) => top + band * i, pos, plotEnd };
}

/**
 * A bar chart's bars, side by side or stacked, each with its value where it fits: beyond the bar's end,
 * or inside a stacked segment.
 * @param {XYChart} m
 * @param {ChartLook} look
 * @param {ReturnType<typeof chartAxes>} ax
 * @param {ReturnType<typeof barSegments>} segs
 * @param {number} slots
 * @param {number} valueWidest
 */
function drawBars(m, look, ax, segs, slots, valueWidest) {
  const group = Math.min(ax.band * 0.72, slots * (m.horizontal ? 24 : 40));
  const thick = group / slots;
  const gap = slots > 1 && thick > 4 ? 1 : 0;
  const outside = look.labels && !m.stacked && (m.horizontal ? thick >= 9 : valueWidest <= thick + 4);
  /** @type {Child[]} */
  const parts = [];
  for (const { i, j, v, from, to } of segs) {
    const c = ax.cat(i) + (ax.band - group) / 2 + (m.stacked ? 0 : j) * thick;
    const [a, b] = [ax.pos(from), ax.pos(to)];
    const [lo, len] = [Math.min(a, b), r1(Math.abs(b - a))];
    const box = m.horizontal
      ? { x: lo, y: r1(c), width: len, height: r1(thick - gap) }
      : { x: r1(c), y: lo, width: r1(thick - gap), height: len };
    parts.push(svgEl('rect', { class: 'chart-bar', ...box, fill: chartColor(j) }, pointTitle(m, i, j, v)));
    const label = fmtNum(v);
    const mid = r1(c + thick / 2);
    if (outside) {
      const beyond = v < 0 ? -1 : 1;
      parts.push(
        m.horizontal
          ? svgEl(
              'text',
              {
                class: 'chart-value',
                x: b + 4 * beyond,
                y: mid,
                'text-anchor': v < 0 ? 'end' : 'start',
                'dominant-baseline': 'middle',
              },
              label,
            )
          : svgEl('text', { class: 'chart-value', x: mid, y: v < 0 ? b + 11 : b - 4, 'text-anchor': 'middle' }, label),
      );
    } else if (look.labels && m.stacked) {
      const w = textWidth(label, VALUE_FONT);
      const fits = m.horizontal ? len >= w + 4 && thick >= 12 : len >= 12 && thick >= w + 2;
      if (fits) {
        const along = r1((a + b) / 2);
        parts.push(
          svgEl(
            'text',
            {
              class: 'chart-value chart-value-in',
              x: m.horizontal ? along : mid,
              y: m.horizontal ? mid : along,
              'text-anchor': 'middle',
              'dominant-baseline': 'middle',
            },
            label,
          ),
        );
      }
    }
  }
  return parts;
}

/**
 * A line chart's lines, one per series through its points, each value above its point, or below it
 * where another series runs higher there (so two close lines do not write over each other).
 * @param {XYChart} m
 * @param {ChartLook} look
 * @param {ReturnType<typeof chartAxes>} ax
 * @param {number} valueWidest
 */
function drawLines(m, look, ax, valueWidest) {
  const labels = look.labels && valueWidest <= ax.band - 2;
  const topAt = m.categories.map((_, i) =>
    m.series.reduce(
      (best, s, j) => ((s.values[i] ?? -Infinity) > (m.series[best]?.values[i] ?? -Infinity) ? j : best),
      0,
    ),
  );
  /** @type {Child[]} */
  const parts = [];
  m.series.forEach((s, j) => {
    /** @type {[number, number, number, number][]} x, y, category, value */
    const pts = [];
    s.values.forEach((v, i) => {
      if (v !== undefined) pts.push([r1(ax.cat(i) + ax.band / 2), ax.pos(v), i, v]);
    });
    parts.push(
      svgEl('polyline', {
        class: 'chart-line',
        points: pts.map((p) => `${p[0]},${p[1]}`).join(' '),
        stroke: chartColor(j),
      }),
    );
    for (const [x, y, i, v] of pts) {
      parts.push(
        svgEl('circle', { class: 'chart-point', cx: x, cy: y, r: 3, stroke: chartColor(j) }, pointTitle(m, i, j, v)),
      );
      const below = topAt[i] !== j && y + 14 <= ax.plotEnd;
      if (labels)
        parts.push(
          svgEl('text', { class: 'chart-value', x, y: below ? y + 14 : y - 7, 'text-anchor': 'middle' }, fmtNum(v)),
        );
    }
  });
  return parts;
}

/**
 * A bar or line chart: its axes, then its bars or lines, and a legend when it has series.
 * @param {XYChart} m
 * @param {ChartLook} look
 */
function drawXY(m, look) {
  const segs = m.kind === 'bar' ? barSegments(m) : [];
  const values = m.series.flatMap((s) => s.values.filter((v) => v !== undefined));
  const ends = m.kind === 'bar' ? segs.flatMap((g) => [g.from, g.to]) : values;
  const ticks = niceTicks(Math.min(0, ...ends), Math.max(0, ...ends), values.every(Number.isInteger));
  const slots = m.kind === 'bar' && !m.stacked ? m.series.length : 1;
  const valueWidest = Math.max(...values.map((v) => textWidth(fmtNum(v), VALUE_FONT)));
  const ax = chartAxes(m, look, ticks, slots, m.stacked ? 0 : valueWidest);
  const marks =
    m.kind === 'bar' ? drawBars(m, look, ax, segs, slots, valueWidest) : drawLines(m, look, ax, valueWidest);
  return h(
    'div',
    { class: 'chart-draw' },
    chartSvg(ax.height, look.title, [ax.parts, marks]),
    m.legend ? chartLegend(m.series.map((s) => ({ name: s.name }))) : null,
  );
}

/**
 * One slice's outline from angle a0 to a1 (radians, clockwise from the right), a ring's when ri > 0;
 * a whole circle is two half arcs (one arc cannot end where it starts).
 * @param {number} cx
 * @param {number} cy
 * @param {number} r
 * @param {number} ri
 * @param {number} a0
 * @param {number} a1
 */
function slicePath(cx, cy, r, ri, a0, a1) {
  const p = (/** @type {number} */ rad, /** @type {number} */ a) =>
    `${r1(cx + rad * Math.cos(a))},${r1(cy + rad * Math.sin(a))}`;
  if (a1 - a0 >= 2 * Math.PI - 1e-6) {
    const ring = (/** @type {number} */ rad, /** @type {number} */ sweep) => {
      const half = `A ${r1(rad)} ${r1(rad)} 0 1 ${sweep}`;
      return `M ${cx},${r1(cy - rad)} ${half} ${cx},${r1(cy + rad)} ${half} ${cx},${r1(cy - rad)} Z`;
    };
    return ri > 0 ? `${ring(r, 1)} ${ring(ri, 0)}` : ring(r, 1);
  }
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const outer = `${p(r, a0)} A ${r1(r)} ${r1(r)} 0 ${large} 1 ${p(r, a1)}`;
  return ri > 0
    ? `M ${outer} L ${p(ri, a1)} A ${r1(ri)} ${r1(ri)} 0 ${large} 0 ${p(ri, a0)} Z`
    : `M ${cx},${cy} L ${outer} Z`;
}

/**
 * A pie (a ring with innerRadius) from twelve o'clock, clockwise; each slice's share on it when it is
 * wide enough, and a legend with every value and share.
 * @param {PieChart} m
 * @param {ChartLook} look
 */
function drawPie(m, look) {
  const total = m.slices.reduce((t, s) => t + s.value, 0);
  const height = Math.max(200, Math.min(CHART_W * look.ratio, 300));
  const [cx, cy, r] = [CHART_W / 2, height / 2, height / 2 - 10];
  const ri = r * m.inner;
  const pct = (/** @type {number} */ v) => `${Number(((v * 100) / total).toFixed(1))}%`;
  /** @type {Child[]} */
  const parts = [];
  let a = -Math.PI / 2;
  m.slices.forEach((s, i) => {
    if (s.value <= 0) return;
    const a1 = a + (2 * Math.PI * s.value) / total;
    parts.push(
      svgEl(
        'path',
        { class: 'chart-slice', d: slicePath(cx, cy, r, ri, a, a1), fill: chartColor(i), 'fill-rule': 'evenodd' },
        svgEl('title', { text: `${s.name}：${fmtNum(s.value)}（${pct(s.value)}）` }),
      ),
    );
    if (look.labels && s.value / total >= 0.05) {
      const mid = (a + a1) / 2;
      // Mid-slice, in the ring's middle; a whole disc's share sits at its centre.
      const rad = ri > 0 ? (r + ri) / 2 : s.value === total ? 0 : r * 0.62;
      parts.push(
        svgEl(
          'text',
          {
            class: 'chart-slice-label',
            x: r1(cx + rad * Math.cos(mid)),
            y: r1(cy + rad * Math.sin(mid)),
            'text-anchor': 'middle',
            'dominant-baseline': 'middle',
          },
          pct(s.value),
        ),
      );
    }
    a = a1;
  });
  return h(
    'div',
    { class: 'chart-draw' },
    chartSvg(height, look.title, parts),
    chartLegend(m.slices.map((s) => ({ name: s.name, note: `${fmtNum(s.value)}（${pct(s.value)}）` }))),
  );
}

/**
 * The data rows as a table, one column per key.
 * @param {unknown[]} values
 */
function chartTable(values) {
  const keys = [...new Set(values.flatMap((v) => (v && typeof v === 'object' ? Object.keys(v) : [])))];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'ctable thead-grey' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          keys.map((k) => h('th', { text: k })),
        ),
      ),
      h(
        'tbody',
        {},
        values.map((/** @type {any} */ v) =>
          h(
            'tr',
            {},
            keys.map((k) => h('td', { text: cellNode(v?.[k], 'text') })),
          ),
        ),
      ),
    ),
  );
}

/** A VChart title: its text, or its lines joined. */
function chartTitle(/** @type {Json} */ spec) {
  const t = spec.title?.text;
  return typeof t === 'string' ? t : Array.isArray(t) ? t.filter((x) => typeof x === 'string').join(' ') : '';
}

/**
 * A chart component: drawn (bar, line, pie) with its data table folded below, or else the table.
 * @param {Json} el
 */
function renderChart(el) {
  /** @type {Json} */
  const spec = el.chart_spec && typeof el.chart_spec === 'object' ? el.chart_spec : {};
  /** @type {unknown[]} */
  const sets = Array.isArray(spec.data) ? spec.data : spec.data ? [spec.data] : [];
  /** @type {unknown[]} */
  const values = sets.flatMap((/** @type {any} */ d) => (Array.isArray(d?.values) ? d.values : []));
  const title = chartTitle(spec);
  const box = h('div', { class: 'chart' }, title ? h('div', { class: 'chart-title', text: title }) : null);
  if (values.length === 0) return append(box, [h('div', { class: 'muted small', text: '（图表无数据）' })]);
  /** @type {HTMLElement | null} */
  let drawn = null;
  try {
    const model = chartModel(spec, values);
    const look = {
      ratio: CHART_RATIOS.get(String(el.aspect_ratio)) ?? 0.5625,
      labels: spec.label?.visible !== false,
      title,
    };
    if (model) drawn = model.kind === 'pie' ? drawPie(model, look) : drawXY(model, look);
  } catch {
    // A spec the model let through but the drawing could not place (no axis): show the table.
    drawn = null;
  }
  if (!drawn)
    return append(box, [
      h('div', { class: 'muted small', text: '（控制台未能绘制此图表，以下是它的数据）' }),
      chartTable(values),
    ]);
  return append(box, [
    drawn,
    h('details', { class: 'chart-data' }, h('summary', { text: '数据表' }), chartTable(values)),
  ]);
}

/** @param {Json} behavior */
function openUrl(behavior) {
  const url = safeUrl(behavior.pc_url || behavior.default_url || behavior.url);
  if (url) window.open(url, '_blank', 'noopener,noreferrer');
  else toast('warning', '链接不是 http(s) 地址，已忽略');
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderButton(el, ctx) {
  const type = String(el.type ?? 'default').replace(/[^a-z_]/g, '');
  const b = h(
    'button',
    {
      class: `cbtn cbtn-${type} cbtn-${el.size ?? 'medium'}${el.width === 'fill' ? ' cbtn-fill' : ''}`,
      type: 'button',
      title: textOf(el.disabled ? el.disabled_tips : el.hover_tips) || undefined,
      disabled: el.disabled === true,
      'data-name': el.name,
    },
    textOf(el.text),
  );
  const form = ctx.form;
  b.addEventListener('click', async () => {
    if (el.form_action_type === 'reset' || el.action_type === 'form_reset') {
      form?.reset();
      return;
    }
    const submit = form && (el.form_action_type === 'submit' || el.action_type === 'form_submit');
    /** @type {Record<string, unknown> | undefined} */
    let formValue;
    if (submit) {
      formValue = form.collect();
      if (!formValue) return;
    }
    if (el.confirm && !(await confirmDialog(textOf(el.confirm.title), textOf(el.confirm.text)))) return;
    /** @type {Json[]} */
    const behaviors = Array.isArray(el.behaviors) ? el.behaviors : [];
    const url = behaviors.find((x) => x.type === 'open_url');
    if (url) openUrl(url);
    const cb = behaviors.find((x) => x.type === 'callback');
    if (submit) {
      await ctx.act({ value: cb?.value ?? {}, formValue, name: el.name ?? '', tag: 'button' }, b);
    } else if (cb) {
      await ctx.act({ value: cb.value, tag: 'button', name: el.name }, b);
    } else if (!url) {
      toast('info', '这个按钮没有回传交互');
    }
  });
  return b;
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderOverflow(el, ctx) {
  const sel = h(
    'select',
    { class: 'overflow', 'aria-label': '更多' },
    h('option', { value: '', text: '⋯' }),
    (el.options ?? []).map((/** @type {Json} */ o, /** @type {number} */ i) =>
      h('option', { value: String(i), text: textOf(o.text) }),
    ),
  );
  sel.addEventListener('change', async () => {
    const o = (el.options ?? [])[Number(sel.value)];
    sel.value = '';
    if (!o) return;
    if (o.multi_url) openUrl(o.multi_url);
    else await ctx.act({ value: o.value ?? el.value ?? {}, tag: 'overflow' }, sel);
  });
  return sel;
}

// ------------------------------------------------------------------ forms

/**
 * Field values in Feishu's form_value formats (docs/feishu-platform.md §5).
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderForm(el, ctx) {
  /** @type {FormField[]} */
  const fields = [];
  /** @type {FormState} */
  const state = {
    register: (f) => fields.push(f),
    reset: () => {
      for (const f of fields) f.reset();
    },
    collect: () => {
      const missing = fields.filter((f) => f.required && f.empty());
      for (const f of fields) f.wrap.classList.toggle('field-missing', missing.includes(f));
      if (missing.length) {
        toast('warning', `有必填项未填写：${missing.map((f) => f.label || f.name).join('、')}`);
        return undefined;
      }
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const f of fields) {
        const v = f.value();
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    },
  };
  const box = h('form', { class: 'cform', 'data-name': el.name, novalidate: true });
  box.addEventListener('submit', (e) => e.preventDefault());
  renderElements(el.elements, { ...ctx, form: state }, box);
  return box;
}

function chatMembers() {
  return currentChat()?.members ?? [];
}

/**
 * @param {Json} el
 * @param {RenderContext} ctx
 */
function renderField(el, ctx) {
  const label = textOf(el.label);
  const placeholder = textOf(el.placeholder);
  const name = String(el.name ?? '');
  // Multi-selects hold several checkboxes, so their wrapper cannot be a <label>.
  const wrap = h(el.tag.startsWith('multi_') ? 'div' : 'label', {
    class: `cfield cfield-${el.tag}${el.label_position === 'left' ? ' label-left' : ''}`,
    'data-name': name,
  });
  // Controls that cannot show a placeholder get it as their caption when there is no label.
  const caption = label || (/^(multi_|date_|picker_)/.test(el.tag) ? placeholder : '');
  if (caption) wrap.append(h('span', { class: `cfield-label${el.required ? ' required' : ''}`, text: caption }));
  // Each case keeps its control in a const of its own type; `control` is what is appended below.
  /** @type {HTMLElement | null | undefined} */
  let control;
  /** @type {(() => unknown) | undefined} */
  let value;
  /** @type {(() => void) | undefined} */
  let reset;
  /** @type {(() => boolean) | undefined} */
  let empty;
  /**
   * @param {string} s
   * @param {Date} date
   */
  const withSuffix = (s, date) => (s ? `${s} ${offsetSuffix(date)}` : undefined);
  switch (el.tag) {
    case 'input': {
      const multi = el.input_type === 'multiline_text';
      const input = h(multi ? 'textarea' : 'input', {
        class: 'cinput',
        type: multi ? undefined : el.input_type === 'password' ? 'password' : 'text',
        rows: multi ? Math.max(1, Math.min(10, Number(el.rows) || 3)) : undefined,
        placeholder: placeholder || undefined,
        maxlength: Number(el.max_length) || 1000,
        name,
      });
      control = input;
      const initial = typeof el.default_value === 'string' ? el.default_value : '';
      input.value = initial;
      value = () => input.value;
      reset = () => {
        input.value = initial;
      };
      empty = () => input.value.trim() === '';
      break;
    }
    case 'select_static':
    case 'select_person': {
      const person = el.tag === 'select_person';
      const opts = person
        ? personOptions(el)
        : (el.options ?? []).map((/** @type {Json} */ o) => ({ value: String(o.value), text: textOf(o.text) }));
      const select = h(
        'select',
        { class: 'cinput', name },
        h('option', { value: '', text: placeholder || '请选择' }),
        opts.map((/** @type {{ value: string, text: string }} */ o) => h('option', { value: o.value, text: o.text })),
      );
      control = select;
      const idx = Number.isInteger(el.initial_index) ? opts[el.initial_index - 1]?.value : undefined;
      const initial = String(el.initial_option ?? idx ?? '');
      select.value = initial;
      value = () => select.value || undefined;
      reset = () => {
        select.value = initial;
      };
      empty = () => !select.value;
      break;
    }
    case 'multi_select_static':
    case 'multi_select_person': {
      const person = el.tag === 'multi_select_person';
      const opts = person
        ? personOptions(el)
        : (el.options ?? []).map((/** @type {Json} */ o) => ({ value: String(o.value), text: textOf(o.text) }));
      /** @type {{ value: string, text: string }[]} */
      const choices = opts;
      const initial = new Set((el.selected_values ?? []).map(String));
      const boxes = choices.map((o) => h('input', { type: 'checkbox', value: o.value, checked: initial.has(o.value) }));
      control = h(
        'div',
        { class: 'multi', role: 'group', 'aria-label': label || placeholder || name },
        choices.map((o, i) => h('label', { class: 'chip' }, boxes[i], h('span', { text: o.text }))),
      );
      value = () => {
        const v = boxes.filter((b) => b.checked).map((b) => b.value);
        return v.length ? v : undefined;
      };
      reset = () => {
        for (const b of boxes) b.checked = initial.has(b.value);
      };
      empty = () => !boxes.some((b) => b.checked);
      break;
    }
    case 'date_picker': {
      const input = h('input', { class: 'cinput', type: 'date', name, 'aria-label': label || placeholder || name });
      const initial = /^\d{4}-\d{2}-\d{2}$/.test(el.initial_date ?? '') ? el.initial_date : '';
      input.value = initial;
      const zh = zhDateField(input, '年/月/日');
      control = zh.wrap;
      value = () => withSuffix(input.value, zonedToDate(input.value) ?? new Date());
      reset = () => {
        input.value = initial;
        zh.sync();
      };
      empty = () => !input.value;
      break;
    }
    case 'picker_datetime': {
      const input = h('input', {
        class: 'cinput',
        type: 'datetime-local',
        name,
        'aria-label': label || placeholder || name,
      });
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(el.initial_datetime ?? '');
      const initial = m ? `${m[1]}T${m[2]}` : '';
      input.value = initial;
      const zh = zhDateField(input, '年/月/日 时:分');
      control = zh.wrap;
      value = () => withSuffix(input.value.replace('T', ' ').slice(0, 16), zonedToDate(input.value) ?? new Date());
      reset = () => {
        input.value = initial;
        zh.sync();
      };
      empty = () => !input.value;
      break;
    }
    case 'picker_time': {
      const input = h('input', { class: 'cinput', type: 'time', name, 'aria-label': label || placeholder || name });
      const initial = /^\d{2}:\d{2}$/.test(el.initial_time ?? '') ? el.initial_time : '';
      input.value = initial;
      const zh = zhDateField(input, '时:分');
      control = zh.wrap;
      value = () => withSuffix(input.value, sandboxNow());
      reset = () => {
        input.value = initial;
        zh.sync();
      };
      empty = () => !input.value;
      break;
    }
    case 'checker': {
      // Appended here with its text, so not as `control` below.
      const box = h('input', { type: 'checkbox', checked: el.checked === true, name });
      wrap.classList.add('cfield-inline');
      wrap.append(box, textNode(el.text));
      value = () => box.checked;
      reset = () => {
        box.checked = el.checked === true;
      };
      empty = () => !box.checked;
      control = null;
      break;
    }
  }
  if (control) wrap.append(control);
  if (el.disabled) {
    /** @type {NodeListOf<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>} */
    const controls = wrap.querySelectorAll('input, select, textarea');
    for (const c of controls) c.disabled = true;
  }
  const clearMissing = () => wrap.classList.remove('field-missing');
  wrap.addEventListener('input', clearMissing);
  wrap.addEventListener('change', clearMissing);
  if (ctx.form) {
    // value, reset and empty are set for every tag renderElement sends here.
    ctx.form.register(
      // A missing field is named as the person knows it: its label, else (pickers have none) its placeholder.
      /** @type {FormField} */ ({
        name,
        label: label || placeholder,
        required: el.required === true,
        wrap,
        value,
        reset,
        empty,
      }),
    );
  } else if (el.tag !== 'input') {
    // Outside a form Feishu calls back on change; the control API cannot carry the chosen option, so
    // the console sends the component's callback value with its tag and name.
    const cb = (el.behaviors ?? []).find((/** @type {Json} */ b) => b.type === 'callback');
    if (cb) wrap.addEventListener('change', () => ctx.act({ value: cb.value, tag: el.tag, name }, wrap));
  }
  return wrap;
}

/**
 * select_person options: the listed open_ids, or everyone in the chat when the list is empty.
 * @param {Json} el
 * @returns {{ value: string, text: string }[]}
 */
function personOptions(el) {
  /** @type {string[]} */
  const listed = (el.options ?? []).map((/** @type {any} */ o) => String(o.value ?? o));
  return (listed.length ? listed : chatMembers()).map((id) => ({ value: id, text: nameOf(id) }));
}

// ------------------------------------------------------------------ messages

const PALETTE = [
  '#3370ff',
  '#14c0ff',
  '#00b3a1',
  '#34c724',
  '#ffc60a',
  '#ff8800',
  '#f54a45',
  '#7f3bf5',
  '#4954e6',
  '#d136d1',
];

/**
 * @param {string} openId
 * @param {string} name
 */
function avatar(openId, name, cls = '') {
  const isBot = openId === S.bot.openId;
  let hash = 0;
  for (const ch of openId) hash = (hash * 31 + /** @type {number} */ (ch.codePointAt(0))) >>> 0;
  const chars = Array.from(String(name ?? ''));
  const initials = /[\u4e00-\u9fff]/.test(name ?? '')
    ? chars.slice(-2).join('')
    : chars.slice(0, 1).join('').toUpperCase();
  const el = h('span', {
    class: `avatar ${isBot ? 'avatar-bot' : ''} ${cls}`.trim(),
    text: isBot ? '清风' : initials || '?',
  });
  if (!isBot) el.style.background = PALETTE[hash % PALETTE.length];
  return el;
}

/**
 * A text message: `@_user_N` keys (from users) and `<at user_id="…">Name</at>` (from the bot) become mentions.
 * @param {string} text
 * @param {Mention[] | undefined} mentions
 */
function renderText(text, mentions) {
  const out = h('div', { class: 'text' });
  const keys = new Map((mentions ?? []).map((m) => [m.key, m]));
  const re = /@_user_\d+|<at\s+([^>]*)>([\s\S]*?)<\/at>/g;
  let last = 0;
  for (const m of String(text ?? '').matchAll(re)) {
    out.append(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0].startsWith('@_user_')) {
      const k = keys.get(m[0]);
      out.append(k ? mentionEl(k.openId, k.name) : m[0]);
    } else {
      const a = parseAttrs(m[1]);
      out.append(mentionEl(a.user_id ?? a.id ?? a.open_id ?? '', m[2]));
    }
  }
  out.append(text.slice(last));
  return out;
}

/**
 * @param {ConsoleMessage} msg
 * @returns {Json}
 */
function parseContent(msg) {
  try {
    return JSON.parse(msg.content);
  } catch {
    return {};
  }
}

/** @type {Record<string, string>} */
const URGENT_KIND = { app: '应用内', sms: '短信', phone: '电话' };

/**
 * @param {ConsoleMessage} msg
 * @param {Map<string, ConsoleMessage>} byId
 */
function renderMessage(msg, byId) {
  const isBot = msg.senderType === 'app';
  const mine = msg.senderId === S.me;
  if (msg.recalled) {
    return h(
      'div',
      { class: 'msg msg-recalled', 'data-id': msg.messageId },
      h('span', { text: `${msg.senderName} · 此消息已撤回` }),
    );
  }
  const content = parseContent(msg);
  /** @type {HTMLElement} */
  let body;
  if (msg.msgType === 'text') {
    body = h('div', { class: 'bubble' }, renderText(String(content.text ?? ''), msg.mentions));
  } else if (msg.msgType === 'interactive') {
    body = renderCard(content, {
      msg,
      form: null,
      act: (payload, el) => act(msg, payload, el),
    });
  } else if (msg.msgType === 'file') {
    const key = String(content.file_key ?? '');
    // The bot's file messages carry only the key: the name is the one the file was uploaded with.
    const name = msg.fileName ?? (typeof content.file_name === 'string' ? content.file_name : undefined);
    body = h(
      'a',
      {
        class: 'bubble file',
        href: `/api/files/${encodeURIComponent(key)}`,
        download: name ?? 'file',
        title: name ?? key,
      },
      h('span', { class: 'file-icon', text: '文件' }),
      h('span', { class: 'file-name', text: name ?? '文件' }),
    );
  } else if (msg.msgType === 'image') {
    body = imagePlaceholder(content.image_key, '');
  } else {
    body = h('pre', { class: 'bubble raw', text: msg.content });
  }
  const parent = msg.parentId ? byId.get(msg.parentId) : undefined;
  const quote = parent ? h('div', { class: 'reply-to', text: `回复 ${parent.senderName}：${snippet(parent)}` }) : null;
  const urgent = (msg.urgent ?? []).map((u) =>
    h(
      'div',
      { class: 'urgent' },
      h('span', { class: 'urgent-badge', text: '加急' }),
      h('span', { text: `${URGENT_KIND[u.kind] ?? ''}加急 → ${(u.to ?? []).join('、') || '（无人）'}` }),
    ),
  );
  return h(
    'div',
    {
      class: `msg${mine ? ' msg-mine' : ''}${isBot ? ' msg-bot' : ''}`,
      'data-id': msg.messageId,
      'data-version': msg.version,
      'data-type': msg.msgType,
    },
    avatar(msg.senderId, msg.senderName),
    h(
      'div',
      { class: 'msg-main' },
      h(
        'div',
        { class: 'msg-meta' },
        h('span', { class: 'msg-name', text: msg.senderName }),
        isBot ? h('span', { class: 'bot-tag', text: '机器人' }) : null,
        h('span', {
          class: 'msg-time',
          text: fmtMsgTime(msg.createdAt),
          title: new Date(msg.createdAt).toLocaleString('zh-CN', { timeZone: tz() }),
        }),
        msg.version > 0 ? h('span', { class: 'msg-edited', text: '已更新' }) : null,
      ),
      quote,
      body,
      urgent,
    ),
  );
}

/** @param {ConsoleMessage} msg */
function snippet(msg) {
  if (msg.recalled) return '此消息已撤回';
  const c = parseContent(msg);
  if (msg.msgType === 'text') {
    const keys = new Map((msg.mentions ?? []).map((m) => [m.key, m.name]));
    const t = String(c.text ?? '')
      .replace(/@_user_\d+/g, (k) => `@${keys.get(k) ?? k}`)
      .replace(/<at\s+[^>]*>([\s\S]*?)<\/at>/g, '@$1');
    return Array.from(t).slice(0, 40).join('');
  }
  if (msg.msgType === 'interactive') return `[卡片] ${textOf(c.header?.title)}`;
  if (msg.msgType === 'file') return `[文件] ${msg.fileName ?? c.file_name ?? ''}`;
  return `[${msg.msgType}]`;
}

/**
 * @param {ConsoleMessage} msg
 * @param {ActPayload} payload
 * @param {Element} el
 */
async function act(msg, payload, el) {
  if (!S.me) return toast('warning', '请先选择当前身份');
  const busy = el instanceof HTMLElement ? el : null;
  busy?.classList.add('busy');
  if (busy && 'disabled' in busy) busy.disabled = true;
  try {
    const r = await api('/api/click', { messageId: msg.messageId, from: S.me, ...payload });
    if (r.error) toast('error', r.error);
    if (r.toast) toast(r.toast.type, r.toast.content);
  } catch (err) {
    toast('error', `操作失败：${/** @type {Error} */ (err).message}`);
  } finally {
    busy?.classList.remove('busy');
    if (busy && 'disabled' in busy && busy.isConnected) busy.disabled = false;
    loadMessages();
  }
}

/** Re-renders only messages whose version, recall or urgency changed, so forms being filled keep their input. */
const loadMessages = coalesce(async () => {
  const chatId = S.chatId;
  const box = $('messages');
  if (!chatId) {
    box.replaceChildren(h('div', { class: 'empty', text: '请选择左侧的会话' }));
    S.rendered.clear();
    return;
  }
  /** @type {{ messages: ConsoleMessage[] }} */
  const { messages } = await api(`/api/chats/${encodeURIComponent(chatId)}/messages`);
  if (chatId !== S.chatId) return;
  if (S.rendered.size === 0) box.replaceChildren();
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const seen = new Set();
  /** @type {HTMLElement | null} */
  let prev = null;
  let added = false;
  for (const msg of messages) {
    seen.add(msg.messageId);
    const sig = `${S.me}|${msg.version}|${msg.recalled}|${JSON.stringify(msg.urgent ?? [])}`;
    let r = S.rendered.get(msg.messageId);
    if (!r || r.sig !== sig) {
      const el = renderMessage(msg, byId);
      if (r) r.el.replaceWith(el);
      else added = true;
      r = { sig, el };
      S.rendered.set(msg.messageId, r);
    }
    /** @type {ChildNode | null} */
    const want = prev ? prev.nextSibling : box.firstChild;
    if (want !== r.el) box.insertBefore(r.el, want);
    prev = r.el;
  }
  for (const [id, r] of S.rendered) {
    if (!seen.has(id)) {
      r.el.remove();
      S.rendered.delete(id);
    }
  }
  if (messages.length === 0) box.replaceChildren(h('div', { class: 'empty', text: '还没有消息' }));
  if (added && nearBottom) box.scrollTop = box.scrollHeight;
});

// ------------------------------------------------------------------ chats and identity

async function loadState() {
  /** @type {{ bot: { openId: string, name: string }, users: ConsoleUser[], chats: ConsoleChat[], jobs: ConsoleJob[], clock: ConsoleClock }} */
  const s = await api('/api/state');
  S.bot = s.bot;
  S.users = s.users;
  S.chats = s.chats;
  S.jobs = s.jobs;
  S.clock = s.clock;
  S.names = new Map([
    [s.bot.openId, s.bot.name],
    ...s.users.map((u) => /** @type {[string, string]} */ ([u.openId, u.name])),
  ]);
  if (!S.users.some((u) => u.openId === S.me)) {
    const group = S.chats.find((c) => c.type === 'group' && c.ownerOpenId);
    S.me = group?.ownerOpenId ?? S.users[0]?.openId ?? '';
  }
  if (!S.chats.some((c) => c.chatId === S.chatId)) S.chatId = defaultChat();
  renderIdentity();
  renderChats();
  renderJobs();
  renderHeader();
  renderClock();
}

function defaultChat() {
  const mine = S.chats.filter((c) => c.members.includes(S.me));
  return (mine.find((c) => c.type === 'group') ?? mine[0] ?? S.chats[0])?.chatId ?? '';
}

function renderIdentity() {
  const sel = $('identity');
  const owners = new Set(S.chats.map((c) => c.ownerOpenId).filter(Boolean));
  sel.replaceChildren(
    ...S.users.map((u) =>
      h('option', {
        value: u.openId,
        text: owners.has(u.openId) ? `${u.name}（群主）` : u.name,
        selected: u.openId === S.me,
      }),
    ),
  );
  sel.value = S.me;
}

/** @param {ConsoleChat} c */
function chatOrder(c) {
  if (c.type === 'group') return 0;
  return c.members.includes(S.me) ? 1 : 2;
}

function renderChats() {
  const list = $('chat-list');
  const chats = [...S.chats].sort((a, b) => chatOrder(a) - chatOrder(b));
  list.replaceChildren(
    ...chats.map((c) => {
      const member = c.members.includes(S.me);
      const sub =
        c.type === 'group' ? `群聊 · ${c.members.length} 人${c.botIn ? '' : ' · 清风不在群内'}` : '与机器人的单聊';
      return h(
        'button',
        {
          type: 'button',
          class: `chat-item${c.chatId === S.chatId ? ' active' : ''}${member ? '' : ' not-member'}`,
          'data-chat-id': c.chatId,
          title: member ? c.name : `${c.name}（当前身份不在此会话中，仅可查看）`,
          onclick: () => selectChat(c.chatId),
        },
        c.type === 'group' ? h('span', { class: 'avatar avatar-group', text: '群' }) : avatar(S.bot.openId, S.bot.name),
        h(
          'span',
          { class: 'chat-text' },
          h('span', { class: 'chat-name', text: c.name }),
          h('span', { class: 'chat-sub', text: member ? sub : `${sub} · 旁观` }),
        ),
        S.unread.has(c.chatId) ? h('span', { class: 'dot', 'aria-label': '有新消息' }) : null,
      );
    }),
  );
}

function renderHeader() {
  const c = currentChat();
  $('chat-title').textContent = c ? c.name : '请选择会话';
  $('chat-sub').textContent = c
    ? c.type === 'group'
      ? `${c.members.length} 位成员：${c.members.map(nameOf).join('、')}`
      : `${nameOf(c.members[0] ?? '')} 与 ${S.bot.name} 的单聊`
    : '';
  const member = c?.members.includes(S.me);
  const note = $('composer-note');
  note.hidden = /** @type {boolean} */ (!c || member);
  note.textContent = c && !member ? `${nameOf(S.me)} 不在「${c.name}」中，不能在这里发言。请切换身份。` : '';
  $('input').disabled = !member;
  $('send').disabled = !member;
  $('at-btn').disabled = !member;
  $('mention-bot-wrap').hidden = c?.type !== 'group';
}

/** @param {string} chatId */
function selectChat(chatId) {
  if (chatId !== S.chatId) {
    S.chatId = chatId;
    S.rendered.clear();
    S.picked.clear();
    localStorage.setItem('qf.chat', chatId);
  }
  S.unread.delete(chatId);
  renderChats();
  renderHeader();
  return loadMessages().then(() => {
    const box = $('messages');
    box.scrollTop = box.scrollHeight;
  });
}

/** @param {string} openId */
function setIdentity(openId) {
  S.me = openId;
  localStorage.setItem('qf.me', openId);
  // Every message re-renders in place (the signature includes the identity), keeping the scroll position.
  renderChats();
  renderHeader();
  loadMessages();
}

// ------------------------------------------------------------------ composer

/** @returns {{ openId: string, name: string, bot?: boolean }[]} */
function mentionCandidates() {
  const c = currentChat();
  if (!c) return [];
  const people = c.members.filter((id) => id !== S.me).map((id) => ({ openId: id, name: nameOf(id) }));
  return c.botIn ? [{ openId: S.bot.openId, name: S.bot.name, bot: true }, ...people] : people;
}

let menuIndex = 0;
let menuAnchor = -1; // position of the "@" being completed, or -1 when opened from the button

/** @param {number} anchor */
function openMentionMenu(anchor) {
  menuAnchor = anchor;
  menuIndex = 0;
  drawMentionMenu();
}

function mentionQuery() {
  const input = $('input');
  if (menuAnchor < 0) return '';
  return input.value.slice(menuAnchor + 1, input.selectionStart);
}

function drawMentionMenu() {
  const menu = $('mention-menu');
  const q = mentionQuery();
  const items = mentionCandidates().filter((c) => c.name.includes(q));
  if (items.length === 0 || /\s/.test(q)) {
    menu.hidden = true;
    return;
  }
  menuIndex = Math.min(menuIndex, items.length - 1);
  menu.replaceChildren(
    ...items.map((c, i) =>
      h(
        'button',
        {
          type: 'button',
          class: `mention-item${i === menuIndex ? ' active' : ''}`,
          role: 'option',
          'data-open-id': c.openId,
          onmousedown: (/** @type {MouseEvent} */ e) => {
            e.preventDefault();
            pickMention(c);
          },
        },
        avatar(c.openId, c.name, 'avatar-xs'),
        h('span', { text: c.name }),
        c.bot ? h('span', { class: 'bot-tag', text: '机器人' }) : null,
      ),
    ),
  );
  menu.hidden = false;
}

function closeMentionMenu() {
  $('mention-menu').hidden = true;
  menuAnchor = -1;
}

/** @param {{ openId: string, name: string }} c */
function pickMention(c) {
  const input = $('input');
  const end = input.selectionStart;
  const start = menuAnchor >= 0 ? menuAnchor : end;
  const label = `@${c.name}`;
  input.value = `${input.value.slice(0, start)}${label} ${input.value.slice(end)}`;
  const caret = start + label.length + 1;
  input.setSelectionRange(caret, caret);
  S.picked.set(label, c.openId);
  closeMentionMenu();
  input.focus();
}

/**
 * The text to send: picked "@Name"s become `@{ou_…}` (the bot's own mention becomes mentionBot).
 * @param {string} text
 */
function encodeMentions(text) {
  let mentionBot = false;
  const labels = [...S.picked.keys()].filter((l) => text.includes(l)).sort((a, b) => b.length - a.length);
  let out = text;
  for (const label of labels) {
    const id = S.picked.get(label);
    const re = new RegExp(label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
    if (id === S.bot.openId) {
      if (re.test(out)) mentionBot = true;
      out = out.replace(new RegExp(`${re.source} ?`, 'g'), '');
    } else {
      out = out.replace(re, `@{${id}}`);
    }
  }
  return { text: out.trim(), mentionBot };
}

async function send() {
  const c = currentChat();
  const input = $('input');
  const raw = input.value;
  if (!c || !raw.trim()) return;
  const enc = encodeMentions(raw);
  const isGroup = c.type === 'group';
  const mentionBot = isGroup && (enc.mentionBot || $('mention-bot').checked || /^[/／]/.test(enc.text.trimStart()));
  if (!enc.text) {
    if (!mentionBot) return;
    enc.text = ' ';
  }
  $('send').disabled = true;
  try {
    await api('/api/send', { chatId: c.chatId, from: S.me, text: enc.text, mentionBot });
    input.value = '';
    S.picked.clear();
    await loadMessages();
    const box = $('messages');
    box.scrollTop = box.scrollHeight;
  } catch (err) {
    toast('error', `发送失败：${/** @type {Error} */ (err).message}`);
  } finally {
    $('send').disabled = false;
    input.focus();
  }
}

function setupComposer() {
  const input = $('input');
  input.addEventListener('keydown', (e) => {
    const menu = $('mention-menu');
    if (!menu.hidden) {
      const n = menu.children.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        menuIndex = (menuIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        drawMentionMenu();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const item = /** @type {HTMLElement | undefined} */ (menu.children[menuIndex]);
        const c = mentionCandidates().find((x) => x.openId === item?.dataset.openId);
        if (c) pickMention(c);
        return;
      }
      if (e.key === 'Escape') {
        closeMentionMenu();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    const pos = input.selectionStart;
    if (input.value[pos - 1] === '@') openMentionMenu(pos - 1);
    else if (menuAnchor >= 0) {
      if (pos <= menuAnchor || input.value[menuAnchor] !== '@') closeMentionMenu();
      else drawMentionMenu();
    }
  });
  input.addEventListener('blur', () => setTimeout(closeMentionMenu, 150));
  $('at-btn').addEventListener('click', () => {
    input.focus();
    const pos = input.selectionStart;
    input.setRangeText('@', pos, input.selectionEnd, 'end');
    openMentionMenu(pos);
  });
  $('send').addEventListener('click', send);
  $('identity').addEventListener('change', (e) => setIdentity(/** @type {HTMLSelectElement} */ (e.target).value));
  $('open-p2p').addEventListener('click', async () => {
    try {
      const { chatId } = await api('/api/p2p', { openId: S.me });
      await loadState();
      await selectChat(chatId);
    } catch (err) {
      toast('error', /** @type {Error} */ (err).message);
    }
  });
}

// ------------------------------------------------------------------ clock and jobs

function renderClock() {
  const now = sandboxNow();
  const p = partsOf(now);
  $('clock-now').textContent =
    `${p.year}-${p.month}-${p.day} 周${WEEKDAYS[p.weekday] ?? ''} ${p.hour}:${p.minute}:${p.second}`;
  const days = (S.clock.offsetMs || 0) / 86_400_000;
  $('clock-offset').textContent =
    Math.abs(days) < 1 / 1440
      ? '与真实时间一致'
      : `比真实时间${days > 0 ? '快' : '慢'} ${Math.abs(days)
          .toFixed(2)
          .replace(/\.?0+$/, '')} 天`;
}

function renderJobs() {
  const sel = $('job-name');
  const current = sel.value;
  sel.replaceChildren(
    ...S.jobs.map((j) =>
      h('option', {
        value: j.name,
        text: j.schedule ? `${j.label}（${j.schedule}）` : j.label,
        title: `${j.name}：${j.summary}`,
      }),
    ),
  );
  if (S.jobs.some((j) => j.name === current)) sel.value = current;
  showJobSummary();
  if (!$('job-time').value) setJobTime(sandboxNow());
  $('job-time-label').textContent = `时间（${tz() === 'Asia/Shanghai' ? '北京时间' : tz()}）`;
}

/** The chosen job's schedule and what it does, under the list. */
function showJobSummary() {
  const j = S.jobs.find((x) => x.name === $('job-name').value);
  $('job-summary').textContent = j ? [j.schedule, j.summary].filter(Boolean).join(' · ') : '';
}

/** @param {Date} d */
function setJobTime(d) {
  $('job-time').value = fmtDateTimeLocal(d);
  $('job-time').dispatchEvent(new Event('change'));
}

/** @param {Record<string, unknown>} body */
async function clockCall(body) {
  try {
    S.clock = { ...S.clock, ...(await api('/api/clock', body)) };
    renderClock();
    setJobTime(sandboxNow());
    loadMessages();
  } catch (err) {
    toast('error', /** @type {Error} */ (err).message);
  }
}

function setupClock() {
  zhDateField($('job-time'), '年/月/日 时:分');
  for (const b of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-advance]'))) {
    b.addEventListener('click', () => clockCall({ advanceDays: Number(b.dataset.advance) }));
  }
  $('clock-reset').addEventListener('click', () => clockCall({ reset: true }));
  $('clock-set').addEventListener('click', () => {
    const d = zonedToDate($('job-time').value);
    if (d) clockCall({ set: d.toISOString() });
  });
  $('job-name').addEventListener('change', showJobSummary);
  $('job-run').addEventListener('click', async () => {
    const name = $('job-name').value;
    const at = zonedToDate($('job-time').value) ?? sandboxNow();
    const out = $('job-result');
    const btn = $('job-run');
    btn.disabled = true;
    out.hidden = false;
    out.className = 'job-result';
    const label = S.jobs.find((j) => j.name === name)?.label ?? name;
    out.textContent = `正在运行 ${label}…`;
    try {
      const r = await api('/api/jobs/run', { name, now: at.toISOString() });
      out.replaceChildren(
        h('div', {
          class: 'job-result-title',
          text: `${label} · 截至 ${zhDateTime(fmtDateTimeLocal(new Date(r.asOf)))}`,
        }),
        h('div', { text: `应发 ${r.due} · 已发 ${r.posted} · 已处理过 ${r.skipped} · 失败 ${r.failed}` }),
        r.summary ? h('div', { class: 'muted small', text: r.summary }) : '',
      );
      out.classList.add(r.failed > 0 ? 'job-bad' : 'job-ok');
    } catch (err) {
      out.textContent = `运行失败：${/** @type {Error} */ (err).message}`;
      out.classList.add('job-bad');
    } finally {
      btn.disabled = false;
    }
  });
  setInterval(renderClock, 1000);
}

// ------------------------------------------------------------------ Open API log

const LOG_MAX = 300;

/** @param {string} iso */
function timeOfDay(iso) {
  const p = partsOf(new Date(iso));
  return `${p.hour}:${p.minute}:${p.second}`;
}

/**
 * A request body as people read it: JSON indented, with a card's or message's `content` (a JSON string
 * inside the JSON) opened up too.
 * @param {string | undefined} body
 */
function prettyBody(body) {
  if (!body) return '';
  try {
    const v = JSON.parse(body);
    if (v && typeof v === 'object' && typeof v.content === 'string') {
      try {
        v.content = JSON.parse(v.content);
      } catch {
        /* plain text */
      }
    }
    return JSON.stringify(v, null, 2);
  } catch {
    return body;
  }
}

/**
 * One call of the log: a row (time, method, path, status) that opens to whom it went, what it sent,
 * the full HTTP status and Feishu code (and message), and the request body.
 * @param {LogCall} c
 */
function logRow(c) {
  const bad = c.status !== 200 || c.code !== 0;
  /** @type {[string, string | undefined][]} */
  const facts = [
    ['时间', `${zhDateTime(fmtDateTimeLocal(new Date(c.at))).replace(/ 周.*/, '')} ${timeOfDay(c.at)}`],
    ['接收方', c.to],
    [c.msgType === 'interactive' || /\/messages\/om_[^/]+$/.test(c.path) ? '卡片标题' : '内容', c.title],
    ['请求', `${c.method} ${c.path}${c.query ? `?${c.query}` : ''}`],
    ['HTTP 状态', String(c.status)],
    ['飞书 code', `${c.code}${c.msg ? `（${c.msg}）` : ''}`],
  ];
  return h(
    'details',
    { class: `log-row${bad ? ' log-bad' : ''}`, 'data-seq': c.seq },
    h(
      'summary',
      { class: 'log-line', title: c.at },
      h('span', { class: 'log-time', text: timeOfDay(c.at) }),
      h('span', { class: `log-method m-${String(c.method).toLowerCase()}`, text: c.method }),
      h(
        'span',
        { class: 'log-path', title: c.path },
        c.path.replace(/^\/open-apis/, ''),
        c.to || c.title
          ? h('span', { class: 'log-hint', text: ` ${[c.to, c.title].filter(Boolean).join(' · ')}` })
          : '',
      ),
      h('span', { class: 'log-status', title: 'HTTP 状态 · 飞书 code', text: `${c.status} · ${c.code}` }),
    ),
    h(
      'dl',
      { class: 'log-detail' },
      facts
        .filter(([, v]) => v)
        .map(([k, v]) => [
          h('dt', { text: k }),
          h('dd', { class: `log-${k === '飞书 code' ? 'code' : 'fact'}`, text: v }),
        ]),
    ),
    c.body
      ? h('pre', { class: 'log-body', text: prettyBody(c.body) })
      : h('div', {
          class: 'log-body muted',
          text: c.method === 'GET' || c.method === 'DELETE' ? '（无请求体）' : '（请求体未保留）',
        }),
  );
}

const loadLog = coalesce(async () => {
  /** @type {{ calls: LogCall[] }} */
  const { calls } = await api(`/api/log?since=${S.logSeq}`);
  const log = $('log');
  if (S.logSeq === 0) log.replaceChildren();
  for (const c of calls) {
    if (c.seq <= S.logSeq) continue;
    S.logSeq = c.seq;
    log.prepend(logRow(c));
  }
  while (log.children.length > LOG_MAX) /** @type {ChildNode} */ (log.lastChild).remove();
});

// ------------------------------------------------------------------ live updates

/** @type {EventSource | undefined} */
let events;

/** @param {boolean} ok */
function setConn(ok) {
  const el = $('conn');
  el.textContent = ok ? '● 实时连接正常' : '● 连接中断，正在重连…';
  el.classList.toggle('conn-ok', ok);
  el.classList.toggle('conn-bad', !ok);
}

function connectEvents() {
  events?.close();
  const es = new EventSource('/api/events');
  events = es;
  es.onopen = () => {
    setConn(true);
    // After a reconnect the sandbox may have restarted (its log numbering starts again): reload all.
    S.logSeq = 0;
    resync();
  };
  es.onerror = () => {
    setConn(false);
    // The browser retries by itself unless the stream was refused; then start over.
    if (es.readyState === EventSource.CLOSED) setTimeout(() => events === es && connectEvents(), 2000);
  };
  es.addEventListener('message', (e) => {
    const d = JSON.parse(e.data);
    if (d.chatId === S.chatId) loadMessages();
    else if (d.chatId && !S.unread.has(d.chatId)) {
      S.unread.add(d.chatId);
      renderChats();
    }
  });
  es.addEventListener('chat', () => refreshState());
  es.addEventListener('api', () => loadLog());
  es.addEventListener('clock', (e) => {
    S.clock = { ...S.clock, ...JSON.parse(e.data) };
    renderClock();
  });
}

const refreshState = coalesce(async () => {
  await loadState();
});

async function resync() {
  await refreshState();
  await Promise.all([loadMessages(), loadLog()]);
}

async function main() {
  setupComposer();
  setupClock();
  try {
    await loadState();
    await selectChat(S.chatId);
    await loadLog();
  } catch (err) {
    toast('error', `无法连接沙箱：${/** @type {Error} */ (err).message}`);
  }
  connectEvents();
  document.body.dataset.ready = '1';
}

main();
