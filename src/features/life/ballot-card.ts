/**
 * 民主评议党员 (issue 16 item 3): a voter's private ballot, its answer, and the tally for the 支委
 * (the counts only after 结束; while open, how many have voted).
 * The ballot names only those graded 优秀, 基本合格 or 不合格 (member pickers, whose options cost the
 * card no tagged objects, so it fits a 支部 of any size); the rest are 合格. Pure: no I/O, no clock.
 */
import { z } from 'zod';
import { cardAction, formList } from '../../cards/contract.ts';
import { card, form, markdown, note, personPicker, table } from '../../cards/parts.ts';
import type { Card } from '../../core/card.ts';
import { countsLine, GRADE_LABELS, type TallyRow } from './ballot-rules.ts';

/** 提交评议: the ballot of one voter, once. */
export const lifeBallotVote = cardAction('life.ballot-vote', {
  value: { p: z.coerce.number().int().positive() },
  form: { excellent: formList(), basic: formList(), unqualified: formList() },
});

export interface BallotFormView {
  orgId: number;
  orgName: string;
  pipelineId: number;
  year: number;
  /** Every member the voter grades (all but the voter). */
  subjectOpenIds: string[];
}

export function buildBallotFormCard(v: BallotFormView): Card {
  const f = lifeBallotVote.fields;
  const picker = (name: string, grade: string) => [
    markdown(`**${grade}**`),
    personPicker({ name, placeholder: `选择评为“${grade}”的党员（可不选）`, openIds: v.subjectOpenIds, multi: true }),
  ];
  return card({
    title: `${v.year}年度民主评议党员 · 评议票`,
    subtitle: v.orgName,
    template: 'wathet',
    elements: [
      markdown(
        `请对本支部其他 ${v.subjectOpenIds.length} 名党员逐一评议。只需选出评为“优秀”“基本合格”“不合格”的党员，未选的均计为“合格”。`,
      ),
      note(
        '评议不记名：清风只记录您已参加评议，以及每名党员各等次的票数，不记录您对谁评了什么等次。每人只能提交一次。',
      ),
      form('life_ballot', [
        ...picker(f.excellent, GRADE_LABELS.excellent),
        ...picker(f.basic, GRADE_LABELS.basic),
        ...picker(f.unqualified, GRADE_LABELS.unqualified),
        lifeBallotVote.button(
          {
            text: '提交评议',
            type: 'primary',
            submit: { name: 'submit_ballot' },
            confirm: { title: '提交评议', text: '提交后不能修改，确认提交吗？' },
            org: v.orgId,
          },
          { p: v.pipelineId },
        ),
      ]),
    ],
  });
}

/** What the ballot becomes once submitted: never what was chosen. */
export function buildBallotDoneCard(year: number): Card {
  return card({
    title: `${year}年度民主评议党员`,
    template: 'green',
    elements: [markdown('您的评议已提交，谢谢！评议不记名，结果由支部委员会汇总。')],
  });
}

export interface BallotResultView {
  orgName: string;
  year: number;
  voted: number;
  voters: number;
  open: boolean;
  /** Shown only once the ballot is closed. */
  rows: TallyRow[];
}

/** Rows per page of the tally (Feishu shows at most 10 rows of a table per page). */
export const RESULT_PAGE_ROWS = 10;
/** Members per tally card: a card of 90 of the longest names stays under 30 KB; a larger 支部 gets several. */
export const RESULT_CARD_ROWS = 90;

/**
 * The tally per member (counts only), for the 支委: one card per RESULT_CARD_ROWS members. While the
 * ballot is open, one card with how many have voted and no counts (`rows` is not shown).
 */
export function buildBallotResultCards(v: BallotResultView): Card[] {
  if (v.open) {
    return [
      card({
        title: `${v.year}年度民主评议党员 · 汇总`,
        subtitle: v.orgName,
        template: 'blue',
        elements: [
          markdown(`参评 ${v.voted}/${v.voters}（评议进行中）`),
          note('评议结束后，支部委员会成员可查看各等次票数。评议进行中只显示参评人数。'),
        ],
      }),
    ];
  }
  const parts = Math.max(1, Math.ceil(v.rows.length / RESULT_CARD_ROWS));
  return Array.from({ length: parts }, (_, i) =>
    card({
      title: `${v.year}年度民主评议党员 · 汇总`,
      subtitle: parts > 1 ? `${v.orgName}（第 ${i + 1}/${parts} 张）` : v.orgName,
      template: 'blue',
      elements: [
        markdown(`参评 ${v.voted}/${v.voters}（评议已结束）`),
        table({
          pageSize: RESULT_PAGE_ROWS,
          columns: [
            { name: 'name', title: '党员' },
            { name: 'counts', title: '得票' },
          ],
          rows: v.rows
            .slice(i * RESULT_CARD_ROWS, (i + 1) * RESULT_CARD_ROWS)
            .map((r) => ({ name: r.name, counts: countsLine(r.counts) })),
        }),
        note('仅支部委员会成员可见。票数只按等次汇总，不记录谁投了什么票。'),
      ],
    }),
  );
}
