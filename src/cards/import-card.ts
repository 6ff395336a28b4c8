/**
 * The cards of a file sent to the bot: the ledger import preview and its outcome, and the form that
 * attaches a file as evidence (佐证材料) to an item or a meeting. Pure: no I/O, no clock.
 */
import type { Card } from '../core/card.ts';
import { importAttach, importConfirm } from './actions/import.ts';
import { buttonRow, card, form, markdown, selectStatic } from './parts.ts';
import { md } from './text.ts';

/** Rows with an error listed on the preview; the rest are counted. */
export const PREVIEW_PROBLEMS_SHOWN = 20;
/** Rows shown as a sample on the preview. */
export const PREVIEW_SAMPLE_SHOWN = 5;
/** Items and meetings offered on the attach form (30 of each at most). */
export const ATTACH_OPTIONS_MAX = 60;

export interface PreviewView {
  importId: number;
  orgId: number;
  label: string;
  fileName: string;
  plan: {
    rows: readonly unknown[];
    problems: readonly { line: number; reason: string }[];
    counts: { created: number; updated: number; unchanged: number };
    sample: readonly string[];
    /** Footnotes and notes under the table: neither imported nor errors. */
    skipped?: readonly { line: number; reason: string }[];
    /** How rows were read (the date chosen for 立行立改 …). */
    notes?: readonly string[];
  };
}

/** Skipped rows named on the preview; the rest are counted. */
export const PREVIEW_SKIPPED_SHOWN = 10;
/** Notes shown on the preview. */
export const PREVIEW_NOTES_SHOWN = 6;

/** "跳过 2 行（注释、说明）：第22、23行", or nothing. */
function skippedLine(skipped: readonly { line: number }[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const named = skipped
    .slice(0, PREVIEW_SKIPPED_SHOWN)
    .map((s) => `第${s.line}行`)
    .join('、');
  return `跳过 ${skipped.length} 行（注释、说明）：${named}${skipped.length > PREVIEW_SKIPPED_SHOWN ? ' 等' : ''}`;
}

export function buildPreviewCard(v: PreviewView): Card {
  const { plan } = v;
  const ok = plan.rows.length;
  const problems = plan.problems.slice(0, PREVIEW_PROBLEMS_SHOWN).map((p) => `- 第${p.line}行：${md(p.reason, 120)}`);
  const sample = plan.sample.slice(0, PREVIEW_SAMPLE_SHOWN);
  const skipped = skippedLine(plan.skipped ?? []);
  const notes = (plan.notes ?? []).slice(0, PREVIEW_NOTES_SHOWN);
  return card({
    title: `导入预览 · ${v.label}`,
    subtitle: v.fileName,
    template: plan.problems.length > 0 ? 'orange' : 'blue',
    elements: [
      markdown(
        `**${ok}** 行可导入（新增 ${plan.counts.created}，更新 ${plan.counts.updated}，无变化 ${plan.counts.unchanged}）；**${plan.problems.length}** 行有错误，不会导入。`,
      ),
      ...(problems.length > 0
        ? [
            markdown(
              `**有错误的行**\n${problems.join('\n')}${plan.problems.length > problems.length ? `\n…共 ${plan.problems.length} 行` : ''}`,
            ),
          ]
        : []),
      ...(skipped ? [markdown(`<font color='grey'>${md(skipped)}</font>`)] : []),
      ...(notes.length > 0 ? [markdown(`**时限说明**\n${notes.map((n) => `- ${md(n, 300)}`).join('\n')}`)] : []),
      ...(sample.length > 0 ? [markdown(`**预览**\n${sample.map((s) => `- ${md(s, 100)}`).join('\n')}`)] : []),
      markdown(
        "<font color='grey'>确认前不会写入任何数据。同一来源、同一问题描述的事项再次导入时只更新、不重复。</font>",
        { size: 'notation' },
      ),
      buttonRow([
        importConfirm.button(
          { text: `确认导入 ${ok} 行`, type: 'primary', disabled: ok === 0, org: v.orgId },
          { i: v.importId, ok: true },
        ),
        importConfirm.button({ text: '取消', org: v.orgId }, { i: v.importId, ok: false }),
      ]),
    ],
  });
}

export function buildImportCancelledCard(v: { label: string; fileName: string }): Card {
  return card({
    title: `已取消导入 · ${v.label}`,
    template: 'grey',
    elements: [markdown(`文件 ${md(v.fileName, 200)} 未导入任何数据。`)],
  });
}

export function buildImportDoneCard(v: { label: string; fileName: string; summary: string }): Card {
  return card({
    title: `导入完成 · ${v.label}`,
    template: 'green',
    elements: [markdown(`${md(v.fileName, 200)}：${md(v.summary, 500)}`)],
  });
}

export interface AttachView {
  orgId: number;
  messageId: string;
  fileKey: string;
  fileName: string;
  /** Open items and recent meetings, the first chosen; at most ATTACH_OPTIONS_MAX are offered. */
  options: readonly { text: string; value: string }[];
}

/** "把《…》作为佐证材料附到哪里？" — sent privately to the person who sent the file. */
export function buildAttachCard(v: AttachView): Card {
  const options = v.options.slice(0, ATTACH_OPTIONS_MAX);
  return card({
    title: '收到文件',
    subtitle: v.fileName,
    template: 'blue',
    elements: [
      markdown(`把《${md(v.fileName, 80)}》作为佐证材料附到哪里？`),
      // The 对照检查材料 choice (`l:`) is a hand-in, not evidence: say so where it is offered.
      ...(options.some((o) => o.value.startsWith('l:'))
        ? [markdown('也可以选择“对照检查材料”，作为您本人的对照检查材料提交（再次提交即替换）。')]
        : []),
      form('attach', [
        selectStatic({
          name: importAttach.fields.item,
          placeholder: '选择事项或会议',
          options: [...options],
          initial: options[0]?.value,
          required: true,
        }),
        importAttach.button(
          { text: '作为佐证材料', type: 'primary', submit: { name: 'submit_attach' }, org: v.orgId },
          { m: v.messageId, k: v.fileKey, n: v.fileName.slice(0, 200) },
        ),
      ]),
    ],
  });
}
