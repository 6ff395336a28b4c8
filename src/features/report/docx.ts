/**
 * The year's 主体责任落实情况报告 as an editable Word file (.docx, written with the maintained `docx`
 * package), in the usual layout of a Chinese official report (党政机关公文格式 GB/T 9704 as commonly
 * applied): A4 with margins 3.7 / 3.5 / 2.8 / 2.6 cm; the title in 方正小标宋简体 二号, centred; the
 * headings 一、二、三、 in 黑体 三号; the body in 仿宋_GB2312 三号 with a first-line indent of two characters
 * and a fixed 28-point line spacing; the org and date at the end; the page number "— N —" at the
 * foot; then the 附表 (one table per figure source) on a new page.
 */
import {
  AlignmentType,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import type { Appendix, Report } from './rules.ts';

/** Font sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 五号 10.5 pt. */
const SIZE = { erhao: 44, sanhao: 32, sihao: 28, wuhao: 21 } as const;
const FONT = {
  title: '方正小标宋简体',
  heading: '黑体',
  body: '仿宋_GB2312',
  kai: '楷体_GB2312',
  latin: 'Times New Roman',
} as const;
/** 1 cm in twips. */
const CM = 567;
/** A4 in twips, and the text width between the margins. */
const PAGE = { width: 11906, height: 16838, top: Math.round(3.7 * CM), bottom: Math.round(3.5 * CM) } as const;
const MARGIN = { left: Math.round(2.8 * CM), right: Math.round(2.6 * CM) } as const;
const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** Fixed line spacing of the body: 28 points. */
const LINE = { line: 560, lineRule: LineRuleType.EXACT } as const;

/**
 * Characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/U+FFFF): a user's text carrying
 * one would make Word refuse the whole file, so they are dropped.
 */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` as a Word document can hold it. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

function run(text: string, font: string, size: number, bold = false): TextRun {
  return new TextRun({
    text: xmlSafe(text),
    bold,
    size,
    font: { eastAsia: font, ascii: FONT.latin, hAnsi: FONT.latin, cs: FONT.latin },
  });
}

function body(text: string): Paragraph {
  return new Paragraph({
    children: [run(text, FONT.body, SIZE.sanhao)],
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLineChars: 200, firstLine: 2 * 320 },
    spacing: LINE,
  });
}

function heading(text: string): Paragraph {
  return new Paragraph({
    children: [run(text, FONT.heading, SIZE.sanhao)],
    indent: { firstLineChars: 200, firstLine: 2 * 320 },
    spacing: LINE,
    keepNext: true,
  });
}

function blank(): Paragraph {
  return new Paragraph({ children: [run('', FONT.body, SIZE.sanhao)], spacing: LINE });
}

/** Relative widths: the columns holding text get three shares, the others one. */
const WIDE = new Set(['主题', '任务', '问题', '情况']);

function appendixTable(a: Appendix): Table {
  const weights = a.columns.map((c) => (WIDE.has(c) ? 3 : 1));
  const total = weights.reduce((n, w) => n + w, 0);
  const widths = weights.map((w) => Math.floor((TEXT_WIDTH * w) / total));
  const cellOf = (text: string, i: number, head: boolean) =>
    new TableCell({
      width: { size: widths[i] ?? 1000, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      children: [
        new Paragraph({
          alignment: head ? AlignmentType.CENTER : AlignmentType.LEFT,
          children: [run(text, head ? FONT.heading : FONT.body, SIZE.wuhao)],
        }),
      ],
    });
  const rows = [
    new TableRow({ tableHeader: true, children: a.columns.map((c, i) => cellOf(c, i, true)) }),
    ...(a.rows.length > 0
      ? a.rows.map((r) => new TableRow({ children: r.map((v, i) => cellOf(v, i, false)) }))
      : [
          new TableRow({
            children: [
              new TableCell({
                columnSpan: a.columns.length,
                children: [
                  new Paragraph({ alignment: AlignmentType.CENTER, children: [run('无记录', FONT.body, SIZE.wuhao)] }),
                ],
              }),
            ],
          }),
        ]),
  ];
  return new Table({ width: { size: TEXT_WIDTH, type: WidthType.DXA }, columnWidths: widths, rows });
}

/** "2026年12月2日" */
export function chineseDate(d: string): string {
  const [y, m, day] = d.split('-');
  return `${y}年${Number(m)}月${Number(day)}日`;
}

/** The report as a .docx file. */
export async function reportDocx(r: Report): Promise<Buffer> {
  const main: (Paragraph | Table)[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { line: 700, lineRule: LineRuleType.EXACT },
      children: [run(r.title, FONT.title, SIZE.erhao)],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: LINE,
      children: [run(`（根据清风记录汇总，截至${chineseDate(r.today)}）`, FONT.kai, SIZE.sanhao)],
    }),
    blank(),
  ];
  for (const s of r.sections) {
    if (s.heading) main.push(heading(s.heading));
    for (const p of s.paragraphs) main.push(body(p));
  }
  main.push(blank(), blank());
  for (const line of [r.orgName, chineseDate(r.today)])
    main.push(
      new Paragraph({
        alignment: AlignmentType.RIGHT,
        indent: { right: 4 * 320 },
        spacing: LINE,
        children: [run(line, FONT.body, SIZE.sanhao)],
      }),
    );

  const appendix: (Paragraph | Table)[] = [];
  r.appendices.forEach((a, i) => {
    appendix.push(
      new Paragraph({
        pageBreakBefore: i === 0,
        spacing: { before: i === 0 ? 0 : 240, after: 120, ...LINE },
        children: [run(a.title, FONT.heading, SIZE.sanhao)],
        keepNext: true,
      }),
      appendixTable(a),
    );
  });

  const doc = new Document({
    creator: '清风',
    title: xmlSafe(r.title),
    description: `${xmlSafe(r.orgName)}${r.year}年度全面从严治党主体责任落实情况报告（根据记录汇总）`,
    styles: {
      default: {
        document: {
          run: {
            size: SIZE.sanhao,
            font: { eastAsia: FONT.body, ascii: FONT.latin, hAnsi: FONT.latin, cs: FONT.latin },
          },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: PAGE.top, bottom: PAGE.bottom, left: MARGIN.left, right: MARGIN.right },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({
                    children: ['— ', PageNumber.CURRENT, ' —'],
                    size: SIZE.sihao,
                    font: { eastAsia: '宋体', ascii: FONT.latin, hAnsi: FONT.latin },
                  }),
                ],
              }),
            ],
          }),
        },
        children: [...main, ...appendix],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
