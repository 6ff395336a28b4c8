/**
 * The conversation (plugged into the router by the composition root): what the bot answers to a
 * message that is no command. Greetings, thanks, emoji and stickers get a friendly answer with the
 * person's most useful buttons; a natural request (rules.ts) gets a confirmation card saying exactly
 * what will be done, and nothing happens until its asker presses 确认, which runs the command line
 * through the router's command path (access, arguments, audit) as if they had typed it; anything else
 * gets a polite answer with suggestions.
 *
 * Group cards are shared (docs/feishu-platform.md §6): a confirmation card stays in the chat it was
 * asked in (the command then runs where it was asked, with that chat's access rules), and only its
 * asker may confirm or cancel it; anyone else pressing gets a toast and nothing changes.
 */
import { clip, textMessage } from '../../cards/text.ts';
import type {
  CommandContext,
  Conversation,
  ConversationClick,
  FormValues,
  Runnable,
  Said,
} from '../../core/contracts.ts';
import type { Outgoing } from '../../core/message.ts';
import { isAdminRole } from '../../core/roles.ts';
import { formatLocal } from '../../domain/time.ts';
import { accessDenial } from '../../router/access.ts';
import { quickActionsFor } from '../../services/help.ts';
import { ownerMayWork } from '../rectification/model.ts';
import { findRectification, listRectifications } from '../rectification/repository.ts';
import { INTENT_ACTION, intentRun } from './contracts.ts';
import {
  buildConfirmCard,
  buildGreetingCard,
  buildIntentDoneCard,
  buildNotUnderstoodCard,
  type ConfirmLine,
} from './intent-card.ts';
import { chineseDate, type Intent, understand } from './rules.ts';

/** Examples offered when a sentence was not understood. */
export const EXAMPLES = [
  '我想报告整改进展',
  '帮我请假到12月20日',
  '下周三下午三点开支委会',
  '把12号整改延期到月底',
  '这个月有哪些逾期任务',
];
/** At most this many items to pick from on a card. */
const MAX_PICK = 20;

const quickFor = (ctx: CommandContext) => (ctx.org ? quickActionsFor(ctx.actor.role, ctx.chat.type) : []);

export const conversation: Conversation = {
  actionId: INTENT_ACTION,
  answer,
  click,
};

async function answer(ctx: CommandContext, said: Said): Promise<Outgoing> {
  const greeting = (kind: 'greeting' | 'thanks' | 'emoji') => ({
    type: 'card' as const,
    card: buildGreetingCard({
      kind,
      name: ctx.actor.name,
      orgName: ctx.org?.name,
      orgId: ctx.org?.id,
      quick: quickFor(ctx),
    }),
  });
  if (said.kind === 'sticker' || said.text === '') return greeting(said.kind === 'sticker' ? 'emoji' : 'greeting');
  const intent = understand(said.text, { now: ctx.now, today: ctx.today, timezone: ctx.settings.timezone });
  if (!intent) {
    if (said.explicit) {
      const hint = said.near ? `您是不是要找 /${said.near}？` : '';
      return textMessage`没有 /${said.word ?? ''} 这个命令。${hint}发送 /帮助 查看可用命令。`;
    }
    return {
      type: 'card',
      card: buildNotUnderstoodCard({
        said: said.text,
        near: said.near,
        examples: EXAMPLES,
        orgId: ctx.org?.id,
        quick: quickFor(ctx),
      }),
    };
  }
  if (intent.kind === 'greeting' || intent.kind === 'thanks' || intent.kind === 'emoji') return greeting(intent.kind);
  return confirmation(ctx, intent);
}

/** A request to confirm: the card, or what stops it (a question back, a refusal) as text. */
async function confirmation(ctx: CommandContext, intent: Exclude<Intent, { kind: 'greeting' | 'thanks' | 'emoji' }>) {
  const today = ctx.today;
  const day = (d: string) => chineseDate(d, today);
  const me = ctx.actor.name ?? '您';
  const base = { orgId: ctx.org?.id, asker: ctx.actor.openId, asked: ctx.message.messageId };
  const confirm = (o: Omit<Parameters<typeof buildConfirmCard>[0], keyof typeof base>): Outgoing => ({
    type: 'card',
    card: buildConfirmCard({ ...base, ...o }),
  });
  const refusal = (words: readonly string[]) => {
    const denied = deniedFor(ctx, words);
    return denied === undefined ? undefined : textMessage`${denied}`;
  };
  const shown = (words: readonly string[]) => `/${words.join(' ')}`;

  switch (intent.kind) {
    case 'away': {
      if (!intent.until) return text('请告诉我请假到哪一天，例如：帮我请假到12月20日。');
      if (intent.until < today) return textMessage`${day(intent.until)}已经过去了，请换一个结束日期。`;
      const words = ['请假', intent.until, ...(intent.reason ? [intent.reason] : [])];
      const lines: ConfirmLine[] = [
        { label: '请假人', value: `${clip(me, 20)}（本人）` },
        { label: '时间', value: `今天（${day(today)}）至 ${day(intent.until)}，含当天` },
        ...(intent.reason ? [{ label: '事由', value: intent.reason }] : []),
        { label: '办理后', value: '期间暂停给您的催办提醒，您负责的逾期事项改由书记关注' },
      ];
      return (
        refusal(words) ??
        confirm({
          title: '请确认：登记请假',
          lines,
          command: shown(words),
          words,
          summary: `请假至 ${day(intent.until)}`,
        })
      );
    }
    case 'meeting_new': {
      const start = intent.start;
      if (start?.time && `${start.date} ${start.time}` < formatLocal(ctx.now, ctx.settings.timezone)) {
        return textMessage`${day(start.date)}${start.time} 已经过去了。已召开的会议请用 /会议 补录。`;
      }
      const words = ['会议', '新建', intent.meeting, ...(start?.time ? [start.date, start.time] : [])];
      const when = start?.time
        ? `${day(start.date)} ${start.time}（已在表单中填好）`
        : start
          ? `${day(start.date)}，具体时间请在表单中选择`
          : '请在表单中选择';
      const lines: ConfirmLine[] = [
        { label: '发起人', value: clip(me, 20) },
        { label: '会议类型', value: intent.meeting },
        { label: '开始时间', value: when },
        { label: '确认后', value: '打开“新建会议”表单，补充主题、地点和议程后点“发布通知”才会发出通知' },
      ];
      const summary = `打开新建${intent.meeting}表单${start?.time ? `（${day(start.date)} ${start.time}）` : ''}`;
      return (
        refusal(words) ??
        confirm({ title: `请确认：新建${intent.meeting}`, lines, command: shown(words), words, summary })
      );
    }
    case 'rect_extend': {
      const org = ctx.org;
      if (intent.id === undefined) return text('请说明是哪一项整改，例如：把12号整改延期到月底。');
      if (!intent.date) return text('请说明延期到哪一天，例如：把12号整改延期到月底。');
      const words = ['整改', '延期', String(intent.id), intent.date];
      const denied = refusal(words);
      if (denied || !org) return denied ?? text('请在组织的群聊中使用。');
      const item = await findRectification(ctx.db, intent.id);
      if (!item || item.org_id !== org.id) return textMessage`没有找到整改事项 #${intent.id}。`;
      if (ctx.actor.openId !== item.owner_open_id && !isAdminRole(ctx.actor.role)) {
        return textMessage`只有责任人（${clip(item.owner_name, 20)}）或组织管理员可以申请延期。`;
      }
      if (!ownerMayWork(item.status)) return textMessage`整改事项 #${item.id} 当前不能申请延期。`;
      if (intent.date <= item.deadline) {
        return textMessage`延期后的日期 ${day(intent.date)}应晚于现在的整改时限 ${day(item.deadline)}。`;
      }
      const lines: ConfirmLine[] = [
        { label: '事项', value: `#${item.id} ${clip(item.problem, 60)}` },
        { label: '责任人', value: clip(item.owner_name, 20) },
        { label: '申请人', value: clip(me, 20) },
        { label: '现整改时限', value: day(item.deadline) },
        { label: '申请延至', value: day(intent.date) },
        { label: '确认后', value: '提交延期申请，由管理员审批；批准前整改时限不变' },
      ];
      return confirm({
        title: `请确认：整改事项 #${item.id} 申请延期`,
        lines,
        command: shown(words),
        words,
        summary: `整改事项 #${item.id} 申请延期至 ${day(intent.date)}`,
        reason: { label: '延期理由（必填）', placeholder: '例如：需等待上级批复', initial: intent.reason },
      });
    }
    case 'rect_progress': {
      const org = ctx.org;
      const denied = refusal(['整改', '查看', '1']);
      if (denied || !org) return denied ?? text('请在组织的群聊中使用。');
      const { items } = await listRectifications(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
      const open = items.filter((i) => ownerMayWork(i.status)).slice(0, MAX_PICK);
      if (open.length === 0) return text('您目前没有需要报告进展的整改事项。发送 /整改 查看您的整改事项。');
      const only = open.length === 1 ? open[0] : undefined;
      const words = only ? ['整改', '查看', String(only.id)] : ['整改', '查看'];
      const lines: ConfirmLine[] = only
        ? [
            { label: '事项', value: `#${only.id} ${clip(only.problem, 60)}` },
            { label: '整改时限', value: day(only.deadline) },
            { label: '确认后', value: '打开该事项的卡片，点“报告进展”填写本次进展' },
          ]
        : [
            { label: '责任人', value: `${clip(me, 20)}（本人），在办 ${open.length} 项` },
            { label: '确认后', value: '打开所选事项的卡片，点“报告进展”填写本次进展' },
          ];
      return confirm({
        title: '请确认：报告整改进展',
        lines,
        command: only ? shown(words) : '/整改 查看 编号',
        words,
        summary: only ? `打开整改事项 #${only.id}` : '打开所选整改事项',
        ...(only
          ? {}
          : {
              pick: {
                placeholder: '选择要报告进展的整改事项',
                options: open.map((i) => ({
                  text: `#${i.id} ${clip(i.problem, 24)}（${day(i.deadline)}）`,
                  value: String(i.id),
                })),
              },
            }),
      });
    }
    case 'overdue':
    case 'mine':
    case 'board':
    case 'help': {
      const { words, what } = listRequest(intent);
      const lines: ConfirmLine[] = [
        { label: '查看人', value: clip(me, 20) },
        { label: '确认后', value: what },
      ];
      return refusal(words) ?? confirm({ title: '请确认：查看', lines, command: shown(words), words, summary: what });
    }
  }
}

function listRequest(intent: Extract<Intent, { kind: 'overdue' | 'mine' | 'board' | 'help' }>): {
  words: string[];
  what: string;
} {
  switch (intent.kind) {
    case 'overdue':
      return intent.what === 'task'
        ? { words: ['任务', '列表', '逾期'], what: '列出目前逾期的任务（本月的在内）' }
        : { words: ['整改', '列表', '逾期'], what: '列出目前逾期的整改事项（本月的在内）' };
    case 'mine':
      return intent.what === 'task'
        ? { words: ['任务'], what: '列出我的任务' }
        : { words: ['整改'], what: '列出我的整改事项' };
    case 'board':
      return { words: ['任务', '看板'], what: '打开任务看板' };
    case 'help':
      return { words: ['帮助'], what: '列出您可以使用的命令' };
  }
}

const text = (t: string): Outgoing => textMessage`${t}`;

/** Why the person may not run the command `words` here (the router's own words), if they may not. */
function deniedFor(ctx: CommandContext, words: readonly string[]): string | undefined {
  const runnable = findRunnable(ctx.commands, words);
  if (!runnable) return '这项功能暂不可用。';
  return accessDenial(runnable.access, {
    chatType: ctx.chat.type,
    hasOrg: ctx.org !== undefined,
    role: ctx.actor.role,
    orgAmbiguous: false,
    botAdmin: ctx.actor.isBotAdmin,
  })?.message;
}

function findRunnable(
  commands: CommandContext['commands'],
  words: readonly string[],
): Runnable<unknown, unknown> | undefined {
  const [word, verb] = words;
  const command = commands.find((c) => c.name === word || c.aliases.includes(word ?? ''));
  if (!command) return undefined;
  const sub =
    verb === undefined ? undefined : command.subcommands?.find((s) => s.name === verb || s.aliases.includes(verb));
  return sub ?? command;
}

/** A click on 确认, 取消 or a suggestion. */
function click(raw: Record<string, unknown>, form: FormValues, clicker: string): ConversationClick {
  const bad = { answer: { toast: { type: 'error' as const, content: '卡片数据无法识别，请重新发送。' } } };
  const v = intentRun.value.safeParse(raw);
  if (!v.success) return bad;
  let words: string[];
  try {
    const parsed = JSON.parse(v.data.c) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string') || parsed.length === 0) return bad;
    words = parsed;
  } catch {
    return bad;
  }
  if (v.data.k === 'go') return { run: words, toast: '已打开' };
  if (v.data.u !== clicker) {
    return { answer: { toast: { type: 'warning', content: '这是其他同志发起的确认，只有发起人可以确认或取消。' } } };
  }
  const summary = v.data.t ?? '';
  if (v.data.k === 'no') {
    return {
      answer: {
        toast: { type: 'info', content: '已取消' },
        card: buildIntentDoneCard({ state: 'cancelled', summary }),
      },
    };
  }
  const f = intentRun.form.safeParse(form);
  const pick = f.success ? f.data.pick : '';
  const reason = f.success ? f.data.reason : '';
  if ('pick' in form || (words[0] === '整改' && words[1] === '查看' && words.length === 2)) {
    if (!/^\d{1,9}$/.test(pick)) return { answer: { toast: { type: 'error', content: '请先选择一项。' } } };
    words.push(pick);
  }
  if (words[0] === '整改' && words[1] === '延期') {
    if (!reason) return { answer: { toast: { type: 'error', content: '请填写延期理由。' } } };
    words.push(clip(reason, 500));
  }
  return {
    run: words,
    once: v.data.m ? `intent:${v.data.m}` : undefined,
    after: buildIntentDoneCard({ state: 'confirmed', summary }),
    toast: '已确认',
  };
}
