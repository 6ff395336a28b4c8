/**
 * The 主体责任落实台账, as a ledger-kit definition: one row per task (item × owner × period) due in the
 * chosen range. 状态 separates 已完成（已验收）, 已完成, 待验收, 进行中, 未开始, 遇到困难, 逾期 and 未完成
 * (issue 13 item 3); 佐证材料 lists the files, links, texts and 关联记录; 验收人, 验收时间 and 退回理由
 * come from the task's history. The title row counts the statuses, and an empty range says so.
 */
import type { Kysely } from 'kysely';
import type { Database, Org, TaskEvent } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import { defineExporter, exportedAt, type LedgerFile, SEQ_COLUMN } from '../../ledger/export-kit.ts';
import { CADENCE_LABELS, isOpenTask, LEDGER_STATUSES, type LedgerStatus, ledgerStatus } from './model.ts';
import { listTaskEvents, listTaskEvidence, listTasksDueIn } from './repository.ts';

type DutyTask = Awaited<ReturnType<typeof listTasksDueIn>>[number];
type Evidence = Awaited<ReturnType<typeof listTaskEvidence>>[number];

/** A task with what its row shows beside its own fields. */
export interface DutyLedgerRow {
  task: DutyTask;
  status: LedgerStatus;
  lastProgress: string;
  evidence: string;
  acceptedBy: string;
  /** Local date and time. */
  acceptedAt: string;
  returns: string;
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
    { header: '状态', width: 16, value: (r) => r.status },
    { header: '完成进度', width: 9, value: (r) => `${r.task.percent}%` },
    { header: '最近进展', width: 40, value: (r) => r.lastProgress },
    { header: '佐证材料', width: 36, value: (r) => r.evidence },
    { header: '验收人', width: 10, value: (r) => r.acceptedBy },
    { header: '验收时间', width: 17, value: (r) => r.acceptedAt },
    { header: '退回理由', width: 30, value: (r) => r.returns },
    { header: '是否逾期', width: 8, value: (r) => (r.late ? '是' : '否') },
  ],
});

/** One line per piece of evidence: a file by its name, a link or text as given, a linked record by its name. */
export function evidenceLine(e: Pick<Evidence, 'kind' | 'value' | 'name'>): string {
  if (e.kind === 'file') return `文件：${e.name}`;
  if (e.kind === 'record') return e.name;
  return e.value;
}

/** 验收人 and 验收时间 (the last acceptance, while the task stays accepted) and every 退回理由 with its date. */
export function reviewColumns(
  status: DutyTask['status'],
  events: readonly Pick<TaskEvent, 'kind' | 'at' | 'actor_name' | 'text'>[],
  tz: string,
): Pick<DutyLedgerRow, 'acceptedBy' | 'acceptedAt' | 'returns'> {
  const accepted = status === 'accepted' ? events.findLast((e) => e.kind === 'accepted') : undefined;
  const at = accepted ? new Date(accepted.at) : undefined;
  return {
    acceptedBy: accepted?.actor_name ?? '',
    acceptedAt: at ? formatLocal(at, tz) : '',
    returns: events
      .filter((e) => e.kind === 'returned')
      .map((e) => `${localDate(new Date(e.at), tz)} ${(e.text ?? '').replace(/^退回：/, '')}`)
      .join('\n'),
  };
}

/** The title row's count of statuses: "共 5 项：已完成（已验收）2，待验收 1 …", or that there are none. */
export function statusSummary(rows: readonly Pick<DutyLedgerRow, 'status'>[]): string {
  if (rows.length === 0) return '本期没有到期的责任任务';
  const parts = LEDGER_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return `共 ${rows.length} 项：${parts.join('，')}`;
}

export async function exportDuties(
  db: Kysely<Database>,
  o: { org: Org; from: string; to: string; now: Date; timezone: string; title?: string },
): Promise<LedgerFile> {
  const today = localDate(o.now, o.timezone);
  const tasks = await listTasksDueIn(db, o.org.id, o.from, o.to);
  const rows: DutyLedgerRow[] = [];
  for (const task of tasks) {
    const events = await listTaskEvents(db, task.id);
    const last = [...events].reverse().find((e) => e.text && e.kind !== 'missed');
    rows.push({
      task,
      status: ledgerStatus(task, today),
      lastProgress: last ? `${localDate(new Date(last.at), o.timezone)} ${last.text ?? ''}` : '',
      evidence: (await listTaskEvidence(db, task.id)).map(evidenceLine).join('\n'),
      ...reviewColumns(task.status, events, o.timezone),
      late: task.late === 1 || (isOpenTask(task.status) && task.due_date < today) || task.status === 'missed',
    });
  }
  const bytes = await dutyLedger.write({
    title: o.title ?? `${o.org.name} 主体责任落实台账`,
    subtitle: `${o.from} 至 ${o.to}　${statusSummary(rows)}　${exportedAt(o.now, o.timezone)}`,
    rows,
  });
  return { fileName: `主体责任落实台账-${o.org.name}-${today}.xlsx`, bytes, count: tasks.length };
}
