/**
 * The bot's notices: one card each, written to the admins, a secretary or the group by jobs and by
 * the delivery machinery (unreachable chats, refused 加急, dead letters, a missing holiday table,
 * 主题党日, 节前廉政提醒, a member who left, the weekly overdue digest, a bound group). Pure: no I/O,
 * no clock; every list on them is capped so the card stays within Feishu's limits.
 */
import type { Card } from '../core/card.ts';
import { card, markdown, plainText } from './parts.ts';
import { md, mdMention } from './text.ts';

/** People named on one 加急-refused notice; the rest are counted. */
export const URGENT_NAMES_SHOWN = 30;

export function buildUnreachableCard(v: { target: 'chat' | 'member'; name: string; reason: string }): Card {
  const who = v.target === 'chat' ? `群「${md(v.name, 60)}」` : `成员 ${md(v.name, 50)}`;
  return card({
    title: '清风：消息无法送达',
    template: 'orange',
    elements: [
      markdown(
        `清风无法向${who}发送消息：**${md(v.reason, 100)}**。\n之后发往该处的提醒也会失败。请把机器人重新拉入群聊，或请对方恢复接收清风的消息。`,
      ),
    ],
  });
}

export function buildUrgentRefusedCard(v: { names: readonly string[]; kind: string }): Card {
  const shown = v.names.slice(0, URGENT_NAMES_SHOWN).map((n) => md(n, 20));
  const more = v.names.length > shown.length ? `等 ${v.names.length} 人` : '';
  return card({
    title: '清风：加急提醒未送达',
    template: 'orange',
    elements: [
      markdown(
        `向 ${shown.join('、')}${more} 发送的${md(v.kind, 10)}未送达：飞书未能加急对方（对方可能不在该会话中，或无法接收加急）。提醒消息本身已发送，请另行电话或当面督促。`,
      ),
    ],
  });
}

export function buildDeadLettersCard(count: number): Card {
  return card({
    title: '清风：有消息未能送达',
    template: 'orange',
    elements: [
      markdown(
        `最近两天有 **${count}** 条消息多次重试后仍未送达。请运维人员查看：\n\`npm run cli -- outbox list --dead\`，排除原因后用 \`npm run cli -- outbox retry 编号\` 重新发送（编号见上一条命令的列表）。`,
      ),
    ],
  });
}

/**
 * Next year's holiday table is missing. The operators (`BOT_ADMINS`) get the command to import it;
 * officials are told only what it means for them.
 */
export function buildHolidayTableMissingCard(year: number, audience: 'operator' | 'official' = 'operator'): Card {
  const meaning = `在导入之前，${year} 年按周一至周五计算工作日；元旦、春节、清明节、劳动节、端午节、中秋节、国庆节按预计日期（固定日期和农历推算）发送节前提醒，调休日可能不准确。`;
  if (audience === 'official')
    return card({
      title: `${year} 年节假日安排尚未导入`,
      template: 'orange',
      elements: [
        markdown(`${meaning}\n\n节前廉政提醒会注明「预计」。国务院办公厅发布通知后，运维人员导入即可，各位无需操作。`),
      ],
    });
  return card({
    title: `缺少 ${year} 年节假日安排`,
    template: 'orange',
    elements: [
      markdown(
        `清风还没有 **${year} 年**的法定节假日和调休安排。${meaning}\n\n请在国务院办公厅发布通知后，按说明文档「节假日表」一节整理节假日文件，并在服务器上执行：\n\`npm run cli -- holidays import 文件.json\``,
      ),
    ],
  });
}

/** 清明节 is a day of remembrance: 文明祭扫 and 廉洁过节, never the festive template. */
export const QINGMING_REMINDER_TEXT =
  '清明节将至。请全体党员干部带头文明祭扫、绿色祭扫，缅怀先烈、寄托哀思；严守纪律，不借祭扫之机公车私用、大操大办，自觉移风易俗，廉洁过节。';

/**
 * 节前廉政提醒 from the org's template (at most 1000 characters; {节日} becomes the holiday's name, or
 * 「中秋节、国庆节」 for two holidays within a week); 清明节 gets its own 文明祭扫 text. `estimated`: the
 * year has no official table, so the dates are marked 预计.
 */
export function buildHolidayReminderCard(v: {
  template: string;
  holiday: string;
  start: string;
  end: string;
  estimated?: boolean;
}): Card {
  const span = `${v.start}${v.end !== v.start ? ` 至 ${v.end}` : ''}`;
  const text = v.holiday === '清明节' ? QINGMING_REMINDER_TEXT : v.template.replaceAll('{节日}', v.holiday);
  return card({
    title: `节前廉政提醒 · ${v.holiday}`,
    subtitle: v.estimated ? `预计 ${span} 放假（以国务院办公厅通知为准）` : `${span} 放假`,
    template: v.holiday === '清明节' ? 'grey' : 'red',
    elements: [
      plainText(text),
      markdown("<font color='grey'>发现问题线索请及时向纪检委员反映。</font>", { size: 'notation' }),
      // Issue 16: the talk register's 节前廉政谈话 (held by the 书记 or 纪检委员, recorded with /谈话 记录).
      markdown('书记、纪检委员可在节前开展节前廉政谈话，谈话后发送 /谈话 记录 节前廉政谈话 登记。', {
        size: 'notation',
      }),
    ],
  });
}

export function buildThemeDayCard(v: { today: string; source: string; fixedDay: number }): Card {
  return card({
    title: `今天是主题党日（${v.today}）`,
    template: 'red',
    elements: [
      markdown(
        `按照${md(v.source, 100)}，支部每月固定开展主题党日活动（每月 ${v.fixedDay} 日，遇节假日提前到前一个工作日）。请组织委员发布活动通知：\`/会议 新建 主题党日\`。`,
      ),
    ],
  });
}

export function buildBoundCard(v: {
  orgName: string;
  created: boolean;
  secretaries: readonly string[];
  memberCount: number;
}): Card {
  return card({
    title: `已绑定：${v.orgName}`,
    template: 'green',
    elements: [
      markdown(
        [
          `本群已绑定到党组织 **${md(v.orgName, 50)}**${v.created ? '（新建）' : ''}。`,
          v.secretaries.length ? `书记：${v.secretaries.slice(0, 2).map(mdMention).join(' ')}` : '',
          `已同步群成员 ${v.memberCount} 人，默认角色为党员。`,
          '下一步：用 `/角色 @某人 纪检委员` 设置纪检委员、组织委员等角色；发送 `/帮助` 查看全部命令。',
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    ],
  });
}

/** Items listed on the card about a member who left; the rest are counted. */
export const LEFT_ITEMS_SHOWN = 15;

export interface LeftView {
  name: string;
  openId: string;
  role: string;
  via: 'event' | 'reconcile';
  rectifications: readonly { id: number; problem: string; status: string; deadline: string }[];
  tasks: readonly { id: number; content: string; status: string; due: string }[];
}

/** To the secretaries: someone left the org's groups, and which of their items need a new owner. */
export function buildMemberLeftCard(v: LeftView): Card {
  const who = `${mdMention(v.openId)}（${md(v.name || v.openId, 50)}，${v.role}）`;
  const how = v.via === 'event' ? '已被移出或已退出本组织的群聊' : '已不在本组织的群聊中（成员核对发现）';
  const lines = [`${who}${how}，其在本组织的成员身份和权限已收回。`];
  const open = v.rectifications.length + v.tasks.length;
  if (open === 0) {
    lines.push('此人名下没有未完成的整改事项和责任任务。');
  } else {
    lines.push(`此人名下还有 **${open}** 项未完成的工作，事项和记录保持不变，请安排新的责任人：`);
    const rows = [
      ...v.rectifications.map((r) => `- 整改 #${r.id} ${md(r.problem, 60)}（${r.status}，期限 ${md(r.deadline, 20)}）`),
      ...v.tasks.map((t) => `- 任务 #${t.id} ${md(t.content, 60)}（${t.status}，截止 ${md(t.due, 20)}）`),
    ];
    lines.push(...rows.slice(0, LEFT_ITEMS_SHOWN));
    if (open > LEFT_ITEMS_SHOWN)
      lines.push(`另有 ${open - LEFT_ITEMS_SHOWN} 项，发送 /整改 列表、/任务 列表 查看全部。`);
  }
  lines.push('如属误操作，把此人拉回群聊即可恢复成员身份（角色为党员，需重新设置）。');
  return card({ title: '成员已离开组织', template: 'orange', elements: [markdown(lines.join('\n'))] });
}

/** Items listed on one digest card (about 30 KB allows some 100); the rest is /整改 列表 逾期. */
export const DIGEST_ITEMS_SHOWN = 60;
/** Owners named on one digest card. */
export const DIGEST_OWNERS_SHOWN = 30;

export interface OverdueItem {
  id: number;
  problem: string;
  deadline: string;
  ownerOpenId: string;
  ownerName: string;
  /** Days past the deadline today. */
  daysOver: number;
}

/** The weekly overdue digest in the group: items by owner, owners @-mentioned. */
export function buildOverdueDigestCard(items: readonly OverdueItem[]): Card {
  const groups = new Map<string, OverdueItem[]>();
  for (const i of items) groups.set(i.ownerOpenId, [...(groups.get(i.ownerOpenId) ?? []), i]);
  let budget = DIGEST_ITEMS_SHOWN;
  let listed = 0;
  const blocks: string[] = [];
  for (const [openId, list] of [...groups.entries()].slice(0, DIGEST_OWNERS_SHOWN)) {
    const shown = list.slice(0, Math.max(0, budget));
    budget -= shown.length;
    listed += shown.length;
    blocks.push(
      `${mdMention(openId)} **${md(list[0]?.ownerName ?? '', 20)}**（${list.length} 项）${shown
        .map((i) => `\n- #${i.id} ${md(i.problem, 40)}，时限 ${md(i.deadline, 20)}，已逾期 ${i.daysOver} 天`)
        .join('')}`,
    );
  }
  if (listed < items.length)
    blocks.push(
      `<font color='grey'>共 ${items.length} 项，这里列出 ${listed} 项；全部逾期事项请发送 /整改 列表 逾期 查看。</font>`,
    );
  return card({
    title: `本周逾期整改事项（${items.length} 项）`,
    template: 'red',
    elements: [
      markdown(blocks.join('\n\n')),
      markdown("<font color='grey'>请责任人在事项卡片中报告进展、申请销号或申请延期。</font>", { size: 'notation' }),
    ],
  });
}

/** To the secretary: overdue items whose owners are on leave (not named in the group). */
export function buildAwayOverdueCard(items: readonly (OverdueItem & { awayUntil: string })[]): Card {
  const lines = items
    .slice(0, DIGEST_ITEMS_SHOWN)
    .map(
      (i) =>
        `- #${i.id} ${md(i.problem, 40)}（${md(i.ownerName, 20)}，请假至 ${md(i.awayUntil, 20)}），时限 ${md(i.deadline, 20)}`,
    );
  if (items.length > lines.length)
    lines.push(
      `<font color='grey'>共 ${items.length} 项，这里列出 ${lines.length} 项；其余请发送 /整改 列表 逾期 查看。</font>`,
    );
  return card({ title: '请假人员的逾期整改事项', template: 'orange', elements: [markdown(lines.join('\n'))] });
}
