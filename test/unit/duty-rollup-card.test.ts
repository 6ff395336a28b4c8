// The quarter-end roll-up card (issue 13 item 3): each status in its own column, 待验收 apart from
// 已完成, and a quarter with no tasks due never reads "全部责任人已提交履责报告".
import { describe, expect, it } from 'vitest';
import { buildBoardCard } from '../../src/features/duties/duty-cards.ts';
import { buildRollupCard } from '../../src/features/duties/task-card.ts';
import { cardText } from '../helpers/cards.ts';

const owner = {
  name: '王纪检',
  done: 1,
  review: 2,
  inProgress: 3,
  notStarted: 4,
  blocked: 5,
  overdue: 6,
  missed: 7,
  reported: true,
  away: false,
};

describe('buildRollupCard', () => {
  it('an empty quarter says there was nothing due, not that everyone reported', () => {
    const text = cardText(
      JSON.stringify(buildRollupCard({ orgName: '第一党支部', quarter: '2026Q4', owners: [], items: [] })),
    );
    expect(text).toContain('本季度没有到期的责任任务。');
    expect(text).not.toContain('全部责任人已提交');
  });

  it('everyone reported reads so only when someone had tasks', () => {
    const text = cardText(
      JSON.stringify(buildRollupCard({ orgName: '第一党支部', quarter: '2026Q4', owners: [owner], items: [] })),
    );
    expect(text).toContain('全部责任人已提交履责报告。');
  });

  it('separates 已完成, 待验收, 进行中, 未开始, 遇到困难, 逾期 and 未完成', () => {
    const json = JSON.stringify(
      buildRollupCard({ orgName: '第一党支部', quarter: '2026Q4', owners: [owner], items: [] }),
    );
    const titles = [...json.matchAll(/"display_name":"([^"]+)"/g)].map((m) => m[1]);
    for (const t of ['已完成', '待验收', '进行中', '未开始', '遇到困难', '逾期', '未完成', '履责报告'])
      expect(titles).toContain(t);
  });
});

describe('buildBoardCard', () => {
  const row = { name: '王纪检', notStarted: 1, inProgress: 2, blocked: 0, review: 0, done: 3, overdue: 1, away: false };
  const titles = (json: string) => [...json.matchAll(/"display_name":"([^"]+)"/g)].map((m) => m[1]);

  it('shows 待验收 once a task waits for acceptance, so the columns add up to every task', () => {
    const json = JSON.stringify(
      buildBoardCard({ orgName: '第一党支部', asOf: '2026-12-02 10:00', owners: [{ ...row, review: 2 }] }),
    );
    expect(titles(json)).toContain('待验收');
    expect(cardText(json)).toContain('合计：未开始 1，进行中 2，遇到困难 0，待验收 2，已完成 3');
  });

  it('has no 待验收 column while nothing waits', () => {
    const json = JSON.stringify(buildBoardCard({ orgName: '第一党支部', asOf: '2026-12-02 10:00', owners: [row] }));
    expect(titles(json)).not.toContain('待验收');
    expect(cardText(json)).toContain('合计：未开始 1，进行中 2，遇到困难 0，已完成 3');
  });
});
