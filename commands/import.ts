/** /import (/导入): how to import a ledger, and the 确认导入 / 取消 buttons of every import preview. */
import { z } from 'zod';
import { argSchema } from '../src/core/args.ts';
import { defineAction, defineCommand } from '../src/core/contracts.ts';
import { importers } from '../src/services/importer-registry.ts';
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
    return {
      type: 'text',
      text: `请在与清风的单聊中直接发送 .xlsx 或 .csv 文件（不超过 5 MB、5000 行）。清风按表头识别台账类型：${kinds}。先给出预览，确认后才导入。`,
    };
  },
  actions: {
    'import.confirm': defineAction({
      value: z.object({ i: z.coerce.number().int().positive(), ok: z.boolean() }),
      roles: 'admin',
      async handle(ctx, v) {
        const result = await confirmImport(ctx, importers, v.i, v.ok);
        return { toast: { type: 'success', content: v.ok ? '导入完成' : '已取消导入' }, card: result };
      },
    }),
  },
});
