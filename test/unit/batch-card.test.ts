// Issue 18 item 12 on the 巡察 batch card: a milestone's note is coloured by where it stands now — the
// late colour (the one the lists, /我的 and the digest use) while overdue, orange on its day, green once
// done, ordinary text while time is left — never grey.
import { describe, expect, it } from 'vitest';
import { LATE_COLOUR } from '../../src/cards/tracked-item.ts';
import { buildBatchCard } from '../../src/features/rectification/batch-card.ts';
import { deadlineText, deadlineTone } from '../../src/features/rectification/model.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { cardText } from '../helpers/cards.ts';

const today = '2027-03-10';
const milestone = (n: number, due: string, done = false) => ({
  n,
  title: `节点${n}`,
  due,
  done,
  note: done ? '已完成' : deadlineText(due, { today }),
  tone: done ? ('met' as const) : deadlineTone(due, { today }),
});

describe('the 巡察 batch card', () => {
  it('shows an overdue milestone in the late colour, today in orange, done in green, the rest as ordinary text', () => {
    const c = buildBatchCard({
      name: '2026年第一轮巡察',
      source: '巡察',
      feedbackDate: '2026-11-20',
      milestones: [
        milestone(1, '2026-12-18', true),
        milestone(2, '2027-03-05'),
        milestone(3, today),
        milestone(4, '2027-05-20'),
      ],
      counts: [],
    });
    const text = cardText(c);
    expect(text).not.toContain("color='grey'>已逾期");
    expect(text).toMatch(new RegExp(`<font color='${LATE_COLOUR}'>已逾期 \\d+ 天</font>`));
    expect(text).toContain("<font color='orange'>今天到期</font>");
    expect(text).toContain("<font color='green'>已完成</font>");
    expect(text).toMatch(/2027-05-20　还剩 \d+ 天/);
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
  });
});
