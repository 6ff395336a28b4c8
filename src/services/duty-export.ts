/** The 主体责任落实台账: one row per task (item × owner × period) due in the chosen range. */
import type { Kysely } from 'kysely';
import { listTaskEvents, listTaskEvidence, listTasksDueIn } from '../db/repositories/tasks.ts';
import type { Database, Org } from '../db/schema.ts';
import { CADENCE_LABELS, type Cadence, isOpenTask, TASK_STATUS_LABELS, type TaskStatus } from '../domain/tasks.ts';
import { formatLocal, localDate } from '../domain/time.ts';
import { type LedgerColumn, writeLedger } from './spreadsheet.ts';

export const DUTY_EXPORT_COLUMNS: LedgerColumn[] = [
  { header: '序号', width: 6, kind: 'number' },
  { header: '类别', width: 10 },
  { header: '责任内容', width: 44 },
  { header: '责任领导', width: 10 },
  { header: '责任人', width: 10 },
  { header: '频次', width: 8 },
  { header: '本期时限', width: 12, kind: 'date' },
  { header: '状态', width: 12 },
  { header: '完成进度', width: 9 },
  { header: '最近进展', width: 40 },
  { header: '佐证材料', width: 30 },
  { header: '是否逾期', width: 8 },
];

export async function exportDuties(
  db: Kysely<Database>,
  o: { org: Org; from: string; to: string; now: Date; timezone: string; title?: string },
): Promise<{ fileName: string; bytes: Buffer; count: number }> {
  const today = localDate(o.now, o.timezone);
  const tasks = await listTasksDueIn(db, o.org.id, o.from, o.to);
  const rows: (string | number | null)[][] = [];
  for (const [n, t] of tasks.entries()) {
    const last = (await listTaskEvents(db, t.id)).reverse().find((e) => e.text && e.kind !== 'missed');
    const evidence = await listTaskEvidence(db, t.id);
    const late = t.late === 1 || (isOpenTask(t.status) && t.due_date < today) || t.status === 'missed';
    rows.push([
      n + 1,
      t.category,
      t.content,
      t.leader,
      t.owner_name,
      CADENCE_LABELS[t.cadence as Cadence] ?? t.cadence,
      t.due_date,
      TASK_STATUS_LABELS[t.status as TaskStatus] ?? t.status,
      `${t.percent}%`,
      last ? `${localDate(new Date(last.at), o.timezone)} ${last.text ?? ''}` : '',
      evidence.map((e) => e.value).join('\n'),
      late ? '是' : '否',
    ]);
  }
  const title = o.title ?? `${o.org.name} 主体责任落实台账`;
  const bytes = await writeLedger({
    sheetName: '主体责任落实台账',
    title,
    subtitle: `${o.from} 至 ${o.to}　导出时间：${formatLocal(o.now, o.timezone)}`,
    columns: DUTY_EXPORT_COLUMNS,
    rows,
  });
  return { fileName: `主体责任落实台账-${o.org.name}-${today}.xlsx`, bytes, count: tasks.length };
}
