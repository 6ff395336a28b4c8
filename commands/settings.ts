/** /settings (/设置): the org's reminder settings: quiet hours and SMS/phone 加急 (which cost the tenant money). */
import { textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { orgSettings, updateOrgSettings } from '../src/db/repositories/orgs.ts';
import { quietHoursOf } from '../src/domain/nudge-window.ts';
import { urgentSettingsOf } from '../src/services/ladder.ts';

const ON = new Set(['开', '开启', '打开', 'on']);
const OFF = new Set(['关', '关闭', 'off']);

export default defineCommand({
  name: 'settings',
  aliases: ['设置'],
  summary: '提醒设置：免打扰时段、短信/电话加急',
  usage: ['/设置', '/设置 免打扰 20:00-08:00', '/设置 短信加急 开'],
  args: argSchema((r) => {
    const key = r.optionalWord();
    if (!key) return { key: undefined, value: undefined };
    return { key, value: r.word('设置值') };
  }),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle(ctx, a) {
    const org = ctx.org;
    const settings = orgSettings(org);
    const show = (s: Record<string, unknown>) => {
      const q = quietHoursOf(s);
      const u = urgentSettingsOf(s);
      return `免打扰：${q.start}-${q.end}；短信加急：${u.sms ? '开' : '关'}；电话加急：${u.phone ? '开' : '关'}（应用内加急始终开启）`;
    };
    if (!a.key) return textMessage`当前设置：${show(settings)}`;
    const next = { ...settings };
    if (a.key === '免打扰') {
      const m = /^([01]\d|2[0-3]):([0-5]\d)[-~至]([01]\d|2[0-3]):([0-5]\d)$/.exec(a.value ?? '');
      if (!m) throw new UserError('bad_args', '免打扰时段应写成 20:00-08:00。');
      next.quietHours = { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` };
    } else if (a.key === '短信加急' || a.key === '电话加急') {
      const on = ON.has(a.value ?? '') ? true : OFF.has(a.value ?? '') ? false : undefined;
      if (on === undefined) throw new UserError('bad_args', `${a.key}应设置为“开”或“关”。`);
      next.urgent = { ...urgentSettingsOf(settings), [a.key === '短信加急' ? 'sms' : 'phone']: on };
    } else {
      throw new UserError('bad_args', `不认识的设置项“${a.key}”。可用：免打扰、短信加急、电话加急。`);
    }
    await updateOrgSettings(ctx.db, org.id, next);
    await ctx.audit({ action: 'org:settings', subject: `org:${org.id}`, before: settings, after: next });
    return textMessage`已更新。当前设置：${show(next)}`;
  },
});
