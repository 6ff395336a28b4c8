// The talk register's pure rules (src/features/talks/model.ts, rules.ts): reading a kind, a number and a
// year; who may record which kind (谈心谈话 every member, the 廉政 kinds and 提醒谈话 the 书记, 纪检委员 and
// other 支委, observers nothing); what a talk must hold (a date not in the future, a place, notes within
// one input, another party); who sees a talk and its notes, who withdraws it; 双方确认 or 待确认（n/m）.
import { describe, expect, it } from 'vitest';
import { parseKind, parseTalkId, parseYear, TALK_KINDS } from '../../src/features/talks/model.ts';
import {
  checkTalk,
  confirmationOf,
  inviteText,
  kindsFor,
  mayReadNotes,
  mayView,
  mayWithdraw,
  recordRefusal,
  seesAllTalks,
  type TalkInput,
} from '../../src/features/talks/rules.ts';

const TODAY = '2026-12-02';

describe('reading what people type', () => {
  it.each([
    ['谈心谈话', 'heart'],
    ['谈心', 'heart'],
    ['廉政谈话', 'integrity'],
    ['任前廉政谈话', 'pre_appointment'],
    ['任前', 'pre_appointment'],
    ['提醒谈话', 'reminder'],
    ['节前廉政谈话', 'holiday'],
    [' 节前 ', 'holiday'],
    ['聊天', undefined],
    ['heart', undefined],
  ])('kind %s → %s', (word, kind) => expect(parseKind(word)).toBe(kind));

  it.each([
    ['3', 3],
    ['#12', 12],
    ['＃7', 7],
    ['0', undefined],
    ['三', undefined],
    ['1234567890', undefined],
  ])('number %s → %s', (word, id) => expect(parseTalkId(word)).toBe(id));

  it.each([
    ['2026', 2026],
    ['2025年', 2025],
    ['2027', 2027],
    ['2028', undefined],
    ['1999', undefined],
    ['26', undefined],
  ])('year %s → %s (today %s)', (word, year) => expect(parseYear(word, TODAY)).toBe(year));
});

describe('who may record which kind', () => {
  const plain = { role: 'member' as const, committeePost: null };
  it('a plain member records 谈心谈话 only, and is told who holds the others', () => {
    expect(recordRefusal('heart', plain)).toBeUndefined();
    for (const k of ['integrity', 'pre_appointment', 'reminder', 'holiday'] as const)
      expect(recordRefusal(k, plain)).toMatch(/由书记、纪检委员或其他支委进行并记录/);
    expect(kindsFor(plain, TALK_KINDS)).toEqual(['heart']);
  });

  it('the 书记, 纪检委员, the other admins, a 宣传委员 and a 支委 without a role record every kind', () => {
    for (const role of ['secretary', 'deputy', 'inspector', 'organizer', 'publicity'] as const)
      expect(kindsFor({ role, committeePost: null }, TALK_KINDS)).toEqual([...TALK_KINDS]);
    expect(kindsFor({ role: 'member', committeePost: 'member' }, TALK_KINDS)).toEqual([...TALK_KINDS]);
  });

  it('an observer, or someone with no role, records nothing', () => {
    expect(recordRefusal('heart', { role: 'observer', committeePost: null })).toBe('观察员不记录谈话。');
    expect(kindsFor({ role: undefined, committeePost: null }, TALK_KINDS)).toEqual([]);
  });
});

describe('what a recorded talk holds', () => {
  const input = (o: Partial<TalkInput> = {}): TalkInput => ({
    kind: 'heart',
    heldOn: '2026-12-01',
    place: '  党建活动室 ',
    notes: '',
    parties: ['ou_a'],
    ...o,
  });
  const error = (o: Partial<TalkInput>) => {
    const r = checkTalk(input(o), 'ou_me', TODAY);
    return 'error' in r ? r.error : 'ok';
  };

  it('keeps a good talk, trimmed; the recorder and a repeated party drop out; empty notes are none', () => {
    expect(checkTalk(input({ parties: ['ou_a', 'ou_me', 'ou_a', 'ou_b'] }), 'ou_me', TODAY)).toEqual({
      ok: { kind: 'heart', heldOn: '2026-12-01', place: '党建活动室', notes: null, parties: ['ou_a', 'ou_b'] },
    });
    const withNotes = checkTalk(input({ notes: ' 谈了思想 ', heldOn: TODAY }), 'ou_me', TODAY);
    expect(withNotes).toMatchObject({ ok: { notes: '谈了思想', heldOn: TODAY } });
  });

  it.each<[string, Partial<TalkInput>, string | RegExp]>([
    ['no kind', { kind: undefined }, /请选择谈话类型/],
    ['no date', { heldOn: undefined }, '请选择谈话日期。'],
    ['an impossible date', { heldOn: '2026-02-30' }, '请选择谈话日期。'],
    ['tomorrow', { heldOn: '2026-12-03' }, '谈话日期 2026-12-03 还没有到，只能记录已进行的谈话。'],
    ['last century', { heldOn: '1999-12-31' }, /不正确/],
    ['no place', { place: '   ' }, '请填写谈话地点。'],
    ['a place of 101 characters', { place: '室'.repeat(101) }, /最多 100 个字/],
    ['notes of 1001 characters', { notes: '要'.repeat(1001) }, /最多 1000 个字/],
    ['nobody else', { parties: ['ou_me'] }, '请选择谈话对象（不含您本人）。'],
    ['21 parties', { parties: Array.from({ length: 21 }, (_, i) => `ou_${i}`) }, /最多记录 20 名/],
  ])('refuses %s', (_what, o, message) => {
    const e = error(o);
    if (typeof message === 'string') expect(e).toBe(message);
    else expect(e).toMatch(message);
  });

  it('takes notes of exactly 1000 characters and 20 parties', () => {
    expect(error({ notes: '要'.repeat(1000), parties: Array.from({ length: 20 }, (_, i) => `ou_${i}`) })).toBe('ok');
  });
});

describe('who sees a talk, its notes, and withdraws it', () => {
  const talk = { recorder: 'ou_rec', parties: ['ou_party'] };
  const as = (openId: string, role: 'secretary' | 'inspector' | 'organizer' | 'deputy' | 'member' | 'observer') => ({
    openId,
    role,
  });

  it('notes: the recorder, the 书记 and the 纪检委员; never the other party, another admin or a member', () => {
    expect(mayReadNotes(talk, as('ou_rec', 'member'))).toBe(true);
    expect(mayReadNotes(talk, as('ou_sec', 'secretary'))).toBe(true);
    expect(mayReadNotes(talk, as('ou_ins', 'inspector'))).toBe(true);
    expect(mayReadNotes(talk, as('ou_party', 'member'))).toBe(false);
    expect(mayReadNotes(talk, as('ou_org', 'organizer'))).toBe(false);
    expect(mayReadNotes(talk, as('ou_dep', 'deputy'))).toBe(false);
    expect(mayReadNotes(talk, as('ou_x', 'member'))).toBe(false);
  });

  it('the talk: its parties and the admins; not another member or an observer', () => {
    expect(mayView(talk, as('ou_party', 'member'))).toBe(true);
    expect(mayView(talk, as('ou_rec', 'member'))).toBe(true);
    expect(mayView(talk, as('ou_org', 'organizer'))).toBe(true);
    expect(mayView(talk, as('ou_x', 'member'))).toBe(false);
    expect(mayView(talk, as('ou_obs', 'observer'))).toBe(false);
    expect([seesAllTalks('organizer'), seesAllTalks('member'), seesAllTalks('observer')]).toEqual([true, false, false]);
  });

  it('withdrawn by its recorder or the 书记 only', () => {
    expect(mayWithdraw(talk, as('ou_rec', 'member'))).toBe(true);
    expect(mayWithdraw(talk, as('ou_sec', 'secretary'))).toBe(true);
    expect(mayWithdraw(talk, as('ou_ins', 'inspector'))).toBe(false);
    expect(mayWithdraw(talk, as('ou_party', 'member'))).toBe(false);
  });
});

describe('confirmation', () => {
  const at = '2026-12-02T01:00:00.000Z';
  it.each([
    [[null], { confirmed: 0, total: 1, all: false, label: '待确认（0/1）' }],
    [[at, null], { confirmed: 1, total: 2, all: false, label: '待确认（1/2）' }],
    [[at], { confirmed: 1, total: 1, all: true, label: '双方确认' }],
    [[at, at, at], { confirmed: 3, total: 3, all: true, label: '双方确认' }],
    [[], { confirmed: 0, total: 0, all: false, label: '待确认（0/0）' }],
  ])('%j → %j', (confirmedAt, expected) => {
    expect(confirmationOf(confirmedAt.map((c) => ({ confirmedAt: c })))).toEqual(expected);
  });

  it('asks a party in words', () => {
    expect(inviteText({ recorder: '李书记', heldOn: '2026-12-01', kind: 'heart', place: '党建活动室' })).toBe(
      '李书记 于 2026年12月1日 与您进行了谈心谈话（党建活动室）。如属实，请点击确认。',
    );
  });
});
