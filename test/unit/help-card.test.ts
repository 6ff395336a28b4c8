// /帮助 fits one screen (issue 14, "help that fits"): for a member and for a secretary, in the group
// and in private, the help card is at most HELP_HEIGHT_BUDGET px tall on a 375 px wide phone, as
// the emulator's card measurer estimates it (src/sandbox/card-check/measure.ts). The budget: a
// 375 × 812 phone (iPhone X–13 mini class, the narrowest common screen) shows the chat between its
// status and title bars (~100 px) and the message input (~90 px), about 620 px; a card up to
// 720 px is read with one short scroll and never needs paging. Also: only the areas this person
// can use get a panel; examples carry arguments; English aliases appear only in the full list.
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { buildFullHelpCard, buildHelpCard, type HelpArea } from '../../src/cards/help-card.ts';
import type { Role } from '../../src/core/roles.ts';
import type { Org } from '../../src/db/schema.ts';
import { cardHeight } from '../../src/sandbox/card-check/measure.ts';
import { checkCard } from '../../src/sandbox/card-check.ts';
import { allHelpAreas, helpAreas, quickActionsFor } from '../../src/services/help.ts';
import { cardText } from '../helpers/cards.ts';

const HELP_HEIGHT_BUDGET = 720;
const ORG = { id: 1, name: '中共某某市某某区机关工作委员会第一党支部' } as Org;

function who(role: Role | undefined, chatType: 'group' | 'p2p', bound = true) {
  const org = bound ? ORG : undefined;
  return {
    chat: { chatId: chatType === 'group' ? 'oc_group' : 'oc_p2p', type: chatType },
    org,
    actor: { openId: 'ou_x', name: '张三', role, isBotAdmin: false },
    commands,
  };
}

function helpCard(role: Role | undefined, chatType: 'group' | 'p2p') {
  const w = who(role, chatType);
  const org = w.org;
  return buildHelpCard({
    orgName: org?.name,
    orgId: org?.id,
    chatType,
    quick: org ? quickActionsFor(role, chatType) : [],
    areas: helpAreas(w),
    drawnFor: chatType === 'group' ? (role ?? 'none') : undefined,
  });
}

const titles = (areas: HelpArea[]) => areas.map((a) => a.title);
const spelled = (areas: HelpArea[]) => areas.flatMap((a) => a.commands.map((c) => c.spelled));

describe('the help card fits one screen', () => {
  const cases: [string, Role, 'group' | 'p2p'][] = [
    ['a member in the group', 'member', 'group'],
    ['a member in private', 'member', 'p2p'],
    ['a secretary in the group', 'secretary', 'group'],
    ['a secretary in private', 'secretary', 'p2p'],
    ['an observer in the group', 'observer', 'group'],
  ];
  for (const [name, role, chatType] of cases) {
    it(`${name}: ≤ ${HELP_HEIGHT_BUDGET} px at 375 px wide, and a valid card`, () => {
      const c = helpCard(role, chatType);
      expect(checkCard(JSON.stringify(c))).toBeUndefined();
      expect(cardHeight(c, { width: 375 })).toBeLessThanOrEqual(HELP_HEIGHT_BUDGET);
    });
  }

  it('the old flat list of every command would not have fit (the measurer tells them apart)', () => {
    const all = allHelpAreas(who('secretary', 'group'));
    const flat = buildFullHelpCard({ orgName: ORG.name, orgId: 1, areas: all });
    expect(cardHeight(flat)).toBeGreaterThan(3 * HELP_HEIGHT_BUDGET);
  });
});

describe('what the help card offers', () => {
  it('a member gets their own 整改, 任务 and the meetings first; a secretary the secretary’s things', () => {
    expect(quickActionsFor('member', 'group').map((q) => q.label)).toEqual(['我的整改', '我的任务', '会议与学习']);
    expect(quickActionsFor('secretary', 'group').map((q) => q.label)).toEqual(['发布会议通知', '逾期整改', '合规日历']);
    expect(quickActionsFor('secretary', 'p2p').map((q) => q.label)).toEqual(['待审核整改', '新建整改', '合规日历']);
    expect(quickActionsFor(undefined, 'group')).toEqual([]);
    for (const role of ['member', 'secretary', 'observer', 'publicity'] as const)
      expect(quickActionsFor(role, 'p2p').length).toBeLessThanOrEqual(3);
  });

  it('one panel per area this person can use here, collapsed', () => {
    const member = helpAreas(who('member', 'group'));
    expect(titles(member)).toEqual(['整改', '任务与清单', '会议与学习', '合规日历', '巡察', '我的与请假']);
    const secretary = helpAreas(who('secretary', 'group'));
    expect(titles(secretary)).toEqual([...titles(member), '报告与导入', '群与设置']);
    // Outside an org only what works there: /我的 and, in a group, /绑定.
    expect(spelled(helpAreas(who(undefined, 'group', false)))).toEqual(['我的', '绑定']);
    expect(spelled(helpAreas(who(undefined, 'p2p', false)))).toEqual(['我的']);
    const panels = JSON.stringify(helpCard('member', 'group')).match(/"tag":"collapsible_panel"/g) ?? [];
    expect(panels).toHaveLength(member.length);
    expect(JSON.stringify(helpCard('member', 'group'))).not.toContain('"expanded":true');
  });

  it('a member is not offered what only admins may do', () => {
    const names = spelled(helpAreas(who('member', 'group')));
    expect(names).toContain('整改 查看');
    expect(names).not.toContain('整改 新建');
    expect(names).not.toContain('角色');
    expect(names).not.toContain('任务 看板');
    // 看板 is posted in the group: a secretary sees it there, not in private.
    expect(spelled(helpAreas(who('secretary', 'group')))).toContain('任务 看板');
    expect(spelled(helpAreas(who('secretary', 'p2p')))).not.toContain('任务 看板');
  });

  it('examples are real uses with arguments, never the bare command again', () => {
    const areas = allHelpAreas(who('secretary', 'group'));
    const examples = areas.flatMap((a) =>
      a.commands.flatMap((c) => (c.example ? [[c.spelled, c.example] as const] : [])),
    );
    expect(examples.length).toBeGreaterThan(20);
    for (const [cmd, example] of examples) {
      expect(example.startsWith(`/${cmd} `)).toBe(true);
      expect(example.length).toBeGreaterThan(`/${cmd} `.length);
    }
    const text = cardText(helpCard('member', 'group'));
    expect(text).toContain('例：/整改 查看 12');
    expect(text).toContain('例：/请假 2026-12-10 出差');
    expect(text).not.toMatch(/例：\/整改\n/);
  });

  it('English aliases only in the full list', () => {
    for (const [role, chatType] of [
      ['member', 'group'],
      ['secretary', 'p2p'],
    ] as const) {
      const text = cardText(helpCard(role, chatType)).replace(/<[^>]+>/g, '');
      expect(text).not.toMatch(/\/[a-z]+/);
      expect(text).not.toMatch(/（\/[a-z]/);
    }
    const full = cardText(
      buildFullHelpCard({ orgName: ORG.name, orgId: 1, areas: allHelpAreas(who('secretary', 'group')) }),
    );
    expect(full).toContain('/整改 查看**（/rectify show）');
    expect(full).toContain('（群聊中）');
  });

  it('the full list is a valid card within Feishu’s limits for the largest role', () => {
    const c = buildFullHelpCard({ orgName: ORG.name, orgId: 1, areas: allHelpAreas(who('secretary', 'group')) });
    expect(checkCard(JSON.stringify(c))).toBeUndefined();
  });
});

describe('cardHeight', () => {
  it('counts the header, wrapped lines, button rows and a collapsed panel as its header', () => {
    const base = {
      schema: '2.0',
      config: { update_multi: true },
      header: { title: { tag: 'plain_text', content: '标题' }, template: 'red' },
    };
    const empty = cardHeight({ ...base, body: { elements: [] } });
    const oneLine = cardHeight({ ...base, body: { elements: [{ tag: 'markdown', content: '一行字' }] } });
    expect(oneLine - empty).toBe(22);
    // 60 CJK characters at 14 px wrap into three lines of a 319 px wide body.
    const long = cardHeight({ ...base, body: { elements: [{ tag: 'markdown', content: '字'.repeat(60) }] } });
    expect(long - empty).toBe(66);
    const panel = (expanded: boolean) =>
      cardHeight({
        ...base,
        body: {
          elements: [
            {
              tag: 'collapsible_panel',
              expanded,
              header: { title: { tag: 'plain_text', content: '整改' } },
              elements: [{ tag: 'markdown', content: '一\n二\n三\n四' }],
            },
          ],
        },
      });
    expect(panel(false) - empty).toBe(40);
    expect(panel(true)).toBeGreaterThan(panel(false) + 80);
    const buttons = (n: number) =>
      cardHeight({
        ...base,
        body: {
          elements: [
            {
              tag: 'column_set',
              flex_mode: 'flow',
              columns: Array.from({ length: n }, () => ({
                tag: 'column',
                elements: [{ tag: 'button', text: { tag: 'plain_text', content: '发布会议通知' } }],
              })),
            },
          ],
        },
      });
    expect(buttons(2) - empty).toBe(32);
    expect(buttons(4) - empty).toBe(72);
  });
});
