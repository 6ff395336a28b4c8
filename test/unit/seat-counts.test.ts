// Every record agrees with the seats (issue 15 item 2): one reading of the seats (attendance-rules.ts
// `seatGroups`) gives 应到 on the meeting card, in the 三会一课记录簿 and on the 补录 record — in a 党员大会
// or 支委会 exactly those with a vote (held.ts's quorum total), at a 党课 a 预备党员 counted like everyone;
// 列席 and 不计应到 listed apart in the same words; one excluded who attends is in 应到 and 实到 everywhere
// (and votes). The not-held notice gives held.ts's reason. The /日历
// card's examples come from the rules the org's level owes (item 3).
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/db/schema.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { rulesForLevel } from '../../src/features/hierarchy/level-rules.ts';
import {
  exemptWhy,
  guestsText,
  planAttendees,
  type RegisterRow,
  seatGroups,
  seatPlace,
} from '../../src/features/meetings/attendance-rules.ts';
import { buildBackfillDoneCard } from '../../src/features/meetings/backfill-card.ts';
import { notHeldNotice } from '../../src/features/meetings/compliance.ts';
import { meetingLedger } from '../../src/features/meetings/export.ts';
import { sessionRecordState } from '../../src/features/meetings/held.ts';
import { DEFAULT_RULES } from '../../src/features/meetings/model.ts';
import { buildCalendarCard, calendarExamples } from '../../src/features/meetings/overview-cards.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { cardStrings } from '../helpers/card-parts.ts';
import { tenMemberBranch } from '../helpers/register-rows.ts';

/** The 10-member 支部: 1–3 支委, 8 on 长期病假 (不计应到), 9 and 10 预备党员; 11 an 上级观察员. */
const BRANCH: RegisterRow[] = tenMemberBranch({
  2: { committee_post: 'organizer' },
  3: { committee_post: 'inspector' },
});

const n = (xs: { openId: string }[]) => xs.map((a) => Number(a.openId.slice(3)));

describe('seatPlace and seatGroups', () => {
  it('a 党员大会: 应到 the 7 正式 counted; 预备党员 and a picked observer 列席; the excluded one apart', () => {
    const plan = planAttendees('general', BRANCH, { picked: ['ou_11'] }).attendees;
    const g = seatGroups('general', plan);
    expect(n(g.counted)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(n(g.guests)).toEqual([9, 10, 11]);
    expect(n(g.exempt)).toEqual([8]);
  });

  it('at a 党课 or 主题党日 a 预备党员 is in 应到 (nobody votes there); 列席 and 不计应到 stay apart', () => {
    for (const kind of ['lecture', 'theme_day', 'group', 'special']) {
      expect(seatPlace(kind, 'probationary'), kind).toBe('counted');
      expect(seatPlace(kind, 'observer'), kind).toBe('guest');
      expect(seatPlace(kind, 'exempt'), kind).toBe('exempt');
      expect(seatPlace(kind, null), kind).toBe('counted');
    }
    for (const kind of ['general', 'committee']) expect(seatPlace(kind, 'probationary'), kind).toBe('guest');
    // A 党课 has no 不计应到 (the exclusion is from the 党员大会): everyone but the observer counts.
    expect(n(seatGroups('lecture', planAttendees('lecture', BRANCH).attendees).counted)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('one excluded from 应到 who signs in is counted (and so in 实到); absent, listed apart', () => {
    for (const kind of ['general', 'committee', 'lecture']) {
      expect(seatPlace(kind, 'exempt', true), kind).toBe('counted');
      expect(seatPlace(kind, 'exempt', false), kind).toBe('exempt');
    }
    const plan = planAttendees('general', BRANCH).attendees;
    const came = plan.map((a) => ({ ...a, status: ['ou_1', 'ou_8'].includes(a.openId) ? 'signed' : 'invited' }));
    const g = seatGroups('general', came);
    expect(n(g.counted)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(g.exempt).toEqual([]);
    // The reader says who signed in when its rows say it otherwise (the 记录簿's `state`).
    const ledgerRows = plan.map((a) => ({ ...a, state: a.openId === 'ou_8' ? 'signed' : 'absent' }));
    expect(n(seatGroups('general', ledgerRows, (a) => a.state === 'signed').counted)).toHaveLength(8);
    expect(n(seatGroups('general', ledgerRows).exempt)).toEqual([8]);
  });

  it('in the meetings that vote, 应到 is always held.ts’s voting total, whoever was picked', () => {
    const wc = new WorkCalendar();
    const s = {
      status: 'scheduled' as const,
      category: 'meeting',
      start_at: '2026-12-04T07:00:00Z',
      minutes: null,
      minutes_at: null,
      window_before: null,
      window_after: null,
    };
    const picks = [[], ['ou_11'], ['ou_4', 'ou_9'], BRANCH.map((m) => m.open_id)];
    // Every other row signed in: in the 党员大会 the excluded member (ou_8, the 8th row) among them.
    for (const kind of ['general', 'committee'])
      for (const picked of picks) {
        const plan = planAttendees(kind, BRANCH, { picked }).attendees;
        const rows = plan.map((a, i) => ({
          status: i % 2 ? 'signed' : 'invited',
          voting: a.voting ? 1 : 0,
          seat: a.seat,
        }));
        const r = sessionRecordState({ ...s, kind }, rows, new Date('2026-12-05T00:00:00Z'), 'Asia/Shanghai', wc);
        const g = seatGroups(kind, rows);
        expect(g.counted.length, `${kind} ${picked.join(',')}`).toBe(r.voting?.total);
        expect(g.counted.filter((a) => a.status === 'signed').length).toBe(r.voting?.present);
      }
  });

  it('says who sat 列席 in the card’s words, and the 支部’s reason for 不计应到', () => {
    const guests = [
      { seat: 'probationary' as const, name: '吴预备', signed: true },
      { seat: 'probationary' as const, name: '郑预备', signed: false },
      { seat: 'observer' as const, name: '上级观察员', signed: true },
    ];
    const names = (p: typeof guests) => p.map((x) => x.name).join('、');
    expect(guestsText(guests, (g) => g.signed, names)).toBe(
      '预备党员 2 人（吴预备、郑预备），其他人员 1 人（上级观察员），已签到 2 人',
    );
    expect(guestsText(guests.slice(0, 1), (g) => g.signed)).toBe('预备党员 1 人，已签到 1 人');
    expect(exemptWhy('长期病假')).toBe('长期病假');
    expect(exemptWhy('  ')).toBe('按支部规定');
    expect(exemptWhy(null)).toBe('按支部规定');
  });
});

describe('the 三会一课记录簿 and the 补录 record', () => {
  // 4 正式 and both 预备党员 signed in, 5 on leave, the rest absent: 应到 7, 实到 4, 请假 1, 缺席 2.
  const plan = planAttendees('general', BRANCH).attendees;
  const state = (id: string) =>
    ['ou_1', 'ou_2', 'ou_3', 'ou_4', 'ou_9', 'ou_10'].includes(id) ? 'signed' : id === 'ou_5' ? 'leave' : 'absent';

  it('the 记录簿 row counts over the seats and lists 列席 and 不计应到 apart', async () => {
    const attendance = plan.map((a) => ({
      openId: a.openId,
      name: a.name,
      state: state(a.openId),
      correction: null,
      seat: a.seat,
      exemptReason: a.seat === 'exempt' ? '长期病假' : null,
    }));
    const bytes = await meetingLedger.write({
      title: '第一党支部 2026年三会一课记录簿',
      subtitle: '导出时间：2026-12-10 09:00',
      rows: [
        {
          session: { kind: 'general', title: '第四季度党员大会', organiser_name: '李书记', minutes: '纪要' } as Session,
          date: '2026-12-04',
          record: {
            state: 'held',
            why: null,
            present: 6,
            invited: 10,
            voting: { total: 7, present: 4, quorum: true },
            minutes: 'recorded',
            minutesDue: '2026-12-09',
            backfilled: false,
          },
          attendance,
          seats: seatGroups('general', attendance, (a) => a.state === 'signed'),
          files: '',
        },
      ],
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const header = Array.from({ length: ws.getRow(2).cellCount }, (_x, i) => String(ws.getRow(2).getCell(i + 1).value));
    const got = Object.fromEntries(header.map((k, i) => [k, ws.getRow(3).getCell(i + 1).value]));
    expect(header.slice(0, 10)).toEqual([
      '日期',
      '类型',
      '主题',
      '主持人',
      '应到',
      '实到',
      '请假',
      '缺席',
      '纪要',
      '佐证',
    ]);
    expect(got).toMatchObject({
      应到: 7,
      实到: 4,
      请假: 1,
      缺席: 2,
      列席: '预备党员 2 人（党员9、党员10），已签到 2 人',
      不计应到: '党员8：长期病假',
      状态: '已召开',
    });
  });

  it('a 补录 with the excluded member present counts them in 应到 and 实到, as the 记录簿 does', () => {
    const people = plan.map((a) => ({
      name: a.name,
      status: (['ou_1', 'ou_2', 'ou_3', 'ou_4', 'ou_8'].includes(a.openId) ? 'signed' : 'absent') as
        | 'signed'
        | 'absent',
      seat: a.seat,
      exemptReason: a.seat === 'exempt' ? '长期病假' : null,
    }));
    const shown = cardStrings(
      buildBackfillDoneCard({
        id: 14,
        kind: 'general',
        heading: '党员大会',
        when: '2026-10-25 15:00',
        place: '',
        state: '已召开（补录）',
        people,
      }),
    ).join('\n');
    expect(shown).toContain('**应到** 8 人　**实到** 5 人　**请假** 0 人　**缺席** 3 人');
    expect(shown).not.toContain('不计应到');
  });

  it('the 补录 record says the same, and stays within the card rules at its largest data', () => {
    const card = buildBackfillDoneCard({
      id: 12,
      kind: 'general',
      heading: '党员大会：第三季度党员大会',
      when: '2026-09-25 15:00',
      place: '三楼会议室',
      state: '已召开（补录）',
      people: plan.map((a) => ({
        name: a.name,
        status: state(a.openId),
        seat: a.seat,
        exemptReason: a.seat === 'exempt' ? '长期病假' : null,
      })),
    });
    const shown = cardStrings(card).join('\n');
    expect(shown).toContain('**应到** 7 人　**实到** 4 人　**请假** 1 人　**缺席** 2 人');
    expect(shown).toContain('**实到**：李书记、党员2、党员3、党员4\n');
    expect(shown).toContain('**缺席**：党员6、党员7\n');
    expect(shown).toContain('**列席**（无表决权）：预备党员 2 人（党员9、党员10），已签到 2 人');
    expect(shown).toContain('**不计应到**：1 人（党员8：长期病假）');
    // A 主题党日 of the same people: the 预备党员 are expected, nobody is excluded, no 列席 line.
    const theme = cardStrings(
      buildBackfillDoneCard({
        id: 13,
        kind: 'theme_day',
        heading: '主题党日',
        when: '2026-11-13 09:00',
        place: '',
        state: '已开展（补录）',
        people: planAttendees('theme_day', BRANCH).attendees.map((a) => ({
          name: a.name,
          status: state(a.openId),
          seat: a.seat,
        })),
      }),
    ).join('\n');
    expect(theme).toContain('**应到** 10 人　**实到** 6 人　**请假** 1 人　**缺席** 3 人');
    expect(theme).not.toContain('列席');

    const big = buildBackfillDoneCard({
      id: 99_999,
      kind: 'general',
      heading: '党'.repeat(100),
      when: '2026-12-10 15:00',
      place: '*'.repeat(200),
      state: '未'.repeat(80),
      people: Array.from({ length: 1000 }, (_, i) => ({
        name: `${'欧阳'.repeat(10)}${i}`,
        status: (['signed', 'leave', 'absent'] as const)[i % 3] ?? 'signed',
        seat: ([null, 'probationary', 'observer', 'exempt'] as const)[i % 4] ?? null,
        exemptReason: '*&"<at id=all></at>'.repeat(20),
      })),
    });
    expect(checkCard(JSON.stringify(big))).toBeUndefined();
    expect(JSON.stringify(big)).not.toContain('<at');
  });
});

describe('the not-held notice', () => {
  it('gives held.ts’s reason: the 预备党员 who came 列席 do not make the quorum', () => {
    const wc = new WorkCalendar();
    const plan = planAttendees('general', BRANCH).attendees;
    const rows = plan.map((a) => ({
      status: ['ou_1', 'ou_2', 'ou_3', 'ou_9', 'ou_10'].includes(a.openId) ? 'signed' : 'invited',
      voting: a.voting ? 1 : 0,
      seat: a.seat,
    }));
    const s = {
      id: 5,
      org_id: 1,
      status: 'scheduled',
      category: 'meeting',
      kind: 'general',
      title: '第四季度党员大会',
      start_at: '2026-12-04T07:00:00Z',
      minutes: null,
      minutes_at: null,
      window_before: null,
      window_after: null,
    } as unknown as Session;
    const r = sessionRecordState(s, rows, new Date('2026-12-05T00:00:00Z'), 'Asia/Shanghai', wc);
    expect(r.state).toBe('not_held');
    const notice = notHeldNotice(s, r, 'Asia/Shanghai');
    expect(notice && 'text' in notice ? notice.text : notice).toBe(
      '【出勤记录】原定于 2026-12-04 召开的党员大会“第四季度党员大会”有表决权的党员 7 人，到会 3 人，未超过半数；预备党员 2 人到会列席，无表决权，记录为未召开，本期不计为已召开。如到会人数实际已超过半数，请管理员按现场签到表补正出勤：/会议 补正 5 @姓名 签到 补正理由',
    );
  });
});

describe('the /日历 examples by level', () => {
  const rules = (level: Parameters<typeof rulesForLevel>[1]) =>
    rulesForLevel(DEFAULT_RULES, level).map((r) => ({
      key: r.key,
      name: r.name,
      fixedDay: r.fixedDay,
      enabled: r.enabled,
    }));

  it('a 支部 is shown its 主题党日, 支委会 and 党小组会; a 党委 its 专题会议, never a 支部’s rule', () => {
    expect(calendarExamples(rules('branch'))).toEqual({
      fixed: '/日历 设置 主题党日 10',
      lead: '/日历 设置 支委会 提前 5',
      frequency: '/日历 设置 党课 频次 每季度',
      toggle: '/日历 启用 党小组会',
    });
    expect(calendarExamples(rules('organ_committee'))).toEqual({
      lead: '/日历 设置 专题会议 提前 5',
      frequency: '/日历 设置 警示教育 频次 每季度',
      toggle: '/日历 停用 规则名',
    });
    const footer = (level: Parameters<typeof rulesForLevel>[1]) => {
      const card = buildCalendarCard({
        orgName: '机关党委',
        minutesDays: 3,
        rules: rules(level).map((r) => ({
          ...r,
          frequency: '每月',
          window: '',
          period: '12月',
          state: '尚未安排',
          lastMet: '无记录',
          nextDue: '2026-12-31 前',
          source: '常见做法',
        })),
      });
      expect(checkCard(JSON.stringify(card))).toBeUndefined();
      return cardStrings(card).join('\n');
    };
    const upper = footer('committee');
    expect(upper).toContain('/日历 设置 专题会议 提前 5 修改提前提醒的工作日数');
    // Nothing of a 支部 on the 党委's card, its note on the quorum included.
    for (const word of ['主题党日', '支委会', '党小组会', '党员大会', '党课']) expect(upper).not.toContain(word);
    expect(upper).toContain('只有已召开的会议计入本期：会议时间已过、签到已结束且有人签到。');
    expect(footer('branch')).toContain('签到已结束且有人签到（党员大会、支委会须有表决权的党员过半数到会）。');
    expect(footer('branch')).toContain(
      '/日历 设置 主题党日 10 修改固定日；/日历 设置 支委会 提前 5 修改提前提醒的工作日数；/日历 启用 党小组会 启用一项。',
    );
  });
});
