/**
 * The new-session form's rules and cards (issue 18 items 1, 2 and 7): the agenda a session keeps for
 * the kind chosen, the 心得 deadline read as typed (refused, never replaced), and the form with its
 * 主持人 and 记录人 pickers within Feishu's card limits at the largest the org allows (100 members
 * listed, 30 党小组, the longest agenda, an error shown); what the form shows once published.
 */
import { describe, expect, it } from 'vitest';
import {
  agendaFor,
  defaultAgenda,
  MEETING_KIND_LABELS,
  parseReflectionDays,
  SPECIAL_AGENDA,
} from '../../src/features/meetings/model.ts';
import { buildSessionNewCard, buildSessionPublishedCard } from '../../src/features/meetings/session-new-card.ts';
import { checkCard, countElements, MAX_CARD_BYTES, requestBodyBytes } from '../../src/sandbox/card-check.ts';
import { walkCard } from '../helpers/card-parts.ts';
import { buttons, cardText } from '../helpers/cards.ts';

const openId = (i: number) => `ou_${i.toString(16).padStart(32, 'a')}`;
const long = (n: number) => '党风廉政建设'.repeat(Math.ceil(n / 6)).slice(0, n);

describe('the agenda a new session keeps', () => {
  it.each([
    ['committee', SPECIAL_AGENDA, ''],
    ['committee', '', ''],
    ['special', '', SPECIAL_AGENDA],
    ['special', SPECIAL_AGENDA, SPECIAL_AGENDA],
    // As a client gives an untouched multi-line input back: CRLF, spaces at line ends.
    ['general', `${SPECIAL_AGENDA.replaceAll('\n', ' \r\n')}\n`, ''],
    ['committee', '一、研究确定发展对象', '一、研究确定发展对象'],
    // The special meeting's agenda with a line added is the person's own: kept for any kind.
    ['committee', `${SPECIAL_AGENDA}\n四、其他事项`, `${SPECIAL_AGENDA}\n四、其他事项`],
    ['central_group', '', ''],
  ])('%s with %j keeps %j', (kind, submitted, kept) => {
    expect(agendaFor(kind, submitted)).toBe(kept);
  });

  it('only the 专题会议 starts from a set agenda', () => {
    expect(Object.keys(MEETING_KIND_LABELS).filter((k) => defaultAgenda(k) !== '')).toEqual(['special']);
  });
});

describe('the 心得 deadline on the study form', () => {
  const refused = (typed: string) =>
    `心得提交期限请填写 1 至 30 之间的整数（工作日），您填写的是“${typed}”；不填则为 5 个工作日。`;
  it.each([
    ['', 5],
    ['  ', 5],
    ['3', 3],
    [' 7 ', 7],
    ['１０', 10],
    ['30', 30],
    ['1', 1],
  ])('%j is %d working days', (typed, days) => {
    expect(parseReflectionDays(typed)).toBe(days);
  });

  it.each(['abc', '0', '31', '2.5', '-3', '五', '3天', '1e1', '007'])(
    '%j is refused, naming what is expected',
    (typed) => {
      expect(parseReflectionDays(typed)).toEqual({ problem: refused(typed) });
    },
  );
});

describe('the new-session form', () => {
  const kinds = Object.entries(MEETING_KIND_LABELS).map(([value, text]) => ({ value, text }));
  const largest = (category: 'meeting' | 'study', members = 100) =>
    buildSessionNewCard({
      orgId: 9_999,
      category,
      kinds,
      initialKind: 'special',
      memberOpenIds: Array.from({ length: members }, (_, i) => openId(i)),
      agenda: long(2000),
      error: long(200),
      start: '2026-12-10 15:00',
      groups: Array.from({ length: 40 }, (_, i) => `${long(18)}${i}`),
    });
  const pickers = (c: unknown) => {
    const out: Record<string, unknown>[] = [];
    walkCard(c, (o) => {
      if (o.tag === 'select_person' || o.tag === 'multi_select_person') out.push(o);
    });
    return out;
  };

  it.each([
    [50, 50],
    [100, 0],
  ])(
    'a meeting’s form of %d members lists %d as 主持人 and 记录人, neither required, within the card limits',
    (members, listed) => {
      const c = largest('meeting', members);
      const content = JSON.stringify(c);
      expect(checkCard(content)).toBeUndefined();
      expect(countElements(c)).toBeLessThanOrEqual(200);
      expect(requestBodyBytes(content)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      const byName = new Map(pickers(c).map((p) => [p.name, p]));
      expect(byName.get('attendees')?.options).toHaveLength(members);
      for (const name of ['host', 'recorder']) {
        const p = byName.get(name);
        expect(p, name).toMatchObject({ tag: 'select_person' });
        // Empty: anyone in the chat (Feishu's rule for a person picker without options).
        expect(p?.options).toHaveLength(listed);
        expect(p?.required).toBeUndefined();
      }
      expect(cardText(c)).toContain('党员大会、支委会不选则为书记');
      expect(cardText(c)).toContain('未改动的预填议程会换成所选类型的议程');
    },
  );

  it('a study form has no 主持人 or 记录人 but says what the 心得 deadline takes', () => {
    const c = largest('study');
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
    expect(pickers(c).map((p) => p.name)).toEqual(['attendees']);
    expect(cardText(c)).toContain('1 至 30 之间的整数，不填为 5');
  });

  it('once published the form says where the notice went and offers nothing to press', () => {
    for (const noticeIn of ['group', 'attendees'] as const) {
      const c = buildSessionPublishedCard({
        id: 99_999,
        kindLabel: '支委会',
        heading: `支委会：${long(100)}`,
        when: '2026-12-10 15:00',
        place: long(200),
        host: '李书记',
        recorder: '张组织',
        noticeIn,
      });
      expect(checkCard(JSON.stringify(c))).toBeUndefined();
      expect(buttons({ content: JSON.stringify(c) })).toEqual([]);
      const text = cardText(c);
      expect(text).toContain('**主持人**：李书记');
      expect(text).toContain('**记录人**：张组织');
      expect(text).toContain(
        noticeIn === 'group' ? '通知已发到本组织的群聊' : '本组织尚未绑定群聊，通知已私信发给每位参加人员。',
      );
    }
  });
});
