// The 签到 window a session keeps (issue 13 item 1, migration 0014): model.ts `sessionWindow` reads the
// session's own window first, then — for a row from before it was kept — the org's window for the kind,
// then the default; a meeting whose window has closed stays closed (and its record stays held / not
// held) after the org lengthens the window, while a row from before still follows the org as it did.
// Also the session card's record state (held.ts `recordStateText`) and its 补录 tag.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/db/schema.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { attendanceSettled, type HeldAttendee, sessionRecordState } from '../../src/features/meetings/held.ts';
import {
  ATTENDANCE_WINDOWS,
  type AttendanceWindows,
  attendanceClosed,
  attendancePhase,
  sessionWindow,
  sessionWindowInstants,
  windowColumns,
} from '../../src/features/meetings/model.ts';
import { timingOf } from '../../src/features/meetings/refresh.ts';
import * as rules from '../../src/features/meetings/rules.ts';
import { buildSessionCard, type SessionView } from '../../src/features/meetings/session-card.ts';
import { signInCloses, studySettled } from '../../src/features/meetings/study-rules.ts';

const TZ = 'Asia/Shanghai';
const cal = new WorkCalendar();
const at = (local: string) => new Date(`${local}+08:00`);

/** A 支委会 on Thursday 2026-12-10 15:00 Beijing, created while the org's window was 30 minutes / 3 hours. */
const START = '2026-12-10T07:00:00.000Z';
const row = (o: Partial<Session> = {}): Session => ({
  id: 1,
  org_id: 1,
  category: 'meeting',
  kind: 'committee',
  title: '12月支委会',
  start_at: START,
  place: '三楼会议室',
  agenda: '',
  status: 'scheduled',
  organiser_open_id: 'ou_secretary',
  organiser_name: '李书记',
  minutes: null,
  minutes_at: null,
  reflection_days: 5,
  recorded_as: 'live',
  sign_opens_before: 30,
  sign_closes_after: 180,
  party_group: null,
  version: 1,
  created_at: '2026-12-01T02:00:00.000Z',
  updated_at: '2026-12-01T02:00:00.000Z',
  ...o,
});
/** The org lengthened the 支委会 window afterwards: 签到 from 2 hours before until 24 hours after. */
const LONGER: AttendanceWindows = { committee: { opensBefore: 120, closesAfter: 1440 } };
const FROM_BEFORE = { sign_opens_before: null, sign_closes_after: null };
const signed = (n: number, invited: number): HeldAttendee[] => [
  ...Array.from({ length: n }, () => ({ status: 'signed', voting: 1 })),
  ...Array.from({ length: invited }, () => ({ status: 'invited', voting: 1 })),
];

describe('sessionWindow', () => {
  it('reads the session’s own window first, then the org’s, then the default', () => {
    expect(sessionWindow(row(), LONGER)).toEqual({ opensBefore: 30, closesAfter: 180 });
    expect(sessionWindow(row({ sign_opens_before: 60, sign_closes_after: 90 }))).toEqual({
      opensBefore: 60,
      closesAfter: 90,
    });
    expect(sessionWindow(row(FROM_BEFORE), LONGER)).toEqual({ opensBefore: 120, closesAfter: 1440 });
    expect(sessionWindow(row(FROM_BEFORE))).toEqual(ATTENDANCE_WINDOWS.committee);
    // Half a window is no window: the fallback applies.
    expect(sessionWindow(row({ sign_closes_after: null }), LONGER)).toEqual(LONGER.committee);
    // A plain object without the columns (the pure rules' tests) keeps working.
    expect(sessionWindow({ kind: 'theme_day' })).toEqual(ATTENDANCE_WINDOWS.theme_day);
    // Zero minutes before the start is a window too.
    expect(sessionWindow(row({ sign_opens_before: 0 }), LONGER).opensBefore).toBe(0);
  });

  it('keeps a window as the columns it reads back', () => {
    const w = { opensBefore: 45, closesAfter: 240 };
    expect(windowColumns(w)).toEqual({ sign_opens_before: 45, sign_closes_after: 240 });
    expect(sessionWindow(row(windowColumns(w)), LONGER)).toEqual(w);
    expect(sessionWindowInstants(row(windowColumns(w)))).toEqual({
      opens: at('2026-12-10T14:15:00'),
      closes: at('2026-12-10T19:00:00'),
    });
  });
});

describe('a meeting whose window closed stays closed after the org lengthens the window', () => {
  const after = at('2026-12-10T18:30:00'); // the kept window closed at 18:00; the longer one would run till the next day

  it('attendance: closed, settled, 签到 refused, 补正 allowed', () => {
    const s = row();
    expect(attendanceClosed(s, after, LONGER)).toBe(true);
    expect(attendancePhase(s, after, LONGER)).toBe('closed');
    expect(attendanceSettled(s, after, LONGER)).toBe(true);
    const t = timingOf(s, LONGER);
    expect(t.window).toEqual({ opensBefore: 30, closesAfter: 180 });
    expect(() => rules.signIn(t, { status: 'invited', reason: null }, after, TZ)).toThrow(
      '签到已结束。签到时间为 12月10日 14:30 至 18:00。',
    );
    expect(
      rules.correctAttendance(t, { status: 'invited', reason: null }, 'signed', '现场签到表为证', after, TZ),
    ).toMatchObject({ status: 'signed' });
    // Nor does it open earlier: two hours before the start is still 'before'.
    expect(attendancePhase(s, at('2026-12-10T13:30:00'), LONGER)).toBe('before');
    expect(rules.signInWindowText(t, TZ)).toBe('签到时间为 12月10日 14:30 至 18:00。');
  });

  it('the record: held stays held, not held stays not held', () => {
    expect(sessionRecordState(row(), signed(3, 2), after, TZ, cal, LONGER)).toMatchObject({
      state: 'held',
      minutes: 'pending',
    });
    expect(sessionRecordState(row(), signed(0, 5), after, TZ, cal, LONGER)).toMatchObject({
      state: 'not_held',
      why: '无人签到，没有出勤记录。',
    });
  });

  it('study: 补学 stays open (signInCloses, studySettled read the kept window)', () => {
    const s = row({ category: 'study', kind: 'central_group' });
    expect(signInCloses(s, { central_group: { opensBefore: 30, closesAfter: 1440 } })).toEqual(
      at('2026-12-10T18:00:00'),
    );
    expect(studySettled(s, after, { central_group: { opensBefore: 30, closesAfter: 1440 } })).toBe(true);
  });

  it('a row from before the window was kept follows the org’s window, as it did', () => {
    const s = row(FROM_BEFORE);
    expect(attendancePhase(s, after, LONGER)).toBe('started');
    expect(sessionRecordState(s, signed(0, 5), after, TZ, cal, LONGER).state).toBe('in_progress');
    expect(attendancePhase(s, after)).toBe('closed');
  });
});

describe('the session card shows the record state', () => {
  const view = (record: SessionView['record'], cancelled = false): SessionView => ({
    id: 7,
    orgId: 1,
    version: 1,
    category: 'meeting',
    kind: 'committee',
    kindLabel: '支委会',
    title: '12月支委会',
    startText: '2026-12-10 15:00',
    started: true,
    phase: 'closed',
    cancelled,
    record,
    place: '三楼会议室',
    agenda: '',
    organiserName: '李书记',
    attendees: [],
    voting: undefined,
    minutes: undefined,
    files: [],
    reflections: undefined,
  });
  const tags = (c: ReturnType<typeof buildSessionCard>) =>
    ((c.header as { text_tag_list?: { text: { content: string }; color: string }[] }).text_tag_list ?? []).map((t) => [
      t.text.content,
      t.color,
    ]);
  const body = (c: ReturnType<typeof buildSessionCard>) => JSON.stringify(c.body);

  it('纪要待补 with its due date, in the status line and as a header tag', () => {
    const c = buildSessionCard(
      view({
        state: 'held',
        label: '纪要待补',
        text: '已召开（纪要待补，2026-12-15 前）',
        minutesDue: true,
        backfilled: false,
      }),
    );
    expect(body(c)).toContain('**状态**：已召开（纪要待补，2026-12-15 前）');
    expect(tags(c)).toEqual([['纪要待补', 'orange']]);
  });

  it('未召开 with the reason; a 补录 tagged', () => {
    const c = buildSessionCard(
      view({
        state: 'not_held',
        label: '未召开',
        text: '未召开（无人签到，没有出勤记录）（补录）',
        minutesDue: false,
        backfilled: true,
      }),
    );
    expect(body(c)).toContain('**状态**：未召开（无人签到，没有出勤记录）（补录）');
    expect(tags(c)).toEqual([
      ['未召开', 'red'],
      ['补录', 'violet'],
    ]);
  });

  it('已安排; a cancelled one shows only 已取消; none without a record', () => {
    const scheduled = {
      state: 'scheduled',
      label: '已安排',
      text: '已安排',
      minutesDue: false,
      backfilled: false,
    } as const;
    expect(tags(buildSessionCard(view(scheduled)))).toEqual([['已安排', 'blue']]);
    const cancelled = buildSessionCard(view(scheduled, true));
    expect(tags(cancelled)).toEqual([['已取消', 'neutral']]);
    expect(body(cancelled)).not.toContain('**状态**');
    expect(tags(buildSessionCard(view(undefined)))).toEqual([]);
  });
});
