// The roll-up cards (src/features/rollup/rollup-card.ts, detail-card.ts) at their largest data: 200 支部
// with the longest names, every figure at its widest, twelve months of trend (近12个月, in the words and
// the chart alike) — the card passes the strict checker (200 tagged objects, 30 KB, charts), shows the
// first rows red first with 查看 and 督办 (none for a green one) and says the rest are in the attachment;
// the bar and line charts carry the shown rows and the months (下发完成率 a bar where something was
// 下发); no item title 下发 reaches the group card; 查看's lists (the unfinished 下发 items with their
// status word) and the 督办 card cap their lists and pass too.
import { describe, expect, it } from 'vitest';
import {
  buildDetailCard,
  buildPressCard,
  DETAIL_SHOWN,
  type OverdueLine,
} from '../../src/features/rollup/detail-card.ts';
import { buildRollupCard, ROLLUP_SERIES, ROWS_SHOWN } from '../../src/features/rollup/rollup-card.ts';
import {
  type BranchFacts,
  type BranchRow,
  branchRow,
  COLOUR_RULE,
  monthlyTrend,
  sortRows,
} from '../../src/features/rollup/rules.ts';
import { checkCard, countElements, requestBodyBytes } from '../../src/sandbox/card-check.ts';
import { buttons, cardText } from '../helpers/cards.ts';

type El = Record<string, unknown>;

const ISSUED_TITLE = '开展岗位廉政风险点排查，形成自查报告并报机关党委审核备案';
const longName = (i: number) => `中国某某集团有限公司机关第${i}党支部（驻外办事处联合党支部）`;

function rows(n: number): BranchRow[] {
  return sortRows(
    Array.from({ length: n }, (_, i): BranchRow => {
      const f: BranchFacts = {
        orgId: 1000 + i,
        name: longName(i + 1),
        cycles: Array.from({ length: 40 }, (_, k) => ({
          rule: 'r',
          name: '支部委员会会议',
          period: '2026-01',
          end: '2026-01-31',
          met: k % 3 !== i % 3,
        })),
        rects: { overdue: i % 4 === 0 ? 0 : 1234, maxDaysLate: i % 4 === 0 ? 0 : 9999 },
        tasks: { overdue: i % 5 === 0 ? 0 : 5678 },
        attendance: 55 + (i % 50),
        // Every other 支部 had 1,000 items 下发 (one in three unfinished, one late without an owner).
        issued:
          i % 2 === 0
            ? []
            : Array.from({ length: 1000 }, (_, k) => ({
                seq: k + 1,
                title: ISSUED_TITLE,
                status: k % 3 === 0 ? '未指定责任人' : '已完成（已验收）',
                finished: k % 3 !== 0,
                unassignedLate: k === 0,
              })),
      };
      // Every fifth a green one (nothing wrong).
      return branchRow(
        i % 10 === 9
          ? {
              ...f,
              cycles: [],
              rects: { overdue: 0, maxDaysLate: 0 },
              tasks: { overdue: 0 },
              attendance: 90,
              issued: [],
            }
          : f,
      );
    }),
  );
}

// The twelve months before December 2026, as rules.ts gives them, each at its largest.
const trend = monthlyTrend([], '2026-12-02').map((m) => ({ ...m, required: 1600, met: 1200 }));

const charts = (card: unknown) => (card as { body: { elements: El[] } }).body.elements.filter((e) => e.tag === 'chart');

describe('the roll-up card', () => {
  it('fits 200 支部: the first rows red first, the rest named as in the attachment, and passes the checker', () => {
    const all = rows(200);
    const card = buildRollupCard({
      legend: COLOUR_RULE,
      orgId: 7,
      orgName: '中国某某集团有限公司机关党委（党组）',
      today: '2026-12-02',
      rows: all,
      trend,
    });
    const json = JSON.stringify(card);
    expect(checkCard(json)).toBeUndefined();
    expect(countElements(card)).toBeLessThanOrEqual(200);
    expect(requestBodyBytes(card)).toBeLessThanOrEqual(30 * 1024);
    const text = cardText(card);
    expect(text).toContain(`其余 ${200 - ROWS_SHOWN} 个支部见附件`);
    expect(text).toContain('共 200 个下级组织');
    const views = buttons({ content: json }).filter((b) => b.text === '查看');
    expect(views).toHaveLength(ROWS_SHOWN);
    expect(views.map((b) => b.value.b)).toEqual(all.slice(0, ROWS_SHOWN).map((r) => r.orgId));
    expect(views.every((b) => b.value.o === 7 && b.value.a === 'overview.view')).toBe(true);
    expect(all[0]?.colour).toBe('red');
    const [bar, line] = charts(card) as [El, El];
    const barValues = ((bar.chart_spec as El).data as { values: El[] }).values;
    expect(new Set(barValues.map((v) => v.series))).toEqual(
      new Set([ROLLUP_SERIES.completion, ROLLUP_SERIES.attendance, ROLLUP_SERIES.issued]),
    );
    // 下发完成率 for the shown rows that had something 下发 (666 of 1,000 finished), none for the others.
    const issuedBars = barValues.filter((v) => v.series === ROLLUP_SERIES.issued);
    const withIssued = all.slice(0, ROWS_SHOWN).filter((r) => r.issued.total > 0);
    expect(withIssued.length).toBeGreaterThan(0);
    expect(issuedBars.map((v) => v.rate)).toEqual(withIssued.map(() => 66));
    expect(text).toContain('上级下发 已完成 666/1000');
    const issuing = all.filter((r) => r.issued.total > 0).length;
    expect(issuing).toBe(80);
    expect(text).toContain(`本年度上级下发任务各支部合计 ${issuing * 1000} 项，已完成 ${issuing * 666} 项（66%）`);
    expect(text).not.toContain(ISSUED_TITLE);
    expect(new Set(barValues.map((v) => v.branch)).size).toBe(ROWS_SHOWN);
    expect((line.chart_spec as El).type).toBe('line');
    const points = ((line.chart_spec as El).data as { values: El[] }).values;
    expect(points).toHaveLength(24);
    // The last twelve months, the first and each January with its year; the words say the same window.
    expect([...new Set(points.map((v) => v.month))]).toEqual([
      '2025年12月',
      '2026年1月',
      ...Array.from({ length: 10 }, (_, m) => `${m + 2}月`),
    ]);
    expect(((line.chart_spec as El).title as El).text).toBe('近12个月各月应开展和已按期开展次数');
    const required = all.reduce((n, r) => n + r.required, 0);
    expect(text).toContain(`近12个月到期应开展 ${required} 次`);
    expect(text).not.toContain('本年度到期');
  });
  it('offers 督办 for red and yellow rows only, and shows no attachment note when all fit', () => {
    const few = rows(10);
    const card = buildRollupCard({
      legend: COLOUR_RULE,
      orgId: 7,
      orgName: '机关党委',
      today: '2026-12-02',
      rows: few,
      trend: trend.slice(0, 3),
    });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    const presses = buttons({ content: JSON.stringify(card) }).filter((b) => b.text === '督办');
    expect(presses.map((b) => b.value.b)).toEqual(few.filter((r) => r.colour !== 'green').map((r) => r.orgId));
    expect(presses.length).toBeLessThan(few.length);
    expect(cardText(card)).not.toContain('见附件');
    // A bar of 下发完成率 only where something was 下发: an empty one would read as 0 %.
    const [bar] = charts(card) as [El];
    const issuedBars = ((bar.chart_spec as El).data as { values: El[] }).values.filter(
      (v) => v.series === ROLLUP_SERIES.issued,
    );
    const withIssued = few.filter((r) => r.issued.total > 0).length;
    expect(withIssued).toBeGreaterThan(0);
    expect(withIssued).toBeLessThan(few.length);
    expect(issuedBars).toHaveLength(withIssued);
  });
  it('says so when there is no lower org', () => {
    const card = buildRollupCard({
      legend: COLOUR_RULE,
      orgId: 7,
      orgName: '机关党委',
      today: '2026-01-05',
      rows: [],
      trend: [],
    });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    expect(cardText(card)).toContain('本组织还没有下级组织');
    expect(charts(card)).toHaveLength(0);
  });
});

describe('查看 and 督办', () => {
  const line = (i: number): OverdueLine => ({
    label: `整改 #${100000 + i}`,
    title: '“三会一课”制度落实不到位，组织生活不经常、不认真、不严肃，谈心谈话走过场'.repeat(3),
    owner: '欧阳某某某某某某',
    deadline: '2026-01-31',
    daysLate: 305,
  });
  const detail = {
    row: rows(1)[0] as BranchRow,
    missed: Array.from({ length: 12 }, (_, i) => ({
      name: `制度规则${i}`,
      periods: Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`),
    })),
    rects: Array.from({ length: 500 }, (_, i) => line(i)),
    tasks: Array.from({ length: 500 }, (_, i) => ({ ...line(i), label: `任务 #${i}` })),
    issued: {
      total: 1000,
      open: Array.from({ length: 500 }, (_, i) => ({
        seq: i + 1,
        title: ISSUED_TITLE.repeat(5),
        status: '未指定责任人',
      })),
    },
  };
  it('caps each list and passes the checker', () => {
    const card = buildDetailCard({ ...detail, upperOrgId: 7, upperName: '机关党委' });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    const text = cardText(card);
    expect(text).toContain(`其余 ${500 - DETAIL_SHOWN} 项略`);
    expect(text).toContain(`**近12个月未按期开展（${12 * 12}）**`);
    expect(text).toContain('逾期 305 天');
    expect(text).toContain('**上级下发未完成（500/1000）**');
    expect(text).toContain('第 1 项 开展岗位廉政风险点排查');
    expect(text).toContain('— 未指定责任人');
    expect(buttons({ content: JSON.stringify(card) }).map((b) => b.text)).toEqual(['督办']);
  });
  it('sends the 书记 the same lists without a button', () => {
    const card = buildPressCard({ ...detail, upperName: '机关党委' });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    expect(buttons({ content: JSON.stringify(card) })).toHaveLength(0);
    expect(cardText(card)).toContain('「机关党委」请本支部抓紧落实');
  });
});
