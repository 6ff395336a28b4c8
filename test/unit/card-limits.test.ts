// Every card builder, rendered with the largest data its feature allows (an owner with 60 open
// tasks, an item with 200 history entries, a meeting of 80 attendees, lists of 500, every stored
// text at its maximum length), stays within Feishu's JSON 2.0 rules (docs/feishu-platform.md §6): the request body
// ≤ 30 KB, ≤ 200 tagged objects, inputs max_length ≤ 1000 and placeholders ≤ 100 characters, tables
// page_size ≤ 10, ≤ 5 per card and never in a form or a column, every button in a form named with a
// form_action_type, multi-selects saying whether they are required. Checked by the emulator's
// checkCard and by the small checks below, so the test means something whatever the validator does.
// Long texts split over several inputs come back whole (splitLongText / readLongText).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFullHelpCard, buildHelpCard } from '../../src/cards/help-card.ts';
import {
  buildAttachCard,
  buildImportCancelledCard,
  buildImportDoneCard,
  buildPreviewCard,
} from '../../src/cards/import-card.ts';
import { buildMeCard, meElements } from '../../src/cards/me-card.ts';
import {
  buildAwayOverdueCard,
  buildBoundCard,
  buildDeadLettersCard,
  buildHolidayReminderCard,
  buildHolidayTableMissingCard,
  buildMemberLeftCard,
  buildOverdueDigestCard,
  buildThemeDayCard,
  buildUnreachableCard,
  buildUrgentRefusedCard,
} from '../../src/cards/notice-cards.ts';
import { INPUT_MAX_LENGTH, readLongText, splitLongText } from '../../src/cards/parts.ts';
import { buildWelcomeCard } from '../../src/cards/welcome-card.ts';
import type { Card } from '../../src/core/card.ts';
import {
  buildIssueNoticeCard,
  buildIssueResultCard,
  buildIssueStatusCard,
} from '../../src/features/duties/issue-cards.ts';
import { taskStatusCounts } from '../../src/features/duties/list.ts';
import { TASK_STATUSES } from '../../src/features/duties/model.ts';
import {
  buildBoardCard,
  buildChecklistCard,
  buildDutyListCard,
  buildQuarterlyAskCard,
  buildRollupCard,
  buildTaskCard,
  buildTaskListCard,
  buildTaskNewCard,
  REPORT_PARTS,
  type TaskCardMode,
  type TaskView,
} from '../../src/features/duties/task-card.ts';
import {
  buildConfirmCard,
  buildGreetingCard,
  buildIntentDoneCard,
  buildNotUnderstoodCard,
} from '../../src/features/intent/intent-card.ts';
import {
  buildBallotDoneCard,
  buildBallotFormCard,
  buildBallotResultCards,
} from '../../src/features/life/ballot-card.ts';
import {
  buildOpinionDoneCard,
  buildOpinionFormCard,
  buildOpinionListCard,
  buildOpinionsAskCard,
} from '../../src/features/life/opinions-card.ts';
import { buildLifeReportCard, buildPipelineCard } from '../../src/features/life/pipeline-card.ts';
import { buildBackfillCard, buildBackfillDoneCard } from '../../src/features/meetings/backfill-card.ts';
import { buildMakeupCard, buildMakeupListCard } from '../../src/features/meetings/makeup-card.ts';
import {
  AGENDA_PARTS,
  buildCalendarCard,
  buildSessionCard,
  buildSessionListCard,
  buildSessionNewCard,
  buildStudyReportCard,
  MINUTES_PARTS,
  REFLECTION_PARTS,
  type SessionCardMode,
  type SessionView,
} from '../../src/features/meetings/session-card.ts';
import { buildSessionPublishedCard } from '../../src/features/meetings/session-new-card.ts';
import { buildRegisterCard } from '../../src/features/membership/register-card.ts';
import { buildBatchCard } from '../../src/features/rectification/batch-card.ts';
import {
  buildExtensionCard,
  buildRectItemCard,
  buildRectListCard,
  buildRectNewCard,
  buildRectReviewCard,
  type ItemCardMode,
  type RectItemView,
  type ReviewCardMode,
} from '../../src/features/rectification/item-card.ts';
import { rectStatusCounts } from '../../src/features/rectification/list.ts';
import { RECT_STATUSES } from '../../src/features/rectification/model.ts';
import { buildReportCard } from '../../src/features/report/report-card.ts';
import { buildOwnTalkCoverageCard, buildTalkCoverageCard } from '../../src/features/talks/coverage-card.ts';
import { buildTalkCard, buildTalkFormCard, buildTalkListCard } from '../../src/features/talks/talk-card.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';

/** Every card module (src/cards, and each feature's *-card(s).ts), loaded, to list the builders it exports. */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const cardFiles = [
  ...readdirSync(join(SRC, 'cards'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('cards', f)),
  ...readdirSync(join(SRC, 'features'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .flatMap((feature) =>
      readdirSync(join(SRC, 'features', feature))
        .filter((f) => /-cards?\.ts$/.test(f))
        .map((f) => join('features', feature, f)),
    ),
];
const cardModules: Record<string, Record<string, unknown>> = Object.fromEntries(
  await Promise.all(
    cardFiles.map(async (f) => [f, (await import(pathToFileURL(join(SRC, f)).href)) as Record<string, unknown>]),
  ),
);

// ---------------------------------------------------------------------------------------------
// The rules, checked here independently of the emulator.

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The request body that sends the card: the card JSON escaped again inside `content`. */
function requestBytes(card: Card): number {
  return Buffer.byteLength(
    JSON.stringify({ receive_id: 'oc_x', msg_type: 'interactive', content: JSON.stringify(card) }),
    'utf8',
  );
}

/** Every object with a `tag`, anywhere in the card (components, columns, text objects, text_tags, icons). */
function tagged(x: unknown, out: Obj[] = []): Obj[] {
  if (Array.isArray(x)) for (const v of x) tagged(v, out);
  else if (isObj(x)) {
    if (typeof x.tag === 'string') out.push(x);
    for (const v of Object.values(x)) tagged(v, out);
  }
  return out;
}

/** The components under an element (form/panel elements, columns' elements). */
function children(el: Obj): Obj[] {
  const kids: Obj[] = [];
  if (Array.isArray(el.elements)) kids.push(...(el.elements as Obj[]));
  if (Array.isArray(el.columns) && el.tag === 'column_set')
    for (const c of el.columns as Obj[]) if (Array.isArray(c.elements)) kids.push(...(c.elements as Obj[]));
  return kids;
}

function walk(els: Obj[], visit: (el: Obj, inside: string[]) => void, inside: string[] = []): void {
  for (const el of els) {
    visit(el, inside);
    walk(children(el), visit, [...inside, String(el.tag)]);
  }
}

const chars = (s: unknown) => (typeof s === 'string' ? Array.from(s).length : 0);

/** What is wrong with the card by the rules above; empty when nothing is. */
function ruleProblems(card: Card): string[] {
  const problems: string[] = [];
  const bytes = requestBytes(card);
  if (bytes > 30 * 1024) problems.push(`request body ${bytes} bytes > 30 KB`);
  const count = tagged(card).length;
  if (count > 200) problems.push(`${count} tagged objects > 200`);
  let tables = 0;
  walk(card.body.elements as Obj[], (el, inside) => {
    const tag = el.tag;
    if (tag === 'input') {
      const max = el.max_length;
      if (typeof max !== 'number' || max < 1 || max > 1000) problems.push(`input ${el.name} max_length ${max}`);
      const ph = isObj(el.placeholder) ? el.placeholder.content : undefined;
      if (chars(ph) > 100) problems.push(`input ${el.name} placeholder ${chars(ph)} characters`);
      if (chars(el.default_value) > (typeof max === 'number' ? max : 1000))
        problems.push(`input ${el.name} default_value longer than max_length`);
    }
    if (isObj(el.placeholder) && chars(el.placeholder.content) > 100) problems.push(`${tag} placeholder too long`);
    if (tag === 'table') {
      tables++;
      const ps = el.page_size;
      if (typeof ps !== 'number' || ps < 1 || ps > 10) problems.push(`table page_size ${ps}`);
      if (inside.includes('form') || inside.includes('column_set')) problems.push('table inside a form or column');
    }
    if (tag === 'button' && inside.includes('form')) {
      if (typeof el.name !== 'string' || !el.name) problems.push('a button in a form has no name');
      if (el.form_action_type !== 'submit' && el.form_action_type !== 'reset')
        problems.push(`button ${String(el.name)} in a form has no form_action_type`);
    }
    if ((tag === 'multi_select_person' || tag === 'multi_select_static') && typeof el.required !== 'boolean')
      problems.push(`${tag} ${el.name} does not say whether it is required`);
    if (tag === 'form') {
      const buttons = tagged(el.elements).filter((b) => b.tag === 'button');
      if (!buttons.some((b) => b.form_action_type === 'submit')) problems.push(`form ${el.name} has no submit button`);
    }
  });
  if (tables > 5) problems.push(`${tables} tables > 5`);
  return problems;
}

function expectWithinRules(name: string, card: Card): void {
  expect(ruleProblems(card), name).toEqual([]);
  expect(checkCard(JSON.stringify(card)), name).toBeUndefined();
  expect(JSON.stringify(card), name).not.toContain('undefined');
}

// ---------------------------------------------------------------------------------------------
// The largest data.

/** Realistic Chinese text of exactly `n` characters, with line breaks and punctuation. */
function zh(n: number, seed = 0): string {
  const base =
    '根据巡察反馈意见，支部认真落实整改责任，召开专题会议研究部署，逐条制定整改措施，明确责任人和完成时限。\n';
  const s = Array.from(base.repeat(Math.ceil((n + seed) / base.length) + 1));
  return s.slice(seed % base.length, (seed % base.length) + n).join('');
}
/**
 * The worst bytes per character a user can type: `*` and `&` become 5-byte entities in markdown,
 * `"` and `\\` are escaped twice in the request body (4 bytes), an emoji is 4 bytes.
 */
function hostile(n: number, seed = 0): string {
  const base = ['*&"\\', '"\\*&', '&*\\"', '😀"*&'][seed % 4] as string;
  return Array.from(base.repeat(Math.ceil(n / 4) + 1))
    .slice(0, n)
    .join('');
}
type Text = (n: number, seed?: number) => string;

const openId = (i: number) => `ou_${i.toString(16).padStart(32, 'a')}`;
const AT = '2026-12-02 10:00';

const taskView = (status: string, t: Text = zh): TaskView => {
  const name = (i: number) => `${t(12, i)}${i}`;
  return {
    id: 99_999,
    orgId: 9_999,
    version: 999,
    itemId: 9_999,
    content: t(2000),
    category: '党风廉政建设',
    leader: name(1),
    cadenceLabel: '每季度',
    period: '2026Q4',
    ownerOpenId: openId(1),
    ownerName: name(2),
    dueDate: '2026-12-31',
    dueText: '已逾期 12 个工作日',
    overdue: true,
    status,
    statusLabel: status === 'blocked' ? '遇到困难' : '进行中',
    percent: 60,
    evidenceRequired: t(200),
    lastProgress: { at: AT, text: t(1000) },
    evidence: Array.from({ length: 60 }, (_, i) => ({ kind: 'link', name: t(120, i) })),
    history: Array.from({ length: 200 }, (_, i) => ({ at: AT, by: name(i), text: t(1000, i) })),
  };
};

const rectView = (status: string, t: Text = zh, kind = 'long_term'): RectItemView => {
  const name = (i: number) => `${t(12, i)}${i}`;
  return {
    id: 99_999,
    orgId: 9_999,
    version: 999,
    status,
    statusLabel: '整改中',
    kind,
    kindLabel: '长期整改',
    source: '上级督查',
    batchName: t(100),
    problem: t(2000),
    measures: t(2000, 3),
    leader: t(50),
    ownerOpenId: openId(1),
    ownerName: name(1),
    area: t(50),
    deadline: '2026-12-31',
    deadlineText: '已逾期 30 天',
    dueTone: 'overdue',
    overdue: true,
    late: true,
    progress: 70,
    lastProgress: { at: AT, by: name(2), text: t(1000), percent: 70 },
    history: Array.from({ length: 200 }, (_, i) => ({ at: AT, by: name(i), label: '同意延期', text: t(1000, i) })),
    evidence: Array.from({ length: 60 }, (_, i) => ({ kind: i % 2 ? 'file' : 'link', name: t(120, i), value: 'x' })),
    reviewer: { name: name(3), at: AT },
    pendingExtension: { id: 1, newDeadline: '2027-03-31', reason: t(500) },
  };
};

const sessionView = (category: 'meeting' | 'study', attendees: number, t: Text = zh): SessionView => {
  const name = (i: number) => `${t(12, i)}${i}`;
  return {
    id: 99_999,
    orgId: 9_999,
    version: 999,
    category,
    kind: category === 'study' ? 'central_group' : 'general',
    kindLabel: category === 'study' ? '中心组学习' : '支部党员大会',
    title: t(100),
    startText: '2026-12-10 15:00',
    started: true,
    cancelled: false,
    place: t(200),
    agenda: t(2000),
    organiserName: name(1),
    phase: 'closed',
    windowText: '签到时间为 12月10日 14:30 至 12月11日 02:00。',
    // The longest record state: 未召开 with its reason, entered afterwards as 补录.
    record: {
      state: 'not_held',
      label: '未召开',
      text: `未召开（有表决权的党员 ${attendees} 人，到会 ${attendees / 2} 人，未超过半数）（补录）`,
      minutesDue: false,
      backfilled: true,
    },
    attendees: Array.from({ length: attendees }, (_, i) => ({
      openId: openId(i),
      name: name(i),
      status: i % 4 === 0 ? 'signed' : i % 4 === 1 ? 'leave' : i % 4 === 2 ? 'attending' : 'invited',
      reason: i % 4 === 1 ? t(200, i) : null,
      away: i % 7 === 0,
      // An admin's 补正 (reason up to 200 characters) on every fifth.
      correction: i % 5 === 0 ? t(200, i) : null,
    })),
    voting: category === 'meeting' ? { total: attendees, present: attendees / 2, quorum: false } : undefined,
    minutes: t(5000),
    files: Array.from({ length: 50 }, (_, i) => ({ kind: 'minutes', name: t(120, i) })),
    reflections:
      category === 'study'
        ? {
            submitted: 40,
            expected: attendees,
            due: '2026-12-17',
            makeup: Array.from({ length: attendees }, (_, i) => name(i)),
          }
        : undefined,
  };
};

const members = Array.from({ length: 1000 }, (_, i) => openId(i));

function allCards(t: Text): [string, Card][] {
  const name = (i: number) => `${t(12, i)}${i}`;
  const cards: [string, Card][] = [];
  // The hierarchy (issue 15): a link request pending and answered; 200 lower orgs (50 listed), names at their longest.
  const hc = cardModules[
    join('features', 'hierarchy', 'link-card.ts')
  ] as typeof import('../../src/features/hierarchy/link-card.ts');
  const link = {
    linkId: 2_000_000,
    version: 999,
    childId: 9_999,
    childName: t(50),
    upperName: t(50, 1),
    upperLevel: '机关党委',
    requestedAt: '2026-12-02 10:00',
  };
  const lower = Array.from({ length: 200 }, (_, i) => ({
    name: t(50, i),
    level: '党支部',
    chats: [t(30, i), t(30, i + 1)],
    members: 10_000,
  }));
  cards.push(
    ['link request', hc.buildLinkRequestCard(link)],
    [
      'link answered',
      hc.buildLinkRequestCard({ ...link, answer: { accepted: true, by: t(30), at: '2026-12-02 10:05' } }),
    ],
  );
  cards.push(
    ['org view', hc.buildOrgCard({ name: t(50), level: '机关党委', parentName: t(50, 2), children: lower })],
    ['lower orgs', hc.buildChildrenCard({ name: t(50), children: lower })],
  );
  // The roll-up (issue 15): 200 支部 (the first 15 on the card), a year of trend; one 支部's lists and its 督办.
  const rc = cardModules[
    join('features', 'rollup', 'rollup-card.ts')
  ] as typeof import('../../src/features/rollup/rollup-card.ts');
  const dc = cardModules[
    join('features', 'rollup', 'detail-card.ts')
  ] as typeof import('../../src/features/rollup/detail-card.ts');
  const colours = ['red', 'yellow', 'green'] as const;
  const rollRows = Array.from({ length: 200 }, (_, i) => {
    const c = colours[i % 3] as (typeof colours)[number];
    return {
      ...{ orgId: 9_000_000 + i, name: t(50, i), colour: c, colours: { cycles: c, rects: c, tasks: c, study: c } },
      ...{ missed: 999, required: 999, met: 999, completion: 100, rectsOverdue: 99_999, maxDaysLate: 99_999 },
      ...{ tasksOverdue: 99_999, attendance: 100 },
    };
  });
  const trend = Array.from({ length: 12 }, (_, m) => ({ month: `2026-${m + 10}`, required: 99_999, met: 99_999 }));
  const late = Array.from({ length: 500 }, (_, i) => ({
    ...{ label: `整改 #${9_000_000 + i}`, title: t(2000, i), owner: t(30, i) },
    ...{ deadline: '2026-01-01', daysLate: 99_999 },
  }));
  const lists = {
    row: rollRows[0] as (typeof rollRows)[number],
    missed: Array.from({ length: 20 }, (_, i) => ({ name: t(30, i), periods: Array(12).fill(t(20, i)) })),
    rects: late,
    tasks: late,
  };
  cards.push(
    [
      'roll-up',
      rc.buildRollupCard({
        orgId: 9_999,
        orgName: t(50),
        today: '2026-12-02',
        rows: rollRows,
        trend,
        legend: t(300),
        weekly: true,
      }),
    ],
    ['roll-up detail', dc.buildDetailCard({ ...lists, upperOrgId: 9_999, upperName: t(50) })],
    ['roll-up 督办', dc.buildPressCard({ ...lists, upperName: t(50) })],
  );
  for (const status of ['in_progress', 'blocked', 'done'])
    for (const mode of ['view', 'progress', 'blocked'] as TaskCardMode[])
      cards.push([`task ${status} ${mode}`, buildTaskCard(taskView(status, t), mode)]);
  // Returned (验收退回, the reason at its longest), on the owner's card and on the 书记's copy.
  for (const othersCopy of [false, true])
    cards.push([
      `task returned${othersCopy ? ', the reviewer’s copy' : ''}`,
      buildTaskCard({ ...taskView('in_progress', t), othersCopy, returned: { by: name(3), at: AT, reason: t(500) } }),
    ]);
  cards.push([
    'task list',
    buildTaskListCard({
      orgId: 9_999,
      title: '全部未完成的责任任务',
      filterKey: `c:${t(70)}`,
      page: 25,
      pages: 50,
      total: 500,
      rows: Array.from({ length: 10 }, (_, i) => ({
        id: 99_000 + i,
        content: t(2000, i),
        ownerName: name(i),
        dueDate: '2026-12-31',
        statusLabel: '进行中',
        overdue: true,
      })),
      // Every status counted (a chart of 8 slices), the scope a long name.
      scope: `${t(50)}本年度的任务`,
      counts: taskStatusCounts(
        TASK_STATUSES.flatMap((status) => [
          { status, due_date: '2026-01-31', n: 99_999 },
          { status, due_date: '2026-12-31', n: 99_999 },
        ]),
        '2026-12-02',
      ),
    }),
  ]);
  cards.push([
    'task new',
    buildTaskNewCard({
      orgId: 9_999,
      memberOpenIds: members,
      categories: Array.from({ length: 12 }, (_, i) => t(20, i)),
      error: t(200),
      content: t(1000),
    }),
  ]);
  cards.push([
    'board, 500 owners',
    buildBoardCard({
      orgName: t(100),
      asOf: AT,
      owners: Array.from({ length: 500 }, (_, i) => ({
        name: name(i),
        notStarted: 99,
        inProgress: 99,
        blocked: i % 5,
        review: 99,
        accepted: 999,
        done: 999,
        overdue: i % 7,
        away: i % 9 === 0,
      })),
    }),
  ]);
  for (const n of [20, 60, 500])
    cards.push([
      `checklist, ${n} open tasks`,
      buildChecklistCard({
        orgId: 9_999,
        month: '2026-12',
        name: name(1),
        tasks: Array.from({ length: n }, (_, i) => ({
          id: 99_000 + i,
          content: t(2000, i),
          dueDate: '2026-12-31',
          statusLabel: '未开始',
          overdue: i % 2 === 0,
        })),
      }),
    ]);
  cards.push(['quarterly ask', buildQuarterlyAskCard({ orgId: 9_999, quarter: '2026Q4', end: '2026-12-31' })]);
  cards.push([
    'quarterly ask, a leader owning 200 items',
    buildQuarterlyAskCard({
      orgId: 9_999,
      quarter: '2026Q4',
      end: '2026-12-31',
      leader: true,
      items: Array.from({ length: 200 }, (_, i) => t(500, i)),
    }),
  ]);
  cards.push([
    'quarterly submitted',
    buildQuarterlyAskCard({ orgId: 9_999, quarter: '2026Q4', end: '2026-12-31', submitted: { text: t(3000), at: AT } }),
  ]);
  cards.push([
    'roll-up, 500 owners and items',
    buildRollupCard({
      orgName: t(100),
      quarter: '2026Q4',
      owners: Array.from({ length: 500 }, (_, i) => ({
        name: name(i),
        accepted: 999,
        done: 999,
        review: 999,
        inProgress: 999,
        notStarted: 999,
        blocked: 999,
        overdue: i % 4,
        missed: i % 3,
        reported: i % 2 === 0,
        away: false,
      })),
      items: Array.from({ length: 500 }, (_, i) => ({
        seq: i + 1,
        content: t(2000, i),
        accepted: 999,
        done: 999,
        review: 999,
        inProgress: 999,
        notStarted: 999,
        blocked: 999,
        overdue: i % 4,
        missed: i % 3,
      })),
    }),
  ]);
  // 下发 (issue 15 item 4): 200 lower orgs; test/unit/duty-issue-rules.test.ts checks the rows shown.
  const lowerOrgs = Array.from({ length: 200 }, (_, i) => t(50, i));
  const issued = { orgId: 9_999, itemId: 9_999, seq: 999, content: t(2000), due: '每季度最后一个月28日前' };
  const notice = {
    fromName: t(50),
    seq: 999,
    content: t(2000),
    category: t(20),
    cadenceLabel: '每季度',
    due: '2026-12-20',
  };
  cards.push(['issue notice', buildIssueNoticeCard({ ...notice, evidence: t(200), owners: [] })]);
  cards.push(['issue notice, owners', buildIssueNoticeCard({ ...notice, evidence: t(200), owners: lowerOrgs })]);
  cards.push([
    'issue answer',
    buildIssueResultCard({ ...issued, created: lowerOrgs, already: lowerOrgs, unsent: lowerOrgs }),
  ]);
  cards.push([
    'issue status, 200 lower orgs',
    buildIssueStatusCard({
      ...issued,
      asOf: AT,
      rows: lowerOrgs.map((org, i) => ({
        org,
        owners: Array.from({ length: 30 }, (_, j) => name(j)),
        status: '已完成（已验收）',
        finished: i % 2 === 0,
        evidence: `3 份：${t(120, i)}`,
        updated: AT,
      })),
    }),
  ]);
  cards.push([
    'duty list, 500 items',
    buildDutyListCard({
      title: t(100),
      items: Array.from({ length: 500 }, (_, i) => ({
        seq: i + 1,
        category: t(20, i),
        content: t(2000, i),
        leader: t(50, i),
        owners: Array.from({ length: 20 }, (_, j) => name(j)),
        cadence: '每季度',
      })),
    }),
  ]);

  for (const category of ['meeting', 'study'] as const)
    for (const n of [80, 500])
      for (const mode of ['view', 'leave', 'minutes', 'reflection', 'correct'] as SessionCardMode[])
        for (const phase of mode === 'view'
          ? (['before', 'open', 'started', 'closed'] as const)
          : (['closed'] as const))
          cards.push([
            `${category} of ${n}, ${mode}${mode === 'view' ? ` (${phase})` : ''}`,
            buildSessionCard({ ...sessionView(category, n, t), phase }, mode),
          ]);
  for (const category of ['meeting', 'study'] as const)
    cards.push([
      `${category} new`,
      buildSessionNewCard({
        orgId: 9_999,
        category,
        kinds: Array.from({ length: 10 }, (_, i) => ({ value: `k${i}`, text: t(20, i) })),
        initialKind: 'k0',
        memberOpenIds: members,
        agenda: t(2000),
        error: t(200),
      }),
    ]);
  for (const noticeIn of ['group', 'attendees'] as const)
    cards.push([
      `session published, ${noticeIn}`,
      buildSessionPublishedCard({
        id: 99_999,
        kindLabel: t(10),
        heading: t(120),
        when: '2026-12-10 15:00',
        place: t(200),
        host: t(20),
        recorder: t(20),
        noticeIn,
      }),
    ]);
  cards.push([
    'session list, 500',
    buildSessionListCard({
      orgId: 9_999,
      title: t(100),
      more: '/会议 导出 2026',
      rows: Array.from({ length: 500 }, (_, i) => ({
        id: 99_000 + i,
        kind: '支部委员会',
        title: t(100, i),
        heading: t(120, i),
        when: '2026-12-10 15:00',
        status: '已召开（有纪要）',
      })),
    }),
  ]);
  cards.push([
    'calendar',
    buildCalendarCard({
      orgName: t(100),
      minutesDays: 5,
      rules: Array.from({ length: 20 }, (_, i) => ({
        key: `r${i}`,
        name: t(30, i),
        frequency: '每半年至少一次',
        window: '1月至3月、7月至9月',
        period: '第四季度',
        state: '已召开 99 · 纪要待补 99 · 已安排 99 · 未召开 99',
        lastMet: '2026-07-15（补录）',
        nextDue: '2027-03-31',
        source: t(120, i),
        enabled: i % 2 === 0,
        fixedDay: 15,
      })),
    }),
  ]);
  for (const few of [true, false])
    cards.push([
      `backfill form, ${few ? '5' : '1000'} members`,
      buildBackfillCard({
        orgId: 9_999,
        kinds: Array.from({ length: 8 }, (_, i) => ({ value: `k${i}`, text: t(10, i) })),
        initialKind: 'k1',
        memberOpenIds: few ? members.slice(0, 5) : members,
        error: t(200),
      }),
    ]);
  cards.push([
    'backfill stored, 500 people',
    buildBackfillDoneCard({
      id: 99_999,
      heading: t(100),
      when: '2026-12-10 15:00',
      place: t(200),
      state: t(80),
      kind: 'general',
      // 300 present, 100 on leave, 100 absent; a fifth of them 列席 and a fifth 不计应到 with long reasons.
      people: Array.from({ length: 500 }, (_, i) => ({
        name: name(i),
        status: i < 300 ? 'signed' : i < 400 ? 'leave' : 'absent',
        seat: i % 5 === 1 ? 'probationary' : i % 5 === 2 ? 'observer' : i % 5 === 3 ? 'exempt' : null,
        exemptReason: i % 5 === 3 ? t(200, i) : null,
      })),
    }),
  ]);
  cards.push([
    'study report, 500 members',
    buildStudyReportCard({
      orgName: t(100),
      half: '2026H2',
      sessions: 99,
      notHeld: Array.from({ length: 20 }, (_, i) => ({ date: '2026-12-10', title: t(100, i) })),
      inProgress: 9,
      totals: {
        expected: 99_999,
        signed: 99_999,
        leave: 9_999,
        absent: 9_999,
        rate: 100,
        reflections: { submitted: 99_999, expected: 99_999 },
        makeup: 9_999,
      },
      members: Array.from({ length: 500 }, (_, i) => ({
        name: name(i),
        expected: 99,
        signed: 99,
        leave: 9,
        absent: 9,
        reflections: 99,
        makeup: 9,
      })),
      // Every member missed, owes and made up sessions, each on 99 dates.
      ...Object.fromEntries(
        (['absent', 'owing', 'makeup'] as const).map((k) => [
          k,
          Array.from({ length: 500 }, (_, i) => ({
            name: name(i),
            dates: Array.from({ length: 99 }, (_x, j) => ({ date: '2026-12-10', made: j % 2 === 0 })),
          })),
        ]),
      ),
    } as Parameters<typeof buildStudyReportCard>[0]),
  ]);
  const makeupView = {
    id: 99_999,
    orgId: 9_999,
    heading: t(120),
    startText: '2026-12-10 15:00',
    organiserName: name(1),
    missed: '请假',
    agenda: t(2000),
    minutes: t(5000),
    links: Array.from({ length: 50 }, (_, i) => ({ name: t(120, i), url: `https://example.com/${t(480, i)}` })),
    files: Array.from({ length: 50 }, (_, i) => t(120, i)),
  };
  for (const mode of ['form', 'done'] as const)
    cards.push([
      `makeup ${mode}`,
      buildMakeupCard(
        { ...makeupView, ...(mode === 'done' ? { done: { at: '2026-12-12 10:00', length: 5000 } } : {}) },
        mode,
      ),
    ]);
  cards.push([
    'makeup list, 500 sessions',
    buildMakeupListCard({
      orgId: 9_999,
      rows: Array.from({ length: 500 }, (_, i) => ({
        id: 99_000 + i,
        heading: t(120, i),
        when: '2026-12-10 15:00',
        missed: '缺席',
      })),
    }),
  ]);

  for (const status of ['in_progress', 'review', 'closed'])
    for (const mode of ['view', 'progress', 'close', 'extend'] as ItemCardMode[])
      cards.push([`rectification ${status} ${mode}`, buildRectItemCard(rectView(status, t), mode)]);
  for (const mode of ['view', 'return'] as ReviewCardMode[])
    cards.push([`review ${mode}`, buildRectReviewCard(rectView('review', t), mode)]);
  cards.push([
    'rectification list',
    buildRectListCard({
      orgId: 9_999,
      title: t(60),
      filterKey: `b:${t(70)}`,
      page: 25,
      pages: 50,
      total: 500,
      items: Array.from({ length: 10 }, (_, i) => ({
        id: 99_000 + i,
        problem: t(2000, i),
        ownerName: name(i),
        deadline: '2026-12-31',
        deadlineText: '已逾期 300 天',
        statusLabel: '整改中',
        dueTone: 'overdue' as const,
        late: true,
      })),
      scope: t(50),
      counts: rectStatusCounts(
        RECT_STATUSES.flatMap((status) => [
          { status, n: 99_999, late: false },
          { status, n: 99_999, late: status !== 'closed' },
        ]),
      ),
    }),
  ]);
  cards.push([
    'rectification new',
    buildRectNewCard({
      orgId: 9_999,
      batches: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: t(100, i) })),
      memberOpenIds: members,
      sources: ['巡察', '审计', '自查', '上级督查'],
      error: t(200),
    }),
  ]);
  for (const status of ['pending', 'approved'] as const)
    cards.push([
      `extension ${status}`,
      buildExtensionCard({
        requestId: 99_999,
        orgId: 9_999,
        itemId: 99_999,
        problem: t(2000),
        ownerName: name(1),
        requester: name(2),
        oldDeadline: '2026-12-31',
        newDeadline: '2027-06-30',
        reason: t(500),
        status,
        decidedBy: name(3),
      }),
    ]);
  cards.push([
    'batch',
    buildBatchCard({
      name: t(100),
      source: '巡察',
      feedbackDate: '2026-10-10',
      milestones: Array.from({ length: 8 }, (_, i) => ({
        n: i + 1,
        title: t(60, i),
        due: '2026-12-10',
        done: i % 2 === 0,
        note: t(100, i),
        tone: i % 2 === 0 ? ('met' as const) : ('overdue' as const),
      })),
      counts: rectStatusCounts(
        RECT_STATUSES.flatMap((status) => [
          { status, n: 999, late: false },
          { status, n: 99, late: status !== 'closed' },
        ]),
      ),
    }),
  ]);

  const me = {
    name: name(1),
    memberships: Array.from({ length: 30 }, (_, i) => ({
      orgName: t(100, i),
      role: 'secretary' as const,
      awayUntil: '2027-01-31',
    })),
    open: Array.from({ length: 500 }, (_, i) => ({
      kind: i % 2 ? '整改' : '任务',
      id: 99_000 + i,
      title: t(2000, i),
      deadline: '2026-12-31',
      status: '整改中',
      overdue: true,
    })),
  };
  cards.push(['me', buildMeCard(me)]);
  // Help: 10 areas of 12 commands, each with a long summary and example (more than there are).
  const areas = Array.from({ length: 10 }, (_, a) => ({
    title: t(20, a),
    commands: Array.from({ length: 12 }, (_, i) => ({
      name: `command${a} sub${i}`,
      spelled: t(10, i),
      summary: t(100, i),
      example: t(200, i),
      only: i % 2 ? ('group' as const) : undefined,
    })),
  }));
  const quick = [
    { key: 'newMeeting' as const, label: t(20), command: t(40) },
    { key: 'overdue' as const, label: t(20, 1), command: t(40, 1) },
    { key: 'calendar' as const, label: t(20, 2), command: t(40, 2) },
  ];
  const help = { orgName: t(100), orgId: 9_999, chatType: 'group' as const, quick, areas, drawnFor: 'none' as const };
  cards.push(['help', buildHelpCard(help)]);
  cards.push(['help with my panel', buildHelpCard({ ...help, panel: { title: '我的', elements: meElements(me) } })]);
  cards.push(['all commands', buildFullHelpCard({ orgName: t(100), orgId: 9_999, areas })]);
  cards.push(['welcome', buildWelcomeCard({ orgName: t(100) })]);

  // A file sent to the bot: the import preview and its outcome, and the evidence form.
  const fileName = `${t(251)}.xlsx`;
  cards.push([
    'import preview',
    buildPreviewCard({
      importId: 99_999,
      orgId: 9_999,
      label: '整改台账',
      fileName,
      plan: {
        rows: Array.from({ length: 5000 }, () => ({})),
        problems: Array.from({ length: 500 }, (_, i) => ({ line: 5000 + i, reason: t(500, i) })),
        counts: { created: 2500, updated: 2000, unchanged: 500 },
        sample: Array.from({ length: 50 }, (_, i) => t(2000, i)),
      },
    }),
  ]);
  cards.push(['import cancelled', buildImportCancelledCard({ label: '整改台账', fileName })]);
  cards.push(['import done', buildImportDoneCard({ label: '整改台账', fileName, summary: t(2000) })]);
  cards.push([
    'attach a file',
    buildAttachCard({
      orgId: 9_999,
      messageId: `om_${'f'.repeat(32)}`,
      fileKey: `file_v3_${'e'.repeat(60)}`,
      fileName,
      options: Array.from({ length: 200 }, (_, i) => ({ text: t(200, i), value: `r:${99_000 + i}` })),
    }),
  ]);

  // Notices.
  cards.push(['unreachable chat', buildUnreachableCard({ target: 'chat', name: t(200), reason: t(200) })]);
  cards.push(['unreachable member', buildUnreachableCard({ target: 'member', name: t(200), reason: t(200) })]);
  cards.push([
    'urgent refused',
    buildUrgentRefusedCard({ names: Array.from({ length: 500 }, (_, i) => name(i)), kind: '电话加急' }),
  ]);
  cards.push(['dead letters', buildDeadLettersCard(1_000_000)]);
  cards.push(['holiday table missing', buildHolidayTableMissingCard(2027)]);
  cards.push(['holiday table missing, for officials', buildHolidayTableMissingCard(2027, 'official')]);
  cards.push([
    'holiday reminder, estimated dates',
    buildHolidayReminderCard({
      template: t(1000),
      holiday: '春节',
      start: '2027-02-05',
      end: '2027-02-11',
      estimated: true,
    }),
  ]);
  cards.push([
    '清明节 reminder',
    buildHolidayReminderCard({ template: t(1000), holiday: '清明节', start: '2027-04-05', end: '2027-04-05' }),
  ]);
  cards.push([
    'holiday reminder',
    buildHolidayReminderCard({
      template: `${t(500)}${'{节日}'.repeat(125)}`,
      holiday: '中秋节、国庆节',
      start: '2027-09-25',
      end: '2027-10-07',
    }),
  ]);
  cards.push(['theme day', buildThemeDayCard({ today: '2026-12-01', source: t(500), fixedDay: 28 })]);
  cards.push([
    'bound',
    buildBoundCard({ orgName: t(50), created: true, secretaries: [openId(1), openId(2)], memberCount: 5000 }),
  ]);
  cards.push([
    'member left',
    buildMemberLeftCard({
      name: t(200),
      openId: openId(1),
      role: '纪检委员',
      via: 'event',
      rectifications: Array.from({ length: 500 }, (_, i) => ({
        id: 99_000 + i,
        problem: t(2000, i),
        status: '整改中',
        deadline: '2026-12-31',
      })),
      tasks: Array.from({ length: 500 }, (_, i) => ({
        id: 99_000 + i,
        content: t(2000, i),
        status: '进行中',
        due: '2026-12-31',
      })),
    }),
  ]);
  const overdue = Array.from({ length: 500 }, (_, i) => ({
    id: 99_000 + i,
    problem: t(2000, i),
    deadline: '2026-10-31',
    ownerOpenId: openId(i % 100),
    ownerName: name(i % 100),
    daysOver: 300,
    awayUntil: '2027-01-31',
  }));
  cards.push(['overdue digest', buildOverdueDigestCard(overdue)]);
  cards.push(['overdue of members on leave', buildAwayOverdueCard(overdue)]);
  // The year's report summary: every rule of a 12-rule calendar missing all twelve months, the org's
  // name at its longest, every holiday reminded.
  cards.push([
    'year report summary',
    buildReportCard({
      orgName: t(100),
      year: 2026,
      today: '2026-12-31',
      title: t(100),
      rules: Array.from({ length: 12 }, (_, i) => ({
        label: t(20, i),
        verb: '召开',
        required: 12,
        held: 0,
        missed: Array.from({ length: 12 }, (_, m) => `${m + 1}月`),
      })),
      notHeld: 99_999,
      scheduled: 99_999,
      minutesPending: 99_999,
      study: { sessions: 99_999, notHeld: 99_999, invited: 9_999_999, present: 9_999_999, rate: 100 },
      tasks: {
        total: 99_999,
        accepted: 99_999,
        done: 99_999,
        unaccepted: 99_999,
        submitted: 99_999,
        open: 99_999,
        overdue: 99_999,
        missed: 99_999,
      },
      rects: {
        opened: 99_999,
        closed: 99_999,
        closedLate: 99_999,
        closedNoEvidence: 99_999,
        open: 99_999,
        overdue: 99_999,
        lateMarked: 99_999,
      },
      reminders: Array.from({ length: 12 }, (_, i) => t(20, i)),
      undelivered: {
        queued: Array.from({ length: 12 }, (_, i) => t(20, i)),
        failed: Array.from({ length: 12 }, (_, i) => t(20, i)),
        notPosted: Array.from({ length: 12 }, (_, i) => t(20, i)),
      },
    }),
  ]);
  // The conversation: a greeting with the three quick buttons, a confirmation with the longest lines,
  // 20 items to pick from and a reason, the card once done, and a long sentence not understood.
  const talkQuick = [
    { key: 'myRectify' as const, label: t(10), command: `/${t(20)}` },
    { key: 'myTasks' as const, label: t(10, 1), command: `/${t(20, 1)}` },
    { key: 'sessions' as const, label: t(10, 2), command: `/${t(20, 2)}` },
  ];
  for (const kind of ['greeting', 'thanks', 'emoji'] as const)
    cards.push([
      `greeting ${kind}`,
      buildGreetingCard({ kind, name: name(1), orgName: t(100), orgId: 9_999, quick: talkQuick }),
    ]);
  cards.push([
    'natural request confirmation',
    buildConfirmCard({
      orgId: 9_999,
      title: t(60),
      lines: Array.from({ length: 8 }, (_, i) => ({ label: t(10, i), value: t(200, i) })),
      command: `/${t(100)}`,
      words: Array.from({ length: 6 }, (_, i) => t(10, i)),
      asker: openId(1),
      asked: `om_${'f'.repeat(32)}`,
      summary: t(100),
      reason: { label: t(20), placeholder: t(50), initial: t(500) },
      pick: {
        placeholder: t(50),
        options: Array.from({ length: 20 }, (_, i) => ({ text: t(60, i), value: String(99_000 + i) })),
      },
    }),
  ]);
  for (const state of ['confirmed', 'cancelled'] as const)
    cards.push([`natural request ${state}`, buildIntentDoneCard({ state, summary: t(200) })]);
  cards.push([
    'natural request not understood',
    buildNotUnderstoodCard({
      said: t(2000),
      near: `${t(10)} ${t(10, 1)}`,
      examples: Array.from({ length: 5 }, (_, i) => t(40, i)),
      orgId: 9_999,
      quick: talkQuick,
    }),
  ]);
  // A page of the members register: 50 members with every text at its longest, 20 党小组.
  const groups = Array.from({ length: 20 }, (_, i) => ({ name: t(20, i), size: 15, leader: t(50, i) }));
  const counts = { full: 200, probationary: 100, committee: 7, groups, exempt: 30 };
  const row = (i: number) => ({
    name: t(50, i),
    category: '预备党员',
    committee: '组织委员',
    group: `${t(20, i)}（组长）`,
    joined: '2001-07-01',
    confirmed: '2002-07-01',
    post: t(30, i),
    exempt: t(50, i),
  });
  const rows = Array.from({ length: 50 }, (_, i) => row(i));
  cards.push([
    'register',
    buildRegisterCard({ orgId: 9_999, orgName: t(100), counts, rows, page: 3, pages: 6, total: 300 }),
  ]);
  // Talk coverage (issue 16): 20 支委 (15 shown), each owing 300 people, every name at its longest.
  const owed = (n: number) => Array.from({ length: n }, (_, i) => t(50, i));
  cards.push([
    'talk coverage',
    buildTalkCoverageCard({
      orgName: t(100),
      year: 2026,
      due: 99_999,
      done: 12_345,
      rate: '12.3%',
      rows: Array.from({ length: 20 }, (_, i) => ({ name: t(50, i), title: '组织委员', due: 300, missing: owed(300) })),
      matrix: '书记全员 开；支委互谈 开；支委联系小组 开',
    }),
  ]);
  cards.push([
    'own talk coverage',
    buildOwnTalkCoverageCard({ orgName: t(100), year: 2026, name: t(50), due: 300, missing: owed(300), lead: t(200) }),
  ]);
  // The 组织生活会 pipeline (issue 16 item 3): every stage overdue, 300 problems with the longest texts,
  // 300 members who have not handed in (the admin's copy), and the 情况报告 of the same.
  const lifeStages = (
    ['study', 'opinions', 'talks', 'materials', 'meeting', 'problems', 'appraisal', 'report'] as const
  ).map((stage) => ({ stage, due: '2027-01-15', state: 'overdue' as const, doneOn: null }));
  const lifeProblems = Array.from({ length: 300 }, (_, i) => ({
    id: 999_999 - i,
    problem: t(2000, i),
    owner: t(50, i),
    deadline: '2027-03-31',
    status: '整改中',
  }));
  const lifeView = {
    orgName: t(100),
    year: 2026,
    kind: 'democratic_life' as const,
    stages: lifeStages,
    next: 'study' as const,
    materials: { handed: 0, required: 300 },
    problems: lifeProblems,
    meetingOn: '2027-01-15',
    reported: false,
  };
  cards.push(['life pipeline', buildPipelineCard(lifeView)]);
  cards.push(['life pipeline (admin)', buildPipelineCard({ ...lifeView, missing: owed(300) })]);
  cards.push([
    'life report',
    buildLifeReportCard({
      ...lifeView,
      attendance: { present: 300, invited: 300 },
      opinions: 99_999,
      appraisal: { voted: 300, done: true },
    }),
  ]);
  // 征求意见 and 民主评议党员 (issue 16 item 3): the list of opinions at their longest (only the newest
  // are shown), a ballot and the tally for a 支部 of 60 and of 300 members.
  const opinionRows = Array.from({ length: 500 }, (_, i) => ({
    author: i % 2 ? null : t(50, i),
    text: t(1000, i),
    onText: '2026年12月31日',
  }));
  cards.push([
    'life opinions ask',
    buildOpinionsAskCard({ orgId: 9_999, orgName: t(100), pipelineId: 999_999, year: 2026 }),
  ]);
  cards.push(['life opinion form', buildOpinionFormCard({ orgId: 9_999, orgName: t(100), pipelineId: 999_999 })]);
  cards.push(['life opinion done', buildOpinionDoneCard(true)]);
  cards.push(['life opinions', buildOpinionListCard({ orgName: t(100), year: 2026, opinions: opinionRows })]);
  for (const n of [60, 300]) {
    const subjects = Array.from({ length: n - 1 }, (_, i) => openId(i));
    const ballot = { orgId: 9_999, orgName: t(100), pipelineId: 999_999, year: 2026, subjectOpenIds: subjects };
    cards.push([`life ballot of ${n}`, buildBallotFormCard(ballot)]);
    const counts = { excellent: 99_999, qualified: 99_999, basic: 99_999, unqualified: 99_999 };
    const rows = Array.from({ length: n }, (_, i) => ({ openId: openId(i), name: t(50, i), counts }));
    const result = { orgName: t(100), year: 2026, voted: n, voters: n, open: false, rows };
    for (const [i, c] of buildBallotResultCards(result).entries())
      cards.push([`life ballot result of ${n} (${i + 1})`, c]);
  }
  cards.push(['life ballot done', buildBallotDoneCard(2026)]);
  // The talk register (issue 16): the form offering 100 members, a talk of 20 parties with the longest
  // names, place and notes (as the recorder and as a party asked to confirm), a list of its 60 rows.
  const talkParties = Array.from({ length: 20 }, (_, i) => ({
    name: t(50, i),
    confirmedText: i % 2 ? '12月1日' : undefined,
  }));
  const talkView = {
    id: 999_999,
    orgId: 9_999,
    kindLabel: '任前廉政谈话',
    heldText: '2026年12月31日',
    place: t(100),
    recorderName: t(50),
    parties: talkParties,
    confirmation: '待确认（10/20）',
    allConfirmed: false,
    withdrawn: false,
    notes: t(1000),
    heldOn: '2026-12-31',
    kind: 'pre_appointment' as const,
    mayConfirm: true,
  };
  cards.push([
    'talk form',
    buildTalkFormCard({
      orgId: 9_999,
      orgName: t(100),
      memberOpenIds: Array.from({ length: 100 }, (_, i) => openId(i)),
      kinds: ['谈心谈话', '廉政谈话', '任前廉政谈话', '提醒谈话', '节前廉政谈话'].map((text, i) => ({
        value: String(i),
        text,
      })),
      initialKind: '0',
      today: '2026-12-31',
    }),
  ]);
  cards.push(['talk with notes, to confirm', buildTalkCard(talkView)]);
  cards.push(['talk withdrawn', buildTalkCard({ ...talkView, withdrawn: true, notes: undefined, mayConfirm: false })]);
  cards.push([
    'talk list',
    buildTalkListCard({
      title: t(100),
      scope: '本组织全部谈话',
      total: 99_999,
      counts: { confirmed: 99_999, pending: 99_999, withdrawn: 99_999 },
      exportHint: true,
      rows: Array.from({ length: 60 }, (_, i) => ({
        id: 999_999 - i,
        date: '2026年12月31日',
        kindLabel: '任前廉政谈话',
        recorderName: t(50, i),
        partyNames: talkParties.map((p) => p.name).join('、'),
        state: '待确认（10/20）',
      })),
    }),
  ]);
  return cards;
}

describe.each([
  ['Chinese', zh],
  ['hostile', hostile],
])('every card within the rules at its largest data, texts %s', (_kind, text) => {
  const cards = allCards(text);

  it('covers every card builder', () => {
    // Every exported build… function of every card module is rendered above.
    const builders = Object.entries(cardModules).flatMap(([file, m]) =>
      Object.keys(m)
        .filter((k) => /^build[A-Z]/.test(k))
        .map((k) => [file, k] as const),
    );
    expect(builders.length).toBeGreaterThan(30);
    const own = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const missing = builders.filter(([, k]) => !own.includes(`${k}(`)).map(([f, k]) => `${f}: ${k}`);
    expect(missing).toEqual([]);
    expect(cards.length).toBeGreaterThan(70);
  });

  for (const [label, card] of cards) {
    it(label, () => expectWithinRules(label, card));
  }

  it('the checker above catches each broken shape (so a pass means something)', () => {
    const base = buildTaskCard(taskView('in_progress'), 'progress');
    const f = base.body.elements.find((e) => e.tag === 'form') as Obj;
    const broken = structuredClone(base);
    const bf = broken.body.elements.find((e) => e.tag === 'form') as Obj;
    (bf.elements as Obj[]).push({ tag: 'button', text: { tag: 'plain_text', content: '取消' } });
    expect(ruleProblems(broken).join()).toMatch(/no name/);
    const input = (f.elements as Obj[]).find((e) => e.tag === 'input') as Obj;
    expect(input.max_length).toBeLessThanOrEqual(INPUT_MAX_LENGTH);
    const long = structuredClone(base);
    const longForm = long.body.elements.find((e) => e.tag === 'form') as Obj;
    const longInput = (longForm.elements as Obj[]).find((e) => e.tag === 'input') as Obj;
    longInput.max_length = 3000;
    expect(ruleProblems(long).join()).toMatch(/max_length 3000/);
    const many = structuredClone(base);
    many.body.elements.push(...Array.from({ length: 200 }, () => ({ tag: 'hr' })));
    expect(ruleProblems(many).join()).toMatch(/tagged objects/);
    const table = { tag: 'table', page_size: 20, columns: [], rows: [] };
    const tables = structuredClone(base);
    tables.body.elements.push(...Array.from({ length: 6 }, () => ({ ...table, page_size: 10 })), table);
    expect(ruleProblems(tables).join()).toMatch(/page_size 20.*7 tables > 5/);
  });
});

describe('what the caps leave out is one command away', () => {
  const text = (c: Card) => JSON.stringify(c);

  it('an item card shows the latest 10 of 200 history entries and points to /整改 记录 and /任务 记录', () => {
    const r = text(buildRectItemCard(rectView('in_progress')));
    expect(r).toContain('共 200 条，这里显示最近 10 条；完整记录请发送 /整改 记录 99999。');
    const t = text(buildTaskCard(taskView('in_progress')));
    expect(t).toContain('共 200 条，这里显示最近 10 条；完整记录请发送 /任务 记录 99999。');
  });

  it('the 月月提 checklist of an owner with 60 open tasks shows the overdue first and sends the rest to /任务', () => {
    const c = buildChecklistCard({
      orgId: 1,
      month: '2026-12',
      name: '张三',
      tasks: Array.from({ length: 60 }, (_, i) => ({
        id: i + 1,
        content: `任务${i + 1}`,
        dueDate: '2026-12-31',
        statusLabel: '未开始',
        overdue: i >= 50,
      })),
    });
    const s = text(c);
    expect(s).toContain('（60 项）');
    expect(s).toContain('其余 45 项请发送 /任务 列表 我的 查看（可翻页）。');
    for (let i = 51; i <= 60; i++) expect(s).toContain(`**#${i}**`);
  });

  it('a small checklist has no such line', () => {
    const c = buildChecklistCard({
      orgId: 1,
      month: '2026-12',
      name: '张三',
      tasks: [{ id: 1, content: '任务', dueDate: '2026-12-31', statusLabel: '未开始', overdue: false }],
    });
    expect(text(c)).not.toContain('其余');
  });

  it('取消 stays a callback button, after its form', () => {
    const c = buildSessionCard(sessionView('meeting', 5), 'minutes');
    const i = c.body.elements.findIndex((e) => e.tag === 'form');
    const next = c.body.elements[i + 1] as Obj;
    expect(next.tag).toBe('button');
    expect(next.behaviors).toEqual([
      { type: 'callback', value: { v: 1, a: 'meeting.form', form: 'view', id: 99_999, o: 9_999 } },
    ]);
  });

  it('form names never equal a field name, whatever the item id (meeting 2 has a field minutes_2)', () => {
    for (const id of [1, 2, 3, 4, 5])
      for (const mode of ['minutes', 'reflection', 'leave'] as const) {
        const c = buildSessionCard({ ...sessionView(mode === 'reflection' ? 'study' : 'meeting', 5), id }, mode);
        const names: string[] = [];
        walk(c.body.elements as Obj[], (el) => {
          if (typeof el.name === 'string') names.push(el.name);
        });
        expect(new Set(names).size, `${mode} of session ${id}: ${names.join(', ')}`).toBe(names.length);
        expect(checkCard(JSON.stringify(c))).toBeUndefined();
      }
  });

  it('long pickers offer the chat instead of listing 1,000 people; optional multi-pickers are not required', () => {
    const c = buildSessionNewCard({
      orgId: 1,
      category: 'meeting',
      kinds: [{ value: 'general', text: '支部党员大会' }],
      initialKind: 'general',
      memberOpenIds: members,
      agenda: '',
    });
    const picker = tagged(c).find((e) => e.tag === 'multi_select_person') as Obj;
    expect(picker.options).toEqual([]);
    expect(picker.required).toBe(false);
    const few = buildTaskNewCard({ orgId: 1, memberOpenIds: members.slice(0, 3), categories: ['其他'] });
    const owners = tagged(few).find((e) => e.tag === 'multi_select_person') as Obj;
    expect(owners.options).toHaveLength(3);
    expect(owners.required).toBe(true);
  });
});

describe('long texts in several inputs', () => {
  const inputsOf = (c: Card, prefix: string) =>
    tagged(c).filter(
      (e) => e.tag === 'input' && typeof e.name === 'string' && new RegExp(`^${prefix}(_\\d)?$`).test(e.name),
    );

  it('minutes come in 3 parts, 心得 in 5, a report in 3, an agenda in 2, each ≤ 1000 characters', () => {
    const minutes = inputsOf(buildSessionCard(sessionView('meeting', 5), 'minutes'), 'minutes');
    expect(minutes.map((e) => e.name)).toEqual(['minutes', 'minutes_2', 'minutes_3']);
    expect(MINUTES_PARTS).toBe(3);
    const refl = inputsOf(buildSessionCard(sessionView('study', 5), 'reflection'), 'text');
    expect(refl).toHaveLength(REFLECTION_PARTS);
    expect(REFLECTION_PARTS * INPUT_MAX_LENGTH).toBeGreaterThanOrEqual(5000);
    const report = inputsOf(buildQuarterlyAskCard({ orgId: 1, quarter: '2026Q4', end: '2026-12-31' }), 'text');
    expect(report).toHaveLength(REPORT_PARTS);
    const agenda = inputsOf(
      buildSessionNewCard({
        orgId: 1,
        category: 'meeting',
        kinds: [],
        initialKind: 'special',
        memberOpenIds: [],
        agenda: zh(2000),
      }),
      'agenda',
    );
    expect(agenda).toHaveLength(AGENDA_PARTS);
    for (const e of [...minutes, ...refl, ...report, ...agenda]) expect(e.max_length).toBeLessThanOrEqual(1000);
    expect(minutes.map((e) => e.required ?? false)).toEqual([true, false, false]);
    expect(minutes[0]?.label).toEqual({ tag: 'plain_text', content: '会议纪要（第1部分）' });
  });

  // (At exactly 3 × 1000 characters a cut can only fall at 1000 and 2000, wherever that is in a
  // line; joining then adds a line break there. Below that, cuts fall at line breaks.)
  it('stored minutes of 2900 characters are spread over the parts and join back unchanged', () => {
    const stored = zh(2900);
    const c = buildSessionCard({ ...sessionView('meeting', 5), minutes: stored }, 'minutes');
    const form = Object.fromEntries(inputsOf(c, 'minutes').map((e) => [e.name as string, e.default_value ?? '']));
    expect(readLongText(form, 'minutes', MINUTES_PARTS)).toBe(stored.trim());
  });

  it('splitLongText cuts at line breaks when it can, by length when it must', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `第${i + 1}条：${'落实'.repeat(30)}`).join('\n');
    const parts = splitLongText(lines, 3);
    for (const p of parts) expect(Array.from(p).length).toBeLessThanOrEqual(1000);
    expect(parts.join('\n')).toBe(lines);
    expect(parts.every((p) => !p.startsWith('\n') && !p.endsWith('\n'))).toBe(true);
    const full = ['甲'.repeat(1000), '乙'.repeat(1000), '丙'.repeat(1000)].join('\n'); // three full parts, joined
    expect(splitLongText(full, 3)).toEqual(full.split('\n'));
    const solid = '学'.repeat(2500);
    expect(splitLongText(solid, 3).map((p) => p.length)).toEqual([1000, 1000, 500]);
    expect(splitLongText('', 3)).toEqual([]);
  });

  it('readLongText joins the parts that were filled, and nothing else', () => {
    expect(readLongText({ text: ' 第一段 ', text_2: '', text_3: '第三段', text_9: '不算' }, 'text', 5)).toBe(
      '第一段\n第三段',
    );
    expect(readLongText({}, 'text', 5)).toBe('');
    expect(readLongText({ text: 5, text_2: ['x'] }, 'text', 5)).toBe('');
  });
});
