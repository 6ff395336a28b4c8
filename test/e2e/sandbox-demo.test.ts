/**
 * The sandbox demo shows a visitor true records (issue 13, "Done when"): a meeting held (its time past,
 * 签到 within the window, a quorum, minutes) and one scheduled (in the future); a 补正 on the held one
 * with its reason and who made it; a 清单 task 已完成（已验收） by the 书记 with its evidence and one
 * returned with a reason. Each is checked in the data, by the pure rules the bot judges with, and on
 * what the visitor sees in the emulator: the cards (whose counts are the data's) and `/会议 列表`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org, Session } from '../../src/db/schema.ts';
import { localDate } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { sessionRecordState } from '../../src/features/meetings/held.ts';
import { attendanceWindow, sessionHeading } from '../../src/features/meetings/model.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { DEMO_ORG } from '../../src/sandbox/seed.ts';
import { DEMO_CORRECTED, DEMO_HELD_LEAVE, DEMO_HELD_TITLE } from '../../src/sandbox/seed-meetings.ts';
import { DEMO_RETURN_REASON } from '../../src/sandbox/seed-tasks.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { cardText, cardTitle } from '../helpers/cards.ts';
import { drained, say } from '../helpers/converse.ts';

describe('the sandbox demo', () => {
  let sb: Sandbox;
  let org: Org;
  let group: string;
  let tz: string;
  let calendar: WorkCalendar;
  const user = (name: string) => [...sb.emu.store.users.values()].find((u) => u.name === name) as EmuUser;
  const sessions = () => sb.db.db.selectFrom('sessions').selectAll().where('org_id', '=', org.id).execute();
  const attendees = (s: Session) =>
    sb.db.db.selectFrom('session_attendees').selectAll().where('session_id', '=', s.id).orderBy('open_id').execute();
  /** The newest card in the group with this title (its content is the card as now updated). */
  const groupCard = (title: string) => {
    const card = sb.emu.botMessages(group).findLast((m) => cardTitle(m) === title);
    if (!card) throw new Error(`no card ${title} in the group`);
    return cardText(card.content);
  };
  /** The row of session #id on a `/会议 列表` card. */
  const listRow = (list: EmuMessage, id: number) => {
    // Each row is its own markdown (the heading, then when · status) beside its 查看 button (issue 14 item 4).
    const lines = cardText(list.content).split('\n');
    const at = lines.findIndex((l) => l.startsWith(`**#${id}**`));
    return at < 0 ? '' : lines.slice(at, at + 2).join('\n');
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-demo-'));
    const config = loadConfig({ PORT: '0' });
    tz = config.timezone;
    sb = await startSandbox({ config, databaseUrl: join(dir, 'sandbox.db'), logFile: join(dir, 'sandbox.log') });
    // Every card the seeding queued, and its updates, has reached the emulator.
    await drained(sb, 30_000);
    org = (await findOrgByName(sb.db.db, DEMO_ORG)) as Org;
    group = ([...sb.emu.store.chats.values()].find((c) => c.type === 'group') as { chatId: string }).chatId;
    calendar = new WorkCalendar(await listHolidayOverrides(sb.db.db));
  }, 60_000);
  afterAll(async () => sb?.stop());

  it('a meeting held: its time past, 签到 within the window, a quorum and minutes — 已召开 in the list', async () => {
    const now = new Date();
    const held = (await sessions()).find((s) => s.title === DEMO_HELD_TITLE) as Session;
    expect(held).toMatchObject({ kind: 'general', status: 'scheduled' });
    expect(Date.parse(held.start_at)).toBeLessThan(now.getTime());
    expect(held.minutes).toBeTruthy();
    expect(Date.parse(held.minutes_at as string)).toBeGreaterThan(Date.parse(held.start_at));
    expect(Date.parse(held.created_at)).toBeLessThan(Date.parse(held.start_at));

    const rows = await attendees(held);
    const w = attendanceWindow(held.kind, held.start_at);
    const live = rows.filter((a) => a.status === 'signed' && a.corrected_at === null);
    expect(live).toHaveLength(8);
    for (const a of live) {
      const at = Date.parse(a.answered_at as string);
      expect(at).toBeGreaterThanOrEqual(w.opens.getTime());
      expect(at).toBeLessThan(w.closes.getTime());
    }
    const leave = rows.find((a) => a.name === DEMO_HELD_LEAVE.name);
    expect(leave).toMatchObject({ status: 'leave', reason: DEMO_HELD_LEAVE.reason });
    expect(Date.parse(leave?.answered_at as string)).toBeLessThan(Date.parse(held.start_at));

    const record = sessionRecordState(held, rows, now, tz, calendar);
    expect(record).toMatchObject({ state: 'held', minutes: 'recorded', present: 9, invited: 10 });
    expect(record.voting).toEqual({ total: 10, present: 9, quorum: true });

    // The card in the group shows what the data has.
    const card = groupCard(sessionHeading(held.kind, held.title));
    expect(card).toContain('**应到** 10 人');
    expect(card).toMatch(new RegExp(`\\*\\*(已签到|实到)\\*\\* ${record.present} 人`));
    expect(card).toContain('**请假** 1 人');
    expect(card).toContain('**缺席** 0 人');
    expect(card).toContain('有表决权的党员 10 人，已到 9 人，超过半数。');
    expect(card).toContain('会议纪要');

    const year = localDate(new Date(held.start_at), tz).slice(0, 4);
    const list = await say(sb, group, user('李明华'), `/会议 列表 ${year}`);
    expect(listRow(list, held.id)).toMatch(/已召开/);
  });

  it('a meeting scheduled in the future: 已安排 (or 待召开) in the list, its card counting the 请假 answered', async () => {
    const now = new Date();
    const scheduled = (await sessions()).find((s) => s.kind === 'special') as Session;
    expect(scheduled.status).toBe('scheduled');
    expect(Date.parse(scheduled.start_at)).toBeGreaterThan(now.getTime());
    const rows = await attendees(scheduled);
    expect(sessionRecordState(scheduled, rows, now, tz, calendar).state).toBe('scheduled');
    expect(rows.filter((a) => a.status === 'signed')).toEqual([]);
    expect(rows.filter((a) => a.status === 'leave').map((a) => a.name)).toEqual(['赵敏']);

    const card = groupCard(sessionHeading(scheduled.kind, scheduled.title));
    // Before its 签到 window the card counts the 参会回执 (参加 / 请假 / 未回复): none but the leave.
    expect(card).toContain(
      `**应到** ${rows.length} 人　**参加** 0 人　**请假** 1 人　**未回复** ${rows.length - 1} 人`,
    );
    expect(card).not.toContain('**已签到**');
    expect(card).toContain('开始前请回复参加或请假。');

    const year = localDate(new Date(scheduled.start_at), tz).slice(0, 4);
    const list = await say(sb, group, user('李明华'), `/会议 列表 ${year}`);
    const row = listRow(list, scheduled.id);
    // The list's wording for a meeting not yet held is being settled (views.ts): either is true here.
    expect(row).toMatch(/已安排|待召开/);
    expect(row).not.toMatch(/已召开/);
  });

  it('a 补正 on the held meeting: after the window, by the 书记, with its reason — shown on the card', async () => {
    const held = (await sessions()).find((s) => s.title === DEMO_HELD_TITLE) as Session;
    const secretary = (await listMembers(sb.db.db, org.id)).find((m) => m.role === 'secretary');
    const corrected = (await attendees(held)).filter((a) => a.corrected_at !== null);
    expect(corrected).toHaveLength(1);
    expect(corrected[0]).toMatchObject({
      name: DEMO_CORRECTED.name,
      status: 'signed',
      correction_reason: DEMO_CORRECTED.reason,
      corrected_by: secretary?.open_id,
    });
    const at = Date.parse(corrected[0]?.corrected_at as string);
    expect(at).toBeGreaterThanOrEqual(attendanceWindow(held.kind, held.start_at).closes.getTime());
    expect(at).toBeLessThan(Date.parse(held.minutes_at as string));
    const audit = await sb.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'session:correct')
      .where('subject', '=', `session:${held.id}`)
      .execute();
    expect(audit).toHaveLength(1);

    expect(groupCard(sessionHeading(held.kind, held.title))).toContain(
      `**补正**：${DEMO_CORRECTED.name} 补正为签到（${DEMO_CORRECTED.reason}）`,
    );
  });

  it('a task accepted by the 书记 with its evidence, and one returned with a reason: the owners’ cards say so', async () => {
    const secretary = user('李明华');
    const tasks = await sb.db.db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .select(['tasks.id', 'tasks.status', 'tasks.owner_name', 'duty_items.content', 'duty_items.evidence'])
      .where('tasks.org_id', '=', org.id)
      .execute();
    const events = (id: number) =>
      sb.db.db.selectFrom('task_events').selectAll().where('task_id', '=', id).orderBy('id').execute();
    const evidence = (id: number) =>
      sb.db.db.selectFrom('task_evidence').selectAll().where('task_id', '=', id).execute();
    const ownerCard = (owner: string, id: number) => {
      const chat = sb.emu.p2pChat(user(owner).openId).chatId;
      const card = sb.emu.botMessages(chat).findLast((m) => cardTitle(m) === `责任任务 #${id}`);
      if (!card) throw new Error(`no card of task #${id} for ${owner}`);
      return cardText(card.content);
    };

    const accepted = tasks.filter((t) => t.status === 'accepted');
    expect(accepted).toHaveLength(1);
    const a = accepted[0] as (typeof tasks)[number];
    expect(a.evidence).not.toBe('');
    expect(await evidence(a.id)).toHaveLength(1);
    const aEvents = await events(a.id);
    expect(aEvents.map((e) => e.kind)).toEqual(['submitted', 'accepted']);
    expect(aEvents[1]).toMatchObject({ actor_open_id: secretary.openId });
    expect(ownerCard(a.owner_name, a.id)).toContain('**状态**：已完成（已验收）');

    const returned = [];
    for (const t of tasks) if ((await events(t.id)).some((e) => e.kind === 'returned')) returned.push(t);
    expect(returned).toHaveLength(1);
    const r = returned[0] as (typeof tasks)[number];
    expect(r.status).toBe('in_progress');
    expect(await evidence(r.id)).toHaveLength(1);
    const rEvents = await events(r.id);
    expect(rEvents.map((e) => e.kind)).toEqual(['submitted', 'returned']);
    expect(rEvents[1]).toMatchObject({ actor_open_id: secretary.openId, text: `退回：${DEMO_RETURN_REASON}` });
    const card = ownerCard(r.owner_name, r.id);
    expect(card).toContain('**状态**：进行中');
    expect(card).toContain(`退回：${DEMO_RETURN_REASON}`);
    // The owner was told why, privately.
    const told = sb.emu
      .botMessages(sb.emu.p2pChat(user(r.owner_name).openId).chatId)
      .some(
        (m) => m.msgType === 'text' && m.content.includes('【验收退回】') && m.content.includes(DEMO_RETURN_REASON),
      );
    expect(told).toBe(true);
  });
});
