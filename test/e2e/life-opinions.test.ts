import { afterEach, describe, expect, it } from 'vitest';
import { findMember } from '../../src/db/repositories/members.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { PIPELINE_STAGES } from '../../src/db/schema/life.ts';
import { createPipeline, type StageMap, stagesOf } from '../../src/features/life/repository.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import { postedCard, say, settled } from '../helpers/converse.ts';
import { everyStoredRow } from '../helpers/life-records.ts';

const SIGNED = '建议支委多到一线听取党员意见';
const ANON = '希望组织生活会少一些形式主义，多一些真刀真枪的批评';
const FORM_TITLE = '对支部班子和支委的意见建议';

describe('征求意见', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function setup(at = '2026-12-02T02:00:00Z') {
    h = await startBot({ clock: fixedClock(at) });
    const w = await seedBranch(h, { members: ['赵党员', '钱党员', '孙党员'] });
    const [zhao, qian, sun] = w.members as [EmuUser, EmuUser, EmuUser];
    const g = w.chat.chatId;
    const orgId = (await findOrgByChat(h.db.db, g))?.id as number;
    const stages = Object.fromEntries(PIPELINE_STAGES.map((s) => [s, { due: '2027-01-15', doneAt: null }])) as StageMap;
    const now = '2026-12-02T02:00:00.000Z';
    await createPipeline(h.db.db, {
      orgId,
      year: 2026,
      kind: 'life_meeting',
      stages,
      createdBy: w.secretary.openId,
      now,
    });
    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    const pipeline = () =>
      h.db.db.selectFrom('life_pipelines').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
    return { ...w, g, orgId, zhao, qian, sun, p2p, pipeline };
  }
  type World = Awaited<ReturnType<typeof setup>>;

  /** `u` presses 提出意见 on the group card and gets the form privately. */
  async function formFor(w: World, ask: EmuMessage, u: EmuUser) {
    const before = h.emu.botMessages(w.p2p(u)).length;
    const r = await h.emu.click({ messageId: ask.messageId, from: u.openId, value: button(ask, '提出意见').value });
    expect(r.toast?.content).toBe('意见表已私信发送，请在与清风的单聊中填写。');
    return postedCard(h, w.p2p(u), FORM_TITLE, before);
  }
  const submit = (u: EmuUser, form: EmuMessage, label: '署名提交' | '匿名提交', text: string, stale = false) =>
    h.emu.click({
      messageId: form.messageId,
      from: u.openId,
      value: button(form, label).value,
      bypassClient: stale,
      name: label === '署名提交' ? 'submit_signed' : 'submit_anonymous',
      formValue: { text },
    });

  it('stores a signed opinion with its author and an anonymous one with none, and lists it as 匿名', async () => {
    const w = await setup();
    const ask = await say(h, w.g, w.secretary, '/组织生活会 征求意见');
    expect(cardText(ask.content)).toContain('请对支部班子和支委提出意见建议');
    const askBefore = ask.content;

    const zhaoForm = await formFor(w, ask, w.zhao);
    expect((await submit(w.zhao, zhaoForm, '署名提交', SIGNED)).toast?.content).toBe('意见已署名提交，谢谢。');
    const qianForm = await formFor(w, ask, w.qian);
    const anon = await submit(w.qian, qianForm, '匿名提交', ANON);
    expect(anon.toast?.content).toBe('意见已匿名提交，谢谢。');
    expect(cardText(h.emu.requireMessage(qianForm.messageId).content)).not.toContain(ANON);
    // The group card never turned into anyone's view.
    expect(h.emu.requireMessage(ask.messageId).content).toBe(askBefore);

    const rows = await h.db.db.selectFrom('pipeline_opinions').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.author_open_id, r.author_name, r.text, r.created_on])).toEqual([
      [w.zhao.openId, '赵党员', SIGNED, '2026-12-02'],
      [null, null, ANON, '2026-12-02'],
    ]);

    // The anonymous click is audited without its actor or its chat; nothing names 钱党员 with the opinion.
    const audit = await h.db.db.selectFrom('audit_log').selectAll().execute();
    const anonRows = audit.filter((a) => a.action === 'action:life.opinion-anonymous');
    expect(anonRows.map((a) => [a.actor, a.chat_id, a.result])).toEqual([['anonymous', null, 'ok']]);
    const qianRows = audit.filter((a) => JSON.stringify(a).includes(w.qian.openId));
    expect(qianRows.map((a) => a.action)).not.toContain('action:life.opinion-anonymous');
    expect(audit.filter((a) => JSON.stringify(a).includes(ANON))).toEqual([]);
    const outbox = await h.db.db.selectFrom('outbox').selectAll().execute();
    expect(outbox.filter((o) => o.payload.includes(ANON))).toEqual([]);
    // The anonymous audit row keeps the local day (2026-12-02 in Asia/Shanghai), not the click's instant.
    expect(anonRows.map((a) => a.at)).toEqual(['2026-12-01T16:00:00.000Z']);

    // Nothing stored anywhere holds the anonymous text next to the open id of who sent it: the text is in
    // pipeline_opinions only; the finished inbox rows keep no payload.
    await settled(h);
    const stored = await everyStoredRow(h.db.db);
    expect(stored.filter((r) => r.table === 'inbox').length).toBeGreaterThan(3);
    expect(stored.filter((r) => r.json.includes(ANON) && r.json.includes(w.qian.openId))).toEqual([]);
    expect([...new Set(stored.filter((r) => r.json.includes(ANON)).map((r) => r.table))]).toEqual([
      'pipeline_opinions',
    ]);
    const inbox = await h.db.db.selectFrom('inbox').selectAll().execute();
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.filter((r) => r.status !== 'pending' && r.payload !== '{}')).toEqual([]);
    // Saving an opinion brought the pipeline's stages up to date.
    expect(stagesOf(await w.pipeline()).opinions.doneAt).not.toBeNull();

    // The list, privately to the 书记: both opinions, the anonymous one as 匿名.
    const before = h.emu.botMessages(w.p2p(w.secretary)).length;
    const note = await say(h, w.g, w.secretary, '/组织生活会 意见');
    expect(messageText(note)).toBe('征求到的意见已私信发送，请在与清风的单聊中查看。');
    const list = await postedCard(h, w.p2p(w.secretary), '2026年度组织生活会 · 征求到的意见', before);
    const shown = cardText(list.content);
    expect(shown).toContain(SIGNED);
    expect(shown).toContain(ANON);
    expect(shown).toContain('匿名');
    expect(shown).toContain('赵党员');
    expect(shown).not.toContain('钱党员');
    expect(cardTitle(list)).toBe('2026年度组织生活会 · 征求到的意见');
  });

  it('refuses the list to a plain member, an empty opinion, and a member who left', async () => {
    const w = await setup();
    const refused = await say(h, w.g, w.zhao, '/组织生活会 意见');
    expect(messageText(refused)).toContain('仅管理员和支部委员会成员可以查看');
    const notAdmin = await say(h, w.g, w.zhao, '/组织生活会 征求意见');
    expect(messageText(notAdmin)).toContain('需要书记、副书记、纪检委员或组织委员权限');

    const ask = await say(h, w.g, w.secretary, '/组织生活会 征求意见');
    const form = await formFor(w, ask, w.sun);
    expect((await submit(w.sun, form, '署名提交', '   ')).toast).toEqual({
      type: 'error',
      content: '请填写意见建议后再提交。',
    });
    await h.emu.removeUsersFromChat(w.g, [w.sun.openId]);
    await h.emu.waitFor(async () => (await findMember(h.db.db, w.orgId, w.sun.openId)) === undefined, {
      what: 'sun left',
    });
    const late = await submit(w.sun, form, '匿名提交', ANON);
    expect(late.toast?.type).toBe('error');
    expect(late.toast?.content).toContain('您已不在');
    expect(await h.db.db.selectFrom('pipeline_opinions').selectAll().execute()).toEqual([]);
  });

  it('stores an anonymous opinion submitted twice at once only once, and answers both as saved', async () => {
    const w = await setup();
    const ask = await say(h, w.g, w.secretary, '/组织生活会 征求意见');
    const form = await formFor(w, ask, w.qian);
    const both = await Promise.all([
      submit(w.qian, form, '匿名提交', ANON),
      submit(w.qian, form, '匿名提交', ANON, true),
    ]);
    expect(both.map((r) => r.toast?.content)).toEqual(['意见已匿名提交，谢谢。', '意见已匿名提交，谢谢。']);
    const rows = await h.db.db.selectFrom('pipeline_opinions').selectAll().execute();
    expect(rows.map((r) => [r.author_open_id, r.text])).toEqual([[null, ANON]]);
    // Another member's own opinion (signed) with the same words is still stored.
    const zhaoForm = await formFor(w, ask, w.zhao);
    await submit(w.zhao, zhaoForm, '署名提交', ANON);
    expect(await h.db.db.selectFrom('pipeline_opinions').select('id').execute()).toHaveLength(2);
  });

  it("acts on the org's latest pipeline after the year's end, and names 启动 when there is none", async () => {
    const w = await setup('2027-01-05T02:00:00Z');
    const ask = await say(h, w.g, w.secretary, '/组织生活会 征求意见');
    expect(cardTitle(ask)).toBe('2026年度组织生活会 · 征求意见');
    const form = await formFor(w, ask, w.zhao);
    expect((await submit(w.zhao, form, '署名提交', SIGNED)).toast?.content).toBe('意见已署名提交，谢谢。');
    expect((await h.db.db.selectFrom('pipeline_opinions').selectAll().execute()).map((r) => r.created_on)).toEqual([
      '2027-01-05',
    ]);

    await h.db.db.deleteFrom('pipeline_opinions').execute();
    await h.db.db.deleteFrom('life_pipelines').execute();
    expect(messageText(await say(h, w.g, w.secretary, '/组织生活会 征求意见'))).toBe(
      '本组织还没有启动组织生活会流程。管理员可发送：/组织生活会 启动 2026 2027-01-15。',
    );
  });

  it('says 民主生活会 to an upper-level org', async () => {
    const w = await setup();
    await h.db.db.updateTable('orgs').set({ level: 'committee' }).where('id', '=', w.orgId).execute();
    await h.db.db
      .updateTable('life_pipelines')
      .set({ kind: 'democratic_life' })
      .where('org_id', '=', w.orgId)
      .execute();
    const ask = await say(h, w.g, w.secretary, '/民主生活会 征求意见');
    expect(cardTitle(ask)).toBe('2026年度民主生活会 · 征求意见');
    const form = await formFor(w, ask, w.zhao);
    await submit(w.zhao, form, '署名提交', SIGNED);
    const before = h.emu.botMessages(w.p2p(w.secretary)).length;
    await say(h, w.g, w.secretary, '/民主生活会 意见');
    await postedCard(h, w.p2p(w.secretary), '2026年度民主生活会 · 征求到的意见', before);
  });
});
