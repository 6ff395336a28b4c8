/**
 * The roll-up end to end (issue 15 items 5): a 机关党委 over three 支部, each in its own group — 第一党支部
 * held nothing in November and has a rectification 45 days late (红), 第二党支部 held its meetings but
 * has an overdue task and a rectification 5 days late (黄), 第三党支部 held everything and studied (绿).
 * `/总览` by the 党委's 书记 answers with the rows red first and the charts; 查看 sends that 支部's lists
 * privately (the group card stays); 督办 sends the 支部 书记 the list with one 加急, and a second 督办 the
 * same day does nothing; a 支部's 书记 sitting in the 党委 group as a plain member is refused the view and
 * the buttons, as is a plain 党委 member; the weekly job posts the card to the 党委 group once a week.
 * The roll-up reads the same number of queries for 3 支部 as for 60 (set-based, not per 支部).
 */
import type { KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { setOrgLevel, setParent } from '../../src/db/repositories/org-tree.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { ensureRules } from '../../src/features/meetings/repository.ts';
import { rollupRows } from '../../src/features/rollup/service.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';
import { createTestDb } from '../helpers/db.ts';

describe('/总览: a 党委 over its 支部', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function world() {
    const clock = new OffsetClock();
    clock.set(bj('2026-11-02', '10:00'));
    h = await startBot({ clock });
    const db = h.db.db;
    const b1 = await seedBranch(h, { orgName: '第一党支部' });
    const b2 = await seedBranch(h, { orgName: '第二党支部' });
    const b3 = await seedBranch(h, { orgName: '第三党支部' });
    const secretary = h.emu.addUser('周书记');
    const plainMember = h.emu.addUser('孙党员');
    const upperChat = h.emu.createGroup({
      name: '机关党委',
      owner: secretary.openId,
      members: [plainMember.openId, b1.secretary.openId],
    });
    await talk.say(h, upperChat.chatId, secretary, '/绑定 机关党委');
    const upper = await findOrgByChat(db, upperChat.chatId);
    if (!upper) throw new Error('no upper org');
    await setOrgLevel(db, upper.id, 'organ_committee');
    const branches = [];
    for (const b of [b1, b2, b3]) {
      const org = await findOrgByChat(db, b.chat.chatId);
      if (!org) throw new Error('no branch');
      await setOrgLevel(db, org.id, 'branch');
      expect(await setParent(db, org.id, upper.id)).toBe(true);
      branches.push({ ...b, org, people: [b.secretary, ...b.members] });
    }
    const at = (d: string, t = '10:00') => bj(d, t).toISOString();
    const session = async (orgId: number, kind: string, start: string, people: EmuUser[], category = 'meeting') => {
      const s = await db
        .insertInto('sessions')
        .values({
          org_id: orgId,
          category: category as 'meeting',
          kind: kind as 'committee',
          title: '例会',
          start_at: start,
          place: '三楼会议室',
          agenda: '',
          status: 'scheduled',
          organiser_open_id: people[0]?.openId ?? '',
          organiser_name: people[0]?.name ?? '',
          minutes: '纪要',
          minutes_at: start,
          reflection_days: 3,
          recorded_as: 'live',
          version: 1,
          created_at: at('2026-11-02'),
          updated_at: at('2026-11-02'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('session_attendees')
        .values(
          people.map((p, i) => ({
            session_id: s.id,
            open_id: p.openId,
            name: p.name,
            status: i < 3 ? ('signed' as const) : ('invited' as const),
            reason: null,
            answered_at: start,
            voting: 1,
            corrected_at: null,
            corrected_by: null,
            correction_reason: null,
          })),
        )
        .execute();
    };
    const [red, yellow, green] = branches as [(typeof branches)[0], (typeof branches)[0], (typeof branches)[0]];
    for (const b of [yellow, green]) {
      await session(b.org.id, 'committee', at('2026-11-10', '15:00'), b.people);
      await session(b.org.id, 'theme_day', at('2026-11-13', '09:00'), b.people);
    }
    await session(green.org.id, 'central_group', at('2026-11-20', '09:00'), green.people.slice(0, 3), 'study');
    const rect = (orgId: number, owner: EmuUser, deadline: string, problem: string) =>
      db
        .insertInto('rectifications')
        .values({
          org_id: orgId,
          batch_id: null,
          source: '巡察',
          problem,
          measures: '制定措施',
          leader: '书记',
          owner_open_id: owner.openId,
          owner_name: owner.name,
          deadline,
          kind: 'centralized',
          area: '',
          status: 'in_progress',
          progress: 30,
          late: 1,
          submitted_at: null,
          closed_at: null,
          reviewer_open_id: null,
          reviewer_name: null,
          import_key: null,
          version: 1,
          created_by: owner.openId,
          created_at: at('2026-11-02'),
          updated_at: at('2026-11-02'),
        })
        .execute();
    await rect(red.org.id, red.members[1] as EmuUser, '2026-10-18', '谈心谈话开展不经常');
    await rect(yellow.org.id, yellow.members[1] as EmuUser, '2026-11-27', '制度执行不到位');
    const list = await db
      .insertInto('duty_lists')
      .values({ org_id: yellow.org.id, year: 2026, title: '清单', created_at: at('2026-11-02') })
      .returning('id')
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto('duty_items')
      .values({
        list_id: list.id,
        org_id: yellow.org.id,
        seq: 1,
        category: '组织建设',
        content: '修订党支部工作制度',
        leader: '书记',
        cadence: 'once',
        due_date: '2026-11-30',
        due_day: null,
        evidence: '',
        active: 1,
        import_key: null,
        source_item_id: null,
        source_org_id: null,
        created_by: yellow.secretary.openId,
        created_at: at('2026-11-02'),
        updated_at: at('2026-11-02'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('tasks')
      .values({
        org_id: yellow.org.id,
        item_id: item.id,
        owner_open_id: yellow.members[2]?.openId as string,
        owner_name: yellow.members[2]?.name as string,
        period: 'once',
        due_date: '2026-11-30',
        status: 'in_progress',
        percent: 50,
        late: 0,
        done_at: null,
        version: 1,
        created_at: at('2026-11-02'),
        updated_at: at('2026-11-02'),
      })
      .execute();
    clock.set(bj('2026-12-02', '10:00'));
    return { clock, upper, upperChat, secretary, plainMember, red, yellow, green };
  }

  it('shows the rows red first; 查看 privately; 督办 once with a 加急; refuses 支部 admins and plain members', async () => {
    const w = await world();
    const g = w.upperChat.chatId;
    const answer = await talk.say(h, g, w.secretary, '/总览');
    expect(cardTitle(answer)).toBe('机关党委下级组织总览');
    const text = cardText(answer.content);
    expect(text).toContain('共 3 个下级组织');
    const order = ['第一党支部', '第二党支部', '第三党支部'].map((n) => text.indexOf(n));
    expect(order.every((x, i) => x > 0 && (i === 0 || x > (order[i - 1] as number)))).toBe(true);
    expect(text).toContain("**1. 第一党支部** <font color='red'>● 红</font>");
    expect(text).toContain("**2. 第二党支部** <font color='orange'>● 黄</font>");
    expect(text).toContain("**3. 第三党支部** <font color='green'>● 绿</font>");
    expect(text).toContain('未按期开展 2');
    expect(text).toContain('整改逾期 1（最长 45 天）');
    expect(text).toContain('任务逾期 1');
    expect(text).toContain('参学率 100%');
    expect(answer.content).toContain('"tag":"chart"');
    // No person's name and no item's title on the shared card.
    expect(text).not.toMatch(/谈心谈话|修订党支部工作制度|王纪检|张组织|赵党员/);

    // 查看 on the red row: the lists go to the clicker's private chat; the group card stays as it was.
    const before = h.emu.botMessages(g).length;
    const p2p = h.emu.p2pChat(w.secretary.openId).chatId;
    const views = await h.emu.click({
      messageId: answer.messageId,
      from: w.secretary.openId,
      value: button(answer, '查看').value,
    });
    expect(views.toast).toEqual({ type: 'info', content: talk.SENT_PRIVATELY.view });
    const detail = await h.emu.waitFor(() => h.emu.botMessages(p2p).find((m) => cardTitle(m) === '第一党支部情况'), {
      what: 'the detail card',
    });
    const detailText = cardText(detail.content);
    expect(detailText).toContain('支部委员会会议：2026年11月');
    expect(detailText).toContain('主题党日：2026年11月');
    expect(detailText).toContain('谈心谈话开展不经常 — 责任人 张组织，时限 2026-10-18，逾期 45 天');
    await talk.settled(h);
    expect(h.emu.botMessages(g)).toHaveLength(before);

    // 督办: the red 支部's 书记 gets the list with one 加急; a second press the same day does nothing.
    const press = button(answer, '督办').value;
    expect(press.b).toBe(w.red.org.id);
    const pressed = await h.emu.click({ messageId: answer.messageId, from: w.secretary.openId, value: press });
    expect(pressed.toast?.content).toBe('已向「第一党支部」书记发送督办并加急提醒。');
    const redP2p = h.emu.p2pChat(w.red.secretary.openId).chatId;
    const sent = await h.emu.waitFor(
      () => h.emu.botMessages(redP2p).find((m) => cardTitle(m) === '【督办】第一党支部'),
      {
        what: 'the 督办 card',
      },
    );
    expect(cardText(sent.content)).toContain('谈心谈话开展不经常');
    await talk.settled(h);
    const again = await h.emu.click({ messageId: answer.messageId, from: w.secretary.openId, value: press });
    expect(again.toast?.content).toBe('今天已督办过「第一党支部」，明天可再次督办。');
    await talk.settled(h);
    const urgents = await h.db.db
      .selectFrom('outbox')
      .select(['kind', 'status'])
      .where('kind', 'in', ['urgent_app', 'urgent_sms', 'urgent_phone'])
      .execute();
    expect(urgents).toEqual([{ kind: 'urgent_app', status: 'sent' }]);
    expect(h.emu.store.urgents.map((u) => u.messageId)).toEqual([sent.messageId]);
    const audit = await h.db.db
      .selectFrom('audit_log')
      .select(['actor', 'subject'])
      .where('action', '=', 'overview:press')
      .execute();
    expect(audit).toEqual([{ actor: w.secretary.openId, subject: `org:${w.red.org.id}` }]);

    // The red 支部's 书记 sits in the 党委 group as a plain member: refused the view and the buttons.
    const refused = await talk.say(h, g, w.red.secretary, '/总览');
    expect(messageText(refused)).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    const click = await h.emu.click({
      messageId: answer.messageId,
      from: w.red.secretary.openId,
      value: button(answer, '查看').value,
    });
    expect(click.toast?.type).toBe('error');
    // In their own 支部's group, /总览 is refused too: a 支部 has no lower orgs (and never sees its siblings).
    const own = await talk.say(h, w.red.chat.chatId, w.red.secretary, '/总览');
    expect(messageText(own)).toContain('没有下级组织');
    expect(messageText(own)).not.toContain('第二党支部');
    // A plain member of the 党委 is refused.
    const member = await talk.say(h, g, w.plainMember, '/总览');
    expect(messageText(member)).toBe('需要书记、副书记、纪检委员或组织委员权限。');
    // A word after it changes nothing and shows the usage.
    const extra = await talk.say(h, g, w.secretary, '/总览 第一党支部');
    expect(messageText(extra)).toContain('用法：/总览');
    // The 党委's 书记 in the private chat (one org): the same card.
    const privately = await talk.say(h, p2p, w.secretary, '/总览');
    expect(cardTitle(privately)).toBe('机关党委下级组织总览');
    // 查看 there comes as a new message: the overview it was opened from stays.
    const details = () => h.emu.botMessages(p2p).filter((m) => cardTitle(m) === '第二党支部情况');
    const second = buttons(privately).filter((b) => b.text === '查看')[1];
    expect(second?.value.b).toBe(w.yellow.org.id);
    const opened = await h.emu.click({
      messageId: privately.messageId,
      from: w.secretary.openId,
      value: second?.value ?? {},
    });
    expect(opened.toast?.content).toBe('已发送「第二党支部」的情况。');
    await h.emu.waitFor(() => details().length === 1, { what: 'the second detail card' });
    expect(cardText(details()[0]?.content ?? '')).toContain('修订党支部工作制度');
    expect(cardTitle(h.emu.requireMessage(privately.messageId))).toBe('机关党委下级组织总览');
  });

  it('posts the weekly card to the 党委 group once a week', async () => {
    const w = await world();
    const g = w.upperChat.chatId;
    const weekly = () => h.emu.botMessages(g).filter((m) => cardTitle(m) === '机关党委下级组织总览');
    w.clock.set(bj('2026-12-07', '09:30'));
    await talk.runJobAt(h, 'rollup-weekly', '2026-12-07', '09:30');
    expect(weekly()).toHaveLength(1);
    expect(cardText((weekly()[0] as { content: string }).content)).toContain('（每周总览）');
    await talk.runJobAt(h, 'rollup-weekly', '2026-12-07', '10:30');
    w.clock.set(bj('2026-12-08', '09:30'));
    await talk.runJobAt(h, 'rollup-weekly', '2026-12-08', '09:30');
    expect(weekly()).toHaveLength(1);
    // Not before 09:00, and again the next week.
    w.clock.set(bj('2026-12-14', '08:30'));
    await talk.runJobAt(h, 'rollup-weekly', '2026-12-14', '08:30');
    expect(weekly()).toHaveLength(1);
    w.clock.set(bj('2026-12-14', '09:30'));
    await talk.runJobAt(h, 'rollup-weekly', '2026-12-14', '09:30');
    expect(weekly()).toHaveLength(2);
    // Only the 党委 group: no 支部 group got it.
    for (const b of [w.red, w.yellow, w.green])
      expect(h.emu.botMessages(b.chat.chatId).some((m) => cardTitle(m) === '机关党委下级组织总览')).toBe(false);
  });
});

describe('the roll-up’s queries', () => {
  it('are as many for 60 支部 as for 3', async () => {
    const t = await createTestDb();
    try {
      let queries = 0;
      const counting: KyselyPlugin = {
        transformQuery: (a) => {
          queries++;
          return a.node;
        },
        transformResult: async (a) => a.result,
      };
      const at = bj('2026-01-05').toISOString();
      const upperOf = async (n: number) => {
        const upper = await t.db
          .insertInto('orgs')
          .values({ name: `党委${n}`, parent_id: null, level: 'committee', settings: '{}', created_at: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (let i = 0; i < n; i++) {
          const b = await t.db
            .insertInto('orgs')
            .values({
              name: `党委${n}第${i + 1}党支部`,
              parent_id: upper.id,
              level: 'branch',
              settings: '{}',
              created_at: at,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await ensureRules(t.db, b.id, at);
        }
        return upper.id;
      };
      const input = {
        now: bj('2026-12-02', '10:00'),
        today: '2026-12-02',
        tz: 'Asia/Shanghai',
        calendar: new WorkCalendar(),
      };
      const count = async (upper: number) => {
        queries = 0;
        const { rows } = await rollupRows(t.db.withPlugin(counting), { id: upper }, input);
        return { rows: rows.length, queries };
      };
      const few = await count(await upperOf(3));
      const many = await count(await upperOf(60));
      expect(few.rows).toBe(3);
      expect(many.rows).toBe(60);
      expect(many.queries).toBe(few.queries);
    } finally {
      await t.drop();
    }
  });
});
