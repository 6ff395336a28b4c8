// The report as an editable Word file (src/features/report/docx.ts, the `docx` package): a valid .docx
// (a zip holding [Content_Types].xml and word/document.xml, read here with jszip, the zip reader exceljs
// already brings), in the layout of a Chinese official report — the title in 方正小标宋简体 二号 centred,
// headings in 黑体, the body in 仿宋_GB2312 三号 with a first-line indent of two characters — holding the
// report's figures, the 附表, and user text (hostile included) as text, never as markup.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { reportDocx } from '../../src/features/report/docx.ts';
import { compileReport, type ReportInput } from '../../src/features/report/rules.ts';

const input = (title: string): ReportInput => ({
  orgName: '第一党支部',
  year: 2026,
  today: '2026-12-02',
  rules: [
    {
      key: 'committee_meeting',
      kind: 'committee',
      label: '支委会',
      name: '支部委员会会议',
      verb: '召开',
      frequency: 'month',
      source: '《中国共产党支部工作条例（试行）》（2018年）',
    },
  ],
  sessions: [
    {
      id: 7,
      category: 'meeting',
      kind: 'committee',
      label: '支委会',
      verb: '召开',
      title,
      date: '2026-03-10',
      state: 'held',
      stateText: '已召开',
      present: 5,
      invited: 6,
      leave: 1,
      minutesPending: false,
    },
  ],
  tasks: [
    {
      id: 3,
      content: '每月召开支委会',
      owner: '李书记',
      period: '2026-03',
      dueDate: '2026-03-31',
      status: 'accepted',
      statusLabel: '已完成（已验收）',
      required: '会议纪要',
      evidence: 1,
    },
  ],
  rects: [],
  reminders: [
    {
      key: 'holiday-reminder|org:1|春节@2026',
      holiday: '春节',
      claimedOn: '2026-02-09',
      state: 'sent',
      sentOn: '2026-02-09',
    },
  ],
});

/** Unzips a .docx and returns its parts' names and the main document's XML. */
async function open(bytes: Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')?.async('string');
  return { names: Object.keys(zip.files), xml: xml ?? '' };
}

/** The text of the document: every w:t, joined per paragraph. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...(p[0] as string).matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
  );
}

const unescapeXml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');

describe('the report as a .docx', () => {
  it('is a valid Word file holding the report’s figures and its 附表', async () => {
    const report = compileReport(input('3月支委会'));
    const bytes = await reportDocx(report);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const { names, xml } = await open(bytes);
    expect(names).toEqual(expect.arrayContaining(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']));
    const text = paragraphs(xml);
    expect(text[0]).toBe('第一党支部2026年度全面从严治党主体责任落实情况报告');
    expect(text).toContain('一、组织生活和学习教育制度落实情况');
    expect(text.join('\n')).toContain(
      '支委会：按规定每月召开支部委员会会议，全年应召开 12 次，已召开 1 次（记录 #7，见附表1）',
    );
    expect(text.join('\n')).toContain('其中已完成并经验收 1 项（记录 #3，见附表3）');
    expect(text.join('\n')).toContain('春节（2026-02-09）');
    for (const a of report.appendices) expect(text).toContain(a.title);
    expect(text).toContain('#7');
    expect(text).toContain('3月支委会');
    expect(text).toContain('2026年12月2日');
  });

  it('is laid out as an official report: fonts, sizes, centred title, indent of two characters, A4', async () => {
    const { xml } = await open(await reportDocx(compileReport(input('3月支委会'))));
    const title = /<w:p[ >][\s\S]*?<\/w:p>/.exec(xml)?.[0] ?? '';
    expect(title).toContain('w:eastAsia="方正小标宋简体"');
    expect(title).toContain('<w:sz w:val="44"/>');
    expect(title).toContain('<w:jc w:val="center"/>');
    const heading = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
      .map((m) => m[0])
      .find((p) => p.includes('一、组织生活'));
    expect(heading).toContain('w:eastAsia="黑体"');
    const body = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
      .map((m) => m[0])
      .find((p) => p.includes('支委会：按规定'));
    expect(body).toContain('w:eastAsia="仿宋_GB2312"');
    expect(body).toContain('<w:sz w:val="32"/>');
    expect(body).toMatch(/w:firstLineChars="200"/);
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toContain('<w:tbl>');
  });

  it('drops characters XML cannot hold, so Word still opens the file', async () => {
    const { xml } = await open(await reportDocx(compileReport(input('支委会\u0001\u0008\uFFFF\uD800会议😀'))));
    for (const c of ['\u0001', '\u0008', '\uFFFF']) expect(xml).not.toContain(c);
    expect(paragraphs(xml)).toContain('支委会会议😀');
  });

  it('keeps user text as text: markup in a title is escaped, not interpreted', async () => {
    const hostile = '</w:t></w:r><w:r><w:t>注入 & "引号" <b>';
    const { xml } = await open(await reportDocx(compileReport(input(hostile))));
    expect(xml).not.toContain('<w:t>注入');
    expect(paragraphs(xml).map(unescapeXml)).toContain(hostile.replace(/\s+/g, ' ').trim());
  });
});
