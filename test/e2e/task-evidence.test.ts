/**
 * Issue 13 item 3, "done means evidenced", end to end over the emulator (business time on a clock the
 * test sets; no sleeps):
 * - a 清单 with a 佐证材料 column keeps it as each item's requirement, shown on the task cards;
 * - 已完成 on such a task is refused (politely, naming the requirement) until evidence is attached — a
 *   link or a text in the 更新进度 form, or a file sent to the bot privately and attached to the task;
 * - 验收: the task is then 待验收 until the 书记 returns it (with a reason) or accepts it, and the
 *   主体责任落实台账 shows 状态, 佐证材料, 验收人, 验收时间 and 退回理由;
 * - linked records: "每月召开支委会（佐证：会议纪要）" is completed only by a 支委会 HELD that month with
 *   its minutes, linked automatically as 关联记录 — a scheduled one or one nobody signed in to never
 *   counts; a meeting held on the period's last days keeps the period open until its minutes come, and
 *   a yearly 组织生活会 held in January–February counts for the year before;
 * - a quarter with nothing due reads so in the roll-up and the 台账, never "全部已提交".
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { addAttendees, answerAttendance, createSession } from '../../src/features/meetings/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle, findButton } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { ledgerXlsx } from '../helpers/ledger-files.ts';

/** A stopped clock that the test moves by hand (the bot's business time). */
class ManualClock implements Clock {
  private at: number;
  constructor(at: Date) {
    this.at = at.getTime();
  }
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date): void {
    this.at = at.getTime();
  }
}

const REFUSED =
  '请先附上佐证材料（要求：排查报告）：可在“更新进度”中选择“已完成”，在“佐证材料”一栏填写链接或文字说明；也可在与清风的单聊中发送文件，选为这项任务的佐证。';

const MEETING = '每月召开支委会，研究党风廉政建设工作';
const SURVEY = '开展岗位廉政风险点排查，形成排查报告';

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no worksheet');
  return ws;
}

/** A row of the sheet as header → value (headers in row 2). */
function sheetRows(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  const headers = (ws.getRow(2).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  for (let n = 3; n <= ws.actualRowCount; n++) {
    const row = ws.getRow(n);
    out.push(Object.fromEntries(headers.map((hd, i) => [hd, row.getCell(i + 1).value])));
  }
  return out;
}

/** The rows of each table on a card, as column name → cell. */
function tableRows(content: string): Record<string, string>[][] {
  const out: Record<string, string>[][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'table') out.push(o.rows as Record<string, string>[]);
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(content));
  return out;
}

describe('主体责任清单: 已完成 needs the required evidence', () => {
  let h: BotHarness;
  let clock: ManualClock;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const taskCard = (u: EmuUser, id: number) =>
    h.emu.waitFor(() => h.emu.botMessages(p2p(u)).findLast((m) => cardTitle(m) === `责任任务 #${id}`), {
      what: `task card #${id}`,
      timeoutMs: 10_000,
    });
  const taskRow = (id: number) =>
    h.db.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const evidenceOf = async (id: number) =>
    (await h.db.db.selectFrom('task_evidence').selectAll().where('task_id', '=', id).orderBy('id').execute()).map(
      (e) => [e.kind, e.value, e.name],
    );
  const eventsOf = async (id: number) =>
    (await h.db.db.selectFrom('task_events').selectAll().where('task_id', '=', id).orderBy('id').execute()).map((e) => [
      e.kind,
      e.actor_name,
      e.status,
      e.text,
    ]);
  /** The header tags of a card message: text and colour. */
  const tagsOf = (m: EmuMessage): [string, string][] =>
    (
      (JSON.parse(m.content) as { header?: { text_tag_list?: { text: { content: string }; color: string }[] } }).header
        ?.text_tag_list ?? []
    ).map((x) => [x.text.content, x.color]);
  const fileMessages = (chatId: string) => h.emu.botMessages(chatId).filter((m) => m.msgType === 'file');
  const fileOf = (m: EmuMessage) => {
    const f = h.emu.store.files.get((JSON.parse(m.content) as { file_key: string }).file_key);
    if (!f) throw new Error('no file');
    return f;
  };

  async function importWithEvidence(at = bj('2026-12-01', '10:00')) {
    clock = new ManualClock(at);
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const wang = w.members.find((m) => m.name === '王纪检') as EmuUser;
    const zhang = w.members.find((m) => m.name === '张组织') as EmuUser;
    const file = await ledgerXlsx({
      title: '第一党支部 2026年全面从严治党主体责任清单',
      headers: ['序号', '类别', '责任内容', '牵头领导', '责任人', '完成时限', '频次', '佐证材料'],
      rows: [
        [1, '组织建设', MEETING, '李书记', '王纪检', '每月25日前', '每月', '会议纪要'],
        [2, '思想建设', '组织学习贯彻上级文件精神', '李书记', '张组织', '', '每季度', ''],
        [3, '纪律建设', SURVEY, '李书记', '王纪检', '2026年12月20日', '一次性', '排查报告'],
      ],
      sheetName: '主体责任清单',
    });
    const sent = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '2026年主体责任清单.xlsx',
      bytes: file,
    });
    const preview = await talk.answerTo(h, sent);
    const done = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 3 行').value,
    });
    expect(done.toast?.content).toBe('导入完成');
    const items = await h.db.db
      .selectFrom('duty_items')
      .selectAll()
      .where('org_id', '=', org.id)
      .orderBy('id')
      .execute();
    expect(items.map((i) => [i.content, i.evidence])).toEqual([
      [MEETING, '会议纪要'],
      ['组织学习贯彻上级文件精神', ''],
      [SURVEY, '排查报告'],
    ]);
    const tasks = await h.db.db.selectFrom('tasks').selectAll().where('org_id', '=', org.id).orderBy('id').execute();
    const taskOf = (itemIndex: number) => {
      const t = tasks.find((x) => x.item_id === items[itemIndex]?.id);
      if (!t) throw new Error('no task');
      return t;
    };
    return { w, org, wang, zhang, meeting: taskOf(0), study: taskOf(1), survey: taskOf(2) };
  }

  /** The owner's 更新进度 form, submitted with 已完成 and `link`. */
  async function submitDone(u: EmuUser, card: EmuMessage, link: string) {
    // After a refusal the form stays open; else open it.
    const now = h.emu.requireMessage(card.messageId);
    if (!cardText(now.content).includes('做了什么'))
      await h.emu.click({ messageId: card.messageId, from: u.openId, value: button(now, '更新进度').value });
    return h.emu.click({
      messageId: card.messageId,
      from: u.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交').value,
      name: 'submit_task',
      formValue: { status: 'done', percent: '100', done: '已完成排查', link },
    });
  }

  /** The card's 已完成 button (an open form is cancelled first). */
  async function clickDone(u: EmuUser, card: EmuMessage) {
    const shown = () => h.emu.requireMessage(card.messageId);
    await h.emu.waitFor(() => findButton(shown(), '已完成') ?? findButton(shown(), '取消'), {
      what: 'the 已完成 button or an open form',
    });
    const cancel = findButton(shown(), '取消');
    if (cancel) await h.emu.click({ messageId: card.messageId, from: u.openId, value: cancel.value });
    return h.emu.click({
      messageId: card.messageId,
      from: u.openId,
      value: button(h.emu.requireMessage(card.messageId), '已完成').value,
    });
  }

  it('imports the 佐证材料 column as the requirement shown on the task card; an item without one shows none', async () => {
    const { zhang, wang, meeting, study } = await importWithEvidence();
    const card = cardText((await taskCard(wang, meeting.id)).content);
    expect(card).toContain('**佐证要求**：会议纪要');
    expect(card).toContain('本期已召开的支委会（完成签到，需要纪要的记录纪要）由清风自动作为关联记录附为佐证。');
    expect(cardText((await taskCard(zhang, study.id)).content)).not.toContain('佐证要求');
  });

  it('refuses 已完成 without evidence, naming the requirement; accepts it with a link in the report form', async () => {
    const { wang, survey: t } = await importWithEvidence();
    const card = await taskCard(wang, t.id);

    // The card's 已完成 button: refused, nothing changes.
    expect((await clickDone(wang, card)).toast?.content).toBe(REFUSED);
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 1 });

    // 更新进度 with 已完成 and no link: refused too.
    expect((await submitDone(wang, card, '')).toast?.content).toBe(REFUSED);
    expect(cardText(h.emu.requireMessage(card.messageId).content)).toContain('佐证材料（标记已完成时必填）');
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 1 });
    expect(await evidenceOf(t.id)).toEqual([]);

    // With the report's link: 待验收, the link kept as evidence.
    const accepted = await submitDone(wang, card, 'https://example.feishu.cn/docx/paicha-2026');
    expect(accepted.toast).toMatchObject({ type: 'success', content: '已提交，待书记或纪检委员验收' });
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted', percent: 100 });
    expect(await evidenceOf(t.id)).toEqual([
      ['link', 'https://example.feishu.cn/docx/paicha-2026', 'https://example.feishu.cn/docx/paicha-2026'],
    ]);
  });

  it('a file sent to the bot privately is attached as the task’s evidence; then 已完成 goes to 验收', async () => {
    const { wang, zhang, meeting, survey: t } = await importWithEvidence();
    const card = await taskCard(wang, t.id);

    const sent = await h.emu.sendFile({
      chatId: p2p(wang),
      from: wang.openId,
      fileName: '岗位廉政风险点排查报告.pdf',
      bytes: Buffer.from('%PDF-1.4 排查报告'),
    });
    const received = await talk.answerTo(h, sent);
    expect(cardText(received.content)).toContain('把《岗位廉政风险点排查报告.pdf》作为佐证材料附到哪里？');
    const options = JSON.stringify(JSON.parse(received.content));
    expect(options).toContain(`"value":"t:${t.id}"`);
    expect(options).toContain(`任务 #${t.id} ${SURVEY.slice(0, 26)}`);
    // The 支委会 task is evidenced by the held meeting only: its minutes go to the meeting.
    expect(options).not.toContain(`"value":"t:${meeting.id}"`);

    // Someone else cannot put a file on 王纪检's task (a forged choice on their own attach form).
    const theirs = await talk.answerTo(
      h,
      await h.emu.sendFile({
        chatId: p2p(zhang),
        from: zhang.openId,
        fileName: '学习笔记.pdf',
        bytes: Buffer.from('x'),
      }),
    );
    expect(JSON.stringify(JSON.parse(theirs.content))).not.toContain(`"value":"t:${t.id}"`);
    const forged = await h.emu.click({
      messageId: theirs.messageId,
      from: zhang.openId,
      value: button(theirs, '作为佐证材料').value,
      name: 'submit_attach',
      formValue: { item: `t:${t.id}` },
      bypassClient: true,
    });
    expect(forged.toast?.content).toBe('只有责任人（王纪检）可以为这项任务添加佐证材料。');

    const attach = button(received, '作为佐证材料').value;
    const attached = await h.emu.click({
      messageId: received.messageId,
      from: wang.openId,
      value: attach,
      name: 'submit_attach',
      formValue: { item: `t:${t.id}` },
    });
    expect(attached.toast).toEqual({ type: 'success', content: `已作为任务 #${t.id} 的佐证材料` });
    expect(cardTitle({ ...received, content: JSON.stringify(attached.card) } as EmuMessage)).toBe(`责任任务 #${t.id}`);
    expect((await evidenceOf(t.id)).map((e) => [e[0], e[2]])).toEqual([['file', '岗位廉政风险点排查报告.pdf']]);
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 2 });
    expect((await eventsOf(t.id)).at(-1)).toEqual([
      'evidence',
      '王纪检',
      'not_started',
      '添加佐证材料：岗位廉政风险点排查报告.pdf',
    ]);
    // The owner's earlier card shows the file, and its 已完成 now submits for 验收.
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(card.messageId).content).includes('📎 岗位廉政风险点排查报告.pdf'),
      { what: 'file on the task card' },
    );
    expect((await clickDone(wang, card)).toast?.content).toBe('已提交，待书记或纪检委员验收');
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted' });
    // Once submitted, no more files: the evidence judged stays as it was.
    const late = await h.emu.click({
      messageId: received.messageId,
      from: wang.openId,
      value: attach,
      name: 'submit_attach',
      formValue: { item: `t:${t.id}` },
      bypassClient: true,
    });
    expect(late.toast?.content).toBe('任务当前为“待验收”，不能再添加佐证材料。');
  });

  it('验收: the 书记 returns it with a reason, then accepts it; the 台账 shows 状态, 佐证材料, 验收人, 验收时间 and 退回理由', async () => {
    const { w, wang, survey: t } = await importWithEvidence();
    const card = await taskCard(wang, t.id);
    const submitted = await submitDone(wang, card, 'https://example.feishu.cn/docx/paicha');
    expect(submitted.toast?.content).toBe('已提交，待书记或纪检委员验收');
    const ownerCard = cardText(h.emu.requireMessage(card.messageId).content);
    expect(ownerCard).toContain('**状态**：待验收');
    expect(ownerCard).not.toContain('验收通过');

    // The 书记 gets the task privately with 验收通过 / 退回 (the owner, a 纪检委员, does not review his own).
    const review = await taskCard(w.secretary, t.id);
    expect(cardText(review.content)).toContain('退回理由');
    const decide = (d: '验收通过' | '退回', reason: string, from = w.secretary) =>
      h.emu.click({
        messageId: review.messageId,
        from: from.openId,
        value: button(h.emu.requireMessage(review.messageId), d).value,
        name: d === '退回' ? 'submit_return' : 'submit_accept',
        formValue: { reason },
      });
    expect((await decide('退回', '')).toast?.content).toBe('退回需要填写理由。');
    expect((await decide('退回', '排查报告缺少科室签字')).toast?.content).toBe('已退回，已通知责任人');
    expect(await taskRow(t.id)).toMatchObject({ status: 'in_progress', done_at: null });
    const returnedLine =
      "<font color='orange'>**验收退回**：李书记于 2026-12-01 10:00 退回，请责任人补充后重新报告完成。</font>";
    // The 书记's copy shows the return, and none of the owner's buttons (they would refuse him).
    const reviewed = h.emu.requireMessage(review.messageId);
    expect(tagsOf(reviewed)).toEqual([
      ['进行中', 'blue'],
      ['已退回', 'orange'],
    ]);
    expect(cardText(reviewed.content)).toContain(returnedLine);
    expect(cardText(reviewed.content)).toContain('退回理由：排查报告缺少科室签字');
    expect(buttons(reviewed)).toEqual([]);
    // The owner's card, redrawn, says so too and keeps his buttons.
    await h.emu.waitFor(() => tagsOf(h.emu.requireMessage(card.messageId)).some(([tag]) => tag === '已退回'), {
      what: 'the owner card marked 已退回',
    });
    const ownerReturned = h.emu.requireMessage(card.messageId);
    expect(cardText(ownerReturned.content)).toContain(returnedLine);
    expect(cardText(ownerReturned.content)).toContain('退回理由：排查报告缺少科室签字');
    expect(JSON.parse(ownerReturned.content).header.template).toBe('orange');
    expect(buttons(ownerReturned).map((x) => x.text)).toEqual(['更新进度', '已完成', '遇到困难']);
    // The group's shared card: the same mark, the owner's buttons (a card for everyone in the chat).
    const seen = h.emu.botMessages(w.chat.chatId).length;
    await h.emu.sendText({
      chatId: w.chat.chatId,
      from: w.secretary.openId,
      text: `/任务 查看 ${t.id}`,
      mentionBot: true,
    });
    const shared = await talk.postedCard(h, w.chat.chatId, `责任任务 #${t.id}`, seen);
    expect(tagsOf(shared).map(([tag]) => tag)).toEqual(['进行中', '已退回']);
    expect(cardText(shared.content)).toContain('退回理由：排查报告缺少科室签字');
    expect(buttons(shared).map((x) => x.text)).toEqual(['更新进度', '已完成', '遇到困难']);
    // The 书记 asks for the task privately: his copy, without the owner's buttons.
    const before = h.emu.botMessages(p2p(w.secretary)).length;
    await h.emu.sendText({ chatId: p2p(w.secretary), from: w.secretary.openId, text: `/任务 查看 ${t.id}` });
    const asked = await talk.postedCard(h, p2p(w.secretary), `责任任务 #${t.id}`, before);
    expect(tagsOf(asked).map(([tag]) => tag)).toEqual(['进行中', '已退回']);
    expect(buttons(asked)).toEqual([]);
    await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(wang))
          .some(
            (m) =>
              m.msgType === 'text' && m.content.includes('【验收退回】') && m.content.includes('排查报告缺少科室签字'),
          ),
      { what: 'owner told of the return' },
    );

    // The evidence attached before counts: the card's 已完成 (back once the card is redrawn) submits again.
    await h.emu.waitFor(() => findButton(h.emu.requireMessage(card.messageId), '已完成'), {
      what: 'the owner card redrawn with its buttons',
    });
    clock.set(bj('2026-12-02', '09:00'));
    expect((await clickDone(wang, card)).toast?.content).toBe('已提交，待书记或纪检委员验收');
    // Reported again: the mark is gone from every card (the group's and the 书记's copies redrawn).
    for (const m of [card, shared, asked])
      await h.emu.waitFor(() => cardText(h.emu.requireMessage(m.messageId).content).includes('**状态**：待验收'), {
        what: 'the card redrawn 待验收',
      });
    for (const m of [card, shared, asked]) {
      const now = h.emu.requireMessage(m.messageId);
      expect(tagsOf(now).map(([tag]) => tag)).toEqual(['待验收']);
      expect(cardText(now.content)).not.toContain('验收退回');
    }
    const review2 = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(w.secretary))
          .findLast((m) => cardTitle(m) === `责任任务 #${t.id}` && cardText(m.content).includes('退回理由')),
      { what: 'review card' },
    );
    clock.set(bj('2026-12-02', '14:30'));
    const accept = await h.emu.click({
      messageId: review2.messageId,
      from: w.secretary.openId,
      value: button(review2, '验收通过').value,
      name: 'submit_accept',
      formValue: { reason: '' },
    });
    expect(accept.toast?.content).toBe('已验收通过');
    expect(await taskRow(t.id)).toMatchObject({ status: 'accepted', percent: 100 });
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(card.messageId).content).includes('**状态**：已完成（已验收）'),
      { what: 'owner card shows 已验收' },
    );

    // The year's 台账: each task's 状态 as the ledger says it, and who accepted it when.
    const group = w.chat.chatId;
    const reply = await talk.say(h, group, w.secretary, '/任务 导出');
    expect(messageText(reply)).toContain('已导出 3 条任务记录');
    const f = fileOf(await h.emu.waitFor(() => fileMessages(group)[0], { what: 'ledger file' }));
    const ws = await readXlsx(f.bytes);
    expect(String(ws.getCell('A1').value)).toContain('共 3 项：已完成（已验收） 1，未开始 2');
    const rows = sheetRows(ws);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      '序号',
      '类别',
      '责任内容',
      '责任领导',
      '责任人',
      '频次',
      '本期时限',
      '状态',
      '完成进度',
      '最近进展',
      '佐证材料',
      '验收人',
      '验收时间',
      '退回理由',
      '是否逾期',
    ]);
    const survey = rows.find((r) => r.责任内容 === SURVEY);
    expect(survey).toMatchObject({
      状态: '已完成（已验收）',
      佐证材料: 'https://example.feishu.cn/docx/paicha',
      验收人: '李书记',
      验收时间: '2026-12-02 14:30',
      退回理由: '2026-12-01 排查报告缺少科室签字',
      是否逾期: '否',
    });
    expect(rows.find((r) => r.责任内容 === MEETING)).toMatchObject({
      状态: '未开始',
      佐证材料: null,
      验收人: null,
      退回理由: null,
    });
  });

  it('the group board and the quarter’s roll-up count 已完成（已验收） apart from 已完成 (an item needing no acceptance), as the 台账 does', async () => {
    const { w, wang, zhang, study, survey } = await importWithEvidence();
    const group = w.chat.chatId;
    const seen = h.emu.botMessages(group).length;
    await h.emu.sendText({ chatId: group, from: w.secretary.openId, text: '/任务 看板', mentionBot: true });
    const board = await talk.postedCard(h, group, '主体责任落实看板 · 第一党支部', seen);
    expect(cardText(board.content)).toContain('合计：未开始 3，进行中 0，遇到困难 0，已完成 0，逾期 **0**');

    // 王纪检's 排查 (evidence required) is accepted by the 书记; 张组织's 学习 (none required) is done.
    expect(
      (await submitDone(wang, await taskCard(wang, survey.id), 'https://example.feishu.cn/docx/paicha')).toast?.content,
    ).toBe('已提交，待书记或纪检委员验收');
    const review = await taskCard(w.secretary, survey.id);
    const accepted = await h.emu.click({
      messageId: review.messageId,
      from: w.secretary.openId,
      value: button(review, '验收通过').value,
      name: 'submit_accept',
      formValue: { reason: '' },
    });
    expect(accepted.toast?.content).toBe('已验收通过');
    expect((await clickDone(zhang, await taskCard(zhang, study.id))).toast?.content).toBe('已标记完成');

    await h.emu.waitFor(
      () =>
        cardText(h.emu.requireMessage(board.messageId).content).includes(
          '合计：未开始 1，进行中 0，遇到困难 0，已完成（已验收） 1，已完成 1，逾期 **0**',
        ),
      { what: 'the board counting 已完成（已验收） apart' },
    );
    const [boardRows] = tableRows(h.emu.requireMessage(board.messageId).content);
    expect(boardRows).toEqual(
      expect.arrayContaining([
        { name: '王纪检', ns: '1', ip: '0', bl: '0', ac: '1', dn: '0', od: '0' },
        { name: '张组织', ns: '0', ip: '0', bl: '0', ac: '0', dn: '1', od: '0' },
      ]),
    );

    // 31 December 15:30: the roll-up to the 书记 (the 支委会 task, due on the 25th, is 逾期).
    clock.set(bj('2026-12-31', '15:30'));
    await h.app.runJob('task-quarterly', bj('2026-12-31', '15:30'));
    const secChat = p2p(w.secretary);
    const rollup = await h.emu.waitFor(
      () => h.emu.botMessages(secChat).find((m) => cardTitle(m) === '季季报汇总 · 2026年第四季度'),
      { what: 'roll-up card' },
    );
    const zeros = { ac: '0', dn: '0', rv: '0', ip: '0', ns: '0', bl: '0', od: '0', ms: '0' };
    const [owners, items] = tableRows(rollup.content);
    expect(owners).toEqual([
      { name: '王纪检', ...zeros, ac: '1', od: '1', rp: '未提交' },
      { name: '张组织', ...zeros, dn: '1', rp: '未提交' },
    ]);
    expect(items).toEqual([
      { item: `1. ${MEETING}`, ...zeros, od: '1' },
      { item: '2. 组织学习贯彻上级文件精神', ...zeros, dn: '1' },
      { item: `3. ${SURVEY}`, ...zeros, ac: '1' },
    ]);
    // The 台账 sent with it counts the same way.
    const f = fileOf(await h.emu.waitFor(() => fileMessages(secChat)[0], { what: 'ledger file' }));
    expect(String((await readXlsx(f.bytes)).getCell('A1').value)).toContain(
      '共 3 项：已完成（已验收） 1，已完成 1，逾期 1',
    );
  });

  async function seedCommittee(
    w: { secretary: EmuUser },
    org: Org,
    o: { title: string; start: Date; invited: EmuUser[]; signed: EmuUser[] },
  ) {
    const s = await createSession(h.db.db, {
      org_id: org.id,
      category: 'meeting',
      kind: 'committee',
      title: o.title,
      start_at: o.start.toISOString(),
      place: '三楼会议室',
      agenda: '研究党风廉政建设工作',
      status: 'scheduled',
      organiser_open_id: w.secretary.openId,
      organiser_name: '李书记',
      minutes: null,
      minutes_at: null,
      reflection_days: 3,
      created_at: o.start.toISOString(),
      updated_at: o.start.toISOString(),
    });
    await addAttendees(
      h.db.db,
      s.id,
      o.invited.map((u) => ({ openId: u.openId, name: u.name, voting: true })),
    );
    for (const u of o.signed)
      await answerAttendance(h.db.db, s.id, u.openId, { status: 'signed', reason: null, at: o.start.toISOString() });
    return s;
  }
  const recordMinutes = (id: number, at: Date) =>
    h.db.db
      .updateTable('sessions')
      .set({ minutes: '一、研究12月党风廉政建设工作……', minutes_at: at.toISOString() })
      .where('id', '=', id)
      .execute();

  it('linked record: only a 支委会 held this month, with its minutes, completes “每月召开支委会” — linked automatically as 关联记录', async () => {
    const { w, org, wang, zhang, meeting: t } = await importWithEvidence();
    const people = [w.secretary, wang, zhang];
    const card = await taskCard(wang, t.id);
    const refusal = (why: string) => `这项任务以本期已召开的支委会为佐证（要求：会议纪要）。${why}`;

    // No meeting at all: 已完成 is refused, and a link is not enough either.
    expect((await clickDone(wang, card)).toast?.content).toBe(
      refusal(
        '2026年12月还没有已召开的支委会记录：请通过清风发布支委会通知，会后完成签到并记录纪要；之前召开过的，可请管理员补录。清风会自动关联为佐证。',
      ),
    );
    const withLink = await submitDone(wang, card, 'https://example.feishu.cn/docx/zhiweihui');
    expect(withLink.toast?.content).toMatch(/^这项任务以本期已召开的支委会为佐证/);
    expect(cardText(h.emu.requireMessage(card.messageId).content)).toContain('佐证材料链接或说明（可选）');
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 1 });

    // One 支委会 nobody signed in to (not held), one scheduled for 10 December.
    const empty = await seedCommittee(w, org, {
      title: '12月第一次支委会',
      start: bj('2026-12-03', '15:00'),
      invited: people,
      signed: [],
    });
    const dec = await seedCommittee(w, org, {
      title: '12月支委会',
      start: bj('2026-12-10', '15:00'),
      invited: people,
      signed: [],
    });
    clock.set(bj('2026-12-05', '10:00'));
    expect((await clickDone(wang, card)).toast?.content).toBe(
      refusal('2026年12月的支委会尚未召开（只是已安排）：会后完成签到并记录纪要后，清风会自动关联为佐证。'),
    );
    const before = await h.app.runJob('task-occurrences', bj('2026-12-05', '08:10'));
    expect(before.summary).toBe('生成本期任务 0 项，记为未完成 0 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started' });

    // Held on the 10th (two of three 支委 signed in), the minutes not yet recorded: still not enough.
    for (const u of [w.secretary, wang])
      await answerAttendance(h.db.db, dec.id, u.openId, {
        status: 'signed',
        reason: null,
        at: bj('2026-12-10', '14:55').toISOString(),
      });
    clock.set(bj('2026-12-10', '19:00'));
    expect((await clickDone(wang, card)).toast?.content).toBe(
      refusal('2026年12月的支委会已召开，纪要尚未记录：记录纪要后，清风会自动关联为佐证。'),
    );
    await h.app.runJob('task-occurrences', bj('2026-12-10', '19:10'));
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started' });

    // The minutes recorded: the next check links the meeting and sends the task for 验收.
    await recordMinutes(dec.id, bj('2026-12-11', '09:00'));
    const linked = await h.app.runJob('task-occurrences', bj('2026-12-11', '09:10'));
    expect(linked.summary).toBe('生成本期任务 0 项，关联会议记录完成 1 项，记为未完成 0 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted', percent: 100, late: 0 });
    expect(await evidenceOf(t.id)).toEqual([
      ['record', `session:${dec.id}`, '关联记录：支委会“12月支委会”（2026-12-10）'],
    ]);
    expect((await eventsOf(t.id)).at(-1)).toEqual([
      'linked',
      '清风',
      'submitted',
      '关联记录：支委会“12月支委会”（2026-12-10）',
    ]);
    expect(empty.id).not.toBe(dec.id);
    await h.emu.waitFor(
      () =>
        cardText(h.emu.requireMessage(card.messageId).content).includes('关联记录：支委会“12月支委会”（2026-12-10）'),
      { what: 'the owner card shows the linked record' },
    );
    expect(cardText(h.emu.requireMessage(card.messageId).content)).toContain('**状态**：待验收');
    // Checked again: nothing more.
    expect((await h.app.runJob('task-occurrences', bj('2026-12-11', '12:10'))).summary).toBe(
      '生成本期任务 0 项，记为未完成 0 项',
    );
    expect(await evidenceOf(t.id)).toHaveLength(1);

    // The 书记 accepts it on the review card sent to him.
    const review = await taskCard(w.secretary, t.id);
    expect(cardText(review.content)).toContain('关联记录：支委会“12月支委会”（2026-12-10）');
    const accept = await h.emu.click({
      messageId: review.messageId,
      from: w.secretary.openId,
      value: button(review, '验收通过').value,
      name: 'submit_accept',
      formValue: { reason: '' },
    });
    expect(accept.toast?.content).toBe('已验收通过');
    expect(await taskRow(t.id)).toMatchObject({ status: 'accepted' });
  });

  it('linked record, reported by the owner: 已完成 after the meeting is held links it at once', async () => {
    const { w, org, wang, zhang, meeting: t } = await importWithEvidence();
    const dec = await seedCommittee(w, org, {
      title: '12月支委会',
      start: bj('2026-12-08', '15:00'),
      invited: [w.secretary, wang, zhang],
      signed: [w.secretary, wang, zhang],
    });
    await recordMinutes(dec.id, bj('2026-12-08', '17:00'));
    clock.set(bj('2026-12-09', '10:00'));
    const card = await taskCard(wang, t.id);
    expect((await clickDone(wang, card)).toast?.content).toBe('已提交，待书记或纪检委员验收');
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted' });
    expect(await evidenceOf(t.id)).toEqual([
      ['record', `session:${dec.id}`, '关联记录：支委会“12月支委会”（2026-12-08）'],
    ]);
  });

  it('a meeting held on the period’s last day keeps it open until the minutes come, then completes it (late: held after the due date)', async () => {
    const { w, org, wang, zhang, meeting: t } = await importWithEvidence(bj('2026-12-28', '10:00'));
    const dec = await seedCommittee(w, org, {
      title: '年末支委会',
      start: bj('2026-12-31', '09:00'),
      invited: [w.secretary, wang, zhang],
      signed: [w.secretary, wang],
    });
    // 1 January: the December task is not marked 未完成 while the minutes are within their due date.
    clock.set(bj('2027-01-01', '00:10'));
    const newYear = await h.app.runJob('task-occurrences', bj('2027-01-01', '00:10'));
    // (The quarterly study item of 张组织 starts 2027Q1; its 2026Q4 task, undone, is 未完成.)
    expect(newYear.summary).toBe('生成本期任务 2 项，记为未完成 1 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started' });

    await recordMinutes(dec.id, bj('2027-01-04', '09:00'));
    clock.set(bj('2027-01-04', '09:10'));
    const after = await h.app.runJob('task-occurrences', bj('2027-01-04', '09:10'));
    expect(after.summary).toBe('生成本期任务 0 项，关联会议记录完成 1 项，记为未完成 0 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted', late: 1 });
    // The January task is not completed by December's meeting.
    const jan = await h.db.db
      .selectFrom('tasks')
      .selectAll()
      .where('item_id', '=', t.item_id)
      .where('period', '=', '2027-01')
      .executeTakeFirstOrThrow();
    expect(jan.status).toBe('not_started');
  });

  it('a month whose only 支委会 nobody signed in to is 未完成: a not-held meeting never completes the task', async () => {
    const { w, org, wang, zhang, meeting: t } = await importWithEvidence(bj('2026-12-28', '10:00'));
    await seedCommittee(w, org, {
      title: '12月支委会',
      start: bj('2026-12-15', '15:00'),
      invited: [w.secretary, wang, zhang],
      signed: [],
    });
    const newYear = await h.app.runJob('task-occurrences', bj('2027-01-01', '00:10'));
    expect(newYear.summary).toBe('生成本期任务 2 项，记为未完成 2 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'missed' });
    expect(await evidenceOf(t.id)).toEqual([]);
  });

  it('a yearly 组织生活会 held in January counts for the year before: the task stays open until then, then is completed', async () => {
    clock = new ManualClock(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const [wang, zhang] = w.members as [EmuUser, EmuUser];
    const form = await talk.say(h, w.chat.chatId, w.secretary, '/任务 新建');
    await h.emu.click({
      messageId: form.messageId,
      from: w.secretary.openId,
      value: button(form, '创建').value,
      name: 'submit_task_new',
      formValue: {
        content: '召开年度组织生活会，开展民主评议党员',
        owners: [wang.openId],
        leader: '李书记',
        cadence: 'yearly',
        due: '',
        category: '组织建设',
        evidence: '',
      },
    });
    const t = await h.db.db.selectFrom('tasks').selectAll().where('org_id', '=', org.id).executeTakeFirstOrThrow();
    expect(t).toMatchObject({ period: '2026', due_date: '2026-12-31' });

    // 1 January: not 未完成 — the 2026 组织生活会 may still be held until February.
    const newYear = await h.app.runJob('task-occurrences', bj('2027-01-01', '00:10'));
    expect(newYear.summary).toBe('生成本期任务 1 项，记为未完成 0 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started' });

    // Held on 20 January 2027 (both signed in): it completes the 2026 task, not the 2027 one.
    const s = await createSession(h.db.db, {
      org_id: org.id,
      category: 'meeting',
      kind: 'life_meeting',
      title: '2026年度组织生活会',
      start_at: bj('2027-01-20', '09:00').toISOString(),
      place: '三楼会议室',
      agenda: '对照检查，开展批评和自我批评',
      status: 'scheduled',
      organiser_open_id: w.secretary.openId,
      organiser_name: '李书记',
      minutes: null,
      minutes_at: null,
      reflection_days: 3,
      created_at: bj('2027-01-10', '09:00').toISOString(),
      updated_at: bj('2027-01-10', '09:00').toISOString(),
    });
    await addAttendees(
      h.db.db,
      s.id,
      [wang, zhang].map((u) => ({ openId: u.openId, name: u.name, voting: true })),
    );
    for (const u of [wang, zhang])
      await answerAttendance(h.db.db, s.id, u.openId, {
        status: 'signed',
        reason: null,
        at: bj('2027-01-20', '09:00').toISOString(),
      });
    clock.set(bj('2027-01-21', '09:00'));
    const linked = await h.app.runJob('task-occurrences', bj('2027-01-21', '09:10'));
    expect(linked.summary).toBe('生成本期任务 0 项，关联会议记录完成 1 项，记为未完成 0 项');
    expect(await taskRow(t.id)).toMatchObject({ status: 'done', late: 1 });
    expect(await evidenceOf(t.id)).toEqual([
      ['record', `session:${s.id}`, '关联记录：组织生活会“2026年度组织生活会”（2027-01-20）'],
    ]);
    const next = await h.db.db
      .selectFrom('tasks')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('period', '=', '2027')
      .executeTakeFirstOrThrow();
    expect(next.status).toBe('not_started');
  });

  it('a quarter with nothing due: the roll-up and the 台账 say so, never “全部已提交”', async () => {
    clock = new ManualClock(bj('2026-12-31', '14:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检'] });
    // One item, due next quarter.
    const form = await talk.say(h, w.chat.chatId, w.secretary, '/任务 新建');
    const wang = w.members[0] as EmuUser;
    const created = await h.emu.click({
      messageId: form.messageId,
      from: w.secretary.openId,
      value: button(form, '创建').value,
      name: 'submit_task_new',
      formValue: {
        content: '制定2027年党风廉政建设工作计划',
        owners: [wang.openId],
        leader: '李书记',
        cadence: 'once',
        due: '2027-03-01 +0800',
        category: '制度建设',
        evidence: '工作计划文件',
      },
    });
    expect(created.toast?.content).toContain('已创建');
    const run = await h.app.runJob('task-quarterly', bj('2026-12-31', '15:30'));
    expect(run).toMatchObject({ posted: 1, failed: 0 });
    const secChat = p2p(w.secretary);
    const rollup = await h.emu.waitFor(
      () => h.emu.botMessages(secChat).find((m) => cardTitle(m) === '季季报汇总 · 2026年第四季度'),
      { what: 'roll-up card' },
    );
    const text = cardText(rollup.content);
    expect(text).toContain('本季度没有到期的责任任务。');
    expect(text).not.toContain('全部');
    const f = fileOf(await h.emu.waitFor(() => fileMessages(secChat)[0], { what: 'ledger file' }));
    const ws = await readXlsx(f.bytes);
    const title = String(ws.getCell('A1').value);
    expect(title).toContain('本期没有到期的责任任务');
    expect(title).not.toContain('全部');
    expect(sheetRows(ws)).toEqual([]);
  });
});
