/**
 * The attendance part of a session card (session-card.ts): the live counts over 应到, the quorum of the
 * meetings that vote, who sits apart (列席: 预备党员 and others without a vote; 不计应到 with the 支部's
 * reason; attendance-rules.ts decides who), the 补正 made, and who answered 参加, signed in or is on
 * leave. Pure.
 */
import { collapsible, markdown, note } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { CardElement } from '../../core/card.ts';
import { exemptWhy, guestsText, seatGroups } from './attendance-rules.ts';
import type { SessionPhase, SessionView } from './session-card.ts';

/** Names listed on the card per group (签到, 请假, 列席); the full list is in the 记录簿 export. */
export const NAMES_SHOWN = 30;
/** 补正 and 不计应到 listed on the card (they are rare; every one is in the 记录簿 and the history). */
const CORRECTIONS_SHOWN = 10;

type Attendee = SessionView['attendees'][number];
type Shown = 'attending' | 'signed' | 'leave' | 'pending';

export const phaseOf = (v: SessionView): SessionPhase =>
  v.phase ?? (v.closed ? 'closed' : v.started ? 'started' : 'before');

/** Where the whole attendance list is: the 记录簿 export (admins). */
export const fullListHint = (v: Pick<SessionView, 'category'>) =>
  `完整名单请管理员发送 ${v.category === 'study' ? '/学习' : '/会议'} 导出 获取记录簿。`;

/**
 * How one attendee counts on the card: 签到 and 请假 as answered; before the start a 参加 as 参加; a
 * member away (请假/出差) who has not signed in as 请假; everyone else has not answered yet (before the
 * start), not signed in (during the window) or is 缺席 (after it).
 */
function shownAs(a: Attendee, beforeStart: boolean): Shown {
  if (a.status === 'signed' || a.status === 'leave') return a.status;
  if (a.status === 'attending' && beforeStart) return 'attending';
  return a.away ? 'leave' : 'pending';
}

/** A name as listed: 预备党员 marked so. */
const listed = (a: Attendee) => `${md(a.name, 20)}${a.seat === 'probationary' ? '（预备党员）' : ''}`;

const names = (people: Attendee[], max = NAMES_SHOWN) =>
  `${people.slice(0, max).map(listed).join('、')}${people.length > max ? ` 等 ${people.length} 人` : ''}`;

/**
 * "**列席**：预备党员 2 人（王五、赵六），其他人员 1 人，已签到 2 人" and "**不计应到**：1 人（钱七：长期病
 * 假）" — names only where the card lists attendees (`lists`); 不计应到 named, with the 支部's reason (a
 * 长期病假 is personal), only on a card drawn for one person — in a group, and on a form, the count alone.
 */
function apartLines(v: SessionView, guests: Attendee[], exempt: Attendee[], lists: boolean): string[] {
  const lines: string[] = [];
  if (guests.length > 0)
    lines.push(
      `**列席**（无表决权）：${guestsText(guests, (a) => a.status === 'signed', lists ? (people) => names(people) : undefined)}`,
    );
  if (exempt.length > 0 && (!lists || v.audience !== 'private')) lines.push(`**不计应到**：${exempt.length} 人`);
  else if (exempt.length > 0) {
    const shown = exempt.slice(0, CORRECTIONS_SHOWN);
    const detail = shown.map((a) => `${md(a.name, 20)}：${md(exemptWhy(a.exemptReason), 30)}`).join('；');
    lines.push(`**不计应到**：${exempt.length} 人（${detail}${exempt.length > shown.length ? ' 等' : ''}）`);
  }
  if (v.noCommittee)
    lines.push(
      v.kind === 'central_group'
        ? "<font color='grey'>本组织尚未登记班子成员，本次中心组学习按通知所列人员参加。管理员登记委员后（/党员 @姓名 支委 委员），新建的中心组学习默认只请班子成员参加。</font>"
        : "<font color='grey'>本支部尚未登记支委，本次支委会的应到按通知所列人员计。管理员登记支委后（/党员 @姓名 支委 组织委员），新建的支委会只请支委参加。</font>",
    );
  return lines;
}

/** One collapsible list of names (参加, 请假, 已签到), with a hint when there are more. */
function listPanel(v: SessionView, title: string, people: Attendee[], body: string, more: string): CardElement {
  return collapsible(`${title}（${people.length}）`, [
    markdown(body),
    ...(people.length > NAMES_SHOWN ? [note(`另有 ${people.length - NAMES_SHOWN} 人${more}。${fullListHint(v)}`)] : []),
  ]);
}

/**
 * The live counts over 应到: before the start 参加 / 请假 / 未回复 (and 已签到 once the window opens), after
 * it 已签到 / 请假 / 未签到, and 缺席 once the window has closed; the quorum of a meeting that votes; who
 * sits apart. With `lists`, who answered 参加, who signed in and who is on leave (the notice, not its forms).
 */
export function attendanceCounts(v: SessionView, lists: boolean): CardElement[] {
  const phase = phaseOf(v);
  const beforeStart = phase === 'before' || phase === 'open';
  // 应到 and who sits apart, read from the seats as the 记录簿 and 补录 read them (attendance-rules.ts).
  const seats = seatGroups(v.kind, v.attendees);
  const counted = seats.counted;
  const by = (x: Shown) => counted.filter((a) => shownAs(a, beforeStart) === x);
  const signed = by('signed');
  const leave = by('leave');
  const pending = by('pending');
  const attending = by('attending');
  const head = `**应到** ${counted.length} 人`;
  const lines = [
    beforeStart
      ? `${head}　**参加** ${attending.length + signed.length} 人　**请假** ${leave.length} 人　**未回复** ${pending.length} 人${phase === 'open' ? `　**已签到** ${signed.length} 人` : ''}`
      : `${head}　**已签到** ${signed.length} 人　**请假** ${leave.length} 人　**${phase === 'closed' ? '缺席' : '未签到'}** ${pending.length} 人`,
  ];
  if (v.voting) {
    lines.push(
      v.voting.quorum
        ? `<font color='green'>有表决权的党员 ${v.voting.total} 人，已到 ${v.voting.present} 人，超过半数。</font>`
        : `<font color='red'>有表决权的党员 ${v.voting.total} 人，已到 ${v.voting.present} 人，尚未过半。</font>`,
    );
  }
  lines.push(...apartLines(v, seats.guests, seats.exempt, lists));
  const corrected = v.attendees.filter((a) => a.correction);
  if (corrected.length > 0) {
    const shown = corrected.slice(0, CORRECTIONS_SHOWN).map((a) => {
      const now = a.status === 'signed' ? '签到' : a.status === 'leave' ? '请假' : '缺席';
      return `${md(a.name, 20)} 补正为${now}（${md(a.correction ?? '', 40)}）`;
    });
    lines.push(`**补正**：${shown.join('；')}${corrected.length > shown.length ? ` 等 ${corrected.length} 人` : ''}`);
  }
  const out: CardElement[] = [markdown(lines.join('\n'))];
  if (!lists) return out;
  const shownNames = (people: Attendee[]) => people.slice(0, NAMES_SHOWN).map(listed).join('、');
  if (attending.length > 0) out.push(listPanel(v, '参加', attending, shownNames(attending), '回复参加'));
  if (leave.length > 0) {
    const rows = leave
      .slice(0, NAMES_SHOWN)
      .map((a) => `- ${listed(a)}：${md(a.reason ?? (a.away ? '请假/出差中' : ''), 30)}`);
    out.push(listPanel(v, '请假', leave, rows.join('\n'), '请假'));
  }
  if (signed.length > 0) out.push(listPanel(v, '已签到', signed, shownNames(signed), '已签到'));
  return out;
}
