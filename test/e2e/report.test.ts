/**
 * The year's 主体责任落实情况报告 end to end (issue 13 item 8): a year of records — a 支委会 held (signed in,
 * quorate, minutes), one whose time passed with nobody signed in (未召开), a 专题会议 scheduled for later,
 * a 警示教育 held, 清单 tasks accepted / 待验收 / overdue / marked 已完成 without evidence or acceptance,
 * rectifications closed late (with evidence) / open late / open, the 中秋节、国庆节 reminder sent by its
 * job — then `/报告 2026` by the 书记: the summary card (figures and chart) answers, the editable .docx
 * named after the org and year follows in the chat, both agree with the records, and it is audited. A
 * 党员 is refused, a future year or a word that is no year changes nothing and says the usage. A second
 * org with no group chat bound gets the job's reminder claim but no card: its report (by the CLI) counts
 * no reminder sent and says why. Fake clock, no sleeps.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { walkCard } from '../helpers/card-parts.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

function cardText(card: unknown): string {
  const out: string[] = [];
  walkCard(card, (o) => {
    if (typeof o.content === 'string') out.push(o.content);
  });
  return out.join('\n');
}

/** The paragraphs of a .docx's main document, as text. */
async function docxParagraphs(bytes: Buffer): Promise<string[]> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...(p[0] as string).matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
  );
}

describe('/报告: the year’s report compiled from the records', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('answers the 书记 with the summary card and the .docx, both agreeing with the records; refuses a 党员 and bad years', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-02-02', '10:00'));
    h = await startBot({ clock });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员'] });
    const [inspector, organizer, zhao] = w.members as [EmuUser, EmuUser, EmuUser];
    const group = w.chat.chatId;
    const db = h.db.db;
    const org = await db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
    const people = [w.secretary, inspector, organizer, zhao];
    const at = (d: string, t = '10:00') => bj(d, t).toISOString();

    // Sessions: each with the four as voting invitees; `signed` of them signed in.
    const session = async (o: {
      kind: string;
      category?: 'meeting' | 'study';
      title: string;
      start: string;
      signed: EmuUser[];
      leave?: EmuUser[];
      minutes?: boolean;
    }) => {
      const s = await db
        .insertInto('sessions')
        .values({
          org_id: org.id,
          category: o.category ?? 'meeting',
          kind: o.kind as 'committee',
          title: o.title,
          start_at: o.start,
          place: '三楼会议室',
          agenda: '',
          status: 'scheduled',
          organiser_open_id: w.secretary.openId,
          organiser_name: w.secretary.name,
          minutes: o.minutes ? '会议纪要' : null,
          minutes_at: o.minutes ? new Date(Date.parse(o.start) + 2 * 3600_000).toISOString() : null,
          reflection_days: 3,
          recorded_as: 'live',
          version: 1,
          created_at: at('2026-02-02'),
          updated_at: at('2026-02-02'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('session_attendees')
        .values(
          people.map((p) => ({
            session_id: s.id,
            open_id: p.openId,
            name: p.name,
            status: o.signed.includes(p) ? 'signed' : o.leave?.includes(p) ? 'leave' : 'invited',
            reason: o.leave?.includes(p) ? '出差' : null,
            answered_at: o.signed.includes(p) || o.leave?.includes(p) ? o.start : null,
            voting: 1,
            corrected_at: null,
            corrected_by: null,
            correction_reason: null,
          })),
        )
        .execute();
      return s.id;
    };
    const held = await session({
      kind: 'committee',
      title: '3月支委会',
      start: at('2026-03-10', '15:00'),
      signed: [w.secretary, inspector, organizer],
      minutes: true,
    });
    const notHeld = await session({
      kind: 'committee',
      title: '4月支委会',
      start: at('2026-04-10', '15:00'),
      signed: [],
    });
    const scheduled = await session({
      kind: 'special',
      title: '下半年全面从严治党专题会议',
      start: at('2026-12-20', '15:00'),
      signed: [],
    });
    const warning = await session({
      kind: 'warning',
      category: 'study',
      title: '警示教育大会',
      start: at('2026-06-05', '09:00'),
      signed: [w.secretary, organizer],
      leave: [zhao],
      minutes: true,
    });

    // 清单 tasks: accepted with evidence, 待验收 with evidence, one still in progress past its date.
    const list = await db
      .insertInto('duty_lists')
      .values({ org_id: org.id, year: 2026, title: '2026年全面从严治党主体责任清单', created_at: at('2026-02-02') })
      .returning('id')
      .executeTakeFirstOrThrow();
    const task = async (
      seq: number,
      content: string,
      owner: EmuUser,
      due: string,
      status: string,
      evidence: number,
    ) => {
      const item = await db
        .insertInto('duty_items')
        .values({
          list_id: list.id,
          org_id: org.id,
          seq,
          category: '组织建设',
          content,
          leader: '李书记',
          cadence: 'once',
          due_date: due,
          due_day: null,
          evidence: '会议纪要',
          active: 1,
          import_key: null,
          created_by: w.secretary.openId,
          created_at: at('2026-02-02'),
          updated_at: at('2026-02-02'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const t = await db
        .insertInto('tasks')
        .values({
          org_id: org.id,
          item_id: item.id,
          owner_open_id: owner.openId,
          owner_name: owner.name,
          period: 'once',
          due_date: due,
          status: status as 'accepted',
          percent: status === 'in_progress' ? 50 : 100,
          late: 0,
          done_at: null,
          version: 1,
          created_at: at('2026-02-02'),
          updated_at: at('2026-02-02'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let i = 0; i < evidence; i++)
        await db
          .insertInto('task_evidence')
          .values({
            task_id: t.id,
            kind: 'link',
            value: 'https://example.cn/minutes',
            name: '会议纪要',
            added_by: owner.openId,
            at: at('2026-05-01'),
          })
          .execute();
      return t.id;
    };
    const accepted = await task(1, '每季度召开支委会研究党风廉政建设', w.secretary, '2026-06-30', 'accepted', 2);
    const submitted = await task(2, '开展廉政谈话', inspector, '2026-11-30', 'submitted', 1);
    const overdueTask = await task(3, '修订党支部工作制度', organizer, '2026-10-31', 'in_progress', 0);
    // Marked 已完成 (before acceptance was kept) on an item that asks for 会议纪要, with none attached.
    const unaccepted = await task(4, '每季度开展谈心谈话', organizer, '2026-04-30', 'done', 0);

    // Rectifications: closed after its deadline (late for good), open and late, open within its time.
    const rect = async (
      problem: string,
      o: { created: string; deadline: string; status: string; late: boolean; closed?: string },
    ) =>
      (
        await db
          .insertInto('rectifications')
          .values({
            org_id: org.id,
            batch_id: null,
            source: '巡察',
            problem,
            measures: '制定措施',
            leader: '李书记',
            owner_open_id: organizer.openId,
            owner_name: organizer.name,
            deadline: o.deadline,
            kind: 'centralized',
            area: '',
            status: o.status as 'closed',
            progress: o.status === 'closed' ? 100 : 30,
            late: o.late ? 1 : 0,
            submitted_at: null,
            closed_at: o.closed ? at(o.closed) : null,
            reviewer_open_id: o.closed ? inspector.openId : null,
            reviewer_name: o.closed ? inspector.name : null,
            import_key: null,
            version: 1,
            created_by: w.secretary.openId,
            created_at: at(o.created),
            updated_at: at(o.created),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const closedLate = await rect('“三会一课”记录不规范', {
      created: '2026-02-01',
      deadline: '2026-05-31',
      status: 'closed',
      late: true,
      closed: '2026-07-01',
    });
    await db
      .insertInto('rectification_evidence')
      .values({
        item_id: closedLate,
        kind: 'link',
        value: 'https://example.cn/rectified',
        name: '整改报告',
        added_by: organizer.openId,
        at: at('2026-06-28'),
      })
      .execute();
    const openLate = await rect('谈心谈话开展不经常', {
      created: '2026-05-01',
      deadline: '2026-10-31',
      status: 'in_progress',
      late: true,
    });
    const openInTime = await rect('制度执行不到位', {
      created: '2026-06-01',
      deadline: '2027-03-31',
      status: 'pending',
      late: false,
    });

    // A second org, never bound to a group chat: the reminder job claims it, but posts no card there.
    const lone = await db
      .insertInto('orgs')
      .values({ name: '第二党支部', parent_id: null, settings: '{}', created_at: at('2026-02-02') })
      .returning('id')
      .executeTakeFirstOrThrow();

    // The 中秋节、国庆节 reminder, sent by its own job on the first day of its window.
    clock.set(bj('2026-09-20', '09:00'));
    await talk.runJobAt(h, 'holiday-reminder', '2026-09-20', '09:00');
    const claims = await db
      .selectFrom('reminder_claims')
      .selectAll()
      .where('job', '=', 'holiday-reminder')
      .orderBy('org_id')
      .execute();
    expect(claims.map((c) => [c.org_id, c.occurrence])).toEqual([
      [org.id, '中秋节、国庆节@2026'],
      [lone.id, '中秋节、国庆节@2026'],
    ]);
    // One card, to the bound org's group, sent; none for the org without a chat.
    const cards = await db
      .selectFrom('outbox')
      .select(['org_id', 'target_id', 'status', 'dedupe_key'])
      .where('dedupe_key', 'like', 'holiday-reminder|%')
      .execute();
    expect(cards).toEqual([
      {
        org_id: org.id,
        target_id: group,
        status: 'sent',
        dedupe_key: `holiday-reminder|org:${org.id}|中秋节、国庆节@2026`,
      },
    ]);

    clock.set(bj('2026-12-02', '10:00'));
    const files = () => h.emu.botMessages(group).filter((m) => m.msgType === 'file');

    // A 党员 is refused; nothing is compiled or sent.
    const refused = await talk.say(h, group, zhao, '/报告 2026');
    expect(refused.msgType).toBe('text');
    expect(messageText(refused)).toMatch(/管理员|书记/);

    // Bad years change nothing and say the usage.
    const future = await talk.say(h, group, w.secretary, '/报告 2027');
    expect(messageText(future)).toBe('2027 年还没有到，不能生成该年度的报告。\n用法：/报告 2026\n用法：/报告');
    const word = await talk.say(h, group, w.secretary, '/报告 明年');
    expect(messageText(word)).toBe('“明年”不是年份。\n用法：/报告 2026\n用法：/报告');
    await talk.drained(h);
    expect(files()).toEqual([]);
    expect(await db.selectFrom('audit_log').select('action').where('action', '=', 'report:year').execute()).toEqual([]);

    // The 书记: the summary card answers, the .docx follows.
    const reply = await talk.say(h, group, w.secretary, '/报告 2026');
    expect(reply.msgType).toBe('interactive');
    const file = await h.emu.waitFor(() => files()[0], { what: 'the report file' });
    const all = h.emu.botMessages(group);
    expect(all.indexOf(file)).toBeGreaterThan(all.indexOf(reply as EmuMessage));

    const shown = cardText(reply.content);
    expect(shown).toContain('支委会：应召开 12 次，已召开 1 次');
    expect(shown).toContain('专题会议：应召开 2 次，已召开 0 次');
    expect(shown).toContain('警示教育：应开展 1 次，已开展 1 次');
    expect(shown).toContain('党课：应讲 4 次，已讲 0 次');
    expect(shown).toContain('记录显示未召开 1 次（不计入）；已安排尚未召开 1 次（不计入）');
    expect(shown).toContain('学习 1 次，应参加 4 人次，签到 2 人次，参学率 50%');
    expect(shown).toContain(
      '到期任务 4 项：已完成并验收 1 项，已完成（无需验收）0 项，已完成（未经验收）1 项，待验收 1 项，办理中 1 项（逾期 1 项），未完成 0 项',
    );
    expect(shown).toContain(
      '本年新增 3 项，销号 1 项（其中逾期后销号 1 项）；尚未销号 2 项，其中超过时限 1 项；带逾期标记 2 项',
    );
    expect(shown).toContain('已发送 1 次：中秋节、国庆节');
    let chart: Record<string, unknown> | undefined;
    walkCard(reply.content, (o) => {
      if (o.tag === 'chart') chart = o;
    });
    if (!chart) throw new Error('no chart on the summary card');
    const values = (chart.chart_spec as { data: { values: { kind: string; series: string; count: number }[] } }).data
      .values;
    expect(values.filter((v) => v.kind === '支委会').map((v) => v.count)).toEqual([12, 1]);
    expect(values.filter((v) => v.kind === '专题会议').map((v) => v.count)).toEqual([2, 0]);

    const stored = h.emu.store.files.get((JSON.parse(file.content) as { file_key: string }).file_key);
    expect(stored?.name).toBe('第一党支部2026年度全面从严治党主体责任落实情况报告.docx');
    expect(stored?.type).toBe('doc');
    const text = (await docxParagraphs(stored?.bytes ?? Buffer.alloc(0))).join('\n');
    expect(text).toContain('第一党支部2026年度全面从严治党主体责任落实情况报告');
    expect(text).toContain(
      `支委会：按规定每月召开支部委员会会议，全年应召开 12 次，已召开 1 次（记录 #${held}，见附表1）`,
    );
    expect(text).toContain(`另有 1 次活动已到时间但记录显示未召开`);
    expect(text).toContain(`不计入已召开次数（记录 #${notHeld}，见附表1）`);
    expect(text).toContain(`已安排尚未召开的活动 1 次，不计入已召开次数（记录 #${scheduled}，见附表1）`);
    expect(text).toContain(
      `本年度开展学习活动 1 次（记录 #${warning}，见附表1），应参加 4 人次，实际签到 2 人次，请假 1 人次，缺席 1 人次，参学率 50%`,
    );
    expect(text).toContain(`其中已完成并经验收 1 项（记录 #${accepted}，见附表3）`);
    expect(text).toContain(`已提交佐证材料、待验收 1 项（记录 #${submitted}，见附表3）`);
    expect(text).toContain(`其中逾期 1 项（记录 #${overdueTask}，见附表3）`);
    expect(text).toContain(`已完成（无需验收）0 项；标记为已完成但未经验收 1 项（记录 #${unaccepted}，见附表3）`);
    expect(text).toContain('已完成（未经验收）');
    expect(text).not.toContain('没有佐证材料记录的');
    expect(text).toContain(`本年度新增整改事项 3 项（记录 #${closedLate}、#${openLate}、#${openInTime}，见附表4）`);
    expect(text).toContain(`其中逾期后销号 1 项（记录 #${closedLate}，见附表4）`);
    expect(text).toContain(`其中已超过整改时限 1 项（记录 #${openLate}，见附表4）`);
    expect(text).toContain('本年度在节前向群聊发送廉政提醒 1 次：中秋节、国庆节（2026-09-20）（见附表5）。');
    expect(text).not.toMatch(/未发送|尚未送达|发送失败/);
    expect(text).toContain('《中国共产党支部工作条例（试行）》（2018年）');
    expect(text).toContain('《党委（党组）落实全面从严治党主体责任规定》（2020年）');
    expect(text).toContain('附表1　会议和学习活动记录');
    expect(text).toContain('3月支委会');
    expect(text).toContain('“三会一课”记录不规范');
    expect(text).not.toMatch(/召开党课|召开警示教育/);

    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'report:year').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toBe(w.secretary.openId);
    expect(JSON.parse(audit[0]?.after ?? '{}')).toMatchObject({
      year: 2026,
      file: '第一党支部2026年度全面从严治党主体责任落实情况报告.docx',
    });

    // The CLI writes the same report: by the org's number or its name; bad input refused with the usage.
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    const cli = (args: string[]) => runCli(args, { db: h.db, timezone: 'Asia/Shanghai', logger: h.logs.logger, io });
    const out = join(mkdtempSync(join(tmpdir(), 'qingfeng-report-')), '报告.docx');
    await cli(['report', '2026', '--org', String(org.id), '--out', out]);
    expect(lines).toEqual([`已生成《第一党支部2026年度全面从严治党主体责任落实情况报告》：${out}`]);
    const fromCli = (await docxParagraphs(readFileSync(out))).join('\n');
    expect(fromCli).toContain(
      `支委会：按规定每月召开支部委员会会议，全年应召开 12 次，已召开 1 次（记录 #${held}，见附表1）`,
    );
    expect(fromCli).toContain(`其中逾期后销号 1 项（记录 #${closedLate}，见附表4）`);
    await cli(['report', '2026', '--org', '第一党支部', '--out', out]);
    await expect(cli(['report', '9999', '--org', '第一党支部', '--out', out])).rejects.toThrow(
      '9999 年还没有到，不能生成该年度的报告。用法：npm run cli -- report 年份 --org 组织 --out 文件.docx',
    );
    await expect(cli(['report', '去年', '--org', '1', '--out', out])).rejects.toThrow('“去年”不是年份。');
    await expect(cli(['report', '2026', '--org', '第九党支部', '--out', out])).rejects.toThrow(
      '没有编号或名称为“第九党支部”的组织',
    );
    await expect(cli(['report', '2026', '--out', out])).rejects.toThrow('report 需要 --org 组织编号或名称。');

    // A card posted before the job keyed it with its claim (no dedupe key) is still found by its title
    // (written, as in production, at the run's instant: the harness's wall clock is the real one).
    await db
      .updateTable('outbox')
      .set({ dedupe_key: null, created_at: at('2026-09-20', '09:00') })
      .where('dedupe_key', 'like', 'holiday-reminder|%')
      .execute();
    await cli(['report', '2026', '--org', String(org.id), '--out', out]);
    expect((await docxParagraphs(readFileSync(out))).join('\n')).toContain(
      '本年度在节前向群聊发送廉政提醒 1 次：中秋节、国庆节（2026-09-20）（见附表5）。',
    );

    // The org without a group chat: its claim is no reminder sent.
    const loneOut = join(mkdtempSync(join(tmpdir(), 'qingfeng-report-')), '报告.docx');
    await cli(['report', '2026', '--org', String(lone.id), '--out', loneOut]);
    const loneText = (await docxParagraphs(readFileSync(loneOut))).join('\n');
    expect(loneText).toContain(
      '本年度没有节前廉政提醒送达群聊的记录；因没有绑定群聊未发送 1 次：中秋节、国庆节（2026-09-20）（见附表5）。',
    );
    expect(loneText).not.toMatch(/发送廉政提醒 \d+ 次/);
    expect(loneText).toContain('未发送（没有绑定群聊）');
  });
});
