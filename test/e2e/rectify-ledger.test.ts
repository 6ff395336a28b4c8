/**
 * The 整改台账 as files: an .xlsx (title row, Excel and text dates, 2 bad rows) or a UTF-8 CSV with
 * header synonyms sent privately → preview → 确认导入 / 取消; re-imports update instead of duplicating;
 * refusals (non-admin, > 5 MB, > 5000 rows, unknown headers); formulas read as plain values.
 * Export (/整改 导出 [批次], CLI) checked cell by cell; CLI import with --dry-run; a PDF attached as evidence.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Rectification } from '../../src/db/schema.ts';
import { listEvents, listEvidence } from '../../src/features/rectification/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import {
  inspectionLedgerRows,
  LEDGER_HEADERS,
  type LedgerFixtureRow,
  ledgerCells,
  ledgerCsv,
  ledgerXlsx,
} from '../helpers/ledger-files.ts';

const EXPORT_HEADERS = [
  '序号',
  '问题来源',
  '所属批次',
  '问题描述',
  '整改措施',
  '责任领导',
  '责任人',
  '整改时限',
  '整改类型',
  '整改状态',
  '完成时间',
  '是否逾期',
  '逾期天数',
  '佐证材料',
  '销号审核人',
  '销号时间',
  '最近进展',
];

const utc = (date: string) => new Date(`${date}T00:00:00.000Z`);

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

/** The values of row `n` (1-based), columns 1..17. */
function rowValues(ws: ExcelJS.Worksheet, n: number): ExcelJS.CellValue[] {
  const row = ws.getRow(n);
  return EXPORT_HEADERS.map((_h, i) => row.getCell(i + 1).value);
}

describe('整改台账 import and export', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员', '周党员'] });
    const org = await findOrgByName(h.db.db, '第一党支部');
    if (!org) throw new Error('no org');
    const byName = new Map<string, EmuUser>([
      [w.secretary.name, w.secretary],
      ...w.members.map((m) => [m.name, m] as const),
    ]);
    const user = (name: string) => {
      const u = byName.get(name);
      if (!u) throw new Error(`no user ${name}`);
      return u;
    };
    return { ...w, org, user };
  }

  const answerTo = (m: EmuMessage, timeoutMs = 15_000) => talk.answerTo(h, m, timeoutMs);

  async function sendFile(from: EmuUser, fileName: string, bytes: Buffer) {
    const sent = await h.emu.sendFile({ chatId: p2p(from), from: from.openId, fileName, bytes });
    return answerTo(sent);
  }

  const say = (chatId: string, from: EmuUser, text: string) => talk.say(h, chatId, from, text, 15_000);

  const items = (orgId: number) =>
    h.db.db.selectFrom('rectifications').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
  const outboxCount = async () => (await h.db.db.selectFrom('outbox').select('id').execute()).length;

  /** The owner's private item card for `item`, once the outbox delivered it. */
  const ownerCard = (owner: EmuUser, id: number) =>
    h.emu.waitFor(() => h.emu.botMessages(p2p(owner)).find((m) => cardTitle(m) === `整改事项 #${id}`), {
      what: `item card #${id} for ${owner.name}`,
      timeoutMs: 15_000,
    });

  const fileMessages = (chatId: string) => h.emu.botMessages(chatId).filter((m) => m.msgType === 'file');
  const fileOf = (m: EmuMessage) => {
    const key = (JSON.parse(m.content) as { file_key: string }).file_key;
    const f = h.emu.store.files.get(key);
    if (!f) throw new Error(`no file ${key}`);
    return f;
  };

  it('previews a 20-row 整改台账 with 2 bad rows, imports 18 on 确认导入, re-imports without change and updates one measure', async () => {
    const w = await setup();
    const fixture = inspectionLedgerRows();
    const good = fixture.filter((r): r is LedgerFixtureRow & { expected: NonNullable<LedgerFixtureRow['expected']> } =>
      Boolean(r.expected),
    );
    const file = await ledgerXlsx({
      title: '第一党支部 2026年巡察反馈问题整改台账',
      headers: LEDGER_HEADERS,
      rows: ledgerCells(fixture),
    });

    const preview = await sendFile(w.secretary, '整改台账.xlsx', file);
    expect(cardTitle(preview)).toBe('导入预览 · 整改台账');
    const shown = cardText(preview.content);
    expect(shown).toContain('**18** 行可导入（新增 18，更新 0，无变化 0）');
    expect(shown).toContain('**2** 行有错误，不会导入');
    // Title in row 1, headers in row 2: the 7th data row is Excel row 9, the 14th is row 16.
    expect(shown).toContain('第9行：责任人“王五”不在本组织');
    expect(shown).toContain('第16行：整改时限“2026-13-45”不是有效日期');
    expect(shown.match(/第\d+行：/g)).toHaveLength(2);
    expect(button(preview, '确认导入 18 行').value).toMatchObject({ a: 'import.confirm', ok: true });
    expect(await items(w.org.id)).toHaveLength(0); // nothing written before 确认导入

    const confirmed = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 18 行').value,
    });
    expect(confirmed.toast?.content).toBe('导入完成');
    expect(cardText(confirmed.card)).toContain('整改台账.xlsx：新增 18 项，更新 0 项，0 项无变化。');
    const created = await items(w.org.id);
    expect(
      created.map((r) => [
        r.source,
        r.problem,
        r.measures,
        r.leader,
        r.owner_name,
        r.owner_open_id,
        r.deadline,
        r.kind,
      ]),
    ).toEqual(
      good.map((r) => [
        r.source,
        r.problem,
        r.measures,
        r.leader,
        r.owner,
        w.user(r.owner).openId,
        r.expected.deadline,
        r.expected.kind,
      ]),
    );
    expect(created.every((r) => r.status === 'pending' && r.version === 1 && r.import_key)).toBe(true);

    // Each owner got a private card for each of their items, exactly once.
    for (const item of created) {
      const c = await ownerCard(w.user(item.owner_name), item.id);
      expect(cardText(c.content)).toContain(item.problem);
    }
    for (const name of new Set(good.map((r) => r.owner))) {
      const cards = h.emu.botMessages(p2p(w.user(name))).filter((m) => cardTitle(m)?.startsWith('整改事项 #'));
      expect(cards).toHaveLength(good.filter((r) => r.owner === name).length);
    }
    const eventsBefore = (await h.db.db.selectFrom('rectification_events').select('id').execute()).length;

    // The same file again: nothing new, nothing changed.
    const again = await sendFile(w.secretary, '整改台账.xlsx', file);
    expect(cardText(again.content)).toContain('**18** 行可导入（新增 0，更新 0，无变化 18）');
    const outboxBefore = await outboxCount();
    const same = await h.emu.click({
      messageId: again.messageId,
      from: w.secretary.openId,
      value: button(again, /^确认导入/).value,
    });
    expect(cardText(same.card)).toContain('新增 0 项，更新 0 项，18 项无变化。');
    const afterSame = await items(w.org.id);
    expect(afterSame.map((r) => [r.id, r.version, r.updated_at])).toEqual(
      created.map((r) => [r.id, r.version, r.updated_at]),
    );
    expect((await h.db.db.selectFrom('rectification_events').select('id').execute()).length).toBe(eventsBefore);
    expect(await outboxCount()).toBe(outboxBefore); // no card sent or updated

    // One measure changed: 更新 1, with history and audit.
    const target = created[1] as Rectification; // 党费收缴不及时 (赵党员)
    const newMeasures = '逐人核对党费基数，补缴欠交党费；党费收缴情况每季度在支部公示栏公示';
    const changed = fixture.map((r) => (r.problem === target.problem ? { ...r, measures: newMeasures } : r));
    const v2 = await ledgerXlsx({
      title: '第一党支部 2026年巡察反馈问题整改台账（修订）',
      headers: LEDGER_HEADERS,
      rows: ledgerCells(changed),
    });
    const updatePreview = await sendFile(w.secretary, '整改台账-修订.xlsx', v2);
    expect(cardText(updatePreview.content)).toContain('**18** 行可导入（新增 0，更新 1，无变化 17）');
    const updated = await h.emu.click({
      messageId: updatePreview.messageId,
      from: w.secretary.openId,
      value: button(updatePreview, /^确认导入/).value,
    });
    expect(cardText(updated.card)).toContain('新增 0 项，更新 1 项，17 项无变化。');
    const afterUpdate = await items(w.org.id);
    expect(afterUpdate).toHaveLength(18);
    const item = afterUpdate.find((r) => r.id === target.id) as Rectification;
    expect(item).toMatchObject({ measures: newMeasures, version: target.version + 1, owner_name: '赵党员' });
    expect(afterUpdate.filter((r) => r.id !== target.id).map((r) => r.version)).toEqual(Array(17).fill(1));
    expect((await listEvents(h.db.db, target.id)).map((e) => [e.kind, e.actor_open_id])).toEqual([
      ['imported', w.secretary.openId],
      ['import_update', w.secretary.openId],
    ]);
    const audit = (await listAudit(h.db.db, { action: 'rectification:import_update' })).filter(
      (a) => a.subject === `rectification:${target.id}`,
    );
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.before ?? '{}')).toMatchObject({ measures: target.measures });
    expect(JSON.parse(audit[0]?.after ?? '{}')).toMatchObject({ measures: newMeasures });

    // The owner's card shows the item as it now is (not the old measures, not a stale version).
    const owner = w.user('赵党员');
    const card = await ownerCard(owner, target.id);
    await h.emu.waitFor(() => h.emu.requireMessage(card.messageId).content.includes(newMeasures), {
      what: 'owner card updated after the import',
    });
  });

  it('reads a UTF-8 CSV with a BOM and header synonyms (存在问题, 完成时限), quoted fields included', async () => {
    const w = await setup();
    const csv = ledgerCsv({
      // A required column first, so a BOM left in place would hide it.
      headers: ['存在问题', '责任人', '完成时限', '整改措施', '问题来源', '整改类型'],
      rows: [
        [
          '三会一课不规范，支部党员大会未按季度召开',
          '张组织',
          '2026-12-31',
          '按季度召开党员大会，会议记录专人负责',
          '巡察',
          '集中整改',
        ],
        ['党费收缴不及时', '赵党员', '2026/12/20', '建立"按月提醒, 按季公示"制度', '巡察', ''],
        ['公务接待超标', '王纪检', '2027年1月15日', '严格执行接待审批单', '审计', '长期整改'],
      ],
    });
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const preview = await sendFile(w.secretary, '整改台账.csv', csv);
    expect(cardText(preview.content)).toContain('**3** 行可导入（新增 3，更新 0，无变化 0）；**0** 行有错误');
    await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, /^确认导入/).value,
    });
    expect(
      (await items(w.org.id)).map((r) => [r.problem, r.owner_name, r.deadline, r.measures, r.source, r.kind]),
    ).toEqual([
      [
        '三会一课不规范，支部党员大会未按季度召开',
        '张组织',
        '2026-12-31',
        '按季度召开党员大会，会议记录专人负责',
        '巡察',
        'centralized',
      ],
      ['党费收缴不及时', '赵党员', '2026-12-20', '建立"按月提醒, 按季公示"制度', '巡察', 'centralized'],
      ['公务接待超标', '王纪检', '2027-01-15', '严格执行接待审批单', '审计', 'long_term'],
    ]);
    // GB18030 CSV: not covered here — iconv-lite is not installed, so the test cannot encode one.
  });

  it('refuses files from plain members, over 5 MB, over 5000 rows or with unknown headers, and writes nothing', async () => {
    const w = await setup();
    const member = w.user('周党员');
    const xlsx = await ledgerXlsx({ headers: LEDGER_HEADERS, rows: ledgerCells(inspectionLedgerRows().slice(0, 3)) });

    // A plain member without items: no preview, the evidence answer instead.
    const fromMember = await sendFile(member, '整改台账.xlsx', xlsx);
    expect(messageText(fromMember)).toBe('收到文件《整改台账.xlsx》。您目前没有需要补充佐证材料的事项。');

    // Over 5 MB.
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0x41);
    const tooBig = await sendFile(w.secretary, '整改台账.xlsx', big);
    expect(tooBig.msgType).toBe('text');
    expect(messageText(tooBig)).toMatch(/^文件超过 5 MB.*请拆分后再/);

    // Over 5000 rows (.xlsx, header + 6000 rows).
    const many = Array.from({ length: 6000 }, (_x, i) => [
      i + 1,
      '巡察',
      `问题${i + 1}`,
      '',
      '',
      '王五',
      '2026-12-31',
      '',
    ]);
    const manyRows = await sendFile(
      w.secretary,
      '整改台账.xlsx',
      await ledgerXlsx({ headers: LEDGER_HEADERS, rows: many }),
    );
    expect(messageText(manyRows)).toMatch(/^文件超过 5000 行（共 \d+ 行），请拆分后再导入。$/);

    // Headers that name no ledger.
    const roster = await ledgerXlsx({
      title: '第一党支部党员花名册',
      headers: ['姓名', '性别', '出生年月', '入党时间', '联系电话'],
      rows: [['赵党员', '男', '1990-05', '2015-07-01', '13800000000']],
    });
    const unknown = await sendFile(w.secretary, '花名册.xlsx', roster);
    // The answer names the required columns of every ledger, 整改台账's among them.
    expect(messageText(unknown)).toMatch(/^没有识别出表头。需要的列：.*整改台账：问题描述、责任人、整改时限[；。]/);

    expect(await items(w.org.id)).toHaveLength(0);
    const pending = await h.db.db.selectFrom('pending_imports').selectAll().execute();
    expect(pending.filter((p) => p.created_by === member.openId)).toHaveLength(0);

    // Just over the documented limit: a header and 5001 data rows (.csv).
    const justOver = ledgerCsv({
      headers: ['问题描述', '责任人', '整改时限'],
      rows: Array.from({ length: 5001 }, (_x, i) => [`问题${i + 1}`, '王五', '2026-12-31']),
    });
    const justOverAnswer = await sendFile(w.secretary, '整改台账.csv', justOver);
    expect(messageText(justOverAnswer)).toMatch(/^文件超过 5000 行/);
  });

  it('reads a HYPERLINK formula as its cached text; 取消 writes nothing; a decided preview cannot be confirmed again', async () => {
    const w = await setup();
    const withFormula = await ledgerXlsx({
      title: '第一党支部 整改台账',
      headers: LEDGER_HEADERS,
      rows: [
        [
          1,
          '巡察',
          '党员档案管理不规范，部分档案材料缺失',
          { formula: 'HYPERLINK("http://evil","点我")', result: '点我' },
          '李书记',
          '张组织',
          new Date(Date.UTC(2026, 11, 31)),
          '集中整改',
        ],
      ],
    });
    const preview = await sendFile(w.secretary, '整改台账.xlsx', withFormula);
    expect(cardText(preview.content)).toContain('**1** 行可导入');
    expect(preview.content).not.toMatch(/HYPERLINK|evil/);
    const confirmValue = button(preview, /^确认导入/).value;
    const done = await h.emu.click({ messageId: preview.messageId, from: w.secretary.openId, value: confirmValue });
    expect(done.toast?.content).toBe('导入完成');
    const [item] = await items(w.org.id);
    expect(item).toMatchObject({
      problem: '党员档案管理不规范，部分档案材料缺失',
      measures: '点我',
      deadline: '2026-12-31',
    });
    const card = await ownerCard(w.user('张组织'), (item as Rectification).id);
    expect(card.content).not.toMatch(/HYPERLINK|evil/);

    // 取消: nothing written, the preview becomes a cancelled card.
    const other = await ledgerXlsx({ headers: LEDGER_HEADERS, rows: ledgerCells(inspectionLedgerRows().slice(0, 2)) });
    const second = await sendFile(w.secretary, '整改台账2.xlsx', other);
    expect(cardText(second.content)).toContain('**2** 行可导入（新增 2，更新 0，无变化 0）');
    const secondConfirm = button(second, /^确认导入/).value;
    const cancelled = await h.emu.click({
      messageId: second.messageId,
      from: w.secretary.openId,
      value: button(second, '取消').value,
    });
    expect(cancelled.toast?.content).toBe('已取消导入');
    expect(cardText(cancelled.card)).toContain('已取消导入 · 整改台账');
    expect(cardText(cancelled.card)).toContain('未导入任何数据');
    expect(await items(w.org.id)).toHaveLength(1);

    // The old 确认导入 buttons (a forwarded or stale copy) are refused.
    const afterCancel = await h.emu.click({
      messageId: second.messageId,
      from: w.secretary.openId,
      value: secondConfirm,
      bypassClient: true,
    });
    expect(afterCancel.toast).toEqual({ type: 'error', content: '这次导入已取消。' });
    const twice = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: confirmValue,
      bypassClient: true,
    });
    expect(twice.toast).toEqual({ type: 'error', content: '这次导入已经完成了。' });
    const all = await items(w.org.id);
    expect(all).toHaveLength(1);
    expect(all[0]?.version).toBe(1);
    const statuses = (
      await h.db.db.selectFrom('pending_imports').select(['file_name', 'status']).orderBy('id').execute()
    ).map((p) => [p.file_name, p.status]);
    expect(statuses).toEqual([
      ['整改台账.xlsx', 'confirmed'],
      ['整改台账2.xlsx', 'cancelled'],
    ]);
  });

  it('exports the ledger as .xlsx (/整改 导出 [批次]) with fixed headers, dates, overdue days and neutralised formulas', async () => {
    const w = await setup();
    const chatId = w.chat.chatId;
    const batchName = '2026年第一轮巡察';
    const batchCard = await say(chatId, w.secretary, `/巡察 反馈 2026-11-20 ${batchName}`);
    expect(batchCard.msgType).toBe('interactive');

    const withBatch = await ledgerXlsx({
      title: '第一党支部 巡察反馈问题整改台账',
      headers: ['序号', '问题来源', '所属批次', '问题描述', '整改措施', '责任领导', '责任人', '整改时限', '整改类型'],
      rows: [
        [
          1,
          '巡察',
          batchName,
          '“三会一课”制度执行不规范',
          '建立会议记录模板，逐月检查',
          '李书记',
          '张组织',
          new Date(Date.UTC(2026, 10, 20)),
          '集中整改',
        ],
        [
          2,
          '巡察',
          batchName,
          '党费收缴不及时',
          '补缴欠交党费，按月提醒',
          '李书记',
          '赵党员',
          '2026/12/31',
          '集中整改',
        ],
        [
          3,
          '巡察',
          batchName,
          '发展党员程序不严谨',
          '逐项复核发展党员档案',
          '李书记',
          '王纪检',
          '2027年1月15日',
          '长期整改',
        ],
        [4, '自查', '', '公务接待超标', '严格执行接待审批单', '李书记', '钱党员', '2026-12-20', ''],
      ],
    });
    const preview = await sendFile(w.secretary, '整改台账.xlsx', withBatch);
    expect(cardText(preview.content)).toContain('**4** 行可导入');
    await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, /^确认导入/).value,
    });

    // One more item through the form, its problem written like a formula.
    const formCard = await say(chatId, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '=1+1 公式注入测试',
        measures: '@SUM(A1) 逐项核查',
        owner: w.user('赵党员').openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '',
      },
    });
    expect(created.toast?.content).toMatch(/已创建整改事项 #\d+/);
    const all = await items(w.org.id);
    expect(all).toHaveLength(5);

    const asked = await say(chatId, w.secretary, '/整改 导出');
    expect(messageText(asked)).toBe('已导出 5 项整改事项，文件《整改台账-第一党支部-2026-12-01.xlsx》随后发送。');
    const fileMsg = await h.emu.waitFor(() => fileMessages(chatId)[0], { what: 'exported file message' });
    const file = fileOf(fileMsg);
    expect(file.owner).toBe('bot');
    expect(file.name).toBe('整改台账-第一党支部-2026-12-01.xlsx');
    const ws = await readXlsx(file.bytes);

    const title = ws.getCell('A1').value;
    expect(typeof title).toBe('string');
    expect(title).toContain('第一党支部');
    expect(title).toContain('导出时间：2026-12-01 10:00');
    expect(rowValues(ws, 2)).toEqual(EXPORT_HEADERS);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    for (let c = 1; c <= EXPORT_HEADERS.length; c++) expect(ws.getColumn(c).width ?? 0).toBeGreaterThanOrEqual(6);
    expect(ws.getColumn(4).width ?? 0).toBeGreaterThanOrEqual(30); // 问题描述
    expect(ws.getColumn(5).width ?? 0).toBeGreaterThanOrEqual(30); // 整改措施
    expect(ws.actualRowCount).toBe(7);

    expect(rowValues(ws, 3)).toEqual([
      1,
      '巡察',
      batchName,
      '“三会一课”制度执行不规范',
      '建立会议记录模板，逐月检查',
      '李书记',
      '张组织',
      utc('2026-11-20'),
      '集中整改',
      '待整改',
      null,
      '是',
      11, // 2026-11-20 → 2026-12-01
      null,
      null,
      null,
      null,
    ]);
    expect(rowValues(ws, 4)).toEqual([
      2,
      '巡察',
      batchName,
      '党费收缴不及时',
      '补缴欠交党费，按月提醒',
      '李书记',
      '赵党员',
      utc('2026-12-31'),
      '集中整改',
      '待整改',
      null,
      '否',
      0,
      null,
      null,
      null,
      null,
    ]);
    expect(rowValues(ws, 5).slice(0, 13)).toEqual([
      3,
      '巡察',
      batchName,
      '发展党员程序不严谨',
      '逐项复核发展党员档案',
      '李书记',
      '王纪检',
      utc('2027-01-15'),
      '长期整改',
      '待整改',
      null,
      '否',
      0,
    ]);
    expect(rowValues(ws, 6).slice(0, 9)).toEqual([
      4,
      '自查',
      null,
      '公务接待超标',
      '严格执行接待审批单',
      '李书记',
      '钱党员',
      utc('2026-12-20'),
      '集中整改',
    ]);
    // The formula-like texts are neutralised text, never formulas.
    expect(rowValues(ws, 7).slice(0, 8)).toEqual([
      5,
      '巡察',
      null,
      "'=1+1 公式注入测试",
      "'@SUM(A1) 逐项核查",
      '李书记',
      '赵党员',
      utc('2026-12-20'),
    ]);
    for (let r = 3; r <= 7; r++) {
      expect(ws.getRow(r).getCell(8).value).toBeInstanceOf(Date); // 整改时限
      for (const v of rowValues(ws, r)) expect(v === null || typeof v !== 'object' || v instanceof Date).toBe(true);
    }

    // Only one batch.
    const askedBatch = await say(chatId, w.secretary, `/整改 导出 ${batchName}`);
    expect(messageText(askedBatch)).toBe(
      `已导出 3 项整改事项，文件《整改台账-第一党支部-${batchName}-2026-12-01.xlsx》随后发送。`,
    );
    const batchFile = fileOf(await h.emu.waitFor(() => fileMessages(chatId)[1], { what: 'batch export' }));
    const bws = await readXlsx(batchFile.bytes);
    expect(bws.getCell('A1').value).toContain(`第一党支部 整改台账（${batchName}）`);
    expect(rowValues(bws, 2)).toEqual(EXPORT_HEADERS);
    expect(bws.actualRowCount).toBe(5);
    expect([3, 4, 5].map((r) => [rowValues(bws, r)[2], rowValues(bws, r)[3]])).toEqual([
      [batchName, '“三会一课”制度执行不规范'],
      [batchName, '党费收缴不及时'],
      [batchName, '发展党员程序不严谨'],
    ]);

    // A plain member may not export.
    const refused = await say(chatId, w.user('赵党员'), '/整改 导出');
    expect(messageText(refused)).toBe('需要书记、副书记、纪检委员、组织委员或观察员权限。');
    expect(fileMessages(chatId)).toHaveLength(2);
    const exports = await listAudit(h.db.db, { action: 'rectification:export' });
    expect(exports.map((a) => a.actor)).toEqual([w.secretary.openId, w.secretary.openId]);
  });

  it('imports and exports through the CLI: --dry-run writes nothing, the import writes and notifies, the export reads back', async () => {
    const w = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'qf-ledger-'));
    const path = join(dir, '整改台账.xlsx');
    writeFileSync(
      path,
      await ledgerXlsx({
        title: '第一党支部 2026年巡察反馈问题整改台账',
        headers: LEDGER_HEADERS,
        rows: ledgerCells(inspectionLedgerRows()),
      }),
    );
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    const cli = (args: string[]) => runCli(args, { db: h.db, timezone: 'Asia/Shanghai', logger: h.logs.logger, io });

    await cli(['import', 'rectifications', path, '--org', '第一党支部', '--dry-run']);
    expect(lines).toEqual([
      '整改台账：18 行可导入（新增 18，更新 0，无变化 0），2 行有错误',
      '  第9行：责任人“王五”不在本组织',
      '  第16行：整改时限“2026-13-45”不是有效日期',
      '（--dry-run：未写入）',
    ]);
    expect(await items(w.org.id)).toHaveLength(0);
    expect(await listAudit(h.db.db, { action: 'import:rectifications:cli' })).toHaveLength(0);

    lines.length = 0;
    await cli(['import', 'rectifications', path, '--org', '第一党支部']);
    expect(lines).toEqual([
      '整改台账：18 行可导入（新增 18，更新 0，无变化 0），2 行有错误',
      '  第9行：责任人“王五”不在本组织',
      '  第16行：整改时限“2026-13-45”不是有效日期',
      '新增 18 项，更新 0 项，0 项无变化。',
    ]);
    const imported = await items(w.org.id);
    expect(imported).toHaveLength(18);
    expect(imported.every((r) => r.created_by === 'cli')).toBe(true);
    expect(await listAudit(h.db.db, { action: 'import:rectifications:cli' })).toHaveLength(1);
    // The running bot delivers the owners' cards written by the CLI.
    for (const item of imported) await ownerCard(w.user(item.owner_name), item.id);

    lines.length = 0;
    const out = join(dir, '导出.xlsx');
    await cli(['export', 'rectifications', '--org', '第一党支部', '--out', out]);
    expect(lines).toEqual([`已导出 18 项整改事项到 ${out}`]);
    const ws = await readXlsx(readFileSync(out));
    expect(ws.getCell('A1').value).toContain('第一党支部 整改台账');
    expect(rowValues(ws, 2)).toEqual(EXPORT_HEADERS);
    expect(ws.actualRowCount).toBe(20);
    expect(ws.getRow(3).getCell(4).value).toBe(imported[0]?.problem);
    expect(ws.getRow(3).getCell(8).value).toEqual(utc(imported[0]?.deadline ?? ''));
  });

  it('attaches a PDF sent privately as evidence to the sender’s open item, and never previews a member’s spreadsheet', async () => {
    const w = await setup();
    const owner = w.user('赵党员');
    const formCard = await say(w.chat.chatId, w.secretary, '/整改 新建');
    const created = await h.emu.click({
      messageId: formCard.messageId,
      from: w.secretary.openId,
      value: button(formCard, '创建').value,
      name: 'submit_new',
      formValue: {
        problem: '支部“三会一课”记录不规范，部分会议无纪要',
        measures: '补齐 2026 年会议纪要',
        owner: owner.openId,
        leader: '李书记',
        deadline: '2026-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: '组织建设',
      },
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    const itemCard = await ownerCard(owner, id);
    expect(cardText(itemCard.content)).not.toContain('佐证材料');

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    const received = await sendFile(owner, '会议纪要.pdf', pdf);
    expect(cardTitle(received)).toBe('收到文件');
    expect(cardText(received.content)).toContain('会议纪要.pdf');
    expect(cardText(received.content)).toContain(`#${id} 支部“三会一课”记录不规范`);
    const attached = await h.emu.click({
      messageId: received.messageId,
      from: owner.openId,
      value: button(received, '作为佐证材料').value,
      name: 'submit_attach',
      formValue: { item: String(id) },
    });
    expect(attached.toast?.content).toBe(`已附到整改事项 #${id}`);
    const evidence = await listEvidence(h.db.db, id);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ kind: 'file', name: '会议纪要.pdf', added_by: owner.openId });
    expect((await listEvents(h.db.db, id)).map((e) => e.kind)).toEqual(['created', 'evidence']);
    // The owner's private item card now lists the evidence.
    const shown = await h.emu.waitFor(
      () => {
        const t = cardText(h.emu.requireMessage(itemCard.messageId).content).replace(/\*\*/g, '');
        return t.includes('佐证材料（1）') && t;
      },
      { what: 'owner card with evidence' },
    );
    expect(shown).toContain('会议纪要.pdf');

    // A member owning an open item who sends a spreadsheet gets the evidence card, not an import preview.
    const sheet = await sendFile(
      owner,
      '整改台账.xlsx',
      await ledgerXlsx({ headers: LEDGER_HEADERS, rows: ledgerCells(inspectionLedgerRows().slice(0, 2)) }),
    );
    expect(cardTitle(sheet)).toBe('收到文件');
    expect(await h.db.db.selectFrom('pending_imports').selectAll().execute()).toHaveLength(0);
    expect(await items(w.org.id)).toHaveLength(1);
  });
});
