/**
 * The /help cards. The help card fits one phone screen (test/unit/help-card.test.ts measures it):
 * the few things this person does most, as buttons, then one collapsed panel per area, and a
 * 全部命令 button for the full list (the only place English aliases appear).
 */
import type { Card, CardElement } from '../core/card.ts';
import { type DrawnFor, helpRun, type QuickKey } from './actions/help.ts';
import { buttonRow, card, collapsible, divider, markdown, note } from './parts.ts';
import { md } from './text.ts';

/** One command as help shows it. */
export interface HelpCommand {
  /** The English path, `rectify show` (shown only in the full list). */
  name: string;
  /** The Chinese spelling, `整改 查看`. */
  spelled: string;
  summary: string;
  /** A real use with arguments (`/整改 查看 12`); none when the command takes none. */
  example?: string;
  /** Runs only in a group or only in a private chat (said in the full list). */
  only?: 'group' | 'p2p';
}

/** The commands of one area (整改, 任务与清单 …). */
export interface HelpArea {
  title: string;
  commands: HelpCommand[];
}

/** A quick button: what it says, the command it stands for, and its key. */
export interface QuickAction {
  key: QuickKey;
  label: string;
  command: string;
}

export interface HelpView {
  orgName: string | undefined;
  orgId: number | undefined;
  chatType: 'group' | 'p2p';
  quick: QuickAction[];
  areas: HelpArea[];
  /** Shown under the buttons after one was pressed. */
  panel?: { title: string; elements: CardElement[] };
  /** In a group: the role whose commands the card lists, so that 刷新 by anyone redraws the same card. */
  drawnFor?: DrawnFor;
}

export interface FullHelpView {
  orgName: string | undefined;
  orgId: number | undefined;
  areas: HelpArea[];
}

/** At most this many areas get a panel; the rest are in 全部命令. */
const MAX_PANELS = 9;
/**
 * Bytes of command lines one card may carry, as sent (escaped twice): Feishu refuses a card whose
 * request exceeds 30 KB, and the header, buttons and panels need the rest. Real lists need about
 * half; only lists longer than any there is are cut, with a note.
 */
const LINES_BUDGET = 22_000;

/** Takes lines while they fit in `budget.left` bytes; says how many did not. */
function fitLines(lines: string[], budget: { left: number }): { kept: string[]; dropped: number } {
  const kept: string[] = [];
  for (const l of lines) {
    const bytes = Buffer.byteLength(JSON.stringify(JSON.stringify(l)), 'utf8');
    if (bytes > budget.left) break;
    budget.left -= bytes;
    kept.push(l);
  }
  return { kept, dropped: lines.length - kept.length };
}

const more = (n: number) => `<font color='grey'>另有 ${n} 条未列出。</font>`;

/** The quick buttons, for any card that offers them (help, greetings). */
export function quickButtons(quick: readonly QuickAction[], orgId: number | undefined): CardElement[] {
  return quick.map((q, i) =>
    helpRun.button({ text: q.label, type: i === 0 ? 'primary' : 'default', org: orgId }, { cmd: 'run', k: q.key }),
  );
}

function commandLine(c: HelpCommand, english: boolean): string {
  const alias = english ? `（/${md(c.name, 40)}）` : '';
  const where = english && c.only ? `<font color='grey'>（${c.only === 'group' ? '群聊中' : '单聊中'}）</font>` : '';
  const head = `**/${md(c.spelled, 30)}**${alias}${where}　${md(c.summary, english ? 80 : 40)}`;
  return c.example ? `${head}\n<font color='grey'>例：${md(c.example, 60)}</font>` : head;
}

/** The /help card: quick buttons, one collapsed panel per area, then 全部命令, 我的 and 刷新. */
export function buildHelpCard(v: HelpView): Card {
  const quick: CardElement[] =
    v.quick.length > 0
      ? [
          markdown(`**常用**　<font color='grey'>也可输入 ${v.quick.map((q) => md(q.command, 20)).join('、')}</font>`),
          buttonRow(quickButtons(v.quick, v.orgId)),
        ]
      : [];
  // The 我的 panel, when shown, comes out of the same budget.
  const panelBytes = v.panel ? Buffer.byteLength(JSON.stringify(JSON.stringify(v.panel.elements)), 'utf8') : 0;
  const budget = { left: Math.max(0, LINES_BUDGET - panelBytes) };
  const panels = v.areas
    .filter((a) => a.commands.length > 0)
    .slice(0, MAX_PANELS)
    .flatMap((a) => {
      const { kept, dropped } = fitLines(
        a.commands.map((c) => commandLine(c, false)),
        budget,
      );
      if (kept.length === 0) return [];
      const lines = dropped > 0 ? [...kept, more(dropped)] : kept;
      return [collapsible(`${md(a.title, 20)}（${a.commands.length}）`, [markdown(lines.join('\n'))])];
    });
  const how =
    v.chatType === 'group'
      ? '群聊中先 @清风 再输入命令；点常用按钮，结果私信发给您。'
      : '直接输入命令即可，例如 /整改 查看 12。';
  return card({
    title: '清风 · 可用命令',
    subtitle: v.orgName ? `当前组织：${v.orgName}` : '本群尚未绑定组织',
    template: 'red',
    summary: '清风可用命令',
    elements: [
      ...quick,
      ...(panels.length > 0 ? panels : [markdown('您在这里暂时没有可用的命令。')]),
      note(how),
      buttonRow([
        helpRun.button({ text: '全部命令', org: v.orgId }, { cmd: 'all' }),
        helpRun.button({ text: '我的', org: v.orgId }, { cmd: 'me' }),
        helpRun.button({ text: '刷新', type: 'text', org: v.orgId }, { cmd: 'help', r: v.drawnFor }),
      ]),
      ...(v.panel ? [divider(), markdown(`**${md(v.panel.title)}**`), ...v.panel.elements] : []),
    ],
  });
}

/** Every command this person may run, by area, with its English alias: the 全部命令 card (sent privately). */
export function buildFullHelpCard(v: FullHelpView): Card {
  const budget = { left: LINES_BUDGET };
  let dropped = 0;
  const parts: string[] = [];
  for (const a of v.areas.filter((x) => x.commands.length > 0)) {
    const fitted = fitLines(
      a.commands.map((c) => commandLine(c, true)),
      budget,
    );
    dropped += fitted.dropped;
    if (fitted.kept.length > 0) parts.push(`**${md(a.title, 20)}**\n${fitted.kept.join('\n')}`);
  }
  const text = [...parts, ...(dropped > 0 ? [more(dropped)] : [])].join('\n\n');
  return card({
    title: '清风 · 全部命令',
    subtitle: v.orgName ? `当前组织：${v.orgName}` : '尚未绑定组织',
    template: 'red',
    summary: '清风全部命令',
    elements: [
      markdown(text || '您在这里暂时没有可用的命令。'),
      note('括号里是英文别名，输入效果相同。'),
      buttonRow([helpRun.button({ text: '返回帮助', org: v.orgId }, { cmd: 'help' })]),
    ],
  });
}
