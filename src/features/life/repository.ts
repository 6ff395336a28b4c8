/** The 组织生活会 / 民主生活会 pipelines and their 对照检查材料 (migration 0019). */
import type { Kysely } from 'kysely';
import { lockRow, updateVersioned } from '../../db/repositories/versioned.ts';
import type { PipelineKind } from '../../db/schema/life.ts';
import type { Database, LifePipeline } from '../../db/schema.ts';
import type { StageMap } from './pipeline-rules.ts';

export type { StageMap };

export function stagesOf(p: LifePipeline): StageMap {
  return JSON.parse(p.stages) as StageMap;
}

/** The org's pipeline of that year and kind (at most one: unique constraint). */
export async function findPipeline(
  db: Kysely<Database>,
  orgId: number,
  year: number,
  kind: PipelineKind,
): Promise<LifePipeline | undefined> {
  return db
    .selectFrom('life_pipelines')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('year', '=', year)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

/** Takes the pipeline's write lock for the transaction and returns it as committed (one effect per decision). */
export async function lockPipeline(db: Kysely<Database>, id: number): Promise<LifePipeline | undefined> {
  return lockRow(db, 'life_pipelines', id);
}

export interface NewPipeline {
  orgId: number;
  year: number;
  kind: PipelineKind;
  stages: StageMap;
  createdBy: string;
  now: string;
}

/**
 * Inserts the pipeline, or nothing when the org already has that year's (a concurrent 启动 waits for the
 * first and then does nothing: the unique constraint decides once); undefined then.
 */
export async function createPipeline(db: Kysely<Database>, v: NewPipeline): Promise<LifePipeline | undefined> {
  return db
    .insertInto('life_pipelines')
    .values({
      org_id: v.orgId,
      year: v.year,
      kind: v.kind,
      session_id: null,
      stages: JSON.stringify(v.stages),
      status: 'open',
      created_by: v.createdBy,
      version: 1,
      created_at: v.now,
      updated_at: v.now,
    })
    .onConflict((oc) => oc.columns(['org_id', 'year', 'kind']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Compare-and-set on the version read (throws StaleError when it changed). */
export async function updatePipeline(
  db: Kysely<Database>,
  before: LifePipeline,
  patch: { stages?: StageMap; status?: LifePipeline['status']; session_id?: number | null },
  now: string,
): Promise<LifePipeline> {
  const { stages, ...rest } = patch;
  return updateVersioned(db, 'life_pipelines', before, {
    ...rest,
    ...(stages ? { stages: JSON.stringify(stages) } : {}),
    updated_at: now,
  });
}

/** The pipelines still under way (the reminder job). */
export async function openPipelines(db: Kysely<Database>): Promise<LifePipeline[]> {
  return db.selectFrom('life_pipelines').selectAll().where('status', '=', 'open').orderBy('id').execute();
}

export interface Material {
  openId: string;
  name: string;
  /** A file sent to the bot (`value` = message id : file key), a link, or a short text note. */
  kind: 'file' | 'link' | 'text';
  value: string;
  /** The file's name, for a file. */
  fileName?: string | null;
  at: string;
}

export async function listMaterials(db: Kysely<Database>, pipelineId: number): Promise<Material[]> {
  const rows = await db
    .selectFrom('pipeline_materials')
    .selectAll()
    .where('pipeline_id', '=', pipelineId)
    .orderBy('id')
    .execute();
  // Rows from before files could be handed in stored a text note as 'file' without a file name.
  return rows.map((r) => ({
    openId: r.open_id,
    name: r.name,
    kind: r.kind === 'link' ? 'link' : r.kind === 'file' && r.file_name ? 'file' : 'text',
    value: r.value,
    fileName: r.file_name,
    at: r.at,
  }));
}

/** A member's material replaces their earlier one (one per person). */
export async function putMaterial(db: Kysely<Database>, pipelineId: number, m: Material): Promise<void> {
  await db
    .deleteFrom('pipeline_materials')
    .where('pipeline_id', '=', pipelineId)
    .where('open_id', '=', m.openId)
    .execute();
  await db
    .insertInto('pipeline_materials')
    .values({
      pipeline_id: pipelineId,
      open_id: m.openId,
      name: m.name,
      kind: m.kind,
      value: m.value,
      file_name: m.kind === 'file' ? (m.fileName ?? null) : null,
      at: m.at,
    })
    .execute();
}

/** The org's latest pipeline of a kind (the one the subcommands act on when no year is given). */
export async function latestPipeline(
  db: Kysely<Database>,
  orgId: number,
  kind: PipelineKind,
): Promise<LifePipeline | undefined> {
  return db
    .selectFrom('life_pipelines')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .orderBy('year', 'desc')
    .executeTakeFirst();
}

/**
 * The 问题清单: the org's 整改台账 items of source 组织生活会 made while this pipeline was the org's
 * latest of its kind — from its start until the next year's pipeline was started (that one's problems
 * are its own).
 */
export async function pipelineProblems(db: Kysely<Database>, p: LifePipeline) {
  const next = await db
    .selectFrom('life_pipelines')
    .select('created_at')
    .where('org_id', '=', p.org_id)
    .where('kind', '=', p.kind)
    .where('year', '>', p.year)
    .orderBy('created_at')
    .executeTakeFirst();
  let q = db
    .selectFrom('rectifications')
    .select(['id', 'problem', 'owner_name', 'deadline', 'status'])
    .where('org_id', '=', p.org_id)
    .where('source', '=', '组织生活会')
    .where('created_at', '>=', p.created_at);
  if (next) q = q.where('created_at', '<', next.created_at);
  return q.orderBy('id').execute();
}

/** Counts from the 征求意见 and 民主评议 tables (never who said or voted what). */
export async function opinionAndBallotCounts(db: Kysely<Database>, pipelineId: number) {
  const o = await db
    .selectFrom('pipeline_opinions')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('pipeline_id', '=', pipelineId)
    .executeTakeFirstOrThrow();
  const v = await db
    .selectFrom('ballot_voters')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('pipeline_id', '=', pipelineId)
    .executeTakeFirstOrThrow();
  return { opinions: Number(o.n), voted: Number(v.n) };
}
