/** The 主体责任落实台账, as a ledger-kit definition: one row per task (item × owner × period) due in the chosen range. */
import type { Kysely } from 'kysely';
import type { Database, Org } from '../../db/schema.ts';
import { localDate } from '../../domain/time.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { CADENCE_LABELS, isOpenTask, TASK_STATUS_LABELS } from './model.ts';
import { listTaskEvents, listTaskEvidence, listTasksDueIn } from './repository.ts';

type DutyTask = Awaited<ReturnType<typeof listTasksDueIn>>[number];

/** A task with what its row shows beside its own fields. */
interface DutyLedgerRow {
  task: DutyTask;
  lastProgress: string;
  evidence: string;
  late: boolean;
}

export const dutyLedger = defineExporter<DutyLedgerRow>({
  sheetName: '主体责任落实台账',
  columns: [
    SEQ_COLUMN,
    { header: '类别', width: 10, value: (r) => r.task.category },
    { header: '责任内容', width: 44, value: (r) => r.task.content },
    { header: '责任领导', width: 10, value: (r) => r.task.leader },
    { header: '责任人', width: 10, value: (r) => r.task.owner_name },
    { header: '频次', width: 8, value: (r) => CADENCE_LABELS[r.task.cadence] ?? r.task.cadence },
    { header: '本期时限', width: 12, kind: 'date', value: (r) => r.task.due_date },
    { header: '状态', width: 12, value: (r) => TASK_STATUS_LABELS[r.task.status] ?? r.task.status },
    { header: '完成进度', width: 9, value: (r) => `${r.task.percent}%` },
    { header: '最近进展', width: 40, value: (r) => r.lastProgress },
    { header: '佐证材料', width: 30, value: (r) => r.evidence },
    { header: '是否逾期', width: 8, value: (r) => (r.late ? '是' : '否') },
  ],
});

export async function exportDuties(
  db: Kysely<Database>,
  o: { org: Org; from: string; to: string; now: Date; timezone: string; title?: string },
): Promise<LedgerFile> {
  const today = localDate(o.now, o.timezone);
  const tasks = await listTasksDueIn(db, o.org.id, o.from, o.to);
  const rows: DutyLedgerRow[] = [];
  for (const task of tasks) {
    const last = (await listTaskEvents(db, task.id)).reverse().find((e) => e.text && e.kind !== 'missed');
    rows.push({
      task,
      lastProgress: last ? `${localDate(new Date(last.at), o.timezone)} ${last.text ?? ''}` : '',
      evidence: (await listTaskEvidence(db, task.id)).map((e) => e.value).join('\n'),
      late: task.late === 1 || (isOpenTask(task.status) && task.due_date < today) || task.status === 'missed',
    });
  }
  const bytes = await dutyLedger.write({
    title: o.title ?? `${o.org.name} 主体责任落实台账`,
    subtitle: `${o.from} 至 ${o.to}　${exportedAt(o.now, o.timezone)}`,
    rows,
  });
  return { fileName: `主体责任落实台账-${o.org.name}-${today}.xlsx`, bytes, count: tasks.length };
}
