/**
 * A branch's 主体责任清单 as secretaries send it: an .xlsx (title row above the headers 序号, 类别,
 * 责任内容, 牵头领导, 责任人, 完成时限, 频次) with 15 realistic items across the five 建设, one-off
 * items with real Excel dates or dates typed as text, recurring ones, and items shared by two owners.
 */
import type ExcelJS from 'exceljs';
import { ledgerXlsx } from './ledger-files.ts';

export interface DutyFixtureRow {
  category: string;
  content: string;
  leader: string;
  /** As written in the cell: names separated by 、 */
  owners: string;
  /** As written in the cell: a real Excel date, text, or empty. */
  due: Date | string;
  cadence: string;
  /** What the bot should make of it, as of a day in December 2026. */
  expected: {
    cadence: 'once' | 'monthly' | 'quarterly' | 'half_yearly' | 'yearly';
    dueDate: string | null;
    dueDay: number | null;
    /** The December 2026 task's period and due date. */
    period: string;
    taskDue: string;
  };
}

const xlDate = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

export const DUTY_LIST_TITLE = '第一党支部 2026年全面从严治党主体责任清单';
export const DUTY_LIST_HEADERS = ['序号', '类别', '责任内容', '牵头领导', '责任人', '完成时限', '频次'];

/** 15 items; the owners are 李书记, 王纪检, 张组织, 赵党员 and 钱党员 (20 tasks in all). */
export function dutyListRows(): DutyFixtureRow[] {
  const q4 = { period: '2026Q4', taskDue: '2026-12-31' };
  const dec = { period: '2026-12', taskDue: '2026-12-31' };
  return [
    {
      category: '政治建设',
      content: '认真学习贯彻党中央关于全面从严治党的决策部署，及时传达学习上级会议和文件精神',
      leader: '李书记',
      owners: '李书记',
      due: '',
      cadence: '每季度',
      expected: { cadence: 'quarterly', dueDate: null, dueDay: null, ...q4 },
    },
    {
      category: '政治建设',
      content: '每月召开支委会专题研究党风廉政建设，分析研判本支部廉政风险',
      leader: '李书记',
      owners: '李书记、王纪检',
      due: '每月25日前',
      cadence: '每月',
      expected: { cadence: 'monthly', dueDate: null, dueDay: 25, period: '2026-12', taskDue: '2026-12-25' },
    },
    {
      category: '思想建设',
      content: '每季度讲一次廉政党课',
      leader: '李书记',
      owners: '李书记',
      due: '季末',
      cadence: '每季度',
      expected: { cadence: 'quarterly', dueDate: null, dueDay: null, ...q4 },
    },
    {
      category: '思想建设',
      content: '组织党员参加警示教育，观看警示教育片并撰写心得体会',
      leader: '李书记',
      owners: '王纪检、张组织',
      due: xlDate(2026, 12, 20),
      cadence: '一次性',
      expected: { cadence: 'once', dueDate: '2026-12-20', dueDay: null, period: 'once', taskDue: '2026-12-20' },
    },
    {
      category: '思想建设',
      content: '开展理论学习中心组学习，每月至少集中学习一次并留存学习记录',
      leader: '李书记',
      owners: '张组织',
      due: '',
      cadence: '每月',
      expected: { cadence: 'monthly', dueDate: null, dueDay: null, ...dec },
    },
    {
      category: '组织建设',
      content: '落实谈心谈话制度，支委与分管党员谈心谈话全覆盖',
      leader: '李书记',
      owners: '王纪检、张组织',
      due: '',
      cadence: '每半年',
      expected: { cadence: 'half_yearly', dueDate: null, dueDay: null, period: '2026H2', taskDue: '2026-12-31' },
    },
    {
      category: '组织建设',
      content: '严格落实“三会一课”制度，规范会议记录',
      leader: '张组织',
      owners: '张组织',
      due: '',
      cadence: '每月',
      expected: { cadence: 'monthly', dueDate: null, dueDay: null, ...dec },
    },
    {
      category: '组织建设',
      content: '召开年度组织生活会，开展民主评议党员',
      leader: '李书记',
      owners: '张组织',
      due: '2026年12月25日',
      cadence: '一次性',
      expected: { cadence: 'once', dueDate: '2026-12-25', dueDay: null, period: 'once', taskDue: '2026-12-25' },
    },
    {
      category: '组织建设',
      content: '按时足额收缴党费，每季度公示党费收缴情况',
      leader: '张组织',
      owners: '赵党员',
      due: '',
      cadence: '每季度',
      expected: { cadence: 'quarterly', dueDate: null, dueDay: null, ...q4 },
    },
    {
      category: '作风建设',
      content: '落实中央八项规定及其实施细则精神，元旦春节前开展廉政提醒',
      leader: '王纪检',
      owners: '王纪检',
      due: '',
      cadence: '每年',
      expected: { cadence: 'yearly', dueDate: null, dueDay: null, period: '2026', taskDue: '2026-12-31' },
    },
    {
      category: '作风建设',
      content: '开展形式主义、官僚主义问题自查自纠，形成自查报告',
      leader: '王纪检',
      owners: '赵党员、钱党员',
      due: '2026/12/31',
      cadence: '一次性',
      expected: { cadence: 'once', dueDate: '2026-12-31', dueDay: null, period: 'once', taskDue: '2026-12-31' },
    },
    {
      category: '纪律建设',
      content: '开展岗位廉政风险点排查，逐岗制定防控措施',
      leader: '王纪检',
      owners: '王纪检、张组织',
      due: '',
      cadence: '每年',
      expected: { cadence: 'yearly', dueDate: null, dueDay: null, period: '2026', taskDue: '2026-12-31' },
    },
    {
      category: '纪律建设',
      content: '组织学习《中国共产党纪律处分条例》，开展党纪学习教育',
      leader: '王纪检',
      owners: '钱党员',
      due: '',
      cadence: '每半年',
      expected: { cadence: 'half_yearly', dueDate: null, dueDay: null, period: '2026H2', taskDue: '2026-12-31' },
    },
    {
      category: '纪律建设',
      content: '对照巡察反馈问题开展整改“回头看”，巩固整改成果',
      leader: '李书记',
      owners: '王纪检',
      due: xlDate(2026, 12, 15),
      cadence: '一次性',
      expected: { cadence: 'once', dueDate: '2026-12-15', dueDay: null, period: 'once', taskDue: '2026-12-15' },
    },
    {
      category: '纪律建设',
      content: '如实报告个人有关事项，接受组织监督',
      leader: '李书记',
      owners: '赵党员',
      due: '',
      cadence: '每年',
      expected: { cadence: 'yearly', dueDate: null, dueDay: null, period: '2026', taskDue: '2026-12-31' },
    },
  ];
}

/** The fixture rows as cells under DUTY_LIST_HEADERS. */
export function dutyCells(rows: DutyFixtureRow[]): ExcelJS.CellValue[][] {
  return rows.map((r, i) => [i + 1, r.category, r.content, r.leader, r.owners, r.due, r.cadence]);
}

/** The 主体责任清单 .xlsx (title row, header row, the rows). */
export function dutyListXlsx(rows: DutyFixtureRow[] = dutyListRows(), title = DUTY_LIST_TITLE): Promise<Buffer> {
  return ledgerXlsx({ title, headers: DUTY_LIST_HEADERS, rows: dutyCells(rows), sheetName: '主体责任清单' });
}
