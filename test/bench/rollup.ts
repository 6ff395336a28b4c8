/**
 * 6. The roll-up (/总览, issue 15 item 7). One 机关党委 over 200 支部 with 50 members each (10,000),
 * twenty-three months of records (January 2025 to November 2026; the roll-up looks back twelve months
 * and passes over the older) as of Wednesday 2026-12-02 10:00 Beijing: per 支部 the default calendar
 * rules, each month's 支委会 (7 支委) and 主题党日 (everyone), the quarters' 党员大会 and 党课, 2025's
 * 警示教育 and its 组织生活会 (held in January 2026), four study sessions (everyone; attendance varies),
 * 20 rectifications, 50 tasks (some overdue) and a copy of the 党委's item 下发 to it (three owners;
 * some unfinished) — about 2,300 attendance rows per 支部. Some 支部 skip months, so every colour
 * occurs. Measured: the roll-up's computation (`rollupRows`: every query and the held rule over every
 * session), cold and then the median of 5 warm runs, on a SQLite file and on PostgreSQL
 * (TEST_DATABASE_URL, or the local postgres://postgres@127.0.0.1:5432/test, in a schema of its own,
 * dropped after); the card built from the rows and checked by the emulator's card checker; the .xlsx
 * of all rows. */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';
import { addMonths } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { ensureRules } from '../../src/features/meetings/repository.ts';
import { rollupFile } from '../../src/features/rollup/export.ts';
import { buildRollupCard } from '../../src/features/rollup/rollup-card.ts';
import { COLOUR_RULE } from '../../src/features/rollup/rules.ts';
import { rollupRows } from '../../src/features/rollup/service.ts';
import { checkCard, countElements, requestBodyBytes } from '../../src/sandbox/card-check.ts';
import { type BenchResult, log, row, type Section } from './lib.ts';

const NOW = new Date('2026-12-02T10:00:00+08:00');
const TODAY = '2026-12-02';
const TZ = 'Asia/Shanghai';
const BRANCHES = 200;
const MEMBERS = 50;
const RUNS = 5;
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const ms = (x: number) => `${x.toFixed(0)} ms`;
const iso = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`).toISOString();
const pad = (n: number) => String(n).padStart(2, '0');

async function insertMany(db: Kysely<Database>, table: keyof Database, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto(table)
      // biome-ignore lint/suspicious/noExplicitAny: bulk seeding across tables
      .values(rows.slice(i, i + 500) as any)
      .execute();
}

/** The world: the 党委, its 200 支部 and their year. */
export async function seed(db: Kysely<Database>): Promise<number> {
  const at = iso('2025-01-04', '09:00');
  const upper = await db
    .insertInto('orgs')
    .values({ name: '机关党委', parent_id: null, level: 'organ_committee', settings: '{}', created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertMany(
    db,
    'orgs',
    Array.from({ length: BRANCHES }, (_, b) => ({
      name: `第${b + 1}党支部`,
      parent_id: upper.id,
      level: 'branch',
      settings: '{}',
      created_at: at,
    })),
  );
  const orgs = await db.selectFrom('orgs').select('id').where('parent_id', '=', upper.id).orderBy('id').execute();
  const people = (b: number) =>
    Array.from({ length: MEMBERS }, (_, j) => ({ openId: `ou_rb${pad(b)}m${pad(j)}`, name: `党员${b}-${j}` }));
  await insertMany(
    db,
    'members',
    orgs.flatMap((o, b) =>
      people(b).map((p, j) => ({
        org_id: o.id,
        open_id: p.openId,
        name: p.name,
        role: j === 0 ? 'secretary' : j < 3 ? 'organizer' : 'member',
        away_from: null,
        away_until: null,
        away_reason: null,
        left_at: null,
        created_at: at,
        updated_at: at,
      })),
    ),
  );
  for (const o of orgs) await ensureRules(db, o.id, at);
  // The 党委's item 下发 to every 支部 (issue 15 item 4): each 支部 holds a copy, three owners' tasks.
  const upperList = await db
    .insertInto('duty_lists')
    .values({ org_id: upper.id, year: 2026, title: '清单', created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  const upperItem = await db
    .insertInto('duty_items')
    .values({
      ...{ list_id: upperList.id, org_id: upper.id, seq: 1, category: '纪律建设', content: '廉政风险点排查' },
      ...{ leader: '书记', cadence: 'once', due_date: '2026-11-30', due_day: null, evidence: '', active: 1 },
      ...{ import_key: null, created_by: 'ou_upper', created_at: at, updated_at: at },
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  let b = 0;
  for (const o of orgs) {
    const everyone = people(b);
    const sessions: { kind: string; category: string; start: string; invited: number; signed: number }[] = [];
    const add = (kind: string, category: string, day: string, time: string, invited: number, signed: number) =>
      sessions.push({ kind, category, start: iso(day, time), invited, signed });
    // Twenty-three months, January 2025 to November 2026: the roll-up counts the deadlines from 2025-12-02
    // and reads each kind from its earliest period (December, the fourth quarter, 2025), not all of them.
    for (let k = 0; k < 23; k++) {
      const ym = addMonths('2025-01-01', k).slice(0, 7);
      // Every seventh 支部 skips a month: a missed cycle.
      if (!(b % 7 === 0 && ym === '2026-05')) {
        add('committee', 'meeting', `${ym}-08`, '15:00', 7, 6);
        add('theme_day', 'meeting', `${ym}-14`, '09:00', MEMBERS, 40);
      }
      if (k % 3 === 1 && k < 22) {
        add('general', 'meeting', `${ym}-20`, '15:00', MEMBERS, 35);
        add('lecture', 'meeting', addMonths(`${ym}-10`, 1), '15:00', MEMBERS, 38);
      }
    }
    // 2025's yearly rules: its 警示教育, and its 组织生活会 held in January 2026 (counted for 2025).
    add('warning', 'study', '2025-11-25', '09:00', MEMBERS, 40);
    add('life_meeting', 'meeting', '2026-01-20', '15:00', MEMBERS, 45);
    for (const m of [7, 9, 10, 11]) add('integrity', 'study', `2026-${pad(m)}-22`, '09:00', MEMBERS, 25 + (b % 25));
    const ids = await db
      .insertInto('sessions')
      .values(
        sessions.map((s) => ({
          org_id: o.id,
          category: s.category as 'meeting',
          kind: s.kind as 'committee',
          title: '例会',
          start_at: s.start,
          place: '会议室',
          agenda: '',
          status: 'scheduled' as const,
          organiser_open_id: everyone[0]?.openId ?? '',
          organiser_name: everyone[0]?.name ?? '',
          minutes: '纪要',
          minutes_at: s.start,
          reflection_days: 5,
          recorded_as: 'live',
          version: 1,
          created_at: at,
          updated_at: at,
        })),
      )
      .returning('id')
      .execute();
    await insertMany(
      db,
      'session_attendees',
      sessions.flatMap((s, k) =>
        everyone.slice(0, s.invited).map((p, j) => ({
          session_id: ids[k]?.id,
          open_id: p.openId,
          name: p.name,
          status: j < s.signed ? 'signed' : 'invited',
          reason: null,
          answered_at: s.start,
          voting: 1,
          corrected_at: null,
          corrected_by: null,
          correction_reason: null,
        })),
      ),
    );
    await insertMany(
      db,
      'rectifications',
      Array.from({ length: 20 }, (_, k) => ({
        org_id: o.id,
        batch_id: null,
        source: '巡察',
        problem: `问题${k}`,
        measures: '措施',
        leader: '书记',
        owner_open_id: everyone[k + 1]?.openId,
        owner_name: everyone[k + 1]?.name,
        // A few 支部 have one late (some by more than 30 days); the rest are closed or not yet due.
        deadline:
          k === 0 && b % 5 === 1 ? (b % 10 === 1 ? '2026-10-01' : '2026-11-25') : k < 10 ? '2026-06-30' : '2027-03-31',
        kind: 'centralized',
        area: '',
        status: k === 0 && b % 5 === 1 ? 'in_progress' : k < 10 ? 'closed' : 'in_progress',
        progress: 50,
        late: 0,
        submitted_at: null,
        closed_at: null,
        reviewer_open_id: null,
        reviewer_name: null,
        import_key: null,
        version: 1,
        created_by: everyone[0]?.openId,
        created_at: at,
        updated_at: at,
      })),
    );
    const list = await db
      .insertInto('duty_lists')
      .values({ org_id: o.id, year: 2026, title: '清单', created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto('duty_items')
      .values({
        list_id: list.id,
        org_id: o.id,
        seq: 1,
        category: '组织建设',
        content: '每月报告',
        leader: '书记',
        cadence: 'monthly',
        due_date: null,
        due_day: null,
        evidence: '',
        active: 1,
        import_key: null,
        created_by: everyone[0]?.openId ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertMany(
      db,
      'tasks',
      Array.from({ length: 50 }, (_, k) => ({
        org_id: o.id,
        item_id: item.id,
        owner_open_id: everyone[k]?.openId,
        owner_name: everyone[k]?.name,
        period: `2026-${pad((k % 11) + 1)}`,
        due_date: `2026-${pad((k % 11) + 1)}-28`,
        // Some 支部 leave one task open past its date.
        status: k === 0 && b % 3 === 2 ? 'in_progress' : 'done',
        percent: 100,
        late: 0,
        done_at: null,
        version: 1,
        created_at: at,
        updated_at: at,
      })),
    );
    const copy = await db
      .insertInto('duty_items')
      .values({
        ...{ list_id: list.id, org_id: o.id, seq: 2, category: '纪律建设', content: '廉政风险点排查', leader: '' },
        ...{ cadence: 'once', due_date: '2026-11-30', due_day: null, evidence: '', active: 1, import_key: null },
        ...{ source_item_id: upperItem.id, source_org_id: upper.id, created_by: 'ou_upper' },
        ...{ created_at: at, updated_at: at },
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Most 支部 accepted it; every fourth has one owner still at work.
    await insertMany(
      db,
      'tasks',
      [1, 2, 3].map((k) => ({
        ...{ org_id: o.id, item_id: copy.id, owner_open_id: everyone[k]?.openId, owner_name: everyone[k]?.name },
        ...{ period: 'once', due_date: '2026-11-30', status: k === 1 && b % 4 === 3 ? 'in_progress' : 'accepted' },
        ...{ percent: 100, late: 0, done_at: null, version: 1, created_at: at, updated_at: at },
      })),
    );
    b++;
  }
  return upper.id;
}

async function measure(db: Kysely<Database>, upperId: number, dialect: string): Promise<Section> {
  const calendar = new WorkCalendar();
  const input = { now: NOW, today: TODAY, tz: TZ, calendar };
  const t0 = performance.now();
  const first = await rollupRows(db, { id: upperId }, input);
  const cold = performance.now() - t0;
  const warm: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await rollupRows(db, { id: upperId }, input);
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(RUNS / 2)] as number;
  const colours = { red: 0, yellow: 0, green: 0 };
  for (const r of first.rows) colours[r.colour]++;
  const tc = performance.now();
  const card = buildRollupCard({
    legend: COLOUR_RULE,
    orgId: upperId,
    orgName: '机关党委',
    today: TODAY,
    rows: first.rows,
    trend: first.trend,
  });
  const problem = checkCard(JSON.stringify(card));
  const cardMs = performance.now() - tc;
  const tx = performance.now();
  const file = await rollupFile('机关党委', TODAY, first.rows, NOW, TZ);
  const xlsxMs = performance.now() - tx;
  return {
    heading: `${dialect}: ${first.rows.length} 支部`,
    rows: [
      row('roll-up computed (median of 5 warm runs)', ms(median), '< 1 s', median < 1000),
      row('roll-up computed, cold (first run)', ms(cold), '< 1 s', cold < 1000),
      row('rows red / yellow / green', `${colours.red} / ${colours.yellow} / ${colours.green}`),
      row('card built and checked', ms(cardMs)),
      row(
        'card against Feishu limits',
        `${countElements(card)} tagged objects, ${(requestBodyBytes(card) / 1024).toFixed(1)} KB`,
        '≤ 200, ≤ 30 KB, accepted',
        problem === undefined,
      ),
      row('.xlsx of all rows', `${ms(xlsxMs)}, ${(file.bytes.length / 1024).toFixed(0)} KB`),
    ],
    notes: problem ? [`The card checker refused the card: ${problem.message}`] : [],
  };
}

export async function runRollup(_o: { quick: boolean }): Promise<BenchResult> {
  const started = performance.now();
  const sections: Section[] = [];
  const notes: string[] = [];

  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-rollup-'));
  try {
    const handle = openDatabase(join(dir, 'rollup.db'));
    await migrateToLatest(handle.db, handle.dialect);
    log('rollup: seeding SQLite …');
    const upper = await seed(handle.db);
    sections.push(await measure(handle.db, upper, 'SQLite (file, WAL)'));
    await handle.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const schema = `qf_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    notes.push(`PostgreSQL not measured: ${err instanceof Error ? err.message : String(err)}.`);
  }
  if (notes.length === 0) {
    const handle = openDatabase(PG_URL, { schema });
    try {
      await migrateToLatest(handle.db, handle.dialect);
      log('rollup: seeding PostgreSQL …');
      const upper = await seed(handle.db);
      sections.push(await measure(handle.db, upper, 'PostgreSQL'));
    } finally {
      await handle.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  }
  await admin.end().catch(() => undefined);
  return {
    name: 'rollup',
    title: '6. The roll-up (/总览): 200 支部, 10,000 members',
    seconds: (performance.now() - started) / 1000,
    sections,
    notes: [
      `One 机关党委 over ${BRANCHES} 支部 of ${MEMBERS} members, twenty-three months of meetings and study (January 2025 to November 2026: the roll-up counts the deadlines of the last twelve months and reads each kind from its earliest period), rectifications and tasks and an item 下发 to every 支部 (about 2,300 attendance rows per 支部), as of ${TODAY} 10:00 Beijing. Timed: \`rollupRows\` (a fixed number of set-based queries, then the held rule per session in memory); the card is built from the same rows and checked by the emulator's card checker.`,
      ...notes,
    ],
  };
}
