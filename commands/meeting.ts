/**
 * /meeting (/会议): meetings (专题会议, 党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主生活会).
 * Verbs: 新建 (form), 列表, 查看, 取消, 改期, 补正, 纪要, 导出 (三会一课记录簿). The buttons of every meeting
 * and study card live here: 参加, 请假 (reason required), 签到, 补正 (admins, a form sent privately),
 * 记录纪要, 提交心得, 转为任务.
 */

import { actionsOf, answerForm } from '../src/cards/contract.ts';
import { clip, plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { type ActionContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { STALE_TEXT } from '../src/db/repositories/versioned.ts';
import { parseDateTimeText } from '../src/domain/dates.ts';
import { formatLocal, zonedInstant } from '../src/domain/time.ts';
import { newTaskCard } from '../src/features/duties/service.ts';
import { backfillFormCard, backfillSession } from '../src/features/meetings/backfill.ts';
import {
  meetingAttend,
  meetingBackfill,
  meetingCorrect,
  meetingCreate,
  meetingForm,
  meetingLeave,
  meetingMinutes,
  meetingOpen,
  meetingReflection,
  meetingSign,
  meetingToTask,
} from '../src/features/meetings/contracts.ts';
import { kindLabel, parseReflectionDays, sessionHeading, sessionKindOf } from '../src/features/meetings/model.ts';
import { CORRECTION_LABELS, type CorrectedAttendance } from '../src/features/meetings/rules.ts';
import * as meetings from '../src/features/meetings/service.ts';
import { buildSessionCard } from '../src/features/meetings/session-card.ts';
import { buildSessionPublishedCard } from '../src/features/meetings/session-new-card.ts';
import { newSessionCard, sendSessionLedger, sessionList, yearArg } from '../src/features/meetings/views.ts';

const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('编号').replace(/^#/, '');
  return /^\d{1,9}$/.test(w) ? Number(w) : r.fail(`“${w}”不是编号，应为数字。`);
};

async function answer(ctx: ActionContext, s: Awaited<ReturnType<typeof meetings.requireSession>>, toast: string) {
  await meetings.refreshSessionCards(ctx, s, ctx.card.messageId);
  return {
    toast: { type: 'success' as const, content: toast },
    card: buildSessionCard(await meetings.viewOfSession(ctx, s)),
  };
}

export default defineCommand({
  name: 'meeting',
  aliases: ['会议', '三会一课'],
  summary: '查看本年度会议',
  usage: ['/会议', '/会议 新建 专题会议'],
  args: yearArg,
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: async (ctx, year) => ({ type: 'card', card: await sessionList(ctx, 'meeting', year) }),
  subcommands: [
    defineSubcommand({
      name: 'new',
      aliases: ['新建', '召开', '通知'],
      summary: '发布会议通知（表单，可先填好开始时间）',
      usage: ['/会议 新建 专题会议', '/会议 新建 支委会 2026-12-09 15:00'],
      args: argSchema((r) => ({ kind: r.optionalWord(), when: r.rest('开始时间').trim() })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const start = a.when ? parseDateTimeText(a.when, ctx.today, ctx.settings.timezone, zonedInstant) : undefined;
        if (a.when && !start) throw new UserError('bad_args', `“${a.when}”不是有效的日期时间，例如 2026-12-09 15:00。`);
        const initial = start ? formatLocal(start, ctx.settings.timezone) : undefined;
        return { type: 'card', card: await newSessionCard(ctx, 'meeting', a.kind, initial) };
      },
    }),
    defineSubcommand({
      name: 'list',
      aliases: ['列表'],
      summary: '本年度（或指定年份）的会议',
      usage: ['/会议 列表 2026'],
      args: yearArg,
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: async (ctx, year) => ({ type: 'card', card: await sessionList(ctx, 'meeting', year) }),
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看'],
      summary: '查看会议或学习的通知卡片',
      usage: ['/会议 查看 3'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        await meetings.postSessionCard(ctx, await meetings.requireSession(ctx, id), { chatId: ctx.chat.chatId });
        return undefined;
      },
    }),
    defineSubcommand({
      name: 'cancel',
      aliases: ['取消'],
      summary: '取消会议或学习（通知已回复的人）',
      usage: ['/会议 取消 3 与上级会议冲突'],
      args: argSchema((r) => ({ id: idArg(r), reason: r.rest('取消原因', { max: 200 }) })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const s = await meetings.cancelSession(ctx, await meetings.lockSession(ctx, a.id), a.reason);
        return textMessage`已取消“${plain(s.title, 100)}”，已私信通知已回复参加、签到和请假的人员。`;
      },
    }),
    defineSubcommand({
      name: 'move',
      aliases: ['改期'],
      summary: '改期（请假、参加保留；原定时间的签到作废；私信通知已回复的人）',
      usage: ['/会议 改期 3 2026-12-18 15:00'],
      args: argSchema((r) => ({ id: idArg(r), when: r.rest('新的日期和时间', { required: true }) })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const at = parseDateTimeText(a.when, ctx.today, ctx.settings.timezone, zonedInstant);
        if (!at) throw new UserError('bad_args', `“${a.when}”不是有效的日期时间，例如 2026-12-18 15:00。`);
        const { session: s, resetSignIns } = await meetings.moveSession(ctx, await meetings.lockSession(ctx, a.id), at);
        const reset = resetSignIns > 0 ? `原定时间的 ${resetSignIns} 人签到已作废，需在新的时间重新签到；` : '';
        return textMessage`“${plain(s.title, 100)}”已改至 ${formatLocal(at, ctx.settings.timezone)}。${reset}已私信通知已回复参加、签到和请假的人员，未回复的人员将按新的时间收到提醒。`;
      },
    }),
    defineSubcommand({
      name: 'correct',
      aliases: ['补正'],
      summary: '签到结束后补正一人的出勤（签到、请假或缺席），需填写理由',
      usage: ['/会议 补正 3 @张三 签到 签到时手机无网络，现场签到表为证'],
      args: argSchema((r) => {
        const id = idArg(r);
        const person = r.mention('补正的人员');
        const word = r.word('补正为（签到、请假或缺席）');
        const to = (Object.keys(CORRECTION_LABELS) as CorrectedAttendance[]).find((k) => CORRECTION_LABELS[k] === word);
        if (!to) return r.fail(`“${word}”应为签到、请假或缺席。`);
        return { id, person, to, reason: r.rest('补正理由', { required: true, max: 200 }) };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const s = await meetings.lockSession(ctx, a.id);
        await meetings.correctAttendance(ctx, s, a.person, a.to, a.reason);
        return textMessage`已将${plain(a.person.name, 20)}在“${plain(s.title, 100)}”的出勤补正为${CORRECTION_LABELS[a.to]}。`;
      },
    }),
    defineSubcommand({
      name: 'minutes',
      aliases: ['纪要'],
      summary: '记录会议纪要',
      usage: ['/会议 纪要 3 会议传达了…，决定：…'],
      args: argSchema((r) => ({ id: idArg(r), minutes: r.rest('纪要内容', { required: true, max: 3000 }) })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const s = await meetings.recordMinutes(ctx, await meetings.lockSession(ctx, a.id), a.minutes);
        await meetings.refreshSessionCards(ctx, s);
        return textMessage`已记录“${plain(s.title, 100)}”的纪要。`;
      },
    }),
    defineSubcommand({
      name: 'backfill',
      aliases: ['补录'],
      summary: '补录使用清风之前已召开的会议（表单，管理员）',
      usage: ['/会议 补录', '/会议 补录 支委会'],
      args: argSchema((r) => r.optionalWord()),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      handle: async (ctx, kind) => ({ type: 'card', card: await backfillFormCard(ctx, kind) }),
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出三会一课记录簿 .xlsx',
      usage: ['/会议 导出 2026'],
      args: yearArg,
      access: { roles: ['secretary', 'deputy', 'inspector', 'organizer', 'observer'], chat: 'any', org: 'required' },
      async handle(ctx, year) {
        return sendSessionLedger(
          ctx,
          'meeting',
          year,
          (file) => textMessage`已导出 ${file.count} 次会议，文件《${plain(file.fileName, 120)}》随后发送。`,
        );
      },
    }),
  ],
  actions: actionsOf(
    meetingCreate.define({
      roles: 'admin',
      async handle(ctx, v, form) {
        const kind = sessionKindOf(v.c, form.kind);
        const title = form.title;
        const at = parseDateTimeText(form.start, ctx.today, ctx.settings.timezone, zonedInstant);
        const problem = !kind
          ? '请选择类型。'
          : !title
            ? '请填写主题。'
            : !at
              ? '请选择开始时间。'
              : at.getTime() <= ctx.now.getTime()
                ? '开始时间应晚于现在。'
                : undefined;
        if (problem || !at || !kind) throw new UserError('bad_args', problem ?? '请选择开始时间。');
        // The 心得 deadline as typed, never replaced: what is not 1–30 working days is refused, the form kept.
        const days = v.c === 'study' ? parseReflectionDays(form.days) : 5;
        if (typeof days !== 'number') throw new UserError('bad_args', days.problem);
        const s = await meetings.publishSession(ctx, {
          category: v.c,
          kind,
          title: clip(title, 100),
          startAt: at,
          place: clip(form.place, 200),
          agenda: clip(form.agenda, 2000),
          attendees: form.attendees,
          partyGroup: form.group || null,
          host: form.host[0] ?? null,
          recorder: form.recorder[0] ?? null,
          reflectionDays: days,
        });
        // The notice went to the group (or to each attendee): the form says so instead of becoming a
        // second copy of the notice beside it.
        return {
          toast: { type: 'success', content: `已发布${kindLabel(kind)}通知（#${s.id}）` },
          card: buildSessionPublishedCard({
            id: s.id,
            kindLabel: kindLabel(kind),
            heading: sessionHeading(kind, s.title),
            when: formatLocal(new Date(s.start_at), ctx.settings.timezone),
            place: s.place,
            host: s.host_name ?? null,
            recorder: s.recorder_name ?? null,
            noticeIn: await meetings.noticeGoesTo(ctx, s),
          }),
        };
      },
    }),
    meetingForm.define({
      roles: 'member',
      async handle(ctx, v) {
        const s = await meetings.requireSession(ctx, v.id);
        if (v.form === 'minutes' && ctx.actor.openId !== s.organiser_open_id && !isAdminRole(ctx.actor.role)) {
          throw new UserError('forbidden', `只有组织人（${s.organiser_name}）或组织管理员可以记录纪要。`);
        }
        if (v.form === 'correct' && !isAdminRole(ctx.actor.role)) {
          throw new UserError(
            'forbidden',
            '补正出勤由组织管理员（书记、副书记、纪检委员、组织委员）办理。如您的出勤记录有误，请联系他们。',
          );
        }
        const view = await meetings.viewOfSession(ctx, s);
        if (v.form === 'correct' && view.phase !== 'closed') {
          throw new UserError('conflict', `签到尚未结束，请本人在卡片上签到或请假。${view.windowText}`);
        }
        // A 请假 button on a card drawn before the start: refused now, not after the form is filled in.
        if (v.form === 'leave' && !view.cancelled && (view.phase === 'started' || view.phase === 'closed')) {
          throw new UserError('conflict', `活动已开始，不能再请假（请假须在 ${view.startText} 开始前提出）。`);
        }
        return answerForm(v.form, (mode) => buildSessionCard(view, mode));
      },
    }),
    meetingOpen.define({
      roles: 'member',
      org: 'required',
      async handle(ctx, v) {
        // As /会议 查看 (and /学习 查看): the session's card, shared, to the chat the list is in; the list stays.
        const s = await meetings.requireSession(ctx, v.id);
        await meetings.postSessionCard(ctx, s, ctx.chat ? { chatId: ctx.chat.chatId } : { openId: ctx.actor.openId });
        return { toast: { type: 'info', content: `已发送“${clip(s.title, 30)}”的卡片` } };
      },
    }),
    meetingSign.define({
      roles: 'member',
      async handle(ctx, v) {
        return answer(ctx, await meetings.signIn(ctx, await meetings.lockSession(ctx, v.id)), '已签到');
      },
    }),
    meetingAttend.define({
      roles: 'member',
      async handle(ctx, v) {
        return answer(ctx, await meetings.confirmAttending(ctx, await meetings.lockSession(ctx, v.id)), '已回复参加');
      },
    }),
    meetingCorrect.define({
      roles: 'admin',
      org: 'required',
      async handle(ctx, v, form) {
        const openId = form.person[0];
        const to = (Object.keys(CORRECTION_LABELS) as CorrectedAttendance[]).find((k) => k === form.to);
        const problem = !openId
          ? '请选择补正的人员。'
          : !to
            ? '请选择补正为签到、请假或缺席。'
            : !form.reason
              ? '请填写补正理由。'
              : undefined;
        if (problem || !openId || !to) throw new UserError('bad_args', problem ?? '请选择补正的人员。');
        const locked = await meetings.lockSession(ctx, v.id);
        const person = await meetings.attendeeOf(ctx, locked, openId);
        const s = await meetings.correctAttendance(ctx, locked, person, to, form.reason);
        return answer(ctx, s, `已将${clip(person.name, 20)}补正为${CORRECTION_LABELS[to]}`);
      },
    }),
    meetingLeave.define({
      roles: 'member',
      async handle(ctx, v, form) {
        const s = await meetings.askLeave(ctx, await meetings.lockSession(ctx, v.id), form.reason);
        return answer(ctx, s, '已请假');
      },
    }),
    meetingMinutes.define({
      roles: 'member',
      async handle(ctx, v, form) {
        const minutes = form.minutes;
        if (!minutes) throw new UserError('bad_args', '请填写纪要内容。');
        const locked = await meetings.lockSession(ctx, v.id);
        const link = form.link || undefined;
        // The same minutes saved twice (a double-click on 保存) act once; the card shows them.
        if (!link && locked.minutes === minutes.slice(0, 5000) && locked.version !== v.ver) {
          return {
            toast: { type: 'warning' as const, content: STALE_TEXT },
            card: buildSessionCard(await meetings.viewOfSession(ctx, locked)),
          };
        }
        return answer(ctx, await meetings.recordMinutes(ctx, locked, minutes, link), '纪要已保存');
      },
    }),
    meetingReflection.define({
      roles: 'member',
      async handle(ctx, v, form) {
        const s = await meetings.submitReflection(ctx, await meetings.lockSession(ctx, v.id), form.text, form.link);
        return answer(ctx, s, '心得已提交');
      },
    }),
    meetingBackfill.define({
      roles: 'admin',
      org: 'required',
      async handle(ctx, _v, form) {
        const { session, card } = await backfillSession(ctx, form);
        return { toast: { type: 'success', content: `已补录（#${session.id}）` }, card };
      },
    }),
    meetingToTask.define({
      roles: 'admin',
      org: 'required',
      async handle(ctx, v) {
        const s = await meetings.requireSession(ctx, v.id);
        if (!s.minutes) throw new UserError('conflict', '请先记录纪要，再把其中的决定转为任务。');
        const org = ctx.org;
        const decisions = s.minutes
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => /决定|要求|负责|落实|部署/.test(l));
        const content = clip(
          `${s.title}：${(decisions.length ? decisions : [s.minutes.split('\n')[0] ?? s.minutes]).join('；')}`,
          1000,
        );
        await ctx.outbox.send(
          { openId: ctx.actor.openId },
          { type: 'card', card: await newTaskCard(ctx.db, org.id, { content }) },
          { orgId: org.id },
        );
        await ctx.audit({ action: 'meeting:to_task', subject: `session:${s.id}` });
        return { toast: { type: 'success', content: '已把预填好的任务表单私信发给您，确认责任人和时限后创建。' } };
      },
    }),
  ),
});
