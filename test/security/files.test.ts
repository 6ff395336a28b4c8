/**
 * Files: .xlsx formulas (HYPERLINK, DDE `cmd|`) read as cached plain values; zip bombs (declared huge, real
 * ratio, lying sizes, thousands of entries) and sheets over 5,000 rows refused in Chinese with nothing written;
 * a file name holding a path only ever shown as text; every export (整改, 任务, 会议, 学习) neutralises cells
 * starting with =, +, -, @ (names, titles, the org name) and holds no formula.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, seedBranch, startBot } from '../helpers/bot.ts';
import { type XCell, xlsx, xlsxEntries, zip } from '../helpers/security-files.ts';
import { buttonOf, cardTitle, say, sendFile, settle } from '../helpers/security-world.ts';

const HEADER: XCell[] = ['序号', '问题描述', '责任人', '整改时限', '整改措施', '责任领导', '所属领域'];
const FORMULA_START = /^[=+\-@\t\r]/;

describe('files', () => {
  let h: BotHarness;
  let sec: EmuUser;
  let group: string;
  let orgId: number;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const written = async () => ({
    pending: (await h.db.db.selectFrom('pending_imports').select('id').execute()).length,
    items: (await h.db.db.selectFrom('rectifications').select('id').execute()).length,
  });
  /** The .xlsx files the bot sent into a chat after message `after` (by position). */
  const sentFiles = (chatId: string, from: number) =>
    h.emu
      .botMessages(chatId)
      .slice(from)
      .filter((m) => m.msgType === 'file')
      .map((m) => h.emu.store.files.get((JSON.parse(m.content) as { file_key: string }).file_key))
      .filter((f) => f !== undefined);
  async function cells(bytes: Buffer): Promise<ExcelJS.Cell[]> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const out: ExcelJS.Cell[] = [];
    // A merged range answers with its first cell's value everywhere: keep the first cell only.
    wb.eachSheet((ws) =>
      ws.eachRow((row) => row.eachCell((c) => void (c.isMerged && c.master !== c ? undefined : out.push(c)))),
    );
    return out;
  }
  async function importAndConfirm(fileName: string, bytes: Buffer): Promise<EmuMessage> {
    const preview = await sendFile(h, p2p(sec), sec, fileName, bytes);
    const card = preview.replies[0] as EmuMessage;
    expect(cardTitle(card), preview.texts.join()).toBe('导入预览 · 整改台账');
    const b = buttonOf(card, /^确认导入/);
    const done = await h.emu.click({ messageId: card.messageId, from: sec.openId, value: b.value });
    expect(done.toast?.content).toBe('导入完成');
    await settle(h);
    return card;
  }

  beforeAll(async () => {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h);
    sec = w.secretary;
    group = w.chat.chatId;
    orgId = (await h.db.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
    await settle(h);
  });

  afterAll(async () => h?.stop());

  it('reads formula cells of an .xlsx as their cached plain values, never as formulas', async () => {
    const file = xlsx([
      HEADER,
      [
        1,
        { formula: 'HYPERLINK("http://evil","点我")', cached: '党费收缴台账不全' },
        '张组织',
        '2026-12-31',
        { formula: "cmd|' /C calc'!A0" },
        { formula: '1+1', cached: '2' },
        '组织建设',
      ],
      [
        2,
        '=HYPERLINK("http://evil","文本")',
        '赵党员',
        '2026-12-30',
        { formula: 'IMPORTXML("http://evil","//a")', cached: "=cmd|' /C calc'!A0" },
        '@SUM(A1)',
        '+1',
      ],
      [3, '+问题三', '王纪检', '2026-12-29', '-措施三', '+1', ''],
    ]);
    const card = await importAndConfirm('整改台账.xlsx', file);
    expect(card.content).not.toContain('点我');
    expect(card.content).not.toContain('IMPORTXML');
    const rows = await h.db.db
      .selectFrom('rectifications')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.problem, r.measures, r.leader, r.area])).toEqual([
      ['党费收缴台账不全', '', '2', '组织建设'],
      ['=HYPERLINK("http://evil","文本")', "=cmd|' /C calc'!A0", '@SUM(A1)', '+1'],
      ['+问题三', '-措施三', '+1', ''],
    ]);
    // What users typed like a formula comes back from the export as text, neutralised.
    const before = h.emu.botMessages(group).length;
    const exported = await say(h, group, sec, '/整改 导出');
    expect(exported.texts[0]).toContain('已导出 3 项');
    const [f] = sentFiles(group, before);
    if (!f) throw new Error('no exported file');
    const all = await cells(f.bytes);
    for (const c of all) expect(c.formula, c.address).toBeUndefined();
    const texts = all.map((c) => c.value).filter((v): v is string => typeof v === 'string');
    expect(texts).toContain(`'=HYPERLINK("http://evil","文本")`);
    expect(texts).toContain(`'=cmd|' /C calc'!A0`);
    expect(texts).toContain(`'@SUM(A1)`);
    expect(texts).toContain(`'+1`);
    expect(texts).toContain(`'+问题三`);
    expect(texts).toContain(`'-措施三`);
  });

  const bombRows: XCell[][] = [HEADER, [1, '问题', '张组织', '2026-12-31', '措施', '', '']];
  const bombs: [string, () => Buffer][] = [
    // Entries that declare a huge uncompressed size (the central directory says 100 MB).
    [
      'entries declaring 100 MB',
      () => {
        const e = xlsxEntries(bombRows);
        (e[4] as { declaredSize?: number }).declaredSize = 100 * 1024 * 1024;
        return zip(e);
      },
    ],
    // An honest entry of 20 MB that compresses about 1000:1.
    ['an honest 20 MB entry at 1000:1', () => xlsx(bombRows, { padding: 20 * 1024 * 1024 })],
    // Thousands of entries.
    [
      '3,000 entries',
      () =>
        zip([
          ...xlsxEntries(bombRows),
          ...Array.from({ length: 3000 }, (_, i) => ({ name: `x/${i}.xml`, data: Buffer.from('<x/>') })),
        ]),
    ],
    // A bomb that lies: it declares 2 KB but inflates to 80 MB (over the 60 MB the bot accepts).
    [
      'an entry declaring 2 KB that inflates to 80 MB',
      () => {
        const e = xlsxEntries(bombRows, { padding: 80 * 1024 * 1024 });
        (e[4] as { declaredSize?: number }).declaredSize = 2048;
        return zip(e);
      },
    ],
  ];
  for (const [what, build] of bombs) {
    it(`refuses a zip bomb (${what}) in Chinese before unzipping, and writes nothing`, async () => {
      const before = await written();
      const bytes = build();
      expect(bytes.length).toBeLessThan(1024 * 1024);
      // CPU time of this process (the bot runs in it): the work done, however busy the machine is.
      const cpu = process.cpuUsage();
      const answer = await sendFile(h, p2p(sec), sec, '整改台账.xlsx', bytes);
      const used = process.cpuUsage(cpu);
      const ms = (used.user + used.system) / 1000;
      expect(answer.replies.map((m) => m.msgType)).toEqual(['text']);
      expect(answer.texts[0]).toMatch(/^文件(解压后过大（疑似压缩炸弹）|结构异常（条目过多）)，已拒绝导入。$/);
      // Refused from the zip's structure: no time spent inflating.
      expect(ms).toBeLessThan(3000);
      expect(await written()).toEqual(before);
    });
  }

  it('refuses a sheet over 5,000 rows (dense .xlsx, sparse .xlsx, .csv) and writes nothing', async () => {
    const before = await written();
    const row = (i: number): XCell[] => [i, `问题${i}`, '张组织', '2026-12-31', '措施', '', ''];
    const dense = xlsx([HEADER, ...Array.from({ length: 5200 }, (_, i) => row(i + 1))]);
    // A tiny file whose last row is Excel's last row.
    const sparse = xlsx([HEADER, row(1), { at: 1_048_576, cells: row(2) }]);
    const csv = Buffer.from(
      ['问题描述,责任人,整改时限', ...Array.from({ length: 5100 }, (_, i) => `问题${i},张组织,2026-12-31`)].join('\n'),
    );
    for (const [name, bytes] of [
      ['dense.xlsx', dense],
      ['sparse.xlsx', sparse],
      ['many.csv', csv],
    ] as const) {
      const answer = await sendFile(h, p2p(sec), sec, name, bytes);
      expect(answer.texts, name).toHaveLength(1);
      expect(answer.texts[0], name).toMatch(/^文件超过 5000 行（共 \d+ 行(数据)?），请拆分后再导入。$/);
    }
    expect(await written()).toEqual(before);
  });

  it('shows a file name holding a path as text and never writes it to disk', async () => {
    const names = [
      '../../etc/passwd.xlsx',
      'C:\\Windows\\System32\\x.xlsx',
      '..\\..\\boot.ini.xlsx',
      `/tmp/qf-sec-${process.pid}.xlsx`,
      './data/qingfeng.db.xlsx',
    ];
    const places = [process.cwd(), resolve(process.cwd(), 'data'), tmpdir()];
    const resolved = names.flatMap((n) => [...places.map((p) => resolve(p, n)), resolve(n)]);
    const passwd = statSync('/etc/passwd').mtimeMs;
    const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
    const cwdBefore = listing(process.cwd());
    const dataBefore = listing(resolve(process.cwd(), 'data'));
    const file = xlsx([HEADER, [1, `路径文件名测试${process.pid}`, '张组织', '2026-12-31', '措施', '', '']]);
    for (const name of names) {
      const preview = await sendFile(h, p2p(sec), sec, name, file);
      const card = preview.replies[0] as EmuMessage;
      expect(cardTitle(card), name).toBe('导入预览 · 整改台账');
      const header = (JSON.parse(card.content) as { header: { subtitle: { tag: string; content: string } } }).header;
      // The name is shown as plain text, verbatim.
      expect(header.subtitle, name).toEqual({ tag: 'plain_text', content: name });
      const pending = await h.db.db
        .selectFrom('pending_imports')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(pending.file_name).toBe(name);
    }
    // A member without items gets a text naming the file.
    const member = h.emu.addUser('钱党员');
    await h.emu.addUsersToChat(group, [member.openId], sec.openId);
    const text = await sendFile(h, p2p(member), member, '../../etc/shadow', Buffer.from('x'));
    expect(text.texts[0]).toContain('../../etc/shadow');
    for (const p of resolved) expect(existsSync(p), p).toBe(false);
    expect(statSync('/etc/passwd').mtimeMs).toBe(passwd);
    expect(listing(process.cwd())).toEqual(cwdBefore);
    expect(listing(resolve(process.cwd(), 'data'))).toEqual(dataBefore);
  });

  it('neutralises cells starting with =, +, -, @ in every export, the org name included, and writes no formula', async () => {
    const evil = ['=HYPERLINK("http://evil","x")', '+SUM(1,2)', '-2+3', '@cmd', '\tTAB'].map((n) => h.emu.addUser(n));
    await h.emu.addUsersToChat(
      group,
      evil.map((u) => u.openId),
      sec.openId,
    );
    const form = async (command: string, button: string, formValue: Record<string, unknown>) => {
      const card = (await say(h, group, sec, command)).replies[0] as EmuMessage;
      const b = buttonOf(card, button);
      const r = await h.emu.click({
        messageId: card.messageId,
        from: sec.openId,
        value: b.value,
        name: b.name,
        formValue,
      });
      expect(r.toast?.type, JSON.stringify(r.toast)).toBe('success');
      await settle(h);
    };
    await form('/整改 新建', '创建', {
      problem: '=1+1 问题',
      measures: '+措施',
      owner: (evil[2] as EmuUser).openId,
      leader: '-领导',
      deadline: '2026-12-20 +0800',
      kind: 'centralized',
      source: '巡察',
      area: '@领域',
    });
    await form('/任务 新建', '创建', {
      content: "=cmd|' /C calc'!A0",
      owners: [(evil[0] as EmuUser).openId, (evil[3] as EmuUser).openId],
      leader: '@领导',
      cadence: 'once',
      due: '2026-12-25 +0800',
      category: '组织建设',
      evidence: '+佐证',
    });
    await form('/会议 新建 支委会', '发布通知', {
      kind: 'committee',
      title: '=会议',
      start: '2026-12-10 15:00 +0800',
      place: '+地点',
      agenda: '-议程',
      attendees: evil.map((u) => u.openId),
    });
    await form('/学习 新建 警示教育', '发布通知', {
      kind: 'warning',
      title: '@学习',
      start: '2026-12-11 15:00 +0800',
      place: '-线上',
      agenda: '=材料',
      attendees: evil.map((u) => u.openId),
      days: '5',
    });
    // An org whose name starts like a formula, in its own group.
    const owner = h.emu.addUser('=孙书记');
    const g2 = h.emu.createGroup({
      name: '二支部',
      owner: owner.openId,
      members: [evil[1] as EmuUser].map((u) => u.openId),
    });
    const bound = await say(h, g2.chatId, owner, '/绑定 =HYPERLINK("http://evil","组织")');
    expect(bound.texts.join('')).toContain('已绑定');

    const before = h.emu.botMessages(group).length;
    const before2 = h.emu.botMessages(g2.chatId).length;
    for (const c of ['/整改 导出', '/任务 导出', '/会议 导出 2026', '/学习 导出 2026']) {
      const r = await say(h, group, sec, c);
      expect(r.texts[0], c).toContain('已导出');
    }
    for (const c of ['/整改 导出', '/任务 导出', '/会议 导出 2026']) await say(h, g2.chatId, owner, c);
    const files = [...sentFiles(group, before), ...sentFiles(g2.chatId, before2)];
    expect(files).toHaveLength(7);
    const problems: string[] = [];
    let checked = 0;
    for (const f of files) {
      for (const c of await cells(f.bytes)) {
        if (c.formula !== undefined || c.type === ExcelJS.ValueType.Formula)
          problems.push(`${f.name} ${c.address}: formula`);
        if (typeof c.value === 'string') {
          checked++;
          if (FORMULA_START.test(c.value)) problems.push(`${f.name} ${c.address}: ${JSON.stringify(c.value)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
