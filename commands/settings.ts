/**
 * /settings (/设置): the org's settings: quiet hours, SMS/phone 加急 (which cost the tenant money) and
 * the 签到 window of each meeting and study kind (docs/domain.md "Attendance"; a session keeps the window
 * it was created with, so a change applies to sessions created afterwards). A wrong value changes
 * nothing and is answered with the right usage; a change is written only over the settings it was
 * decided on (two admins at once: the second is told to look again) and kept in the history.
 */
import { textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { type CommandContext, defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { orgSettings } from '../src/db/repositories/orgs.ts';
import { StaleError } from '../src/db/repositories/versioned.ts';
import type { Org } from '../src/db/schema.ts';
import { quietHoursOf } from '../src/domain/nudge-window.ts';
import {
  ATTENDANCE_WINDOWS,
  attendanceWindowsOf,
  isStudyKind,
  kindLabel,
  MEETING_KINDS,
  parseSessionKind,
  parseWindowWords,
  type SessionKind,
  STUDY_KINDS,
  windowText,
} from '../src/features/meetings/model.ts';
import { MATRIX_USAGE, parseMatrixWords, talkMatrixOf, talkMatrixText } from '../src/features/talks/coverage-rules.ts';
import { urgentSettingsOf } from '../src/services/ladder.ts';

const ON = new Set(['开', '开启', '打开', 'on']);
const OFF = new Set(['关', '关闭', 'off']);
const RESET = new Set(['默认', '恢复默认']);

const WINDOW_EXAMPLE = '/设置 签到窗口 支委会 开始前30 开始后180';
const WINDOW_USAGE = [
  '/设置 签到窗口',
  WINDOW_EXAMPLE,
  '/设置 签到窗口 主题党日 开始前60 开始后4小时',
  '/设置 签到窗口 支委会 默认',
];
const WINDOW_HINT = `用法：${WINDOW_USAGE.join('；')}（时间以分钟计，也可写“小时”）。`;

/** The 签到 window of every kind: the org's own marked as such, the rest 默认. */
function windowsText(settings: Record<string, unknown>): string {
  const own = attendanceWindowsOf(settings);
  return [...MEETING_KINDS, ...STUDY_KINDS]
    .map((k: SessionKind) => {
      const w = own[k];
      return `${kindLabel(k)}：${windowText(w ?? ATTENDANCE_WINDOWS[k])}${w ? '（本组织设置）' : '（默认）'}`;
    })
    .join('\n');
}

function show(s: Record<string, unknown>): string {
  const q = quietHoursOf(s);
  const u = urgentSettingsOf(s);
  const own = Object.keys(attendanceWindowsOf(s)).length;
  return `免打扰：${q.start}-${q.end}；短信加急：${u.sms ? '开' : '关'}；电话加急：${u.phone ? '开' : '关'}（应用内加急始终开启）；签到窗口：${own > 0 ? `${own} 类活动为本组织设置` : '默认'}（发送 /设置 签到窗口 查看）；谈话覆盖：${talkMatrixText(talkMatrixOf(s))}`;
}

/** `/设置 签到窗口 <类型> …`: the settings with that kind's window set (or back to the default). */
function withWindow(settings: Record<string, unknown>, words: readonly string[]): Record<string, unknown> {
  const [kindWord, ...rest] = words;
  const kind = kindWord ? parseSessionKind(kindWord) : undefined;
  if (!kind)
    throw new UserError(
      'bad_args',
      kindWord ? `不认识的活动类型“${kindWord}”。` : '请写明活动类型，例如 支委会、主题党日、中心组学习。',
      WINDOW_HINT,
    );
  const own: Record<string, unknown> = { ...attendanceWindowsOf(settings) };
  if (rest.length === 1 && RESET.has(rest[0] as string)) {
    delete own[kind];
  } else {
    const w = parseWindowWords(rest);
    if ('problem' in w) throw new UserError('bad_args', w.problem, WINDOW_HINT);
    own[kind] = w;
  }
  return { ...settings, attendanceWindows: own };
}

/** Writes `next` only if the org's settings are still those read (`org.settings`). */
async function save(ctx: CommandContext<'required'>, org: Org, next: Record<string, unknown>): Promise<void> {
  const r = await ctx.db
    .updateTable('orgs')
    .set({ settings: JSON.stringify(next) })
    .where('id', '=', org.id)
    .where('settings', '=', org.settings)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new StaleError('设置刚被其他管理员修改，请发送 /设置 查看后再改。');
}

export default defineCommand({
  name: 'settings',
  aliases: ['设置'],
  summary: '组织设置：免打扰时段、短信/电话加急、各类活动的签到时间',
  usage: ['/设置', '/设置 免打扰 20:00-08:00', '/设置 短信加急 开', ...WINDOW_USAGE, '/设置 谈话覆盖 支委联系小组 关'],
  args: argSchema((r) => {
    const key = r.optionalWord();
    const words: string[] = [];
    while (r.remaining > 0) words.push(r.word('设置值'));
    return { key, words };
  }),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle(ctx, a) {
    const org = ctx.org;
    const settings = orgSettings(org);
    if (!a.key) return textMessage`当前设置：${show(settings)}`;
    let next: Record<string, unknown>;
    if (a.key === '签到窗口' || a.key === '签到时间') {
      if (a.words.length === 0)
        return textMessage`各类活动的签到时间（开始前多久开放、开始后多久结束）：\n${windowsText(settings)}\n修改：${WINDOW_EXAMPLE}（对此后新建的会议和学习生效）`;
      next = withWindow(settings, a.words);
    } else if (a.key === '谈话覆盖') {
      // Which pairs the yearly talk coverage owes (src/features/talks/coverage-rules.ts).
      const m = a.words.length === 0 ? undefined : parseMatrixWords(talkMatrixOf(settings), a.words);
      if (!m) return textMessage`谈话覆盖范围：${talkMatrixText(talkMatrixOf(settings))}。${MATRIX_USAGE}`;
      if ('problem' in m) throw new UserError('bad_args', m.problem, MATRIX_USAGE);
      next = { ...settings, talkMatrix: m };
    } else {
      if (a.words.length !== 1) {
        const problem = a.words.length === 0 ? '缺少设置值。' : `多余的参数：${a.words.slice(1).join(' ')}。`;
        throw new UserError('bad_args', problem, '用法：/设置 免打扰 20:00-08:00；/设置 短信加急 开');
      }
      const value = a.words[0] as string;
      next = { ...settings };
      if (a.key === '免打扰') {
        const m = /^([01]\d|2[0-3]):([0-5]\d)[-~至]([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
        if (!m) throw new UserError('bad_args', '免打扰时段应写成 20:00-08:00。');
        next.quietHours = { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` };
      } else if (a.key === '短信加急' || a.key === '电话加急') {
        const on = ON.has(value) ? true : OFF.has(value) ? false : undefined;
        if (on === undefined) throw new UserError('bad_args', `${a.key}应设置为“开”或“关”。`);
        next.urgent = { ...urgentSettingsOf(settings), [a.key === '短信加急' ? 'sms' : 'phone']: on };
      } else {
        throw new UserError(
          'bad_args',
          `不认识的设置项“${a.key}”。可用：免打扰、短信加急、电话加急、签到窗口、谈话覆盖。`,
        );
      }
    }
    await save(ctx, org, next);
    await ctx.audit({ action: 'org:settings', subject: `org:${org.id}`, before: settings, after: next });
    if (a.key === '签到窗口' || a.key === '签到时间') {
      const kind = parseSessionKind(a.words[0] as string) as SessionKind;
      const w = attendanceWindowsOf(next)[kind] ?? ATTENDANCE_WINDOWS[kind];
      // Each session keeps the window it was created with (model.ts `sessionWindow`): records stay as they were.
      const what = isStudyKind(kind) ? '学习' : '会议';
      return textMessage`已更新。${kindLabel(kind)}的签到时间为${windowText(w)}，对此后新建的${what}生效；已发布的${what}仍按原定签到时间。`;
    }
    return textMessage`已更新。当前设置：${show(next)}`;
  },
});
