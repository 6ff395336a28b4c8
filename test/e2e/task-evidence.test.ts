/**
 * Issue 13 item 3, "done means evidenced": a 清单 with a 佐证材料 column keeps it as each item's
 * evidence requirement, shown on the task cards; 已完成 on such a task is refused (politely, naming
 * the requirement) until evidence is attached — a link in the 更新进度 form, or one attached before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import type { Org } from '../../src/db/schema.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, seedBranch, startBot } from '../helpers/bot.ts';
import { button, cardText, cardTitle } from '../helpers/cards.ts';
import * as talk from '../helpers/converse.ts';
import { ledgerXlsx } from '../helpers/ledger-files.ts';

class FixedClock implements Clock {
  constructor(private readonly at: string) {}
  now(): Date {
    return new Date(this.at);
  }
}

const REFUSED =
  '请先附上佐证材料（要求：会议纪要）：在“更新进度”中选择“已完成”，并在“佐证材料”一栏填写链接或文字说明。';

describe('主体责任清单: 已完成 needs the required evidence', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
  const taskCard = (u: EmuUser, id: number) =>
    h.emu.waitFor(() => h.emu.botMessages(p2p(u)).findLast((m) => cardTitle(m) === `责任任务 #${id}`), {
      what: `task card #${id}`,
      timeoutMs: 10_000,
    });
  const taskRow = (id: number) =>
    h.db.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function importWithEvidence() {
    h = await startBot({ clock: new FixedClock('2026-12-01T02:00:00Z') });
    const w = await seedBranch(h, { members: ['王纪检', '张组织'] });
    const org = (await findOrgByName(h.db.db, '第一党支部')) as Org;
    const wang = w.members.find((m) => m.name === '王纪检') as EmuUser;
    const file = await ledgerXlsx({
      title: '第一党支部 2026年全面从严治党主体责任清单',
      headers: ['序号', '类别', '责任内容', '牵头领导', '责任人', '完成时限', '频次', '佐证材料'],
      rows: [
        [1, '组织建设', '每月召开支委会', '李书记', '王纪检', '每月25日前', '每月', '会议纪要'],
        [2, '思想建设', '组织学习贯彻上级文件精神', '李书记', '张组织', '', '每季度', ''],
      ],
      sheetName: '主体责任清单',
    });
    const sent = await h.emu.sendFile({
      chatId: p2p(w.secretary),
      from: w.secretary.openId,
      fileName: '2026年主体责任清单.xlsx',
      bytes: file,
    });
    const preview = await talk.answerTo(h, sent);
    const done = await h.emu.click({
      messageId: preview.messageId,
      from: w.secretary.openId,
      value: button(preview, '确认导入 2 行').value,
    });
    expect(done.toast?.content).toBe('导入完成');
    const items = await h.db.db
      .selectFrom('duty_items')
      .selectAll()
      .where('org_id', '=', org.id)
      .orderBy('id')
      .execute();
    expect(items.map((i) => [i.content, i.evidence])).toEqual([
      ['每月召开支委会', '会议纪要'],
      ['组织学习贯彻上级文件精神', ''],
    ]);
    const tasks = await h.db.db.selectFrom('tasks').selectAll().where('org_id', '=', org.id).orderBy('id').execute();
    const t = tasks.find((x) => x.owner_name === '王纪检');
    if (!t) throw new Error('no task');
    return { w, wang, t, other: tasks.find((x) => x.owner_name === '张组织') };
  }

  it('imports the 佐证材料 column as the requirement shown on the task card; an item without one shows none', async () => {
    const { w, wang, t, other } = await importWithEvidence();
    expect(cardText((await taskCard(wang, t.id)).content)).toContain('**佐证要求**：会议纪要');
    const zhang = w.members.find((m) => m.name === '张组织') as EmuUser;
    expect(cardText((await taskCard(zhang, other?.id as number)).content)).not.toContain('佐证要求');
  });

  it('refuses 已完成 without evidence, naming the requirement; accepts it with a link in the report form', async () => {
    const { wang, t } = await importWithEvidence();
    const card = await taskCard(wang, t.id);

    // The card's 已完成 button: refused, nothing changes.
    const refused = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(card, '已完成').value,
    });
    expect(refused.toast?.content).toBe(REFUSED);
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 1 });

    // 更新进度 with 已完成 and no link: refused too.
    const submit = async (link: string) => {
      // After a refusal the form stays open; else open it.
      const now = h.emu.requireMessage(card.messageId);
      if (!cardText(now.content).includes('做了什么'))
        await h.emu.click({ messageId: card.messageId, from: wang.openId, value: button(now, '更新进度').value });
      expect(cardText(h.emu.requireMessage(card.messageId).content)).toContain('佐证材料（标记已完成时必填）');
      return h.emu.click({
        messageId: card.messageId,
        from: wang.openId,
        value: button(h.emu.requireMessage(card.messageId), '提交').value,
        name: 'submit_task',
        formValue: { status: 'done', percent: '100', done: '已召开 12 月支委会', link },
      });
    };
    expect((await submit('')).toast?.content).toBe(REFUSED);
    expect(await taskRow(t.id)).toMatchObject({ status: 'not_started', version: 1 });
    expect(await h.db.db.selectFrom('task_evidence').selectAll().execute()).toEqual([]);

    // With the minutes' link: done, the link kept as evidence.
    const accepted = await submit('https://example.feishu.cn/docx/zhiweihui-2026-12');
    expect(accepted.toast).toMatchObject({ type: 'success', content: '已提交，待书记或纪检委员验收' });
    expect(await taskRow(t.id)).toMatchObject({ status: 'submitted', percent: 100 });
    const evidence = await h.db.db.selectFrom('task_evidence').selectAll().where('task_id', '=', t.id).execute();
    expect(evidence.map((e) => [e.kind, e.value])).toEqual([
      ['link', 'https://example.feishu.cn/docx/zhiweihui-2026-12'],
    ]);
  });

  it('验收: 已完成 with evidence is 待验收; the 书记 returns it with a reason, then accepts it; the owner cannot', async () => {
    const { w, wang, t } = await importWithEvidence();
    const card = await taskCard(wang, t.id);
    await h.emu.click({ messageId: card.messageId, from: wang.openId, value: button(card, '更新进度').value });
    const submitted = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(h.emu.requireMessage(card.messageId), '提交').value,
      name: 'submit_task',
      formValue: { status: 'done', percent: '100', done: '已召开', link: 'https://example.feishu.cn/docx/minutes' },
    });
    expect(submitted.toast?.content).toBe('已提交，待书记或纪检委员验收');
    const ownerCard = cardText(h.emu.requireMessage(card.messageId).content);
    expect(ownerCard).toContain('**状态**：待验收');
    expect(ownerCard).not.toContain('验收通过');

    // The 书记 gets the task privately with 验收通过 / 退回 (the owner, a 纪检委员, does not review his own).
    const review = await taskCard(w.secretary, t.id);
    expect(cardText(review.content)).toContain('退回理由');
    const decide = (d: '验收通过' | '退回', reason: string, from = w.secretary) =>
      h.emu.click({
        messageId: review.messageId,
        from: from.openId,
        value: button(h.emu.requireMessage(review.messageId), d).value,
        name: d === '退回' ? 'submit_return' : 'submit_accept',
        formValue: { reason },
      });
    expect((await decide('退回', '')).toast?.content).toBe('退回需要填写理由。');
    expect((await decide('退回', '纪要缺参会人签名')).toast?.content).toBe('已退回，已通知责任人');
    expect(await taskRow(t.id)).toMatchObject({ status: 'in_progress', done_at: null });
    await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(wang))
          .some(
            (m) => m.msgType === 'text' && m.content.includes('【验收退回】') && m.content.includes('纪要缺参会人签名'),
          ),
      { what: 'owner told of the return' },
    );

    // The evidence attached before counts: the card's 已完成 now submits again.
    const again = await h.emu.click({
      messageId: card.messageId,
      from: wang.openId,
      value: button(h.emu.requireMessage(card.messageId), '已完成').value,
    });
    expect(again.toast?.content).toBe('已提交，待书记或纪检委员验收');
    const review2 = await h.emu.waitFor(
      () =>
        h.emu
          .botMessages(p2p(w.secretary))
          .findLast((m) => cardTitle(m) === `责任任务 #${t.id}` && cardText(m.content).includes('退回理由')),
      { what: 'review card' },
    );
    const accept = await h.emu.click({
      messageId: review2.messageId,
      from: w.secretary.openId,
      value: button(review2, '验收通过').value,
      name: 'submit_accept',
      formValue: { reason: '' },
    });
    expect(accept.toast?.content).toBe('已验收通过');
    expect(await taskRow(t.id)).toMatchObject({ status: 'accepted', percent: 100 });
    await h.emu.waitFor(
      () => cardText(h.emu.requireMessage(card.messageId).content).includes('**状态**：已完成（已验收）'),
      { what: 'owner card shows 已验收' },
    );
  });
});
