/**
 * The 组织生活会 pipeline over the emulator (issue 16 item 3):
 * - an admin starts the year's pipeline (again: it exists); a plain member is refused admin subcommands;
 * - two members hand in 对照检查材料 and the card counts 已交 n/m; the admin privately sees who has not;
 * - 会前学习 stays open until a study session of the org is held;
 * - once the meeting is held, a problem from it becomes a 整改台账 item; the 情况报告 reaches the parent
 *   org's admins privately (not its group); 导出 sends the admin the year's .xlsx privately;
 * - the job nudges a member who has not handed in once, 2 working days before the due date.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { cardText, cardTitle } from '../helpers/cards.ts';
import { answerTo, runJobAt, say } from '../helpers/converse.ts';
import { insertHeldSession } from '../helpers/life-records.ts';

const TITLE = '组织生活会 · 2026年度';
let h: BotHarness;

/** A study session (or, with `kind`, a meeting) of the org held at `at` (one attendee signed in, minutes recorded). */
async function heldStudy(orgId: number, organiser: string, attendee: string, at: string, kind?: 'life_meeting') {
  const what = kind
    ? { category: 'meeting' as const, kind, title: '年度组织生活会', organiser }
    : { category: 'study' as const, kind: 'topic' as const, title: '会前专题学习', organiser };
  await insertHeldSession(h.db.db, orgId, what, [{ openId: attendee, name: '赵党员', status: 'signed' }], at);
}

describe('the 组织生活会 pipeline', () => {
  afterEach(async () => h?.stop());

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-12-02T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员'] });
    const [wang, zhang, zhao] = w.members as [EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const pipeline = () => h.db.db.selectFrom('life_pipelines').selectAll().executeTakeFirstOrThrow();
    const required = (
      await h.db.db
        .selectFrom('members')
        .select('open_id')
        .where('org_id', '=', orgId)
        .where('role', '!=', 'observer')
        .execute()
    ).length;
    return { g, orgId, s: w.secretary, wang, zhang, zhao, pipeline, required };
  }

  it('starts once, counts the materials, keeps 会前学习 open until a study session is held', async () => {
    const w = await setup();
    const refused = messageText(await say(h, w.g, w.zhao, '/组织生活会 启动 2026 2027-01-15'));
    expect(refused).toMatch(/权限/);
    const started = await say(h, w.g, w.s, '/组织生活会 启动 2026 2027-01-15');
    expect(cardTitle(started)).toBe(TITLE);
    expect(cardText(started.content)).toContain('会前学习　截止 2026-12-24');
    expect(JSON.parse((await w.pipeline()).stages).materials.due).toBe('2027-01-08');
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 启动 2026 2027-01-20'))).toContain('已启动');
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 启动 2026 明年'))).toContain('不是计划召开日期');
    expect(await h.db.db.selectFrom('life_pipelines').selectAll().execute()).toHaveLength(1);

    expect(messageText(await say(h, w.g, w.zhao, '/组织生活会 材料 https://example.feishu.cn/docx/a'))).toContain(
      `已交 1/${w.required}`,
    );
    expect(messageText(await say(h, w.g, w.wang, '/组织生活会 材料 已交纸质材料'))).toContain(`已交 2/${w.required}`);
    const shown = await say(h, w.g, w.zhang, '/组织生活会 查看');
    expect(cardText(shown.content)).toContain(`已交 2/${w.required}`);
    expect(cardText(shown.content)).not.toContain('尚未提交对照检查材料');
    // The admin asking in the group gets, privately, who has not handed in (the group card names nobody).
    const p2pS = h.emu.p2pChat(w.s.openId).chatId;
    const mine = h.emu.botMessages(p2pS).length;
    expect(cardText((await say(h, w.g, w.s, '/组织生活会 查看')).content)).not.toContain('尚未提交');
    const own = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2pS)
          .slice(mine)
          .find((m) => cardTitle(m) === TITLE),
      { what: 'private card' },
    );
    expect(cardText(own.content)).toContain('尚未提交对照检查材料');
    expect(cardText(own.content)).toContain('张组织');
    expect(cardText(own.content)).not.toContain('王纪检');
    expect(cardText(shown.content)).toMatch(/会前学习　截止 2026-12-24　<font[^>]*>进行中/);
    expect(JSON.parse((await w.pipeline()).stages).study.doneAt).toBeNull();

    // A study session held (signed in, minutes recorded) before the pipeline started does not count …
    await heldStudy(w.orgId, w.s.openId, w.zhao.openId, '2026-12-01T02:00:00.000Z');
    const early = await say(h, w.g, w.zhang, '/组织生活会 查看');
    expect(cardText(early.content)).toMatch(/会前学习　截止 2026-12-24　<font[^>]*>进行中/);
    // … one held since (this morning, before its due date) does.
    await heldStudy(w.orgId, w.s.openId, w.zhao.openId, '2026-12-02T01:00:00.000Z');
    const after = await say(h, w.g, w.zhang, '/组织生活会 查看');
    expect(cardText(after.content)).toMatch(/会前学习　截止 2026-12-24　<font[^>]*>已完成/);
    expect(JSON.parse((await w.pipeline()).stages).study.doneAt).not.toBeNull();
  });

  it('lists a problem into the 整改台账 with its owner, and reports to the parent org’s admins', async () => {
    const w = await setup();
    const upper = await seedBranch(h, { orgName: '机关党委', members: ['周委员'] });
    const upperId = (await findOrgByChat(h.db.db, upper.chat.chatId))?.id as number;
    await h.db.db.updateTable('orgs').set({ parent_id: upperId }).where('id', '=', w.orgId).execute();
    await say(h, w.g, w.s, '/组织生活会 启动 2026 2027-01-15');
    // The meeting is held this morning (a problem is listed from it, the report is of it).
    await heldStudy(w.orgId, w.s.openId, w.zhao.openId, '2026-12-02T01:00:00.000Z', 'life_meeting');
    const member = messageText(
      await say(h, w.g, w.zhao, `/组织生活会 问题 @{${w.wang.openId}} 学习记录不完整 2027-03-31`),
    );
    expect(member).toMatch(/权限/);
    const bad = messageText(await say(h, w.g, w.s, `/组织生活会 问题 @{${w.wang.openId}} 学习记录不完整 明年`));
    expect(bad).toContain('不是整改时限');
    const ok = messageText(await say(h, w.g, w.s, `/组织生活会 问题 @{${w.wang.openId}} 学习记录不完整 2027-03-31`));
    expect(ok).toContain('已列入问题清单');
    const items = await h.db.db.selectFrom('rectifications').selectAll().execute();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      source: '组织生活会',
      owner_open_id: w.wang.openId,
      deadline: '2027-03-31',
      org_id: w.orgId,
    });

    // 谈心谈话 not yet covered: an admin proceeds with a reason, recorded in the audit log.
    expect(JSON.parse((await w.pipeline()).stages).talks.doneAt).toBeNull();
    expect(messageText(await say(h, w.g, w.zhao, '/组织生活会 继续 谈心谈话 会后补谈'))).toMatch(/权限/);
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 继续 材料 会后补谈'))).toContain('只有“谈心谈话”');
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 继续 谈心谈话 两名党员外出，会后补谈'))).toContain(
      '谈心谈话环节视为完成',
    );
    expect(JSON.parse((await w.pipeline()).stages).talks.doneAt).not.toBeNull();
    const proceeded = await listAudit(h.db.db, { action: 'life:proceed' });
    expect(JSON.stringify(proceeded[0]?.after)).toContain('两名党员外出');
    expect(messageText(await say(h, w.g, w.zhao, '/组织生活会 报告'))).toMatch(/权限/);
    const before = h.emu.botMessages(upper.chat.chatId).length;
    const upperS = h.emu.p2pChat(upper.secretary.openId).chatId;
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 报告'))).toContain(
      '情况报告已私信报送上级党组织（机关党委）',
    );
    const report = await h.emu.waitFor(
      () => h.emu.botMessages(upperS).find((m) => cardTitle(m) === '组织生活会情况报告 · 2026年度'),
      { what: 'the report, privately to the upper 书记' },
    );
    expect(h.emu.botMessages(upper.chat.chatId).slice(before)).toHaveLength(0);
    expect(cardText(report?.content ?? '')).toContain('学习记录不完整');
    expect((await w.pipeline()).status).toBe('reported');
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 报告'))).toContain('已于此前报送');

    // 导出: the year's material as an .xlsx, privately; a plain member is refused.
    expect(messageText(await say(h, w.g, w.zhao, '/组织生活会 导出 2026'))).toMatch(/权限/);
    const p2pS = h.emu.p2pChat(w.s.openId).chatId;
    const sent = h.emu.botMessages(p2pS).length;
    expect(messageText(await say(h, w.g, w.s, '/组织生活会 导出 2026'))).toContain('组织生活会-第一党支部-2026.xlsx');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2pS)
          .slice(sent)
          .find((m) => m.msgType === 'file'),
      {
        what: 'the exported file',
      },
    );
    const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    const cells = (wb.worksheets[0] as ExcelJS.Worksheet).getSheetValues().flat().map(String);
    expect(cells).toContain('情况报告');
    expect(cells).toContain(`#${items[0]?.id} 学习记录不完整`);
  });

  it('two admins starting at once make one pipeline, and both are answered', async () => {
    const w = await setup();
    expect(messageText(await say(h, w.g, w.s, `/角色 @{${w.zhang.openId}} 组织委员`))).toContain('组织委员');
    const line = '/组织生活会 启动 2026 2027-01-15';
    const sent = await Promise.all([
      h.emu.sendText({ chatId: w.g, from: w.s.openId, text: line, mentionBot: true }),
      h.emu.sendText({ chatId: w.g, from: w.zhang.openId, text: line, mentionBot: true }),
    ]);
    const answers = await Promise.all(sent.map((m) => answerTo(h, m)));
    expect(answers.filter((a) => cardTitle(a) === TITLE)).toHaveLength(1);
    expect(answers.map(messageText).filter((t) => t.includes('已启动'))).toHaveLength(1);
    expect(await h.db.db.selectFrom('life_pipelines').selectAll().execute()).toHaveLength(1);
  });

  it('nudges a member without 对照检查材料 once, 2 working days before the due date', async () => {
    const w = await setup();
    await say(h, w.g, w.s, '/组织生活会 启动 2026 2027-01-15');
    await say(h, w.g, w.zhao, '/组织生活会 材料 https://example.feishu.cn/docx/a');
    const nudges = (u: EmuUser) =>
      h.emu.botMessages(h.emu.p2pChat(u.openId).chatId).filter((m) => messageText(m).includes('您还没有提交')).length;
    await runJobAt(h, 'life-pipeline', '2027-01-05', '10:00');
    expect(nudges(w.wang)).toBe(0);
    await runJobAt(h, 'life-pipeline', '2027-01-06', '10:00');
    await runJobAt(h, 'life-pipeline', '2027-01-06', '15:00');
    expect(nudges(w.wang)).toBe(1);
    expect(nudges(w.zhao)).toBe(0);
    const adminNotes = h.emu
      .botMessages(h.emu.p2pChat(w.s.openId).chatId)
      .filter((m) => messageText(m).includes('对照检查材料环节将于 2027-01-08 截止'));
    expect(adminNotes).toHaveLength(1);
  });
});
