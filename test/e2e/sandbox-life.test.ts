/**
 * The sandbox's 组织生活会 year in 第一党支部 (issue 16 item 4), as a visitor finds it through the bot:
 * - about half the year's owed 谈心谈话 pairs covered (yearCoverage decides), some 双方确认, a few with
 *   notes — and `/谈话 覆盖` shows the 书记 those numbers;
 * - the year's pipeline with its stages planned back from the meeting over the working calendar, the
 *   opinions collected (some anonymous, without author) — `/组织生活会 意见` counts them — and a few
 *   对照检查材料 handed in;
 * - the 组织生活会 held (the held rule says so, before now), shown on the progress card in the group and
 *   on `/组织生活会 查看`, with its problems;
 * - those problems in the 整改台账: source 组织生活会, an owner and a deadline, found by pipelineProblems
 *   and shown by `/整改 查看`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { LifePipeline, Org } from '../../src/db/schema.ts';
import { localDate } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { planStages } from '../../src/features/life/pipeline-rules.ts';
import { pipelineProblems, stagesOf } from '../../src/features/life/repository.ts';
import { sessionRecordState } from '../../src/features/meetings/held.ts';
import { yearCoverage } from '../../src/features/talks/coverage.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { DEMO_ORG } from '../../src/sandbox/seed.ts';
import { LIFE_OPINIONS, LIFE_PROBLEMS } from '../../src/sandbox/seed-life.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { messageText } from '../helpers/bot.ts';
import { cardText, cardTitle } from '../helpers/cards.ts';
import { drained, postedCard, say } from '../helpers/converse.ts';

describe('the sandbox’s 组织生活会 year in 第一党支部', () => {
  let sb: Sandbox;
  let org: Org;
  let pipeline: LifePipeline;
  let group: string;
  let calendar: WorkCalendar;
  const tz = 'Asia/Shanghai';
  const user = (name: string) => [...sb.emu.store.users.values()].find((u) => u.name === name) as EmuUser;
  const secretary = () => user('李明华');
  /** A card the bot sends `who` privately after their first `before` private messages. */
  const privateCard = (who: EmuUser, title: string, before: number) =>
    sb.emu.waitFor(() =>
      sb.emu
        .botMessages(sb.emu.p2pChat(who.openId).chatId)
        .slice(before)
        .find((m) => cardTitle(m) === title),
    );
  const privateCount = (who: EmuUser) => sb.emu.botMessages(sb.emu.p2pChat(who.openId).chatId).length;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-life-'));
    sb = await startSandbox({
      config: loadConfig({ PORT: '0' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    await drained(sb, 30_000);
    org = (await findOrgByName(sb.db.db, DEMO_ORG)) as Org;
    pipeline = await sb.db.db
      .selectFrom('life_pipelines')
      .selectAll()
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    const chat = [...sb.emu.store.chats.values()].find((c) => c.type === 'group' && c.name === `${DEMO_ORG}工作群`);
    group = chat?.chatId as string;
    calendar = new WorkCalendar(await listHolidayOverrides(sb.db.db));
  }, 60_000);
  afterAll(async () => sb?.stop());

  it('about half the year’s talks: yearCoverage says so, some 双方确认, a few with notes — and /谈话 覆盖 shows it', async () => {
    const cov = await yearCoverage(sb.db.db, org, pipeline.year);
    expect(cov.due).toBeGreaterThanOrEqual(20);
    expect(Math.abs(2 * cov.done - cov.due)).toBeLessThanOrEqual(2);
    const talks = await sb.db.db.selectFrom('talks').selectAll().where('org_id', '=', org.id).execute();
    expect(talks.every((t) => t.held_on.startsWith(String(pipeline.year)))).toBe(true);
    expect(talks.filter((t) => t.notes !== null).length).toBeGreaterThanOrEqual(2);
    const parties = await sb.db.db
      .selectFrom('talk_parties')
      .selectAll()
      .where(
        'talk_id',
        'in',
        talks.map((t) => t.id),
      )
      .execute();
    const confirmedAll = talks.filter((t) =>
      parties.filter((p) => p.talk_id === t.id).every((p) => p.confirmed_at !== null),
    );
    expect(confirmedAll.length).toBeGreaterThan(0);
    expect(confirmedAll.length).toBeLessThan(talks.length);

    // The 书记 asks in the group; the matrix names people, so it comes privately.
    const thisYear = Number(localDate(new Date(), tz).slice(0, 4));
    const before = privateCount(secretary());
    const answer = await say(
      sb,
      group,
      secretary(),
      pipeline.year === thisYear ? '/谈话 覆盖' : `/谈话 覆盖 ${pipeline.year}`,
    );
    expect(messageText(answer)).toContain('私信');
    const card = await privateCard(secretary(), `谈话覆盖情况 · ${pipeline.year}年`, before);
    expect(cardText(card.content)).toContain(`应谈 **${cov.due}** 对，已谈 **${cov.done}** 对`);
  });

  it('the pipeline: stages planned back from the meeting; opinions collected, some anonymous; a few materials', async () => {
    const stages = stagesOf(pipeline);
    const meetingOn = stages.meeting.due;
    const planned = planStages(meetingOn, calendar);
    for (const [stage, s] of Object.entries(planned))
      expect(stagesOf(pipeline)[stage as keyof typeof planned].due).toBe(s.due);
    const today = localDate(new Date(), tz);
    expect(meetingOn < today).toBe(true);
    expect(localDate(new Date(pipeline.created_at), tz) < stages.study.due).toBe(true);

    const opinions = await sb.db.db
      .selectFrom('pipeline_opinions')
      .selectAll()
      .where('pipeline_id', '=', pipeline.id)
      .execute();
    expect(opinions).toHaveLength(LIFE_OPINIONS.length);
    const anonymous = opinions.filter((o) => o.author_open_id === null);
    expect(anonymous.length).toBeGreaterThan(0);
    expect(anonymous.every((o) => o.author_name === null)).toBe(true);
    expect(opinions.length - anonymous.length).toBeGreaterThan(0);

    const materials = await sb.db.db
      .selectFrom('pipeline_materials')
      .selectAll()
      .where('pipeline_id', '=', pipeline.id)
      .execute();
    expect(materials.length).toBeGreaterThanOrEqual(3);

    // The 书记 (a 支委) reads the opinions privately: the count, the anonymous ones as 匿名.
    const before = privateCount(secretary());
    await say(sb, group, secretary(), '/组织生活会 意见');
    const card = await privateCard(secretary(), `${pipeline.year}年度组织生活会 · 征求到的意见`, before);
    const text = cardText(card.content);
    expect(text).toContain(`共 ${opinions.length} 条意见`);
    expect(text).toContain('匿名');
  });

  it('the 组织生活会 held — by the held rule, before now — and /组织生活会 查看 shows it, its problems and the materials', async () => {
    const session = await sb.db.db
      .selectFrom('sessions')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('kind', '=', 'life_meeting')
      .executeTakeFirstOrThrow();
    expect(pipeline.session_id).toBe(session.id);
    const attendees = await sb.db.db
      .selectFrom('session_attendees')
      .selectAll()
      .where('session_id', '=', session.id)
      .execute();
    const now = new Date();
    expect(Date.parse(session.start_at)).toBeLessThan(now.getTime());
    const record = sessionRecordState(session, attendees, now, tz, calendar);
    expect(record).toMatchObject({ state: 'held', minutes: 'recorded' });
    const meetingOn = localDate(new Date(session.start_at), tz);
    expect(meetingOn).toBe(stagesOf(pipeline).meeting.due);

    // The group already shows the progress card the seeding posted, as the first look at it.
    const title = `组织生活会 · ${pipeline.year}年度`;
    const posted = sb.emu.botMessages(group).find((m) => cardTitle(m) === title && m.parentId === undefined);
    expect(cardText(posted?.content ?? '{}')).toContain(`（${meetingOn} 召开）`);

    const answer: EmuMessage = await say(sb, group, secretary(), '/组织生活会 查看');
    expect(cardTitle(answer)).toBe(title);
    const text = cardText(answer.content);
    const line = (label: string) => text.split('\n').find((l) => l.startsWith(label)) ?? '';
    expect(line('召开会议')).toContain('已完成');
    expect(line('召开会议')).toContain(`（${meetingOn} 召开）`);
    expect(line('征求意见')).toContain('已完成');
    expect(line('问题清单')).toContain(`（${LIFE_PROBLEMS.length} 项）`);
    expect(line('对照检查材料')).toMatch(/已交 \d+\/12/);
    const problems = await pipelineProblems(sb.db.db, pipeline);
    for (const p of problems) expect(text).toContain(`#${p.id} ${p.problem}`);
  });

  it('its problems in the 整改台账: source 组织生活会, an owner and a deadline — and /整改 查看 says so', async () => {
    const problems = await pipelineProblems(sb.db.db, pipeline);
    expect(problems.map((p) => p.problem)).toEqual(LIFE_PROBLEMS.map((p) => p.problem));
    const rows = await sb.db.db
      .selectFrom('rectifications')
      .selectAll()
      .where(
        'id',
        'in',
        problems.map((p) => p.id),
      )
      .execute();
    const today = localDate(new Date(), tz);
    for (const r of rows) {
      const planned = LIFE_PROBLEMS.find((p) => p.problem === r.problem);
      expect(r).toMatchObject({ org_id: org.id, source: '组织生活会', owner_name: planned?.owner, status: 'pending' });
      expect(r.deadline > today).toBe(true);
      expect(r.created_at >= pipeline.created_at).toBe(true);
    }

    const first = rows[0] as (typeof rows)[number];
    const before = sb.emu.botMessages(group).length;
    await sb.emu.sendText({
      chatId: group,
      from: secretary().openId,
      text: `/整改 查看 ${first.id}`,
      mentionBot: true,
    });
    const card = await postedCard(sb, group, `整改事项 #${first.id}`, before);
    const text = cardText(card.content);
    expect(text).toContain('**来源**：组织生活会');
    expect(text).toContain(first.owner_name);
    expect(text).toContain(first.deadline);
  });
});
