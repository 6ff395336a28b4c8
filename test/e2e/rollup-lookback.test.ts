/**
 * The roll-up looks back twelve months, not to 1 January (issue 15, review finding): on 2027-01-10 a
 * 机关党委 over three 支部 that began with 清风 on 2026-12-01. 第一党支部 held everything but its December
 * 支委会 and its 2026 组织生活会 — red, the 支委会 missed; the 组织生活会 for 2026 may still be held until
 * the end of February (as the report has it), so it is not counted yet. 第二党支部 held its 2026
 * 组织生活会 on 2027-01-08 (January–February counts for the year before) and 第三党支部 held it on
 * 2026-12-18 — both green; 第一党支部's of 2026-01-06 was 2025's and does not count for 2026 too. `/总览` says 近12个月 and draws the twelve months of 2026; 查看 names the missed
 * period. From March 2027 第一党支部's 2026 组织生活会 is counted missed and the others' met.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setOrgLevel, setParent } from '../../src/db/repositories/org-tree.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { ensureRules } from '../../src/features/meetings/repository.ts';
import { computeFacts, lowerOrgs } from '../../src/features/rollup/compute.ts';
import { rollupRows } from '../../src/features/rollup/service.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { bj } from '../helpers/converse.ts';

/** What each 支部 held: kind, category and the local date (all at 15:00, everyone signed in). */
const DECEMBER: [string, 'meeting' | 'study', string][] = [
  ['committee', 'meeting', '2026-12-08'],
  ['theme_day', 'meeting', '2026-12-15'],
  ['general', 'meeting', '2026-12-18'],
  ['lecture', 'meeting', '2026-12-22'],
  ['warning', 'study', '2026-12-24'],
];

describe('/总览 in January: the last twelve months', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('counts December and last year’s 组织生活会 (held up to February for it), and says 近12个月', async () => {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-01', '10:00'));
    h = await startBot({ clock });
    const db = h.db.db;
    const secretary = h.emu.addUser('周书记');
    const upperChat = h.emu.createGroup({ name: '机关党委', owner: secretary.openId, members: [] });
    await talk.say(h, upperChat.chatId, secretary, '/绑定 机关党委');
    const upper = await findOrgByChat(db, upperChat.chatId);
    if (!upper) throw new Error('no upper org');
    await setOrgLevel(db, upper.id, 'organ_committee');
    const branches = [];
    for (const name of ['第一党支部', '第二党支部', '第三党支部']) {
      const b = await seedBranch(h, { orgName: name });
      const org = await findOrgByChat(db, b.chat.chatId);
      if (!org) throw new Error('no branch');
      await setOrgLevel(db, org.id, 'branch');
      expect(await setParent(db, org.id, upper.id)).toBe(true);
      await ensureRules(db, org.id, bj('2026-12-01', '10:00').toISOString());
      branches.push({ org, people: [b.secretary, ...b.members] });
    }
    const held = async (orgId: number, kind: string, category: 'meeting' | 'study', day: string, people: EmuUser[]) => {
      const start = bj(day, '15:00').toISOString();
      const s = await db
        .insertInto('sessions')
        .values({
          ...{ org_id: orgId, category, kind: kind as 'committee', title: '例会', start_at: start, place: '会议室' },
          ...{ agenda: '', status: 'scheduled', organiser_open_id: people[0]?.openId ?? '' },
          ...{ organiser_name: people[0]?.name ?? '', minutes: '纪要', minutes_at: start, reflection_days: 3 },
          ...{ recorded_as: 'live', version: 1, created_at: start, updated_at: start },
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('session_attendees')
        .values(
          people.map((p) => ({
            ...{ session_id: s.id, open_id: p.openId, name: p.name, status: 'signed' as const, reason: null },
            ...{ answered_at: start, voting: 1, corrected_at: null, corrected_by: null, correction_reason: null },
          })),
        )
        .execute();
    };
    const [first, second, third] = branches as [(typeof branches)[0], (typeof branches)[0], (typeof branches)[0]];
    for (const b of branches)
      for (const [kind, category, day] of DECEMBER)
        if (!(b === first && kind === 'committee')) await held(b.org.id, kind, category, day, b.people);
    await held(second.org.id, 'life_meeting', 'meeting', '2027-01-08', second.people);
    await held(third.org.id, 'life_meeting', 'meeting', '2026-12-18', third.people);
    // A January meeting is the year before's (one meeting, one year): 第一党支部's of 2026-01-06 is 2025's.
    await held(first.org.id, 'life_meeting', 'meeting', '2026-01-06', first.people);
    clock.set(bj('2027-01-10', '10:00'));

    // Six rules a 支部 owes, one period each since it began (December, Q4, 2026) — the 组织生活会 not due
    // until the end of February: five counted, 第一 missed one.
    const input = { now: clock.now(), today: '2027-01-10', tz: 'Asia/Shanghai', calendar: new WorkCalendar() };
    const { rows, trend } = await rollupRows(db, upper, input);
    expect(rows.map((r) => [r.name, r.colour, r.required, r.missed])).toEqual([
      ['第一党支部', 'red', 5, 1],
      ['第二党支部', 'green', 5, 0],
      ['第三党支部', 'green', 5, 0],
    ]);
    expect(trend.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, m) => `2026-${`${m + 1}`.padStart(2, '0')}`),
    );
    expect(trend.at(-1)).toEqual({ month: '2026-12', required: 15, met: 14 });

    const answer = await talk.say(h, upperChat.chatId, secretary, '/总览');
    expect(cardTitle(answer)).toBe('机关党委下级组织总览');
    const text = cardText(answer.content);
    expect(text).toContain('近12个月到期应开展 15 次，已按期开展 14 次（93%）。');
    expect(text).not.toContain('本年度到期');
    expect(text).toContain("**1. 第一党支部** <font color='red'>● 红</font>");
    expect(text).toContain('未按期开展 1');
    expect(answer.content).toContain('近12个月各月应开展和已按期开展次数');
    expect(answer.content).toContain('2026年1月');

    // 查看 on the red row: the two missed periods, privately.
    const p2p = h.emu.p2pChat(secretary.openId).chatId;
    await h.emu.click({ messageId: answer.messageId, from: secretary.openId, value: button(answer, '查看').value });
    const detail = await h.emu.waitFor(() => h.emu.botMessages(p2p).find((m) => cardTitle(m) === '第一党支部情况'), {
      what: 'the detail card',
    });
    const detailText = cardText(detail.content);
    expect(detailText).toContain('**近12个月未按期开展（1）**');
    expect(detailText).toContain('支部委员会会议：2026年12月');
    expect(detailText).not.toContain('组织生活会');
    await talk.settled(h);

    // After February the 2026 组织生活会 is due: missed by 第一党支部, met by the other two.
    const march = { ...input, now: bj('2027-03-02', '10:00'), today: '2027-03-02' };
    const { facts } = await computeFacts(db, await lowerOrgs(db, upper), march);
    expect(
      facts.map((f) => [f.name, f.cycles.filter((c) => c.rule === 'life_meeting').map((c) => [c.period, c.met])]),
    ).toEqual([
      ['第一党支部', [['2026', false]]],
      ['第二党支部', [['2026', true]]],
      ['第三党支部', [['2026', true]]],
    ]);
  });
});
