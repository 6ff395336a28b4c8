// The summary card of /报告 (src/features/report/report-card.ts) and the card checker's `chart` rules
// (src/sandbox/card-check/checker.ts): the card shows the key figures and a VChart bar chart of each
// rule's required and held counts, and passes the strict checker at its largest data; a chart is refused
// as Feishu refuses it — outside a form only, `chart_spec` required, a known chart type with its data and
// fields (else 230099 with sub-code 200550), aspect ratio, colour theme, height and preview in range, no
// unknown property (200621) — by the validator and by the emulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import {
  buildReportCard,
  CHART_SERIES,
  type ReportCardView,
  reportChart,
} from '../../src/features/report/report-card.ts';
import { type CardProblem, checkCard, checkCardObject } from '../../src/sandbox/card-check.ts';
import { Emulator } from '../../src/sandbox/emulator.ts';

type El = Record<string, unknown>;

const view = (orgName = '第一党支部'): ReportCardView => ({
  orgName,
  year: 2026,
  today: '2026-12-02',
  title: `${orgName}2026年度全面从严治党主体责任落实情况报告`,
  rules: [
    { label: '支委会', verb: '召开', required: 12, held: 10, missed: ['3月', '5月'] },
    { label: '党课', verb: '讲', required: 4, held: 3, missed: ['第二季度'] },
    { label: '主题党日', verb: '开展', required: 12, held: 12, missed: [] },
  ],
  notHeld: 1,
  scheduled: 1,
  minutesPending: 2,
  study: { sessions: 5, notHeld: 0, invited: 50, present: 45, rate: 90 },
  tasks: { total: 20, accepted: 12, done: 2, unaccepted: 0, submitted: 3, open: 3, overdue: 1, missed: 0 },
  rects: { opened: 8, closed: 5, closedLate: 1, closedNoEvidence: 0, open: 3, overdue: 1, lateMarked: 2 },
  reminders: ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节、国庆节'],
  undelivered: { queued: [], failed: [], notPosted: [] },
});

const textOf = (card: unknown) => JSON.stringify(card);

describe('the summary card', () => {
  it('shows the key figures and a grouped bar chart of required against held, and passes the checker', () => {
    const c = buildReportCard(view());
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
    expect(c.header?.title.content).toBe('第一党支部2026年度主体责任落实情况');
    const chart = c.body.elements.find((e) => e.tag === 'chart') as El;
    const spec = chart.chart_spec as El;
    expect(spec.type).toBe('bar');
    expect(spec.xField).toEqual(['kind', 'series']);
    expect(spec.seriesField).toBe('series');
    expect((spec.data as { values: El[] }).values.slice(0, 2)).toEqual([
      { kind: '支委会', series: CHART_SERIES.required, count: 12 },
      { kind: '支委会', series: CHART_SERIES.held, count: 10 },
    ]);
    const t = textOf(c);
    expect(t).toContain('支委会：应召开 12 次，已召开 10 次');
    expect(t).toContain('（3月、5月未召开）');
    expect(t).toContain('党课：应讲 4 次，已讲 3 次');
    expect(t).toContain('主题党日：应开展 12 次，已开展 12 次');
    expect(t).toContain('已完成并验收 12 项');
    expect(t).toContain('待验收 3 项');
    expect(t).toContain('销号 5 项（其中逾期后销号 1 项）');
    expect(t).toContain('参学率 90%');
    expect(t).toContain('已发送 6 次');
    expect(t).not.toMatch(/召开党课|召开警示教育/);
  });
  it('says only the reminders the group chat received were sent; the others apart, with the unaccepted and unevidenced', () => {
    const c = buildReportCard({
      ...view(),
      study: { sessions: 4, notHeld: 1, invited: 50, present: 40, rate: 80 },
      tasks: { ...view().tasks, unaccepted: 2 },
      rects: { ...view().rects, closedNoEvidence: 1 },
      reminders: ['春节'],
      undelivered: { queued: ['中秋节、国庆节'], failed: ['清明节'], notPosted: ['劳动节'] },
    });
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
    const t = textOf(c);
    expect(t).toContain('已发送 1 次：春节');
    expect(t).toContain('已排队、尚未送达 1 次：中秋节、国庆节');
    expect(t).toContain('发送失败 1 次：清明节');
    expect(t).toContain('没有绑定群聊、未发送 1 次：劳动节');
    expect(t).toContain('学习 4 次（另有 1 次记录显示未开展）');
    expect(t).toContain('已完成（无需验收）2 项，已完成（未经验收）2 项，待验收 3 项');
    expect(t).toContain('销号 5 项（其中逾期后销号 1 项，无佐证材料记录 1 项）');

    // None received: no reminder is said to be sent.
    const none = textOf(
      buildReportCard({ ...view(), reminders: [], undelivered: { queued: [], failed: [], notPosted: ['春节'] } }),
    );
    expect(none).not.toContain('已发送');
    expect(none).toContain('本年度没有送达群聊的记录。');
    expect(none).toContain('没有绑定群聊、未发送 1 次：春节');
  });

  it('leaves the chart out when no rule is enabled', () => {
    const c = buildReportCard({ ...view(), rules: [] });
    expect(c.body.elements.some((e) => e.tag === 'chart')).toBe(false);
    expect(textOf(c)).toContain('没有启用的制度规则。');
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
  });
});

describe('a chart as Feishu checks it', () => {
  const cardOf = (elements: El[]): El => ({ schema: '2.0', config: { update_multi: true }, body: { elements } });
  const check = (elements: El[]): CardProblem | undefined => checkCardObject(cardOf(elements));
  const good = (): El => reportChart(view().rules) as El;
  const withSpec = (patch: El): El => ({ ...good(), chart_spec: { ...(good().chart_spec as El), ...patch } });

  it('accepts the report chart, a pie and a line', () => {
    expect(check([good()])).toBeUndefined();
    expect(
      check([
        {
          tag: 'chart',
          chart_spec: { type: 'pie', data: { values: [{ t: '甲', v: 1 }] }, valueField: 'v', categoryField: 't' },
        },
      ]),
    ).toBeUndefined();
    expect(
      check([
        {
          tag: 'chart',
          height: '300px',
          chart_spec: { type: 'line', data: [{ id: 'a', values: [{ x: 1, y: 2 }] }], xField: 'x', yField: 'y' },
        },
      ]),
    ).toBeUndefined();
  });

  it('refuses a bad chart_spec with 200550', () => {
    const { chart_spec: _, ...noSpec } = good();
    expect(check([noSpec])?.code).toBe(200550);
    expect(check([{ ...good(), chart_spec: '{"type":"bar"}' }])?.code).toBe(200550);
    expect(check([withSpec({ type: 'barr' })])?.code).toBe(200550);
    expect(check([withSpec({ data: undefined })])?.code).toBe(200550);
    expect(check([withSpec({ data: { value: [] } })])?.code).toBe(200550);
    expect(check([withSpec({ yField: undefined })])?.code).toBe(200550);
    expect(check([withSpec({ xField: [] })])?.code).toBe(200550);
  });

  it('refuses a chart in a form, values out of range and unknown properties with 200621', () => {
    const inForm = {
      tag: 'form',
      name: 'f',
      elements: [
        good(),
        { tag: 'button', name: 'ok', form_action_type: 'submit', text: { tag: 'plain_text', content: '提交' } },
      ],
    };
    expect(check([inForm])).toEqual({ code: 200621, message: expect.stringMatching(/chart is not allowed in a form/) });
    expect(check([{ ...good(), aspect_ratio: '3:2' }])?.code).toBe(200621);
    expect(check([{ ...good(), color_theme: 'red' }])?.code).toBe(200621);
    expect(check([{ ...good(), height: '1000px' }])?.code).toBe(200621);
    expect(check([{ ...good(), height: '0px' }])?.code).toBe(200621);
    expect(check([{ ...good(), preview: 'yes' }])?.code).toBe(200621);
    expect(check([{ ...good(), chart_data: {} }])?.code).toBe(200621);
    expect(check([{ ...good(), height: 'auto', preview: false, element_id: 'chart1', margin: '0px' }])).toBeUndefined();
  });

  describe('over HTTP', () => {
    let emu: Emulator;
    let token: string;
    let chatId: string;
    beforeAll(async () => {
      emu = await new Emulator({
        appId: 'cli_fake0000000000',
        appSecret: 'fake-secret',
        clock: systemClock,
        wallClock: systemClock,
        delivery: 'webhook',
        webhookUrl: 'http://127.0.0.1:9',
        enforceRateLimits: false,
      }).start();
      const t = (await (
        await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ app_id: 'cli_fake0000000000', app_secret: 'fake-secret' }),
        })
      ).json()) as { tenant_access_token: string };
      token = t.tenant_access_token;
      const alice = emu.addUser('测试甲').openId;
      chatId = emu.createGroup({ name: '测试群', owner: alice, members: [] }).chatId;
    });
    afterAll(async () => emu?.close());

    const send = async (card: El) => {
      const res = await fetch(`${emu.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) }),
      });
      return { status: res.status, ...((await res.json()) as { code: number; msg: string }) };
    };

    it('answers a bad chart spec with 230099 and sub-code 200550, and sends the summary card', async () => {
      const bad = await send(cardOf([withSpec({ type: 'nope' })]));
      expect([bad.status, bad.code]).toEqual([400, 230099]);
      expect(bad.msg).toMatch(/ErrCode: 200550/);
      const ok = await send(buildReportCard(view()) as unknown as El);
      expect(ok.code, ok.msg).toBe(0);
    });
  });
});
