/**
 * A 整改台账 as branches really fill it in: 18 good rows with 立行立改 and 长期坚持 / 长期 in 整改时限, then
 * a blank row and footnotes (注：…, 制表人) — previewed as 18 importable rows, the footnotes listed as
 * skipped (not errors), the date chosen for 立行立改 stated; imported as such; the CLI --dry-run the same.
 * `/整改 新建` with a deadline already past asks first and creates only on 确认创建.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { inspectionLedgerRows, LEDGER_HEADERS, ledgerCells, ledgerXlsx } from '../helpers/ledger-files.ts';

describe('real 整改台账 files and past deadlines', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙党员', '周党员'] });
    const org = await findOrgByName(h.db.db, '第一党支部');
    if (!org) throw new Error('no org');
    return { ...w, org };
  }

  const items = (orgId: number) =>
    h.db.db.selectFrom('rectifications').selectAll().where('org_id', '=', orgId).orderBy('id').execute();

  /**
   * The 18 good fixture rows with 整改时限 as real ledgers write it: rows 2 and 4 立行立改, row 6
   * 长期坚持 (整改类型 left empty), row 9 长期 (长期整改); then a blank row, a footnote and a 制表人 line.
   */
  async function realLedger(): Promise<{ file: Buffer; problems: Record<'immediate' | 'longTerm', string[]> }> {
    const good = inspectionLedgerRows().filter((r) => r.expected);
    const cells = ledgerCells(good);
    const deadlineCol = LEDGER_HEADERS.indexOf('整改时限');
    const kindCol = LEDGER_HEADERS.indexOf('整改类型');
    const set = (i: number, deadline: string, kind?: string) => {
      const row = cells[i] as ExcelJS.CellValue[];
      row[deadlineCol] = deadline;
      if (kind !== undefined) row[kindCol] = kind;
    };
    set(1, '立行立改');
    set(3, '立行立改');
    set(5, '长期坚持', '');
    set(8, '长期', '长期整改');
    const footer: ExcelJS.CellValue[][] = [
      [],
      ['注：1. 整改时限填“立行立改”的，一个月内完成；2. “长期坚持”的每季度报告进展。'],
      ['制表人：张组织', '', '', '审核人：李书记', '', '', '2026年12月1日'],
    ];
    const file = await ledgerXlsx({
      title: '第一党支部 2026年巡察反馈问题整改台账',
      headers: LEDGER_HEADERS,
      rows: [...cells, ...footer],
    });
    const problem = (i: number) => good[i]?.problem as string;
    return { file, problems: { immediate: [problem(1), problem(3)], longTerm: [problem(5), problem(8)] } };
  }

  it('previews 18 importable rows, the skipped footnotes and the 立行立改 date, and imports them', async () => {
    const w = await setup();
    const { file, problems } = await realLedger();
    const sent = await h.emu.sendFile({
      chatId: h.emu.p2pChat(w.secretary.openId).chatId,
      from: w.secretary.openId,
      fileName: '整改台账（实际）.xlsx',
      bytes: file,
    });
    const preview = await talk.answerTo(h, sent, 15_000);
    expect(cardTitle(preview)).toBe('导入预览 · 整改台账');
    const shown = cardText(preview.content);
    expect(shown).toContain('**18** 行可导入（新增 18，更新 0，无变化 0）；**0** 行有错误，不会导入。');
    // Title row 1, headers row 2, data rows 3–20, blank row 21, footnotes rows 22 and 23.
    expect(shown).toContain('跳过 2 行（注释、说明）：第22行、第23行');
    expect(shown).toContain('立行立改 按 2027-01-01 计（导入日 2026-12-01 起 1 个月）：第4行、第6行');
    expect(shown).toContain('长期坚持 按长期整改导入、每季度报告进展，时限记为 2027-12-01');
    expect(shown).not.toMatch(/第2[23]行：/);
    expect(await items(w.org.id)).toHaveLength(0);

    const done = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 18 行').value,
    });
    expect(cardText(done.card)).toContain('新增 18 项，更新 0 项，0 项无变化。');
    const created = await items(w.org.id);
    expect(created).toHaveLength(18);
    const byProblem = new Map(created.map((r) => [r.problem, r]));
    for (const p of problems.immediate) {
      expect(byProblem.get(p)).toMatchObject({ deadline: '2027-01-01', kind: 'centralized', late: 0 });
    }
    for (const p of problems.longTerm) {
      expect(byProblem.get(p)).toMatchObject({ deadline: '2027-12-01', kind: 'long_term', late: 0 });
    }
  });

  it('previews every good row with the CLI --dry-run and writes nothing', async () => {
    const w = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'qf-real-ledger-'));
    const path = join(dir, '整改台账.xlsx');
    writeFileSync(path, (await realLedger()).file);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    await runCli(['import', 'rectifications', path, '--org', '第一党支部', '--dry-run'], {
      db: h.db,
      timezone: 'Asia/Shanghai',
      logger: h.logs.logger,
      io,
    });
    // The CLI reads the system clock (the import date), so the dates themselves are not pinned here.
    expect(lines).toEqual([
      '整改台账：18 行可导入（新增 18，更新 0，无变化 0），0 行有错误',
      '跳过 2 行（注释、说明）：第22行、第23行',
      expect.stringMatching(/^立行立改 按 \d{4}-\d{2}-\d{2} 计（导入日 \d{4}-\d{2}-\d{2} 起 1 个月）：第4行、第6行$/),
      expect.stringMatching(/^长期坚持 按长期整改导入、每季度报告进展，时限记为 \d{4}-\d{2}-\d{2}.*：第8行、第11行$/),
      '（--dry-run：未写入）',
    ]);
    expect(await items(w.org.id)).toHaveLength(0);
  });

  it('asks before creating an item whose deadline has passed, and creates it on 确认创建', async () => {
    const w = await setup();
    const owner = w.members[1] as EmuUser;
    const formCard = await talk.say(h, w.chat.chatId, w.secretary, '/整改 新建', 15_000);
    const formValue = (deadline: string) => ({
      problem: '支部“三会一课”记录不全',
      measures: '补齐 2026 年会议记录',
      owner: owner.openId,
      leader: '李书记',
      deadline: `${deadline} +0800`,
      kind: 'centralized',
      source: '巡察',
      area: '组织建设',
    });
    const submit = (card: EmuMessage, text: string, name: string, deadline: string) =>
      h.emu.click({
        messageId: card.messageId,
        from: w.secretary.openId,
        value: button(card, text).value,
        name,
        formValue: formValue(deadline),
      });

    const asked = await submit(formCard, '创建', 'submit_new', '2026-11-25');
    expect(asked.toast).toEqual({ type: 'warning', content: '整改时限已过，请确认。' });
    const question = cardText(asked.card);
    expect(question).toContain('整改时限 2026-11-25 已过去 6 天（自然日）。确认按这个时限创建吗？');
    // The form keeps what was typed.
    expect(JSON.stringify(asked.card)).toContain('"default_value":"支部“三会一课”记录不全"');
    expect(JSON.stringify(asked.card)).toContain(`"initial_option":"${owner.openId}"`);
    expect(await items(w.org.id)).toHaveLength(0);

    // 确认创建 confirms that date only: the form changed to another past date asks again.
    const askedCard = h.emu.requireMessage(formCard.messageId);
    expect(button(askedCard, '确认创建').value).toMatchObject({ a: 'rectify.create', past: '2026-11-25' });
    const again = await submit(askedCard, '确认创建', 'submit_confirm', '2026-11-20');
    expect(cardText(again.card)).toContain('整改时限 2026-11-20 已过去 11 天（自然日）');
    expect(await items(w.org.id)).toHaveLength(0);

    const confirmed = await submit(
      h.emu.requireMessage(formCard.messageId),
      '确认创建',
      'submit_confirm',
      '2026-11-20',
    );
    expect(confirmed.toast?.content).toMatch(/^已创建整改事项 #\d+/);
    const [item] = await items(w.org.id);
    expect(item).toMatchObject({ deadline: '2026-11-20', late: 1, owner_open_id: owner.openId });
  });
});
