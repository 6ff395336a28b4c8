/**
 * Hostile user text (@all tags, `@_all`, markdown links, card JSON, HTML/script, SQL, invisible characters, emoji,
 * 100,000 characters) through real flows: names, rectification/task/meeting forms, 延期/进展/销号/退回, 指派, 请假,
 * 纪要/改期/取消, file names, an org name, exports. Everything the bot sent has no live markup and was accepted;
 * tables survive; long text is cut. Stored text that other commands echo later — batch names (/巡察), the 节前
 * template (/日历 模板), a member's Feishu name, an unknown command's name — carries @all, a chosen mention
 * and markdown through to the end, and nothing the bot sent in any chat holds them live. In Chromium the sandbox console shows it all as text and runs none of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { CallbackResult } from '../../src/sandbox/emulator.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, startBot } from '../helpers/bot.ts';
import {
  buttonOf,
  cardTitle,
  liveMarkup,
  markdownOf,
  markupProblems,
  PROBE_IDS,
  PROBE_MARKDOWN,
  say,
  sendFile,
  settle,
  tablesAnswer,
  textOf,
} from '../helpers/security-world.ts';

const AT_ALL = '<at id=all></at>';
const AT_ALL_TEXT = '<at user_id="all"></at>';
const MD_LINK = '[领取](http://evil)';
const CARD_JSON =
  'x"},{"tag":"button","text":{"tag":"plain_text","content":"领取"},"behaviors":[{"type":"open_url","default_url":"http://evil"}]}],"y":{"z":"';
const HTML = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(1)</script>';
const SQLI = "x'); DROP TABLE orgs;--";
const HIDDEN = '<a\u200Bt id=all></a\u200Bt>\u202E\u2066';
const EMOJI = '👍🏻🇨🇳';
/** A mention of someone chosen by whoever typed it (no such user: a live one would ping ou_x). */
const AT_PROBE = `<at user_id="${PROBE_IDS[0]}"></at>`;
/** Emphasis, a link and a colour that must reach cards as text. */
const MD_PROBE = `${PROBE_MARKDOWN.join('')}红</font>`;
/** Everything at once (about 400 characters). */
const PAYLOAD = [
  AT_ALL,
  AT_ALL_TEXT,
  '@_all',
  AT_PROBE,
  MD_LINK,
  MD_PROBE,
  CARD_JSON,
  HTML,
  SCRIPT,
  SQLI,
  HIDDEN,
  EMOJI,
  '整改',
].join(' ');
/** Within 100 characters (the /请假 reason, meeting titles). */
const SHORT = `${AT_ALL_TEXT}${AT_ALL}${MD_LINK}${SCRIPT}${EMOJI}`;
/** 100,000 characters, starting with one ASCII letter so a cut counted in UTF-16 units splits an emoji. */
const LONG = `x${'👍'.repeat(49_999)}${'廉'.repeat(50_000)}`;
/** No stored user text is longer than this (the largest limit anywhere: minutes and reflections). */
const MAX_STORED = 5000;

/** Parts of a card that only the card-JSON payload could have added (the bot never builds them). */
function injectedStructure(content: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('default_url' in o || o.type === 'open_url') out.push('an open_url behaviour');
      if (o.tag === 'button' && (o.text as { content?: string } | undefined)?.content === '领取')
        out.push('a 领取 button');
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(content));
  return out;
}

describe('injection through user text', () => {
  let h: BotHarness;
  let chat: string;
  let sec: EmuUser;
  let inspector: EmuUser;
  /** Members whose names try to escape. */
  let atAll: EmuUser;
  let mdName: EmuUser;
  let htmlName: EmuUser;
  let plainMember: EmuUser;
  /** A member whose Feishu name mentions someone and carries markdown. */
  let probeName: EmuUser;
  const answers: { where: string; r: CallbackResult }[] = [];
  const reported = new Set<string>();
  /** Business time, moved forward once so a meeting has taken place. */
  const clock = { at: Date.parse('2026-12-01T02:00:00Z'), now: () => new Date(clock.at) };
  let outboxMark = 0;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const lastCard = (chatId: string, title: string | RegExp) =>
    h.emu.waitFor(
      () =>
        [...h.emu.botMessages(chatId)]
          .reverse()
          .find(
            (m) =>
              m.msgType === 'interactive' &&
              (typeof title === 'string' ? cardTitle(m) === title : title.test(cardTitle(m))),
          ),
      { what: `card ${String(title)}` },
    );

  async function click(
    where: string,
    m: EmuMessage,
    from: EmuUser,
    button: string | RegExp,
    formValue?: Record<string, unknown>,
  ): Promise<CallbackResult> {
    const b = buttonOf(h.emu.requireMessage(m.messageId), button);
    const r = await h.emu.click({ messageId: m.messageId, from: from.openId, value: b.value, name: b.name, formValue });
    answers.push({ where, r });
    expect(r.error, where).toBeUndefined();
    await settle(h);
    return r;
  }

  /** Everything the bot queued since the last check, and every callback answer: no live markup, all accepted. */
  async function expectClean(): Promise<void> {
    await settle(h);
    const rows = await h.db.db.selectFrom('outbox').selectAll().where('id', '>', outboxMark).orderBy('id').execute();
    // Each test reports what its own flow sent.
    outboxMark = rows.at(-1)?.id ?? outboxMark;
    const problems: string[] = [];
    for (const row of rows) {
      if (row.msg_type !== 'text' && row.msg_type !== 'interactive') continue;
      const content = (JSON.parse(row.payload) as { content: string }).content;
      const what = `outbox #${row.id} ${row.kind} ${row.msg_type} “${textOf({ msgType: row.msg_type, content }).slice(0, 60)}”`;
      for (const p of liveMarkup({ msgType: row.msg_type, content })) problems.push(`${what}: ${p}`);
      if (row.msg_type === 'interactive') for (const p of injectedStructure(content)) problems.push(`${what}: ${p}`);
    }
    for (const { where, r } of answers.splice(0)) {
      for (const s of markdownOf(r.card))
        for (const p of markupProblems(s, 'markdown')) problems.push(`${where} (callback answer): ${p}`);
    }
    expect.soft(problems).toEqual([]);
    // Every message was accepted by "Feishu": nothing dead, no card refused (230099) or too long (230025).
    const dead = rows.filter((r) => r.status !== 'sent');
    expect.soft(dead.map((r) => [r.id, r.kind, r.status, r.last_error])).toEqual([]);
    const refused = h.emu.store.apiLog.filter((c) => c.code === 230099 || c.code === 230025 || c.code === 230001);
    expect.soft(refused).toEqual([]);
    expect.soft(await tablesAnswer(h.db.db)).toEqual([]);
  }

  type Stored =
    | 'rectifications'
    | 'rectification_evidence'
    | 'rectification_events'
    | 'extension_requests'
    | 'duty_items'
    | 'sessions'
    | 'members'
    | 'pending_imports'
    | 'session_attendees'
    | 'task_events'
    | 'orgs';

  /** No stored text column of these tables is longer than MAX_STORED or holds half a character. */
  async function expectCut(tables: Stored[]) {
    const found: string[] = [];
    for (const t of tables) {
      const rows = (await h.db.db.selectFrom(t).selectAll().execute()) as unknown as Record<string, unknown>[];
      for (const row of rows) {
        for (const [k, v] of Object.entries(row)) {
          if (typeof v !== 'string') continue;
          const at = `${t}.${k} of row ${String(row.id ?? row.session_id ?? '')}`;
          const n = Array.from(v).length;
          const problems = [
            ...(n > MAX_STORED ? [`${at}: ${n} characters stored`] : []),
            ...(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/.test(v)
              ? [`${at}: ends in half a character (cut inside a surrogate pair)`]
              : []),
          ];
          // Each test reports what its own flow stored.
          for (const p of problems) if (!reported.has(p)) found.push(p);
          for (const p of problems) reported.add(p);
        }
      }
    }
    expect.soft(found).toEqual([]);
  }

  beforeAll(async () => {
    h = await startBot({ clock });
    sec = h.emu.addUser('李书记');
    inspector = h.emu.addUser('王纪检');
    atAll = h.emu.addUser(AT_ALL);
    mdName = h.emu.addUser('**王**[x](http://evil)');
    htmlName = h.emu.addUser(`${AT_ALL_TEXT}${HTML}${SCRIPT}`);
    plainMember = h.emu.addUser('赵党员');
    probeName = h.emu.addUser(`${AT_PROBE}${MD_PROBE}`);
    const group = h.emu.createGroup({
      name: '第一党支部',
      owner: sec.openId,
      members: [inspector, atAll, mdName, htmlName, plainMember, probeName].map((u) => u.openId),
    });
    chat = group.chatId;
    await say(h, chat, sec, '/绑定 第一党支部');
    await say(h, chat, sec, `/角色 @{${inspector.openId}} 纪检委员`);
    // Roles set by mention show the names in the answers.
    await say(h, chat, sec, `/角色 @{${htmlName.openId}} 宣传委员`);
  }, 30_000);

  afterAll(async () => h?.stop());

  it('rectifications: the form, 延期 by command and by card, progress, 销号, 退回, lists and 我的', async () => {
    const form = (await say(h, chat, sec, '/整改 新建')).replies[0] as EmuMessage;
    const created = await click('create', form, sec, '创建', {
      problem: PAYLOAD,
      measures: PAYLOAD,
      owner: atAll.openId,
      leader: SHORT,
      deadline: '2026-12-20 +0800',
      kind: 'centralized',
      source: '巡察',
      area: SHORT,
    });
    const id = Number(/#(\d+)/.exec(created.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const stored = await h.db.db
      .selectFrom('rectifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.problem).toBe(PAYLOAD); // kept verbatim: escaping happens where it is shown
    // A second item whose every field is 100,000 characters long.
    const form2 = (await say(h, chat, sec, '/整改 新建')).replies[0] as EmuMessage;
    const created2 = await click('create long', form2, sec, '创建', {
      problem: LONG,
      measures: LONG,
      owner: mdName.openId,
      leader: LONG,
      deadline: '2026-12-21 +0800',
      kind: 'centralized',
      source: '巡察',
      area: LONG,
    });
    const id2 = Number(/#(\d+)/.exec(created2.toast?.content ?? '')?.[1]);
    expect(id2).toBeGreaterThan(0);

    // 延期 by command (the reason is free text) and, for the second item, through the card with 100,000 characters.
    const extend = await say(h, chat, atAll, `/整改 延期 ${id} 2026-12-31 ${PAYLOAD}`);
    expect(extend.texts[0]).toContain('已提交延期申请');
    const card2 = await lastCard(p2p(mdName), `整改事项 #${id2}`);
    await click('extend form', card2, mdName, '申请延期');
    await click('extend', card2, mdName, '提交延期申请', { date: '2027-01-31 +0800', reason: LONG });
    // …and its progress, 销号 and 退回, every free-text field 100,000 characters long.
    await click('progress form long', card2, mdName, '报告进展');
    await click('progress long', card2, mdName, '提交进展', { percent: '30', done: LONG, link: LONG });
    await click('close form long', card2, mdName, '申请销号');
    await click('close long', card2, mdName, '提交销号申请', { link: LONG, note: LONG });
    const review2 = await lastCard(p2p(sec), `销号审核 · 整改事项 #${id2}`);
    await click('return form long', review2, sec, '退回');
    await click('return long', review2, sec, '确认退回', { reason: LONG });

    // Progress, 销号 and a 退回 with a reason, all carrying the payload.
    const card = await lastCard(p2p(atAll), `整改事项 #${id}`);
    await click('progress form', card, atAll, '报告进展');
    await click('progress', card, atAll, '提交进展', { percent: '60', done: PAYLOAD, link: MD_LINK });
    await click('close form', card, atAll, '申请销号');
    await click('close', card, atAll, '提交销号申请', { link: `javascript:alert(1) ${MD_LINK}`, note: PAYLOAD });
    const review = await lastCard(p2p(sec), `销号审核 · 整改事项 #${id}`);
    await click('return form', review, sec, '退回');
    await click('return', review, sec, '确认退回', { reason: PAYLOAD });

    for (const text of [
      '/整改 列表 全部',
      `/整改 查看 ${id}`,
      `/整改 查看 ${id2}`,
      '/整改 列表 待审核',
      '/巡察 列表',
    ]) {
      await say(h, chat, sec, text);
    }
    await say(h, chat, atAll, '/我的');
    await say(h, chat, atAll, '/整改');
    await say(h, chat, sec, `/整改 列表 @{${atAll.openId}}`);
    await expectClean();
    await expectCut(['rectifications', 'rectification_events', 'extension_requests', 'rectification_evidence']);
  });

  it('tasks: the form, 指派 to a member with a hostile name, 遇到困难, lists and the board', async () => {
    const form = (await say(h, chat, sec, '/任务 新建')).replies[0] as EmuMessage;
    await click('task create', form, sec, '创建', {
      content: PAYLOAD,
      owners: [mdName.openId],
      leader: SHORT,
      cadence: 'once',
      due: '2026-12-25 +0800',
      category: '组织建设',
      evidence: PAYLOAD,
    });
    const form2 = (await say(h, chat, sec, '/任务 新建')).replies[0] as EmuMessage;
    await click('task create long', form2, sec, '创建', {
      content: LONG,
      owners: [plainMember.openId],
      leader: LONG,
      cadence: 'once',
      due: '2026-12-26 +0800',
      category: '组织建设',
      evidence: LONG,
    });
    const task = await h.db.db
      .selectFrom('tasks')
      .selectAll()
      .where('owner_open_id', '=', mdName.openId)
      .executeTakeFirstOrThrow();
    const assigned = await say(h, chat, sec, `/任务 指派 ${task.id} @{${atAll.openId}}`);
    expect(assigned.texts[0]).toContain('增加责任人');
    const own = await lastCard(p2p(mdName), `责任任务 #${task.id}`);
    await click('blocked form', own, mdName, '遇到困难');
    await click('blocked', own, mdName, '提交并通知书记', { reason: PAYLOAD });
    for (const text of ['/任务 列表 全部', `/任务 查看 ${task.id}`, '/清单', '/任务 看板'])
      await say(h, chat, sec, text);
    await say(h, chat, mdName, '/任务');
    await expectClean();
    await expectCut(['duty_items', 'task_events']);
  });

  it('meetings: the form, 请假 with a reason, 纪要, 改期 and 取消 with a reason', async () => {
    const form = (await say(h, chat, sec, '/会议 新建 专题会议')).replies[0] as EmuMessage;
    const published = await click('meeting create', form, sec, '发布通知', {
      kind: 'special',
      title: SHORT,
      start: '2026-12-10 15:00 +0800',
      place: PAYLOAD,
      agenda: PAYLOAD,
      attendees: [],
    });
    const id = Number(/#(\d+)/.exec(published.toast?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    const form2 = (await say(h, chat, sec, '/学习 新建 警示教育')).replies[0] as EmuMessage;
    await click('study create long', form2, sec, '发布通知', {
      kind: 'warning',
      title: LONG,
      start: '2026-12-11 15:00 +0800',
      place: LONG,
      agenda: LONG,
      attendees: [],
      days: '5',
    });
    const notice = await lastCard(chat, new RegExp(`#${id}|专题会议`));
    // The 请假 form on a group card opens in the member's private chat.
    await click('leave form', notice, htmlName, '请假');
    const leaveForm = await lastCard(p2p(htmlName), /专题会议/);
    await click('leave', leaveForm, htmlName, '提交请假', { reason: PAYLOAD });
    await say(h, chat, sec, `/会议 改期 ${id} 2026-12-18 15:00`);
    await say(h, chat, sec, `/会议 查看 ${id}`);
    await say(h, chat, sec, '/会议');
    await say(h, chat, sec, '/学习');
    await say(h, chat, sec, `/会议 取消 ${id} ${PAYLOAD.slice(0, 190)}`);
    // A second meeting that has taken place: its minutes, by command, carrying the payload.
    const form3 = (await say(h, chat, sec, '/会议 新建 支委会')).replies[0] as EmuMessage;
    const held = await click('meeting create 2', form3, sec, '发布通知', {
      kind: 'committee',
      title: SHORT,
      start: '2026-12-01 15:00 +0800',
      place: '会议室',
      agenda: '',
      attendees: [],
    });
    const id3 = Number(/#(\d+)/.exec(held.toast?.content ?? '')?.[1]);
    clock.at = Date.parse('2026-12-01T08:00:00Z');
    const minutes = await say(h, chat, sec, `/会议 纪要 ${id3} ${PAYLOAD}`);
    expect(minutes.texts[0]).toContain('纪要');
    await expectClean();
    await expectCut(['sessions', 'session_attendees']);
  });

  it('/请假 with a hostile reason, a 100,000-character command, and /我的', async () => {
    const away = await say(h, chat, atAll, `/请假 2026-12-10 ${SHORT}`);
    expect(away.texts[0]).toContain('已登记请假');
    const tooLong = await say(h, chat, atAll, `/请假 2026-12-10 ${LONG}`);
    expect(tooLong.texts).toHaveLength(1);
    expect(tooLong.texts[0]).not.toContain('👍👍');
    await say(h, chat, atAll, '/我的');
    await say(h, chat, htmlName, '/帮助');
    await expectClean();
    await expectCut(['members']);
  });

  it('file names: shown as text to a member without items, to one with items, and on an import preview', async () => {
    const name = `${AT_ALL_TEXT}${MD_LINK}${HTML}.pdf`;
    const none = await sendFile(h, p2p(plainMember), plainMember, name, Buffer.from('%PDF-1.4'));
    expect(none.texts).toHaveLength(1);
    const some = await sendFile(h, p2p(mdName), mdName, name, Buffer.from('%PDF-1.4'));
    expect(some.replies).toHaveLength(1);
    // An admin's spreadsheet with a hostile name (and hostile cells) becomes an import preview.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('整改台账');
    ws.addRow(['问题描述', '责任人', '整改时限', '整改措施']);
    ws.addRow([PAYLOAD, '王纪检', '2026-12-31', MD_LINK]);
    const bytes = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const preview = await sendFile(h, p2p(sec), sec, `${AT_ALL_TEXT}${MD_LINK}.xlsx`, bytes);
    const card = preview.replies[0] as EmuMessage;
    expect(cardTitle(card)).toContain('导入预览');
    await click('import confirm', card, sec, /^确认导入/);
    // A long name (Feishu caps file names, so 300 characters rather than 100,000), mostly emoji.
    const longName = `x${'👍'.repeat(300)}.pdf`;
    const attach = await sendFile(h, p2p(mdName), mdName, longName, Buffer.from('%PDF-1.4'));
    expect(attach.replies).toHaveLength(1);
    const longSheet = await sendFile(h, p2p(sec), sec, `x${'👍'.repeat(300)}.xlsx`, bytes);
    expect(cardTitle(longSheet.replies[0] as EmuMessage)).toContain('导入预览');
    await expectClean();
    await expectCut(['pending_imports', 'rectifications']);
  });

  it('an org named with markup: bind, bind again, export', async () => {
    const owner = h.emu.addUser('钱书记');
    const g = h.emu.createGroup({ name: '学习小组', owner: owner.openId, members: [plainMember.openId] });
    const orgName = `${AT_ALL_TEXT}${MD_LINK}`;
    const bound = await say(h, g.chatId, owner, `/绑定 ${orgName}`);
    expect(bound.texts.join('')).toContain('已绑定');
    const again = await say(h, g.chatId, owner, `/绑定 ${orgName}`);
    expect(again.texts).toHaveLength(1);
    const exported = await say(h, g.chatId, owner, '/整改 导出');
    expect(exported.texts[0]).toContain('已导出');
    await say(h, g.chatId, owner, '/帮助');
    await say(h, p2p(owner), owner, '/我的');
    await expectClean();
  });

  it('stored text echoed later: batch names (/巡察), the 节前 template (/日历 模板), names, unknown commands', async () => {
    const batches = ['<at user_id="all">所有人</at>', AT_ALL, AT_PROBE, `${MD_PROBE}第二轮`, `${AT_ALL_TEXT}${HTML}`];
    for (const name of batches) {
      const created = await say(h, chat, sec, `/巡察 反馈 2026-11-20 ${name}`);
      expect(created.replies, name).toHaveLength(1);
    }
    const stored = await h.db.db.selectFrom('inspection_batches').select('name').execute();
    // Kept verbatim (escaping happens where they are shown).
    for (const name of batches) expect(stored.map((b) => b.name)).toContain(name);
    // Every member's /巡察 lists them; each one's view, by name.
    const list = await say(h, chat, plainMember, '/巡察');
    expect(list.texts[0]).toContain('巡察整改批次');
    expect(list.texts[0]).toContain('所有人');
    await say(h, chat, plainMember, '/巡察 列表');
    for (const name of batches) await say(h, chat, plainMember, `/巡察 查看 ${name}`);
    // The 节前 template, shown back to the admin and posted to the group before 元旦.
    const template = `{节日}将至。<at user_id="all">所有人</at>${PAYLOAD}`;
    await say(h, chat, sec, `/日历 模板 ${template}`);
    const shown = await say(h, chat, sec, '/日历 模板');
    expect(shown.texts[0]).toContain('当前节前廉政提醒');
    expect(shown.texts[0]).toContain('所有人');
    await h.app.runJob('holiday-reminder', new Date('2026-12-28T01:00:00Z'));
    // A member whose Feishu name carries the probes: named in answers and on cards.
    await say(h, chat, sec, `/角色 @{${probeName.openId}} 宣传委员`);
    await say(h, chat, probeName, '/我的');
    await say(h, chat, probeName, `/请假 2026-12-10 ${AT_PROBE}`);
    const form = (await say(h, chat, sec, '/整改 新建')).replies[0] as EmuMessage;
    await click('create for a probe name', form, sec, '创建', {
      problem: `${MD_PROBE}问题`,
      measures: AT_PROBE,
      owner: probeName.openId,
      leader: MD_PROBE,
      deadline: '2026-12-24 +0800',
      kind: 'centralized',
      source: '巡察',
      area: AT_PROBE,
    });
    await say(h, chat, sec, '/整改 列表 全部');
    // Unknown commands and parse errors echo what was typed.
    for (const text of [
      '/<at user_id="all">所有人</at>',
      `/${AT_PROBE}`,
      '/<at>',
      `/${PROBE_MARKDOWN[0]}`,
      `/${PROBE_MARKDOWN[1]}`,
      `/巡察 查看 "${AT_ALL_TEXT}`,
    ]) {
      const answer = await say(h, chat, sec, text);
      expect(answer.replies, text).toHaveLength(1);
    }
    await say(h, p2p(sec), sec, AT_ALL_TEXT);
    await say(h, p2p(sec), sec, `/${AT_ALL_TEXT}`);
    await expectClean();
  });

  it('exports carry the text as plain cell values, never formulas', async () => {
    await say(h, chat, sec, '/整改 导出');
    await say(h, chat, sec, '/任务 导出');
    await say(h, chat, sec, '/会议 导出 2026');
    const files = [...h.emu.store.files.values()].filter((f) => f.owner === 'bot' && f.name.endsWith('.xlsx'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    let seen = 0;
    for (const f of files) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(f.bytes as unknown as ArrayBuffer);
      wb.eachSheet((ws) =>
        ws.eachRow((row) =>
          row.eachCell((cell) => {
            expect(cell.formula, `${f.name} ${cell.address}`).toBeUndefined();
            expect(cell.type, `${f.name} ${cell.address}`).not.toBe(ExcelJS.ValueType.Formula);
            if (typeof cell.value === 'string' && cell.value.includes('DROP TABLE')) seen++;
          }),
        ),
      );
    }
    expect(seen).toBeGreaterThan(0);
    await expectClean();
  });

  it('nothing the bot sent, in any chat, holds markup from stored text (every message and card as it stands)', async () => {
    await settle(h);
    const problems: string[] = [];
    let scanned = 0;
    for (const m of h.emu.store.messages.values()) {
      if (m.senderType === 'user' || (m.msgType !== 'text' && m.msgType !== 'interactive')) continue;
      scanned++;
      for (const p of liveMarkup(m)) problems.push(`${m.messageId} ${m.msgType} “${textOf(m).slice(0, 60)}”: ${p}`);
    }
    expect(scanned).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});

describe('injection in the sandbox console (Chromium)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qf-sec-console-'));
    sandbox = await startSandbox({
      config: loadConfig({ PORT: '0', LOG_LEVEL: 'info' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows hostile names, messages and card text as text, and runs none of it', async () => {
    const emu = sandbox.emu;
    const XSS = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=2</script>',
      '<svg/onload=window.__xss=3>',
      '[点我](javascript:window.__xss=4)',
      '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
    ];
    const group = [...emu.store.chats.values()].find((c) => c.type === 'group') as { chatId: string };
    const secretary = [...emu.store.users.values()].find((u) => u.name === '李明华') as EmuUser;
    const evil = emu.addUser(XSS[0] as string);
    await emu.addUsersToChat(group.chatId, [evil.openId], secretary.openId);
    const wait = (check: () => unknown, what: string) =>
      emu.waitFor(() => check() || undefined, { what, timeoutMs: 10_000 });
    const botAnswer = async (chatId: string, from: EmuUser, text: string) => {
      const sent = await emu.sendText({
        chatId,
        from: from.openId,
        text,
        mentionBot: emu.requireChat(chatId).type === 'group',
      });
      return wait(
        () => emu.botMessages(chatId).find((m) => m.parentId === sent.messageId),
        `answer to ${text.slice(0, 20)}`,
      ) as Promise<EmuMessage>;
    };
    // Chatter carrying every payload, a rectification created with them, and a leave reason.
    for (const x of XSS) await emu.sendText({ chatId: group.chatId, from: evil.openId, text: x });
    const form = await botAnswer(group.chatId, secretary, '/整改 新建');
    const b = buttonOf(form, '创建');
    const problem = XSS.join(' ');
    const created = await emu.click({
      messageId: form.messageId,
      from: secretary.openId,
      value: b.value,
      name: b.name,
      formValue: {
        problem,
        measures: XSS.join('\n'),
        owner: evil.openId,
        leader: XSS[1],
        deadline: '2030-12-20 +0800',
        kind: 'centralized',
        source: '巡察',
        area: XSS[2],
      },
    });
    expect(created.toast?.content).toMatch(/已创建整改事项/);
    await botAnswer(group.chatId, evil, `/请假 2030-12-10 ${XSS[0]}`);
    await botAnswer(emu.p2pChat(evil.openId).chatId, evil, '/我的');
    await wait(
      () => emu.botMessages(emu.p2pChat(evil.openId).chatId).some((m) => m.content.includes('整改事项')),
      'the owner card',
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(sandbox.url);
    await page.locator('body[data-ready]').waitFor({ timeout: 10_000 });
    const chatItems = page.locator('.chat-item');
    // The group, as the hostile user.
    await page.selectOption('#identity', evil.openId);
    await page.locator('.chat-item', { hasText: '第一党支部' }).first().click();
    for (const x of XSS) await page.locator('.msg .text', { hasText: x }).first().waitFor({ timeout: 10_000 });
    await page
      .locator('.msg', { hasText: problem.slice(0, 30) })
      .first()
      .waitFor({ timeout: 10_000 });
    // Every chat the hostile user is in (the private one holds the item card with every field).
    const n = await chatItems.count();
    for (let i = 0; i < n; i++) {
      await chatItems.nth(i).click();
      // Its messages are fetched and drawn: no request left in flight.
      await page.waitForLoadState('networkidle');
    }
    await page
      .locator('.chat-item', { hasText: XSS[0] as string })
      .first()
      .click();
    // The private chat is shown (not the last one clicked above; its messages load after the title),
    // and its item card shows the <script> problem as text: were it parsed, this text would not be there.
    await page.locator('#chat-title', { hasText: XSS[0] as string }).waitFor({ timeout: 10_000 });
    await page
      .locator('.card', { hasText: XSS[1] as string })
      .first()
      .waitFor({ timeout: 10_000 });
    const cardText =
      (await page
        .locator('.card', { hasText: '整改事项' })
        .filter({ hasText: XSS[1] as string })
        .first()
        .textContent()) ?? '';
    expect(cardText).toContain(XSS[1]);
    expect(cardText).toContain('[点我](javascript:window.__xss=4)');
    // The identity list shows the name as text.
    expect(await page.locator('#identity option', { hasText: XSS[0] as string }).count()).toBeGreaterThan(0);

    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(
      await page.locator('#messages script, #messages iframe, #messages svg[onload], #messages img[onerror]').count(),
    ).toBe(0);
    expect(await page.locator('a[href^="javascript"], a[href*="evil"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
