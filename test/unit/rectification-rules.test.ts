// The rectification item's pure transitions (src/features/rectification/rules.ts), table-driven: every
// (status, event, actor) gives the update, the history line and the notices, or the UserError the
// actor sees (code and message). Also the permanent late mark, text clipping, extension requests and
// decisions (who may decide, the late mark kept when the deadline moves), and reopening.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import type { Role } from '../../src/core/roles.ts';
import { RECT_STATUSES, type RectStatus } from '../../src/features/rectification/model.ts';
import {
  attachEvidence,
  createRect,
  decideExtension,
  type ExtensionState,
  lateFlag,
  type RectActor,
  type RectItemState,
  type RectTransition,
  reopenItem,
  reportProgress,
  requestExtension,
  reviewItem,
  submitForClosing,
} from '../../src/features/rectification/rules.ts';

const item = (o: Partial<RectItemState> = {}): RectItemState => ({
  id: 7,
  kind: 'centralized',
  status: 'in_progress',
  deadline: '2026-12-10',
  late: 0,
  owner_open_id: 'ou_owner',
  owner_name: '王五',
  ...o,
});
const actor = (openId: string, role: Role | undefined, name: string | undefined = '某人'): RectActor => ({
  openId,
  name,
  role,
});
const owner = actor('ou_owner', 'member', '王五');
const inspector = actor('ou_insp', 'inspector', '李纪检');
const organizer = actor('ou_org', 'organizer', '赵组织');
const stranger = actor('ou_x', 'member', '路人');
const onTime = { at: '2026-12-01T02:00:00.000Z', today: '2026-12-01' };
const afterDeadline = { at: '2026-12-15T02:00:00.000Z', today: '2026-12-15' };

/** The error a transition throws, as `code: message` (or 'ok'). */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof UserError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('lateFlag and createRect', () => {
  it.each([
    { late: 0, deadline: '2026-12-10', today: '2026-12-10', want: 0 },
    { late: 0, deadline: '2026-12-10', today: '2026-12-11', want: 1 },
    { late: 1, deadline: '2026-12-31', today: '2026-12-01', want: 1 },
  ])('late $late, deadline $deadline, today $today → $want', ({ late, deadline, today, want }) => {
    expect(lateFlag({ late, deadline }, today)).toBe(want);
  });

  it('marks a new item late when it is created past its deadline, and records how it came', () => {
    expect(createRect({ deadline: '2026-11-30', imported: false }, '2026-12-01')).toEqual({
      late: 1,
      history: { kind: 'created' },
    });
    expect(createRect({ deadline: '2026-12-30', imported: true }, '2026-12-01')).toEqual({
      late: 0,
      history: { kind: 'imported' },
    });
  });
});

describe('reportProgress', () => {
  const cases: { status: RectStatus; by?: RectActor; want: string; status2?: RectStatus }[] = [
    { status: 'pending', want: 'ok', status2: 'in_progress' },
    { status: 'in_progress', want: 'ok', status2: 'in_progress' },
    { status: 'returned', want: 'ok', status2: 'in_progress' },
    { status: 'ongoing', want: 'ok', status2: 'ongoing' },
    { status: 'review', want: 'conflict: 事项当前为“待审核”，不能报告进展。' },
    { status: 'closed', want: 'conflict: 事项当前为“已销号”，不能报告进展。' },
    { status: 'pending', by: inspector, want: 'forbidden: 只有责任人（王五）可以报告此事项的进展。' },
  ];
  it.each(cases)('$status by $by.openId → $want', ({ status, by, want, status2 }) => {
    const run = () => reportProgress(item({ status }), by ?? owner, { percent: 40, text: '已整改一半' }, onTime);
    expect(outcome(run)).toBe(want);
    if (want === 'ok') {
      expect(run()).toEqual({
        update: { status: status2, progress: 40, late: 0 },
        history: { kind: 'progress', percent: 40, text: '已整改一半' },
        notices: [],
      });
    }
  });

  it('clamps the stored percent (the history keeps what was typed), clips the text, marks late', () => {
    const t = reportProgress(item(), owner, { percent: 140, text: '字'.repeat(1200) }, afterDeadline);
    expect(t.update).toEqual({ status: 'in_progress', progress: 100, late: 1 });
    expect(t.history.percent).toBe(140);
    expect(Array.from(t.history.text ?? '')).toHaveLength(1000);
    expect(reportProgress(item(), owner, { percent: -5, text: 'x' }, onTime).update.progress).toBe(0);
  });
});

describe('attachEvidence', () => {
  it('only the owner attaches evidence; it changes no column but records the file name', () => {
    expect(attachEvidence(item(), owner, { name: '整改报告.pdf' })).toEqual({
      update: {},
      history: { kind: 'evidence', text: '整改报告.pdf' },
      notices: [],
    });
    expect(outcome(() => attachEvidence(item(), stranger, { name: 'a' }))).toBe(
      'forbidden: 只有责任人（王五）可以为此事项补充佐证材料。',
    );
  });
});

describe('submitForClosing', () => {
  const cases: { status: RectStatus; by: RectActor; evidence: number; want: string }[] = [
    { status: 'in_progress', by: owner, evidence: 1, want: 'ok' },
    { status: 'returned', by: owner, evidence: 2, want: 'ok' },
    {
      status: 'in_progress',
      by: owner,
      evidence: 0,
      want: 'bad_args: 申请销号需要佐证材料：请填写链接或说明，或先把文件发给清风并附到本事项。',
    },
    { status: 'review', by: owner, evidence: 1, want: 'conflict: 事项当前为“待审核”，不能申请销号。' },
    // Who acts is checked before the evidence, so a stranger learns nothing about the item.
    { status: 'in_progress', by: stranger, evidence: 0, want: 'forbidden: 只有责任人（王五）可以申请销号。' },
  ];
  it.each(cases)('$status by $by.openId with $evidence evidence → $want', ({ status, by, evidence, want }) => {
    expect(outcome(() => submitForClosing(item({ status }), by, { evidence }, onTime))).toBe(want);
  });

  it('moves to 待审核, stamps the time, and asks the reviewers other than the owner', () => {
    expect(submitForClosing(item(), owner, { evidence: 1, note: '已完成' }, afterDeadline)).toEqual({
      update: { status: 'review', submitted_at: afterDeadline.at, late: 1 },
      history: { kind: 'submit', text: '已完成' },
      notices: [{ kind: 'review_card', roles: ['secretary', 'deputy', 'inspector'], except: 'ou_owner' }],
    });
    expect(submitForClosing(item(), owner, { evidence: 1 }, onTime).history).toEqual({ kind: 'submit', text: null });
  });
});

describe('reviewItem', () => {
  const review = item({ status: 'review' });
  const cases: {
    it: RectItemState;
    by: RectActor;
    decision: 'close' | 'ongoing' | 'return';
    reason?: string;
    want: string;
  }[] = [
    { it: review, by: inspector, decision: 'close', want: 'ok' },
    { it: review, by: actor('ou_sec', 'secretary'), decision: 'return', reason: '材料不全', want: 'ok' },
    { it: item({ status: 'review', kind: 'long_term' }), by: inspector, decision: 'ongoing', want: 'ok' },
    {
      it: review,
      by: inspector,
      decision: 'ongoing',
      want: 'bad_args: 只有长期整改事项可以确认为阶段性完成。',
    },
    { it: review, by: inspector, decision: 'return', reason: '  ', want: 'bad_args: 退回需要填写理由。' },
    { it: review, by: organizer, decision: 'close', want: 'forbidden: 需要书记、副书记或纪检委员权限才能审核销号。' },
    {
      it: review,
      by: actor('ou_x', undefined),
      decision: 'close',
      want: 'forbidden: 需要书记、副书记或纪检委员权限才能审核销号。',
    },
    {
      it: item({ status: 'review', owner_open_id: 'ou_insp' }),
      by: inspector,
      decision: 'close',
      want: 'forbidden: 责任人不能审核自己的整改事项，请由其他纪检委员或书记审核。',
    },
    {
      it: item({ status: 'in_progress' }),
      by: inspector,
      decision: 'close',
      want: 'conflict: 事项当前为“整改中”，不在待审核状态。',
    },
  ];
  it.each(cases)('$it.status/$it.kind, $decision by $by.openId → $want', (c) => {
    expect(outcome(() => reviewItem(c.it, c.by, { decision: c.decision, reason: c.reason }, onTime))).toBe(c.want);
  });

  it('销号: closed, 100 %, reviewer and time stamped, the owner told', () => {
    expect(reviewItem(review, inspector, { decision: 'close' }, onTime)).toEqual({
      update: {
        status: 'closed',
        progress: 100,
        closed_at: onTime.at,
        reviewer_open_id: 'ou_insp',
        reviewer_name: '李纪检',
        late: 0,
      },
      history: { kind: 'closed' },
      notices: [{ kind: 'closed', to: 'ou_owner', itemId: 7, by: '李纪检' }],
    } satisfies RectTransition);
  });

  it('销号 after the deadline sets the late mark; a reviewer without a name is named by open_id', () => {
    const t = reviewItem(
      review,
      { openId: 'ou_dep', name: undefined, role: 'deputy' },
      { decision: 'close' },
      afterDeadline,
    );
    expect(t.update.late).toBe(1);
    expect(t.update.reviewer_name).toBe('ou_dep');
  });

  it('退回 keeps the reason trimmed and clipped in the history, as typed in the notice', () => {
    const t = reviewItem(review, inspector, { decision: 'return', reason: ' 缺少照片 ' }, onTime);
    expect(t.update).toEqual({ status: 'returned' });
    expect(t.history).toEqual({ kind: 'returned', text: '缺少照片' });
    expect(t.notices).toEqual([{ kind: 'returned', to: 'ou_owner', itemId: 7, by: '李纪检', reason: ' 缺少照片 ' }]);
  });

  it('阶段性完成 of a long-term item tells the owner to keep reporting', () => {
    const t = reviewItem(item({ status: 'review', kind: 'long_term' }), inspector, { decision: 'ongoing' }, onTime);
    expect(t).toEqual({
      update: { status: 'ongoing' },
      history: { kind: 'ongoing' },
      notices: [{ kind: 'ongoing', to: 'ou_owner', itemId: 7 }],
    });
  });
});

describe('reopenItem', () => {
  it.each(RECT_STATUSES.map((status) => ({ status })))('from $status', ({ status }) => {
    const run = () => reopenItem(item({ status }), inspector, '复查发现反弹');
    if (status === 'closed' || status === 'ongoing') {
      expect(run()).toEqual({
        update: { status: 'in_progress', closed_at: null, reviewer_open_id: null, reviewer_name: null },
        history: { kind: 'reopen', text: '复查发现反弹' },
        notices: [{ kind: 'reopened', to: 'ou_owner', itemId: 7, by: '李纪检', reason: '复查发现反弹' }],
      });
    } else {
      expect(outcome(run)).toMatch(/^conflict: 事项当前为“.+”，只有已销号或阶段性完成的事项可以重新打开。$/);
    }
  });
});

describe('requestExtension', () => {
  const ask = { newDeadline: '2026-12-31', reason: ' 需要采购设备 ', pending: false };
  const cases: { it?: RectItemState; by: RectActor; r?: Partial<typeof ask>; want: string }[] = [
    { by: owner, want: 'ok' },
    { by: organizer, want: 'ok' },
    { by: stranger, want: 'forbidden: 只有责任人（王五）或组织管理员可以申请延期。' },
    { it: item({ status: 'closed' }), by: owner, want: 'conflict: 事项已销号，不能延期。' },
    { by: owner, r: { newDeadline: '2026-12-10' }, want: 'bad_args: 延期后的时限应晚于原时限 2026-12-10。' },
    { by: owner, r: { pending: true }, want: 'conflict: 已有一个延期申请在等待审批。' },
    { by: owner, r: { reason: '   ' }, want: 'bad_args: 延期需要填写理由。' },
  ];
  it.each(cases)('by $by.openId $r → $want', (c) => {
    expect(outcome(() => requestExtension(c.it ?? item(), c.by, { ...ask, ...c.r }))).toBe(c.want);
  });

  it('stores the old and new deadline with the trimmed reason and asks the admins but the requester', () => {
    expect(requestExtension(item(), owner, ask)).toEqual({
      request: { old_deadline: '2026-12-10', new_deadline: '2026-12-31', reason: '需要采购设备' },
      update: {},
      history: { kind: 'extend_request', text: '延至 2026-12-31：需要采购设备' },
      notices: [{ kind: 'extension_card', admins: true, except: 'ou_owner' }],
    });
  });
});

describe('decideExtension', () => {
  const req = (o: Partial<ExtensionState> = {}): ExtensionState => ({
    status: 'pending',
    requested_by: 'ou_owner',
    old_deadline: '2026-12-10',
    new_deadline: '2026-12-31',
    ...o,
  });
  const cases: { r?: ExtensionState; by: RectActor; want: string }[] = [
    { by: organizer, want: 'ok' },
    { r: req({ status: 'approved' }), by: organizer, want: 'conflict: 这个延期申请已经处理过了。' },
    { by: owner, want: 'forbidden: 不能审批自己提出或自己负责事项的延期申请，请由其他管理员审批。' },
    {
      r: req({ requested_by: 'ou_org' }),
      by: organizer,
      want: 'forbidden: 不能审批自己提出或自己负责事项的延期申请，请由其他管理员审批。',
    },
  ];
  it.each(cases)('$r.status by $by.openId → $want', (c) => {
    expect(outcome(() => decideExtension(item(), c.r ?? req(), c.by, true, onTime))).toBe(c.want);
  });

  it('approval moves the deadline and keeps a late mark earned by today; both people told once each', () => {
    const t = decideExtension(item(), req({ requested_by: 'ou_sec' }), organizer, true, afterDeadline);
    expect(t).toEqual({
      request: { status: 'approved', decided_by: 'ou_org', decided_at: afterDeadline.at },
      update: { deadline: '2026-12-31', late: 1 },
      history: { kind: 'extend_approved', text: '时限由 2026-12-10 延至 2026-12-31' },
      notices: [
        { kind: 'extension_approved', to: 'ou_sec', itemId: 7, newDeadline: '2026-12-31' },
        { kind: 'extension_approved', to: 'ou_owner', itemId: 7, newDeadline: '2026-12-31' },
      ],
    });
  });

  it('refusal keeps the deadline and tells the owner (who asked) once', () => {
    expect(decideExtension(item(), req(), organizer, false, onTime)).toEqual({
      request: { status: 'refused', decided_by: 'ou_org', decided_at: onTime.at },
      update: { late: 0 },
      history: { kind: 'extend_refused', text: null },
      notices: [{ kind: 'extension_refused', to: 'ou_owner', itemId: 7, oldDeadline: '2026-12-10' }],
    });
  });
});
