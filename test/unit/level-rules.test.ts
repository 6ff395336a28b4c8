/**
 * Rules by level (issue 15 item 3, docs/domain.md "Levels"): a 党委（党组）owes the 专题会议 and
 * 中心组学习, a 支部 三会一课, 主题党日 and 组织生活会, both the rest; an org without a level owes every
 * rule, as before. And the hierarchy's cards at their largest pass the emulator's card checker.
 */
import { describe, expect, it } from 'vitest';
import { ORG_LEVELS, type OrgLevel } from '../../src/db/schema/org.ts';
import { ruleAppliesAt, rulesForLevel } from '../../src/features/hierarchy/level-rules.ts';
import {
  buildChildrenCard,
  buildLinkRequestCard,
  buildOrgCard,
  CHILDREN_SHOWN,
} from '../../src/features/hierarchy/link-card.ts';
import { DEFAULT_RULES } from '../../src/features/meetings/model.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { cardText } from '../helpers/cards.ts';

const UPPER = ['special_meeting', 'central_group', 'democratic_life'];
const BRANCH = ['general_meeting', 'committee_meeting', 'group_meeting', 'party_lecture', 'theme_day', 'life_meeting'];
const BOTH = ['warning_education'];

describe('ruleAppliesAt', () => {
  const table: [OrgLevel | null, string, boolean][] = [
    ...[...UPPER, ...BRANCH, ...BOTH].map((k): [null, string, boolean] => [null, k, true]),
    ...(['committee', 'leading_group', 'organ_committee'] as const).flatMap((l) => [
      ...UPPER.map((k): [OrgLevel, string, boolean] => [l, k, true]),
      ...BRANCH.map((k): [OrgLevel, string, boolean] => [l, k, false]),
      ...BOTH.map((k): [OrgLevel, string, boolean] => [l, k, true]),
    ]),
    ...UPPER.map((k): [OrgLevel, string, boolean] => ['branch', k, false]),
    ...BRANCH.map((k): [OrgLevel, string, boolean] => ['branch', k, true]),
    ...BOTH.map((k): [OrgLevel, string, boolean] => ['branch', k, true]),
    // 党总支: the 专题会议 (主体责任 over its 支部), no 中心组 of its own, no 三会一课 of its own.
    ['general_branch', 'special_meeting', true],
    ['general_branch', 'central_group', false],
    ['general_branch', 'general_meeting', false],
    ['general_branch', 'theme_day', false],
    ['general_branch', 'warning_education', true],
  ];
  it.each(table)('level %s, rule %s → %s', (level, key, owed) => {
    expect(ruleAppliesAt(key, level)).toBe(owed);
  });

  it('every default rule is owed somewhere, and an org without a level keeps them all', () => {
    for (const r of DEFAULT_RULES)
      expect(
        ORG_LEVELS.some((l) => ruleAppliesAt(r.key, l)),
        r.key,
      ).toBe(true);
    expect(rulesForLevel(DEFAULT_RULES, null)).toEqual(DEFAULT_RULES);
    expect(rulesForLevel(DEFAULT_RULES, undefined)).toEqual(DEFAULT_RULES);
  });

  it('a 党委 and a 支部 split the 专题会议 and 三会一课 between them', () => {
    const keys = (l: OrgLevel) => rulesForLevel(DEFAULT_RULES, l).map((r) => r.key);
    expect(keys('committee')).toEqual(['special_meeting', 'central_group', 'warning_education']);
    expect(keys('branch')).toEqual([
      'general_meeting',
      'committee_meeting',
      'group_meeting',
      'party_lecture',
      'theme_day',
      'life_meeting',
      'warning_education',
    ]);
  });
});

describe('hierarchy cards at their largest', () => {
  const long = (c: string) => c.repeat(50);
  const children = Array.from({ length: 200 }, (_, i) => ({
    name: `${long('支')}${i}`.slice(0, 50),
    level: '党支部',
    chats: [long('群'), long('聊')],
    members: 10_000,
  }));

  it('the link request, pending and answered, passes the card checker', () => {
    const v = {
      linkId: 2_000_000,
      version: 999,
      childId: 2_000_000,
      childName: `<at id=all></at>${long('支')}`,
      upperName: long('委'),
      upperLevel: '机关党委',
      requestedAt: '2026-12-02 10:00',
    };
    const pending = buildLinkRequestCard(v);
    expect(checkCard(JSON.stringify(pending))).toBeUndefined();
    expect(cardText(pending)).not.toContain('<at');
    const answered = buildLinkRequestCard({ ...v, answer: { accepted: true, by: long('李'), at: '2026-12-02 10:05' } });
    expect(checkCard(JSON.stringify(answered))).toBeUndefined();
    expect(JSON.stringify(answered)).not.toContain('"button"');
  });

  it('the org view and the list of 200 lower orgs pass it, listing the first 50', () => {
    const view = buildOrgCard({ name: long('委'), level: '机关党委', parentName: long('党'), children });
    const list = buildChildrenCard({ name: long('委'), children });
    for (const c of [view, list]) {
      expect(checkCard(JSON.stringify(c))).toBeUndefined();
      expect(cardText(c)).toContain(`另有 ${children.length - CHILDREN_SHOWN} 个下级组织未列出`);
    }
  });
});
