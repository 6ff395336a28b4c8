/**
 * The sandbox's 机关党委 over three 支部 (issue 15 item 6), as a visitor finds it: four group chats and
 * over thirty people; 预备党员 and 支委 in each 支部's register (and 第一党支部's two 党小组), in the data and
 * on the `/党员` card; each 支部 under the 机关党委 (its 书记's 同意 on the request card in its group); the
 * roll-up — computed by the bot's own rules — 红 for 第一党支部, 绿 for 第二党支部 and 黄 for 第三党支部, and
 * the 总览 card in the 机关党委's group showing those rows in those colours; the item 下发 to all three,
 * accepted in one, in progress in another, not yet assigned in the third, as `/清单 下发情况` shows it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listHolidayOverrides } from '../../src/db/repositories/holidays.ts';
import { listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { localDate } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { rollupRows } from '../../src/features/rollup/service.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { DEMO_ISSUED, DEMO_OVERDUE } from '../../src/sandbox/seed-branch-records.ts';
import { BRANCHES, FIRST, FIRST_GROUPS, SECOND, THIRD, UPPER, UPPER_ORG } from '../../src/sandbox/seed-hierarchy.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { cardText, cardTitle } from '../helpers/cards.ts';
import { drained, say, settled } from '../helpers/converse.ts';

describe('the sandbox’s 机关党委 over three 支部', () => {
  let sb: Sandbox;
  let upper: Org;
  const tz = 'Asia/Shanghai';
  const user = (name: string) => [...sb.emu.store.users.values()].find((u) => u.name === name) as EmuUser;
  const chatOf = (org: string) => {
    const chat = [...sb.emu.store.chats.values()].find((c) => c.type === 'group' && c.name === `${org}工作群`);
    if (!chat) throw new Error(`no group of ${org}`);
    return chat.chatId;
  };
  const org = async (name: string) => (await findOrgByName(sb.db.db, name)) as Org;
  /** The rows of a card's tables (the text helper reads only what is shown as text). */
  const tableRows = (content: string): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.tag === 'table') out.push(...(o.rows as Record<string, unknown>[]));
        else Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(content));
    return out;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-hierarchy-'));
    sb = await startSandbox({
      config: loadConfig({ PORT: '0' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    await drained(sb, 30_000);
    upper = await org(UPPER_ORG);
  }, 60_000);
  afterAll(async () => sb?.stop());

  it('four groups, over thirty people: each 支部 its ten (or twelve), the 机关党委 its 书记, 纪检委员 and the three 支部 书记', async () => {
    const groups = [...sb.emu.store.chats.values()].filter((c) => c.type === 'group');
    expect(groups.map((c) => c.name).sort()).toEqual(
      [UPPER_ORG, ...BRANCHES.map((b) => b.org)].map((n) => `${n}工作群`).sort(),
    );
    expect(sb.emu.store.users.size).toBeGreaterThanOrEqual(30);
    for (const b of BRANCHES) {
      const members = await listMembers(sb.db.db, (await org(b.org)).id);
      expect(members.map((m) => m.name).sort()).toEqual([b.secretary, b.organizer, b.inspector, ...b.members].sort());
      const roles = new Map(members.map((m) => [m.name, m.role]));
      expect([roles.get(b.secretary), roles.get(b.organizer), roles.get(b.inspector)]).toEqual([
        'secretary',
        'organizer',
        'inspector',
      ]);
      // The 支部 owner bound it: the group's owner is its 书记.
      expect(sb.emu.requireChat(chatOf(b.org)).ownerOpenId).toBe(user(b.secretary).openId);
    }
    const upperMembers = await listMembers(sb.db.db, upper.id);
    expect(Object.fromEntries(upperMembers.map((m) => [m.name, m.role]))).toEqual({
      [UPPER.secretary]: 'secretary',
      [UPPER.inspector]: 'inspector',
      ...Object.fromEntries(BRANCHES.map((b) => [b.secretary, 'member'])),
    });
  });

  it('the register: 支委 and 预备党员 in each 支部, 第一党支部’s 党小组 with their 组长 — and the /党员 card says so', async () => {
    for (const b of BRANCHES) {
      const members = await listMembers(sb.db.db, (await org(b.org)).id);
      const posts = Object.fromEntries(members.filter((m) => m.committee_post).map((m) => [m.name, m.committee_post]));
      expect(posts).toEqual({ [b.secretary]: 'secretary', [b.organizer]: 'organizer', [b.inspector]: 'inspector' });
      expect(
        members
          .filter((m) => m.category === 'probationary')
          .map((m) => m.name)
          .sort(),
      ).toEqual([...b.probationary].sort());
    }
    const first = await listMembers(sb.db.db, (await org(FIRST.org)).id);
    for (const g of FIRST_GROUPS) {
      const inGroup = first.filter((m) => m.party_group === g.name);
      expect(inGroup.map((m) => m.name).sort()).toEqual([...g.members].sort());
      expect(inGroup.filter((m) => m.group_leader === 1).map((m) => m.name)).toEqual([g.members[0]]);
    }
    // Commands the chat history shows: the 组织委员's /党员 entries in each group.
    for (const b of BRANCHES) {
      const typed = sb.emu.store
        .messagesIn(chatOf(b.org))
        .filter((m) => m.senderId === user(b.organizer).openId && m.content.includes('/党员'));
      expect(typed.length).toBeGreaterThanOrEqual(5);
    }

    // The card, asked in the group by the 组织委员, comes privately.
    const organizer = user(SECOND.organizer);
    const p2p = sb.emu.p2pChat(organizer.openId).chatId;
    const before = sb.emu.botMessages(p2p).length;
    await say(sb, chatOf(SECOND.org), organizer, '/党员');
    const card = await sb.emu.waitFor(() =>
      sb.emu
        .botMessages(p2p)
        .slice(before)
        .find((m) => cardTitle(m) === `党员名册 · ${SECOND.org}`),
    );
    const text = cardText(card.content);
    expect(text).toContain('预备党员 **2**');
    expect(text).toContain('支委 **3**');
    const rows = tableRows(card.content);
    expect(rows.filter((r) => r.category === '预备党员').map((r) => r.name)).toEqual([...SECOND.probationary]);
    expect(rows.filter((r) => r.committee !== '').map((r) => [r.name, r.committee])).toEqual([
      [SECOND.secretary, '书记'],
      [SECOND.organizer, '组织委员'],
      [SECOND.inspector, '纪检委员'],
    ]);
  });

  it('each 支部 under the 机关党委, agreed by its 书记 on the request card in its group', async () => {
    expect(upper.level).toBe('organ_committee');
    for (const b of BRANCHES) {
      const o = await org(b.org);
      expect(o).toMatchObject({ parent_id: upper.id, level: 'branch' });
      const link = await sb.db.db
        .selectFrom('org_links')
        .selectAll()
        .where('child_id', '=', o.id)
        .executeTakeFirstOrThrow();
      expect(link).toMatchObject({ parent_id: upper.id, status: 'accepted', answered_by: user(b.secretary).openId });
      const request = sb.emu.botMessages(chatOf(b.org)).find((m) => cardTitle(m)?.startsWith('下级组织请求'));
      expect(cardTitle(request as NonNullable<typeof request>)).toBe('下级组织请求：已同意');
      expect(cardText((request as NonNullable<typeof request>).content)).toContain(`${b.secretary} 已于`);
    }
  });

  it('the roll-up: 第一党支部 红, 第二党支部 绿, 第三党支部 黄 — by the bot’s own rules and on the 总览 card', async () => {
    const now = new Date();
    const today = localDate(now, tz);
    const calendar = new WorkCalendar(await listHolidayOverrides(sb.db.db));
    const { rows } = await rollupRows(sb.db.db, upper, { now, today, tz, calendar });
    const byName = new Map(rows.map((r) => [r.name, r]));
    // 第一党支部 is red for the 支委会 and 主题党日 it missed last month (the roll-up looks back twelve
    // months, across the new year too); its late rectifications and overdue task add to it.
    expect(byName.get(FIRST.org)).toMatchObject({ colour: 'red', rectsOverdue: 2, tasksOverdue: 1 });
    const second = byName.get(SECOND.org);
    expect(second).toMatchObject({ colour: 'green', missed: 0, rectsOverdue: 0, tasksOverdue: 0 });
    expect(second?.met).toBe(second?.required);
    const third = byName.get(THIRD.org);
    expect(third).toMatchObject({ colour: 'yellow', missed: 0, rectsOverdue: 0, tasksOverdue: 1 });
    if (third?.attendance !== null) expect(third?.attendance).toBe(70);
    if (second?.attendance !== null) expect(second?.attendance).toBe(90);
    const overdue = await sb.db.db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .select('duty_items.content')
      .where('tasks.org_id', '=', (await org(THIRD.org)).id)
      .where('tasks.due_date', '<', today)
      .execute();
    expect(overdue.map((t) => t.content)).toEqual([DEMO_OVERDUE]);

    // The 总览 the 书记 asked for in the 机关党委's group: each row's colour as computed.
    const card = sb.emu.botMessages(chatOf(UPPER_ORG)).findLast((m) => cardTitle(m) === `${UPPER_ORG}下级组织总览`);
    if (!card) throw new Error('no 总览 card in the 机关党委 group');
    const text = cardText(card.content);
    const label = { red: '红', yellow: '黄', green: '绿' } as const;
    for (const r of rows) {
      const line = text.split('\n').find((l) => l.includes(`${r.name}**`));
      expect(line).toContain(`● ${label[r.colour]}`);
    }
    expect(rows.map((r) => r.colour).sort()).toEqual(['red', 'green', 'yellow'].sort());
  });

  it('the item 下发 to all three: accepted in 第二党支部, in progress in 第三党支部, not yet assigned in 第一党支部', async () => {
    const item = await sb.db.db
      .selectFrom('duty_items')
      .selectAll()
      .where('org_id', '=', upper.id)
      .where('content', '=', DEMO_ISSUED)
      .executeTakeFirstOrThrow();
    // The card answers in the group, or comes privately (it names each 支部's owners) with a note in the group.
    const secretary = user(UPPER.secretary);
    const p2p = sb.emu.p2pChat(secretary.openId).chatId;
    const before = sb.emu.botMessages(p2p).length;
    const title = `下发情况 · 第 ${item.seq} 项`;
    const answer = await say(sb, chatOf(UPPER_ORG), secretary, `/清单 下发情况 ${item.seq}`);
    const status =
      cardTitle(answer) === title
        ? answer
        : await sb.emu.waitFor(() =>
            sb.emu
              .botMessages(p2p)
              .slice(before)
              .find((m) => cardTitle(m) === title),
          );
    const text = cardText(status.content);
    expect(text).toContain('**已完成 1/3**');
    const rows = new Map(tableRows(status.content).map((r) => [r.org, r]));
    expect(rows.get(SECOND.org)).toMatchObject({ owners: '何建平', status: '已完成（已验收）' });
    expect(String(rows.get(SECOND.org)?.evidence)).not.toBe('');
    expect(rows.get(THIRD.org)).toMatchObject({ owners: '韩冬', status: '进行中' });
    expect(rows.get(FIRST.org)).toMatchObject({ status: '未指定责任人' });
    await settled(sb);
  });
});
