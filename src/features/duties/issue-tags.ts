/**
 * How items 下发 down the hierarchy stand, read from the database: per lower org's copy a row of the
 * 下发情况 card (owners, status, evidence, last update), and the tags lists and task cards show
 * ("上级下发：机关党委" on a 支部's copy, "已下发 3 个支部 · 已完成 2" on the 党委's item).
 */
import type { Kysely } from 'kysely';
import type { Database, DutyItem } from '../../db/schema.ts';
import { listCopies, listEvidenceOfTasks, listOwnersOfItems, listTasksOfItems, orgNames } from './issue-repository.ts';
import {
  currentTasks,
  evidenceSummary,
  fromAboveTag,
  type IssueRowStatus,
  isFinished,
  issuedTag,
  issueRowStatus,
} from './issue-rules.ts';

export interface CopyRow {
  sourceItemId: number;
  itemId: number;
  orgId: number;
  orgName: string;
  owners: string[];
  status: IssueRowStatus;
  evidence: string;
  /** The latest change of its current tasks (or the 下发 itself), ISO. */
  updatedAt: string;
}

/** The copies of `sources` held by the orgs now under `parentId`, each as a row. */
export async function copyRows(
  db: Kysely<Database>,
  sources: readonly Pick<DutyItem, 'id'>[],
  parentId: number,
  today: string,
): Promise<CopyRow[]> {
  const copies = await listCopies(
    db,
    sources.map((s) => s.id),
    parentId,
  );
  const ids = copies.map((c) => c.id);
  const [tasks, owners] = await Promise.all([listTasksOfItems(db, ids), listOwnersOfItems(db, ids)]);
  const current = new Map(
    copies.map((c) => [
      c.id,
      currentTasks(
        tasks.filter((t) => t.item_id === c.id),
        c.cadence,
        today,
      ),
    ]),
  );
  const evidence = await listEvidenceOfTasks(
    db,
    [...current.values()].flat().map((t) => t.id),
  );
  return copies.map((c) => {
    const mine = current.get(c.id) ?? [];
    const taskIds = new Set(mine.map((t) => t.id));
    return {
      sourceItemId: c.source_item_id as number,
      itemId: c.id,
      orgId: c.org_id,
      orgName: c.org_name,
      owners: owners.filter((o) => o.item_id === c.id).map((o) => o.name),
      status: issueRowStatus(mine, today),
      evidence: evidenceSummary(evidence.filter((e) => taskIds.has(e.task_id))),
      updatedAt: [c.created_at, ...mine.map((t) => t.updated_at)].sort().at(-1) as string,
    };
  });
}

/** The 下发 tags of `items` (all of one org), by item id; items without one are left out. */
export async function issueTags(
  db: Kysely<Database>,
  items: readonly DutyItem[],
  today: string,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const first = items[0];
  if (!first) return out;
  const uppers = await orgNames(db, [
    ...new Set(items.map((i) => i.source_org_id).filter((id): id is number => id !== null)),
  ]);
  const rows = await copyRows(db, items, first.org_id, today);
  for (const i of items) {
    const tags: string[] = [];
    const upper = i.source_org_id === null ? undefined : uppers.get(i.source_org_id);
    if (upper !== undefined) tags.push(fromAboveTag(upper));
    const mine = rows.filter((r) => r.sourceItemId === i.id);
    if (mine.length > 0) tags.push(issuedTag(mine.length, mine.filter((r) => isFinished(r.status)).length));
    if (tags.length > 0) out.set(i.id, tags.join(' · '));
  }
  return out;
}
