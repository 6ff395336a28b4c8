// The year's 主体责任落实情况报告 as pure shaping (src/features/report/rules.ts): periods of a year, which
// period a held session meets, a 组织生活会 of January counting for the year before, only held sessions
// counted (a scheduled or not-held one never), the study, 清单 and 整改 figures with the ids behind them,
// the sentences (verbs by kind, the regulations cited in full) and the 附表, and `/报告 YEAR` checking.
// No figure claims what did not happen: a 节前廉政提醒 counts as sent only when its card reached the
// group chat (queued, failed and never posted — no group chat — are said apart), a task marked 已完成 on
// an item that asks for evidence is not "无需验收", a 销号 without evidence on record is said so, and a
// study session whose record shows it not held is not "开展".
import { describe, expect, it } from 'vitest';
import {
  compileReport,
  countsForYear,
  idList,
  periodsOfYear,
  type ReportInput,
  type ReportReminder,
  type ReportRule,
  type ReportSession,
  reportFileName,
  reportTitle,
  ruleFigures,
  yearProblem,
} from '../../src/features/report/rules.ts';

const BRANCH = '《中国共产党支部工作条例（试行）》（2018年）';
const DUTY = '《党委（党组）落实全面从严治党主体责任规定》（2020年）';

const rule = (over: Partial<ReportRule> & Pick<ReportRule, 'kind'>): ReportRule => ({
  key: over.kind,
  label: over.kind,
  name: over.kind,
  verb: '召开',
  frequency: 'month',
  source: BRANCH,
  ...over,
});

let nextId = 1;
const session = (over: Partial<ReportSession> & Pick<ReportSession, 'kind' | 'date' | 'state'>): ReportSession => ({
  id: nextId++,
  category: 'meeting',
  label: over.kind,
  verb: '召开',
  title: `${over.kind} ${over.date}`,
  stateText: over.state,
  present: 5,
  invited: 6,
  leave: 1,
  minutesPending: false,
  ...over,
});

const committee = rule({ kind: 'committee', label: '支委会', name: '支部委员会会议' });
const lecture = rule({ kind: 'lecture', label: '党课', name: '党课', verb: '讲', frequency: 'quarter' });
const special = rule({
  kind: 'special',
  label: '专题会议',
  name: '全面从严治党专题会议',
  frequency: 'half_year',
  source: DUTY,
});
const life = rule({ kind: 'life_meeting', label: '组织生活会', name: '组织生活会', frequency: 'year' });
const warning = rule({
  kind: 'warning',
  label: '警示教育',
  name: '警示教育',
  verb: '开展',
  frequency: 'year',
  source: '常见做法',
});

describe('periods and the sessions that meet them', () => {
  it('lists the periods of each frequency in a year', () => {
    expect(periodsOfYear('month', 2026)).toHaveLength(12);
    expect(periodsOfYear('month', 2026)[1]).toEqual({
      key: '2026-02',
      label: '2月',
      start: '2026-02-01',
      end: '2026-02-28',
    });
    expect(periodsOfYear('quarter', 2026).map((p) => [p.label, p.start, p.end])).toEqual([
      ['第一季度', '2026-01-01', '2026-03-31'],
      ['第二季度', '2026-04-01', '2026-06-30'],
      ['第三季度', '2026-07-01', '2026-09-30'],
      ['第四季度', '2026-10-01', '2026-12-31'],
    ]);
    expect(periodsOfYear('half_year', 2026).map((p) => p.label)).toEqual(['上半年', '下半年']);
    expect(periodsOfYear('year', 2026)).toEqual([
      { key: '2026', label: '本年度', start: '2026-01-01', end: '2026-12-31' },
    ]);
  });

  it('counts a 组织生活会 of January or February for the year before, nothing else', () => {
    expect(countsForYear({ kind: 'life_meeting', date: '2027-02-10' }, 2026)).toBe(true);
    expect(countsForYear({ kind: 'life_meeting', date: '2027-03-01' }, 2026)).toBe(false);
    // One meeting, one year: a January 组织生活会 is the year before's, not also its own year's.
    expect(countsForYear({ kind: 'life_meeting', date: '2026-01-20' }, 2026)).toBe(false);
    expect(countsForYear({ kind: 'life_meeting', date: '2026-01-20' }, 2025)).toBe(true);
    expect(countsForYear({ kind: 'life_meeting', date: '2026-12-20' }, 2026)).toBe(true);
    expect(countsForYear({ kind: 'committee', date: '2027-01-10' }, 2026)).toBe(false);
    expect(countsForYear({ kind: 'committee', date: '2026-12-31' }, 2026)).toBe(true);
  });

  it('meets a period only with a held session; a scheduled one is 已安排, a not-held one leaves it missed', () => {
    const sessions = [
      session({ kind: 'committee', date: '2026-01-10', state: 'held' }),
      session({ kind: 'committee', date: '2026-01-20', state: 'held' }),
      session({ kind: 'committee', date: '2026-02-10', state: 'not_held' }),
      session({ kind: 'committee', date: '2026-12-20', state: 'scheduled' }),
      session({ kind: 'committee', date: '2026-11-20', state: 'cancelled' }),
    ];
    const [f] = ruleFigures([committee], sessions, 2026, '2026-12-02');
    expect(f?.required).toBe(12);
    expect(f?.held).toBe(2);
    expect(f?.heldIds).toEqual([sessions[0]?.id, sessions[1]?.id]);
    const states = Object.fromEntries(f?.periods.map((p) => [p.label, p.state]) ?? []);
    expect(states['1月']).toBe('met');
    expect(states['2月']).toBe('missed');
    expect(states['11月']).toBe('missed');
    expect(states['12月']).toBe('scheduled');
    // A past year: every period has ended.
    const [past] = ruleFigures([committee], [], 2025, '2026-12-02');
    expect(past?.periods.every((p) => p.state === 'missed')).toBe(true);
    // The current month, nothing scheduled yet: not due.
    const [now] = ruleFigures([committee], [], 2026, '2026-12-02');
    expect(now?.periods.at(-1)?.state).toBe('not_due');
  });

  it('says how many periods the held sessions cover when two fall in one period', () => {
    const two = [
      session({ kind: 'committee', date: '2026-01-10', state: 'held' }),
      session({ kind: 'committee', date: '2026-01-20', state: 'held' }),
    ];
    const r = compileReport({
      orgName: '第一党支部',
      year: 2026,
      today: '2026-12-02',
      rules: [committee],
      sessions: two,
      tasks: [],
      rects: [],
      reminders: [],
    });
    expect(r.sections[1]?.paragraphs[0]).toMatch(/已召开 2 次（记录 #\d+、#\d+，见附表1），覆盖 1 个月。2月、/);
  });

  it('a 组织生活会 held in February meets the year before; until the end of February the year is not missed', () => {
    const feb = session({ kind: 'life_meeting', date: '2027-02-10', state: 'held' });
    expect(ruleFigures([life], [feb], 2026, '2027-03-05')[0]?.periods[0]?.state).toBe('met');
    expect(ruleFigures([life], [], 2026, '2027-01-15')[0]?.periods[0]?.state).toBe('not_due');
    expect(ruleFigures([life], [], 2026, '2027-03-05')[0]?.periods[0]?.state).toBe('missed');
  });
});

const reminder = (
  holiday: string,
  claimedOn: string,
  state: ReportReminder['state'],
  sentOn: string | null = state === 'sent' ? claimedOn : null,
): ReportReminder => ({ key: `holiday-reminder|org:1|${holiday}@2026`, holiday, claimedOn, state, sentOn });

describe('the compiled report', () => {
  const input = (): ReportInput => {
    nextId = 100;
    return {
      orgName: '第一党支部',
      year: 2026,
      today: '2026-12-02',
      rules: [committee, lecture, special, life, warning],
      sessions: [
        session({ kind: 'committee', date: '2026-03-10', state: 'held', minutesPending: true }),
        session({ kind: 'lecture', date: '2026-05-10', state: 'held', verb: '讲' }),
        session({ kind: 'special', date: '2026-03-01', state: 'not_held' }),
        session({ kind: 'special', date: '2026-12-20', state: 'scheduled' }),
        session({ kind: 'democratic_life', label: '民主生活会', date: '2026-11-01', state: 'held' }),
        session({
          kind: 'warning',
          category: 'study',
          verb: '开展',
          date: '2026-06-01',
          state: 'held',
          present: 8,
          invited: 10,
          leave: 1,
        }),
        session({
          kind: 'topic',
          category: 'study',
          verb: '开展',
          date: '2026-07-01',
          state: 'not_held',
          present: 0,
          invited: 10,
          leave: 0,
        }),
        session({ kind: 'topic', category: 'study', date: '2026-12-30', state: 'scheduled', present: 0, invited: 10 }),
      ],
      tasks: [
        {
          id: 1,
          content: '每月召开支委会',
          required: '会议纪要',
          owner: '李书记',
          period: '2026-03',
          dueDate: '2026-03-31',
          status: 'accepted',
          statusLabel: '已完成（已验收）',
          evidence: 2,
        },
        {
          id: 2,
          content: '廉政谈话',
          required: '谈话记录',
          owner: '王纪检',
          period: '2026Q4',
          dueDate: '2026-12-31',
          status: 'submitted',
          statusLabel: '待验收',
          evidence: 1,
        },
        {
          id: 3,
          content: '制度修订',
          required: '制度文件',
          owner: '张组织',
          period: '2026Q3',
          dueDate: '2026-09-30',
          status: 'in_progress',
          statusLabel: '进行中',
          evidence: 0,
        },
        {
          id: 4,
          content: '学习计划',
          required: '',
          owner: '张组织',
          period: '2026',
          dueDate: '2026-12-31',
          status: 'not_started',
          statusLabel: '未开始',
          evidence: 0,
        },
        {
          id: 5,
          content: '一次性任务',
          required: '',
          owner: '赵党员',
          period: '一次性',
          dueDate: '2026-02-01',
          status: 'done',
          statusLabel: '已完成',
          evidence: 0,
        },
        {
          id: 6,
          content: '过期任务',
          required: '',
          owner: '赵党员',
          period: '2026-01',
          dueDate: '2026-01-31',
          status: 'missed',
          statusLabel: '未完成（已过期）',
          evidence: 0,
        },
        {
          id: 7,
          content: '每季度开展廉政谈话',
          required: '谈话记录',
          owner: '王纪检',
          period: '2026Q1',
          dueDate: '2026-03-31',
          status: 'done',
          statusLabel: '已完成',
          evidence: 0,
        },
      ],
      rects: [
        {
          id: 11,
          problem: '制度执行不严',
          owner: '张组织',
          deadline: '2026-06-30',
          status: 'closed',
          statusLabel: '已销号',
          late: true,
          createdOn: '2026-03-01',
          closedOn: '2026-08-01',
          evidence: 2,
        },
        {
          id: 12,
          problem: '台账不全',
          owner: '王纪检',
          deadline: '2026-11-30',
          status: 'in_progress',
          statusLabel: '整改中',
          late: true,
          createdOn: '2026-04-01',
          closedOn: null,
          evidence: 0,
        },
        {
          id: 13,
          problem: '长期问题',
          owner: '李书记',
          deadline: '2027-06-30',
          status: 'ongoing',
          statusLabel: '阶段性完成',
          late: false,
          createdOn: '2025-10-01',
          closedOn: null,
          evidence: 1,
        },
        {
          id: 14,
          problem: '按期销号',
          owner: '李书记',
          deadline: '2026-10-30',
          status: 'closed',
          statusLabel: '已销号',
          late: false,
          createdOn: '2026-09-01',
          closedOn: '2026-10-20',
          evidence: 0,
        },
      ],
      reminders: [
        reminder('春节', '2026-02-09', 'sent'),
        reminder('中秋节、国庆节', '2026-09-24', 'sent', '2026-09-25'),
      ],
    };
  };

  it('counts only held sessions; not-held and scheduled ones are listed apart', () => {
    const r = compileReport(input());
    const byKind = Object.fromEntries(r.meetings.rules.map((f) => [f.kind, f]));
    expect(byKind.committee?.held).toBe(1);
    expect(byKind.lecture?.held).toBe(1);
    expect(byKind.special?.held).toBe(0);
    expect(byKind.special?.periods.map((p) => p.state)).toEqual(['missed', 'scheduled']);
    expect(byKind.warning?.held).toBe(1);
    expect(r.meetings.others).toEqual([{ label: '民主生活会', verb: '召开', ids: [104] }]);
    expect(r.meetings.notHeldIds).toEqual([102, 106]);
    expect(r.meetings.scheduledIds).toEqual([103, 107]);
    expect(r.meetings.minutesPendingIds).toEqual([100]);
  });

  it('study attendance over the settled sessions only; one whose record shows it not held is not 开展', () => {
    const r = compileReport(input());
    expect(r.study).toEqual({
      sessionIds: [105, 106],
      heldIds: [105],
      notHeldIds: [106],
      invited: 20,
      present: 8,
      leave: 1,
      absent: 11,
      rate: 40,
    });
    const text = r.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(text).toContain(
      '本年度开展学习活动 1 次（记录 #105，见附表1），另有 1 次已到时间但记录显示未开展（记录 #106，见附表1）。以上 2 次应参加 20 人次，实际签到 8 人次',
    );
    expect(text).not.toContain('开展学习活动 2 次');
  });

  it('清单 tasks: accepted, done, 待验收, open, overdue and missed, by id', () => {
    const t = compileReport(input()).tasks;
    expect(t).toEqual({
      total: 7,
      accepted: [1],
      done: [5],
      unaccepted: [7],
      unacceptedNoEvidence: [7],
      submitted: [2],
      open: [3, 4],
      overdue: [3],
      missed: [6],
    });
  });

  it('a task marked 已完成 on an item that asks for evidence is never "无需验收" nor accepted', () => {
    const r = compileReport(input());
    const text = r.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(text).toContain('其中已完成并经验收 1 项（记录 #1，见附表3）；已完成（无需验收）1 项（记录 #5，见附表3）；');
    expect(text).toContain(
      '标记为已完成但未经验收 1 项（记录 #7，见附表3），其中没有佐证材料记录 1 项（记录 #7，见附表3）；',
    );
    expect(text).toContain(
      '标记为已完成但未经验收的清单任务 1 项（记录 #7，见附表3），其佐证材料需书记或纪检委员核实。',
    );
    const tasks = r.appendices[2];
    expect(tasks?.rows.find((row) => row[0] === '#7')?.[5]).toBe('已完成（未经验收）');
    expect(tasks?.rows.find((row) => row[0] === '#5')?.[5]).toBe('已完成');
  });

  it('rectifications: opened and closed in the year, late marks kept after 销号, open and overdue now', () => {
    const x = compileReport(input()).rects;
    expect(x).toEqual({
      opened: [11, 12, 14],
      closed: [11, 14],
      closedLate: [11],
      closedNoEvidence: [14],
      ongoing: [13],
      open: [12, 13],
      overdue: [12],
      lateMarked: [11, 12],
    });
  });

  it('writes the report in plain Chinese: the verbs by kind, the regulations in full, the ids behind each figure', () => {
    const r = compileReport(input());
    expect(r.title).toBe('第一党支部2026年度全面从严治党主体责任落实情况报告');
    expect(r.sections.map((s) => s.heading)).toEqual([
      '',
      '一、组织生活和学习教育制度落实情况',
      '二、学习教育参加情况',
      '三、主体责任清单落实情况',
      '四、问题整改情况',
      '五、节前廉政提醒情况',
      '六、尚未完成的事项',
    ]);
    const text = r.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(text).toContain(`根据${BRANCH}和${DUTY}`);
    expect(text).toContain(
      '支委会：按规定每月召开支部委员会会议，全年应召开 12 次，已召开 1 次（记录 #100，见附表1）。',
    );
    expect(text).toContain(
      '党课：按规定每季度讲党课，全年应讲 4 次，已讲 1 次（记录 #101，见附表1）。第一季度、第三季度未讲党课。',
    );
    expect(text).toContain('警示教育（常见做法）：按规定每年开展警示教育，全年应开展 1 次，已开展 1 次');
    expect(text).toContain('民主生活会：全年召开 1 次（记录 #104，见附表1）。');
    expect(text).toContain('上半年未召开全面从严治党专题会议。下半年已安排，尚未召开。');
    expect(text).toContain('参学率 40%');
    expect(text).toContain('其中已完成并经验收 1 项（记录 #1，见附表3）');
    expect(text).toContain(
      '本年度销号 2 项（记录 #11、#14，见附表4），其中逾期后销号 1 项（记录 #11，见附表4），没有佐证材料记录的 1 项（记录 #14，见附表4）；',
    );
    expect(text).toContain('已销号但没有佐证材料记录的整改事项 1 项（记录 #14，见附表4），需补充佐证材料。');
    expect(text).toContain(
      '本年度在节前向群聊发送廉政提醒 2 次：春节（2026-02-09）、中秋节、国庆节（2026-09-24）（见附表5）。',
    );
    expect(text).toContain('已召开但会议纪要尚未记录的 1 次（记录 #100，见附表1）');
    expect(text).not.toMatch(/召开党课|召开警示教育|[A-Za-z_]{4,}/);
  });

  it('lists the records behind every figure in the 附表', () => {
    const r = compileReport(input());
    expect(r.appendices.map((a) => a.title)).toEqual([
      '附表1　会议和学习活动记录',
      '附表2　各项制度按期落实情况',
      '附表3　主体责任清单任务',
      '附表4　整改事项',
      '附表5　节前廉政提醒',
    ]);
    const [sessions, periods, tasks, rects, reminders] = r.appendices;
    expect(sessions?.rows.map((row) => row[0])).toEqual([
      '#102',
      '#100',
      '#101',
      '#105',
      '#106',
      '#104',
      '#103',
      '#107',
    ]);
    expect(periods?.rows).toContainEqual(['支委会', '3月', '已落实', '#100']);
    expect(periods?.rows).toContainEqual(['专题会议', '下半年', '已安排，尚未召开', '#103']);
    expect(tasks?.rows.find((row) => row[0] === '#3')?.[5]).toBe('进行中（逾期）');
    expect(rects?.rows.find((row) => row[0] === '#11')).toEqual([
      '#11',
      '制度执行不严',
      '张组织',
      '2026-06-30',
      '已销号',
      '有',
      '2026-08-01',
      '2 份',
    ]);
    expect(reminders?.columns).toEqual(['节日', '提醒日期', '发送情况', '送达日期', '记录']);
    expect(reminders?.rows).toEqual([
      ['春节', '2026-02-09', '已发送', '2026-02-09', 'holiday-reminder|org:1|春节@2026'],
      ['中秋节、国庆节', '2026-09-24', '已发送', '2026-09-25', 'holiday-reminder|org:1|中秋节、国庆节@2026'],
    ]);
  });

  it('counts a 节前廉政提醒 as sent only when its card reached the group chat', () => {
    const r = compileReport({
      ...input(),
      reminders: [
        reminder('春节', '2026-02-09', 'sent', '2026-02-10'),
        reminder('清明节', '2026-03-30', 'failed'),
        reminder('劳动节', '2026-04-24', 'not_posted'),
        reminder('中秋节、国庆节', '2026-09-24', 'queued'),
      ],
    });
    expect(r.reminders.sent.map((h) => h.holiday)).toEqual(['春节']);
    expect(r.reminders.queued.map((h) => h.holiday)).toEqual(['中秋节、国庆节']);
    expect(r.reminders.failed.map((h) => h.holiday)).toEqual(['清明节']);
    expect(r.reminders.notPosted.map((h) => h.holiday)).toEqual(['劳动节']);
    const text = r.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(text).toContain(
      '本年度在节前向群聊发送廉政提醒 1 次：春节（2026-02-09）；已排队、尚未送达 1 次：中秋节、国庆节（2026-09-24）；发送失败 1 次：清明节（2026-03-30）；因没有绑定群聊未发送 1 次：劳动节（2026-04-24）（见附表5）。',
    );
    expect(text).toContain(
      '尚未送达群聊的节前廉政提醒 2 次：清明节（2026-03-30）、中秋节、国庆节（2026-09-24）（见附表5）。',
    );
    expect(r.appendices[4]?.rows.map((row) => [row[0], row[2], row[3]])).toEqual([
      ['春节', '已发送', '2026-02-10'],
      ['清明节', '发送失败', '—'],
      ['劳动节', '未发送（没有绑定群聊）', '—'],
      ['中秋节、国庆节', '已排队，尚未送达', '—'],
    ]);

    // Only reminders that never reached the chat: none is said to be sent.
    const none = compileReport({ ...input(), reminders: [reminder('春节', '2026-02-09', 'not_posted')] });
    const said = none.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(said).toContain('本年度没有节前廉政提醒送达群聊的记录；因没有绑定群聊未发送 1 次：春节（2026-02-09）');
    expect(said).not.toMatch(/发送廉政提醒 \d+ 次/);
  });

  it('an empty year says so rather than reading as all done', () => {
    const r = compileReport({ ...input(), sessions: [], tasks: [], rects: [], reminders: [] });
    const text = r.sections.flatMap((s) => s.paragraphs).join('\n');
    expect(text).toContain('本年度主体责任清单没有到期的任务。');
    expect(text).toContain('本年度没有发送节前廉政提醒的记录。');
    expect(text).toContain('支委会：1月、2月、3月、4月、5月、6月、7月、8月、9月、10月、11月未召开支部委员会会议。');
  });
});

describe('names and input', () => {
  it('names the file after the title, with characters a file name cannot hold replaced', () => {
    expect(reportTitle('第一党支部', 2026)).toBe('第一党支部2026年度全面从严治党主体责任落实情况报告');
    expect(reportFileName('第一党支部', 2026)).toBe('第一党支部2026年度全面从严治党主体责任落实情况报告.docx');
    expect(reportFileName('机关/第二"支部"', 2026)).toBe(
      '机关_第二_支部_2026年度全面从严治党主体责任落实情况报告.docx',
    );
  });

  it('accepts a year up to this one and refuses anything else', () => {
    expect(yearProblem('2026', '2026-12-02')).toBeUndefined();
    expect(yearProblem('2025', '2026-12-02')).toBeUndefined();
    expect(yearProblem('2027', '2026-12-02')).toBe('2027 年还没有到，不能生成该年度的报告。');
    expect(yearProblem('今年', '2026-12-02')).toBe('“今年”不是年份。');
    expect(yearProblem('26', '2026-12-02')).toBe('“26”不是年份。');
    expect(yearProblem('1999', '2026-12-02')).toBe('1999 年太早，清风没有那时的记录。');
  });

  it('lists at most 15 ids, then says how many', () => {
    expect(idList([])).toBe('无');
    expect(idList([1, 2])).toBe('#1、#2');
    expect(idList(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(
      '#1、#2、#3、#4、#5、#6、#7、#8、#9、#10、#11、#12、#13、#14、#15 等 20 项',
    );
  });
});
