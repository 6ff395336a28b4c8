/**
 * Spreadsheets as people send them: a 整改台账 .xlsx built with exceljs (title row above the
 * headers, real Excel dates next to dates typed as text) or a .csv (UTF-8 with a BOM), and the
 * realistic 20 rows of a party branch's inspection feedback used by the ledger tests.
 */
import ExcelJS from 'exceljs';

/** One row of the realistic ledger, with what the bot should make of it. */
export interface LedgerFixtureRow {
  source: string;
  problem: string;
  measures: string;
  leader: string;
  owner: string;
  /** As written in the cell: a real Excel date, or text. */
  deadline: Date | string;
  kind: string;
  /** What the bot should read; undefined for the rows that must be refused. */
  expected?: { deadline: string; kind: 'centralized' | 'long_term' };
}

const xlDate = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/**
 * 20 rows from a 巡察 feedback: the 7th (Excel row 9 under a title row) names 王五, who is not in
 * the org; the 14th (Excel row 16) has the impossible deadline 2026-13-45.
 */
export function inspectionLedgerRows(): LedgerFixtureRow[] {
  return [
    {
      source: '巡察',
      problem: '支部“三会一课”制度执行不规范，部分支委会未按期召开、会议记录不全',
      measures: '制定三会一课计划表，建立会议记录模板，逐月检查并补齐 2026 年记录',
      leader: '李书记',
      owner: '张组织',
      deadline: xlDate(2026, 12, 31),
      kind: '集中整改',
      expected: { deadline: '2026-12-31', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '党费收缴不及时，个别党员连续 3 个月未按时交纳党费',
      measures: '逐人核对党费基数，补缴欠交党费，建立按月提醒和公示制度',
      leader: '李书记',
      owner: '赵党员',
      deadline: '2026/12/31',
      kind: '集中整改',
      expected: { deadline: '2026-12-31', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '发展党员程序不严谨，部分入党积极分子培养考察记录缺失',
      measures: '对照发展党员工作细则逐项复核档案，补齐培养考察材料',
      leader: '李书记',
      owner: '张组织',
      deadline: '2027年1月15日',
      kind: '集中整改',
      expected: { deadline: '2027-01-15', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '公务接待超标准，存在陪餐人数超过规定的情况',
      measures: '清理 2025 年以来公务接待清单，严格执行接待审批单和“一事一单”',
      leader: '李书记',
      owner: '王纪检',
      deadline: xlDate(2026, 12, 20),
      kind: '集中整改',
      expected: { deadline: '2026-12-20', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '组织生活会批评与自我批评辣味不足，相互批评意见流于形式',
      measures: '会前深入谈心谈话，会上逐人开展批评，会后形成问题清单并跟踪',
      leader: '李书记',
      owner: '李书记',
      deadline: '2027年3月31日',
      kind: '长期整改',
      expected: { deadline: '2027-03-31', kind: 'long_term' },
    },
    {
      source: '巡察',
      problem: '主题党日活动内容单一，与业务工作结合不紧密',
      measures: '每季度围绕中心工作设计主题党日，年初列出活动计划',
      leader: '李书记',
      owner: '钱党员',
      deadline: xlDate(2027, 2, 28),
      kind: '长期整改',
      expected: { deadline: '2027-02-28', kind: 'long_term' },
    },
    {
      source: '巡察',
      problem: '廉政风险点排查不全面，防控措施针对性不强',
      measures: '重新梳理岗位廉政风险点，逐岗制定防控措施',
      leader: '李书记',
      owner: '王五',
      deadline: xlDate(2026, 12, 31),
      kind: '集中整改',
    },
    {
      source: '巡察',
      problem: '谈心谈话开展不经常，支委与党员谈心谈话覆盖面不足',
      measures: '建立谈心谈话台账，支委每半年与分管党员谈心谈话全覆盖',
      leader: '李书记',
      owner: '王纪检',
      deadline: '2026/12/25',
      kind: '',
      expected: { deadline: '2026-12-25', kind: 'centralized' },
    },
    {
      source: '自查',
      problem: '意识形态工作责任制落实不到位，未定期分析研判意识形态形势',
      measures: '每半年专题研究意识形态工作，形成分析研判报告',
      leader: '李书记',
      owner: '孙党员',
      deadline: '2027-06-30',
      kind: '长期整改',
      expected: { deadline: '2027-06-30', kind: 'long_term' },
    },
    {
      source: '巡察',
      problem: '公车使用管理不规范，存在派车单填写不完整的情况',
      measures: '修订公务用车管理办法，派车单逐项填写并每月核对里程',
      leader: '李书记',
      owner: '钱党员',
      deadline: xlDate(2026, 12, 15),
      kind: '集中整改',
      expected: { deadline: '2026-12-15', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '支部委员会超期未换届，换届工作启动不及时',
      measures: '向上级党组织请示，按程序完成支部委员会换届选举',
      leader: '李书记',
      owner: '张组织',
      deadline: '2027年1月31日',
      kind: '集中整改',
      expected: { deadline: '2027-01-31', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '党建工作与业务工作“两张皮”问题仍然存在',
      measures: '将党建工作纳入部门绩效考核，支委会每季度同步研究党建和业务',
      leader: '李书记',
      owner: '李书记',
      deadline: xlDate(2027, 6, 30),
      kind: '长期整改',
      expected: { deadline: '2027-06-30', kind: 'long_term' },
    },
    {
      source: '审计',
      problem: '办公用房超标准问题整改不彻底',
      measures: '按标准重新核定办公用房，腾退超标面积并报备',
      leader: '李书记',
      owner: '孙党员',
      deadline: '2026/12/31',
      kind: '集中整改',
      expected: { deadline: '2026-12-31', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '民主评议党员工作走过场，评议结果运用不充分',
      measures: '规范民主评议程序，评议结果与评先评优挂钩',
      leader: '李书记',
      owner: '赵党员',
      deadline: '2026-13-45',
      kind: '集中整改',
    },
    {
      source: '审计',
      problem: '违规发放津贴补贴问题自查不深入',
      measures: '全面清理 2024 年以来津贴补贴发放情况，违规发放的予以清退',
      leader: '李书记',
      owner: '王纪检',
      deadline: xlDate(2026, 12, 10),
      kind: '集中整改',
      expected: { deadline: '2026-12-10', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '党务公开内容不全面、更新不及时',
      measures: '制定党务公开目录，按季度更新公开栏和线上公开内容',
      leader: '李书记',
      owner: '钱党员',
      deadline: '2027年3月1日',
      kind: '集中整改',
      expected: { deadline: '2027-03-01', kind: 'centralized' },
    },
    {
      source: '巡察',
      problem: '对巡察反馈问题整改主体责任认识不到位，整改台账更新滞后',
      measures: '书记履行第一责任人职责，每月召开整改推进会并更新台账',
      leader: '李书记',
      owner: '李书记',
      deadline: xlDate(2026, 12, 30),
      kind: '集中整改',
      expected: { deadline: '2026-12-30', kind: 'centralized' },
    },
    {
      source: '上级督查',
      problem: '落实中央八项规定精神监督检查不经常',
      measures: '纪检委员每季度开展一次专项监督检查，发现问题及时纠正',
      leader: '李书记',
      owner: '王纪检',
      deadline: '2027/03/31',
      kind: '长期整改',
      expected: { deadline: '2027-03-31', kind: 'long_term' },
    },
    {
      source: '巡察',
      problem: '党员发展计划执行不严，发展质量有待提高',
      measures: '严格执行年度发展计划，严把政治审查和入党积极分子培养关',
      leader: '李书记',
      owner: '赵党员',
      deadline: xlDate(2027, 4, 30),
      kind: '长期整改',
      expected: { deadline: '2027-04-30', kind: 'long_term' },
    },
    {
      source: '组织生活会',
      problem: '学习教育不够深入，理论学习中心组学习存在以读代学现象',
      measures: '制定年度学习计划，每次学习安排交流研讨，留存学习记录',
      leader: '李书记',
      owner: '孙党员',
      deadline: '2026年12月31日',
      kind: '集中整改',
      expected: { deadline: '2026-12-31', kind: 'centralized' },
    },
  ];
}

export const LEDGER_HEADERS = [
  '序号',
  '问题来源',
  '问题描述',
  '整改措施',
  '责任领导',
  '责任人',
  '整改时限',
  '整改类型',
];

/** The fixture rows as cells under LEDGER_HEADERS. */
export function ledgerCells(rows: LedgerFixtureRow[]): ExcelJS.CellValue[][] {
  return rows.map((r, i) => [i + 1, r.source, r.problem, r.measures, r.leader, r.owner, r.deadline, r.kind]);
}

/** An .xlsx with an optional merged title row above the header row. */
export async function ledgerXlsx(o: {
  title?: string;
  headers: string[];
  rows: ExcelJS.CellValue[][];
  sheetName?: string;
}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'WPS 表格';
  const ws = wb.addWorksheet(o.sheetName ?? '整改台账');
  if (o.title) {
    ws.addRow([o.title]);
    ws.mergeCells(1, 1, 1, o.headers.length);
    ws.getRow(1).font = { bold: true, size: 16 };
  }
  ws.addRow(o.headers).font = { bold: true };
  for (const r of o.rows) {
    const row = ws.addRow(r);
    r.forEach((v, i) => {
      if (v instanceof Date) row.getCell(i + 1).numFmt = 'yyyy"年"m"月"d"日"';
    });
  }
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A .csv (RFC 4180 quoting, CRLF), UTF-8 with a BOM unless `bom` is false. */
export function ledgerCsv(o: { headers: string[]; rows: string[][]; bom?: boolean }): Buffer {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = [o.headers, ...o.rows].map((r) => r.map(field).join(',')).join('\r\n');
  return Buffer.concat([
    o.bom === false ? Buffer.alloc(0) : Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(text, 'utf8'),
  ]);
}
