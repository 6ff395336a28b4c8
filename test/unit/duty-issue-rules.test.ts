/**
 * 下发 (issue 15 item 4), the pure rules: choosing the lower orgs (全部 or by name; an unknown name
 * refuses the whole 下发), the tasks a lower org's row is about (this period's), the row's status in
 * the task status words, the evidence as text (a note counted, never quoted), the due date in words;
 * and the cards at their largest data within Feishu's card rules (the emulator's checker).
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/core/card.ts';
import {
  buildIssueNoticeCard,
  buildIssueResultCard,
  buildIssueStatusCard,
  ISSUE_ROWS,
} from '../../src/features/duties/issue-cards.ts';
import {
  chooseTargets,
  currentTasks,
  dueWords,
  evidenceSummary,
  fromAboveTag,
  isFinished,
  issuedTag,
  issueRowStatus,
  UNASSIGNED,
} from '../../src/features/duties/issue-rules.ts';
import type { TaskStatus } from '../../src/features/duties/model.ts';
import { buildDutyListCard, buildTaskCard, type TaskView } from '../../src/features/duties/task-card.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';

const LOWER = [
  { id: 11, name: '第一党支部' },
  { id: 12, name: '第二党支部' },
  { id: 13, name: '第三党支部' },
];

describe('chooseTargets', () => {
  it.each([
    [['全部'], [11, 12, 13]],
    [['第二党支部'], [12]],
    [
      ['「第三党支部」', '第一党支部'],
      [13, 11],
    ],
    [['第一党支部', '第一党支部'], [11]],
  ])('%j → %j', (words, ids) => {
    const r = chooseTargets(words, LOWER, '机关党委');
    expect('orgs' in r && r.orgs.map((o) => o.id)).toEqual(ids);
  });

  it('refuses nothing named, and a name that is not a lower org (nothing chosen)', () => {
    expect(chooseTargets([], LOWER, '机关党委')).toEqual({
      error: '请写明下发给哪些下级组织：全部，或下级组织的名称（「第一党支部」、「第二党支部」、「第三党支部」）。',
    });
    expect(chooseTargets(['第一党支部', '财务处党支部'], LOWER, '机关党委')).toEqual({
      error:
        '「财务处党支部」不是「机关党委」的下级组织。可以下发给：「第一党支部」、「第二党支部」、「第三党支部」，或写“全部”。',
    });
    // 全部 with names is not 全部: the word is looked up as a name.
    expect('error' in chooseTargets(['全部', '第一党支部'], LOWER, '机关党委')).toBe(true);
  });
});

describe('currentTasks', () => {
  const t = (period: string, due_date: string, id = 1) => ({ id, period, due_date });
  it('takes this period’s tasks of a recurring item, else its latest period’s', () => {
    const tasks = [t('2026-11', '2026-11-25', 1), t('2026-12', '2026-12-25', 2), t('2026-12', '2026-12-25', 3)];
    expect(currentTasks(tasks, 'monthly', '2026-12-02').map((x) => x.id)).toEqual([2, 3]);
    expect(currentTasks(tasks, 'monthly', '2027-01-03').map((x) => x.id)).toEqual([2, 3]);
    expect(currentTasks([t('once', '2026-12-20', 4)], 'once', '2026-12-02').map((x) => x.id)).toEqual([4]);
    expect(currentTasks([], 'quarterly', '2026-12-02')).toEqual([]);
  });
});

describe('issueRowStatus', () => {
  const today = '2026-12-10';
  const row = (...s: [TaskStatus, string?][]) =>
    issueRowStatus(
      s.map(([status, due]) => ({ status, due_date: due ?? '2026-12-20' })),
      today,
    );
  it.each([
    [[], UNASSIGNED],
    [[['accepted']], '已完成（已验收）'],
    [[['accepted'], ['accepted']], '已完成（已验收）'],
    [[['accepted'], ['done']], '已完成'],
    [[['submitted']], '待验收'],
    [[['not_started']], '未开始'],
    [[['not_started'], ['accepted']], '进行中'],
    [[['submitted'], ['accepted']], '进行中'],
    [[['in_progress', '2026-12-01']], '逾期'],
    [[['accepted'], ['not_started', '2026-12-01']], '逾期'],
    [[['accepted'], ['missed']], '未完成'],
    [[['blocked'], ['in_progress']], '遇到困难'],
  ] as [[TaskStatus, string?][], string][])('%j → %s', (tasks, expected) => {
    expect(row(...tasks)).toBe(expected);
  });

  it('counts 已完成 and 已完成（已验收） as finished, nothing else', () => {
    expect(isFinished('已完成（已验收）')).toBe(true);
    expect(isFinished('已完成')).toBe(true);
    for (const s of ['待验收', '进行中', '逾期', UNASSIGNED] as const) expect(isFinished(s)).toBe(false);
  });
});

describe('evidenceSummary, dueWords, tags', () => {
  it('counts the evidence and names the first; a written note is not quoted', () => {
    expect(evidenceSummary([])).toBe('无');
    expect(
      evidenceSummary([
        { kind: 'file', name: '自查报告.pdf' },
        { kind: 'link', name: 'https://example.feishu.cn/docx/a' },
      ]),
    ).toBe('2 份：自查报告.pdf');
    expect(evidenceSummary([{ kind: 'text', name: '本支部内部情况说明' }])).toBe('1 份：文字说明');
  });

  it.each([
    ['once', '2026-12-20', null, '2026-12-20'],
    ['monthly', null, 25, '每月25日前'],
    ['monthly', null, null, '每月月底前'],
    ['quarterly', null, 20, '每季度最后一个月20日前'],
    ['yearly', null, null, '每年期末前'],
  ] as const)('%s %s %s → %s', (cadence, date, day, words) => {
    expect(dueWords(cadence, date, day)).toBe(words);
  });

  it('words the tags', () => {
    expect(fromAboveTag('机关党委')).toBe('上级下发：机关党委');
    expect(issuedTag(3, 2)).toBe('已下发 3 个支部 · 已完成 2');
  });
});

// ---------------------------------------------------------------------------------------------
// The cards at their largest data: 200 lower orgs, every text at its maximum, hostile characters.

/** The worst bytes per character (markdown entities, double-escaped quotes, emoji). */
const hostile = (n: number, seed = 0) =>
  Array.from((['*&"\\', '"\\*&', '&*\\"', '😀"*&'][seed % 4] as string).repeat(Math.ceil(n / 4) + 1))
    .slice(0, n)
    .join('');

function expectWithinRules(card: Card): void {
  const body = JSON.stringify({ receive_id: 'oc_x', msg_type: 'interactive', content: JSON.stringify(card) });
  expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(30 * 1024);
  expect(checkCard(JSON.stringify(card))).toBeUndefined();
  expect(JSON.stringify(card)).not.toContain('undefined');
}

describe('下发 cards within the card rules', () => {
  it('the 下发情况 of 200 lower orgs shows the unfinished first, ISSUE_ROWS of them, and says so', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      org: hostile(50, i),
      owners: Array.from({ length: 30 }, (_, j) => hostile(20, j)),
      status: i % 3 === 0 ? '已完成（已验收）' : '逾期',
      finished: i % 3 === 0,
      evidence: `3 份：${hostile(120, i)}`,
      updated: '2026-12-02 10:00',
    }));
    const card = buildIssueStatusCard({
      orgId: 1,
      itemId: 2,
      seq: 999,
      content: hostile(2000),
      due: '每季度最后一个月28日前',
      asOf: '2026-12-02 10:00',
      rows,
    });
    expectWithinRules(card);
    const text = JSON.stringify(card);
    expect(text).toContain('已完成 67/200');
    expect(text).toContain(`共 200 个下级组织，这里显示未完成的在前的 ${ISSUE_ROWS} 个。`);
    const table = card.body.elements.find((e) => e.tag === 'table') as unknown as { rows: { status: string }[] };
    expect(table.rows).toHaveLength(ISSUE_ROWS);
    expect(table.rows.every((r) => r.status === '逾期')).toBe(true);
  });

  it('the notice and the answer at their largest', () => {
    const notice = {
      fromName: hostile(50),
      seq: 999,
      content: hostile(2000),
      category: hostile(20),
      cadenceLabel: '每季度',
      due: '每季度最后一个月28日前',
      evidence: hostile(200),
    };
    expectWithinRules(buildIssueNoticeCard({ ...notice, owners: [] }));
    expectWithinRules(
      buildIssueNoticeCard({ ...notice, owners: Array.from({ length: 60 }, (_, i) => hostile(20, i)) }),
    );
    const names = Array.from({ length: 200 }, (_, i) => hostile(50, i));
    expectWithinRules(
      buildIssueResultCard({
        orgId: 1,
        itemId: 2,
        seq: 999,
        content: hostile(2000),
        due: '2026-12-20',
        created: names,
        already: names,
        unsent: names,
      }),
    );
  });

  it('the list and the task card carry the tag', () => {
    const list = buildDutyListCard({
      title: hostile(100),
      items: Array.from({ length: 500 }, (_, i) => ({
        seq: i + 1,
        category: hostile(20, i),
        content: hostile(2000, i),
        leader: hostile(50, i),
        owners: Array.from({ length: 20 }, (_, j) => hostile(20, j)),
        cadence: '每季度',
        evidence: hostile(200, i),
        origin: `${fromAboveTag(hostile(50, i))} · ${issuedTag(200, 199)}`,
      })),
    });
    expectWithinRules(list);
    const plainList = buildDutyListCard({
      title: '清单',
      items: [
        {
          seq: 2,
          category: '纪律建设',
          content: '开展自查',
          leader: '',
          owners: [],
          cadence: '一次性',
          origin: '上级下发：机关党委',
        },
      ],
    });
    expect(JSON.stringify(plainList)).toContain('上级下发：机关党委');
    const view: TaskView = {
      id: 1,
      orgId: 1,
      version: 1,
      itemId: 1,
      content: '开展自查',
      category: '纪律建设',
      leader: '',
      cadenceLabel: '一次性',
      period: 'once',
      ownerOpenId: 'ou_a',
      ownerName: '王五',
      dueDate: '2026-12-20',
      dueText: '还剩 18 天',
      overdue: false,
      status: 'not_started',
      statusLabel: '未开始',
      percent: 0,
      evidenceRequired: '',
      origin: '上级下发：机关党委',
      lastProgress: undefined,
      evidence: [],
      history: [],
    };
    expect(JSON.stringify(buildTaskCard(view))).toContain('上级下发：机关党委');
    expect(JSON.stringify(buildTaskCard({ ...view, origin: undefined }))).not.toContain('上级下发');
  });
});
