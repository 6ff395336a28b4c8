/** The 组织生活会 / 民主生活会 pipeline (issue 16). (See src/db/schema.ts for how values are stored.) */
import type { Generated } from 'kysely';

// The stored values of the kind, status, material and grade columns below (features read them from here).
export const PIPELINE_KINDS = ['life_meeting', 'democratic_life'] as const;
export type PipelineKind = (typeof PIPELINE_KINDS)[number];

/** open (stages under way), reported (情况报告 sent up), closed. */
export const PIPELINE_STATUSES = ['open', 'reported', 'closed'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** The stages, in order (docs/domain.md; issue 16 item 3). */
export const PIPELINE_STAGES = [
  'study',
  'opinions',
  'talks',
  'materials',
  'meeting',
  'problems',
  'appraisal',
  'report',
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** 民主评议党员: 优秀, 合格, 基本合格, 不合格. */
export const APPRAISAL_GRADES = ['excellent', 'qualified', 'basic', 'unqualified'] as const;
export type AppraisalGrade = (typeof APPRAISAL_GRADES)[number];

export interface LifePipelinesTable {
  id: Generated<number>;
  org_id: number;
  year: number;
  kind: PipelineKind;
  /** The meeting itself (sessions.id) once scheduled. */
  session_id: number | null;
  /** JSON: per stage `{ due: YYYY-MM-DD, doneAt: ISO | null }`. */
  stages: string;
  status: PipelineStatus;
  created_by: string;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PipelineOpinionsTable {
  id: Generated<number>;
  pipeline_id: number;
  /** Null for an anonymous opinion: no author is stored at all. */
  author_open_id: string | null;
  author_name: string | null;
  text: string;
  /** The local date only (an instant would help tie an anonymous opinion to its author). */
  created_on: string;
}

export interface PipelineMaterialsTable {
  id: Generated<number>;
  pipeline_id: number;
  open_id: string;
  name: string;
  /** file | link */
  kind: string;
  value: string;
  file_name: string | null;
  at: string;
}

/** Who has voted in a pipeline's 民主评议 (one ballot each); never what they voted. */
export interface BallotVotersTable {
  pipeline_id: number;
  open_id: string;
  voted_on: string;
}

/** The tally of grades per member: counts only, so no vote can be read back to its voter. */
export interface BallotTalliesTable {
  pipeline_id: number;
  subject_open_id: string;
  grade: AppraisalGrade;
  count: number;
}
