/**
 * The members register's rules (src/features/membership/register-rules.ts): each edit typed after
 * `/党员 @某人` read into its patch or refused with the reason; the register's dates (a year, a real
 * day, not in the future); an entry that cannot stand (a 预备党员 on the 支委 or with a 转正 date,
 * 转正 before 入党, a 组长 without a 党小组); the counts and rows as the register card shows them.
 */
import { describe, expect, it } from 'vitest';
import {
  changedFields,
  checkEntry,
  compareGroups,
  describeEntry,
  parseRegisterDate,
  parseRegisterEdit,
  type RegisterEntry,
  registerCounts,
  registerRow,
  sortRegister,
} from '../../src/features/membership/register-rules.ts';

const TODAY = '2026-12-02';

const entry = (o: Partial<RegisterEntry> = {}): RegisterEntry => ({
  category: 'full',
  committee_post: null,
  party_group: null,
  group_leader: 0,
  joined_on: null,
  confirmed_on: null,
  post: null,
  quorum_exempt: null,
  ...o,
});

describe('register dates', () => {
  it.each([
    ['2020-07-01', '2020-07-01'],
    ['2020/7/1', '2020-07-01'],
    ['2020年7月1日', '2020-07-01'],
    ['２０２０年７月１日', '2020-07-01'],
    ['2026-12-02', '2026-12-02'],
  ])('%s reads as %s', (text, date) => {
    expect(parseRegisterDate(text, TODAY)).toEqual({ date });
  });

  it.each([
    ['7月1日', '不是有效日期'],
    ['2020-02-30', '不是有效日期'],
    ['昨天', '不是有效日期'],
    ['2026-12-03', '还没有到'],
  ])('%s is refused (%s)', (text, reason) => {
    const r = parseRegisterDate(text, TODAY);
    expect('error' in r && r.error).toContain(reason);
  });
});

describe('reading an edit', () => {
  it.each([
    ['预备党员', '', { category: 'probationary', confirmed_on: null }],
    ['预备', '', { category: 'probationary', confirmed_on: null }],
    ['正式党员', '', { category: 'full' }],
    ['正式党员', '转正 2026-11-30', { category: 'full', confirmed_on: '2026-11-30' }],
    ['转正', '2026年11月30日', { category: 'full', confirmed_on: '2026-11-30' }],
    ['支委', '组织委员', { committee_post: 'organizer' }],
    ['支委', '书记', { committee_post: 'secretary' }],
    ['支委', '委员', { committee_post: 'member' }],
    ['支委', '无', { committee_post: null }],
    ['党小组', '第一党小组', { party_group: '第一党小组', group_leader: 0 }],
    ['党小组', '第一党小组 组长', { party_group: '第一党小组', group_leader: 1 }],
    ['党小组', '无', { party_group: null, group_leader: 0 }],
    ['入党', '2020-07-01', { joined_on: '2020-07-01' }],
    ['职务', '办公室 主任', { post: '办公室 主任' }],
    ['职务', '无', { post: null }],
    ['不计应到', '长期病假', { quorum_exempt: '长期病假' }],
    ['计入应到', '', { quorum_exempt: null }],
  ])('%s %s', (field, rest, patch) => {
    const r = parseRegisterEdit(field, rest, TODAY);
    expect('patch' in r && r.patch).toEqual(patch);
  });

  it.each([
    ['党委', '', '不认识的名册项“党委”'],
    ['支委', '组长', '不认识的支委职务“组长”'],
    ['支委', '', '请写明支委职务'],
    ['预备党员', '2026-01-01', '不需要其他内容'],
    ['正式党员', '2026-11-30', '转正日期请写成'],
    ['入党', '下个月', '不是有效日期'],
    ['入党', '2027-01-01', '还没有到'],
    ['党小组', '', '请写明党小组名称'],
    ['党小组', '一个名字非常非常长的党小组一个名字非常非常长的', '党小组名称太长'],
    ['职务', '', '请写明职务'],
    ['不计应到', '', '请写明不计入党员大会应到人数的理由'],
    ['计入应到', '现在', '不需要其他内容'],
  ])('%s %s is refused', (field, rest, reason) => {
    const r = parseRegisterEdit(field, rest, TODAY);
    expect('error' in r && r.error).toContain(reason);
  });
});

describe('an entry that can stand', () => {
  it.each([
    [entry({ category: 'probationary', committee_post: 'organizer' }), '不能担任支委'],
    [entry({ category: 'probationary', confirmed_on: '2026-01-01' }), '不能有转正日期'],
    [entry({ joined_on: '2020-07-01', confirmed_on: '2020-06-30' }), '早于入党日期'],
    [entry({ group_leader: 1 }), '需要先有党小组'],
  ])('%o is refused', (e, reason) => {
    expect(checkEntry(e)).toContain(reason);
  });

  it('a consistent entry passes', () => {
    const e = entry({ committee_post: 'organizer', party_group: '第一党小组', group_leader: 1 });
    expect(checkEntry({ ...e, joined_on: '2020-07-01', confirmed_on: '2021-07-01' })).toBeUndefined();
    expect(checkEntry(entry({ category: 'probationary', joined_on: '2026-06-30' }))).toBeUndefined();
  });

  it('only what differs is written', () => {
    expect(changedFields(entry({ party_group: '一组' }), { party_group: '一组', group_leader: 1 })).toEqual({
      group_leader: 1,
    });
    expect(changedFields(entry(), { category: 'full' })).toEqual({});
  });
});

describe('the register as shown', () => {
  const m = (id: number, name: string, o: Partial<RegisterEntry> = {}) => ({ id, name, ...entry(o) });
  const members = [
    m(1, '赵党员', { party_group: '第二党小组' }),
    m(2, '钱预备', { category: 'probationary', party_group: '第一党小组' }),
    m(3, '孙组织', { committee_post: 'organizer', party_group: '第一党小组', group_leader: 1 }),
    m(4, '李书记', { committee_post: 'secretary', joined_on: '2001-07-01', confirmed_on: '2002-07-01' }),
    m(5, '周病假', { quorum_exempt: '长期病假' }),
  ];

  it('lists the 支委 first by post, then by 党小组 with the 组长 first, then the rest', () => {
    expect(sortRegister(members).map((x) => x.name)).toEqual(['李书记', '孙组织', '钱预备', '赵党员', '周病假']);
  });

  it('counts 正式, 预备, 支委, each 党小组 with its 组长, and those not counted in 应到', () => {
    expect(registerCounts(members)).toEqual({
      full: 4,
      probationary: 1,
      committee: 2,
      groups: [
        { name: '第一党小组', size: 2, leader: '孙组织' },
        { name: '第二党小组', size: 1, leader: undefined },
      ],
      exempt: 1,
    });
  });

  it('shows a 预备党员 as such, the 组长 marked, the dates and the reason', () => {
    expect(registerRow(members[1] as (typeof members)[number])).toMatchObject({
      category: '预备党员',
      group: '第一党小组',
    });
    expect(registerRow(members[2] as (typeof members)[number])).toMatchObject({
      committee: '组织委员',
      group: '第一党小组（组长）',
    });
    expect(registerRow(members[3] as (typeof members)[number])).toMatchObject({
      joined: '2001-07-01',
      confirmed: '2002-07-01',
    });
    expect(registerRow(members[4] as (typeof members)[number]).exempt).toBe('长期病假');
    expect(
      describeEntry(entry({ category: 'full', confirmed_on: '2026-11-30', party_group: '一组', group_leader: 1 })),
    ).toBe('正式党员（2026-11-30 转正）；党小组：一组（组长）');
  });
});

describe('党小组 order', () => {
  it('sorts 第一, 第二 … 第十一 by number (Chinese or not), other names after', () => {
    const names = ['第十一党小组', '机关党小组', '第二党小组', '第十党小组', '第一党小组', '第三党小组'];
    expect([...names].sort(compareGroups)).toEqual([
      '第一党小组',
      '第二党小组',
      '第三党小组',
      '第十党小组',
      '第十一党小组',
      '机关党小组',
    ]);
    expect(['第10组', '第2组'].sort(compareGroups)).toEqual(['第2组', '第10组']);
  });
});
