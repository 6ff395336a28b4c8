/** /import (/导入): how to import a ledger, and the 确认导入 / 取消 buttons of every import preview. */
import { importAttach, importConfirm } from '../src/cards/actions/import.ts';
import { actionsOf } from '../src/cards/contract.ts';
import { textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { attachToTask } from '../src/features/duties/actions.ts';
import { importers } from '../src/features/index.ts';
import { attachMaterialFile, materialsState, pipelineCard } from '../src/features/life/service.ts';
import * as meetings from '../src/features/meetings/service.ts';
import { buildSessionCard } from '../src/features/meetings/session-card.ts';
import { buildRectItemCard } from '../src/features/rectification/item-card.ts';
import * as rect from '../src/features/rectification/service.ts';
import { confirmImport } from '../src/services/importers.ts';

export default defineCommand({
  name: 'import',
  aliases: ['导入'],
  summary: '导入台账：在单聊中把 .xlsx/.csv 文件发给清风',
  usage: ['/导入'],
  args: argSchema(() => undefined),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle() {
    const kinds = importers
      .map((i) => `${i.label}（必需列：${i.required.map((f) => i.headers[f]?.[0]).join('、')}）`)
      .join('；');
    return textMessage`请在与清风的单聊中直接发送 .xlsx 或 .csv 文件（不超过 5 MB、5000 行）。清风按表头识别台账类型：${kinds}。先给出预览，确认后才导入。`;
  },
  actions: actionsOf(
    // A file sent to the bot, attached to a rectification or a task (evidence) or a meeting (minutes, photos,
    // sign-in sheet), or handed in as the sender's 对照检查材料 of a 组织生活会 (`l:`, the pipeline).
    importAttach.define({
      roles: 'member',
      async handle(ctx, v, form) {
        const target = /^(?:([rstl]):)?(\d{1,9})$/.exec(form.item);
        if (!target) throw new UserError('bad_args', '请选择要附到的事项或会议。');
        const id = Number(target[2]);
        const file = { kind: 'file' as const, value: `${v.m}:${v.k}`, name: v.n };
        if (target[1] === 't') return attachToTask(ctx, id, file);
        if (target[1] === 'l') {
          const { org, pipeline } = await attachMaterialFile(ctx, id, file);
          const m = await materialsState(ctx, pipeline);
          return {
            toast: { type: 'success', content: `已作为您的对照检查材料（已交 ${m.handed}/${m.required}）` },
            card: await pipelineCard(ctx, org, pipeline),
          };
        }
        if (target[1] !== 's') {
          const after = await rect.attachEvidence(ctx, await rect.lockItem(ctx, id), file);
          await rect.refreshItemCards(ctx, after);
          return {
            toast: { type: 'success', content: `已附到整改事项 #${id}` },
            card: buildRectItemCard(await rect.viewOf(ctx, after)),
          };
        }
        const s = await meetings.attachSessionFile(ctx, await meetings.lockSession(ctx, id), file);
        await meetings.refreshSessionCards(ctx, s);
        return {
          toast: { type: 'success', content: `已附到 #${id}` },
          card: buildSessionCard(await meetings.viewOfSession(ctx, s)),
        };
      },
    }),
    importConfirm.define({
      roles: 'admin',
      async handle(ctx, v) {
        const result = await confirmImport(ctx, importers, v.i, v.ok);
        return { toast: { type: 'success', content: v.ok ? '导入完成' : '已取消导入' }, card: result };
      },
    }),
  ),
});
