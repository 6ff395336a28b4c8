/**
 * The 组织生活会 pipeline follows the records (review of issue 16 item 3), over the emulator:
 * - 征求意见 is done once an opinion is given; a study held after its due date still completes 会前学习
 *   (shown as late); talks held in January before the meeting count for the year's 谈心谈话;
 * - a meeting held before the pipeline was started is not taken on its own, but 关联 links it;
 * - 问题 and 报告 wait for the meeting; 问题 stops once the report is sent; the report goes privately to
 *   the upper org's admins and names the stages not completed;
 * - the 问题清单 of one year does not take the next year's problems;
 * - the reminder job brings the stages up to the records before reminding;
 * - the export holds the opinions, the attendance, the talk coverage and (for the 支委 only, once
 *   closed) the 民主评议 tally;
 * - a file sent to the bot privately is handed in as one's 对照检查材料.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../src/clock.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import type { LifePipeline } from '../../src/db/schema.ts';
import { pipelineProblems } from '../../src/features/life/repository.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import { answerTo, runJobAt, say } from '../helpers/converse.ts';
import { type HeldSeat, insertHeldSession } from '../helpers/life-records.ts';

const TITLE = '组织生活会 · 2026年度';
let h: BotHarness;
let clock: OffsetClock;

/** A session of the org held at `at`: minutes recorded (attendance settled), the seats as given. */
const held = (
  orgId: number,
  what: { category: 'study' | 'meeting'; kind: 'topic' | 'life_meeting' },
  seats: HeldSeat[],
  at: string,
) =>
  insertHeldSession(
    h.db.db,
    orgId,
    {
      ...what,
      title: what.category === 'study' ? '会前专题学习' : '2026年度组织生活会',
      organiser: seats[0]?.openId ?? '',
    },
    seats,
    at,
  );

const at = (iso: string) => clock.set(new Date(iso));

describe('the 组织生活会 pipeline follows the records', () => {
  afterEach(async () => h?.stop());

  async function setup() {
    clock = new OffsetClock();
    at('2026-12-02T02:00:00Z');
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员'] });
    const [wang, zhang, zhao] = w.members as [EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const pipeline = (year = 2026) =>
      h.db.db.selectFrom('life_pipelines').selectAll().where('year', '=', year).executeTakeFirstOrThrow();
    const stages = async (year = 2026) =>
      JSON.parse((await pipeline(year)).stages) as Record<
        'study' | 'opinions' | 'talks' | 'meeting',
        { due: string; doneAt: string | null }
      >;
    const seat = (u: EmuUser, status: HeldSeat['status'] = 'signed'): HeldSeat => ({
      openId: u.openId,
      name: u.name,
      status,
    });
    const meeting = (when: string) =>
      held(orgId, { category: 'meeting', kind: 'life_meeting' }, [seat(w.secretary), seat(zhao)], when);
    const line = async (stage: string) =>
      cardText((await say(h, g, zhao, '/组织生活会 查看')).content)
        .split('\n')
        .find((l) => l.startsWith(stage)) ?? '';
    expect(cardTitle(await say(h, g, w.secretary, '/组织生活会 启动 2026 2027-01-15'))).toBe(TITLE);
    return { g, orgId, s: w.secretary, wang, zhang, zhao, pipeline, stages, seat, meeting, line };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;

  it('征求意见 is done once an opinion is given', async () => {
    const w = await setup();
    expect(await w.line('征求意见')).not.toContain('已完成');
    await h.db.db
      .insertInto('pipeline_opinions')
      .values({
        pipeline_id: (await w.pipeline()).id,
        author_open_id: null,
        author_name: null,
        text: '多听一线意见',
        created_on: '2026-12-02',
      })
      .execute();
    expect(await w.line('征求意见')).toContain('已完成');
    expect((await w.stages()).opinions.doneAt).not.toBeNull();
  });

  it('a study held after its due date still completes 会前学习, shown as late', async () => {
    const w = await setup();
    // 会前学习 was due 2026-12-24; a study held on 12-28 still completes it.
    at('2026-12-28T06:00:00Z');
    expect(await w.line('会前学习')).toContain('逾期');
    await held(w.orgId, { category: 'study', kind: 'topic' }, [w.seat(w.zhao)], '2026-12-28T02:00:00.000Z');
    expect(await w.line('会前学习')).toMatch(/已完成（逾期）/);
  });

  it('talks held in January before the meeting count for the year’s 谈心谈话', async () => {
    const w = await setup();
    // The 书记's talks with every member, held on 2027-01-10 (before the meeting on 01-15), complete 谈心谈话.
    at('2027-01-11T02:00:00Z');
    const talk = await h.db.db
      .insertInto('talks')
      .values({
        org_id: w.orgId,
        kind: 'heart',
        held_on: '2027-01-10',
        place: '办公室',
        notes: null,
        recorder_open_id: w.s.openId,
        recorder_name: '李书记',
        status: 'recorded',
        version: 1,
        created_at: '2027-01-10T02:00:00.000Z',
        updated_at: '2027-01-10T02:00:00.000Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const u of [w.wang, w.zhang, w.zhao])
      await h.db.db
        .insertInto('talk_parties')
        .values({ talk_id: talk.id, open_id: u.openId, name: u.name, confirmed_at: null })
        .execute();
    expect(await w.line('谈心谈话')).toContain('已完成');
  });

  it('takes a meeting held since the start on its own; one held before only through 关联', async () => {
    const w = await setup();
    const before = await w.meeting('2026-11-20T02:00:00.000Z');
    expect(await w.line('召开会议')).not.toContain('已完成');
    expect((await w.pipeline()).session_id).toBeNull();
    expect(messageText(await say(h, w.g, w.s, `/组织生活会 关联 ${before}`))).toContain(`已关联会议 #${before}`);
    expect(await w.line('召开会议')).toContain('已完成');
    expect((await w.pipeline()).session_id).toBe(before);
  });

  it('a meeting held after the start is linked by the records', async () => {
    const w = await setup();
    at('2027-01-15T08:00:00Z');
    const id = await w.meeting('2027-01-15T02:00:00.000Z');
    expect(await w.line('召开会议')).toContain('已完成');
    expect((await w.pipeline()).session_id).toBe(id);
  });

  it('问题 and 报告 wait for the meeting; the report goes privately to the upper admins', async () => {
    const w = await setup();
    const upper = await seedBranch(h, { orgName: '机关党委', members: ['周委员'] });
    const upperId = (await findOrgByChat(h.db.db, upper.chat.chatId))?.id as number;
    await h.db.db.updateTable('orgs').set({ parent_id: upperId }).where('id', '=', w.orgId).execute();
    const problem = `/组织生活会 问题 @{${w.wang.openId}} 学习记录不完整 2027-03-31`;
    expect(messageText(await say(h, w.g, w.s, problem))).toContain('尚未召开');
    const early = messageText(await say(h, w.g, w.s, '/组织生活会 报告'));
    expect(early).toContain('尚未召开，暂不能报送情况报告');
    expect((await w.pipeline()).status).toBe('open');

    at('2027-01-15T08:00:00Z');
    await w.meeting('2027-01-15T02:00:00.000Z');
    expect(messageText(await say(h, w.g, w.s, problem))).toContain('已列入问题清单');
    const groupBefore = h.emu.botMessages(upper.chat.chatId).length;
    const upperS = p2p(upper.secretary);
    const privBefore = h.emu.botMessages(upperS).length;
    const answer = messageText(await say(h, w.g, w.s, '/组织生活会 报告'));
    expect(answer).toContain('情况报告已私信报送上级党组织（机关党委）');
    const report = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(upperS)
          .slice(privBefore)
          .find((m) => cardTitle(m) === '组织生活会情况报告 · 2026年度'),
      { what: 'the report, privately' },
    );
    expect(cardText(report.content)).toContain('学习记录不完整');
    expect(cardText(report.content)).toMatch(/未完成的环节.*征求意见/);
    // Not to the upper org's group, which everyone reads; nor to a plain member there.
    expect(h.emu.botMessages(upper.chat.chatId).slice(groupBefore)).toHaveLength(0);
    const zhou = upper.members[0] as EmuUser;
    expect(h.emu.botMessages(p2p(zhou)).some((m) => cardTitle(m) === '组织生活会情况报告 · 2026年度')).toBe(false);
    expect((await w.pipeline()).status).toBe('reported');
    expect(messageText(await say(h, w.g, w.s, problem))).toContain('情况报告已报送，问题清单不再增加');
  });

  it('with no upper org, the report goes to the org’s own admins', async () => {
    const w = await setup();
    at('2027-01-15T08:00:00Z');
    await w.meeting('2027-01-15T02:00:00.000Z');
    const answer = messageText(await say(h, w.g, w.s, '/组织生活会 报告'));
    expect(answer).toContain('本组织没有上级党组织，情况报告已私信发送给本组织（第一党支部）管理员');
  });

  it('the 问题清单 of 2026 stops where the 2027 pipeline starts', async () => {
    const w = await setup();
    at('2027-01-15T08:00:00Z');
    await w.meeting('2027-01-15T02:00:00.000Z');
    await say(h, w.g, w.s, `/组织生活会 问题 @{${w.wang.openId}} 二〇二六年的问题 2027-03-31`);
    at('2027-11-02T02:00:00Z');
    await say(h, w.g, w.s, '/组织生活会 启动 2027 2028-01-14');
    at('2028-01-14T08:00:00Z');
    await w.meeting('2028-01-14T02:00:00.000Z');
    await say(h, w.g, w.s, `/组织生活会 问题 @{${w.zhao.openId}} 二〇二七年的问题 2028-03-31`);
    const of = async (year: number) =>
      (await pipelineProblems(h.db.db, (await w.pipeline(year)) as LifePipeline)).map((r) => r.problem);
    expect(await of(2026)).toEqual(['二〇二六年的问题']);
    expect(await of(2027)).toEqual(['二〇二七年的问题']);
  });

  it('the reminder job brings the stages up to the records before reminding', async () => {
    const w = await setup();
    const due = (await w.stages()).opinions.due;
    await h.db.db
      .insertInto('pipeline_opinions')
      .values({
        pipeline_id: (await w.pipeline()).id,
        author_open_id: null,
        author_name: null,
        text: '多听一线意见',
        created_on: '2026-12-03',
      })
      .execute();
    expect((await w.stages()).opinions.doneAt).toBeNull();
    at(`${due}T02:30:00Z`);
    await runJobAt(h, 'life-pipeline', due, '10:00');
    const notes = h.emu.botMessages(p2p(w.s)).filter((m) => messageText(m).includes('征求意见环节'));
    expect(notes).toHaveLength(0);
    expect((await w.stages()).opinions.doneAt).not.toBeNull();
    // The study not held is still reminded of on its day.
    const study = (await w.stages()).study.due;
    at(`${study}T02:30:00Z`);
    await runJobAt(h, 'life-pipeline', study, '10:00');
    expect(h.emu.botMessages(p2p(w.s)).some((m) => messageText(m).includes('今天是会前学习环节的截止日'))).toBe(true);
  });

  async function exported(w: World, who: EmuUser): Promise<string[]> {
    const chat = p2p(who);
    const before = h.emu.botMessages(chat).length;
    expect(messageText(await say(h, w.g, who, '/组织生活会 导出 2026'))).toContain('已私信发送给您');
    const file = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(chat)
          .slice(before)
          .find((m) => m.msgType === 'file'),
      { what: 'the exported file' },
    );
    const bytes = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key)?.bytes;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((bytes ?? Buffer.alloc(0)) as unknown as ArrayBuffer);
    return (wb.worksheets[0] as ExcelJS.Worksheet).getSheetValues().flat().map(String);
  }

  it('exports the opinions, the attendance, the talk coverage and the closed tally (for the 支委)', async () => {
    const w = await setup();
    const p = await w.pipeline();
    await h.db.db
      .insertInto('pipeline_opinions')
      .values([
        {
          pipeline_id: p.id,
          author_open_id: w.zhao.openId,
          author_name: '赵党员',
          text: '署名的意见',
          created_on: '2026-12-03',
        },
        { pipeline_id: p.id, author_open_id: null, author_name: null, text: '匿名的意见', created_on: '2026-12-04' },
      ])
      .execute();
    at('2027-01-15T08:00:00Z');
    await held(
      w.orgId,
      { category: 'meeting', kind: 'life_meeting' },
      [w.seat(w.s), w.seat(w.zhao), w.seat(w.wang, 'leave'), w.seat(w.zhang, 'invited')],
      '2027-01-15T02:00:00.000Z',
    );
    const stages = JSON.parse((await w.pipeline()).stages);
    stages.appraisal = { ...stages.appraisal, ballot: 'closed' };
    await h.db.db
      .updateTable('life_pipelines')
      .set({ stages: JSON.stringify(stages) })
      .where('id', '=', p.id)
      .execute();
    await h.db.db
      .insertInto('ballot_tallies')
      .values([
        { pipeline_id: p.id, subject_open_id: w.zhao.openId, grade: 'excellent', count: 2 },
        { pipeline_id: p.id, subject_open_id: w.zhao.openId, grade: 'qualified', count: 1 },
      ])
      .execute();

    const cells = await exported(w, w.s);
    expect(cells).toContain('署名的意见');
    expect(cells).toContain('匿名的意见');
    expect(cells).toContain('匿名');
    expect(cells).toContain('应到 4 人，实到 2 人，请假 1 人，缺席 1 人');
    expect(cells).toContain('李书记、赵党员');
    expect(cells).toContain('张组织');
    expect(cells.some((c) => /^应谈 \d+ 人次，已谈 0 人次$/.test(c))).toBe(true);
    expect(cells.some((c) => c.startsWith('未谈：') && c.includes('赵党员'))).toBe(true);
    expect(cells).toContain('优秀 2 · 合格 1 · 基本合格 0 · 不合格 0');

    // With a 支委 registered, an admin who is not on it sees that the tally is for the 支委.
    await h.db.db
      .updateTable('members')
      .set({ committee_post: 'inspector' })
      .where('open_id', '=', w.wang.openId)
      .execute();
    const other = await exported(w, w.s);
    expect(other.some((c) => c.includes('仅供支部委员会成员查看'))).toBe(true);
    expect(other).not.toContain('优秀 2 · 合格 1 · 基本合格 0 · 不合格 0');
    expect(messageText(await say(h, w.g, w.zhao, '/组织生活会 导出 2026'))).toMatch(/权限/);
  });

  it('a file sent privately is handed in as one’s 对照检查材料', async () => {
    const w = await setup();
    const p = await w.pipeline();
    const sent = await h.emu.sendFile({
      chatId: p2p(w.zhao),
      from: w.zhao.openId,
      fileName: '赵党员对照检查材料.docx',
      bytes: Buffer.from('对照检查'),
    });
    const form = await answerTo(h, sent);
    const options = JSON.stringify(JSON.parse(form.content));
    expect(options).toContain(`"value":"l:${p.id}"`);
    expect(options).toContain('对照检查材料（2026年度组织生活会）');
    const value = button(form, '作为佐证材料').value as { m: string; k: string };
    const done = await h.emu.click({
      messageId: form.messageId,
      from: w.zhao.openId,
      value,
      name: 'submit_attach',
      formValue: { item: `l:${p.id}` },
    });
    expect(done.toast?.content).toMatch(/^已作为您的对照检查材料（已交 1\/\d+）$/);
    const rows = await h.db.db.selectFrom('pipeline_materials').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      open_id: w.zhao.openId,
      name: '赵党员',
      kind: 'file',
      value: `${value.m}:${value.k}`,
      file_name: '赵党员对照检查材料.docx',
    });
    // A pipeline of another org cannot be named (a forged choice).
    const other = await seedBranch(h, { orgName: '第二党支部', members: ['孙党员'] });
    await say(h, other.chat.chatId, other.secretary, '/组织生活会 启动 2026 2027-01-15');
    const theirs = await h.db.db
      .selectFrom('life_pipelines')
      .select('id')
      .where('id', '!=', p.id)
      .executeTakeFirstOrThrow();
    const forged = await h.emu.click({
      messageId: form.messageId,
      from: w.zhao.openId,
      value,
      name: 'submit_attach',
      formValue: { item: `l:${theirs.id}` },
      bypassClient: true,
    });
    expect(forged.toast?.content).toContain('没有找到');
    expect(await h.db.db.selectFrom('pipeline_materials').selectAll().execute()).toHaveLength(1);
  });
});
