// The quarter-end roll-up card and the group board (issue 13 item 3): each status in its own column —
// 已完成（已验收） apart from 已完成, 待验收 apart from both — adding up to every task, and a quarter
// with no tasks due never reads "全部责任人已提交履责报告". The task card of a returned task marks it
// 已退回 (who, when, why), and a private copy read by someone other than the owner has no owner's buttons.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/core/card.ts';
import { buildBoardCard } from '../../src/features/duties/duty-cards.ts';
import { buildRollupCard, buildTaskCard, type TaskView } from '../../src/features/duties/task-card.ts';
import { buttons, cardText } from '../helpers/cards.ts';

const owner = {
  name: '王纪检',
  accepted: 8,
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

  it('separates 已完成（已验收）, 已完成, 待验收, 进行中, 未开始, 遇到困难, 逾期 and 未完成, per owner and per item', () => {
    const item = { seq: 3, content: '开展岗位廉政风险点排查', ...owner };
    const json = JSON.stringify(
      buildRollupCard({ orgName: '第一党支部', quarter: '2026Q4', owners: [owner], items: [item] }),
    );
    const [owners, items] = tables(json);
    const status = ['已完成（已验收）', '已完成', '待验收', '进行中', '未开始', '遇到困难', '逾期', '未完成'];
    expect(owners?.titles).toEqual(['责任人', ...status, '履责报告']);
    expect(owners?.rows).toEqual([['王纪检', '8', '1', '2', '3', '4', '5', '6', '7', '已提交']]);
    expect(items?.titles).toEqual(['责任内容', ...status]);
    expect(items?.rows).toEqual([['3. 开展岗位廉政风险点排查', '8', '1', '2', '3', '4', '5', '6', '7']]);
  });

  it('carries a pie of the quarter’s task statuses, and at most 50 rows per table so it stays within 30 KB', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ ...owner, name: `责任人${i}`, overdue: i }));
    const c = buildRollupCard({ orgName: '第一党支部', quarter: '2026Q4', owners: many, items: [] });
    const json = JSON.stringify(c);
    const chart = JSON.parse(json).body.elements.find((e: { tag: string }) => e.tag === 'chart');
    expect(chart.chart_spec.type).toBe('pie');
    expect(chart.chart_spec.data.values).toContainEqual({ status: '已完成（已验收）', count: 8 * 80 });
    const [owners] = tables(json);
    expect(owners?.rows).toHaveLength(50);
    // The 50 with the most overdue tasks are kept.
    expect(owners?.rows.map((r) => r[0])).toContain('责任人79');
    expect(owners?.rows.map((r) => r[0])).not.toContain('责任人0');
  });
});

/** Each table of a card: its column titles, and its rows' cells in that order. */
function tables(json: string): { titles: string[]; rows: string[][] }[] {
  const out: { titles: string[]; rows: string[][] }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as {
        tag?: string;
        columns?: { name: string; display_name: string }[];
        rows?: Record<string, string>[];
      };
      if (o.tag === 'table' && o.columns && o.rows) {
        const cols = o.columns;
        out.push({
          titles: cols.map((c) => c.display_name),
          rows: o.rows.map((r) => cols.map((c) => r[c.name] ?? '')),
        });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(json));
  return out;
}

describe('buildBoardCard', () => {
  const row = {
    name: '王纪检',
    notStarted: 1,
    inProgress: 2,
    blocked: 0,
    review: 0,
    accepted: 0,
    done: 3,
    overdue: 1,
    away: false,
  };
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

  it('counts 已完成（已验收） apart from 已完成 once anything was accepted, the columns adding up to every task', () => {
    const json = JSON.stringify(
      buildBoardCard({
        orgName: '第一党支部',
        asOf: '2026-12-02 10:00',
        owners: [
          { ...row, review: 1, accepted: 2 },
          { ...row, name: '张组织', notStarted: 0, inProgress: 0, done: 1, overdue: 0 },
        ],
      }),
    );
    const [board] = tables(json);
    expect(board?.titles).toEqual([
      '责任人',
      '未开始',
      '进行中',
      '遇到困难',
      '待验收',
      '已完成（已验收）',
      '已完成',
      '逾期',
    ]);
    expect(board?.rows).toEqual([
      ['王纪检', '1', '2', '0', '1', '2', '3', '1'],
      ['张组织', '0', '0', '0', '0', '0', '1', '0'],
    ]);
    expect(cardText(json)).toContain(
      '合计：未开始 1，进行中 2，遇到困难 0，待验收 1，已完成（已验收） 2，已完成 4，逾期 **1**',
    );
  });
});

describe('buildTaskCard', () => {
  const view = (o: Partial<TaskView> = {}): TaskView => ({
    id: 7,
    orgId: 1,
    version: 4,
    itemId: 3,
    content: '开展岗位廉政风险点排查，形成排查报告',
    category: '纪律建设',
    leader: '李书记',
    cadenceLabel: '一次性',
    period: 'once',
    ownerOpenId: 'ou_wang',
    ownerName: '王纪检',
    dueDate: '2026-12-20',
    dueText: '还有 18 天',
    overdue: false,
    status: 'in_progress',
    statusLabel: '进行中',
    percent: 100,
    evidenceRequired: '排查报告',
    lastProgress: { at: '2026-12-01 10:00', text: '已完成排查' },
    evidence: [{ kind: 'link', name: 'https://example.feishu.cn/docx/paicha' }],
    history: [],
    ...o,
  });
  const returned = { by: '李书记', at: '2026-12-01 15:00', reason: '排查报告缺少科室签字' };
  const tags = (c: Card) => c.header?.text_tag_list?.map((t) => [t.text.content, t.color]);
  const ownerButtons = ['更新进度', '已完成', '遇到困难'];
  const shown = (c: Card) => buttons({ content: JSON.stringify(c) }).map((b) => b.text);

  it('marks a returned task 已退回 in orange, with who returned it, when and why', () => {
    const c = buildTaskCard(view({ returned }));
    expect(tags(c)).toEqual([
      ['进行中', 'blue'],
      ['已退回', 'orange'],
    ]);
    expect(c.header?.template).toBe('orange');
    expect(c.config.summary?.content).toBe('责任任务 #7：已退回，待重新报告');
    const text = cardText(JSON.stringify(c));
    expect(text).toContain(
      "<font color='orange'>**验收退回**：李书记于 2026-12-01 15:00 退回，请责任人补充后重新报告完成。</font>",
    );
    expect(text).toContain('退回理由：排查报告缺少科室签字');
    // The owner's buttons stay: the owner reports again from here.
    expect(shown(c)).toEqual(ownerButtons);
  });

  it('a returned task past its due date keeps the red header of an overdue one', () => {
    const c = buildTaskCard(view({ returned, overdue: true, dueText: '已逾期 3 天' }));
    expect(c.header?.template).toBe('red');
    expect(tags(c)).toEqual([
      ['进行中', 'red'],
      ['已退回', 'orange'],
    ]);
  });

  it('no mark once the owner has reported again', () => {
    const c = buildTaskCard(view());
    expect(tags(c)).toEqual([['进行中', 'blue']]);
    expect(cardText(JSON.stringify(c))).not.toContain('退回');
  });

  it('someone else’s private copy has no owner’s buttons or forms; the owner’s and a shared card keep them', () => {
    for (const mode of ['view', 'progress', 'blocked'] as const) {
      const c = buildTaskCard(view({ othersCopy: true, returned }), mode);
      expect(shown(c)).toEqual([]);
      expect(cardText(JSON.stringify(c))).toContain('退回理由：排查报告缺少科室签字');
    }
    expect(shown(buildTaskCard(view({ othersCopy: false })))).toEqual(ownerButtons);
    expect(shown(buildTaskCard(view()))).toEqual(ownerButtons);
  });
});
