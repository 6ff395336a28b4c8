// Lists you can act on (issue 14 item 4): the counts by status and the completion rate above a list,
// the pie of them, and each row's 查看 button (the order rows come in: test/e2e/list-actions.test.ts).
import { describe, expect, it } from 'vitest';
import { completionRate, rowWithButton, statusChart, summaryLine, tally } from '../../src/cards/list-summary.ts';
import { button } from '../../src/cards/parts.ts';
import { taskStatusCounts } from '../../src/features/duties/list.ts';
import { buildBoardCard, buildRollupCard, buildTaskListCard } from '../../src/features/duties/task-card.ts';
import { buildBatchCard } from '../../src/features/rectification/batch-card.ts';
import { buildRectListCard } from '../../src/features/rectification/item-card.ts';
import { rectStatusCounts } from '../../src/features/rectification/list.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { buttons, cardText } from '../helpers/cards.ts';

describe('completion rate and counts', () => {
  it('rounds down, so an unfinished list never shows 100%', () => {
    expect(completionRate(30, 42)).toBe(71);
    expect(completionRate(199, 200)).toBe(99);
    expect(completionRate(5, 5)).toBe(100);
    expect(completionRate(0, 3)).toBe(0);
    expect(completionRate(0, 0)).toBeNull();
  });

  it('reads as the issue asks: 共 42 项：已销号 30 · 整改中 9 · 逾期 3 · 完成率 71%', () => {
    const counts = [
      { label: '已销号', count: 30, done: true },
      { label: '待整改', count: 0 },
      { label: '整改中', count: 9 },
      { label: '逾期', count: 3, late: true },
    ];
    expect(tally(counts)).toEqual({ total: 42, done: 30, rate: 71 });
    expect(summaryLine(counts)).toBe(
      "共 42 项：已销号 30 · 整改中 9 · <font color='red'>逾期 3</font> · **完成率 71%**",
    );
    expect(summaryLine(counts, { scope: '本批次' })).toMatch(/^本批次共 42 项：/);
    expect(summaryLine(counts, { rate: false })).not.toContain('完成率');
    expect(summaryLine([{ label: '已销号', count: 0, done: true }])).toBe('共 0 项。');
  });

  it('a rectification counts once: 逾期 (open past its deadline) before its own status, 已销号 never late', () => {
    const counts = rectStatusCounts([
      { status: 'closed', n: 30, late: false },
      { status: 'in_progress', n: 7, late: false },
      { status: 'in_progress', n: 2, late: true },
      { status: 'review', n: 1, late: true },
      { status: 'pending', n: 2, late: false },
    ]);
    expect(counts.filter((c) => c.count > 0).map((c) => [c.label, c.count])).toEqual([
      ['已销号', 30],
      ['待整改', 2],
      ['整改中', 7],
      ['逾期', 3],
    ]);
    expect(tally(counts)).toEqual({ total: 42, done: 30, rate: 71 });
  });

  it('a task counts as the 台账 reads it; 已完成 and 已完成（已验收） are what is completed', () => {
    const counts = taskStatusCounts(
      [
        { status: 'accepted', due_date: '2026-03-31', n: 2 },
        { status: 'done', due_date: '2026-06-30', n: 4 },
        { status: 'submitted', due_date: '2026-11-30', n: 1 },
        { status: 'in_progress', due_date: '2026-11-30', n: 1 },
        { status: 'in_progress', due_date: '2026-12-31', n: 1 },
        { status: 'not_started', due_date: '2026-12-31', n: 1 },
        { status: 'missed', due_date: '2026-09-30', n: 2 },
      ],
      '2026-12-02',
    );
    expect(counts.filter((c) => c.count > 0).map((c) => [c.label, c.count])).toEqual([
      ['已完成（已验收）', 2],
      ['已完成', 4],
      ['待验收', 1],
      ['进行中', 1],
      ['未开始', 1],
      ['逾期', 1],
      ['未完成', 2],
    ]);
    expect(tally(counts)).toEqual({ total: 12, done: 6, rate: 50 });
  });
});

describe('the chart', () => {
  it('is a pie of the statuses that have items, accepted by the emulator; none for a single slice', () => {
    const [chart] = statusChart('整改情况', [
      { label: '已销号', count: 30 },
      { label: '整改中', count: 0 },
      { label: '逾期', count: 3 },
    ]);
    expect(chart).toMatchObject({
      tag: 'chart',
      chart_spec: {
        type: 'pie',
        valueField: 'count',
        categoryField: 'status',
        data: {
          values: [
            { status: '已销号', count: 30 },
            { status: '逾期', count: 3 },
          ],
        },
      },
    });
    expect(statusChart('x', [{ label: '已销号', count: 30 }])).toEqual([]);
  });

  it('a row is its text beside its button, in one column set', () => {
    const row = rowWithButton('**#1** 问题', button({ text: '查看', value: { a: 'rectify.open', id: 1 } }));
    expect(JSON.stringify(row)).toContain('"a":"rectify.open"');
    expect(row.tag).toBe('column_set');
  });
});

describe('the cards', () => {
  const counts = rectStatusCounts([
    { status: 'closed', n: 30, late: false },
    { status: 'in_progress', n: 9, late: false },
    { status: 'in_progress', n: 3, late: true },
  ]);
  const page = { orgId: 3, title: '全部整改事项', filterKey: 'all', page: 1, pages: 5, total: 42 };

  it('the 整改 list opens with the counts, the rate and a pie, and every row has its 查看', () => {
    const card = buildRectListCard({
      ...page,
      scope: '全部整改事项',
      counts,
      items: [7, 8].map((id) => ({
        id,
        problem: `问题${id}`,
        ownerName: '张三',
        deadline: '2026-11-30',
        deadlineText: '已逾期 2 天',
        statusLabel: '整改中',
        dueTone: 'overdue' as const,
        late: true,
      })),
    });
    const json = JSON.stringify(card);
    expect(checkCard(json)).toBeUndefined();
    expect(cardText(card)).toContain('全部整改事项共 42 项：已销号 30 · 整改中 9 · ');
    expect(cardText(card)).toContain('**完成率 71%**');
    expect(json).toContain('"tag":"chart"');
    const open = buttons({ content: json }).filter((b) => b.text === '查看');
    expect(open.map((b) => b.value)).toEqual([
      { v: 1, a: 'rectify.open', id: 7, o: 3 },
      { v: 1, a: 'rectify.open', id: 8, o: 3 },
    ]);
  });

  it('the 任务 list too', () => {
    const card = buildTaskListCard({
      ...page,
      scope: '本年度全部任务',
      counts: taskStatusCounts([{ status: 'done', due_date: '2026-06-30', n: 1 }], '2026-12-02'),
      rows: [
        { id: 12, content: '任务', ownerName: '张三', dueDate: '2026-12-31', statusLabel: '未开始', overdue: false },
      ],
    });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    expect(cardText(card)).toContain('本年度全部任务共 1 项：已完成 1 · **完成率 100%**');
    expect(buttons({ content: JSON.stringify(card) }).find((b) => b.text === '查看')?.value).toEqual({
      v: 1,
      a: 'task.open',
      id: 12,
      o: 3,
    });
  });

  it('the 巡察 batch card, the board and the 季季报 roll-up carry the rate and a pie', () => {
    const batch = buildBatchCard({
      name: '第一轮',
      source: '巡察',
      feedbackDate: '2026-10-10',
      milestones: [],
      counts,
    });
    expect(cardText(batch)).toContain('**整改事项**：共 42 项：已销号 30 · 整改中 9 · ');
    expect(JSON.stringify(batch)).toContain('"tag":"chart"');
    expect(checkCard(JSON.stringify(batch))).toBeUndefined();
    const owner = {
      name: '张三',
      notStarted: 1,
      inProgress: 1,
      blocked: 0,
      review: 0,
      accepted: 1,
      done: 1,
      overdue: 1,
      away: false,
    };
    const board = buildBoardCard({ orgName: '第一党支部', asOf: '2026-12-02 09:30', owners: [owner] });
    expect(cardText(board)).toContain('逾期 **1** · **完成率 50%**');
    expect(JSON.stringify(board)).toContain('"tag":"chart"');
    expect(checkCard(JSON.stringify(board))).toBeUndefined();
    const rollup = buildRollupCard({
      orgName: '第一党支部',
      quarter: '2026Q4',
      owners: [
        {
          name: '张三',
          accepted: 1,
          done: 2,
          review: 0,
          inProgress: 1,
          notStarted: 0,
          blocked: 0,
          overdue: 0,
          missed: 0,
          reported: true,
          away: false,
        },
      ],
      items: [],
    });
    expect(cardText(rollup)).toContain(
      '**本季度任务**：共 4 项：已完成（已验收） 1 · 已完成 2 · 进行中 1 · **完成率 75%**',
    );
    expect(JSON.stringify(rollup)).toContain('"tag":"chart"');
  });
});
