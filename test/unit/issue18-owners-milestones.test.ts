/**
 * Issue 18 items 5 and 8, the pure parts:
 * - a task card names every owner of its item, joined as the product lists people (the first 30, then
 *   "等 N 人"), and stays within Feishu's limits (30 KB request body, 200 tagged objects) with as many
 *   owners as an org can have — any number, each with the longest name — beside the largest history,
 *   evidence and texts a task can hold;
 * - batch milestones are put on working days by the work calendar, the operator's holiday table
 *   (overrides) included: a 调休 Sunday is a working day and stays, a holiday moves to the working day
 *   before it.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/core/card.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { buildTaskCard, type TaskCardMode, type TaskView } from '../../src/features/duties/task-card.ts';
import { batchMilestones, movedNote, onWorkday } from '../../src/features/rectification/batches.ts';
import { checkCardObject, countElements, requestBodyBytes } from '../../src/sandbox/card-check.ts';
import { cardText } from '../helpers/cards.ts';

const AT = '2026-12-02 10:00';
/** Chinese text of exactly `n` characters. */
const zh = (n: number, seed = 0) =>
  Array.from('整改责任落实到人专题会议研究部署'.repeat(n))
    .slice(seed % 7, (seed % 7) + n)
    .join('');
/** The costliest characters per character in a card: markdown entities and JSON escapes. */
const hostile = (n: number) => Array.from('*&"\\'.repeat(n)).slice(0, n).join('');

/** A task at the largest its feature allows, with `owners` as the item's owners. */
function fullTask(owners: string[]): TaskView {
  return {
    id: 99_999,
    orgId: 9_999,
    version: 999,
    itemId: 9_999,
    content: zh(2000),
    category: '党风廉政建设',
    leader: zh(50),
    cadenceLabel: '每季度',
    period: '2026Q4',
    ownerOpenId: 'ou_owner',
    ownerName: owners[0] ?? '',
    owners,
    dueDate: '2026-12-31',
    dueText: '已逾期 12 个工作日',
    overdue: true,
    status: 'in_progress',
    statusLabel: '进行中',
    percent: 60,
    evidenceRequired: zh(200),
    returned: { by: zh(20), at: AT, reason: zh(500) },
    lastProgress: { at: AT, text: zh(1000) },
    evidence: Array.from({ length: 60 }, (_, i) => ({ kind: 'link', name: zh(120, i) })),
    history: Array.from({ length: 200 }, (_, i) => ({ at: AT, by: zh(20, i), text: zh(1000, i) })),
  };
}

function expectWithinLimits(card: Card): void {
  expect(requestBodyBytes(card)).toBeLessThanOrEqual(30 * 1024);
  expect(countElements(card)).toBeLessThanOrEqual(200);
  expect(checkCardObject(card)).toBeUndefined();
}

/** The 责任人 named on the card's owner line. */
const ownerLine = (card: Card) => /\*\*责任人\*\*：([^　\n]*)/.exec(cardText(card))?.[1] ?? '';

describe('issue 18 item 5: every owner on a task card', () => {
  const view = (owners: string[]): TaskView => ({
    ...fullTask(owners),
    content: '组织党员参加警示教育',
    returned: undefined,
    history: [],
    evidence: [],
    lastProgress: undefined,
  });

  it('names both owners of a two-owner task, its own owner first, and says whose task the card is', () => {
    const card = buildTaskCard(view(['王纪检', '张组织']));
    expect(ownerLine(card)).toBe('王纪检、张组织');
    expect(cardText(card)).toContain('本卡片是王纪检的任务；每位责任人各有一张任务卡片，分别报告进展。');
  });

  it('keeps the plain line for a task with one owner', () => {
    for (const owners of [['赵党员'], []]) {
      const card = buildTaskCard({ ...view(['赵党员']), owners: owners.length ? owners : undefined });
      expect(ownerLine(card)).toBe('赵党员');
      expect(cardText(card)).not.toContain('每位责任人各有一张任务卡片');
    }
  });

  it('lists the first 30 of many owners, then how many there are, and stays within Feishu’s limits', () => {
    for (const name of [(i: number) => `${zh(18, i)}${i}`, (i: number) => `${hostile(40)}${i}`]) {
      const owners = Array.from({ length: 2000 }, (_, i) => name(i));
      for (const mode of ['view', 'progress', 'blocked'] as TaskCardMode[]) {
        const card = buildTaskCard(fullTask(owners), mode);
        expectWithinLimits(card);
        const line = ownerLine(card);
        expect(line.endsWith(' 等 2000 人')).toBe(true);
        expect(line.split('、')).toHaveLength(30);
      }
    }
    // As a PATCH of the shared card, too (its body is the card alone).
    const owners = Array.from({ length: 2000 }, (_, i) => `${hostile(40)}${i}`);
    expect(requestBodyBytes(buildTaskCard(fullTask(owners)), {})).toBeLessThanOrEqual(30 * 1024);
  });
});

describe('issue 18 item 8: batch milestones on working days', () => {
  it('moves the milestones that fall on a weekend to the working day before, and says so', () => {
    const cal = new WorkCalendar();
    expect(batchMilestones('2027-01-18', cal).map((m) => [m.kind, m.due, m.moved?.from])).toEqual([
      ['plan', '2027-02-18', undefined],
      ['report', '2027-03-18', undefined],
      ['assessment', '2027-04-16', '2027-04-18'],
      ['review6', '2027-07-16', '2027-07-18'],
      ['review12', '2028-01-18', undefined],
    ]);
    expect(movedNote('集中整改结束并评估', onWorkday('2027-04-18', cal))).toBe(
      '「集中整改结束并评估」原定 2027-04-18（星期日）为休息日，已提前到前一个工作日 2027-04-16。',
    );
    expect(movedNote('报送整改情况报告', onWorkday('2027-03-18', cal))).toBeUndefined();
  });

  it('follows the operator’s holiday table: a 调休 Sunday stays, a holiday moves before the holiday', () => {
    // An imported 2027 table: 劳动节 1–5 May off, Sunday 25 April a working day in exchange.
    const cal = new WorkCalendar([
      ...['2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-05-05'].map((date) => ({
        date,
        kind: 'holiday' as const,
        name: '劳动节',
      })),
      { date: '2027-04-25', kind: 'workday', name: '劳动节' },
    ]);
    const assessment = (d: string) => batchMilestones(d, cal).find((m) => m.kind === 'assessment');
    // D + 3 months on the 调休 Sunday: a working day, kept.
    expect(assessment('2027-01-25')).toMatchObject({ due: '2027-04-25' });
    expect(assessment('2027-01-25')?.moved).toBeUndefined();
    // D + 3 months on Monday 3 May, a holiday by the table: the Friday before it (30 April).
    expect(assessment('2027-02-03')).toMatchObject({
      due: '2027-04-30',
      moved: { from: '2027-05-03', dayOff: '劳动节' },
    });
    expect(onWorkday('2027-05-05', cal)).toEqual({
      due: '2027-04-30',
      moved: { from: '2027-05-05', dayOff: '劳动节' },
    });
  });
});
