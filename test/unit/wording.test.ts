/**
 * The words officials read (issue 13, item 7): the verb follows the meeting or study kind (召开 a
 * meeting, 讲 a 党课, 开展 education and the 主题党日, 组织 the 中心组学习); every default rule cites its
 * regulation by full title in 《》 with its year, or says it is practice; rows stored with the old
 * citation text are shown with the new; a title that starts with its kind is not prefixed with it
 * again; only leading cadres are asked about 一岗双责 in the 季季报.
 */
import { describe, expect, it } from 'vitest';
import { isLeadingCadre } from '../../src/features/duties/model.ts';
import { buildQuarterlyAskCard } from '../../src/features/duties/task-card.ts';
import {
  basisOf,
  citationOf,
  DEFAULT_RULES,
  kindLabel,
  MEETING_KINDS,
  PRACTICE,
  REGULATIONS,
  STUDY_KINDS,
  sessionHeading,
  sessionName,
  verbFor,
} from '../../src/features/meetings/model.ts';

describe('verbFor', () => {
  const expected: Record<string, string> = {
    special: '召开',
    general: '召开',
    committee: '召开',
    group: '召开',
    lecture: '讲',
    theme_day: '开展',
    life_meeting: '召开',
    democratic_life: '召开',
    central_group: '组织',
    integrity: '开展',
    warning: '开展',
    topic: '开展',
  };
  it.each([...MEETING_KINDS, ...STUDY_KINDS])('%s', (kind) => {
    expect(verbFor(kind)).toBe(expected[kind]);
  });
  it('covers every kind, and no 党课 or education is 召开', () => {
    expect(Object.keys(expected).sort()).toEqual([...MEETING_KINDS, ...STUDY_KINDS].sort());
    for (const kind of ['lecture', 'warning', 'integrity', 'theme_day', 'central_group', 'topic']) {
      expect(`${verbFor(kind)}${kindLabel(kind)}`).not.toContain('召开');
    }
    expect(`${verbFor('lecture')}${kindLabel('lecture')}`).toBe('讲党课');
    expect(`${verbFor('warning')}${kindLabel('warning')}`).toBe('开展警示教育');
  });
});

describe('citations', () => {
  it('names the three regulations exactly', () => {
    expect(REGULATIONS).toEqual({
      duty: '《党委（党组）落实全面从严治党主体责任规定》（2020年）',
      branch: '《中国共产党支部工作条例（试行）》（2018年）',
      centralGroup: '《中国共产党党委（党组）理论学习中心组学习规则》（2017年）',
    });
  });

  it.each(DEFAULT_RULES.map((r) => [r.key, r] as const))(
    '%s cites a regulation in 《》 with its year, or practice',
    (_k, r) => {
      if (r.source === PRACTICE) {
        expect(basisOf(r.source)).toBe('常见做法');
        return;
      }
      expect(r.source).toMatch(/^《[^《》]+》（\d{4}年）$/);
      expect(Object.values(REGULATIONS)).toContain(r.source);
      expect(basisOf(r.source)).toBe(`依据：${r.source}`);
    },
  );

  it('each rule cites the regulation it comes from', () => {
    const source = Object.fromEntries(DEFAULT_RULES.map((r) => [r.key, r.source]));
    expect(source).toEqual({
      special_meeting: REGULATIONS.duty,
      general_meeting: REGULATIONS.branch,
      committee_meeting: REGULATIONS.branch,
      group_meeting: REGULATIONS.branch,
      party_lecture: REGULATIONS.branch,
      theme_day: REGULATIONS.branch,
      life_meeting: REGULATIONS.branch,
      central_group: REGULATIONS.centralGroup,
      warning_education: PRACTICE,
    });
  });

  it('shows rows stored with the old text with the full citation', () => {
    expect(citationOf('党委（党组）落实全面从严治党主体责任规定')).toBe(REGULATIONS.duty);
    expect(citationOf('中国共产党支部工作条例（试行）')).toBe(REGULATIONS.branch);
    expect(citationOf('中国共产党党委（党组）理论学习中心组学习规则')).toBe(REGULATIONS.centralGroup);
    expect(basisOf('党风廉政建设实践')).toBe('常见做法');
    expect(citationOf(REGULATIONS.branch)).toBe(REGULATIONS.branch);
    expect(citationOf('本单位规定')).toBe('本单位规定');
  });
});

describe('titles', () => {
  it.each([
    ['general', '支部党员大会：第一季度', '支部党员大会：第一季度', '“支部党员大会：第一季度”'],
    ['general', '党员大会：选举', '党员大会：选举', '“党员大会：选举”'],
    ['general', '接收预备党员', '党员大会：接收预备党员', '党员大会“接收预备党员”'],
    ['committee', '支部委员会会议（12月）', '支部委员会会议（12月）', '“支部委员会会议（12月）”'],
    ['committee', '12月支委会', '支委会：12月支委会', '支委会“12月支委会”'],
    ['special', '全面从严治党专题会议（上半年）', '全面从严治党专题会议（上半年）', '“全面从严治党专题会议（上半年）”'],
    ['lecture', '党课：守纪律讲规矩', '党课：守纪律讲规矩', '“党课：守纪律讲规矩”'],
    ['central_group', '理论学习中心组第3次集体学习', '理论学习中心组第3次集体学习', '“理论学习中心组第3次集体学习”'],
    ['warning', '观看警示教育片', '警示教育：观看警示教育片', '警示教育“观看警示教育片”'],
  ])('%s “%s”', (kind, title, heading, name) => {
    expect(sessionHeading(kind, title)).toBe(heading);
    expect(sessionName(kind, title)).toBe(name);
  });

  it.each([...MEETING_KINDS, ...STUDY_KINDS])('%s: a title starting with the kind gets it once', (kind) => {
    const title = `${kindLabel(kind)}：第一次`;
    expect(sessionHeading(kind, title)).toBe(title);
    expect(sessionHeading(kind, title).split(kindLabel(kind))).toHaveLength(2);
  });
});

describe('一岗双责', () => {
  it.each([
    ['secretary', '李书记', [], true],
    ['deputy', '周副书记', [], true],
    ['inspector', '王纪检', [], true],
    ['organizer', '张组织', [], true],
    ['publicity', '吴宣传', [], true],
    ['member', '赵党员', ['李书记'], false],
    ['observer', '上级', [], false],
    ['member', '孙班子', ['李书记', '王纪检、孙班子'], true],
    ['member', '孙', ['孙班子'], false],
    ['member', '', [''], false],
  ] as const)('%s %s (责任领导 %j): %s', (role, name, leaders, expected) => {
    expect(isLeadingCadre({ role, name }, leaders)).toBe(expected);
  });
  it('no member row: not a leader', () => {
    expect(isLeadingCadre(undefined, ['李书记'])).toBe(false);
  });

  const text = (o: { leader: boolean; items: string[] }) =>
    JSON.stringify(buildQuarterlyAskCard({ orgId: 1, quarter: '2026Q4', end: '2026-12-31', ...o }));
  it('asks a leader about 一岗双责, an owner about the items they own', () => {
    expect(text({ leader: true, items: ['每月召开支委会'] })).toContain('履行“一岗双责”的情况');
    const owner = text({ leader: false, items: ['组织党员参加警示教育', '召开年度组织生活会'] });
    expect(owner).not.toContain('一岗双责');
    expect(owner).toContain('本季度您负责的主体责任任务的落实情况');
    expect(owner).toContain('组织党员参加警示教育');
    expect(owner).toContain('召开年度组织生活会');
  });
  it('lists at most 10 items and counts the rest', () => {
    const many = text({ leader: false, items: Array.from({ length: 14 }, (_, i) => `任务${i + 1}号`) });
    expect(many).toContain('任务10号');
    expect(many).not.toContain('任务11号');
    expect(many).toContain('…共 14 项');
  });
});
