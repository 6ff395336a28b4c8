/**
 * Pressure passed down, seen in the roll-up (issue 15 items 4 and 5): a 机关党委 over three 支部 下发
 * one item of its 清单 to all three (`/清单 下发 1 全部`); each 支部's 书记 names the owner (`/清单 指派`);
 * two 支部 complete it with evidence and accept it, the third does not. `/总览` then shows 下发 2 of 3
 * done — per row (上级下发 已完成 1/1, 0/1), in the head line and as 下发完成率 bars — and never the item's
 * title on the group card; 查看 on the third sends privately which 下发 item is not done and its status
 * word; the .xlsx carries the same counts. A second item 下发 to the third, whose 书记 names nobody; past
 * the due dates the third's first task is overdue — counted once, as 任务逾期 (yellow), not again as 下发
 * — and the unassigned copy, which nothing else counts, turns 上级下发 yellow; 查看 lists both.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { rollupFile } from '../../src/features/rollup/export.ts';
import { ROLLUP_SERIES } from '../../src/features/rollup/rollup-card.ts';
import { rollupRows } from '../../src/features/rollup/service.ts';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, startBot } from '../helpers/bot.ts';
import { buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import * as issue from '../helpers/issue-world.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const CONTENT = '开展岗位廉政风险点排查，形成自查报告';
const LINK = (n: number) => `https://example.feishu.cn/docx/zicha-${n}`;

/** The values of the card's bar chart. */
function barValues(m: EmuMessage): Record<string, unknown>[] {
  const found: Record<string, unknown>[][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const spec = o.chart_spec as { type?: string; data?: { values: Record<string, unknown>[] } } | undefined;
      if (o.tag === 'chart' && spec?.type === 'bar') found.push(spec.data?.values ?? []);
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(m.content));
  return found[0] ?? [];
}

describe('/总览 shows how an item 下发 to three 支部 stands in each', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const say = (chat: EmuChat, u: EmuUser, text: string) => talk.say(h, chat.chatId, u, text);

  /** An item of the 机关党委's list, with the new-task form, its member the owner. */
  const newItem = (u: issue.Unit, content = CONTENT, due = '2026-12-20') =>
    issue.newItem(h, u, { content, due, evidence: '自查报告' });
  const ownerCard = (u: issue.Unit) => issue.ownerCard(h, u);
  const completeAndAccept = (u: issue.Unit, n: number) => issue.completeAndAccept(h, u, LINK(n));

  it('下发 completed in two of three 支部: rows, head line, chart and .xlsx say 2 of 3; 查看 names the third’s item', async () => {
    const clock = new ManualClock(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const {
      upper,
      units: [one, two, three],
    } = await issue.bindIssueWorld(h);
    await newItem(upper);
    await talk.settled(h);

    // Before anything is 下发, the rows say nothing of it.
    const before = await say(upper.chat, upper.secretary, '/总览');
    expect(cardTitle(before)).toBe('机关党委下级组织总览');
    expect(cardText(before.content)).not.toContain('上级下发 已完成');
    expect(barValues(before).some((v) => v.series === ROLLUP_SERIES.issued)).toBe(false);

    const issued = await say(upper.chat, upper.secretary, '/清单 下发 1 全部');
    expect(cardTitle(issued)).toBe('任务已下发');
    for (const u of [one, two, three]) {
      const named = await say(u.chat, u.secretary, `/清单 指派 1 @{${u.member.openId}}`);
      expect(named.msgType).toBe('text');
      await ownerCard(u);
    }
    await completeAndAccept(one, 1);
    await completeAndAccept(two, 2);
    await talk.settled(h);

    const answer = await say(upper.chat, upper.secretary, '/总览');
    const text = cardText(answer.content);
    expect(text).toContain('本年度上级下发任务各支部合计 3 项，已完成 2 项（66%）。');
    // The third, with its item not done, comes first among the green rows.
    expect(text).toContain(
      "**1. 第三党支部** <font color='green'>● 绿</font>\n未按期开展 0 · 整改逾期 0 · 任务逾期 0 · 参学率 — · 上级下发 已完成 0/1",
    );
    for (const name of ['第一党支部', '第二党支部'])
      expect(text).toMatch(new RegExp(`\\*\\*\\d\\. ${name}\\*\\*[^\\n]*\\n[^\\n]*上级下发 已完成 1/1`));
    // The bars: 下发完成率 per 支部.
    const bars = barValues(answer)
      .filter((v) => v.series === ROLLUP_SERIES.issued)
      .map((v) => [String(v.branch).replace(/^\d+\./, ''), v.rate])
      .sort();
    expect(bars).toEqual(
      [
        ['第一党支部', 100],
        ['第三党支部', 0],
        ['第二党支部', 100],
      ].sort(),
    );
    // The group card is shared: no item title, no person's name.
    expect(answer.content).not.toContain('岗位廉政风险点');
    expect(text).not.toMatch(/郑党员|冯党员|褚党员/);

    // 查看 on the third: privately, the item not done and its status word (no note of the 支部's own).
    const view = buttons(answer).find((b) => b.text === '查看' && b.value.b === three.org.id);
    expect(view).toBeDefined();
    const clicked = await h.emu.click({
      messageId: answer.messageId,
      from: upper.secretary.openId,
      value: view?.value ?? {},
    });
    expect(clicked.toast).toEqual({ type: 'info', content: talk.SENT_PRIVATELY.view });
    const detail = await h.emu.waitFor(
      () => h.emu.botMessages(p2p(upper.secretary)).find((m) => cardTitle(m) === '第三党支部情况'),
      { what: 'the detail card of the third' },
    );
    const detailText = cardText(detail.content);
    expect(detailText).toContain('**上级下发未完成（1/1）**');
    expect(detailText).toContain(`第 1 项 ${CONTENT} — 未开始`);
    // The first's lists: all done.
    const first = buttons(answer).find((b) => b.text === '查看' && b.value.b === one.org.id);
    await h.emu.click({ messageId: answer.messageId, from: upper.secretary.openId, value: first?.value ?? {} });
    const firstDetail = await h.emu.waitFor(
      () => h.emu.botMessages(p2p(upper.secretary)).find((m) => cardTitle(m) === '第一党支部情况'),
      { what: 'the detail card of the first' },
    );
    expect(cardText(firstDetail.content)).toContain('**上级下发未完成（0/1）**\n无，均已完成');
    expect(cardText(firstDetail.content)).not.toContain('已完成排查');

    // The .xlsx (sent when the 支部 do not all fit on the card) carries the same counts.
    const input = { now: clock.now(), today: '2026-12-01', tz: 'Asia/Shanghai', calendar: new WorkCalendar() };
    const { rows } = await rollupRows(h.db.db, upper.org, input);
    const file = await rollupFile('机关党委', '2026-12-01', rows, clock.now(), 'Asia/Shanghai');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    const values = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1).map((v) => (v == null ? '' : v));
    let header = 0;
    for (let r = 1; r <= sheet.rowCount && header === 0; r++) if (values(r).includes('上级下发')) header = r;
    expect(header).toBeGreaterThan(0);
    const col = (name: string) => values(header).indexOf(name);
    const byOrg = new Map(
      [1, 2, 3].map((k) => {
        const v = values(header + k);
        return [v[col('组织')], [v[col('上级下发')], v[col('下发已完成')], v[col('下发完成率')]]];
      }),
    );
    expect(Object.fromEntries(byOrg)).toEqual({
      第一党支部: [1, 1, '100%'],
      第二党支部: [1, 1, '100%'],
      第三党支部: [1, 0, '0%'],
    });

    // A second item 下发 to the third only, whose 书记 names nobody.
    await newItem(upper, '组织开展警示教育，观看警示教育片', '2026-12-10');
    const again = await say(upper.chat, upper.secretary, '/清单 下发 2 第三党支部');
    expect(cardTitle(again)).toBe('任务已下发');
    await talk.settled(h);
    // Past the due dates: the third's first task is overdue — one 任务逾期, not counted again as 下发 —
    // and its second copy has no owner, which nothing else counts: 上级下发 turns yellow too.
    clock.set(bj('2026-12-21', '10:00'));
    const late = await say(upper.chat, upper.secretary, '/总览');
    expect(cardText(late.content)).toContain(
      "**1. 第三党支部** <font color='orange'>● 黄</font>\n未按期开展 0 · 整改逾期 0 · <font color='orange'>任务逾期 1</font> · 参学率 — · <font color='orange'>上级下发 已完成 0/2</font>",
    );
    expect(cardText(late.content)).toContain('本年度上级下发任务各支部合计 4 项，已完成 2 项（50%）。');
    const lateView = buttons(late).find((b) => b.text === '查看' && b.value.b === three.org.id);
    await h.emu.click({ messageId: late.messageId, from: upper.secretary.openId, value: lateView?.value ?? {} });
    const lateDetail = await h.emu.waitFor(
      () => h.emu.botMessages(p2p(upper.secretary)).filter((m) => cardTitle(m) === '第三党支部情况')[1],
      { what: 'the second detail card of the third' },
    );
    const lateText = cardText(lateDetail.content);
    expect(lateText).toContain('**上级下发未完成（2/2）**');
    expect(lateText).toContain(`第 1 项 ${CONTENT} — 逾期`);
    expect(lateText).toContain('第 2 项 组织开展警示教育，观看警示教育片 — 未指定责任人');
  });
});
