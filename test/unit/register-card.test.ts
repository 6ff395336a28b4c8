/**
 * The register card at its largest (300 members, every text at its longest: 6 card pages of 50, a
 * table showing 10 a page) passes the emulator's card checker; the counts name each 党小组 with its
 * 组长; paging buttons appear only where there is a page to go to. The roster spreadsheet is told
 * apart from the other ledgers by its headers (姓名 and 类别), and they from it.
 */
import { describe, expect, it } from 'vitest';
import { importers } from '../../src/features/index.ts';
import { buildRegisterCard, countsLine, REGISTER_PAGE_ROWS } from '../../src/features/membership/register-card.ts';
import {
  type RegisterEntry,
  registerCounts,
  registerRow,
  sortRegister,
} from '../../src/features/membership/register-rules.ts';
import { type Cell, textCell } from '../../src/ledger/cells.ts';
import { detectImporter } from '../../src/ledger/import-kit.ts';
import { checkCard, requestBodyBytes } from '../../src/sandbox/card-check.ts';
import { buttons, cardText } from '../helpers/cards.ts';

const long = (s: string, n: number) => s.repeat(n).slice(0, n);

/** 300 members with every stored text at its longest, a third 预备党员, 20 党小组. */
function bigRegister() {
  return Array.from({ length: 300 }, (_, i) => ({
    id: i + 1,
    name: long(`党员${i}名字很长`, 50),
    category: i % 3 === 0 ? 'probationary' : 'full',
    committee_post:
      i % 3 !== 0 && i < 7
        ? (['secretary', 'deputy', 'organizer', 'inspector', 'publicity', 'member', 'member'][
            i
          ] as RegisterEntry['committee_post'])
        : null,
    party_group: long(`第${i % 20}党小组名称`, 20),
    group_leader: i < 20 && i % 3 !== 0 ? 1 : 0,
    joined_on: '2001-07-01',
    confirmed_on: i % 3 === 0 ? null : '2002-07-01',
    post: long('办公室主任兼综合科科长', 30),
    quorum_exempt: i % 10 === 0 ? long('长期病假经支部委员会同意', 50) : null,
  })) satisfies (RegisterEntry & { id: number; name: string })[];
}

describe('the register card', () => {
  const members = sortRegister(bigRegister());
  const counts = registerCounts(members);
  const pages = Math.ceil(members.length / REGISTER_PAGE_ROWS);
  const page = (p: number) =>
    buildRegisterCard({
      orgId: 7,
      orgName: long('某某单位机关第一党支部', 100),
      counts,
      rows: members.slice((p - 1) * REGISTER_PAGE_ROWS, p * REGISTER_PAGE_ROWS).map(registerRow),
      page: p,
      pages,
      total: members.length,
    });

  it('at 300 members, every page is a card Feishu accepts', () => {
    expect(pages).toBe(6);
    for (let p = 1; p <= pages; p++) {
      const json = JSON.stringify(page(p));
      expect(checkCard(json), `page ${p}`).toBeUndefined();
      expect(requestBodyBytes(json)).toBeLessThan(30 * 1024);
      expect(json).toContain('"page_size":10');
    }
  });

  it('shows the counts and pages with 上一页 / 下一页 where there is a page to go to', () => {
    const first = page(1);
    expect(cardText(first)).toContain('正式党员 **200** · 预备党员 **100** · 支委 **4**');
    expect(countsLine(counts)).toContain('党小组 **20**');
    expect(countsLine(counts)).toContain('；等 20 个');
    expect(buttons({ content: JSON.stringify(first) }).map((b) => [b.text, b.value])).toEqual([
      ['下一页', { v: 1, a: 'register.page', f: 'all', p: 2, o: 7 }],
    ]);
    expect(buttons({ content: JSON.stringify(page(3)) }).map((b) => b.text)).toEqual(['上一页', '下一页']);
    expect(buttons({ content: JSON.stringify(page(6)) }).map((b) => b.text)).toEqual(['上一页']);
    expect(JSON.stringify(page(1))).toContain('"category":"预备党员"');
  });

  it('an empty register says how members get on it', () => {
    const card = buildRegisterCard({
      orgId: 1,
      orgName: '第一党支部',
      counts: registerCounts([]),
      rows: [],
      page: 1,
      pages: 1,
      total: 0,
    });
    expect(checkCard(JSON.stringify(card))).toBeUndefined();
    expect(cardText(card)).toContain('名册中还没有党员');
  });
});

describe('the roster among the ledgers', () => {
  const rowsOf = (...rows: string[][]): Cell[][] => rows.map((r) => r.map(textCell));
  const kindOf = (header: string[]) => detectImporter(importers, rowsOf(['标题'], header))?.importer.kind;

  it('is recognised by 姓名 and 类别, and the other ledgers are not taken for it', () => {
    expect(kindOf(['序号', '姓名', '类别', '党小组', '是否组长', '支委职务', '入党日期', '转正日期', '职务'])).toBe(
      'roster',
    );
    expect(kindOf(['姓名', '党员类别', '党小组长'])).toBe('roster');
    expect(kindOf(['序号', '类别', '责任内容', '牵头领导', '责任人', '完成时限', '频次'])).toBe('duties');
    expect(kindOf(['编号', '来源', '存在问题', '措施', '具体责任人', '完成时限'])).toBe('rectifications');
    expect(kindOf(['序号', '计划时间', '专题', '学习形式', '学习材料', '学习地点'])).toBe('study_plan');
    // A sheet of names alone (a sign-in list) is no roster.
    expect(kindOf(['序号', '姓名', '签到时间'])).toBeUndefined();
  });
});
