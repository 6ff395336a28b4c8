/**
 * The cards this change grew, at their largest: the import preview with 5,000 skipped footnote rows
 * and long 时限 notes, and the new-item form drawn again with everything typed (1,000-character texts)
 * and the past-deadline question with 确认创建. Each passes the card checker and names its buttons.
 */
import { describe, expect, it } from 'vitest';
import { buildPreviewCard, PREVIEW_NOTES_SHOWN } from '../../src/cards/import-card.ts';
import { buildRectNewCard } from '../../src/features/rectification/ledger-cards.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { button, cardText } from '../helpers/cards.ts';

const t = (n: number, i = 0) => `长${i}`.padEnd(n, '字');

describe('cards of real ledgers and past deadlines', () => {
  it('the preview lists 5,000 skipped rows by count and shows at most the allowed notes', () => {
    const card = buildPreviewCard({
      importId: 99_999,
      orgId: 9_999,
      label: '整改台账',
      fileName: `${t(251)}.xlsx`,
      plan: {
        rows: Array.from({ length: 5000 }, () => ({})),
        problems: Array.from({ length: 500 }, (_, i) => ({ line: 5000 + i, reason: t(500, i) })),
        counts: { created: 2500, updated: 2000, unchanged: 500 },
        sample: Array.from({ length: 50 }, (_, i) => t(2000, i)),
        skipped: Array.from({ length: 5000 }, (_, i) => ({ line: 3 + i, reason: '注释、说明' })),
        notes: Array.from({ length: 40 }, (_, i) => t(2000, i)),
      },
    });
    const json = JSON.stringify(card);
    expect(checkCard(json)).toBeUndefined();
    expect(json).not.toContain('undefined');
    const text = cardText(card);
    expect(text).toContain('跳过 5000 行（注释、说明）：第3行、第4行');
    expect(text).toContain('第12行 等');
    // Notes are clipped at 300 characters, sample lines at 100: the long lines are the notes shown.
    const notes = text.split('\n').filter((l) => l.startsWith('- 长') && l.length > 150);
    expect(notes).toHaveLength(PREVIEW_NOTES_SHOWN);
  });

  it('the new-item form asking about a past deadline keeps what was typed and offers 确认创建', () => {
    const card = buildRectNewCard({
      orgId: 9_999,
      batches: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: t(100, i) })),
      memberOpenIds: Array.from({ length: 40 }, (_, i) => `ou_${String(i).padStart(32, '0')}`),
      sources: ['巡察', '审计', '自查', '上级督查'],
      values: {
        problem: t(1000),
        measures: t(1000, 1),
        owner: `ou_${'0'.repeat(32)}`,
        leader: t(50),
        deadline: '2026-11-20',
        kind: 'long_term',
        source: '审计',
        batch: '50',
        area: t(50),
      },
      confirmPast: { deadline: '2026-11-20', question: t(300) },
    });
    const json = JSON.stringify(card);
    expect(checkCard(json)).toBeUndefined();
    expect(json).not.toContain('undefined');
    const m = { content: json };
    expect(button(m, '确认创建')).toMatchObject({ name: 'submit_confirm', value: { past: '2026-11-20' } });
    expect(button(m, '按修改后的时限创建').name).toBe('submit_new');
    expect(json).toContain('"initial_date":"2026-11-20"');
    expect(json).toContain('"initial_option":"long_term"');
  });
});
