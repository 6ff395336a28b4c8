/**
 * The sandbox console draws the card's chart component as SVG, in headless Chromium: the bars of
 * /报告's grouped chart, a bar of twenty 支部 (upright and horizontal), a twelve-month line of two
 * series and the pie of a list summary, each with its labels as text and its data table folded below;
 * a spec it cannot draw shows the table, and text from the spec never becomes markup.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusChart } from '../../src/cards/list-summary.ts';
import { loadConfig } from '../../src/config.ts';
import { CHART_SERIES, reportChart } from '../../src/features/report/report-card.ts';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { until } from '../helpers/wait.ts';

const ARTIFACTS = 'test-artifacts/browser';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT = { timeout: 10_000 };

/** Twenty 支部, the first with a name too long for its place on the axis. */
const BRANCHES = Array.from({ length: 20 }, (_, i) =>
  i === 0 ? '机关第一党支部（综合处、办公室、财务处）' : `第${i + 1}党支部`,
);
const RATES = BRANCHES.map((_, i) => (i * 37) % 101);
const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);

const chartCard = (title: string, elements: object[]) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  body: { elements },
});
const chart = (spec: object, aspect = '16:9') => ({ tag: 'chart', aspect_ratio: aspect, chart_spec: spec });
const rows = (pairs: unknown[][]) => pairs.map(([x, y]) => ({ x, y }));
/** A bar or line of x / y pairs. */
const xy = (type: string, pairs: unknown[][], more: object = {}) =>
  chart({ type, data: { values: rows(pairs) }, xField: 'x', yField: 'y', ...more });

describe('sandbox console charts (browser)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  const groupId = () => [...sandbox.emu.store.chats.values()].find((c) => c.type === 'group')?.chatId ?? '';

  /** Sends a card into the group as the bot, through the emulator's real Open API; its message in the page. */
  const post = async (card: object): Promise<Locator> => {
    const base = sandbox.emu.url;
    const auth = (await (
      await fetch(`${base}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: SANDBOX_APP_ID, app_secret: SANDBOX_APP_SECRET }),
      })
    ).json()) as { tenant_access_token: string };
    // The sandbox's own start-up sends cards to the same group under the same app: a send refused by
    // Feishu's rate limit (99991400, per-second windows) is tried again until it is accepted.
    type Sent = { code: number; msg: string; data?: { message_id: string } };
    const res = await until(
      async () => {
        const r = (await (
          await fetch(`${base}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.tenant_access_token}` },
            body: JSON.stringify({ receive_id: groupId(), msg_type: 'interactive', content: JSON.stringify(card) }),
          })
        ).json()) as Sent;
        return r.code === 99991400 ? undefined : r;
      },
      { what: 'the card accepted within the rate limit', timeoutMs: 20_000, everyMs: 200 },
    );
    expect(res.code, res.msg).toBe(0);
    const msg = page.locator(`.msg[data-id="${res.data?.message_id}"]`);
    await msg.locator('.chart').first().waitFor(WAIT);
    return msg;
  };
  const texts = (l: Locator) => l.allTextContents();
  const num = async (l: Locator, attr: string) => Number(await l.getAttribute(attr));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'qf-charts-'));
    sandbox = await startSandbox({
      config: loadConfig({ PORT: '0', LOG_LEVEL: 'info' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(sandbox.url);
    await page.locator('body[data-ready]').waitFor(WAIT);
    await page.locator('#chat-title', { hasText: '第一党支部工作群' }).waitFor(WAIT);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("draws /报告's grouped bar: a bar per rule and series, bars to scale, labels, legend, table folded", async () => {
    const rules = [
      { label: '党员大会', verb: '召开', required: 4, held: 3, missed: [] },
      { label: '支委会', verb: '召开', required: 12, held: 10, missed: [] },
      { label: '党课', verb: '讲', required: 4, held: 0, missed: [] },
    ];
    const msg = await post(chartCard('报告图表', [reportChart(rules)]));
    const c = msg.locator('.chart');
    expect(await c.locator('.chart-title').textContent()).toBe('各项制度规定次数与实际次数');
    const bars = c.locator('svg rect.chart-bar');
    expect(await bars.count()).toBe(6);
    // Series first, then category: 规定次数 of each rule, then 实际次数 in another colour.
    const fills = await bars.evaluateAll((rs) => rs.map((r) => r.getAttribute('fill')));
    expect(new Set(fills.slice(0, 3)).size).toBe(1);
    expect(fills[3]).not.toBe(fills[0]);
    // 支委会 规定 12 against 实际 10: heights in that proportion; 党课 实际 0 has no height.
    const [h12, h10, h0] = [
      await num(bars.nth(1), 'height'),
      await num(bars.nth(4), 'height'),
      await num(bars.nth(5), 'height'),
    ];
    expect(h12 / h10).toBeCloseTo(1.2, 1);
    expect(h0).toBe(0);
    expect(await texts(c.locator('svg text.chart-cat'))).toEqual(['党员大会', '支委会', '党课']);
    expect(await texts(c.locator('svg text.chart-value'))).toEqual(['4', '12', '4', '3', '10', '0']);
    expect(await texts(c.locator('.chart-legend .chart-key'))).toEqual([CHART_SERIES.required, CHART_SERIES.held]);
    expect(await bars.nth(1).locator('title').textContent()).toBe(`支委会 · ${CHART_SERIES.required}：12`);
    // The data stays below for screen readers, folded.
    const data = c.locator('details.chart-data');
    expect(await data.getAttribute('open')).toBeNull();
    expect(await data.locator('tbody tr').count()).toBe(6);
    expect(await c.locator('svg').getAttribute('aria-label')).toBe('各项制度规定次数与实际次数');
    await c.screenshot({ path: join(ARTIFACTS, 'chart-bar-report.png') });
  });

  it('draws twenty 支部 upright with turned, shortened names, and horizontal when the spec says so', async () => {
    const values = BRANCHES.map((branch, i) => ({ branch, rate: RATES[i] }));
    const msg = await post(
      chartCard('各支部完成率', [
        chart({ type: 'bar', title: { text: '各支部完成率' }, data: { values }, xField: 'branch', yField: 'rate' }),
        chart({
          type: 'bar',
          direction: 'horizontal',
          title: { text: '各支部完成率（横向）' },
          data: [{ id: 'rates', values }],
          xField: 'rate',
          yField: 'branch',
        }),
      ]),
    );
    const [up, across] = [msg.locator('.chart').nth(0), msg.locator('.chart').nth(1)];
    await up.screenshot({ path: join(ARTIFACTS, 'chart-bar-branches.png') });
    await across.screenshot({ path: join(ARTIFACTS, 'chart-bar-horizontal.png') });
    for (const c of [up, across]) {
      expect(await c.locator('svg rect.chart-bar').count()).toBe(20);
      const names = await texts(c.locator('svg text.chart-cat'));
      expect(names).toHaveLength(20);
      expect(names[1]).toBe('第2党支部');
      // The long name is cut, whole on hover.
      expect(names[0]).toMatch(/^机关第一党支.*…$/);
      expect(
        await c
          .locator('svg g', { has: page.locator('text.chart-cat') })
          .locator('title')
          .allTextContents(),
      ).toEqual([BRANCHES[0]]);
      expect(await c.locator('.chart-legend').count()).toBe(0);
      // Every name drawn inside the chart (the first, turned upright, reaches furthest left).
      const outside = await c.locator('svg text.chart-cat').evaluateAll((ts) => {
        const svg = ts[0]?.closest('svg')?.getBoundingClientRect();
        return ts
          .map((t) => t.getBoundingClientRect())
          .filter((r) => !svg || r.left < svg.left - 2 || r.right > svg.right + 2 || r.bottom > svg.bottom + 2)
          .map((r) => `${r.left}..${r.right}, ${r.bottom} in ${svg?.left}..${svg?.right}, ${svg?.bottom}`);
      });
      expect(outside).toEqual([]);
      // Every bar inside the drawing.
      const box = await c
        .locator('svg rect.chart-bar')
        .evaluateAll((rs) =>
          rs.map((r) =>
            [r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width'), r.getAttribute('height')].map(Number),
          ),
        );
      const [, , vw, vh] = ((await c.locator('svg').getAttribute('viewBox')) ?? '').split(' ').map(Number);
      for (const [x = -1, y = -1, w = -1, hh = -1] of box) {
        expect(x >= 0 && y >= 0 && x + w <= (vw ?? 0) && y + hh <= (vh ?? 0), `${x},${y},${w},${hh}`).toBe(true);
      }
    }
    // Upright the names are turned to fit; the bar of 100 is twice as tall as the bar of 50 or so.
    expect(await up.locator('svg text.chart-cat').first().getAttribute('transform')).toMatch(/^rotate\(-45 /);
    const top = RATES.indexOf(Math.max(...RATES));
    const heights = await up
      .locator('svg rect.chart-bar')
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    expect((heights[top] ?? 0) / (heights[1] ?? 1)).toBeCloseTo((RATES[top] ?? 0) / (RATES[1] ?? 1), 1);
    // Across, the bars grow rightwards with equal thickness.
    const across_ = await across
      .locator('svg rect.chart-bar')
      .evaluateAll((rs) => rs.map((r) => [Number(r.getAttribute('width')), Number(r.getAttribute('height'))]));
    expect(new Set(across_.map((r) => r[1])).size).toBe(1);
    expect((across_[top]?.[0] ?? 0) / (across_[1]?.[0] ?? 1)).toBeCloseTo((RATES[top] ?? 0) / (RATES[1] ?? 1), 1);
    expect(await across.locator('svg text.chart-cat').first().getAttribute('transform')).toBeNull();
  });

  it('stacks the series of a bar as VChart does, side by side when the spec says stack false', async () => {
    const values = ['第一党支部', '第二党支部', '第三党支部'].flatMap((branch, i) => [
      { branch, state: '已完成', n: 6 + i },
      { branch, state: '未完成', n: 4 - i },
    ]);
    const spec = { type: 'bar', data: { values }, xField: 'branch', yField: 'n', seriesField: 'state' };
    const msg = await post(
      chartCard('完成情况', [
        chart({ ...spec, title: { text: '完成情况' } }),
        chart({ ...spec, title: { text: '完成情况（并列）' }, stack: false }),
      ]),
    );
    const boxes = (c: Locator) =>
      c
        .locator('svg rect.chart-bar')
        .evaluateAll((rs) => rs.map((r) => ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a)))));
    const [stacked, apart] = [await boxes(msg.locator('.chart').nth(0)), await boxes(msg.locator('.chart').nth(1))];
    expect(stacked).toHaveLength(6);
    expect(apart).toHaveLength(6);
    // Stacked: 未完成 (the second series, rects 3..5) stands on 已完成 in the same column; the columns of
    // 10 are equally tall.
    for (const i of [0, 1, 2]) {
      const [done, open] = [stacked[i] ?? [], stacked[i + 3] ?? []];
      expect(open[0]).toBe(done[0]);
      expect((open[1] ?? 0) + (open[3] ?? 0)).toBeCloseTo(done[1] ?? -1, 0);
      expect((open[3] ?? 0) + (done[3] ?? 0)).toBeCloseTo((stacked[3]?.[3] ?? 0) + (stacked[0]?.[3] ?? 0), 0);
    }
    // Each value inside its segment; side by side, the second series stands beside the first.
    expect(await texts(msg.locator('.chart').nth(0).locator('svg text.chart-value-in'))).toEqual([
      '6',
      '7',
      '8',
      '4',
      '3',
      '2',
    ]);
    expect(apart[3]?.[0]).toBeGreaterThan((apart[0]?.[0] ?? 0) + (apart[0]?.[2] ?? 0) - 1);
    expect(await texts(msg.locator('.chart').nth(1).locator('svg text.chart-value'))).toEqual([
      '6',
      '7',
      '8',
      '4',
      '3',
      '2',
    ]);
    await msg
      .locator('.chart')
      .nth(0)
      .screenshot({ path: join(ARTIFACTS, 'chart-bar-stacked.png') });
  });

  it('draws a twelve-month line per series with its points and values', async () => {
    const series = {
      完成率: [60, 62, 70, 71, 75, 80, 78, 82, 85, 88, 90, 93],
      参学率: [80, 81, 79, 85, 86, 84, 90, 91, 89, 92, 95, 96],
    };
    const values = Object.entries(series).flatMap(([name, vs]) =>
      vs.map((v, i) => ({ month: MONTHS[i], kind: name, value: v })),
    );
    const msg = await post(
      chartCard('月度趋势', [
        chart(
          {
            type: 'line',
            title: { text: '月度趋势' },
            data: { values },
            xField: 'month',
            yField: 'value',
            seriesField: 'kind',
          },
          '2:1',
        ),
      ]),
    );
    const c = msg.locator('.chart');
    const lines = c.locator('svg polyline.chart-line');
    expect(await lines.count()).toBe(2);
    for (const i of [0, 1]) {
      expect(((await lines.nth(i).getAttribute('points')) ?? '').split(' ')).toHaveLength(12);
    }
    expect(await lines.nth(0).getAttribute('stroke')).not.toBe(await lines.nth(1).getAttribute('stroke'));
    expect(await c.locator('svg circle.chart-point').count()).toBe(24);
    expect(await texts(c.locator('svg text.chart-cat'))).toEqual(MONTHS);
    expect(await texts(c.locator('svg text.chart-value'))).toEqual([...series.完成率, ...series.参学率].map(String));
    expect(await texts(c.locator('.chart-legend .chart-key'))).toEqual(['完成率', '参学率']);
    // The line rises where the figures rise: December's point is above January's (smaller y).
    const pts = ((await lines.nth(0).getAttribute('points')) ?? '').split(' ').map((p) => Number(p.split(',')[1]));
    expect(pts[11]).toBeLessThan(pts[0] ?? 0);
    await c.screenshot({ path: join(ARTIFACTS, 'chart-line.png') });
  });

  it("draws a list summary's ring: a slice per status, shares on it and in the legend", async () => {
    const msg = await post(
      chartCard('整改情况', [
        ...statusChart('整改情况', [
          { label: '已销号', count: 30, done: true },
          { label: '整改中', count: 9 },
          { label: '逾期', count: 3, late: true },
          { label: '已撤销', count: 0 },
        ]),
        chart({
          type: 'pie',
          data: {
            values: [
              { s: '已完成', n: 5 },
              { s: '未完成', n: 0 },
            ],
          },
          categoryField: 's',
          valueField: 'n',
        }),
      ]),
    );
    const c = msg.locator('.chart').first();
    expect(await c.locator('svg path.chart-slice').count()).toBe(3);
    expect(await texts(c.locator('svg text.chart-slice-label'))).toEqual(['71.4%', '21.4%', '7.1%']);
    expect(await texts(c.locator('.chart-legend .chart-key'))).toEqual([
      '已销号30（71.4%）',
      '整改中9（21.4%）',
      '逾期3（7.1%）',
    ]);
    // A ring (innerRadius): each slice's outline has an inner arc.
    expect(((await c.locator('svg path.chart-slice').first().getAttribute('d')) ?? '').match(/A /g)).toHaveLength(2);
    await c.screenshot({ path: join(ARTIFACTS, 'chart-pie.png') });
    // One slice holding everything is a whole disc (two half arcs); the empty one is only in the legend.
    const whole = msg.locator('.chart').nth(1);
    expect(await whole.locator('svg path.chart-slice').count()).toBe(1);
    expect(((await whole.locator('svg path.chart-slice').getAttribute('d')) ?? '').match(/A /g)).toHaveLength(2);
    expect(await texts(whole.locator('svg text.chart-slice-label'))).toEqual(['100%']);
    expect(await texts(whole.locator('.chart-legend .chart-key'))).toEqual(['已完成5（100%）', '未完成0（0%）']);
    await whole.screenshot({ path: join(ARTIFACTS, 'chart-pie-whole.png') });
  });

  it('shows the table for a spec it cannot draw, and spec text as text', async () => {
    const payload = '<img src=x onerror="window.__xss=1">';
    const msg = await post(
      chartCard('无法绘制', [
        chart({ type: 'radar', data: { values: [{ x: '学习', y: 3 }] }, categoryField: 'x', valueField: 'y' }),
        xy('bar', [['一', '很多']]),
        chart({
          type: 'pie',
          data: {
            values: rows([
              ['甲', -1],
              ['乙', 2],
            ]),
          },
          categoryField: 'x',
          valueField: 'y',
        }),
        chart({ type: 'line', data: { values: [null, { x: '1月', y: 1 }] }, xField: 'x', yField: 'y' }),
        xy('bar', [
          ['甲', 1e308],
          ['乙', -1e308],
        ]),
        xy('bar', [[payload, 1]], { title: { text: payload } }),
      ]),
    );
    const charts = msg.locator('.chart');
    expect(await charts.count()).toBe(6);
    for (const i of [0, 1, 2, 3, 4]) {
      const c = charts.nth(i);
      expect(await c.locator('svg').count()).toBe(0);
      expect(await c.locator('.muted').textContent()).toContain('控制台未能绘制此图表');
      expect(await c.locator('table').isVisible()).toBe(true);
    }
    expect(await texts(charts.nth(1).locator('tbody td'))).toEqual(['一', '很多']);
    // The title and the category name from the spec are text, drawn and in the table.
    const drawn = charts.nth(5);
    expect(await drawn.locator('.chart-title').textContent()).toBe(payload);
    expect(await drawn.locator('svg title').first().textContent()).toBe(payload);
    expect(await drawn.locator('svg rect.chart-bar').count()).toBe(1);
    expect((await drawn.locator('svg text.chart-cat').textContent())?.startsWith('<img')).toBe(true);
    expect(await page.locator('#messages img, #messages script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
