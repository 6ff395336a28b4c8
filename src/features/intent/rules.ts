/**
 * What a plain sentence asks for: greetings, thanks and emoji, and the natural requests the bot maps
 * to a command (报告整改进展, 请假到…, 下周三下午三点开支委会, 把12号整改延期到月底, 逾期任务 …).
 * Pure: dates are read with chrono-node's Chinese parser against an explicit reference (the handler's
 * `now` in the configured timezone), plus small rules for what it does not know (月底, 年底, 后天).
 */
import * as chrono from 'chrono-node';
import { addDays, addMonths, localParts, weekdayOf } from '../../domain/time.ts';

/** A reference for reading dates: the instant, its local date and the timezone (never the system clock). */
export interface When {
  now: Date;
  today: string;
  timezone: string;
}

/** A date (`YYYY-MM-DD`), with a time (`HH:mm`) when one was said. */
export interface SaidDate {
  date: string;
  time?: string;
}

export type Intent =
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'emoji' }
  | { kind: 'rect_progress' }
  | { kind: 'away'; until: string | undefined; reason: string }
  | { kind: 'meeting_new'; meeting: string; start: SaidDate | undefined }
  | { kind: 'rect_extend'; id: number | undefined; date: string | undefined; reason: string }
  | { kind: 'overdue'; what: 'task' | 'rect' }
  | { kind: 'mine'; what: 'task' | 'rect' }
  | { kind: 'board' }
  | { kind: 'help' };

/** Meeting kinds as said (the 三会一课 labels of src/features/meetings/model.ts, longest first). */
export const MEETING_WORDS = [
  '组织生活会',
  '民主生活会',
  '党员大会',
  '党小组会',
  '专题会议',
  '主题党日',
  '支委会',
  '党课',
] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** Removes spaces and trailing punctuation and folds full-width forms. */
export function tidy(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u3000]+/gu, '')
    .replace(/[。！!？?~～.，,、…]+$/u, '');
}

const EMOJI_ONLY =
  /^(?:\[[^[\]\s]{1,8}\]|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Emoji_Component}|[\s\u3000])+$/u;
const GREETING =
  /^(?:清风|大家|各位|老师|同志)?(?:你好|您好|你们好|大家好|哈喽|哈啰|嗨|hi|hello|hey|在吗|在不在|在么|早上好|上午好|中午好|下午好|晚上好|早安|晚安|早|喂)(?:啊|呀|哇|哈|呢|吗|清风|大家)*$/iu;
const THANKS =
  /^(?:好的|收到|嗯)?(?:清风)?(?:谢谢|多谢|感谢|谢了|谢啦|辛苦了|辛苦|thanks|thankyou|thx)(?:你|您|啦|了|清风|哈|呀)*$/iu;

/** Greetings, thanks and emoji-only messages (`[微笑]` codes included). */
export function smallTalk(text: string): 'greeting' | 'thanks' | 'emoji' | undefined {
  if (text.trim() && EMOJI_ONLY.test(text.trim()) && !/^[\d#*\s]+$/.test(text.trim())) return 'emoji';
  const t = tidy(text).replace(/\p{Extended_Pictographic}|\[[^[\]]{1,8}\]/gu, '');
  if (!t) return undefined;
  if (GREETING.test(t)) return 'greeting';
  if (THANKS.test(t)) return 'thanks';
  return undefined;
}

/**
 * chrono reads relative words (明天, 下周三) in the process's local time, whatever timezone it is
 * told: so it is given an instant whose local wall clock shows `when.now` in `when.timezone`, and the
 * components it finds are read as that wall clock (never as an instant).
 */
function wallClockReference(when: When): Date {
  const p = localParts(when.now, when.timezone);
  return new Date(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

const CN_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
/** 1–31 in Chinese numerals (十二, 二十, 三十一) or digits. */
function dayNumber(s: string): number | undefined {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const m = /^([一二三])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? (CN_DIGITS[m[1]] as number) : 1) * 10 + (m[2] ? (CN_DIGITS[m[2]] as number) : 0);
  return s.length === 1 ? CN_DIGITS[s] : undefined;
}

function lastDayOfMonth(date: string): string {
  return addDays(addMonths(`${date.slice(0, 7)}-01`, 1), -1);
}

/** The small rules chrono's Chinese parser lacks: 月底, 下月底, 年底, 后天, 大后天, 下个月N号. */
function ruleDate(text: string, today: string): string | undefined {
  if (/下(?:个)?月(?:底|末)/.test(text)) return lastDayOfMonth(addMonths(today, 1));
  if (/(?:本|这个?|当)?月(?:底|末)/.test(text)) return lastDayOfMonth(today);
  if (/(?:今|本)?年(?:底|末)/.test(text)) return `${today.slice(0, 4)}-12-31`;
  if (/大后天/.test(text)) return addDays(today, 3);
  if (/后天/.test(text)) return addDays(today, 2);
  const next = /下(?:个)?月([一二三四五六七八九十\d]{1,3})[号日]/.exec(text);
  if (next) {
    const d = dayNumber(next[1] as string);
    const first = addMonths(`${today.slice(0, 7)}-01`, 1);
    const out = d && d >= 1 ? `${first.slice(0, 8)}${pad(d)}` : undefined;
    return out && out <= lastDayOfMonth(first) ? out : undefined;
  }
  return undefined;
}

/**
 * The first date (and time, when certain) said in `text`, read against `when`; undefined when none.
 * Dates without a year are taken forward (12月20日 said on 12月25日 is next year's).
 */
export function parseWhen(text: string, when: When): SaidDate | undefined {
  const rule = ruleDate(text, when.today);
  if (rule) return { date: rule };
  const found = chrono.zh.parse(text, wallClockReference(when), { forwardDate: true })[0];
  if (!found) return undefined;
  const s = found.start;
  const date = `${s.get('year')}-${pad(s.get('month') ?? 1)}-${pad(s.get('day') ?? 1)}`;
  return s.isCertain('hour') ? { date, time: `${pad(s.get('hour') ?? 0)}:${pad(s.get('minute') ?? 0)}` } : { date };
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** `12月20日（星期日）`, with the year when it is not this year's. */
export function chineseDate(date: string, today: string): string {
  const [y, m, d] = date.split('-');
  const day = `${Number(m)}月${Number(d)}日（星期${WEEKDAYS[weekdayOf(date)]}）`;
  return y === today.slice(0, 4) ? day : `${y}年${day}`;
}

/** The reason said after 因为 / 由于 / 理由是 / 原因是, if any. */
function reasonIn(text: string): string {
  return (/(?:因为|由于|理由是|原因是|理由：|原因：)(.+)$/u.exec(text)?.[1] ?? '').replace(/^[，,：:\s]+/u, '').trim();
}

/** What a sentence asks for, or undefined when it asks for nothing the bot knows. */
export function understand(text: string, when: When): Intent | undefined {
  const talk = smallTalk(text);
  const t = tidy(text);
  if (!t && !talk) return undefined;

  if (/整改/.test(t) && /延期|延后|推迟|延长/.test(t)) {
    const idMatch = /(?:#|＃|第)?(\d{1,9})(?:号|项|#)?(?:整改|事项)|整改(?:事项)?(?:#|＃|第)?(\d{1,9})/u.exec(t);
    const id = idMatch ? Number(idMatch[1] ?? idMatch[2]) : undefined;
    const after = t.slice((idMatch?.index ?? 0) + (idMatch?.[0].length ?? 0));
    const target = /(?:延期|延后|推迟|延长)(?:到|至)?(.*)$/u.exec(after)?.[1] ?? after;
    return { kind: 'rect_extend', id, date: parseWhen(target, when)?.date, reason: reasonIn(text) };
  }
  if (/(?:报告|汇报|填报|提交|更新|上报|填写|报)(?:一下)?(?:我的)?整改(?:的)?(?:进展|进度|情况)/.test(t)) {
    return { kind: 'rect_progress' };
  }
  if (/请假|休假|出差|不在岗/.test(t)) {
    const reason = /出差/.test(t) ? '出差' : /休假/.test(t) ? '休假' : '';
    const at = /(?:到|至|直到|截至)(.+)$/u.exec(t)?.[1] ?? t;
    return { kind: 'away', until: parseWhen(at, when)?.date, reason };
  }
  const meeting = MEETING_WORDS.find((w) => t.includes(w));
  if (meeting && /开|召开|安排|组织|举行|通知|讲/.test(t.replace(meeting, ''))) {
    const start = parseWhen(t.replace(meeting, ''), when);
    return { kind: 'meeting_new', meeting, start };
  }
  if (/逾期|超期|过期/.test(t) && /任务|整改/.test(t)) {
    return { kind: 'overdue', what: /整改/.test(t) && !/任务/.test(t) ? 'rect' : 'task' };
  }
  if (/^(?:看看|查看|打开|看下|看一下)?我的(?:任务|整改)(?:事项|清单|列表)?$/.test(t)) {
    return { kind: 'mine', what: t.includes('整改') ? 'rect' : 'task' };
  }
  if (/^(?:看看|查看|打开)?(?:任务)?看板$/.test(t)) return { kind: 'board' };
  if (/^(?:怎么用|怎么使用|如何使用|使用说明|你能做什么|你会什么|能做什么|有什么功能|帮帮我)$/.test(t)) {
    return { kind: 'help' };
  }
  if (talk === 'greeting') return { kind: 'greeting' };
  if (talk === 'thanks') return { kind: 'thanks' };
  return talk === 'emoji' ? { kind: 'emoji' } : undefined;
}
