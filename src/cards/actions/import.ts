/** The card actions of /import: attaching a file sent to the bot, confirming an import preview. */
import { z } from 'zod';
import { cardAction, formText } from '../contract.ts';

/**
 * A file sent to the bot, attached to an item (`r:12` or `12`), a task (`t:4`) or a meeting (`s:3`), or
 * handed in as the sender's 对照检查材料 (`l:2`, the pipeline), as picked on the form.
 */
export const importAttach = cardAction('import.attach', {
  value: { m: z.string().max(100), k: z.string().max(200), n: z.string().max(200) },
  form: { item: formText() },
});

/** 确认导入 (`ok: true`) or 取消 on an import preview. */
export const importConfirm = cardAction('import.confirm', {
  value: { i: z.coerce.number().int().positive(), ok: z.boolean() },
});
