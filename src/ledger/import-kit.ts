/**
 * The import half of the ledger kit. A ledger (整改台账, 主体责任清单, 年度学习计划) is described once
 * — its headers and their accepted variants, the required ones, how one row becomes a record or a
 * problem, how a record compares with what is stored, how it is written — and `defineImporter` turns
 * that into the `Importer` the preview / 确认导入 flow (services/importers.ts) and the CLI run:
 * `plan` reads and decides without writing, `apply` writes what the plan kept, re-deciding each row
 * against what is stored then, so importing the same file twice creates nothing the second time.
 */
import type { Actor, BaseContext } from '../core/contracts.ts';
import { listMembers } from '../db/repositories/members.ts';
import type { Org } from '../db/schema.ts';
import { type Cell, cellAt, findHeader } from './cells.ts';

/** Who imports, and into which org (ActingContext, src/core/contracts.ts). */
export type ImportContext = BaseContext & { actor: Actor; org: Org | undefined };

export interface ImportProblem {
  /** Row number in the file (1-based, as Excel shows it). */
  line: number;
  reason: string;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** What importing one row does (or would do) to what is stored. */
export type ImportOutcome = keyof ImportCounts;

export interface ImportPlan<R> {
  rows: R[];
  problems: ImportProblem[];
  /** Rows that are no data and no error: footnotes (注：…), 说明, 制表人 / 审核人 lines, what follows a blank row (absent when none). */
  skipped?: ImportProblem[];
  /** Lines the preview states about how rows were read, a date chosen for 立行立改 … (absent when none). */
  notes?: string[];
  /** How many rows would be new, updated, unchanged. */
  counts: ImportCounts;
  /** A few lines shown on the preview. */
  sample: string[];
}

/** What the preview flow and the CLI run; made by `defineImporter`. */
export interface Importer<R = unknown> {
  /** Stable id, stored with pending imports (`rectifications`). */
  kind: string;
  /** 整改台账 … */
  label: string;
  /** Header synonyms per field; `required` fields must be found for the file to be this kind. */
  headers: Record<string, readonly string[]>;
  required: readonly string[];
  /** Validates each data row (after the header row) against the org. */
  plan(
    ctx: ImportContext,
    rows: Cell[][],
    columns: Record<string, number | undefined>,
    firstLine: number,
  ): Promise<ImportPlan<R>>;
  /** Writes the rows; returns a one-line summary. */
  apply(ctx: ImportContext, rows: R[]): Promise<string>;
}

/** A row read into a record, with its identity across imports. */
export interface ParsedRow<R> {
  key: string;
  row: R;
}

/** What rows are checked against: the definition's own (`load`), and the instant of the import. */
export type PlanEnv<E> = E & {
  now: Date;
  timezone: string;
  /** The local date (YYYY-MM-DD) in `timezone`: fills in a missing year, dates a one-off item. */
  today: string;
};

/** One non-blank data row (`line` as Excel numbers it) → its record, or the reason it cannot be imported. */
export type RowParser<F extends string, R, E> = (
  get: (field: F) => Cell,
  env: PlanEnv<E>,
  line: number,
) => ParsedRow<R> | string;

/** One ledger's import, described once. `F` are its fields, `R` its records, `E` what rows are checked against. */
export interface ImporterDefinition<F extends string, R, E extends object> {
  kind: string;
  label: string;
  /** Accepted header names per field, the usual one first (it is named when no header is found). */
  headers: Record<F, readonly string[]>;
  required: readonly F[];
  /** What every row is checked against, read once per plan: the org's members, batches, sessions … */
  load(ctx: ImportContext, org: Org): Promise<E>;
  parse: RowParser<F, R, E>;
  /** A later row with an identity already seen: its problem, or undefined to count it unchanged and skip it. */
  duplicate(firstLine: number): string | undefined;
  /** What importing the record would do now. */
  compare(ctx: ImportContext, org: Org, parsed: ParsedRow<R>, env: PlanEnv<E>): Promise<ImportOutcome>;
  /** Whether records that would change nothing stay in the plan (apply re-decides them). */
  keepUnchanged: boolean;
  /** The line shown for the record on the preview. */
  sample(row: R, env: PlanEnv<E>): string;
  /** Writes one record, deciding against what is stored now. */
  applyRow(ctx: ImportContext, org: Org, row: R): Promise<ImportOutcome>;
  /** The one-line outcome; by default 新增 / 更新 / 无变化. */
  summary?(counts: ImportCounts): string;
  /** What the preview should state about how the kept rows were read (dates it chose, kinds it inferred). */
  notes?(rows: readonly R[], env: PlanEnv<E>): string[];
}

/**
 * The first words of a row that is a note under the table, not data: 注：…, 备注, 填表说明, 制表人 …
 * Followed by punctuation, a number or nothing it is a note wherever it stands; followed by other
 * text ("审核把关不严…" as a problem), only when the row does not look like data either.
 */
const NOTE_START =
  /^(注|备注|说明|填表说明|填报说明|制表|制表人|制表单位|制表日期|审核|审核人|审批人|填报|填报人|填报单位|填报日期|填表人|填表日期|联系人|联系电话|负责人)/;
const NOTE_MARK = /^[\s:：、,，.．;；（(\d一二三四五六七八九十]|^$/;

/** Why a non-blank row is skipped as a note, or undefined when it is read as data. */
export function noteRow(row: readonly Cell[], looksLikeData: boolean, afterBlank: boolean): string | undefined {
  const first = row.find((c) => c.text !== '')?.text.normalize('NFKC') ?? '';
  const m = NOTE_START.exec(first);
  if (m && (NOTE_MARK.test(first.slice(m[0].length)) || !looksLikeData)) return '注释、说明';
  if (afterBlank && !looksLikeData) return '空行后的说明';
  return undefined;
}

const SAMPLE_ROWS = 5;

const defaultSummary = (c: ImportCounts) => `新增 ${c.created} 项，更新 ${c.updated} 项，${c.unchanged} 项无变化。`;

function requireOrg(ctx: ImportContext): Org {
  if (!ctx.org) throw new Error('import without an org');
  return ctx.org;
}

export function defineImporter<F extends string, R, E extends object>(def: ImporterDefinition<F, R, E>): Importer<R> {
  return {
    kind: def.kind,
    label: def.label,
    headers: def.headers,
    required: def.required,

    async plan(ctx, rows, columns, firstLine) {
      const org = requireOrg(ctx);
      const timezone = ctx.settings.timezone;
      const clock = { now: ctx.now, timezone, today: ctx.today };
      const env: PlanEnv<E> = { ...(await def.load(ctx, org)), ...clock };
      const plan: ImportPlan<R> = {
        rows: [],
        problems: [],
        counts: { created: 0, updated: 0, unchanged: 0 },
        sample: [],
      };
      const seen = new Map<string, number>();
      // A data row fills at least two of the required columns (one when only one is required).
      const required = def.required.map((f) => columns[f]);
      const dataLike = (row: Cell[]) =>
        required.filter((c) => cellAt(row, c).text !== '').length >= Math.min(2, required.length);
      let afterBlank = false;
      const skipped: ImportProblem[] = [];
      for (const [i, row] of rows.entries()) {
        const line = firstLine + i;
        if (row.every((c) => c.text === '')) {
          afterBlank = true;
          continue;
        }
        const note = noteRow(row, dataLike(row), afterBlank);
        if (note) {
          skipped.push({ line, reason: note });
          continue;
        }
        if (Object.values(columns).every((c) => cellAt(row, c).text === '')) continue;
        const parsed = def.parse((f) => cellAt(row, columns[f]), env, line);
        if (typeof parsed === 'string') {
          plan.problems.push({ line, reason: parsed });
          continue;
        }
        const earlier = seen.get(parsed.key);
        if (earlier !== undefined) {
          const reason = def.duplicate(earlier);
          if (reason === undefined) plan.counts.unchanged++;
          else plan.problems.push({ line, reason });
          continue;
        }
        seen.set(parsed.key, line);
        const outcome = await def.compare(ctx, org, parsed, env);
        plan.counts[outcome]++;
        if (outcome !== 'unchanged' || def.keepUnchanged) plan.rows.push(parsed.row);
      }
      plan.sample = plan.rows.slice(0, SAMPLE_ROWS).map((r) => def.sample(r, env));
      const notes = def.notes?.(plan.rows, env) ?? [];
      if (skipped.length > 0) plan.skipped = skipped;
      if (notes.length > 0) plan.notes = notes;
      return plan;
    },

    async apply(ctx, rows) {
      const org = requireOrg(ctx);
      const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
      for (const row of rows) counts[await def.applyRow(ctx, org, row)]++;
      return (def.summary ?? defaultSummary)(counts);
    },
  };
}

/** Whether any of these columns differs from what is stored. */
export function differsFrom<S extends object>(stored: S, columns: Partial<S>): boolean {
  return (Object.keys(columns) as (keyof S)[]).some((k) => stored[k] !== columns[k]);
}

/** `created` when nothing is stored under the record's identity, else `updated` or `unchanged` as `differs` says. */
export async function compareStored<S>(
  stored: S | undefined,
  differs: (stored: S) => boolean | Promise<boolean>,
): Promise<ImportOutcome> {
  if (stored === undefined) return 'created';
  return (await differs(stored)) ? 'updated' : 'unchanged';
}

/** Picks the importer whose required headers are all present, with the most headers found. */
export function detectImporter(
  importers: readonly Importer[],
  rows: Cell[][],
): { importer: Importer; header: { row: number; columns: Record<string, number | undefined> } } | undefined {
  let best:
    | { importer: Importer; header: { row: number; columns: Record<string, number | undefined> }; score: number }
    | undefined;
  for (const importer of importers) {
    const header = findHeader(rows, importer.headers);
    if (!header) continue;
    if (!importer.required.every((f) => header.columns[f] !== undefined)) continue;
    const score = Object.keys(header.columns).length;
    if (!best || score > best.score) best = { importer, header, score };
  }
  return best && { importer: best.importer, header: best.header };
}

/** The org's members by name, each name with the open ids of everyone called so (namesakes). */
export async function membersByName(ctx: ImportContext, orgId: number): Promise<Map<string, string[]>> {
  const byName = new Map<string, string[]>();
  for (const m of await listMembers(ctx.db, orgId)) byName.set(m.name, [...(byName.get(m.name) ?? []), m.open_id]);
  return byName;
}
