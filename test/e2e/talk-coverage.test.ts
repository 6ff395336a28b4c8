/**
 * The yearly talk coverage over the emulator (issue 16 item 2), in a 支部 with a 书记, two 支委 (纪检委员 in
 * 第二党小组, 组织委员 in 第一党小组), a 预备党员 and members in both groups:
 * - `/谈话 覆盖` for an admin: 应谈 / 已谈 / 覆盖率 and each 支委's missing people, privately when asked in the
 *   group; only 谈心谈话 and 廉政谈话 count, not a withdrawn talk nor last year's; a plain member sees only
 *   their own pairs; a bad year changes nothing and answers the usage;
 * - `/设置 谈话覆盖 …` switches a part of the matrix (bad words change nothing);
 * - the job: each 支委 who still owes gets their own missing pairs at the start of Q4 (once: run twice,
 *   sent once) and again within 10 working days before the 组织生活会 pipeline's planned meeting, for the
 *   pipeline's year with the talks up to the meeting (January of the next year), once, on working days;
 * - `yearCoverage(…, through)` counts the talks up to a later meeting date; the cards count 双方确认;
 * - the 任前廉政谈话 prompt to the 书记 after `/角色 @某人 组织委员` and a 支委 post, not for oneself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import { yearCoverage } from '../../src/features/talks/coverage.ts';
import { createTalk, listYearTalks } from '../../src/features/talks/repository.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import { postedCard, runJobAt, say, settled } from '../helpers/converse.ts';

const at = (u: EmuUser) => `@{${u.openId}}`;
const PROMPT = '请在任前（或任职后及时）与其进行任前廉政谈话';

describe('the yearly talk coverage', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function setup() {
    h = await startBot({ clock: fixedClock('2026-09-30T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织', '赵党员', '钱党员', '孙预备', '周党员'] });
    const [wang, zhang, zhao, qian, sun, zhou] = w.members as [EmuUser, EmuUser, EmuUser, EmuUser, EmuUser, EmuUser];
    const s = w.secretary;
    const g = w.chat.chatId;
    const org = (await findOrgByChat(h.db.db, g)) as Org;
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    const said = async (from: EmuUser, line: string) => messageText(await say(h, g, from, line));
    for (const line of [
      `/角色 ${at(wang)} 纪检委员`,
      `/角色 ${at(zhang)} 组织委员`,
      `/党员 ${at(s)} 支委 书记`,
      `/党员 ${at(wang)} 支委 纪检委员`,
      `/党员 ${at(zhang)} 支委 组织委员`,
      `/党员 ${at(sun)} 预备党员`,
      `/党员 ${at(zhang)} 党小组 第一党小组 组长`,
      `/党员 ${at(zhao)} 党小组 第一党小组`,
      `/党员 ${at(sun)} 党小组 第一党小组`,
      `/党员 ${at(wang)} 党小组 第二党小组 组长`,
      `/党员 ${at(qian)} 党小组 第二党小组`,
      `/党员 ${at(zhou)} 党小组 第二党小组`,
    ])
      expect(await said(s, line)).toMatch(/已将|已更新/);
    await settled(h);
    /** The bot's private messages to `u` after the first `from`. */
    const privately = (u: EmuUser, from = 0) => h.emu.botMessages(p2p(u)).slice(from);
    const talk = (
      recorder: EmuUser,
      kind: 'heart' | 'integrity' | 'pre_appointment',
      heldOn: string,
      ...with_: EmuUser[]
    ) =>
      createTalk(h.db.db, {
        orgId: org.id,
        kind,
        heldOn,
        place: '党员活动室',
        notes: null,
        recorder: { openId: recorder.openId, name: recorder.name },
        parties: with_.map((u) => ({ openId: u.openId, name: u.name })),
        now: '2026-09-01T02:00:00.000Z',
      });
    return { ...w, s, g, org, wang, zhang, zhao, qian, sun, zhou, said, privately, talk, p2p };
  }

  /** The talks of the year: 3 of the 11 pairs owed are covered. */
  async function recordTalks(w: Awaited<ReturnType<typeof setup>>) {
    await w.talk(w.s, 'heart', '2026-03-10', w.wang, w.zhang); // 书记-纪检, 书记-组织
    await w.talk(w.zhang, 'integrity', '2026-04-02', w.zhao); // 组织-赵
    await w.talk(w.s, 'pre_appointment', '2026-05-06', w.zhao); // 任前廉政谈话: not counted
    await w.talk(w.wang, 'heart', '2025-11-20', w.qian); // last year
    const withdrawn = await w.talk(w.s, 'heart', '2026-06-01', w.qian);
    await h.db.db.updateTable('talks').set({ status: 'withdrawn' }).where('id', '=', withdrawn.talk.id).execute();
  }

  /** Asked in the group: the group hears it went privately; the private card's text. */
  async function coverageOf(w: Awaited<ReturnType<typeof setup>>, u: EmuUser, line = '/谈话 覆盖') {
    const before = w.privately(u).length;
    expect(await w.said(u, line)).toBe('谈话覆盖情况已私信发送，请在与清风的单聊中查看。');
    const m = await h.emu.waitFor(() => w.privately(u, before)[0], { what: 'the private coverage' });
    return { title: cardTitle(m), text: cardText(m.content) };
  }

  it('shows admins the counts and each 支委’s missing people, a member only their own, privately', async () => {
    const w = await setup();
    await recordTalks(w);
    // One more through the talk register's own form: the 书记 with 周党员.
    const sent = w.privately(w.s).length;
    await h.emu.sendText({ chatId: w.p2p(w.s), from: w.s.openId, text: '/谈话 记录 谈心谈话', mentionBot: true });
    const form = await postedCard(h, w.p2p(w.s), '记录谈话', sent);
    const saved = await h.emu.click({
      messageId: form.messageId,
      from: w.s.openId,
      value: button(form, '保存').value,
      name: 'submit_talk',
      formValue: { kind: 'heart', date: '2026-09-29 +0800', place: '党建活动室', notes: '', parties: [w.zhou.openId] },
    });
    expect(saved.toast?.type).toBe('success');
    // Both parties of the 书记's March talk confirmed it: that one is 双方确认, the other two await.
    const march = await h.db.db.selectFrom('talks').select('id').where('held_on', '=', '2026-03-10').execute();
    await h.db.db
      .updateTable('talk_parties')
      .set({ confirmed_at: '2026-03-11T02:00:00.000Z' })
      .where('talk_id', '=', march[0]?.id as number)
      .execute();
    const groupBefore = h.emu.botMessages(w.g).length;

    const all = await coverageOf(w, w.wang);
    expect(all.title).toBe('谈话覆盖情况 · 2026年');
    expect(all.text).toContain('应谈 **11** 对，已谈 **4** 对，覆盖率 **36.3%**');
    expect(all.text).toContain('**李书记**（书记）应谈 6 人，尚未谈 **3** 人：');
    expect(all.text).toContain('赵党员、钱党员、孙预备');
    expect(all.text).toContain('**王纪检**（纪检委员）应谈 4 人，尚未谈 **3** 人：');
    expect(all.text).toContain('张组织、钱党员、周党员');
    expect(all.text).toContain('**张组织**（组织委员）应谈 4 人，尚未谈 **2** 人：');
    expect(all.text).toContain('王纪检、孙预备');
    // The 书记 lists first, then by post: 组织委员 before 纪检委员.
    expect(all.text.indexOf('**张组织**')).toBeLessThan(all.text.indexOf('**王纪检**'));
    // Counted on the register; how many are 双方确认, and whom to ask for the others' 确认.
    expect(all.text).toContain('计入的谈话 **3** 次，其中双方确认 **1** 次，待对方确认 **2** 次');
    expect(all.text).toMatch(/尚未确认：(赵党员、周党员|周党员、赵党员)（可提醒其在谈话卡片上点击确认）/);
    // The group heard only that it went privately: no name of anyone owed.
    const group = h.emu.botMessages(w.g).slice(groupBefore).map(messageText);
    expect(group.join('\n')).not.toContain('钱党员');

    // A plain member: only their own pairs (the 书记 and their group's 组织委员; one covered).
    const own = await coverageOf(w, w.zhao);
    expect(own.title).toBe('我的谈话覆盖 · 2026年');
    expect(own.text).toContain('您今年应谈 **2** 人，已谈 **1** 人，尚未谈 **1** 人：');
    expect(own.text).toContain('李书记');
    expect(own.text).not.toContain('钱党员');
    // 赵党员 has not confirmed 张组织's 廉政谈话 yet: their own card says so.
    expect(own.text).toContain('计入的谈话 **1** 次：双方确认 **0** 次，待您确认 **1** 次（请在谈话卡片上点击确认）');
    // A 预备党员 is owed like everyone: by the 书记 and the 组织委员 of their group.
    const sun = await coverageOf(w, w.sun);
    expect(sun.text).toContain('您今年应谈 **2** 人，已谈 **0** 人，尚未谈 **2** 人：');
    expect(sun.text).toContain('李书记、张组织');

    // Last year's talk counts for last year; privately the answer is the card itself.
    const before = w.privately(w.wang).length;
    await say(h, w.p2p(w.wang), w.wang, '/谈话 覆盖 2025');
    const last = await h.emu.waitFor(() => w.privately(w.wang, before)[0], { what: '2025 coverage' });
    expect(cardText(last.content)).toContain('应谈 **11** 对，已谈 **1** 对');

    // A bad year: the usage, nothing sent privately.
    const bad = await w.said(w.wang, '/谈话 覆盖 明年');
    expect(bad).toContain('用法：/谈话 覆盖 [年份]');
    await settled(h);
    expect(w.privately(w.wang, before + 1)).toEqual([]);
  });

  it('follows the org’s matrix: /设置 谈话覆盖 turns a part off; bad words change nothing', async () => {
    const w = await setup();
    await recordTalks(w);
    expect(await w.said(w.s, '/设置 谈话覆盖 支委联系小组 否')).toContain('支委联系小组应设置为“开”或“关”');
    expect(await w.said(w.zhao, '/设置 谈话覆盖 支委联系小组 关')).toContain(
      '需要书记、副书记、纪检委员或组织委员权限',
    );
    expect((await coverageOf(w, w.s)).text).toContain('应谈 **11** 对');
    expect(await w.said(w.s, '/设置 谈话覆盖 支委联系小组 关')).toContain(
      '谈话覆盖：书记全员 开；支委互谈 开；支委联系小组 关',
    );
    // Without the groups: 书记 × 6 and 组织-纪检; 张组织-赵党员 is no longer owed.
    expect((await coverageOf(w, w.s)).text).toContain('应谈 **7** 对，已谈 **2** 对');
    expect(await w.said(w.s, '/设置 谈话覆盖')).toContain('谈话覆盖范围：书记全员 开；支委互谈 开；支委联系小组 关');
  });

  it('sends each 支委 their missing pairs at the start of Q4 once, and again before a 组织生活会', async () => {
    const w = await setup();
    await recordTalks(w);
    const counts = () => [w.s, w.wang, w.zhang, w.zhao].map((u) => w.privately(u).length);
    const start = counts();
    // 1–7 October 2026 are the 国庆节 holiday: the first working day is 8 October, from 09:30.
    await runJobAt(h, 'talk-coverage', '2026-10-08', '09:00');
    expect(counts()).toEqual(start);
    await runJobAt(h, 'talk-coverage', '2026-10-08', '09:30');
    await runJobAt(h, 'talk-coverage', '2026-10-08', '10:30');
    await runJobAt(h, 'talk-coverage', '2026-10-09', '09:30');
    const after = counts();
    expect(after.map((n, i) => n - (start[i] as number))).toEqual([1, 1, 1, 0]);
    const card = w.privately(w.zhang, start[2])[0];
    expect(card && cardTitle(card)).toBe('我的谈话覆盖 · 2026年');
    const text = cardText(card?.content ?? '{}');
    expect(text).toContain('第四季度已开始');
    expect(text).toContain('尚未谈 **2** 人');
    expect(text).toContain('王纪检、孙预备');
    // Their own talks' 确认: the 书记's talk awaits their own, their talk with 赵党员 awaits 赵党员.
    expect(text).toContain(
      '计入的谈话 **2** 次：双方确认 **0** 次，待您确认 **1** 次（请在谈话卡片上点击确认），待对方确认 **1** 次',
    );

    // The 2026 组织生活会 is planned for 15 January 2027: 10 working days before is 31 December 2026 (1 January
    // is a holiday). A talk held on 4 January 2027 counts for 2026, as the meeting reviews that year.
    expect(await w.said(w.s, '/组织生活会 启动 2026 2027-01-15')).toContain('召开会议　截止 2027-01-15');
    await w.talk(w.zhang, 'heart', '2027-01-04', w.wang); // 组织-纪检, after the year, before the meeting
    await settled(h);
    const planned = counts();
    await runJobAt(h, 'talk-coverage', '2026-12-30', '09:30'); // not yet within 10 working days
    await runJobAt(h, 'talk-coverage', '2027-01-01', '09:30'); // within, but a holiday: nothing
    expect(counts()).toEqual(planned);
    await runJobAt(h, 'talk-coverage', '2027-01-04', '09:30');
    await runJobAt(h, 'talk-coverage', '2027-01-04', '14:30');
    await runJobAt(h, 'talk-coverage', '2027-01-05', '09:30');
    expect(counts().map((n, i) => n - (planned[i] as number))).toEqual([1, 1, 1, 0]);
    const before = w.privately(w.zhang, planned[2])[0];
    expect(before && cardTitle(before)).toBe('我的谈话覆盖 · 2026年');
    const zhangText = cardText(before?.content ?? '{}');
    expect(zhangText).toContain('2026年度组织生活会计划于 2027年1月15日 召开，会前应开展谈心谈话：');
    // 张组织 owed 王纪检 and 孙预备; the January talk covers 王纪检.
    expect(zhangText).toContain('尚未谈 **1** 人');
    expect(zhangText).toContain('孙预备');
    expect(zhangText).not.toContain('王纪检、');
    const period = '统计 2026年1月1日至2027年1月15日（2026年度组织生活会计划召开日）的谈话。';
    expect(zhangText).toContain(period);
    const wangText = cardText(w.privately(w.wang, planned[1])[0]?.content ?? '{}');
    expect(wangText).toContain('钱党员、周党员');
    expect(wangText).not.toContain('张组织、');
    // On the meeting day and after, no more.
    await runJobAt(h, 'talk-coverage', '2027-01-15', '09:30');
    await runJobAt(h, 'talk-coverage', '2027-01-18', '09:30');
    expect(counts().map((n, i) => n - (planned[i] as number))).toEqual([1, 1, 1, 0]);
    // /谈话 覆盖 2026 counts as the pipeline does: the January talk too, and says so.
    const asked = await coverageOf(w, w.wang, '/谈话 覆盖 2026');
    expect(asked.text).toContain('应谈 **11** 对，已谈 **4** 对');
    expect(asked.text).toContain(period);
  });

  it('counts for a year the talks held up to a later meeting date, not past it nor before the year', async () => {
    const w = await setup();
    await recordTalks(w);
    await w.talk(w.zhang, 'heart', '2027-01-04', w.wang); // 组织-纪检
    await w.talk(w.wang, 'heart', '2027-01-16', w.qian); // after the meeting: not for 2026
    const done = async (year: number, through?: string) => (await yearCoverage(h.db.db, w.org, year, through)).done;
    expect(await done(2026)).toBe(3);
    expect(await done(2026, '2027-01-15')).toBe(4);
    expect(await done(2026, '2027-01-16')).toBe(5);
    // A date within the year changes nothing: the whole year counts.
    expect(await done(2026, '2026-06-30')).toBe(3);
    // The next year counts its own talks from 1 January, as before.
    expect(await done(2027)).toBe(2);
    // The register's read: the year's recorded talks, then January's up to the meeting (withdrawn left out).
    const year = await listYearTalks(h.db.db, w.org.id, 2026, '2027-01-15');
    expect(year.map((t) => t.heldOn)).toEqual(['2026-03-10', '2026-04-02', '2026-05-06', '2027-01-04']);
  });

  it('asks the 书记 for a 任前廉政谈话 when someone is made 组织委员, not when one gives oneself a post', async () => {
    const w = await setup();
    // The setup's /角色 and 支委 posts: 王纪检 and 张组织 each twice (role, then post); the 书记's own post none.
    const prompts = w
      .privately(w.s)
      .map(messageText)
      .filter((t) => t.includes(PROMPT));
    expect(prompts).toEqual([
      `王纪检 新任纪检委员，${PROMPT}：/谈话 记录 任前廉政谈话`,
      `张组织 新任组织委员，${PROMPT}：/谈话 记录 任前廉政谈话`,
      `王纪检 新任纪检委员，${PROMPT}：/谈话 记录 任前廉政谈话`,
      `张组织 新任组织委员，${PROMPT}：/谈话 记录 任前廉政谈话`,
    ]);
    const before = w.privately(w.s).length;
    expect(await w.said(w.s, `/角色 ${at(w.zhou)} 组织委员`)).toContain('角色设为组织委员');
    await settled(h);
    expect(w.privately(w.s, before).map(messageText)).toEqual([
      `周党员 新任组织委员，${PROMPT}：/谈话 记录 任前廉政谈话`,
    ]);
    // Nobody else heard it; a plain role (宣传委员) brings none.
    expect(w.privately(w.zhou).map(messageText).join()).not.toContain(PROMPT);
    expect(await w.said(w.s, `/角色 ${at(w.qian)} 宣传委员`)).toContain('角色设为宣传委员');
    await settled(h);
    expect(
      w
        .privately(w.s, before + 1)
        .map(messageText)
        .join(),
    ).not.toContain(PROMPT);
  });
});
