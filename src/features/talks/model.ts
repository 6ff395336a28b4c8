/**
 * The talk register's words: the kinds of talk (stored values in src/db/schema/talks.ts) with their
 * labels, how a typed kind, number or year is read, and the command's usage. Pure.
 */
import { TALK_KINDS, TALK_STATUSES, type TalkKind, type TalkStatus } from '../../db/schema/talks.ts';

export { TALK_KINDS, TALK_STATUSES, type TalkKind, type TalkStatus };

export const KIND_LABELS: Record<TalkKind, string> = {
  heart: '谈心谈话',
  integrity: '廉政谈话',
  pre_appointment: '任前廉政谈话',
  reminder: '提醒谈话',
  holiday: '节前廉政谈话',
};

/** What people type for a kind: the label, or its short form. */
const KIND_WORDS = new Map<string, TalkKind>([
  ...TALK_KINDS.map((k) => [KIND_LABELS[k], k] as const),
  ['谈心', 'heart'],
  ['廉政', 'integrity'],
  ['任前谈话', 'pre_appointment'],
  ['任前', 'pre_appointment'],
  ['提醒', 'reminder'],
  ['节前谈话', 'holiday'],
  ['节前', 'holiday'],
]);

export function parseKind(word: string): TalkKind | undefined {
  return KIND_WORDS.get(word.normalize('NFKC').trim());
}

/** A kind as the form sends it (the stored value), or undefined. */
export function kindOf(value: string): TalkKind | undefined {
  return (TALK_KINDS as readonly string[]).includes(value) ? (value as TalkKind) : undefined;
}

export const KIND_LIST = TALK_KINDS.map((k) => KIND_LABELS[k]).join('、');

/** Longest place and notes kept (notes fit one input); at most this many other parties to one talk. */
export const PLACE_MAX = 100;
export const NOTES_MAX = 1000;
export const PARTIES_MAX = 20;
/** Rows a list card shows; the rest are in the export. */
export const LIST_MAX = 60;

export const TALK_USAGE = [
  '/谈话 记录',
  '/谈话 记录 廉政谈话',
  '/谈话 列表 2026',
  '/谈话 查看 3',
  '/谈话 撤销 3 记录有误',
  '/谈话 导出 2026',
  '/谈话 覆盖',
] as const;

/** A talk's number as typed (`3` or `#3`), or undefined. */
export function parseTalkId(word: string): number | undefined {
  const w = word.normalize('NFKC').trim().replace(/^#/, '');
  return /^\d{1,9}$/.test(w) && Number(w) > 0 ? Number(w) : undefined;
}

/** A year as typed (`2026` or `2026年`) within 2000 and next year, or undefined. */
export function parseYear(word: string, today: string): number | undefined {
  const m = /^(\d{4})年?$/.exec(word.normalize('NFKC').trim());
  const y = m ? Number(m[1]) : Number.NaN;
  return y >= 2000 && y <= Number(today.slice(0, 4)) + 1 ? y : undefined;
}

export const STATUS_LABELS: Record<TalkStatus, string> = { recorded: '已记录', withdrawn: '已撤销' };
